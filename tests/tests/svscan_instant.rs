//! svscan's opt-in instant rescan and service limit (spec/svscan.md
//! SCAN-10, SCAN-11): with `SVSCAN_INSTANT` a directory moved into the scan
//! directory is started without waiting for the five-second scan, and
//! SIGALRM asks for a scan instead of killing svscan; `SVSCAN_MAX_SERVICES`
//! replaces 0.76's limit of 1000.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};

use dt_tests::fixture::TempDir;
use dt_tests::process::{Collector, Group};
use dt_tests::{wait, Side, Signal};

/// A service directory `name` under `parent` whose run script waits.
fn service(parent: &Path, name: &str) {
    let run = parent.join(name).join("run");
    fs::create_dir_all(run.parent().expect("parent")).expect("mkdir");
    fs::write(&run, "#!/bin/sh\nexec sleep 100000\n").expect("write run");
    fs::set_permissions(&run, fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn svscan(dir: &Path, env: &[(&str, &str)]) -> Command {
    let ours = Side::Ours.bin_dir();
    let path = format!(
        "{}:{}",
        ours.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new(Side::Ours.program("svscan"));
    command
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("SVSCAN_STOP")
        .env_remove("SVSCAN_INSTANT")
        .env_remove("SVSCAN_MAX_SERVICES")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

/// When `name`'s supervise started `./run` (the TAI64N label of its
/// status file, in seconds), once it has.
fn started_at(dir: &Path, name: &str) -> f64 {
    let status = dir.join(name).join("supervise/status");
    wait::until_or_panic(&format!("{name} to run"), || {
        let bytes = fs::read(&status).ok()?;
        if bytes.len() != 18 || bytes[12..16] == [0, 0, 0, 0] {
            return None;
        }
        let secs = u64::from_be_bytes(bytes[0..8].try_into().ok()?) - (1u64 << 62);
        let nanos = u32::from_be_bytes(bytes[8..12].try_into().ok()?);
        Some(secs as f64 + f64::from(nanos) / 1e9)
    })
}

/// Prepare `name` outside the scan directory and move it in at once, as
/// admins are told to (no half-made service is ever seen).
fn move_in(dir: &Path, staging: &Path, name: &str) {
    service(staging, name);
    fs::rename(staging.join(name), dir.join(name)).expect("move the service in");
}

//= spec/svscan.md#scan-10
#[test]
fn a_service_moved_in_starts_before_the_next_five_second_scan() {
    let dir = TempDir::new("instant");
    let staging = TempDir::new("instant-staging");
    service(dir.path(), "first");
    let group = Group::spawn(&mut svscan(dir.path(), &[("SVSCAN_INSTANT", "")])).expect("svscan");
    // The first scan has ended (or nearly: its last fork is answered):
    // without the extension the next one is 5 seconds after this.
    let first = started_at(dir.path(), "first");
    move_in(dir.path(), staging.path(), "second");
    let second = started_at(dir.path(), "second");
    // Not a speed threshold: 5 seconds is the protocol's own period, the
    // earliest a scan without the extension could have found `second`.
    assert!(
        second - first < 5.0,
        "second started {:.3} s after first: found by the periodic scan",
        second - first
    );
    drop(group);
}

//= spec/svscan.md#scan-10
#[test]
fn sigalrm_asks_for_a_scan_and_does_not_kill_svscan() {
    let dir = TempDir::new("alarm");
    let staging = TempDir::new("alarm-staging");
    service(dir.path(), "first");
    let mut group =
        Group::spawn(&mut svscan(dir.path(), &[("SVSCAN_INSTANT", "1")])).expect("svscan");
    started_at(dir.path(), "first");
    group.signal(Signal::SIGALRM).expect("SIGALRM");
    move_in(dir.path(), staging.path(), "second");
    started_at(dir.path(), "second");
    assert!(!group.has_exited(), "SIGALRM killed svscan");
    group.signal(Signal::SIGTERM).expect("SIGTERM");
    wait::until_or_panic("svscan to die", || group.has_exited().then_some(()));
    let status = group.reap().expect("reap");
    assert_eq!(status.signal(), Some(Signal::SIGTERM as i32), "{status:?}");
}

//= spec/svscan.md#scan-10
#[test]
fn without_the_variable_sigalrm_kills_svscan_as_in_0_76() {
    let dir = TempDir::new("alarm-076");
    service(dir.path(), "first");
    let mut group = Group::spawn(&mut svscan(dir.path(), &[])).expect("svscan");
    started_at(dir.path(), "first");
    group.signal(Signal::SIGALRM).expect("SIGALRM");
    wait::until_or_panic("svscan to die", || group.has_exited().then_some(()));
    let status = group.reap().expect("reap");
    assert_eq!(status.signal(), Some(Signal::SIGALRM as i32), "{status:?}");
}

//= spec/svscan.md#scan-11
#[test]
fn the_service_limit_comes_from_the_environment() {
    let dir = TempDir::new("limit");
    for name in ["a", "b", "c"] {
        service(dir.path(), name);
    }
    let mut group =
        Group::spawn(&mut svscan(dir.path(), &[("SVSCAN_MAX_SERVICES", "2")])).expect("svscan");
    let (_, _, stderr) = group.take_pipes();
    let stderr = Collector::start(stderr);
    let refused = wait::until_or_panic("the warning", || {
        stderr.with(|bytes| {
            let text = String::from_utf8_lossy(bytes);
            let line = text.lines().next()?.to_owned();
            text.contains('\n').then_some(line)
        })
    });
    let name = refused
        .strip_prefix("svscan: warning: unable to start ")
        .and_then(|rest| rest.strip_suffix(": running too many services"))
        .unwrap_or_else(|| panic!("unexpected line {refused:?}"))
        .to_owned();
    for other in ["a", "b", "c"].iter().filter(|n| **n != name) {
        started_at(dir.path(), other);
    }
    assert!(
        !dir.path().join(&name).join("supervise").exists(),
        "{name} was started"
    );
    drop(group);
}

//= spec/svscan.md#scan-11
#[test]
fn a_bad_service_limit_is_refused() {
    for bad in ["0", "", "ten", "1000001"] {
        let dir = TempDir::new("limit-bad");
        service(dir.path(), "a");
        let mut group =
            Group::spawn(&mut svscan(dir.path(), &[("SVSCAN_MAX_SERVICES", bad)])).expect("svscan");
        let (_, _, stderr) = group.take_pipes();
        let stderr = Collector::start(stderr);
        wait::until_or_panic("svscan to exit", || group.has_exited().then_some(()));
        assert_eq!(group.reap().expect("reap").code(), Some(100), "{bad:?}");
        wait::until_or_panic("stderr", || stderr.is_finished().then_some(()));
        assert_eq!(
            String::from_utf8_lossy(&stderr.contents()),
            "svscan: fatal: SVSCAN_MAX_SERVICES must be a number from 1 to 1000000\n",
            "{bad:?}"
        );
        assert!(!dir.path().join("a/supervise").exists(), "nothing started");
    }
}

/// The soft limit on open files of `pid`, from `/proc/<pid>/limits`.
fn open_files_soft_limit(pid: u32) -> String {
    let limits = fs::read_to_string(format!("/proc/{pid}/limits")).expect("read limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("a Max open files line");
    line.split_whitespace()
        .nth(3)
        .expect("soft limit")
        .to_owned()
}

/// 40 logged services need 80 pipe ends in svscan, more than a soft limit
/// of 64 descriptors allows: with a limit above 1000 svscan raises its own
/// soft limit so every pipe is made, and each supervise still gets 64.
//= spec/svscan.md#scan-11
#[test]
fn above_1000_svscan_raises_its_descriptor_limit_but_not_its_childrens() {
    let dir = TempDir::new("limit-fds");
    let names: Vec<String> = (0..40).map(|i| format!("s{i}")).collect();
    for name in &names {
        service(dir.path(), name);
        service(&dir.path().join(name), "log");
    }
    let svscan_path = Side::Ours.program("svscan");
    let plain = svscan(dir.path(), &[("SVSCAN_MAX_SERVICES", "1001")]);
    let mut command = {
        // The same environment, through a shell that lowers the soft limit.
        let mut shell = Command::new("/bin/sh");
        shell
            .arg("-c")
            .arg("ulimit -S -n 64 && exec \"$0\"")
            .arg(&svscan_path)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in plain.get_envs() {
            match value {
                Some(value) => shell.env(key, value),
                None => shell.env_remove(key),
            };
        }
        shell
    };
    let mut group = Group::spawn(&mut command).expect("svscan");
    let (_, _, stderr) = group.take_pipes();
    let stderr = Collector::start(stderr);
    for name in &names {
        started_at(dir.path(), name);
        started_at(&dir.path().join(name), "log");
    }
    let supervise = fs::read(dir.path().join("s0/supervise/status")).expect("status");
    // The status file names ./run's pid; its parent is the supervise.
    let run_pid = u32::from_le_bytes(supervise[12..16].try_into().expect("pid"));
    let stat = fs::read_to_string(format!("/proc/{run_pid}/stat")).expect("stat of run");
    let after_comm = &stat[stat.rfind(')').expect("comm") + 2..];
    let supervise_pid: u32 = after_comm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("ppid");
    assert_eq!(open_files_soft_limit(supervise_pid), "64");
    assert_eq!(open_files_soft_limit(run_pid), "64");
    assert_ne!(
        open_files_soft_limit(group.pid()),
        "64",
        "svscan's own limit"
    );
    stderr.with(|bytes| assert!(bytes.is_empty(), "{}", String::from_utf8_lossy(bytes)));
    drop(group);
}
