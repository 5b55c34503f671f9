//! Every event sequence of the supervise machine up to a bound, with the
//! invariants of `dt_model::explore` checked on every transition. Two bounds
//! keep the run short in debug builds: long sequences with at most one event
//! deferred per quiet period, and shorter ones with up to two.
//!
//= spec/supervise.md#sup-3
//= spec/supervise.md#sup-6
//= spec/supervise.md#sup-9
//= spec/supervise.md#sup-15
//= spec/supervise.md#sup-16
//= spec/supervise.md#sup-18

use dt_core::supervise::{Backoff, Extensions, GiveUp};
use dt_model::explore::{explore_extended, explore_supervise, Bound};

fn explore(bound: Bound, floor: usize) {
    let stats = match explore_supervise(bound) {
        Ok(stats) => stats,
        Err(violation) => panic!("{violation}"),
    };
    println!(
        "supervise exploration to depth {} with at most {} deferred: {} states, {} transitions",
        bound.depth, bound.deferred, stats.states, stats.transitions
    );
    assert_eq!(stats.depth, bound.depth, "the bound was reached");
    assert!(stats.states > floor, "too few states: {stats:?}");
}

#[test]
fn long_runs_with_one_deferred_event_keep_every_invariant() {
    explore(
        Bound {
            depth: 12,
            deferred: 1,
        },
        45_000,
    );
}

#[test]
fn runs_with_two_deferred_events_keep_every_invariant() {
    explore(
        Bound {
            depth: 9,
            deferred: 2,
        },
        650_000,
    );
}

/// The extended machine with no extension file keeps every 0.76 invariant.
//= spec/extensions.md#ext-1
#[test]
fn the_extended_machine_without_files_keeps_every_invariant() {
    explore_ext(
        Bound {
            depth: 11,
            deferred: 1,
        },
        Extensions::default(),
        20_000,
    );
}

/// With `timeout-kill`, a service told `d` is killed by the deadline unless
/// it is reaped or told `u`/`o` first, and nothing else changes.
//= spec/extensions.md#ext-3
#[test]
fn with_timeout_kill_a_wanted_down_service_is_killed_by_the_deadline() {
    explore_ext(
        Bound {
            depth: 11,
            deferred: 1,
        },
        Extensions {
            timeout_kill: Some(3),
            ..Extensions::default()
        },
        20_000,
    );
}

/// With `stop-group` (and `timeout-kill`), every signal goes to the
/// service's group, and a group SIGKILL promised after a `d` comes at the
/// deadline, before the next start, or before the exit, whichever is first.
//= spec/extensions.md#ext-3
//= spec/extensions.md#ext-4
#[test]
fn with_stop_group_signals_go_to_the_group_and_no_group_outlives_its_run() {
    explore_ext(
        Bound {
            depth: 11,
            deferred: 1,
        },
        Extensions {
            timeout_kill: Some(3),
            stop_group: true,
            ..Extensions::default()
        },
        20_000,
    );
}

/// With `finish` (and `timeout-finish`, `stop-group`), `./finish` runs
/// after every run, alone, killed by its deadline, and is reported in
/// the extension lines; nothing starts or exits while it runs.
//= spec/extensions.md#ext-5
//= spec/extensions.md#ext-6
//= spec/extensions.md#ext-7
#[test]
fn with_finish_it_runs_after_each_run_alone_and_bounded() {
    explore_ext(
        Bound {
            depth: 11,
            deferred: 1,
        },
        Extensions {
            finish: true,
            timeout_finish: Some(2),
            ..Extensions::default()
        },
        20_000,
    );
    explore_ext(
        Bound {
            depth: 10,
            deferred: 1,
        },
        Extensions {
            timeout_kill: Some(3),
            stop_group: true,
            finish: true,
            timeout_finish: None,
            backoff: None,
            notification_fd: None,
            notify: false,
            watchdog: None,
        },
        10_000,
    );
}

/// With `backoff` (and giving up), restarts wait for their delay, which
/// doubles up to `max`; nothing restarts early or after giving up unless
/// `u` or `o` asks.
//= spec/extensions.md#ext-9
//= spec/extensions.md#ext-10
#[test]
fn with_backoff_restarts_wait_and_delays_never_exceed_max() {
    explore_ext(
        Bound {
            depth: 13,
            deferred: 1,
        },
        Extensions {
            backoff: Some(Backoff {
                initial: 1,
                max: 2,
                reset: 3,
                give_up: Some(GiveUp {
                    count: 3,
                    window: 10,
                }),
            }),
            ..Extensions::default()
        },
        20_000,
    );
    explore_ext(
        Bound {
            depth: 11,
            deferred: 1,
        },
        Extensions {
            finish: true,
            timeout_finish: Some(2),
            backoff: Some(Backoff {
                initial: 2,
                max: 2,
                reset: 2,
                give_up: Some(GiveUp {
                    count: 1,
                    window: 5,
                }),
            }),
            ..Extensions::default()
        },
        10_000,
    );
}

/// With `notification-fd` (alone, and with `finish` and `stop-group`),
/// every start passes the descriptor, the extension lines say `not-ready`
/// before the pid is written and `ready` once the running service says so,
/// and nothing once it is reaped; a `Ready` from anyone else changes
/// nothing.
//= spec/extensions.md#ext-11
#[test]
fn with_notification_fd_readiness_is_reported_for_the_running_service_only() {
    explore_ext(
        Bound {
            depth: 11,
            deferred: 1,
        },
        Extensions {
            notification_fd: Some(3),
            ..Extensions::default()
        },
        20_000,
    );
    explore_ext(
        Bound {
            depth: 10,
            deferred: 1,
        },
        Extensions {
            notification_fd: Some(5),
            finish: true,
            stop_group: true,
            ..Extensions::default()
        },
        10_000,
    );
}

/// With `notify`, readiness as with `notification-fd`, and a status text
/// kept for the running service only, until its reap.
//= spec/extensions.md#ext-13
#[test]
fn with_notify_status_text_is_reported_for_the_running_service_only() {
    explore_ext(
        Bound {
            depth: 10,
            deferred: 1,
        },
        Extensions {
            notify: true,
            ..Extensions::default()
        },
        10_000,
    );
}

/// With `notify` and `watchdog` (and `timeout-kill`), a service that sends
/// no `WATCHDOG=1` for that long is stopped at that moment, never earlier,
/// and the SIGKILL promised follows by its own deadline.
//= spec/extensions.md#ext-14
#[test]
fn with_watchdog_a_silent_service_is_stopped_in_time() {
    explore_ext(
        Bound {
            depth: 11,
            deferred: 1,
        },
        Extensions {
            notify: true,
            watchdog: Some(2),
            ..Extensions::default()
        },
        10_000,
    );
    explore_ext(
        Bound {
            depth: 10,
            deferred: 1,
        },
        Extensions {
            notify: true,
            watchdog: Some(3),
            timeout_kill: Some(2),
            stop_group: true,
            ..Extensions::default()
        },
        10_000,
    );
    // A watchdog due as the quiet period ends, with `d` or `p` queued.
    explore_ext(
        Bound {
            depth: 10,
            deferred: 1,
        },
        Extensions {
            notify: true,
            watchdog: Some(1),
            timeout_kill: Some(1),
            ..Extensions::default()
        },
        10_000,
    );
}

fn explore_ext(bound: Bound, ext: Extensions, floor: usize) {
    let stats = match explore_extended(bound, ext) {
        Ok(stats) => stats,
        Err(violation) => panic!("{violation}"),
    };
    println!(
        "extended supervise ({ext:?}) to depth {} with at most {} deferred: {} states, {} transitions",
        bound.depth, bound.deferred, stats.states, stats.transitions
    );
    assert_eq!(stats.depth, bound.depth, "the bound was reached");
    assert!(stats.states > floor, "too few states: {stats:?}");
}
