//! What the svstatus and svwait tests share: service directories run by our
//! supervise, one-shot runs of a program, and the status file read directly.
#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dt_tests::process::{Collector, Group};
use dt_tests::{wait, Side};

/// A run script that waits for ever (TERM ends it).
pub(crate) const SLEEPING_RUN: &str = "#!/bin/sh\nexec sleep 100000\n";

/// Make service directory `dir` with `run`, and a `down` file if asked.
pub(crate) fn service(dir: &Path, down: bool) {
    fs::create_dir_all(dir).expect("mkdir service");
    let run = dir.join("run");
    fs::write(&run, SLEEPING_RUN).expect("write run");
    fs::set_permissions(&run, fs::Permissions::from_mode(0o755)).expect("chmod run");
    if down {
        fs::write(dir.join("down"), b"").expect("write down");
    }
}

/// A service directory `dir` whose `./run` is given a notification pipe
/// (`notification-fd` 4) and says it is ready once the file `ready` exists
/// beside `dir` (which it then removes).
pub(crate) fn ready_service(dir: &Path) {
    fs::create_dir_all(dir).expect("mkdir service");
    let run = dir.join("run");
    fs::write(
        &run,
        "#!/bin/sh\nwhile [ ! -e ../ready ]; do sleep 0.01; done\nrm -f ../ready\necho >&4\nexec sleep 100000\n",
    )
    .expect("write run");
    fs::set_permissions(&run, fs::Permissions::from_mode(0o755)).expect("chmod run");
    fs::write(dir.join("notification-fd"), b"4\n").expect("write notification-fd");
}

/// Our supervise on `dir`, in its own process group (killed, service and
/// all, when dropped).
pub(crate) struct Supervisor {
    pub(crate) group: Group,
    pub(crate) dir: PathBuf,
}

impl Supervisor {
    pub(crate) fn start(dir: &Path) -> Supervisor {
        let mut command = Command::new(Side::Ours.program("supervise"));
        command
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        Supervisor {
            group: Group::spawn(&mut command).expect("start supervise"),
            dir: dir.to_path_buf(),
        }
    }

    /// Wait until the status record satisfies `test`; the record.
    pub(crate) fn await_status(&self, what: &str, test: impl Fn(&[u8; 18]) -> bool) -> [u8; 18] {
        wait::until_or_panic(what, || status(&self.dir).filter(|r| test(r)))
    }

    /// Wait for supervise to exit; its exit code.
    pub(crate) fn exit_code(mut self) -> Option<i32> {
        wait::until_or_panic("supervise to exit", || {
            self.group.has_exited().then_some(())
        });
        self.group.reap().expect("reap supervise").code()
    }
}

/// The 18 bytes of `dir/supervise/status`, if there are that many.
pub(crate) fn status(dir: &Path) -> Option<[u8; 18]> {
    let bytes = fs::read(dir.join("supervise/status")).ok()?;
    bytes.get(..18)?.try_into().ok()
}

/// The pid in a record.
pub(crate) fn pid(record: &[u8; 18]) -> u32 {
    u32::from_le_bytes([record[12], record[13], record[14], record[15]])
}

/// A record's stamp as (TAI64 seconds, nanoseconds).
pub(crate) fn stamp(record: &[u8; 18]) -> (u64, u32) {
    let mut secs = [0u8; 8];
    secs.copy_from_slice(&record[..8]);
    let mut nanos = [0u8; 4];
    nanos.copy_from_slice(&record[8..12]);
    (u64::from_be_bytes(secs), u32::from_be_bytes(nanos))
}

/// The current TAI64 second as daemontools counts it.
pub(crate) fn tai_now() -> u64 {
    let (secs, _) = dt_tests::tai64::unix(std::time::SystemTime::now());
    dt_tests::tai64::UNIX_EPOCH_TAI.wrapping_add_signed(secs)
}

/// What a one-shot program did.
#[derive(Debug)]
pub(crate) struct Ran {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: String,
}

impl Ran {
    pub(crate) fn stdout_text(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("output is UTF-8")
    }
}

/// A started program whose output is collected.
pub(crate) struct Running {
    pub(crate) group: Group,
    out: Collector,
    err: Collector,
    name: String,
}

impl Running {
    pub(crate) fn start(program: &str, args: &[&std::ffi::OsStr], cwd: &Path) -> Running {
        let mut command = Command::new(Side::Ours.program(program));
        command
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut group = Group::spawn(&mut command).expect("start program");
        let (_, out, err) = group.take_pipes();
        Running {
            group,
            out: Collector::start(out),
            err: Collector::start(err),
            name: program.to_owned(),
        }
    }

    /// Wait (generously) for it to end.
    pub(crate) fn finish(mut self) -> Ran {
        let what = format!("{} to exit", self.name);
        wait::until_or_panic(&what, || {
            (self.group.has_exited() && self.out.is_finished() && self.err.is_finished())
                .then_some(())
        });
        let code = self.group.reap().expect("reap").code();
        Ran {
            code,
            stdout: self.out.contents(),
            stderr: String::from_utf8_lossy(&self.err.contents()).into_owned(),
        }
    }
}

/// Run `program args` in `cwd` and wait for it.
pub(crate) fn run(program: &str, args: &[&str], cwd: &Path) -> Ran {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
    Running::start(program, &args, cwd).finish()
}

/// `svc options dir`, which must succeed silently.
pub(crate) fn svc(options: &str, dir: &Path) {
    let ran = run("svc", &[options, &dir.to_string_lossy()], dir);
    assert_eq!(
        (ran.code, ran.stderr.as_str()),
        (Some(0), ""),
        "svc {options}"
    );
}
