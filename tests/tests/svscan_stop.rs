//! svscan's opt-in stop mode (spec/svscan.md SCAN-9): with `SVSCAN_STOP`
//! set, SIGTERM stops every service through its supervise, lets each
//! logger drain its pipe, and then svscan exits 0 — as a plain process and
//! as PID 1 of a private pid namespace, where it also reaps orphans. Without
//! the variable svscan behaves as 0.76 (SIGTERM kills it).

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

use dt_tests::fixture::TempDir;
use dt_tests::process::{Collector, Group};
use dt_tests::{wait, Side, Signal};

/// A service that prints numbered lines until TERM, then says so.
const COUNTER: &str = "#!/bin/sh
exec 2>&1
trap 'echo stopping; exit 0' TERM
i=0
while :; do i=$((i+1)); echo \"line $i\"; sleep 0.01 & wait $!; done
";

/// A service that leaves an orphan behind every time it starts, then waits.
const ORPHANER: &str = "#!/bin/sh
(sleep 1 &)
trap 'exit 0' TERM
while :; do sleep 1 & wait $!; done
";

fn script(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write script");
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// A scan directory with `counter` (logged by multilog into
/// `counter/log/main`) and, if asked, `orphaner`.
fn tree(with_orphaner: bool) -> TempDir {
    let dir = TempDir::new("stop");
    script(&dir.path().join("counter/run"), COUNTER);
    script(
        &dir.path().join("counter/log/run"),
        "#!/bin/sh\nexec multilog ./main\n",
    );
    if with_orphaner {
        script(&dir.path().join("orphaner/run"), ORPHANER);
    }
    dir
}

fn path_with_ours() -> String {
    let ours = Side::Ours.bin_dir();
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", ours.display())
}

/// Wait until the counter's log holds at least `lines` lines.
fn await_logged(dir: &Path, lines: usize) {
    let current = dir.join("counter/log/main/current");
    wait::until_or_panic("lines in the counter's log", || {
        let text = fs::read_to_string(&current).ok()?;
        (text.lines().count() >= lines).then_some(())
    });
}

/// The counter's whole log: `line 1` … `line N` with none missing or
/// repeated, then `stopping` (the service's last words reached the disk).
fn assert_log_complete(dir: &Path) {
    let text = fs::read_to_string(dir.join("counter/log/main/current")).expect("read log");
    let lines: Vec<&str> = text.lines().collect();
    let (last, numbered) = lines.split_last().expect("a non-empty log");
    assert_eq!(*last, "stopping", "the service's last line is logged");
    assert!(numbered.len() >= 3, "{text}");
    for (i, line) in numbered.iter().enumerate() {
        assert_eq!(*line, format!("line {}", i + 1), "line {} of {text}", i + 1);
    }
}

/// The service and its logger ended through supervise: each status says
/// no pid, and the service's says "want down".
fn assert_stopped_by_request(dir: &Path) {
    let status = |p: &str| fs::read(dir.join(p)).expect("read status");
    let main = status("counter/supervise/status");
    let log = status("counter/log/supervise/status");
    assert_eq!(&main[12..16], &[0, 0, 0, 0], "service has no pid");
    assert_eq!(main[17], b'd', "service wanted down");
    assert_eq!(&log[12..16], &[0, 0, 0, 0], "logger has no pid");
}

fn exit_code(mut group: Group) -> Option<i32> {
    wait::until_or_panic("svscan to exit", || group.has_exited().then_some(()));
    group.reap().expect("reap").code()
}

//= spec/svscan.md#scan-9
#[test]
fn sigterm_stops_every_service_drains_the_logs_and_exits_0() {
    let dir = tree(false);
    let mut command = Command::new(Side::Ours.program("svscan"));
    command
        .current_dir(dir.path())
        .env("PATH", path_with_ours())
        .env("SVSCAN_STOP", "30")
        .stdin(Stdio::null());
    let group = Group::spawn(&mut command).expect("start svscan");
    await_logged(dir.path(), 3);
    group.signal(Signal::SIGTERM).expect("SIGTERM");
    assert_eq!(exit_code(group), Some(0));
    assert_log_complete(dir.path());
    assert_stopped_by_request(dir.path());
}

//= spec/svscan.md#scan-9
#[test]
fn without_the_variable_sigterm_kills_svscan_as_in_0_76() {
    let dir = tree(false);
    let mut command = Command::new(Side::Ours.program("svscan"));
    command
        .current_dir(dir.path())
        .env("PATH", path_with_ours())
        .env_remove("SVSCAN_STOP")
        .stdin(Stdio::null());
    let mut group = Group::spawn(&mut command).expect("start svscan");
    await_logged(dir.path(), 1);
    group.signal(Signal::SIGTERM).expect("SIGTERM");
    wait::until_or_panic("svscan to die", || group.has_exited().then_some(()));
    let status = group.reap().expect("reap");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(Signal::SIGTERM as i32), "{status:?}");
}

//= spec/svscan.md#scan-9
#[test]
fn a_bad_setting_is_refused() {
    let dir = tree(false);
    let mut command = Command::new(Side::Ours.program("svscan"));
    command
        .current_dir(dir.path())
        .env("PATH", path_with_ours())
        .env("SVSCAN_STOP", "ten")
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    let mut group = Group::spawn(&mut command).expect("start svscan");
    let (_, _, stderr) = group.take_pipes();
    let stderr = Collector::start(stderr);
    assert_eq!(exit_code(group), Some(100));
    wait::until_or_panic("stderr", || stderr.is_finished().then_some(()));
    assert_eq!(
        String::from_utf8_lossy(&stderr.contents()),
        "svscan: fatal: SVSCAN_STOP must be empty or a number of seconds\n"
    );
    assert!(
        !dir.path().join("counter/supervise").exists(),
        "nothing started"
    );
}

/// Can this process make a pid namespace? (Root, and a kernel that lets it.)
fn namespaces_work() -> Result<(), String> {
    // /proc/self belongs to the effective user.
    let euid = fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(u32::MAX);
    if euid != 0 {
        return Err("not running as root".into());
    }
    let probe = Command::new("unshare")
        .args(["--pid", "--fork", "true"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    match probe {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "unshare --pid failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("cannot run unshare: {e}")),
    }
}

/// Outer pids of the children of `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    let list = fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    list.split_whitespace()
        .filter_map(|c| c.parse::<u32>().ok())
        .collect()
}

fn name_of(pid: u32) -> String {
    let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    comm.trim().to_owned()
}

/// Outer pids of the children of `pid` that are zombies.
fn zombie_children(pid: u32) -> Vec<u32> {
    children_of(pid)
        .into_iter()
        .filter(|c| {
            let stat = fs::read_to_string(format!("/proc/{c}/stat")).unwrap_or_default();
            stat.rsplit(')')
                .next()
                .and_then(|r| r.split_whitespace().next())
                == Some("Z")
        })
        .collect()
}

/// The outer pid of the namespace's PID 1: unshare's only child.
fn init_of(unshare: u32) -> Option<u32> {
    let child = *children_of(unshare).first()?;
    (name_of(child) == "svscan").then_some(child)
}

//= spec/svscan.md#scan-9
#[test]
fn as_pid_1_of_a_pid_namespace_it_reaps_orphans_and_stops_cleanly() {
    if let Err(reason) = namespaces_work() {
        eprintln!("skipped: {reason}");
        return;
    }
    let dir = tree(true);
    let mut command = Command::new("unshare");
    command
        .args(["--pid", "--fork", "--kill-child"])
        .arg(Side::Ours.program("svscan"))
        .current_dir(dir.path())
        .env("PATH", path_with_ours())
        .env("SVSCAN_STOP", "30")
        .stdin(Stdio::null());
    let group = Group::spawn(&mut command).expect("start unshare");
    let init = wait::until_or_panic("svscan as PID 1", || init_of(group.pid()));
    await_logged(dir.path(), 3);
    // The orphaner's orphan is handed to svscan (its parent is PID 1 now);
    // when it ends it must be reaped, not left a zombie.
    let orphan = wait::until_or_panic("an orphan adopted by svscan", || {
        children_of(init)
            .into_iter()
            .find(|&c| name_of(c) == "sleep")
    });
    wait::until_or_panic("the orphan reaped", || {
        (!fs::exists(format!("/proc/{orphan}")).unwrap_or(true)).then_some(())
    });
    assert!(zombie_children(init).is_empty());
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(init).expect("pid")),
        Signal::SIGTERM,
    )
    .expect("SIGTERM to PID 1");
    assert_eq!(exit_code(group), Some(0));
    assert_log_complete(dir.path());
    assert_stopped_by_request(dir.path());
}
