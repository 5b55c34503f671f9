//! supervise's opt-in extensions (spec/extensions.md), with the built
//! binaries and real processes: each test makes a service directory with
//! the extension's files, runs our `supervise` on it and drives it with our
//! `svc`, watching the status file and what the run scripts record.
//!
//! Every wait polls with a generous deadline; the seconds in the files are
//! small so the tests are quick, but nothing asserts on how long anything
//! took. Without the files supervise is 0.76, which tests/tests/supervise.rs
//! checks against Debian's binaries.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use dt_tests::fixture::TempDir;
use dt_tests::process::{supervise_command, Collector, Group};
use dt_tests::{wait, Side};

/// A run script that records its start and every SIGTERM in `../trace` and
/// otherwise ignores SIGTERM: only SIGKILL ends it.
const STUBBORN_RUN: &str = "#!/bin/sh
trap 'echo term >> ../trace' TERM
echo start >> ../trace
while :; do sleep 1 & wait $!; done
";

/// A run script that records its start and exits at SIGTERM.
const POLITE_RUN: &str = "#!/bin/sh
trap 'echo term >> ../trace; exit 0' TERM
echo start >> ../trace
while :; do sleep 1 & wait $!; done
";

/// A run script that forks a child (a `sleep` that records its pid in
/// `../child`) and waits for it, as run scripts that do not `exec` do.
const FORKING_RUN: &str = "#!/bin/sh
sleep 100000 &
echo $! > ../child.new && mv ../child.new ../child
wait
";

/// Like [`FORKING_RUN`], but the child ignores SIGTERM.
const FORKING_STUBBORN_RUN: &str = "#!/bin/sh
(trap '' TERM; exec sleep 100000) &
echo $! > ../child.new && mv ../child.new ../child
wait
";

/// The pid `FORKING_RUN` recorded for its child.
fn await_child(dir: &Path) -> i32 {
    wait::until_or_panic("the run script's child", || {
        fs::read_to_string(dir.join("child"))
            .ok()?
            .trim()
            .parse()
            .ok()
    })
}

/// The kernel's view of a process: its process group, or `None` once it is
/// gone (or a zombie, dead and waiting for its new parent to reap it).
fn process_group(pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    fields.nth(1)?.parse().ok()
}

fn await_gone(pid: i32) {
    wait::until_or_panic("the process to be gone", || {
        process_group(pid).is_none().then_some(())
    });
}

fn write_script(path: &Path, text: &str) {
    fs::write(path, text).expect("write script");
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// A finish script that records its arguments in `../trace` and then
/// waits until `../go` exists (so the tests can look at it running).
const WAITING_FINISH: &str = "#!/bin/sh
echo \"finish $1 $2\" >> ../trace
while [ ! -e ../go ]; do sleep 0.01; done
rm -f ../go
";

/// A temp dir holding the service directory `s` with `run` and `files`.
fn service(tag: &str, run: &str, files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new(tag);
    let s = dir.path().join("s");
    fs::create_dir(&s).expect("mkdir s");
    write_script(&s.join("run"), run);
    for (name, contents) in files {
        fs::write(s.join(name), contents).expect("write extension file");
    }
    dir
}

/// The status record's pid and want byte, once the file is there.
fn status(dir: &Path) -> Option<(u32, u8)> {
    let bytes = fs::read(dir.join("s/supervise/status")).ok()?;
    let record: [u8; 18] = bytes.get(..18)?.try_into().ok()?;
    let pid = u32::from_le_bytes([record[12], record[13], record[14], record[15]]);
    Some((pid, record[17]))
}

fn trace(dir: &Path) -> String {
    fs::read_to_string(dir.join("trace")).unwrap_or_default()
}

/// Our `supervise s` in `dir`, in its own process group (killed with
/// everything in it when dropped).
struct Supervisor {
    dir: PathBuf,
    group: Group,
    stderr: Collector,
}

impl Supervisor {
    fn start(dir: &Path) -> Supervisor {
        let mut group =
            Group::spawn(&mut supervise_command(Side::Ours, dir)).expect("start supervise");
        let (_, _, stderr) = group.take_pipes();
        Supervisor {
            dir: dir.to_path_buf(),
            group,
            stderr: Collector::start(stderr),
        }
    }

    /// Our `svc <options> s`, which must succeed silently.
    fn svc(&self, options: &str) {
        let out = Command::new(Side::Ours.program("svc"))
            .args([options, "s"])
            .current_dir(&self.dir)
            .output()
            .expect("run svc");
        assert!(out.status.success(), "svc {options}: {out:?}");
    }

    /// Wait until the status says a service runs; its pid.
    fn await_up(&self) -> u32 {
        wait::until_or_panic("the service to run", || {
            status(&self.dir).and_then(|(pid, _)| (pid != 0).then_some(pid))
        })
    }

    /// Wait until the status says no service runs, with this want byte.
    fn await_down(&self, want: u8) {
        wait::until_or_panic("the service to be down", || {
            status(&self.dir).filter(|&(pid, w)| pid == 0 && w == want)
        });
    }

    fn await_trace(&self, what: &str, test: impl Fn(&str) -> bool) -> String {
        wait::until_or_panic(what, || {
            let text = trace(&self.dir);
            test(&text).then_some(text)
        })
    }

    /// Our `svstat s`'s line.
    fn svstat(&self) -> String {
        self.svstat_of(Side::Ours)
    }

    /// `side`'s `svstat s`'s line.
    fn svstat_of(&self, side: Side) -> String {
        let out = Command::new(side.program("svstat"))
            .arg("s")
            .current_dir(&self.dir)
            .output()
            .expect("run svstat");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Wait until our svstat's line, with every number made `N`, is `line`.
    fn await_svstat(&self, line: &str) {
        wait::until_or_panic(line, || {
            let mut got = String::new();
            for c in self.svstat().chars() {
                if !c.is_ascii_digit() {
                    got.push(c);
                } else if !got.ends_with('N') {
                    got.push('N');
                }
            }
            (got == line).then_some(())
        });
    }

    /// Let the waiting finish script end.
    fn go(&self) {
        fs::write(self.dir.join("go"), "").expect("create go");
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents()).into_owned()
    }

    /// `svc -dx`, then wait for supervise to exit 0 (SIGKILL first, for
    /// services that ignore SIGTERM).
    fn stop(mut self) -> String {
        self.svc("-dxk");
        wait::until_or_panic("supervise to exit", || {
            self.group.has_exited().then_some(())
        });
        let code = self.group.reap().expect("reap supervise").code();
        assert_eq!(code, Some(0), "supervise's exit code");
        wait::until_or_panic("supervise's stderr to close", || {
            self.stderr.is_finished().then_some(())
        });
        self.stderr()
    }
}

/// A service that ignores SIGTERM is killed `timeout-kill` seconds after
/// `svc -d`, and not restarted.
//= spec/extensions.md#ext-3
#[test]
fn timeout_kill_kills_a_service_that_ignores_term() {
    let dir = service("tk", STUBBORN_RUN, &[("timeout-kill", "1\n")]);
    let sup = Supervisor::start(dir.path());
    sup.await_up();
    sup.await_trace("the service to start", |t| t == "start\n");
    sup.svc("-d");
    sup.await_down(b'd');
    // It did get SIGTERM, ignored it, and was still ended: by SIGKILL.
    assert_eq!(trace(dir.path()), "start\nterm\n");
    assert_eq!(sup.stop(), "");
}

/// The file is read at each start: one created while the service runs is
/// used from the next start on.
//= spec/extensions.md#ext-2
//= spec/extensions.md#ext-3
#[test]
fn timeout_kill_is_read_at_each_start() {
    let dir = service("tk-later", STUBBORN_RUN, &[]);
    let sup = Supervisor::start(dir.path());
    let first = sup.await_up();
    fs::write(dir.path().join("s/timeout-kill"), "1").expect("write timeout-kill");
    // The running one started without: end it by hand, it comes back with.
    sup.svc("-k");
    wait::until_or_panic("a new service process", || {
        status(dir.path()).filter(|&(pid, _)| pid != 0 && pid != first)
    });
    sup.svc("-d");
    sup.await_down(b'd');
    assert_eq!(sup.stop(), "");
}

/// A service that stops at SIGTERM is not killed, and `timeout-kill` with
/// a bad number is ignored with a warning.
//= spec/extensions.md#ext-2
#[test]
fn a_bad_timeout_kill_is_ignored_with_a_warning() {
    let dir = service("tk-bad", POLITE_RUN, &[("timeout-kill", "soon\n")]);
    let sup = Supervisor::start(dir.path());
    sup.await_up();
    let warning = "supervise: warning: ignoring s/timeout-kill: bad format\n";
    wait::until_or_panic("the warning", || (sup.stderr() == warning).then_some(()));
    sup.svc("-d");
    sup.await_down(b'd');
    sup.await_trace("the service to stop", |t| t == "start\nterm\n");
    assert_eq!(sup.stop(), warning);
}

/// With `stop-group`, `./run` leads its own process group and `svc -d`
/// stops the children it forked too.
//= spec/extensions.md#ext-4
#[test]
fn stop_group_stops_what_the_run_script_forked() {
    let dir = service("group", FORKING_RUN, &[("stop-group", "")]);
    let sup = Supervisor::start(dir.path());
    let run = sup.await_up();
    let child = await_child(dir.path());
    let run = i32::try_from(run).expect("a pid");
    assert_eq!(process_group(run), Some(run), "run leads its own group");
    assert_eq!(process_group(child), Some(run), "its child is in it");
    sup.svc("-d");
    sup.await_down(b'd');
    await_gone(child);
    assert_eq!(sup.stop(), "");
}

/// With `stop-group` and `timeout-kill`, a child that ignores SIGTERM is
/// killed when the timeout expires, although the run script itself (the
/// group's leader) ended at SIGTERM and was reaped long before.
//= spec/extensions.md#ext-3
//= spec/extensions.md#ext-4
#[test]
fn stop_group_with_timeout_kill_leaves_no_orphan() {
    let dir = service(
        "group-tk",
        FORKING_STUBBORN_RUN,
        &[("stop-group", ""), ("timeout-kill", "1")],
    );
    let sup = Supervisor::start(dir.path());
    sup.await_up();
    let child = await_child(dir.path());
    sup.svc("-d");
    sup.await_down(b'd');
    await_gone(child);
    assert_eq!(sup.stop(), "");
}

fn executable(dir: &Path, name: &str, text: &str) {
    write_script(&dir.join("s").join(name), text);
}

/// `./finish` gets `./run`'s exit code and 0; while it runs the status
/// says down and svstat says finishing; `./run` starts again only after it.
//= spec/extensions.md#ext-5
//= spec/extensions.md#ext-7
//= spec/extensions.md#ext-8
#[test]
fn finish_runs_after_run_with_its_exit_code() {
    let dir = service("finish", "#!/bin/sh\necho start >> ../trace\nexit 3\n", &[]);
    executable(dir.path(), "finish", WAITING_FINISH);
    let sup = Supervisor::start(dir.path());
    sup.await_trace("finish to run", |t| t == "start\nfinish 3 0\n");
    sup.await_down(b'u');
    sup.await_svstat("s: down N seconds, normally up, want up, finishing\n");
    sup.go();
    // Then ./run again, and ./finish after it.
    sup.await_trace("the second run", |t| {
        t == "start\nfinish 3 0\nstart\nfinish 3 0\n"
    });
    sup.svc("-d");
    sup.go();
    sup.await_svstat("s: down N seconds, normally up\n");
    assert_eq!(extra(dir.path()), "");
    assert_eq!(status_file(dir.path()).len(), 18, "0.76's record alone");
    assert_eq!(sup.stop(), "");
}

/// A signal ends `./run`: `./finish -1 <signal>`; and `x` waits for it.
//= spec/extensions.md#ext-5
#[test]
fn finish_gets_the_signal_and_x_waits_for_it() {
    let dir = service("finish-sig", POLITE_RUN, &[]);
    executable(dir.path(), "finish", WAITING_FINISH);
    let sup = Supervisor::start(dir.path());
    sup.await_up();
    sup.await_trace("the service to start", |t| t == "start\n");
    sup.svc("-dxk");
    sup.await_trace("finish to run", |t| {
        t.ends_with("finish -1 9\n") || t.ends_with("finish 0 0\n")
    });
    // supervise is still there while ./finish runs.
    sup.await_svstat("s: down N seconds, normally up, finishing\n");
    sup.go();
    assert_eq!(sup.stop(), "");
}

/// `./finish` that overruns `timeout-finish` is killed, and the service
/// starts again.
//= spec/extensions.md#ext-6
#[test]
fn timeout_finish_kills_a_finish_that_hangs() {
    let dir = service("finish-tf", POLITE_RUN, &[("timeout-finish", "1\n")]);
    executable(
        dir.path(),
        "finish",
        "#!/bin/sh\necho finish >> ../trace\nexec sleep 100000\n",
    );
    let sup = Supervisor::start(dir.path());
    let first = sup.await_up();
    sup.svc("-t");
    sup.await_trace("finish to run", |t| t.contains("finish\n"));
    // Killed after a second, then ./run starts again.
    wait::until_or_panic("a new ./run", || {
        status(dir.path()).filter(|&(pid, _)| pid != 0 && pid != first)
    });
    sup.await_svstat("s: up (pid N) N seconds\n");
    assert_eq!(sup.stop(), "");
}

/// What an earlier supervise's extensions wrote after its record is gone
/// once supervise starts, and a `finish` that cannot be executed is
/// reported by the child.
//= spec/extensions.md#ext-5
//= spec/extensions.md#ext-7
#[test]
fn stale_extension_lines_are_dropped_and_a_broken_finish_is_reported() {
    let dir = service("finish-bad", "#!/bin/sh\nexit 0\n", &[("down", "")]);
    fs::create_dir(dir.path().join("s/supervise")).expect("mkdir supervise");
    let mut stale = vec![0x40, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, b'd'];
    stale.extend_from_slice(b"finishing 1\n");
    fs::write(dir.path().join("s/supervise/status"), stale).expect("stale");
    // Executable, but not something exec can run.
    executable(dir.path(), "finish", "");
    fs::write(dir.path().join("s/finish"), [0u8, 1, 2, 3]).expect("garbage");
    let sup = Supervisor::start(dir.path());
    sup.await_svstat("s: down N seconds\n");
    assert_eq!(status_file(dir.path()).len(), 18, "0.76's record alone");
    sup.svc("-o");
    let warning = "supervise: warning: unable to start s/finish: exec format error\n";
    wait::until_or_panic("the warning", || {
        sup.stderr().contains(warning).then_some(())
    });
    sup.await_svstat("s: down N seconds\n");
    assert_eq!(sup.stop(), warning);
}

/// A run script that records its start and exits 1 at once.
const CRASHING_RUN: &str = "#!/bin/sh\necho start >> ../trace\nexit 1\n";

/// The bytes of `s/supervise/status` (none if it cannot be read).
fn status_file(dir: &Path) -> Vec<u8> {
    fs::read(dir.join("s/supervise/status")).unwrap_or_default()
}

/// What the extensions wrote after the 18-byte record (EXT-7).
fn extra(dir: &Path) -> String {
    let bytes = status_file(dir);
    String::from_utf8_lossy(bytes.get(18..).unwrap_or_default()).into_owned()
}

/// A service that keeps dying is restarted after growing delays, which
/// svstat and the status file show.
//= spec/extensions.md#ext-7
//= spec/extensions.md#ext-8
//= spec/extensions.md#ext-9
#[test]
fn backoff_slows_a_crash_loop_down() {
    let dir = service("backoff", CRASHING_RUN, &[("backoff", "1 2 100\n")]);
    let sup = Supervisor::start(dir.path());
    wait::until_or_panic("the first restart to be put off", || {
        let text = extra(dir.path());
        (text.starts_with("restart @") && text.ends_with(" 1\n")).then_some(())
    });
    wait::until_or_panic("the third restart to be put off", || {
        extra(dir.path()).ends_with(" 3\n").then_some(())
    });
    sup.await_svstat(
        "s: down N seconds, normally up, want up, restarting in N seconds (attempt N)\n",
    );
    assert!(trace(dir.path()).lines().count() >= 3);
    assert_eq!(sup.stop(), "");
}

/// After `count` quick failures supervise gives up; `u` starts the service
/// again.
//= spec/extensions.md#ext-10
#[test]
fn backoff_gives_up_and_u_starts_again() {
    let dir = service("give-up", CRASHING_RUN, &[("backoff", "1 1 100 2 100")]);
    let sup = Supervisor::start(dir.path());
    sup.await_svstat("s: down N seconds, normally up, want up, given up after N failures\n");
    assert_eq!(extra(dir.path()), "given-up 2\n");
    assert_eq!(trace(dir.path()), "start\nstart\n");
    sup.svc("-u");
    // (It dies again, and is restarted once more before giving up again.)
    sup.await_trace("a start on u", |t| t.lines().count() >= 3);
    assert_eq!(sup.stop(), "");
}

/// During a long delay, `d` cancels the restart and `u` starts at once.
//= spec/extensions.md#ext-9
#[test]
fn d_cancels_a_put_off_restart_and_u_starts_at_once() {
    let dir = service("backoff-cmd", CRASHING_RUN, &[("backoff", "1000 1000")]);
    let sup = Supervisor::start(dir.path());
    sup.await_svstat(
        "s: down N seconds, normally up, want up, restarting in N seconds (attempt N)\n",
    );
    sup.svc("-d");
    sup.await_svstat("s: down N seconds, normally up\n");
    assert_eq!(extra(dir.path()), "");
    sup.svc("-u");
    sup.await_trace("a start on u", |t| t == "start\nstart\n");
    sup.await_svstat(
        "s: down N seconds, normally up, want up, restarting in N seconds (attempt N)\n",
    );
    sup.svc("-u");
    sup.await_trace("a start on u", |t| t == "start\nstart\nstart\n");
    assert_eq!(sup.stop(), "");
}

/// A run script for `notification-fd` 5: it records its start and the
/// descriptors it was given (`ls` lists its own, in which 3 is the
/// directory it reads), waits until `../ready` exists, removes it, and
/// says it is ready.
const READY_RUN: &str = "#!/bin/sh
echo start >> ../trace
ls -l /proc/self/fd > ../fds.new && mv ../fds.new ../fds
while [ ! -e ../ready ]; do sleep 0.01; done
rm -f ../ready
echo >&5
exec sleep 100000
";

/// The descriptors this test process holds open across an exec (inherited
/// from whatever ran it): a process it starts may hold them too.
fn inherited_descriptors() -> Vec<String> {
    let mut open = Vec::new();
    for entry in fs::read_dir("/proc/self/fdinfo").expect("fdinfo").flatten() {
        let info = fs::read_to_string(entry.path()).unwrap_or_default();
        let flags = info
            .lines()
            .find_map(|l| l.strip_prefix("flags:"))
            .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
            .unwrap_or(0);
        if flags & 0o2_000_000 == 0 {
            open.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    open
}

/// With `notification-fd`, `./run` gets a pipe as that descriptor and no
/// other descriptor of supervise's; svstat says `not ready` until it writes
/// a newline, then `ready`; a restart is not ready again until it says so.
//= spec/extensions.md#ext-7
//= spec/extensions.md#ext-8
//= spec/extensions.md#ext-11
#[test]
fn notification_fd_tells_when_the_service_is_ready() {
    let dir = service("ready", READY_RUN, &[("notification-fd", "5\n")]);
    let sup = Supervisor::start(dir.path());
    let first = sup.await_up();
    sup.await_svstat("s: up (pid N) N seconds, not ready\n");
    assert_eq!(extra(dir.path()), format!("not-ready {first}\n"));

    let fds = wait::until_or_panic("the run script's descriptors", || {
        fs::read_to_string(dir.path().join("fds")).ok()
    });
    let inherited = inherited_descriptors();
    for line in fds.lines().filter(|l| l.contains(" -> ")) {
        let (left, target) = line.split_once(" -> ").expect("an arrow");
        let fd = left.rsplit(' ').next().expect("a number");
        match fd {
            "0" | "1" | "2" | "3" => {}
            "5" => assert!(target.starts_with("pipe:"), "{line}"),
            other => assert!(
                inherited.iter().any(|i| i == other),
                "supervise left descriptor {other} open in ./run: {line}"
            ),
        }
    }
    assert!(fds.lines().any(|l| l.contains(" 5 -> pipe:")), "{fds}");

    fs::write(dir.path().join("ready"), "").expect("create ready");
    sup.await_svstat("s: up (pid N) N seconds, ready N seconds\n");
    let text = extra(dir.path());
    assert!(
        text.starts_with(&format!("ready {first} @")) && text.ends_with('\n'),
        "{text:?}"
    );

    // A new run is not ready until it says so.
    sup.svc("-k");
    let second = wait::until_or_panic("a new service process", || {
        status(dir.path()).and_then(|(pid, _)| (pid != 0 && pid != first).then_some(pid))
    });
    wait::until_or_panic("the new run's readiness line", || {
        (extra(dir.path()) == format!("not-ready {second}\n")).then_some(())
    });
    sup.await_svstat("s: up (pid N) N seconds, not ready\n");
    fs::write(dir.path().join("ready"), "").expect("create ready");
    sup.await_svstat("s: up (pid N) N seconds, ready N seconds\n");
    sup.svc("-d");
    sup.await_svstat("s: down N seconds, normally up\n");
    assert_eq!(extra(dir.path()), "");
    assert_eq!(sup.stop(), "");
}

/// 0.76's svstat reads the record of a directory whose status file has
/// extension lines, and ignores the lines: its line is 0.76's own.
//= spec/extensions.md#ext-7
//= spec/status-file.md#status-3
#[test]
fn svstat_of_0_76_reads_the_record_and_ignores_the_lines() {
    let dir = service("ready-076", READY_RUN, &[("notification-fd", "5\n")]);
    let sup = Supervisor::start(dir.path());
    let pid = sup.await_up();
    sup.await_svstat("s: up (pid N) N seconds, not ready\n");
    assert!(status_file(dir.path()).len() > 18, "lines after the record");
    let theirs = sup.svstat_of(Side::Reference);
    assert!(
        theirs.starts_with(&format!("s: up (pid {pid}) ")) && theirs.ends_with(" seconds\n"),
        "{theirs:?}"
    );
    assert_eq!(sup.stop(), "");
}

/// A `notification-fd` that names standard error is ignored with a
/// warning: the service runs without a notification descriptor.
//= spec/extensions.md#ext-2
//= spec/extensions.md#ext-11
#[test]
fn a_notification_fd_of_2_is_a_bad_format() {
    let dir = service("ready-bad", POLITE_RUN, &[("notification-fd", "2")]);
    let sup = Supervisor::start(dir.path());
    sup.await_up();
    let warning = "supervise: warning: ignoring s/notification-fd: bad format\n";
    wait::until_or_panic("the warning", || (sup.stderr() == warning).then_some(()));
    sup.await_svstat("s: up (pid N) N seconds\n");
    assert_eq!(status_file(dir.path()).len(), 18, "0.76's record alone");
    assert_eq!(sup.stop(), warning);
}

/// The test helper that speaks systemd's notification protocol.
fn notify_send() -> &'static str {
    env!("CARGO_BIN_EXE_notify-send")
}

/// With `notify`, `./run` finds `$NOTIFY_SOCKET` naming an abstract socket
/// (`@daemontools-rs/supervise/` and 16 hex digits); what the service
/// process sends there is shown by svstat, what another process sends is
/// not; the socket goes with the service.
//= spec/extensions.md#ext-8
//= spec/extensions.md#ext-13
#[test]
fn notify_takes_ready_and_status_from_the_service_process() {
    let helper = notify_send();
    // A child of the run script (another pid) says READY=1 first: ignored.
    // Then the service itself, through a chain of execs that keep its pid.
    let run = format!(
        "#!/bin/sh\n\
         echo \"$NOTIFY_SOCKET\" > ../socket.new && mv ../socket.new ../socket\n\
         {helper} ../impostor 'READY=1' && echo impostor >> ../trace &\n\
         exec {helper} ../status 'STATUS=loading' \
         {helper} ../ready 'STATUS=serving\nREADY=1\nMAINPID=1' sleep 100000\n"
    );
    let dir = service("notify", &run, &[("notify", "")]);
    let sup = Supervisor::start(dir.path());
    let pid = sup.await_up();
    sup.await_svstat("s: up (pid N) N seconds, not ready\n");
    let socket = wait::until_or_panic("the run script's NOTIFY_SOCKET", || {
        fs::read_to_string(dir.path().join("socket")).ok()
    });
    let socket = socket.trim_end().to_owned();
    let random = socket
        .strip_prefix("@daemontools-rs/supervise/")
        .unwrap_or_else(|| panic!("NOTIFY_SOCKET={socket}"));
    assert!(
        random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit()),
        "NOTIFY_SOCKET={socket}"
    );
    assert!(abstract_socket_exists(&socket), "{socket} is bound");
    assert!(!dir.path().join("s/supervise/notify").exists(), "no file");

    fs::write(dir.path().join("impostor"), "").expect("create impostor");
    sup.await_trace("the impostor to have sent", |t| t == "impostor\n");
    fs::write(dir.path().join("status"), "").expect("create status");
    sup.await_svstat("s: up (pid N) N seconds, not ready, status: loading\n");
    fs::write(dir.path().join("ready"), "").expect("create ready");
    sup.await_svstat("s: up (pid N) N seconds, ready N seconds, status: serving\n");
    let text = extra(dir.path());
    assert!(text.starts_with(&format!("ready {pid} @")), "{text:?}");
    assert!(
        text.ends_with(&format!("\nstatus {pid} serving\n")),
        "{text:?}"
    );
    sup.svc("-d");
    sup.await_svstat("s: down N seconds, normally up\n");
    assert_eq!(extra(dir.path()), "");
    assert!(
        !abstract_socket_exists(&socket),
        "the socket is closed with its service"
    );
    assert_eq!(sup.stop(), "");
}

/// Whether a socket is bound at the abstract name `@name` (as
/// `/proc/net/unix` shows it).
fn abstract_socket_exists(name: &str) -> bool {
    let table = fs::read_to_string("/proc/net/unix").expect("/proc/net/unix");
    table
        .lines()
        .any(|line| line.split_whitespace().nth(7) == Some(name))
}

/// A service that drops its privileges before it speaks (`setuidgid`, as
/// run scripts do) still reaches the socket: it has no file in
/// `supervise/`, which only supervise's user may enter.
//= spec/extensions.md#ext-13
#[test]
fn notify_reaches_supervise_from_a_service_without_privileges() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: needs root to drop privileges");
        return;
    }
    let helper = notify_send();
    let setuidgid = Side::Ours.program("setuidgid");
    let setuidgid = setuidgid.to_str().expect("UTF-8 path");
    let run = format!(
        "#!/bin/sh
exec {setuidgid} nobody {helper} - 'READY=1' sleep 100000
"
    );
    let dir = service("notify-nobody", &run, &[("notify", "")]);
    let sup = Supervisor::start(dir.path());
    sup.await_up();
    sup.await_svstat(
        "s: up (pid N) N seconds, ready N seconds
",
    );
    sup.svc("-d");
    sup.await_down(b'd');
    assert_eq!(sup.stop(), "");
}

/// With `notify` and `watchdog`, `./run` gets `WATCHDOG_USEC` and its own
/// pid as `WATCHDOG_PID`; one that never sends `WATCHDOG=1` is stopped
/// (with a warning) and, wanted up, started again.
//= spec/extensions.md#ext-14
#[test]
fn watchdog_restarts_a_silent_service() {
    let run = "#!/bin/sh\n\
               echo \"$WATCHDOG_USEC $WATCHDOG_PID $$\" > ../env.new && mv ../env.new ../env\n\
               echo start >> ../trace\n\
               exec sleep 100000\n";
    let dir = service("watchdog", run, &[("notify", ""), ("watchdog", "1\n")]);
    let sup = Supervisor::start(dir.path());
    let first = sup.await_up();
    let env = wait::until_or_panic("the run script's environment", || {
        fs::read_to_string(dir.path().join("env")).ok()
    });
    assert_eq!(env, format!("1000000 {first} {first}\n"));
    sup.await_trace("a restart", |t| t == "start\nstart\n");
    let warning = "supervise: warning: s/run sent no WATCHDOG=1 for 1 seconds, stopping it\n";
    wait::until_or_panic("the warning", || {
        sup.stderr().starts_with(warning).then_some(())
    });
    let stderr = sup.stop();
    assert!(
        !stderr.is_empty() && stderr.lines().all(|l| format!("{l}\n") == warning),
        "{stderr:?}"
    );
}

/// A service that floods its notification socket cannot keep supervise
/// from its control pipe: supervise reads a bounded number of datagrams per
/// turn of its loop, so `svc -d` still stops it.
//= spec/extensions.md#ext-13
#[test]
fn a_service_flooding_notify_still_obeys_svc() {
    let helper = notify_send();
    let run = format!("#!/bin/sh\nexec {helper} +flood 'STATUS=flooding'\n");
    let dir = service("notify-flood", &run, &[("notify", "")]);
    let sup = Supervisor::start(dir.path());
    sup.await_up();
    sup.await_svstat("s: up (pid N) N seconds, not ready, status: flooding\n");
    sup.svc("-d");
    sup.await_down(b'd');
    sup.stop();
}
