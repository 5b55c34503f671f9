//! Named examples and transcript snapshots of the supervise machine, with a
//! fake clock (milliseconds after both origins) and a fake driver that
//! answers every `Spawn` at once.
#![allow(clippy::unwrap_used)]

mod ext;

use super::*;
use crate::label;

use crate::{Errno, Mono, Now};
use std::collections::VecDeque;
use std::fmt::Write as _;

/// `ms` milliseconds after both origins (wall clock from Unix time 0).
fn at(ms: u64) -> Now {
    Now {
        mono: Mono(ms * 1_000_000),
        wall: label::from_unix(
            i64::try_from(ms / 1000).unwrap(),
            (ms % 1000) as u32 * 1_000_000,
        ),
    }
}

fn ctl(command: Command) -> Event {
    Event::Control(command)
}

fn exited(pid: i32) -> Event {
    Event::ChildExited {
        pid: Pid(pid),
        status: ExitKind::Exited(0),
    }
}

fn up() -> Config {
    Config { down_file: false }
}

fn down() -> Config {
    Config { down_file: true }
}

/// The status record the machine should have written.
fn record(ms: u64, pid: u32, paused: bool, want: Want) -> StatusRecord {
    StatusRecord {
        stamp: at(ms).wall,
        pid,
        paused,
        want,
    }
}

/// A fake driver: answers `Spawn` at once from a script of fork results
/// (fresh pids from 100 once the script is empty) and keeps a transcript.
struct Sim {
    sv: Supervise,
    forks: VecDeque<Result<i32, Errno>>,
    next_pid: i32,
    log: String,
}

impl Sim {
    fn new(cfg: Config) -> (Sim, Vec<Action>) {
        let (sv, first) = Supervise::new(cfg, at(0));
        let mut sim = Sim {
            sv,
            forks: VecDeque::new(),
            next_pid: 100,
            log: String::new(),
        };
        sim.note(0, "new", &first);
        (sim, first)
    }

    /// New, then `Started` at time 0.
    fn started(cfg: Config) -> Sim {
        let (mut sim, _) = Sim::new(cfg);
        sim.send(0, Event::Started);
        sim
    }

    /// Send one event at `ms`, answering spawns; every action, in order.
    fn send(&mut self, ms: u64, event: Event) -> Vec<Action> {
        let mut all = Vec::new();
        let mut next = Some(event);
        while let Some(event) = next.take() {
            let actions = self.sv.handle(at(ms), event);
            self.note(ms, &show_event(&event), &actions);
            for action in &actions {
                if *action == Action::Spawn {
                    next = Some(match self.forks.pop_front() {
                        Some(Err(errno)) => Event::SpawnFailed { errno },
                        Some(Ok(pid)) => Event::SpawnSucceeded { pid: Pid(pid) },
                        None => {
                            self.next_pid += 1;
                            Event::SpawnSucceeded {
                                pid: Pid(self.next_pid - 1),
                            }
                        }
                    });
                }
            }
            all.extend(actions);
        }
        all
    }

    /// A `Tick` at the machine's deadline; the time it was sent.
    fn tick(&mut self) -> u64 {
        let deadline = self.sv.next_deadline().expect("a deadline to tick at");
        let ms = deadline.0 / 1_000_000;
        self.send(ms, Event::Tick);
        ms
    }

    fn note(&mut self, ms: u64, what: &str, actions: &[Action]) {
        let shown: Vec<String> = actions.iter().map(show_action).collect();
        let deadline = match self.sv.next_deadline() {
            Some(d) => format!("  [quiet until {}]", secs(d.0 / 1_000_000)),
            None => String::new(),
        };
        let _ = writeln!(
            self.log,
            "{:>7} {what:<18} -> {}{deadline}",
            secs(ms),
            if shown.is_empty() {
                "-".to_owned()
            } else {
                shown.join("; ")
            }
        );
    }
}

fn secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn show_event(event: &Event) -> String {
    match event {
        Event::Started => "started".to_owned(),
        Event::SpawnSucceeded { pid } => format!("forked {}", pid.0),
        Event::SpawnFailed { errno } => format!("fork failed {}", errno.0),
        Event::ChildExited { pid, .. } => format!("exited {}", pid.0),
        Event::Control(c) => format!("control {}", c.byte() as char),
        Event::Configured { .. } => "configured".to_owned(),
        Event::Ready { pid } => format!("ready {}", pid.0),
        Event::Watchdog { pid } => format!("watchdog {}", pid.0),
        Event::StatusText { pid, text } => {
            format!(
                "status {} {}",
                pid.0,
                String::from_utf8_lossy(text.as_bytes())
            )
        }
        Event::Tick => "tick".to_owned(),
    }
}

fn show_action(action: &Action) -> String {
    match action {
        Action::Spawn => "spawn".to_owned(),
        Action::Signal { pid, sig } => format!("kill {sig:?} {}", pid.0),
        Action::WriteStatus(r) => show_record(r),
        Action::WarnForkFailed { errno } => format!("warn fork failed {}", errno.0),
        Action::Exit(code) => format!("exit {code}"),
    }
}

fn show_record(r: &StatusRecord) -> String {
    let since_ms = (r.stamp.0 .0 - label::UNIX_EPOCH_TAI) * 1000 + u64::from(r.stamp.1) / 1_000_000;
    let want = match r.want {
        Want::Up => "u",
        Want::Down => "d",
        Want::Neither => "0",
    };
    format!(
        "status(pid {} paused {} want {want} since {})",
        r.pid,
        u8::from(r.paused),
        secs(since_ms)
    )
}

fn statuses(actions: &[Action]) -> Vec<StatusRecord> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::WriteStatus(r) => Some(*r),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------- start-up

//= spec/supervise.md#sup-1
#[test]
fn new_writes_pid_0_and_want_up() {
    let (sv, first) = Supervise::new(up(), at(5));
    assert_eq!(
        first,
        vec![Action::WriteStatus(record(5, 0, false, Want::Up))]
    );
    assert_eq!(sv.status(), record(5, 0, false, Want::Up));
    assert_eq!(sv.next_deadline(), None);
}

//= spec/supervise.md#sup-1
#[test]
fn new_with_down_file_writes_want_down() {
    let (_, first) = Supervise::new(down(), at(0));
    assert_eq!(
        first,
        vec![Action::WriteStatus(record(0, 0, false, Want::Down))]
    );
}

//= spec/supervise.md#sup-2
//= spec/supervise.md#sup-3
#[test]
fn started_without_down_file_spawns_run() {
    let (mut sim, _) = Sim::new(up());
    assert_eq!(sim.sv.handle(at(0), Event::Started), vec![Action::Spawn]);
}

//= spec/supervise.md#sup-2
#[test]
fn started_with_down_file_stays_down_and_writes_status_again() {
    let (mut sim, _) = Sim::new(down());
    let actions = sim.send(0, Event::Started);
    assert_eq!(
        actions,
        vec![Action::WriteStatus(record(0, 0, false, Want::Down))]
    );
    assert_eq!(sim.sv.next_deadline(), None);
}

//= spec/supervise.md#sup-2
#[test]
fn first_quiet_period_ends_with_a_status_write() {
    let mut sim = Sim::started(up());
    let actions = sim.send(1000, Event::Tick);
    assert_eq!(
        actions,
        vec![Action::WriteStatus(record(0, 100, false, Want::Up))]
    );
    assert!(
        sim.send(1000, Event::Tick).is_empty(),
        "a second tick is a no-op"
    );
}

//= spec/supervise.md#sup-20
#[test]
fn second_started_is_ignored() {
    let mut sim = Sim::started(down());
    assert!(sim.send(3000, Event::Started).is_empty());
}

// --------------------------------------------------------- spawn and quiet

//= spec/supervise.md#sup-4
#[test]
fn fork_clears_pause_and_records_the_pid_change() {
    let mut sim = Sim::started(down());
    sim.send(1000, ctl(Command::Pause));
    let actions = sim.send(2000, ctl(Command::Up));
    assert_eq!(
        actions,
        vec![
            Action::WriteStatus(record(0, 0, false, Want::Up)),
            Action::Spawn,
            Action::WriteStatus(record(2000, 100, false, Want::Up)),
        ]
    );
}

//= spec/supervise.md#sup-5
#[test]
fn the_quiet_period_lasts_one_second() {
    let mut sim = Sim::started(up());
    assert_eq!(sim.sv.next_deadline(), Some(Mono::from_secs(1)));
    assert!(sim.send(999, ctl(Command::Down)).is_empty(), "deferred");
    assert!(
        sim.send(999, Event::Tick).is_empty(),
        "early tick is a no-op"
    );
    assert_eq!(sim.sv.status().want, Want::Up);
    let actions = sim.send(1000, Event::Tick);
    assert_eq!(
        actions,
        vec![
            Action::WriteStatus(record(0, 100, false, Want::Up)),
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Term
            },
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Cont
            },
            Action::WriteStatus(record(0, 100, false, Want::Down)),
        ]
    );
    assert_eq!(sim.sv.next_deadline(), None);
}

//= spec/supervise.md#sup-5
//= spec/supervise.md#sup-16
#[test]
fn crash_within_1s_waits_before_restart() {
    let mut sim = Sim::started(up());
    assert!(sim.send(200, exited(100)).is_empty());
    assert_eq!(sim.sv.status().pid, 100, "not reaped while quiet");
    let actions = sim.send(1000, Event::Tick);
    assert_eq!(
        actions,
        vec![
            Action::WriteStatus(record(0, 100, false, Want::Up)),
            Action::WriteStatus(record(1000, 0, false, Want::Up)),
            Action::Spawn,
            Action::WriteStatus(record(1000, 101, false, Want::Up)),
        ]
    );
    assert_eq!(sim.sv.next_deadline(), Some(Mono::from_secs(2)));
}

//= spec/supervise.md#sup-6
#[test]
fn d_during_quiet_period_allows_one_more_restart() {
    let mut sim = Sim::started(down());
    sim.send(0, ctl(Command::Up));
    sim.send(200, exited(100));
    sim.send(300, ctl(Command::Down));
    let actions = sim.send(1000, Event::Tick);
    assert_eq!(
        actions,
        vec![
            Action::WriteStatus(record(1000, 0, false, Want::Up)),
            Action::Spawn,
            Action::WriteStatus(record(1000, 101, false, Want::Up)),
        ]
    );
    let actions = sim.send(2000, Event::Tick);
    assert_eq!(
        actions,
        vec![
            Action::Signal {
                pid: Pid(101),
                sig: Sig::Term
            },
            Action::Signal {
                pid: Pid(101),
                sig: Sig::Cont
            },
            Action::WriteStatus(record(1000, 101, false, Want::Down)),
        ]
    );
    let actions = sim.send(2100, exited(101));
    assert_eq!(
        actions,
        vec![Action::WriteStatus(record(2100, 0, false, Want::Down))]
    );
}

//= spec/supervise.md#sup-6
#[test]
fn after_a_restart_from_reaping_a_control_byte_comes_before_the_next_reap() {
    // The restarted service also dies inside its quiet period, with a `d`
    // queued: 0.76 handles the `d` (signalling the unreaped pid) and then
    // reaps without restarting.
    let mut sim = Sim::started(up());
    sim.send(100, exited(100));
    sim.send(200, ctl(Command::Down));
    sim.send(1000, Event::Tick); // reap 100, start 101
    sim.send(1100, exited(101));
    let actions = sim.send(2000, Event::Tick);
    assert_eq!(
        actions,
        vec![
            Action::Signal {
                pid: Pid(101),
                sig: Sig::Term
            },
            Action::Signal {
                pid: Pid(101),
                sig: Sig::Cont
            },
            Action::WriteStatus(record(1000, 101, false, Want::Down)),
            Action::WriteStatus(record(2000, 0, false, Want::Down)),
        ]
    );
    assert_eq!(sim.sv.next_deadline(), None);
}

//= spec/supervise.md#sup-6
#[test]
fn queued_bytes_are_handled_in_order_one_per_turn() {
    let mut sim = Sim::started(up());
    sim.send(100, ctl(Command::Pause));
    sim.send(100, ctl(Command::Hangup));
    sim.send(100, ctl(Command::Continue));
    let actions = sim.send(1000, Event::Tick);
    assert_eq!(
        actions,
        vec![
            Action::WriteStatus(record(0, 100, false, Want::Up)),
            Action::WriteStatus(record(0, 100, true, Want::Up)),
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Stop
            },
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Hup
            },
            Action::WriteStatus(record(0, 100, false, Want::Up)),
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Cont
            },
        ]
    );
}

//= spec/supervise.md#sup-6
#[test]
fn an_event_after_the_deadline_ends_the_quiet_period_without_a_tick() {
    let mut sim = Sim::started(up());
    sim.send(500, ctl(Command::Alarm));
    let actions = sim.send(1500, ctl(Command::Term));
    assert_eq!(
        actions,
        vec![
            Action::WriteStatus(record(0, 100, false, Want::Up)),
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Alrm
            },
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Term
            },
        ]
    );
}

//= spec/supervise.md#sup-6
#[test]
fn a_late_tick_uses_the_time_it_arrives() {
    let mut sim = Sim::started(up());
    sim.send(300, exited(100));
    let actions = sim.send(4000, Event::Tick);
    assert_eq!(statuses(&actions)[1], record(4000, 0, false, Want::Up));
    assert_eq!(sim.sv.next_deadline(), Some(Mono::from_secs(5)));
}

// ------------------------------------------------------------ fork failure

//= spec/supervise.md#sup-7
#[test]
fn fork_failure_warns_and_is_quiet_for_60_seconds_then_stays_down() {
    let (mut sim, _) = Sim::new(up());
    sim.forks.push_back(Err(Errno::EAGAIN));
    let actions = sim.send(0, Event::Started);
    assert_eq!(
        actions,
        vec![
            Action::Spawn,
            Action::WarnForkFailed {
                errno: Errno::EAGAIN
            }
        ]
    );
    assert_eq!(sim.sv.next_deadline(), Some(Mono::from_secs(60)));
    assert!(sim.send(30_000, ctl(Command::Hangup)).is_empty());
    let actions = sim.send(60_000, Event::Tick);
    assert_eq!(
        actions,
        vec![Action::WriteStatus(record(0, 0, false, Want::Up))]
    );
    assert_eq!(sim.sv.next_deadline(), None, "no automatic retry");
    assert_eq!(sim.send(600_000, Event::Tick), vec![]);
    let actions = sim.send(600_000, ctl(Command::Up));
    assert!(actions.contains(&Action::Spawn));
}

//= spec/supervise.md#sup-20
#[test]
fn a_non_positive_pid_is_a_failed_fork() {
    let (mut sim, _) = Sim::new(up());
    sim.forks.push_back(Ok(0));
    let actions = sim.send(0, Event::Started);
    assert_eq!(
        actions,
        vec![
            Action::Spawn,
            Action::WarnForkFailed {
                errno: Errno::EINVAL
            }
        ]
    );
    assert_eq!(sim.sv.status().pid, 0);
}

// ----------------------------------------------------------- control bytes

//= spec/supervise.md#sup-8
#[test]
fn u_on_a_running_service_only_writes_status() {
    let mut sim = Sim::started(up());
    sim.tick();
    let actions = sim.send(2000, ctl(Command::Up));
    assert_eq!(
        actions,
        vec![Action::WriteStatus(record(0, 100, false, Want::Up))]
    );
}

//= spec/supervise.md#sup-9
//= spec/supervise.md#sup-19
#[test]
fn d_on_a_running_service_sends_term_then_cont_and_unpauses() {
    let mut sim = Sim::started(up());
    sim.tick();
    sim.send(1500, ctl(Command::Pause));
    let actions = sim.send(2000, ctl(Command::Down));
    assert_eq!(
        actions,
        vec![
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Term
            },
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Cont
            },
            Action::WriteStatus(record(0, 100, false, Want::Down)),
        ]
    );
    // No escalation, ever.
    assert_eq!(sim.sv.next_deadline(), None);
}

//= spec/supervise.md#sup-9
#[test]
fn d_on_a_stopped_service_only_writes_status() {
    let mut sim = Sim::started(down());
    let actions = sim.send(10, ctl(Command::Down));
    assert_eq!(
        actions,
        vec![Action::WriteStatus(record(0, 0, false, Want::Down))]
    );
}

//= spec/supervise.md#sup-10
#[test]
fn o_runs_once_and_is_not_restarted() {
    let mut sim = Sim::started(down());
    let actions = sim.send(10, ctl(Command::Once));
    assert_eq!(
        actions,
        vec![
            Action::WriteStatus(record(0, 0, false, Want::Neither)),
            Action::Spawn,
            Action::WriteStatus(record(10, 100, false, Want::Neither)),
        ]
    );
    sim.tick();
    let actions = sim.send(5000, exited(100));
    assert_eq!(
        actions,
        vec![Action::WriteStatus(record(5000, 0, false, Want::Neither))]
    );
}

//= spec/supervise.md#sup-11
#[test]
fn signal_bytes_signal_only_a_running_service_and_write_nothing() {
    let cases = [
        (Command::Alarm, Sig::Alrm),
        (Command::Hangup, Sig::Hup),
        (Command::Kill, Sig::Kill),
        (Command::Term, Sig::Term),
        (Command::Interrupt, Sig::Int),
    ];
    for (command, sig) in cases {
        let mut sim = Sim::started(up());
        sim.tick();
        assert_eq!(
            sim.send(2000, ctl(command)),
            vec![Action::Signal { pid: Pid(100), sig }]
        );
        let mut sim = Sim::started(down());
        assert_eq!(sim.send(2000, ctl(command)), vec![]);
    }
}

//= spec/supervise.md#sup-12
#[test]
fn p_while_down_sets_the_flag_but_status_shows_0() {
    let mut sim = Sim::started(down());
    let actions = sim.send(10, ctl(Command::Pause));
    assert_eq!(
        actions,
        vec![Action::WriteStatus(record(0, 0, false, Want::Down))]
    );
    // The next start clears it.
    let actions = sim.send(20, ctl(Command::Up));
    assert_eq!(statuses(&actions)[1], record(20, 100, false, Want::Up));
}

//= spec/supervise.md#sup-12
//= spec/supervise.md#sup-13
#[test]
fn p_and_c_stop_and_continue_a_running_service() {
    let mut sim = Sim::started(up());
    sim.tick();
    assert_eq!(
        sim.send(2000, ctl(Command::Pause)),
        vec![
            Action::WriteStatus(record(0, 100, true, Want::Up)),
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Stop
            },
        ]
    );
    assert_eq!(
        sim.send(3000, ctl(Command::Continue)),
        vec![
            Action::WriteStatus(record(0, 100, false, Want::Up)),
            Action::Signal {
                pid: Pid(100),
                sig: Sig::Cont
            },
        ]
    );
}

//= spec/supervise.md#sup-14
//= spec/supervise.md#sup-15
#[test]
fn x_while_down_exits_at_once_with_two_status_writes() {
    let mut sim = Sim::started(down());
    let actions = sim.send(10, ctl(Command::Exit));
    let last = record(0, 0, false, Want::Down);
    assert_eq!(
        actions,
        vec![
            Action::WriteStatus(last),
            Action::WriteStatus(last),
            Action::Exit(0)
        ]
    );
    assert!(sim.sv.has_exited());
    assert!(
        !Sim::started(down()).sv.has_exited(),
        "a running machine has not exited"
    );
    assert_eq!(sim.send(20, ctl(Command::Up)), vec![]);
    assert_eq!(sim.send(20, Event::Started), vec![]);
}

//= spec/supervise.md#sup-14
//= spec/supervise.md#sup-15
//= spec/supervise.md#sup-16
#[test]
fn x_while_up_waits_for_the_service_and_does_not_restart_it() {
    let mut sim = Sim::started(up());
    sim.tick();
    assert_eq!(
        sim.send(2000, ctl(Command::Exit)),
        vec![Action::WriteStatus(record(0, 100, false, Want::Up))]
    );
    let last = record(3000, 0, false, Want::Up);
    assert_eq!(
        sim.send(3000, exited(100)),
        vec![
            Action::WriteStatus(last),
            Action::WriteStatus(last),
            Action::Exit(0)
        ]
    );
}

//= spec/supervise.md#sup-16
//= spec/supervise.md#sup-20
#[test]
fn exits_of_other_pids_are_ignored() {
    let mut sim = Sim::started(up());
    assert!(sim.send(100, exited(55)).is_empty());
    sim.tick();
    assert!(sim.send(2000, exited(55)).is_empty());
    assert_eq!(sim.sv.status().pid, 100);
    // A duplicate report of the service's exit counts once.
    let first = sim.send(3000, exited(100));
    assert!(first.contains(&Action::Spawn));
    assert_eq!(sim.send(3500, exited(100)), vec![]);
}

//= spec/supervise.md#sup-20
#[test]
fn stray_spawn_answers_and_ticks_change_nothing() {
    let mut sim = Sim::started(down());
    let before = sim.sv.clone();
    assert!(sim
        .send(5, Event::SpawnSucceeded { pid: Pid(9) })
        .is_empty());
    assert!(sim
        .send(
            5,
            Event::SpawnFailed {
                errno: Errno::EAGAIN
            }
        )
        .is_empty());
    assert!(sim.send(5, Event::Tick).is_empty());
    assert_eq!(sim.sv, before);
}

//= spec/supervise.md#sup-6
#[test]
fn control_bytes_before_started_wait_in_the_fifo() {
    let (mut sim, _) = Sim::new(down());
    assert!(sim.send(0, ctl(Command::Once)).is_empty());
    let actions = sim.send(0, Event::Started);
    assert_eq!(
        actions,
        vec![
            Action::WriteStatus(record(0, 0, false, Want::Down)),
            Action::WriteStatus(record(0, 0, false, Want::Neither)),
            Action::Spawn,
            Action::WriteStatus(record(0, 100, false, Want::Neither)),
        ]
    );
}

//= spec/supervise.md#sup-17
//= spec/supervise.md#sup-18
#[test]
fn every_status_write_is_what_status_says() {
    let mut sim = Sim::started(up());
    let script = [
        (100, ctl(Command::Pause)),
        (1000, Event::Tick),
        (1200, ctl(Command::Once)),
        (1300, ctl(Command::Down)),
        (1400, exited(100)),
        (1500, ctl(Command::Up)),
        (2500, Event::Tick),
    ];
    for (ms, event) in script {
        let actions = sim.send(ms, event);
        if let Some(last) = statuses(&actions).last() {
            assert_eq!(*last, sim.sv.status());
        }
    }
}

//= spec/supervise.md#sup-18
#[test]
fn the_stamp_changes_only_with_the_pid() {
    let mut sim = Sim::started(up());
    sim.tick();
    let stamp = sim.sv.status().stamp;
    for (ms, command) in [
        (2000, Command::Pause),
        (3000, Command::Once),
        (4000, Command::Up),
        (5000, Command::Continue),
        (6000, Command::Down),
        (7000, Command::Exit),
    ] {
        sim.send(ms, ctl(command));
        assert_eq!(sim.sv.status().stamp, stamp);
    }
}

// ------------------------------------------------------------- transcripts

fn transcript(cfg: Config, script: &[(u64, Event)]) -> String {
    let (mut sim, _) = Sim::new(cfg);
    for (ms, event) in script {
        sim.send(*ms, *event);
    }
    sim.log
}

//= spec/supervise.md#sup-2
#[test]
fn transcript_startup_up() {
    insta::assert_snapshot!(transcript(
        up(),
        &[
            (0, Event::Started),
            (1000, Event::Tick),
            (1000, Event::Tick)
        ]
    ));
}

//= spec/supervise.md#sup-2
#[test]
fn transcript_startup_with_down_file() {
    insta::assert_snapshot!(transcript(
        down(),
        &[
            (0, Event::Started),
            (500, Event::Tick),
            (900, ctl(Command::Up))
        ]
    ));
}

//= spec/supervise.md#sup-5
//= spec/supervise.md#sup-16
#[test]
fn transcript_crash_loop() {
    insta::assert_snapshot!(transcript(
        up(),
        &[
            (0, Event::Started),
            (50, exited(100)),
            (1000, Event::Tick),
            (1020, exited(101)),
            (2000, Event::Tick),
            (2010, exited(102)),
            (3000, Event::Tick),
        ]
    ));
}

//= spec/supervise.md#sup-6
#[test]
fn transcript_d_during_quiet_period() {
    insta::assert_snapshot!(transcript(
        down(),
        &[
            (0, Event::Started),
            (0, ctl(Command::Up)),
            (200, exited(100)),
            (300, ctl(Command::Down)),
            (1000, Event::Tick),
            (2000, Event::Tick),
            (2100, exited(101)),
        ]
    ));
}

//= spec/supervise.md#sup-14
#[test]
fn transcript_x_while_up() {
    insta::assert_snapshot!(transcript(
        up(),
        &[
            (0, Event::Started),
            (1000, Event::Tick),
            (2000, ctl(Command::Exit)),
            (3000, ctl(Command::Term)),
            (3100, exited(100)),
            (3200, ctl(Command::Up)),
        ]
    ));
}

//= spec/supervise.md#sup-14
#[test]
fn transcript_x_while_down() {
    insta::assert_snapshot!(transcript(
        down(),
        &[(0, Event::Started), (100, ctl(Command::Exit))]
    ));
}

//= spec/supervise.md#sup-10
#[test]
fn transcript_o_then_exit() {
    insta::assert_snapshot!(transcript(
        down(),
        &[
            (0, Event::Started),
            (100, ctl(Command::Once)),
            (1100, Event::Tick),
            (4000, exited(100)),
            (5000, ctl(Command::Up)),
        ]
    ));
}

//= spec/supervise.md#sup-12
//= spec/supervise.md#sup-13
#[test]
fn transcript_pause_continue() {
    insta::assert_snapshot!(transcript(
        up(),
        &[
            (0, Event::Started),
            (1000, Event::Tick),
            (2000, ctl(Command::Pause)),
            (3000, ctl(Command::Continue)),
            (4000, ctl(Command::Pause)),
            (5000, ctl(Command::Down)),
            (5100, exited(100)),
            (6000, ctl(Command::Pause)),
            (7000, ctl(Command::Up)),
        ]
    ));
}

//= spec/supervise.md#sup-7
#[test]
fn transcript_fork_failure_and_60_seconds() {
    let (mut sim, _) = Sim::new(up());
    sim.forks.push_back(Err(Errno::EAGAIN));
    sim.forks.push_back(Err(Errno::ENOMEM));
    sim.send(0, Event::Started);
    sim.send(10_000, ctl(Command::Up));
    sim.send(59_999, Event::Tick);
    sim.send(60_000, Event::Tick);
    sim.send(120_000, Event::Tick);
    sim.send(125_000, ctl(Command::Hangup));
    sim.send(130_000, ctl(Command::Up));
    insta::assert_snapshot!(sim.log);
}

//= spec/supervise.md#sup-6
#[test]
fn transcript_unknown_timing_of_tick() {
    insta::assert_snapshot!(transcript(
        up(),
        &[
            (0, Event::Started),
            (400, Event::Tick),
            (600, exited(100)),
            (999, Event::Tick),
            (1700, ctl(Command::Hangup)),
            (1700, Event::Tick),
            (2100, Event::Tick),
            (2700, Event::Tick),
            (2800, Event::Tick),
        ]
    ));
}
