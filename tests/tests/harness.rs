//! The harness itself: comparisons fail when they should, steps report
//! what they could not do, and no process outlives its scenario, even when
//! the test panics.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use dt_tests::tree::Tree;
use dt_tests::{
    wait, Condition, Deviation, Expect, Normaliser, Outcome, Pair, Scenario, Side, Signal, Status,
};

fn outcome(side: Side, status: Status, stdout: &[u8]) -> Outcome {
    Outcome {
        side,
        status,
        stdout: stdout.to_vec(),
        stderr: Vec::new(),
        tree: Tree::default(),
        interrupted: None,
        dir: PathBuf::from(match side {
            Side::Reference => "/tmp/ref",
            Side::Ours => "/tmp/ours",
        }),
        pid: 1,
        started: SystemTime::UNIX_EPOCH,
        finished: SystemTime::UNIX_EPOCH,
    }
}

fn pair(reference: Outcome, ours: Outcome) -> Pair {
    Pair::new(vec![Normaliser::temp_dir()], reference, ours)
}

fn panics(f: impl FnOnce()) -> bool {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err()
}

#[test]
fn same_outcomes_modulo_the_temp_dir_compare_equal() {
    let p = pair(
        outcome(Side::Reference, Status::Exited(0), b"in /tmp/ref\n"),
        outcome(Side::Ours, Status::Exited(0), b"in /tmp/ours\n"),
    );
    p.assert_same();
}

#[test]
fn different_outcomes_fail_with_a_diff() {
    let p = pair(
        outcome(Side::Reference, Status::Exited(0), b"a\nb\n"),
        outcome(Side::Ours, Status::Exited(0), b"a\nc\n"),
    );
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.assert_same()))
        .expect_err("must fail");
    let text = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("- ") && text.contains("+ "), "{text}");
    assert!(text.contains("first differs at byte 2"), "{text}");
}

#[test]
fn a_deviation_checks_both_sides_and_everything_it_does_not_state() {
    let crash = pair(
        outcome(Side::Reference, Status::Signaled(Signal::SIGSEGV), b""),
        outcome(Side::Ours, Status::Exited(0), b"@zz\n"),
    );
    let deviation = || {
        Deviation::new(
            "DEV-1",
            "test",
            Expect::killed_by(Signal::SIGSEGV).stdout(b""),
            Expect::exit(0).stdout(b"@zz\n"),
        )
    };
    crash.assert_deviation(deviation());
    // Ours does something else than stated.
    let wrong = pair(
        outcome(Side::Reference, Status::Signaled(Signal::SIGSEGV), b""),
        outcome(Side::Ours, Status::Exited(111), b"@zz\n"),
    );
    assert!(panics(|| wrong.assert_deviation(deviation())));
    // stdout differs but the deviation only states the status.
    let unstated = Deviation::new(
        "DEV-1",
        "test",
        Expect::killed_by(Signal::SIGSEGV),
        Expect::exit(0),
    );
    assert!(panics(|| crash.assert_deviation(unstated)));
    // One side states stdout, the other does not.
    let lopsided = Deviation::new(
        "DEV-1",
        "test",
        Expect::killed_by(Signal::SIGSEGV).stdout(b""),
        Expect::exit(0),
    );
    assert!(panics(|| crash.assert_deviation(lopsided)));
}

#[test]
fn a_condition_that_cannot_hold_any_more_stops_the_steps() {
    let outcome = Scenario::new("tai64n")
        .stdin(b"x\n")
        .close_stdin()
        .wait_for(Condition::stdout_contains(b"never printed"))
        .signal(Signal::SIGTERM)
        .run(Side::Reference);
    assert_eq!(outcome.status, Status::Exited(0));
    let reason = outcome.interrupted.unwrap_or_default();
    assert!(
        reason.starts_with("step 3 (wait until stdout contains"),
        "{reason}"
    );
    assert!(reason.ends_with("the program ended first"), "{reason}");
}

#[test]
fn a_program_that_does_not_end_is_killed_at_the_timeout() {
    // svscan on an empty directory runs forever.
    let outcome = Scenario::new("svscan")
        .timeout(Duration::from_millis(100))
        .run(Side::Reference);
    assert_eq!(outcome.status, Status::TimedOut);
}

/// svscan with one service whose `run` execs `sleep`: the scenario, and a
/// record of the sleeping service's pid once supervise has written it.
fn svscan_with_a_sleeping_service(service_pid: Arc<AtomicU32>) -> Scenario {
    Scenario::new("svscan")
        .dir("s", 0o755)
        .file("s/run", b"#!/bin/sh\nexec sleep 1000\n", 0o755)
        .wait_for(Condition::new("supervise has started s/run", move |o| {
            let pid = status_pid(&o.dir.join("s/supervise/status"));
            service_pid.store(pid, Ordering::SeqCst);
            pid != 0
        }))
}

/// The pid in a supervise status file (bytes 12..16, little-endian), or 0.
fn status_pid(path: &Path) -> u32 {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes
        .get(12..16)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

/// Wait until process `pid` is gone (or a zombie waiting for init).
fn assert_gone(pid: u32) {
    assert_ne!(pid, 0, "the service never started");
    wait::until_or_panic(
        &format!("process {pid} to die"),
        || match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => Some(()),
            Ok(stat) => {
                let state = stat
                    .rsplit_once(") ")
                    .and_then(|(_, rest)| rest.chars().next());
                (state == Some('Z')).then_some(())
            }
        },
    );
}

#[test]
fn the_whole_process_group_is_killed_after_the_run() {
    let service = Arc::new(AtomicU32::new(0));
    let outcome = svscan_with_a_sleeping_service(Arc::clone(&service))
        .signal(Signal::SIGKILL)
        .run(Side::Reference);
    assert_eq!(outcome.status, Status::Signaled(Signal::SIGKILL));
    assert_eq!(outcome.interrupted, None);
    assert_gone(service.load(Ordering::SeqCst));
}

#[test]
fn the_whole_process_group_is_killed_when_a_test_panics() {
    let service = Arc::new(AtomicU32::new(0));
    let recorded = Arc::clone(&service);
    let scenario = svscan_with_a_sleeping_service(Arc::clone(&service)).wait_for(Condition::new(
        "a panic in the middle of the scenario",
        move |_| {
            panic!(
                "test panics while pid {} runs",
                recorded.load(Ordering::SeqCst)
            )
        },
    ));
    assert!(panics(move || {
        scenario.run(Side::Reference);
    }));
    assert_gone(service.load(Ordering::SeqCst));
}
