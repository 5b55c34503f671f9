//! supervise, svc, svstat and svok, ours against Debian's 0.76.
//!
//! The long-running tests drive one service through a whole life (start,
//! signals, pause, down, up, once, exit) and write down what a user sees at
//! each step: svstat's line, svok's exit code, the status bytes, the files
//! in `supervise/`, what the service's signal traps recorded. The same
//! transcript must come out whichever implementation runs `supervise` and
//! whichever runs the tools, so the four combinations also prove that the
//! two share one service directory (our svstat on C supervise's status
//! file, C svc on our control FIFO, and so on).
//!
//! Every wait polls the status file or a service's output with a generous
//! deadline; nothing sleeps to synchronise and nothing asserts on time.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use dt_tests::fixture::TempDir;
use dt_tests::normalise::{apply_all, Context};
use dt_tests::process::{run_to_end, supervise_command, Collector, Finished, Group};
use dt_tests::{wait, Normaliser, Side};

/// A run script that records, in `../trace`, its start and every signal it
/// catches, and otherwise waits forever. TERM ends it.
const TRAPPING_RUN: &str = "#!/bin/sh
trap 'echo hup >> ../trace' HUP
trap 'echo alrm >> ../trace' ALRM
trap 'echo int >> ../trace' INT
trap 'echo cont >> ../trace' CONT
trap 'echo term >> ../trace; exit 0' TERM
echo start >> ../trace
while :; do sleep 1 & wait $!; done
";

/// The 18 bytes of `supervise/status`, if the file holds at least that.
fn status(service: &Path) -> Option<[u8; 18]> {
    let bytes = fs::read(service.join("supervise/status")).ok()?;
    bytes.get(..18)?.try_into().ok()
}

fn status_pid(record: &[u8; 18]) -> u32 {
    u32::from_le_bytes([record[12], record[13], record[14], record[15]])
}

/// A service directory `s` (with `run` = `script`) inside a fresh temp dir.
fn service_tree(tag: &str, script: &str, down: bool) -> TempDir {
    let dir = TempDir::new(tag);
    let s = dir.path().join("s");
    fs::create_dir(&s).expect("mkdir s");
    let run = s.join("run");
    fs::write(&run, script).expect("write run");
    fs::set_permissions(&run, fs::Permissions::from_mode(0o755)).expect("chmod run");
    if down {
        fs::write(s.join("down"), b"").expect("write down");
    }
    dir
}

/// `supervise s` from `side`, run in `dir`, in its own process group.
struct Supervisor {
    group: Group,
    stderr: Collector,
}

impl Supervisor {
    fn start(side: Side, dir: &Path) -> Supervisor {
        let mut group = Group::spawn(&mut supervise_command(side, dir)).expect("start supervise");
        let (_, _, stderr) = group.take_pipes();
        Supervisor {
            group,
            stderr: Collector::start(stderr),
        }
    }

    /// Wait for supervise to exit; its exit code.
    fn exit_code(mut self) -> Option<i32> {
        wait::until_or_panic("supervise to exit", || {
            self.group.has_exited().then_some(())
        });
        self.group.reap().expect("reap supervise").code()
    }
}

/// What a one-shot program did.
type Ran = Finished;

/// Run `program` from `side` in `dir` and wait for it.
fn run_tool(side: Side, dir: &Path, program: &str, args: &[&str]) -> Ran {
    let mut command = Command::new(side.program(program));
    run_to_end(command.args(args).current_dir(dir))
}

/// pids and seconds made comparable.
fn normalise(text: &str, dir: &Path) -> String {
    let normalisers = [Normaliser::pids(), Normaliser::svstat_seconds()];
    // No program's own pid to hide: one no process can have.
    let context = Context {
        dir,
        pid: i32::MAX as u32,
    };
    String::from_utf8_lossy(&apply_all(&normalisers, text.as_bytes(), &context)).into_owned()
}

/// A running service as the tests look at it, with the tools of `tools`.
struct Lab {
    tools: Side,
    dir: TempDir,
    transcript: Vec<String>,
}

impl Lab {
    fn service(&self) -> PathBuf {
        self.dir.path().join("s")
    }

    fn note(&mut self, line: impl Into<String>) {
        self.transcript.push(line.into());
    }

    fn svc(&mut self, options: &str) {
        let ran = run_tool(self.tools, self.dir.path(), "svc", &[options, "s"]);
        assert_eq!(
            ran,
            Ran {
                code: Some(0),
                stdout: String::new(),
                stderr: String::new()
            }
        );
    }

    fn svstat(&mut self) {
        let ran = run_tool(self.tools, self.dir.path(), "svstat", &["s"]);
        let line = normalise(&ran.stdout, self.dir.path());
        self.note(format!(
            "svstat -> {:?} {line:?} {:?}",
            ran.code, ran.stderr
        ));
    }

    fn svok(&mut self) {
        let ran = run_tool(self.tools, self.dir.path(), "svok", &["s"]);
        self.note(format!("svok -> {:?} {:?}", ran.code, ran.stderr));
    }

    /// Wait until the status record satisfies `test`; note its flags.
    fn await_status(&mut self, what: &str, test: impl Fn(&[u8; 18]) -> bool) -> [u8; 18] {
        let service = self.service();
        let record = wait::until_or_panic(what, || status(&service).filter(|r| test(r)));
        let running = if status_pid(&record) != 0 {
            "running"
        } else {
            "stopped"
        };
        self.note(format!(
            "status: {running} paused={} want={:?}",
            record[16], record[17] as char
        ));
        record
    }

    /// Wait until the service's trace holds `lines` lines; note them.
    fn await_trace(&mut self, lines: usize) {
        let trace = self.dir.path().join("trace");
        let text = wait::until_or_panic("the run script's trace", || {
            let text = fs::read_to_string(&trace).ok()?;
            (text.lines().count() >= lines).then_some(text)
        });
        self.note(format!("trace: {}", text.replace('\n', " ")));
    }

    /// The entries of `supervise/`: name, type and mode, size of files.
    fn supervise_dir(&mut self) {
        let mut entries: Vec<String> = fs::read_dir(self.service().join("supervise"))
            .expect("read supervise/")
            .map(|e| {
                let e = e.expect("entry");
                let meta = e.metadata().expect("stat");
                let kind = if meta.file_type().is_fifo() {
                    "fifo"
                } else {
                    "file"
                };
                let size = if meta.is_file() { meta.len() } else { 0 };
                format!(
                    "{} {kind} {:o} {size}",
                    e.file_name().to_string_lossy(),
                    meta.mode() & 0o7777
                )
            })
            .collect();
        entries.sort();
        self.note(format!("supervise/: {}", entries.join(", ")));
    }

    /// Wait until the service's pid is stopped (kernel state T) or not, as
    /// `stopped` says, and note it. supervise writes the status before it
    /// sends the signal, so the state is polled, not read once.
    fn await_process_state(&mut self, record: &[u8; 18], stopped: bool) {
        let path = format!("/proc/{}/stat", status_pid(record));
        let seen = wait::until(std::time::Instant::now() + wait::GENEROUS, || {
            let stat = fs::read_to_string(&path).ok()?;
            let state = stat
                .rsplit(')')
                .next()?
                .split_whitespace()
                .next()?
                .to_owned();
            (matches!(state.as_str(), "T" | "t") == stopped).then_some(())
        });
        let word = if stopped { "stopped" } else { "not stopped" };
        let outcome = if seen.is_some() {
            "became"
        } else {
            "never became"
        };
        self.note(format!("process: {outcome} {word}"));
    }
}

/// A service's whole life with `supervise` from one side and the tools
/// from another; the transcript of what was seen.
fn life(supervisor: Side, tools: Side) -> Vec<String> {
    let mut lab = Lab {
        tools,
        dir: service_tree("life", TRAPPING_RUN, false),
        transcript: Vec::new(),
    };
    let sup = Supervisor::start(supervisor, lab.dir.path());

    let first = lab.await_status("the service to start", |r| {
        status_pid(r) != 0 && r[17] == b'u'
    });
    lab.await_trace(1);
    lab.supervise_dir();
    lab.svstat();
    lab.svok();

    // h, a, i reach the service's pid; nothing is restarted.
    // One at a time: the shell runs traps for signals that arrive
    // together in an order of its own.
    lab.svc("-h");
    lab.await_trace(2);
    lab.svc("-a");
    lab.await_trace(3);
    lab.svc("-i");
    lab.await_trace(4);

    lab.svc("-p");
    let paused = lab.await_status("the paused flag", |r| r[16] == 1);
    lab.await_process_state(&paused, true);
    lab.svstat();
    lab.svc("-c");
    let resumed = lab.await_status("the paused flag to clear", |r| r[16] == 0);
    lab.await_trace(5);
    lab.await_process_state(&resumed, false);
    assert_eq!(
        status_pid(&first),
        status_pid(&resumed),
        "no restart so far"
    );

    // d: TERM then CONT; the service ends and is not restarted.
    lab.svc("-d");
    lab.await_status("the service to stop", |r| {
        status_pid(r) == 0 && r[17] == b'd'
    });
    lab.await_trace(6);
    lab.svstat();

    lab.svc("-u");
    lab.await_status("the service to start again", |r| {
        status_pid(r) != 0 && r[17] == b'u'
    });
    lab.await_trace(7);
    lab.svstat();

    // o: once; t ends it and it stays down.
    lab.svc("-o");
    lab.await_status("want once", |r| status_pid(r) != 0 && r[17] == 0);
    lab.svstat();
    lab.svc("-t");
    lab.await_status("the once service to end", |r| {
        status_pid(r) == 0 && r[17] == 0
    });
    lab.await_trace(8);
    lab.svstat();

    // x leaves supervise running while the service is up; d then ends both.
    lab.svc("-u");
    lab.await_status("up once more", |r| status_pid(r) != 0 && r[17] == b'u');
    lab.svc("-x");
    lab.svok();
    lab.svc("-d");
    let code = sup.exit_code();
    lab.note(format!("supervise exit: {code:?}"));
    lab.await_status("the final status", |r| status_pid(r) == 0);
    lab.svstat();
    lab.svok();
    lab.transcript
}

//= spec/supervise.md#sup-1
//= spec/supervise.md#sup-8
//= spec/supervise.md#sup-9
//= spec/supervise.md#sup-10
//= spec/supervise.md#sup-11
//= spec/supervise.md#sup-12
//= spec/supervise.md#sup-13
//= spec/supervise.md#sup-14
//= spec/supervise.md#sup-15
//= spec/control.md#ctl-3
//= spec/svstat-output.md#svstat-3
//= spec/svstat-output.md#svok-1
#[test]
fn a_whole_life_looks_the_same_as_with_0_76() {
    let reference = life(Side::Reference, Side::Reference);
    let ours = life(Side::Ours, Side::Ours);
    assert_eq!(reference, ours);
    let says = |line: &str| assert!(ours.iter().any(|l| l == line), "no {line:?} in {ours:#?}");
    says(r#"svstat -> Some(0) "s: up (pid <pid>) <N> seconds, paused\n" """#);
    says(r#"svstat -> Some(0) "s: down <N> seconds, normally up\n" """#);
    says(r#"svstat -> Some(0) "s: supervise not running\n" """#);
    says("supervise exit: Some(0)");
}

//= spec/status-file.md#status-3
//= spec/status-file.md#status-4
//= spec/control.md#ctl-1
#[test]
fn our_tools_drive_0_76_supervise_and_0_76_tools_drive_ours() {
    let reference = life(Side::Reference, Side::Reference);
    assert_eq!(
        reference,
        life(Side::Reference, Side::Ours),
        "our tools, C supervise"
    );
    assert_eq!(
        reference,
        life(Side::Ours, Side::Reference),
        "C tools, our supervise"
    );
}

/// A service with a `down` file is not started; `o` runs it once.
fn down_then_once(supervisor: Side) -> Vec<String> {
    let script = "#!/bin/sh\necho once >> ../trace\n";
    let mut lab = Lab {
        tools: supervisor,
        dir: service_tree("down", script, true),
        transcript: Vec::new(),
    };
    let sup = Supervisor::start(supervisor, lab.dir.path());
    // The ok FIFO is made after the first status: once it is there, the
    // start-up is over and a service would already have been started.
    let ok = lab.service().join("supervise/ok");
    wait::until_or_panic("supervise/ok", || ok.exists().then_some(()));
    lab.await_status("the first status", |r| r[17] == b'd');
    lab.svstat();
    lab.note(format!(
        "trace exists: {}",
        lab.dir.path().join("trace").exists()
    ));
    lab.svc("-o");
    lab.await_trace(1);
    lab.await_status("the once service to end", |r| {
        status_pid(r) == 0 && r[17] == 0
    });
    lab.svstat();
    lab.svc("-x");
    let code = sup.exit_code();
    lab.note(format!("supervise exit: {code:?}"));
    lab.transcript
}

//= spec/supervise.md#sup-2
//= spec/supervise.md#sup-16
#[test]
fn a_down_file_keeps_the_service_down_until_asked() {
    assert_eq!(down_then_once(Side::Reference), down_then_once(Side::Ours));
}

/// The first line supervise prints when `./run` cannot be exec'd.
fn exec_failure(supervisor: Side, run: Option<(&str, u32)>) -> (String, String) {
    let dir = TempDir::new("exec");
    let s = dir.path().join("s");
    fs::create_dir(&s).expect("mkdir s");
    if let Some((script, mode)) = run {
        fs::write(s.join("run"), script).expect("write run");
        fs::set_permissions(s.join("run"), fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let sup = Supervisor::start(supervisor, dir.path());
    let line = wait::until_or_panic("supervise's message", || {
        sup.stderr.with(|e| {
            e.iter()
                .position(|&b| b == b'\n')
                .map(|end| String::from_utf8_lossy(&e[..=end]).into_owned())
        })
    });
    // It keeps trying (about once a second) and stays alive.
    let status = run_tool(supervisor, dir.path(), "svok", &["s"]);
    drop(sup);
    (line, format!("svok {:?}", status.code))
}

//= spec/supervise.md#sup-3
#[test]
fn exec_failures_are_reported_by_the_child_as_0_76_does() {
    let cases: [Option<(&str, u32)>; 3] = [
        None,
        Some(("#!/bin/sh\nexit 0\n", 0o644)),
        Some(("exit 0\n", 0o755)),
    ];
    for run in cases {
        let reference = exec_failure(Side::Reference, run);
        let ours = exec_failure(Side::Ours, run);
        assert_eq!(reference, ours, "run = {run:?}");
    }
}

/// Run supervise with `args` in a fresh dir holding service `s` (the
/// directory is locked first by another supervise when `locked`).
fn supervise_refusal(side: Side, args: &[&str], locked: bool) -> Ran {
    let dir = service_tree("refuse", "#!/bin/sh\nexec sleep 100000\n", true);
    let holder = locked.then(|| {
        let holder = Supervisor::start(side, dir.path());
        let ok = dir.path().join("s/supervise/ok");
        wait::until_or_panic("the first supervise", || ok.exists().then_some(()));
        holder
    });
    let ran = run_tool(side, dir.path(), "supervise", args);
    drop(holder);
    ran
}

//= spec/supervise.md#sup-1
#[test]
fn usage_chdir_and_lock_failures_match_0_76() {
    let cases: [(&[&str], bool); 5] = [
        (&[], false),
        (&["s", "t"], false),
        (&["nonexistent"], false),
        (&["s/run"], false),
        (&["s"], true),
    ];
    for (args, locked) in cases {
        let reference = supervise_refusal(Side::Reference, args, locked);
        let ours = supervise_refusal(Side::Ours, args, locked);
        assert_eq!(reference, ours, "supervise {args:?}, locked: {locked}");
        assert_ne!(reference.code, Some(0), "a refusal exits non-zero");
    }
}

/// A directory for svc and svstat without any supervise: `s` as made by
/// `setup`, and the outputs of the tool run on `args`.
fn tool_on(side: Side, program: &str, args: &[&str], setup: &dyn Fn(&Path)) -> Ran {
    let dir = TempDir::new("tool");
    setup(dir.path());
    run_tool(side, dir.path(), program, args)
}

fn same_on_both(program: &str, args: &[&str], setup: &dyn Fn(&Path)) -> Ran {
    let reference = tool_on(Side::Reference, program, args, setup);
    let ours = tool_on(Side::Ours, program, args, setup);
    assert_eq!(reference, ours, "{program} {args:?}");
    ours
}

fn mkfifo(path: &Path) {
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600)).expect("mkfifo");
}

/// `s/supervise/` with a control FIFO and an ok FIFO nobody reads.
fn dead_supervise(dir: &Path) {
    fs::create_dir_all(dir.join("s/supervise")).expect("mkdir");
    mkfifo(&dir.join("s/supervise/control"));
    mkfifo(&dir.join("s/supervise/ok"));
}

//= spec/control.md#ctl-4
//= spec/options.md#opt-2
#[test]
fn svc_warnings_usage_and_exit_codes_match_0_76() {
    let nothing = |_: &Path| {};
    let bare = |d: &Path| fs::create_dir(d.join("s")).expect("mkdir");
    let usage = same_on_both("svc", &["-z", "s"], &nothing);
    assert_eq!(usage.code, Some(100));
    same_on_both("svc", &["-u"], &nothing);
    same_on_both("svc", &[], &nothing);
    let missing = same_on_both("svc", &["-u", "nonexistent", "s"], &bare);
    assert!(
        missing.stderr.contains("unable to chdir to nonexistent"),
        "{missing:?}"
    );
    assert_eq!(missing.code, Some(0), "per-directory problems are warnings");
    same_on_both("svc", &["-d", "s"], &dead_supervise);
    same_on_both("svc", &["s"], &dead_supervise);
}

//= spec/control.md#ctl-3
#[test]
fn svc_writes_each_command_once_in_first_seen_order() {
    for side in Side::BOTH {
        let dir = TempDir::new("svc-bytes");
        fs::create_dir_all(dir.path().join("s/supervise")).expect("mkdir");
        fs::write(dir.path().join("s/supervise/control"), b"").expect("control as a file");
        let ran = run_tool(side, dir.path(), "svc", &["-u", "-d", "-uuxdkk", "--", "s"]);
        assert_eq!(ran.code, Some(0), "{}: {ran:?}", side.name());
        let written = fs::read(dir.path().join("s/supervise/control")).expect("read control");
        assert_eq!(written, b"udxk", "{}", side.name());
    }
}

/// A status record stamped in the far future (so svstat prints 0 seconds)
/// with `pid`, `paused` and `want`.
fn future_record(pid: u32, paused: u8, want: u8) -> Vec<u8> {
    let mut record = vec![0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    record.extend_from_slice(&pid.to_le_bytes());
    record.push(paused);
    record.push(want);
    record
}

/// `s/supervise/` with `status` = `bytes` and a reader on the ok FIFO for
/// as long as the returned descriptor lives.
fn live_status(dir: &Path, bytes: &[u8], down: bool) -> std::os::fd::OwnedFd {
    dead_supervise(dir);
    fs::write(dir.join("s/supervise/status"), bytes).expect("write status");
    if down {
        fs::write(dir.join("s/down"), b"").expect("write down");
    }
    nix::fcntl::open(
        &dir.join("s/supervise/ok"),
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_NONBLOCK | nix::fcntl::OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .expect("open ok for reading")
}

fn svstat_of(side: Side, bytes: &[u8], down: bool) -> Ran {
    let dir = TempDir::new("svstat");
    let _reader = live_status(dir.path(), bytes, down);
    run_tool(side, dir.path(), "svstat", &["s"])
}

//= spec/svstat-output.md#svstat-3
//= spec/svstat-output.md#svstat-4
//= spec/status-file.md#status-1
//= spec/status-file.md#status-2
#[test]
fn svstat_reads_every_combination_of_status_bytes_as_0_76() {
    let mut lines = Vec::new();
    for pid in [0, 12345] {
        for paused in [0, 1, 7] {
            for want in [0, b'u', b'd', b'x'] {
                for down in [false, true] {
                    let bytes = future_record(pid, paused, want);
                    let reference = svstat_of(Side::Reference, &bytes, down);
                    let ours = svstat_of(Side::Ours, &bytes, down);
                    assert_eq!(
                        reference, ours,
                        "pid {pid} paused {paused} want {want} down {down}"
                    );
                    lines.push(ours.stdout);
                }
            }
        }
    }
    assert!(
        lines.contains(&"s: up (pid 12345) 0 seconds, normally down, paused, want down\n".into())
    );
    assert!(lines.contains(&"s: down 0 seconds, normally up, want up\n".into()));
}

//= spec/svstat-output.md#svstat-1
//= spec/svstat-output.md#svstat-2
//= spec/status-file.md#status-3
#[test]
fn svstat_reports_problems_inline_as_0_76() {
    let nothing = |_: &Path| {};
    let bare = |d: &Path| fs::create_dir(d.join("s")).expect("mkdir");
    same_on_both("svstat", &[], &nothing);
    same_on_both("svstat", &["nonexistent", "-x"], &nothing);
    same_on_both("svstat", &["s"], &bare);
    same_on_both("svstat", &["s"], &dead_supervise);
    for len in [0, 5, 17, 18, 40] {
        let mut bytes = future_record(42, 0, b'u');
        bytes.resize(len, b'!');
        let reference = svstat_of(Side::Reference, &bytes, false);
        let ours = svstat_of(Side::Ours, &bytes, false);
        assert_eq!(reference, ours, "status of {len} bytes");
    }
    let without_status = |side: Side| {
        let dir = TempDir::new("nostatus");
        let _reader = live_status(dir.path(), b"", false);
        fs::remove_file(dir.path().join("s/supervise/status")).expect("rm status");
        run_tool(side, dir.path(), "svstat", &["s"])
    };
    let reference = without_status(Side::Reference);
    assert_eq!(reference, without_status(Side::Ours), "no status file");
    assert!(
        reference.stdout.contains("unable to open supervise/status"),
        "{reference:?}"
    );
}

//= spec/svstat-output.md#svok-1
#[test]
fn svok_exit_codes_match_0_76() {
    let nothing = |_: &Path| {};
    let bare = |d: &Path| fs::create_dir(d.join("s")).expect("mkdir");
    assert_eq!(same_on_both("svok", &[], &nothing).code, Some(100));
    assert_eq!(
        same_on_both("svok", &["nonexistent"], &nothing).code,
        Some(111)
    );
    assert_eq!(same_on_both("svok", &["s"], &bare).code, Some(100));
    let not_a_dir = |d: &Path| {
        fs::create_dir(d.join("s")).expect("mkdir");
        fs::write(d.join("s/supervise"), b"").expect("supervise as a file");
    };
    assert_eq!(same_on_both("svok", &["s"], &not_a_dir).code, Some(111));
    assert_eq!(
        same_on_both("svok", &["s"], &dead_supervise).code,
        Some(100)
    );
}

/// What `./run` inherits from `side`'s supervise: its open descriptors, its
/// ignored and blocked signals, argv[0] and working directory.
fn inheritance(side: Side) -> String {
    let script = "#!/bin/sh
out=$PWD/../inherited
here=$PWD
cd /proc/$$/fd
set -- *
fds=\"$*\"
sig=$(grep -E '^Sig(Ign|Blk)' /proc/$$/status | tr '\\n' ' ')
echo \"fds: $fds; $sig; argv0: $0; cwd: ${here##*/}\" > \"$out.new\"
mv \"$out.new\" \"$out\"
exec sleep 100000
";
    let dir = service_tree("inherit", script, false);
    let _sup = Supervisor::start(side, dir.path());
    let file = dir.path().join("inherited");
    wait::until_or_panic("the run script's report", || fs::read_to_string(&file).ok())
}

//= spec/supervise.md#sup-3
#[test]
fn run_inherits_no_descriptor_and_no_signal_mask_from_supervise() {
    let reference = inheritance(Side::Reference);
    let ours = inheritance(Side::Ours);
    assert_eq!(reference, ours);
    assert!(ours.contains("argv0: ./run; cwd: s"), "{ours}");
}
