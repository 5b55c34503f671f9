//! svwait, black-box, on services run by our supervise: it is started
//! before the change it waits for, and must end with the right code once
//! the change is made (and not before); the timeout ends it with 99. Waits
//! poll with a generous deadline; nothing asserts on how long anything took.

mod monitor;

use std::ffi::OsStr;
use std::path::Path;

use dt_tests::fixture::TempDir;
use monitor::{pid, ready_service, run, service, stamp, status, svc, tai_now, Running, Supervisor};

/// svwait with `args`, started in `cwd`.
fn start(args: &[&str], cwd: &Path) -> Running {
    let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    Running::start("svwait", &args, cwd)
}

/// `waiting` has not ended by itself: it is waiting.
fn still_waiting(waiting: &Running, what: &str) {
    assert!(!waiting.group.has_exited(), "svwait ended before {what}");
}

//= spec/svwait.md#wait-2
//= spec/svwait.md#wait-4
//= spec/svwait.md#wait-5
#[test]
fn waits_for_down_after_svc_d() {
    let tmp = TempDir::new("svwait-down");
    let s = tmp.path().join("s");
    service(&s, false);
    let sup = Supervisor::start(&s);
    sup.await_status("the service to start", |r| pid(r) != 0);
    let waiting = start(&["-d", "s"], tmp.path());
    still_waiting(&waiting, "svc -d");
    svc("-d", &s);
    let ran = waiting.finish();
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    assert!(ran.stdout.is_empty());
    let record = status(&s).expect("a record");
    assert_eq!(pid(&record), 0, "svwait -d ended while the service was up");
}

//= spec/svwait.md#wait-2
//= spec/svwait.md#wait-4
//= spec/svwait.md#wait-5
#[test]
fn waits_for_up_after_svc_u() {
    let tmp = TempDir::new("svwait-up");
    let s = tmp.path().join("s");
    service(&s, true);
    let sup = Supervisor::start(&s);
    sup.await_status("the first record", |r| pid(r) == 0);
    let waiting = start(&["-u", "-t", "600", "s"], tmp.path());
    still_waiting(&waiting, "svc -u");
    svc("-u", &s);
    let ran = waiting.finish();
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    assert_ne!(pid(&status(&s).expect("a record")), 0);
}

//= spec/svwait.md#wait-4
#[test]
fn the_timeout_ends_it_with_99() {
    let tmp = TempDir::new("svwait-timeout");
    let s = tmp.path().join("s");
    service(&s, true);
    let sup = Supervisor::start(&s);
    sup.await_status("the first record", |r| pid(r) == 0);
    let ran = run("svwait", &["-u", "-t", "1", "s"], tmp.path());
    assert_eq!(ran.code, Some(99));
    assert_eq!(ran.stderr, "svwait: fatal: timed out waiting for s\n");
    // -t 0 is one look; reaching the goal wins.
    let ran = run("svwait", &["-t0", "-d", "s"], tmp.path());
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    let ran = run("svwait", &["-t0", "s"], tmp.path());
    assert_eq!(ran.code, Some(99));
}

//= spec/svwait.md#wait-2
//= spec/svwait.md#wait-5
//= spec/svwait.md#wait-6
#[test]
fn waits_for_supervise_to_go_after_svc_dx() {
    let tmp = TempDir::new("svwait-gone");
    let s = tmp.path().join("s");
    service(&s, false);
    let sup = Supervisor::start(&s);
    sup.await_status("the service to start", |r| pid(r) != 0);
    let waiting = start(&["-x", "s"], tmp.path());
    still_waiting(&waiting, "svc -dx");
    svc("-dx", &s);
    let ran = waiting.finish();
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    assert_eq!(run("svok", &["s"], tmp.path()).code, Some(100));
    assert_eq!(sup.exit_code(), Some(0));
    // Never supervised at all: gone already.
    let never = tmp.path().join("never");
    service(&never, false);
    let ran = run("svwait", &["-x", "never"], tmp.path());
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
}

//= spec/svwait.md#wait-3
//= spec/svwait.md#wait-5
//= spec/svwait.md#wait-6
#[test]
fn waits_for_a_supervise_that_starts_later() {
    let tmp = TempDir::new("svwait-later");
    let s = tmp.path().join("s");
    service(&s, false);
    let waiting = start(&["s"], tmp.path());
    still_waiting(&waiting, "supervise started");
    let sup = Supervisor::start(&s);
    let ran = waiting.finish();
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    sup.await_status("the service up", |r| pid(r) != 0);
}

//= spec/svwait.md#wait-2
//= spec/svwait.md#wait-5
#[test]
fn up_for_seconds_waits_for_the_stamp_to_age() {
    let tmp = TempDir::new("svwait-upfor");
    let s = tmp.path().join("s");
    service(&s, false);
    let sup = Supervisor::start(&s);
    let record = sup.await_status("the service to start", |r| pid(r) != 0);
    let ran = run("svwait", &["-U", "2", "s"], tmp.path());
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    // It ended only once the record was 2 seconds old (whole TAI64 seconds
    // can only undercount: the stamp's nanoseconds are ignored here).
    assert_eq!(status(&s), Some(record), "the service did not restart");
    assert!(tai_now() >= stamp(&record).0 + 2);
}

//= spec/svwait.md#wait-1
#[test]
fn one_of_several_with_o_all_of_them_without() {
    let tmp = TempDir::new("svwait-any");
    let up = tmp.path().join("up");
    let down = tmp.path().join("down");
    service(&up, false);
    service(&down, true);
    let a = Supervisor::start(&up);
    let b = Supervisor::start(&down);
    a.await_status("up", |r| pid(r) != 0);
    b.await_status("down", |r| pid(r) == 0);
    let ran = run("svwait", &["-o", "down", "up"], tmp.path());
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    let ran = run("svwait", &["-a", "-t", "0", "up", "down"], tmp.path());
    assert_eq!(ran.code, Some(99));
    assert_eq!(ran.stderr, "svwait: fatal: timed out waiting for down\n");
}

//= spec/svwait.md#wait-1
//= spec/svwait.md#wait-3
//= spec/svwait.md#wait-7
#[test]
fn usage_and_fatal_errors() {
    let tmp = TempDir::new("svwait-usage");
    let usage =
        "svwait: usage: svwait [ -u | -r | -d | -U seconds | -x ] [ -a | -o ] [ -t seconds ] dir ...\n";
    for args in [&[][..], &["-d"], &["-t", "1.5", "s"], &["-U", "x", "s"]] {
        let ran = run("svwait", args, tmp.path());
        assert_eq!(
            (ran.code, ran.stderr.as_str()),
            (Some(100), usage),
            "{args:?}"
        );
    }
    let ran = run("svwait", &["-Z", "s"], tmp.path());
    assert_eq!(ran.code, Some(100));
    assert_eq!(ran.stderr, format!("svwait: illegal option -- Z\n{usage}"));
    let ran = run("svwait", &["missing"], tmp.path());
    assert_eq!(ran.code, Some(111));
    assert_eq!(
        ran.stderr,
        "svwait: fatal: unable to chdir to missing: file does not exist\n"
    );
}

/// `-r` waits until the service said it is ready (`notification-fd`), not
/// merely until it is up; a service without the file is ready once up.
//= spec/extensions.md#ext-12
//= spec/svwait.md#wait-6
#[test]
fn ready_waits_for_the_newline() {
    let tmp = TempDir::new("svwait-ready");
    let s = tmp.path().join("s");
    ready_service(&s);
    let sup = Supervisor::start(&s);
    let record = sup.await_status("the service to start", |r| pid(r) != 0);
    let ran = run("svwait", &["-r", "-t", "0", "s"], tmp.path());
    assert_eq!(ran.code, Some(99), "up but not ready yet");
    let waiting = start(&["-r", "s"], tmp.path());
    still_waiting(&waiting, "the service said it is ready");
    std::fs::write(tmp.path().join("ready"), "").expect("create ready");
    let ran = waiting.finish();
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
    // What the extensions say follows the record in the status file.
    let status = std::fs::read(s.join("supervise/status")).expect("status");
    let extra = String::from_utf8_lossy(&status[18..]);
    assert!(
        extra.starts_with(&format!("ready {} @", pid(&record))),
        "{extra:?}"
    );
    // Without notification-fd: as -u.
    let plain = tmp.path().join("plain");
    service(&plain, false);
    let other = Supervisor::start(&plain);
    other.await_status("the other service to start", |r| pid(r) != 0);
    let ran = run("svwait", &["-r", "-t", "0", "plain"], tmp.path());
    assert_eq!((ran.code, ran.stderr.as_str()), (Some(0), ""));
}
