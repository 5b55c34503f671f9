//! The extended supervise machine (`SuperviseExt`, spec/extensions.md) fed
//! arbitrary event sequences with arbitrary extension files, in lockstep
//! with the extended reference model, the driver played by the target.

use crate::machines::{any_advance, any_exit, at_ms};
use arbitrary::Unstructured;
use dt_core::process::Pid;
use dt_core::supervise::{
    Backoff, Command, Config, Event, Extensions, Extra, GiveUp, Order, StatusText, SuperviseExt,
    Target,
};
use dt_core::Errno;
use dt_model::supervise::ModelSupervise;
use std::collections::BTreeSet;

/// The most events one input drives.
const MAX_STEPS: usize = 400;

/// Service pids are handed out from here up; smaller ones are strangers.
const FIRST_PID: i32 = 100;

/// Small seconds, or none.
fn secs(u: &mut Unstructured<'_>) -> Option<u32> {
    match u.int_in_range(0..=4u32).unwrap_or(0) {
        0 => None,
        n => Some(n),
    }
}

/// Extension files as `configure` can make them (small numbers, so that the
/// timers fire within an input).
fn any_extensions(u: &mut Unstructured<'_>) -> Extensions {
    let finish = u.arbitrary().unwrap_or(false);
    let notify = u.arbitrary().unwrap_or(false);
    let backoff = if u.arbitrary().unwrap_or(false) {
        let initial = u.int_in_range(1..=3u32).unwrap_or(1);
        let max = initial + u.int_in_range(0..=4u32).unwrap_or(0);
        let give_up = if u.arbitrary().unwrap_or(false) {
            Some(GiveUp {
                count: u.int_in_range(1..=3u32).unwrap_or(1),
                window: u.int_in_range(1..=20u32).unwrap_or(1),
            })
        } else {
            None
        };
        Some(Backoff {
            initial,
            max,
            reset: u.int_in_range(1..=5u32).unwrap_or(1),
            give_up,
        })
    } else {
        None
    };
    Extensions {
        timeout_kill: secs(u),
        stop_group: u.arbitrary().unwrap_or(false),
        finish,
        timeout_finish: secs(u).filter(|_| finish),
        backoff,
        notification_fd: if u.arbitrary().unwrap_or(false) {
            Some(3)
        } else {
            None
        },
        notify,
        watchdog: secs(u).filter(|_| notify),
    }
}

/// `SuperviseExt` and the extended `ModelSupervise` fed the same events at
/// the same times, with the same extension files (drawn first) and random
/// number: after every step the orders (once `ReadConfig` is answered at
/// once with `Configured`, as the driver does), the status record, the
/// deadline, whether it exited and the extension lines agree. The target
/// plays the driver: spawns answered at once with a fresh pid or a
/// failure, a child exits at most once, the notification events (`Ready`,
/// `StatusText`, `Watchdog`) from the service or from strangers at any
/// time.
///
/// Invariants checked on the machine's own orders: a spawn is the last
/// order, at most one per step, never while a child it started lives;
/// `Exit(0)` comes last, only after `x`, with no child alive; signals go
/// only to pids (or groups) handed out; `WriteExtra` is written only when
/// it changes and `extra()` is the last one written; the readiness and the
/// status text are only ever about the pid the status names; an early
/// `Tick` changes nothing.
//= spec/extensions.md#ext-1
//= spec/extensions.md#ext-7
//= spec/extensions.md#ext-11
//= spec/extensions.md#ext-13
//= spec/extensions.md#ext-14
pub fn supervise_ext_events(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let cfg = Config {
        down_file: u.arbitrary().unwrap_or(false),
    };
    let ext = any_extensions(&mut u);
    let random: u32 = u.arbitrary().unwrap_or(0);
    let (mut core, first) = SuperviseExt::new(cfg, at_ms(0));
    let (mut model, model_first) = ModelSupervise::with_extensions(cfg, ext, random, at_ms(0));
    assert_eq!(first, model_first, "orders of new");
    let mut now_ms = 0u64;
    let mut next_pid = FIRST_PID;
    let mut alive: BTreeSet<i32> = BTreeSet::new();
    let mut handed_out: BTreeSet<i32> = BTreeSet::new();
    let mut spawn_pending = false;
    let mut exit_sent = false;
    let mut extra = Extra::default();
    for _ in 0..MAX_STEPS {
        if u.is_empty() {
            break;
        }
        let (advance, event) = if spawn_pending {
            let event = if u.int_in_range(0..=7u8).unwrap_or(0) < 7 {
                next_pid += 1;
                Event::SpawnSucceeded { pid: Pid(next_pid) }
            } else {
                Event::SpawnFailed {
                    errno: Errno::EAGAIN,
                }
            };
            (u.int_in_range(0..=2u64).unwrap_or(0), event)
        } else {
            let advance = any_advance(&mut u, core.next_deadline(), now_ms);
            let children: Vec<i32> = alive.iter().copied().collect();
            let child = u.choose(&children).ok().copied();
            let service = alive.iter().next_back().copied().unwrap_or(1);
            let event = match u.int_in_range(0..=23u8).unwrap_or(0) {
                0..=7 => Event::Control(*u.choose(&Command::ALL).unwrap_or(&Command::Up)),
                8..=10 => Event::Tick,
                11..=14 => match child {
                    Some(pid) => Event::ChildExited {
                        pid: Pid(pid),
                        status: any_exit(&mut u),
                    },
                    None => Event::Tick,
                },
                15 => Event::ChildExited {
                    pid: Pid(u.int_in_range(1..=5).unwrap_or(1)),
                    status: any_exit(&mut u),
                },
                16 => Event::Started,
                17 | 18 => Event::Ready { pid: Pid(service) },
                19 | 20 => Event::Watchdog { pid: Pid(service) },
                21 => Event::StatusText {
                    pid: Pid(service),
                    text: StatusText::new(u.bytes(3).unwrap_or(b"")),
                },
                22 => Event::Ready {
                    pid: Pid(u.int_in_range(1..=5).unwrap_or(1)),
                },
                _ => Event::SpawnSucceeded {
                    pid: Pid(next_pid + 1),
                },
            };
            (advance, event)
        };
        now_ms = now_ms.saturating_add(advance);
        let now = at_ms(now_ms);
        let mut orders = core.handle(now, event);
        if orders.last() == Some(&Order::ReadConfig) {
            orders.pop();
            orders.extend(core.handle(now, Event::Configured { ext, random }));
        }
        let expected = model.step_ext(now, event);
        assert_eq!(orders, expected, "orders for {event:?} at {now_ms} ms");

        let answered = spawn_pending;
        spawn_pending = false;
        match event {
            Event::SpawnSucceeded { pid } if answered => {
                alive.insert(pid.0);
                handed_out.insert(pid.0);
            }
            Event::SpawnSucceeded { pid } => next_pid = next_pid.max(pid.0),
            Event::ChildExited { pid, .. } => {
                alive.remove(&pid.0);
            }
            Event::Control(Command::Exit) => exit_sent = true,
            _ => {}
        }
        for (i, order) in orders.iter().enumerate() {
            let last = i + 1 == orders.len();
            match *order {
                Order::ReadConfig => panic!("ReadConfig left unanswered: {orders:?}"),
                Order::SpawnRun { .. } | Order::SpawnFinish { .. } => {
                    assert!(last, "a spawn is not the last order: {orders:?}");
                    assert!(alive.is_empty(), "a spawn with {alive:?} alive");
                    spawn_pending = true;
                }
                Order::Exit(code) => {
                    assert_eq!(code, 0);
                    assert!(last && exit_sent && alive.is_empty(), "{orders:?}");
                }
                Order::Signal { target, .. } => {
                    let (Target::Pid(pid) | Target::Group(pid)) = target;
                    assert!(handed_out.contains(&pid.0), "signal to {target:?}");
                }
                Order::WriteExtra(written) => {
                    assert_ne!(written, extra, "extra written unchanged");
                    extra = written;
                }
                Order::WriteStatus(record) => {
                    assert!(!(record.paused && record.pid == 0), "paused with pid 0");
                }
                Order::WarnForkFailed { .. } | Order::WarnWatchdog { .. } => {}
            }
        }
        assert_eq!(core.status(), model.status(), "status");
        assert_eq!(core.next_deadline(), model.deadline(), "deadline");
        assert_eq!(core.has_exited(), model.gone(), "exited");
        assert_eq!(core.extra(), model.extra(), "extra");
        assert_eq!(core.extra(), extra, "extra differs from the last write");
        let pid = core.status().pid;
        let about = |p: Pid| u32::try_from(p.0).ok() == Some(pid);
        if let Some(ready) = extra.ready {
            assert!(about(ready.pid), "readiness of {ready:?} with pid {pid}");
        }
        if let Some(note) = extra.status {
            assert!(about(note.pid), "status text of {note:?} with pid {pid}");
        }
        if core.next_deadline().is_none_or(|d| d > now.mono) && !spawn_pending {
            let mut probe = core.clone();
            assert!(probe.handle(now, Event::Tick).is_empty());
            assert_eq!(probe, core, "an early Tick changed the machine");
        }
        if core.has_exited() {
            break;
        }
    }
}
