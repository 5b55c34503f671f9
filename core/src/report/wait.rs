//! svwait's rule: whether the services are where they were asked to be,
//! whether to give up, and when to look again.
//!
//! The driver's loop (`bins/src/bin/svwait.rs` with `dt_os::monitor`):
//! 1. watch every directory and its `supervise/` (before looking, so that
//!    no change after a look can go unnoticed);
//! 2. look at every directory ([`super::observe`]) and ask
//!    [`Waiter::decide`]; stop on anything but [`Decision::Wait`];
//! 3. block until a file-system change is reported or `until` passes;
//!    drop the changes [`worth_a_look`] says nothing of, then go to 1 (with
//!    `changed` true if some change was worth a look).

use super::observe::{Outcome, Report, Step};
use super::options::{Goal, Svwait};
use crate::{Errno, Mono, Now};
use tai64::Tai64N;

/// svwait's exit code when the timeout passes first (s6-svwait's too).
//= spec/svwait.md#wait-4
pub const EXIT_TIMED_OUT: i32 = 99;

/// A look shortly after a change: the kernel reports a closed file before
/// it has finished closing it (a pipe's reader count, a lock), so the look
/// right after the event may still see the old state.
pub const SETTLE_NANOS: u64 = 100_000_000;

/// The longest svwait goes without looking, whatever it was told: a safety
/// net for changes the watches cannot see (a symlinked service directory
/// retargeted, file systems without change notification).
pub const FALLBACK_NANOS: u64 = 5 * Mono::SECOND;

/// How one directory stands against the goal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// It is there.
    Reached,
    /// Not yet; if `in_nanos` is set, it will be by then unless something
    /// changes (an `-U` service that has been up for a while already).
    NotYet {
        /// How long until time alone brings it there.
        in_nanos: Option<u64>,
    },
    /// A failure that waiting will not cure.
    Failed {
        /// Where the look stopped.
        step: Step,
        /// Why.
        errno: Errno,
    },
}

/// Nanoseconds from `since` to `now`, 0 if `since` is later.
fn elapsed_nanos(since: Tai64N, now: Tai64N) -> u128 {
    let nanos = |t: Tai64N| i128::from(t.0 .0) * 1_000_000_000 + i128::from(t.1);
    u128::try_from(nanos(now) - nanos(since)).unwrap_or(0)
}

/// Where the directory of `report` stands against `goal`, `wall` being the
/// wall clock when the look was made.
//= spec/svwait.md#wait-2
//= spec/svwait.md#wait-3
pub fn standing(goal: Goal, report: &Report, wall: Tai64N) -> Standing {
    let not_yet = Standing::NotYet { in_nanos: None };
    let record = match report.outcome {
        Outcome::Status(record) => record,
        // No supervise: "not running" or "never ran here".
        Outcome::NotRunning
        | Outcome::Failed {
            step: Step::OpenOk,
            errno: Some(Errno::ENOENT),
        } => {
            return if goal == Goal::Gone {
                Standing::Reached
            } else {
                not_yet
            };
        }
        // A supervise runs but its first record is not there yet, or
        // (written in place by some other supervise) is half written.
        Outcome::Failed {
            step: Step::OpenStatus,
            errno: Some(Errno::ENOENT),
        }
        | Outcome::Failed {
            step: Step::ReadStatus,
            errno: None,
        } => return not_yet,
        Outcome::Failed { step, errno } => {
            return match (goal, step) {
                (Goal::Gone, Step::OpenStatus | Step::ReadStatus) => not_yet,
                _ => Standing::Failed {
                    step,
                    errno: errno.unwrap_or(Errno(0)),
                },
            };
        }
    };
    let up = record.pid != 0;
    match goal {
        Goal::Up if up => Standing::Reached,
        //= spec/extensions.md#ext-12
        Goal::Ready if up => {
            match report
                .extra
                .and_then(|extra| extra.readiness_of(record.pid))
            {
                Some(None) => not_yet,
                Some(Some(_)) | None => Standing::Reached,
            }
        }
        Goal::Down if !up => Standing::Reached,
        Goal::UpFor(secs) if up => {
            let needed = u128::from(secs) * 1_000_000_000;
            let elapsed = elapsed_nanos(record.stamp, wall);
            if elapsed >= needed {
                Standing::Reached
            } else {
                Standing::NotYet {
                    in_nanos: Some(u64::try_from(needed - elapsed).unwrap_or(u64::MAX)),
                }
            }
        }
        _ => not_yet,
    }
}

/// What to do after a look at every directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Every directory (with `-o`: one) is where it was asked to be: exit 0.
    Reached,
    /// Block until a change or `until`, then look again.
    Wait {
        /// When to look again even if nothing changes.
        until: Mono,
    },
    /// The timeout passed: exit 99. `dir` is the position (among the
    /// directories) of the first one that is not there.
    TimedOut {
        /// Which directory.
        dir: usize,
    },
    /// Looking at directory `dir` failed in a way waiting will not cure:
    /// exit 111.
    Failed {
        /// Which directory.
        dir: usize,
        /// Where the look stopped.
        step: Step,
        /// Why.
        errno: Errno,
    },
}

/// svwait's state: the goal and the moment it gives up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiter {
    goal: Goal,
    any: bool,
    deadline: Option<Mono>,
}

impl Waiter {
    /// Start waiting as `options` say, at `now`.
    //= spec/svwait.md#wait-4
    pub fn new(options: &Svwait, now: Now) -> Self {
        Waiter {
            goal: options.goal,
            any: options.any,
            deadline: options.timeout_secs.map(|secs| now.mono.after_secs(secs)),
        }
    }

    /// When svwait gives up, if ever. Constant.
    pub fn deadline(&self) -> Option<Mono> {
        self.deadline
    }

    /// Decide from one look at every directory (`reports`, in the order of
    /// the arguments) made at `now`; `changed` says that the look was
    /// prompted by a change worth a look. Reaching the goal wins over the
    /// timeout, and a failure wins over waiting.
    //= spec/svwait.md#wait-3
    //= spec/svwait.md#wait-4
    //= spec/svwait.md#wait-5
    pub fn decide(&self, reports: &[Report], now: Now, changed: bool) -> Decision {
        let standings: Vec<Standing> = reports
            .iter()
            .map(|r| standing(self.goal, r, now.wall))
            .collect();
        let reached = |s: &Standing| *s == Standing::Reached;
        let done = if self.any {
            standings.iter().any(reached)
        } else {
            standings.iter().all(reached)
        };
        if done {
            return Decision::Reached;
        }
        for (dir, standing) in standings.iter().enumerate() {
            if let Standing::Failed { step, errno } = *standing {
                return Decision::Failed { dir, step, errno };
            }
        }
        let first_not_there = standings.iter().position(|s| !reached(s)).unwrap_or(0);
        if self.deadline.is_some_and(|deadline| now.mono >= deadline) {
            return Decision::TimedOut {
                dir: first_not_there,
            };
        }
        let mut until = now.mono.after_nanos(FALLBACK_NANOS);
        if changed {
            until = until.min(now.mono.after_nanos(SETTLE_NANOS));
        }
        for standing in &standings {
            if let Standing::NotYet {
                in_nanos: Some(nanos),
            } = *standing
            {
                until = until.min(now.mono.after_nanos(nanos));
            }
        }
        if let Some(deadline) = self.deadline {
            until = until.min(deadline);
        }
        Decision::Wait { until }
    }
}

/// Where a watched change happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Place {
    /// In a service directory.
    Service,
    /// In a service directory's `supervise/`.
    Supervise,
}

/// What happened to a name in a watched directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Change {
    /// It was created (`IN_CREATE`).
    Created,
    /// Something was renamed to it (`IN_MOVED_TO`).
    MovedIn,
    /// A descriptor open for writing was closed (`IN_CLOSE_WRITE`).
    ClosedWrite,
    /// A descriptor open read-only was closed (`IN_CLOSE_NOWRITE`).
    ClosedRead,
    /// It was removed or renamed away (`IN_DELETE`, `IN_MOVED_FROM`).
    Removed,
    /// The watched directory itself went away or the watch ended.
    WatchGone,
    /// The kernel's queue overflowed: changes were lost.
    Overflow,
}

/// Whether a change can move a service towards or away from any goal, so
/// that svwait should look again. The changes svwait's own looks cause
/// (opening `supervise/ok` for writing, reading `supervise/status`) are not.
//= spec/svwait.md#wait-6
pub fn worth_a_look(place: Place, name: &[u8], change: Change) -> bool {
    use Change::*;
    matches!(
        (place, name, change),
        (_, _, WatchGone | Overflow)
            | (Place::Service, b"supervise", Created | MovedIn)
            | (
                Place::Supervise,
                b"status",
                Created | MovedIn | ClosedWrite | Removed
            )
            | (Place::Supervise, b"lock", Created | ClosedWrite | Removed)
            | (Place::Supervise, b"ok", Created | ClosedRead | Removed)
    )
}
