//! The extended machine (`SuperviseExt`) with the opt-in files of
//! `spec/extensions.md`: named examples and transcript snapshots, with a fake
//! driver that answers `ReadConfig` with a fixed set of extensions and every
//! spawn at once.

use super::{at, ctl, exited, record, secs, show_record, up};
use crate::supervise::Extra;
use crate::supervise::*;
use crate::Errno;
use std::collections::VecDeque;
use std::fmt::Write as _;

/// A fake driver for the extended machine.
struct ExtSim {
    sv: SuperviseExt,
    /// What `ReadConfig` is answered with.
    ext: Extensions,
    random: u32,
    forks: VecDeque<Result<i32, Errno>>,
    next_pid: i32,
    log: String,
}

impl ExtSim {
    fn new(cfg: Config, ext: Extensions) -> ExtSim {
        let (sv, first) = SuperviseExt::new(cfg, at(0));
        let mut sim = ExtSim {
            sv,
            ext,
            random: 0,
            forks: VecDeque::new(),
            next_pid: 100,
            log: String::new(),
        };
        sim.note(0, "new", &first);
        sim
    }

    /// New, then `Started` at time 0.
    fn started(cfg: Config, ext: Extensions) -> ExtSim {
        let mut sim = ExtSim::new(cfg, ext);
        sim.send(0, Event::Started);
        sim
    }

    fn fork(&mut self) -> Event {
        match self.forks.pop_front() {
            Some(Err(errno)) => Event::SpawnFailed { errno },
            Some(Ok(pid)) => Event::SpawnSucceeded { pid: Pid(pid) },
            None => {
                self.next_pid += 1;
                Event::SpawnSucceeded {
                    pid: Pid(self.next_pid - 1),
                }
            }
        }
    }

    /// Send one event at `ms`, answering `ReadConfig` and spawns; every
    /// order, in order.
    fn send(&mut self, ms: u64, event: Event) -> Vec<Order> {
        let mut all = Vec::new();
        let mut next = Some(event);
        while let Some(event) = next.take() {
            let orders = self.sv.handle(at(ms), event);
            self.note(ms, &show_event(&event), &orders);
            for order in &orders {
                next = match order {
                    Order::ReadConfig => Some(Event::Configured {
                        ext: self.ext,
                        random: self.random,
                    }),
                    Order::SpawnRun { .. } | Order::SpawnFinish { .. } => Some(self.fork()),
                    _ => next,
                };
            }
            all.extend(orders);
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

    fn note(&mut self, ms: u64, what: &str, orders: &[Order]) {
        let shown: Vec<String> = orders.iter().map(show_order).collect();
        let deadline = match self.sv.next_deadline() {
            Some(d) => format!("  [deadline {}]", secs(d.0 / 1_000_000)),
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

fn show_event(event: &Event) -> String {
    match event {
        Event::Configured { .. } => "configured".to_owned(),
        other => super::show_event(other),
    }
}

fn show_order(order: &Order) -> String {
    match order {
        Order::ReadConfig => "read config".to_owned(),
        Order::SpawnRun {
            own_group,
            notification_fd,
            notify_socket,
            watchdog_secs,
        } => {
            let mut text = "spawn run".to_owned();
            if *own_group {
                text.push_str(" in own group");
            }
            if let Some(fd) = notification_fd {
                text.push_str(&format!(" with notification fd {fd}"));
            }
            if *notify_socket {
                text.push_str(" with notify socket");
            }
            if let Some(secs) = watchdog_secs {
                text.push_str(&format!(" and watchdog {secs}"));
            }
            text
        }
        Order::Signal {
            target: Target::Pid(pid),
            sig,
        } => format!("kill {sig:?} {}", pid.0),
        Order::Signal {
            target: Target::Group(pid),
            sig,
        } => format!("killpg {sig:?} {}", pid.0),
        Order::SpawnFinish {
            code,
            signal,
            own_group,
        } => format!(
            "spawn finish {code} {signal}{}",
            if *own_group { " in own group" } else { "" }
        ),
        Order::WriteStatus(r) => show_record(r),
        Order::WriteExtra(extra) => format!(
            "extra({})",
            String::from_utf8_lossy(&extra.encode())
                .trim_end()
                .replace('\n', ", ")
        ),
        Order::WarnForkFailed { errno } => format!("warn fork failed {}", errno.0),
        Order::WarnWatchdog { secs } => format!("warn watchdog {secs}"),
        Order::Exit(code) => format!("exit {code}"),
    }
}

fn kill(pid: i32, sig: Sig) -> Order {
    Order::Signal {
        target: Target::Pid(Pid(pid)),
        sig,
    }
}

fn timeout_kill(secs: u32) -> Extensions {
    Extensions {
        timeout_kill: Some(secs),
        ..Extensions::default()
    }
}

fn killpg(pid: i32, sig: Sig) -> Order {
    Order::Signal {
        target: Target::Group(Pid(pid)),
        sig,
    }
}

fn stop_group(timeout_kill: Option<u32>) -> Extensions {
    Extensions {
        timeout_kill,
        stop_group: true,
        ..Extensions::default()
    }
}

fn finish(timeout_finish: Option<u32>) -> Extensions {
    Extensions {
        finish: true,
        timeout_finish,
        ..Extensions::default()
    }
}

fn exited_with(pid: i32, status: ExitKind) -> Event {
    Event::ChildExited {
        pid: Pid(pid),
        status,
    }
}

fn finishing(pid: Option<i32>) -> Order {
    Order::WriteExtra(Extra {
        finishing: pid.map(Pid),
        ..Extra::default()
    })
}

fn files(timeout_kill: Option<&[u8]>) -> ConfigFiles {
    ConfigFiles {
        timeout_kill: timeout_kill.map(<[u8]>::to_vec),
        ..ConfigFiles::default()
    }
}

/// The extended machine with no extension at all emits, once `ReadConfig`
/// and `Configured` are taken out, exactly the classic machine's actions.
//= spec/extensions.md#ext-1
#[test]
fn without_files_the_extended_machine_is_the_classic_one() {
    let script: Vec<(u64, Event)> = vec![
        (0, Event::Started),
        (300, exited(100)),
        (1000, Event::Tick),
        (1500, ctl(Command::Pause)),
        (1600, ctl(Command::Down)),
        (1700, exited(101)),
        (2000, ctl(Command::Once)),
        (3000, Event::Tick),
        (3100, ctl(Command::Exit)),
        (3200, ctl(Command::Term)),
        (3300, exited(102)),
    ];
    let mut classic = super::Sim::new(up()).0;
    let mut ext = ExtSim::new(up(), Extensions::default());
    for (ms, event) in script {
        let expected = classic.send(ms, event);
        let got: Vec<Action> = ext
            .send(ms, event)
            .into_iter()
            .filter(|o| *o != Order::ReadConfig)
            .map(|o| o.classic().expect("only 0.76 actions"))
            .collect();
        assert_eq!(got, expected, "at {ms} ms");
        assert_eq!(ext.sv.status(), classic.sv.status());
        assert_eq!(ext.sv.next_deadline(), classic.sv.next_deadline());
    }
    assert!(ext.sv.has_exited());
}

/// `Configured` outside its answer, and to the classic machine, is ignored.
//= spec/extensions.md#ext-1
#[test]
fn stray_configured_changes_nothing() {
    let mut sim = ExtSim::started(up(), Extensions::default());
    sim.tick();
    let before = sim.sv.clone();
    let stray = Event::Configured {
        ext: timeout_kill(1),
        random: 0,
    };
    assert!(sim.sv.handle(at(2000), stray).is_empty());
    assert_eq!(sim.sv, before);
    let (mut classic, _) = Supervise::new(up(), at(0));
    let _ = classic.handle(at(0), Event::Started);
    let before = classic.clone();
    assert!(classic.handle(at(0), stray).is_empty());
    assert_eq!(classic, before);
}

/// Every start of `./run` asks for the files first.
//= spec/extensions.md#ext-2
#[test]
fn every_start_reads_the_files_first() {
    let (mut sv, _) = SuperviseExt::new(up(), at(0));
    assert_eq!(sv.handle(at(0), Event::Started), vec![Order::ReadConfig]);
    // Nothing else answers it.
    assert!(sv.handle(at(0), Event::Tick).is_empty());
    assert!(sv
        .handle(at(0), Event::SpawnSucceeded { pid: Pid(100) })
        .is_empty());
    assert_eq!(
        sv.handle(
            at(0),
            Event::Configured {
                ext: Extensions::default(),
                random: 0,
            }
        ),
        vec![Order::SpawnRun {
            own_group: false,
            notification_fd: None,
            notify_socket: false,
            watchdog_secs: None,
        }]
    );
    let orders = sv.handle(at(0), Event::SpawnSucceeded { pid: Pid(100) });
    assert_eq!(
        orders,
        vec![Order::WriteStatus(record(0, 100, false, Want::Up))]
    );
    // The restart after an exit reads them again.
    let _ = sv.handle(at(500), exited(100));
    let orders = sv.handle(at(1000), Event::Tick);
    assert_eq!(orders.last(), Some(&Order::ReadConfig));
}

//= spec/extensions.md#ext-2
#[test]
fn the_files_parse_as_the_spec_says() {
    assert_eq!(configure(&files(None)), (Extensions::default(), vec![]));
    for (bytes, value) in [
        (&b"5\n"[..], Some(5)),
        (b" 7 ", Some(7)),
        (b"\t12\r\n", Some(12)),
        (b"0", None),
        (b"4294967295", Some(u32::MAX)),
    ] {
        assert_eq!(
            configure(&files(Some(bytes))),
            (
                Extensions {
                    timeout_kill: value,
                    ..Extensions::default()
                },
                vec![]
            ),
            "{bytes:?}"
        );
    }
    for bad in [
        &b""[..],
        b"\n",
        b"five",
        b"-1",
        b"+3",
        b"1.5",
        b"1 2",
        b"4294967296",
        b"3s",
    ] {
        assert_eq!(
            configure(&files(Some(bad))),
            (
                Extensions::default(),
                vec![ConfigProblem {
                    file: ConfigFile::TimeoutKill
                }]
            ),
            "{bad:?}"
        );
    }
}

/// A `d` to a running service arms the timer; when it expires with the
/// service still there, SIGKILL goes to its pid.
//= spec/extensions.md#ext-3
#[test]
fn d_then_timeout_kill_sends_sigkill() {
    let mut sim = ExtSim::started(up(), timeout_kill(3));
    sim.tick();
    let orders = sim.send(5000, ctl(Command::Down));
    assert_eq!(
        orders,
        vec![
            kill(100, Sig::Term),
            kill(100, Sig::Cont),
            Order::WriteStatus(record(0, 100, false, Want::Down))
        ]
    );
    assert_eq!(sim.sv.next_deadline(), Some(at(8000).mono));
    // Early ticks do nothing.
    assert!(sim.send(7999, Event::Tick).is_empty());
    assert_eq!(sim.send(8000, Event::Tick), vec![kill(100, Sig::Kill)]);
    assert_eq!(sim.sv.next_deadline(), None);
    assert!(sim.send(8000, Event::Tick).is_empty());
    // It is not restarted: it is wanted down.
    assert_eq!(
        sim.send(8100, exited(100)),
        vec![Order::WriteStatus(record(8100, 0, false, Want::Down))]
    );
}

/// A service that stops in time is not killed.
//= spec/extensions.md#ext-3
#[test]
fn an_exit_before_the_timeout_disarms_it() {
    let mut sim = ExtSim::started(up(), timeout_kill(3));
    sim.tick();
    let _ = sim.send(5000, ctl(Command::Down));
    let _ = sim.send(6000, exited(100));
    assert_eq!(sim.sv.next_deadline(), None);
    assert!(sim.send(9000, Event::Tick).is_empty());
}

/// `u` or `o` revokes the stop, and with it the SIGKILL; a second `d`
/// does not postpone it.
//= spec/extensions.md#ext-3
#[test]
fn u_and_o_disarm_and_a_second_d_keeps_the_first_deadline() {
    for revoke in [Command::Up, Command::Once] {
        let mut sim = ExtSim::started(up(), timeout_kill(3));
        sim.tick();
        let _ = sim.send(5000, ctl(Command::Down));
        let _ = sim.send(6000, ctl(revoke));
        assert_eq!(sim.sv.next_deadline(), None, "{revoke:?}");
    }
    let mut sim = ExtSim::started(up(), timeout_kill(3));
    sim.tick();
    let _ = sim.send(5000, ctl(Command::Down));
    let orders = sim.send(7000, ctl(Command::Down));
    assert_eq!(orders[..2], [kill(100, Sig::Term), kill(100, Sig::Cont)]);
    assert_eq!(sim.sv.next_deadline(), Some(at(8000).mono));
}

/// A `k` sends the SIGKILL that was promised: there is nothing left to
/// promise.
//= spec/extensions.md#ext-3
#[test]
fn k_keeps_the_promise() {
    let mut sim = ExtSim::started(up(), timeout_kill(3));
    sim.tick();
    let _ = sim.send(5000, ctl(Command::Down));
    assert_eq!(
        sim.send(6000, ctl(Command::Kill)),
        vec![kill(100, Sig::Kill)]
    );
    assert_eq!(sim.sv.next_deadline(), None);
}

/// Without `timeout-kill`, or with it but no `d`, nothing is ever killed.
//= spec/extensions.md#ext-3
#[test]
fn no_timer_without_the_file_or_without_d() {
    let mut sim = ExtSim::started(up(), Extensions::default());
    sim.tick();
    let _ = sim.send(5000, ctl(Command::Down));
    assert_eq!(sim.sv.next_deadline(), None);
    let mut sim = ExtSim::started(up(), timeout_kill(3));
    sim.tick();
    let _ = sim.send(5000, ctl(Command::Term));
    assert_eq!(sim.sv.next_deadline(), None);
    // A `d` while down arms nothing either.
    let mut sim = ExtSim::started(super::down(), timeout_kill(3));
    let _ = sim.send(100, ctl(Command::Down));
    assert_eq!(sim.sv.next_deadline(), None);
}

/// The file is read at each start: a change applies from the next run on.
//= spec/extensions.md#ext-2
//= spec/extensions.md#ext-3
#[test]
fn a_changed_file_applies_from_the_next_start() {
    let mut sim = ExtSim::started(up(), Extensions::default());
    sim.tick();
    sim.ext = timeout_kill(2);
    let _ = sim.send(5000, ctl(Command::Down));
    assert_eq!(
        sim.sv.next_deadline(),
        None,
        "the running one started without"
    );
    let _ = sim.send(5100, exited(100));
    let _ = sim.send(6000, ctl(Command::Up));
    sim.tick();
    let _ = sim.send(8000, ctl(Command::Down));
    assert_eq!(sim.sv.next_deadline(), Some(at(10_000).mono));
}

// ------------------------------------------------------------- stop-group

//= spec/extensions.md#ext-4
#[test]
fn stop_group_is_a_file_of_any_content() {
    let (ext, problems) = configure(&ConfigFiles {
        stop_group: true,
        ..ConfigFiles::default()
    });
    assert_eq!(ext, stop_group(None));
    assert!(problems.is_empty());
}

/// `./run` gets a group of its own, and every signal goes to the group.
//= spec/extensions.md#ext-4
#[test]
fn with_stop_group_every_signal_goes_to_the_group() {
    let (mut sv, _) = SuperviseExt::new(up(), at(0));
    assert_eq!(sv.handle(at(0), Event::Started), vec![Order::ReadConfig]);
    assert_eq!(
        sv.handle(
            at(0),
            Event::Configured {
                ext: stop_group(None),
                random: 0,
            }
        ),
        vec![Order::SpawnRun {
            own_group: true,
            notification_fd: None,
            notify_socket: false,
            watchdog_secs: None,
        }]
    );
    let mut sim = ExtSim::started(up(), stop_group(None));
    sim.tick();
    for (command, sigs) in [
        (Command::Alarm, &[Sig::Alrm][..]),
        (Command::Hangup, &[Sig::Hup]),
        (Command::Interrupt, &[Sig::Int]),
        (Command::Term, &[Sig::Term]),
        (Command::Kill, &[Sig::Kill]),
        (Command::Pause, &[Sig::Stop]),
        (Command::Continue, &[Sig::Cont]),
        (Command::Down, &[Sig::Term, Sig::Cont]),
    ] {
        let signals: Vec<Order> = sim
            .send(5000, ctl(command))
            .into_iter()
            .filter(|o| matches!(o, Order::Signal { .. }))
            .collect();
        let expected: Vec<Order> = sigs.iter().map(|&sig| killpg(100, sig)).collect();
        assert_eq!(signals, expected, "{command:?}");
    }
}

/// With a group, the SIGKILL of `timeout-kill` survives the leader: what is
/// left of the group gets it at the deadline.
//= spec/extensions.md#ext-3
//= spec/extensions.md#ext-4
#[test]
fn the_group_is_killed_at_the_deadline_even_after_its_leader_is_reaped() {
    let mut sim = ExtSim::started(up(), stop_group(Some(3)));
    sim.tick();
    let _ = sim.send(5000, ctl(Command::Down));
    let _ = sim.send(5100, exited(100));
    assert_eq!(sim.sv.next_deadline(), Some(at(8000).mono));
    assert!(sim.send(7000, ctl(Command::Term)).is_empty(), "no pid");
    assert_eq!(sim.send(8000, Event::Tick), vec![killpg(100, Sig::Kill)]);
    assert_eq!(sim.sv.next_deadline(), None);
}

/// A SIGKILL still promised to a group is sent at once before the next
/// `./run` starts, or before supervise exits.
//= spec/extensions.md#ext-4
#[test]
fn a_promised_group_kill_comes_before_a_new_start_or_the_exit() {
    let mut sim = ExtSim::started(up(), stop_group(Some(3)));
    sim.tick();
    let _ = sim.send(5000, ctl(Command::Down));
    let _ = sim.send(5100, exited(100));
    let orders = sim.send(6000, ctl(Command::Up));
    assert_eq!(
        orders[..3],
        [
            Order::WriteStatus(record(5100, 0, false, Want::Up)),
            killpg(100, Sig::Kill),
            Order::ReadConfig,
        ]
    );
    assert_eq!(sim.sv.next_deadline(), Some(at(7000).mono), "quiet only");

    let mut sim = ExtSim::started(up(), stop_group(Some(3)));
    sim.tick();
    let _ = sim.send(5000, ctl(Command::Down));
    let _ = sim.send(5100, exited(100));
    assert_eq!(
        sim.send(6000, ctl(Command::Exit)),
        vec![
            Order::WriteStatus(record(5100, 0, false, Want::Down)),
            killpg(100, Sig::Kill),
            Order::WriteStatus(record(5100, 0, false, Want::Down)),
            Order::Exit(0),
        ]
    );
}

/// `u` revokes the SIGKILL promised to the running service's group.
//= spec/extensions.md#ext-3
//= spec/extensions.md#ext-4
#[test]
fn u_revokes_the_group_kill_of_the_running_service() {
    let mut sim = ExtSim::started(up(), stop_group(Some(3)));
    sim.tick();
    let _ = sim.send(5000, ctl(Command::Down));
    let _ = sim.send(6000, ctl(Command::Up));
    assert_eq!(sim.sv.next_deadline(), None);
}

// ----------------------------------------------------------------- finish

//= spec/extensions.md#ext-5
//= spec/extensions.md#ext-6
#[test]
fn finish_and_timeout_finish_parse_as_the_spec_says() {
    let with = |timeout: Option<&[u8]>| {
        configure(&ConfigFiles {
            finish: true,
            timeout_finish: timeout.map(<[u8]>::to_vec),
            ..ConfigFiles::default()
        })
    };
    assert_eq!(with(None), (finish(Some(DEFAULT_TIMEOUT_FINISH)), vec![]));
    assert_eq!(with(Some(b"2\n")), (finish(Some(2)), vec![]));
    assert_eq!(with(Some(b"0")), (finish(None), vec![]));
    assert_eq!(
        with(Some(b"x")),
        (
            finish(Some(DEFAULT_TIMEOUT_FINISH)),
            vec![ConfigProblem {
                file: ConfigFile::TimeoutFinish
            }]
        )
    );
    // Without `finish`, `timeout-finish` is not even looked at.
    assert_eq!(
        configure(&ConfigFiles {
            timeout_finish: Some(b"x".to_vec()),
            ..ConfigFiles::default()
        }),
        (Extensions::default(), vec![])
    );
}

/// When `./run` ends, `./finish <code> <signal>` runs; `./run` is started
/// again only once `./finish` has ended.
//= spec/extensions.md#ext-5
//= spec/extensions.md#ext-7
#[test]
fn finish_runs_between_the_end_of_run_and_its_restart() {
    let mut sim = ExtSim::started(up(), finish(Some(5)));
    sim.tick();
    let orders = sim.send(3000, exited_with(100, ExitKind::Exited(3)));
    assert_eq!(
        orders,
        vec![
            Order::WriteStatus(record(3000, 0, false, Want::Up)),
            Order::SpawnFinish {
                code: 3,
                signal: 0,
                own_group: false
            },
            finishing(Some(101)),
        ]
    );
    assert_eq!(sim.sv.status(), record(3000, 0, false, Want::Up));
    assert_eq!(sim.sv.extra().finishing, Some(Pid(101)));
    // No quiet period after ./finish: commands are handled at once, but
    // nothing is started while it runs.
    assert_eq!(
        sim.send(3100, ctl(Command::Up)),
        vec![Order::WriteStatus(record(3000, 0, false, Want::Up))]
    );
    assert!(sim.send(3200, ctl(Command::Term)).is_empty());
    assert_eq!(
        sim.send(4000, exited(101)),
        vec![
            finishing(None),
            Order::ReadConfig,
            Order::SpawnRun {
                own_group: false,
                notification_fd: None,
                notify_socket: false,
                watchdog_secs: None,
            },
            Order::WriteStatus(record(4000, 102, false, Want::Up))
        ]
    );
    assert_eq!(sim.sv.extra(), Extra::default());
}

/// A signal ends `./run`: `./finish -1 <signal>`.
//= spec/extensions.md#ext-5
#[test]
fn finish_is_told_the_signal() {
    let mut sim = ExtSim::started(up(), finish(None));
    sim.tick();
    let orders = sim.send(3000, exited_with(100, ExitKind::Signaled(15)));
    assert_eq!(
        orders[1],
        Order::SpawnFinish {
            code: -1,
            signal: 15,
            own_group: false
        }
    );
    assert_eq!(sim.sv.next_deadline(), None, "no timeout-finish");
}

/// `./finish` that overruns `timeout-finish` gets SIGKILL (to its group
/// with `stop-group`).
//= spec/extensions.md#ext-6
#[test]
fn finish_is_killed_after_timeout_finish() {
    let mut sim = ExtSim::started(
        up(),
        Extensions {
            stop_group: true,
            ..finish(Some(2))
        },
    );
    sim.tick();
    let orders = sim.send(3000, exited(100));
    assert_eq!(
        orders[1],
        Order::SpawnFinish {
            code: 0,
            signal: 0,
            own_group: true
        }
    );
    assert_eq!(sim.sv.next_deadline(), Some(at(5000).mono));
    assert!(sim.send(4999, Event::Tick).is_empty());
    assert_eq!(sim.send(5000, Event::Tick), vec![killpg(101, Sig::Kill)]);
    assert_eq!(sim.sv.next_deadline(), None);
    let orders = sim.send(5100, exited_with(101, ExitKind::Signaled(9)));
    assert_eq!(orders[..2], [finishing(None), Order::ReadConfig]);
}

/// Wanted down (or once) after `./run` ends: `./finish` runs and nothing
/// is started after it; `u` during it starts `./run` after it.
//= spec/extensions.md#ext-5
#[test]
fn after_finish_the_service_starts_only_if_wanted() {
    let mut sim = ExtSim::started(up(), finish(Some(5)));
    sim.tick();
    let _ = sim.send(2000, ctl(Command::Down));
    let _ = sim.send(2100, exited(100));
    assert_eq!(sim.sv.extra().finishing, Some(Pid(101)));
    assert_eq!(sim.send(2500, exited(101)), vec![finishing(None)]);

    let mut sim = ExtSim::started(up(), finish(Some(5)));
    sim.tick();
    let _ = sim.send(2000, ctl(Command::Down));
    let _ = sim.send(2100, exited(100));
    // `o` while ./finish runs: start once, after it.
    assert_eq!(
        sim.send(2200, ctl(Command::Once)),
        vec![Order::WriteStatus(record(2100, 0, false, Want::Neither))]
    );
    let orders = sim.send(2500, exited(101));
    assert_eq!(orders[..2], [finishing(None), Order::ReadConfig]);
    // ... and `d` takes such a start back.
    let mut sim = ExtSim::started(up(), finish(Some(5)));
    sim.tick();
    let _ = sim.send(2100, exited(100));
    let _ = sim.send(2200, ctl(Command::Up));
    let _ = sim.send(2300, ctl(Command::Down));
    assert_eq!(sim.send(2500, exited(101)), vec![finishing(None)]);
}

/// `x` waits for `./finish` as it waits for `./run`.
//= spec/extensions.md#ext-5
#[test]
fn x_waits_for_finish() {
    let mut sim = ExtSim::started(up(), finish(Some(5)));
    sim.tick();
    let _ = sim.send(2000, ctl(Command::Exit));
    let _ = sim.send(2100, exited(100));
    assert!(!sim.sv.has_exited());
    assert_eq!(
        sim.send(2200, ctl(Command::Exit)),
        vec![Order::WriteStatus(record(2100, 0, false, Want::Up))]
    );
    assert_eq!(
        sim.send(2500, exited(101)),
        vec![
            finishing(None),
            Order::WriteStatus(record(2100, 0, false, Want::Up)),
            Order::Exit(0)
        ]
    );
}

/// A failed fork of `./finish` is a failed fork: warning, 60 quiet
/// seconds; then supervise carries on as after `./finish`.
//= spec/extensions.md#ext-5
#[test]
fn a_failed_fork_of_finish_is_skipped_after_60_seconds() {
    let mut sim = ExtSim::started(up(), finish(Some(5)));
    sim.tick();
    sim.forks.push_back(Err(Errno::EAGAIN));
    let orders = sim.send(2000, exited(100));
    assert_eq!(
        orders[1..],
        [
            Order::SpawnFinish {
                code: 0,
                signal: 0,
                own_group: false
            },
            Order::WarnForkFailed {
                errno: Errno::EAGAIN
            }
        ]
    );
    assert_eq!(sim.sv.next_deadline(), Some(at(62_000).mono));
    assert_eq!(sim.tick(), 62_000);
    assert_eq!(sim.sv.status().pid, 101);
}

// ---------------------------------------------------------------- backoff

fn backoff(numbers: &[u32]) -> Extensions {
    Extensions {
        backoff: Some(Backoff::from_numbers(numbers).expect("a valid backoff")),
        ..Extensions::default()
    }
}

fn restart(ms: u64, attempt: u32) -> Order {
    Order::WriteExtra(Extra {
        restart: Some((at(ms).wall, attempt)),
        ..Extra::default()
    })
}

//= spec/extensions.md#ext-9
//= spec/extensions.md#ext-10
#[test]
fn the_backoff_file_parses_as_the_spec_says() {
    let parse = |bytes: &[u8]| {
        configure(&ConfigFiles {
            backoff: Some(bytes.to_vec()),
            ..ConfigFiles::default()
        })
    };
    let ok = |bytes: &[u8], initial, max, reset, give_up: Option<(u32, u32)>| {
        assert_eq!(
            parse(bytes),
            (
                Extensions {
                    backoff: Some(Backoff {
                        initial,
                        max,
                        reset,
                        give_up: give_up.map(|(count, window)| GiveUp { count, window }),
                    }),
                    ..Extensions::default()
                },
                vec![]
            ),
            "{bytes:?}"
        );
    };
    ok(b"1 60\n", 1, 60, 60, None);
    ok(b"2 30 10", 2, 30, 10, None);
    ok(b"1\t8\n5 3 60\n", 1, 8, 5, Some((3, 60)));
    ok(b"3 3", 3, 3, 3, None);
    for bad in [
        &b""[..],
        b"1",
        b"0 5",
        b"5 1",
        b"1 2 0",
        b"1 2 3 4",
        b"1 2 3 0 5",
        b"1 2 3 4 0",
        b"1 2 3 4 5 6",
        b"1 2s",
    ] {
        assert_eq!(
            parse(bad),
            (
                Extensions::default(),
                vec![ConfigProblem {
                    file: ConfigFile::Backoff
                }]
            ),
            "{bad:?}"
        );
    }
}

/// Doubling from `initial` up to `max`; jitter takes off up to a quarter.
//= spec/extensions.md#ext-9
#[test]
fn delays_double_up_to_max_and_jitter_only_shortens_them() {
    let b = Backoff::from_numbers(&[1, 8]).expect("valid");
    let nominal: Vec<u32> = (1..=6).map(|n| b.nominal_secs(n)).collect();
    assert_eq!(nominal, [1, 2, 4, 8, 8, 8]);
    assert_eq!(b.nominal_secs(u32::MAX), 8);
    assert_eq!(b.delay_millis(3, 0), 4000);
    assert_eq!(b.delay_millis(3, u32::MAX), 3001);
    assert_eq!(b.delay_millis(3, 1 << 31), 3500);
    let huge = Backoff::from_numbers(&[u32::MAX, u32::MAX]).expect("valid");
    assert_eq!(huge.delay_millis(40, 0), u64::from(u32::MAX) * 1000);
}

/// A service that dies at once is restarted after 1, 2, 4, 8, 8 … seconds,
/// and the extension lines say when and which attempt.
//= spec/extensions.md#ext-7
//= spec/extensions.md#ext-9
#[test]
fn a_crash_loop_is_slowed_down_exponentially() {
    let mut sim = ExtSim::started(up(), backoff(&[1, 8, 30]));
    let mut now = 0;
    let mut pid = 100;
    for (attempt, delay) in [(1, 1000), (2, 2000), (3, 4000), (4, 8000), (5, 8000)] {
        let _ = sim.send(now + 10, exited(pid));
        // Reaped at the end of the quiet period, then put off.
        let reap = now + 1000;
        let orders = sim.send(reap, Event::Tick);
        assert_eq!(
            orders.last(),
            Some(&restart(reap + delay, attempt)),
            "{attempt}"
        );
        assert_eq!(sim.sv.next_deadline(), Some(at(reap + delay).mono));
        assert_eq!(sim.sv.status().pid, 0);
        assert!(sim.send(reap + delay - 1, Event::Tick).is_empty());
        let orders = sim.send(reap + delay, Event::Tick);
        assert_eq!(
            orders[..2],
            [Order::WriteExtra(Extra::default()), Order::ReadConfig]
        );
        now = reap + delay;
        pid += 1;
        assert_eq!(sim.sv.status().pid, u32::try_from(pid).expect("pid"));
    }
}

/// A run that lasted `reset` seconds was a success: restart at once and
/// count again from 1.
//= spec/extensions.md#ext-10
#[test]
fn a_long_run_resets_the_count() {
    let mut sim = ExtSim::started(up(), backoff(&[1, 8, 5]));
    let _ = sim.send(10, exited(100));
    let _ = sim.send(1000, Event::Tick);
    let _ = sim.send(2000, Event::Tick);
    // 101 runs from 2 s to 7 s: long enough.
    let orders = sim.send(7000, exited(101));
    assert!(orders.contains(&Order::SpawnRun {
        own_group: false,
        notification_fd: None,
        notify_socket: false,
        watchdog_secs: None,
    }));
    assert_eq!(sim.sv.extra(), Extra::default());
    // 102 dies at once: the first restart in a row again.
    let _ = sim.send(7010, exited(102));
    let orders = sim.send(8000, Event::Tick);
    assert_eq!(orders.last(), Some(&restart(9000, 1)));
}

/// After `count` failures within `window` seconds supervise stops
/// restarting, says so, and starts again on `u`.
//= spec/extensions.md#ext-10
#[test]
fn give_up_after_count_failures_within_the_window() {
    let mut sim = ExtSim::started(up(), backoff(&[1, 8, 30, 2, 60]));
    let _ = sim.send(10, exited(100));
    let _ = sim.send(1000, Event::Tick); // reaped: attempt 1, 1 s
    let _ = sim.send(2000, Event::Tick); // started 101
    let _ = sim.send(2010, exited(101));
    let orders = sim.send(3000, Event::Tick); // reaped: 2 failures in 2 s
    assert_eq!(
        orders.last(),
        Some(&Order::WriteExtra(Extra {
            given_up: Some(2),
            ..Extra::default()
        }))
    );
    assert_eq!(sim.sv.next_deadline(), None);
    assert_eq!(sim.sv.status(), record(3000, 0, false, Want::Up));
    assert!(sim.send(100_000, Event::Tick).is_empty());
    // `u` starts it, and the count is forgotten.
    let orders = sim.send(100_000, ctl(Command::Up));
    assert_eq!(
        orders[..3],
        [
            Order::WriteStatus(record(3000, 0, false, Want::Up)),
            Order::WriteExtra(Extra::default()),
            Order::ReadConfig
        ]
    );
    let _ = sim.send(100_010, exited(102));
    let orders = sim.send(101_000, Event::Tick);
    assert_eq!(orders.last(), Some(&restart(102_000, 1)));
}

/// Failures further apart than the window do not add up to a give-up.
//= spec/extensions.md#ext-10
#[test]
fn failures_outside_the_window_do_not_give_up() {
    let mut sim = ExtSim::started(up(), backoff(&[4, 8, 30, 2, 3]));
    let _ = sim.send(10, exited(100));
    let _ = sim.send(1000, Event::Tick); // 4 s
    let _ = sim.send(5000, Event::Tick);
    let _ = sim.send(5010, exited(101));
    let orders = sim.send(6000, Event::Tick); // 5 s after the first: outside
    assert_eq!(orders.last(), Some(&restart(14_000, 2)));
}

/// `u` or `o` during the delay start the service at once, `d` cancels the
/// restart, `x` exits.
//= spec/extensions.md#ext-9
#[test]
fn commands_during_the_delay() {
    for (command, starts) in [
        (Command::Up, true),
        (Command::Once, true),
        (Command::Down, false),
    ] {
        let mut sim = ExtSim::started(up(), backoff(&[5, 8]));
        let _ = sim.send(10, exited(100));
        let _ = sim.send(1000, Event::Tick);
        let orders = sim.send(2000, ctl(command));
        assert_eq!(
            orders[1],
            Order::WriteExtra(Extra::default()),
            "{command:?}"
        );
        assert_eq!(
            orders.get(2) == Some(&Order::ReadConfig),
            starts,
            "{command:?}"
        );
        if !starts {
            assert_eq!(sim.sv.next_deadline(), None);
            assert!(sim.send(6000, Event::Tick).is_empty());
        }
    }
    let mut sim = ExtSim::started(up(), backoff(&[5, 8]));
    let _ = sim.send(10, exited(100));
    let _ = sim.send(1000, Event::Tick);
    let orders = sim.send(2000, ctl(Command::Exit));
    assert_eq!(orders.last(), Some(&Order::Exit(0)));
}

/// The jitter comes from the driver's random number.
//= spec/extensions.md#ext-9
#[test]
fn the_delay_is_jittered_by_the_drivers_number() {
    let mut sim = ExtSim::new(up(), backoff(&[2, 8]));
    sim.random = u32::MAX;
    sim.send(0, Event::Started);
    let _ = sim.send(10, exited(100));
    let orders = sim.send(1000, Event::Tick);
    assert_eq!(orders.last(), Some(&restart(1000 + 1501, 1)));
}

fn transcript(cfg: Config, ext: Extensions, script: &[(u64, Event)]) -> String {
    let mut sim = ExtSim::new(cfg, ext);
    for (ms, event) in script {
        sim.send(*ms, *event);
    }
    sim.log
}

//= spec/extensions.md#ext-3
#[test]
fn transcript_timeout_kill() {
    insta::assert_snapshot!(transcript(
        up(),
        timeout_kill(5),
        &[
            (0, Event::Started),
            (1000, Event::Tick),
            (2000, ctl(Command::Down)),
            (4000, Event::Tick),
            (7000, Event::Tick),
            (7050, exited(100)),
            (8000, ctl(Command::Up)),
            (9000, Event::Tick),
            (9500, ctl(Command::Down)),
            (9600, exited(101)),
            (20_000, Event::Tick),
        ]
    ));
}

//= spec/extensions.md#ext-4
#[test]
fn transcript_stop_group() {
    insta::assert_snapshot!(transcript(
        up(),
        stop_group(Some(2)),
        &[
            (0, Event::Started),
            (1000, Event::Tick),
            (1500, ctl(Command::Hangup)),
            (2000, ctl(Command::Down)),
            (2100, exited(100)),
            (3000, ctl(Command::Up)),
            (4000, Event::Tick),
            (5000, ctl(Command::Down)),
            (7000, Event::Tick),
            (7100, exited(101)),
            (8000, ctl(Command::Exit)),
        ]
    ));
}

//= spec/extensions.md#ext-5
//= spec/extensions.md#ext-6
#[test]
fn transcript_finish() {
    insta::assert_snapshot!(transcript(
        up(),
        Extensions {
            timeout_kill: Some(10),
            ..finish(Some(3))
        },
        &[
            (0, Event::Started),
            (500, exited_with(100, ExitKind::Exited(1))),
            (1000, Event::Tick),
            (1100, ctl(Command::Hangup)),
            (1200, exited(101)),
            (2200, Event::Tick),
            (3000, ctl(Command::Down)),
            (3100, exited_with(102, ExitKind::Signaled(15))),
            (4000, ctl(Command::Up)),
            (6100, Event::Tick),
            (6200, exited_with(103, ExitKind::Signaled(9))),
            (7200, Event::Tick),
            (8000, ctl(Command::Exit)),
            (8000, ctl(Command::Term)),
            (8100, exited(104)),
            (9000, exited(105)),
        ]
    ));
}

/// The extension lines round-trip, say nothing when empty, and skips what
/// it does not understand.
//= spec/extensions.md#ext-7
#[test]
fn the_extra_file_round_trips_and_tolerates_the_unknown() {
    let empty = Extra::default();
    assert_eq!(empty.encode(), b"");
    assert_eq!(Extra::decode(b""), empty);
    let finishing = Extra {
        finishing: Some(Pid(4321)),
        ..Extra::default()
    };
    assert_eq!(finishing.encode(), b"finishing 4321\n");
    assert_eq!(Extra::decode(&finishing.encode()), finishing);
    assert_eq!(
        Extra::decode(b"ready 1\nfinishing 4321\nfinishing\nfinishing -3\n\xff\n"),
        finishing
    );
    assert_eq!(Extra::decode(b"finishing 0\nfinishing x"), empty);
    let all = Extra {
        finishing: Some(Pid(1)),
        restart: Some((at(5500).wall, 3)),
        given_up: Some(2),
        ready: None,
        status: None,
    };
    assert_eq!(
        String::from_utf8(all.encode()).expect("text"),
        "finishing 1\nrestart @400000000000000f1dcd6500 3\ngiven-up 2\n"
    );
    assert_eq!(Extra::decode(&all.encode()), all);
    assert_eq!(
        Extra::decode(b"restart @4000 3\nrestart @400000000000000f1dcd6500 0\ngiven-up -1\n"),
        empty
    );
}

//= spec/extensions.md#ext-9
//= spec/extensions.md#ext-10
#[test]
fn transcript_backoff() {
    insta::assert_snapshot!(transcript(
        up(),
        backoff(&[1, 4, 10, 3, 60]),
        &[
            (0, Event::Started),
            (100, exited(100)),
            (1000, Event::Tick),
            (2000, Event::Tick),
            (2100, exited(101)),
            (3000, Event::Tick),
            (4000, ctl(Command::Hangup)),
            (5000, Event::Tick),
            (5100, exited(102)),
            (6000, Event::Tick),
            (9000, ctl(Command::Up)),
            (10_000, Event::Tick),
            (25_000, exited(103)),
            (26_000, ctl(Command::Down)),
        ]
    ));
}

fn notification_fd(fd: u32) -> Extensions {
    Extensions {
        notification_fd: Some(fd),
        ..Extensions::default()
    }
}

fn readiness(pid: i32, since_ms: Option<u64>) -> Order {
    Order::WriteExtra(Extra {
        ready: Some(Readiness {
            pid: Pid(pid),
            since: since_ms.map(|ms| at(ms).wall),
        }),
        ..Extra::default()
    })
}

/// With `notification-fd`, the spawn passes the descriptor, `not-ready` is
/// written before the status names the pid, the newline makes it `ready`
/// (once), and the reap forgets it after the status says pid 0.
//= spec/extensions.md#ext-11
#[test]
fn notification_fd_reports_readiness_of_the_running_service() {
    let mut sim = ExtSim::new(up(), notification_fd(3));
    let orders = sim.send(0, Event::Started);
    assert_eq!(
        orders,
        vec![
            Order::ReadConfig,
            Order::SpawnRun {
                own_group: false,
                notification_fd: Some(3),
                notify_socket: false,
                watchdog_secs: None,
            },
            readiness(100, None),
            Order::WriteStatus(record(0, 100, false, Want::Up)),
        ]
    );
    // Readiness is not a control byte: it is noted even in the quiet period.
    assert_eq!(
        sim.send(400, Event::Ready { pid: Pid(100) }),
        vec![readiness(100, Some(400))]
    );
    assert_eq!(sim.sv.extra().readiness_of(100), Some(Some(at(400).wall)));
    // A second newline, or one for another process, changes nothing.
    assert!(sim.send(500, Event::Ready { pid: Pid(100) }).is_empty());
    assert!(sim.send(600, Event::Ready { pid: Pid(7) }).is_empty());
    sim.tick();
    let orders = sim.send(2000, exited(100));
    assert_eq!(
        orders[..2],
        [
            Order::WriteStatus(record(2000, 0, false, Want::Up)),
            Order::WriteExtra(Extra::default()),
        ]
    );
    // The restart is a new run: not ready again.
    assert_eq!(
        orders[2..],
        [
            Order::ReadConfig,
            Order::SpawnRun {
                own_group: false,
                notification_fd: Some(3),
                notify_socket: false,
                watchdog_secs: None,
            },
            readiness(101, None),
            Order::WriteStatus(record(2000, 101, false, Want::Up)),
        ]
    );
}

/// A service that exits before its newline was never ready, and one that
/// has exited (not yet reaped, in the quiet period) is not made ready.
//= spec/extensions.md#ext-11
#[test]
fn an_exit_before_the_newline_is_not_ready() {
    let mut sim = ExtSim::started(up(), notification_fd(4));
    sim.send(300, exited(100));
    assert!(sim.send(400, Event::Ready { pid: Pid(100) }).is_empty());
    assert_eq!(sim.sv.extra().readiness_of(100), Some(None));
    let orders = sim.send(1000, Event::Tick);
    let reaped = orders
        .iter()
        .position(|o| *o == Order::WriteStatus(record(1000, 0, false, Want::Up)))
        .expect("the reap is written");
    assert_eq!(orders[reaped + 1], Order::WriteExtra(Extra::default()));
    assert_eq!(sim.sv.extra().readiness_of(101), Some(None));
}

/// Without the file nothing about readiness is ever written, and `Ready`
/// is ignored, by the extended and the classic machine alike.
//= spec/extensions.md#ext-1
//= spec/extensions.md#ext-11
#[test]
fn without_notification_fd_ready_is_ignored() {
    let mut sim = ExtSim::started(up(), Extensions::default());
    let before = sim.sv.clone();
    assert!(sim.send(100, Event::Ready { pid: Pid(100) }).is_empty());
    assert_eq!(sim.sv, before);
    let (mut classic, _) = Supervise::new(up(), at(0));
    let _ = classic.handle(at(0), Event::Started);
    let _ = classic.handle(at(0), Event::SpawnSucceeded { pid: Pid(100) });
    let before = classic.clone();
    assert!(classic
        .handle(at(100), Event::Ready { pid: Pid(100) })
        .is_empty());
    assert_eq!(classic, before);
}

/// The file is read at each start: removing it takes effect at the next
/// one, and the readiness of a `finish`ed run is gone before `./finish`.
//= spec/extensions.md#ext-2
//= spec/extensions.md#ext-11
#[test]
fn transcript_notification_fd() {
    let mut sim = ExtSim::new(
        up(),
        Extensions {
            finish: true,
            timeout_finish: Some(5),
            ..notification_fd(3)
        },
    );
    sim.send(0, Event::Started);
    sim.send(300, Event::Ready { pid: Pid(100) });
    sim.tick();
    sim.send(5000, ctl(Command::Term));
    sim.send(5100, exited(100));
    sim.ext = Extensions::default();
    sim.send(5200, exited(101));
    sim.send(5300, Event::Ready { pid: Pid(102) });
    sim.tick();
    sim.send(7000, ctl(Command::Term));
    sim.send(7100, exited(102));
    insta::assert_snapshot!(sim.log);
}

fn notify() -> Extensions {
    Extensions {
        notify: true,
        ..Extensions::default()
    }
}

/// With `notify`, the spawn asks for the socket, the run starts not ready,
/// `READY=1` makes it ready and `STATUS=` texts are kept for the running
/// pid until its reap; from anyone else they change nothing.
//= spec/extensions.md#ext-13
#[test]
fn notify_reports_readiness_and_status_text() {
    let mut sim = ExtSim::new(up(), notify());
    let orders = sim.send(0, Event::Started);
    assert_eq!(
        orders[1..],
        [
            Order::SpawnRun {
                own_group: false,
                notification_fd: None,
                notify_socket: true,
                watchdog_secs: None,
            },
            readiness(100, None),
            Order::WriteStatus(record(0, 100, false, Want::Up)),
        ]
    );
    let busy = StatusText::new(b"loading");
    let orders = sim.send(
        200,
        Event::StatusText {
            pid: Pid(100),
            text: busy,
        },
    );
    let expected = Extra {
        ready: Some(Readiness {
            pid: Pid(100),
            since: None,
        }),
        status: Some(Note {
            pid: Pid(100),
            text: busy,
        }),
        ..Extra::default()
    };
    assert_eq!(orders, [Order::WriteExtra(expected)]);
    assert_eq!(
        expected.encode(),
        b"not-ready 100\nstatus 100 loading\n".to_vec()
    );
    assert_eq!(Extra::decode(&expected.encode()), expected);
    // The same text again writes nothing; another sender changes nothing.
    assert!(sim
        .send(
            300,
            Event::StatusText {
                pid: Pid(100),
                text: busy
            }
        )
        .is_empty());
    assert!(sim
        .send(
            300,
            Event::StatusText {
                pid: Pid(9),
                text: StatusText::new(b"x")
            }
        )
        .is_empty());
    sim.send(400, Event::Ready { pid: Pid(100) });
    assert_eq!(sim.sv.extra().status_of(100), Some(busy));
    assert_eq!(sim.sv.extra().readiness_of(100), Some(Some(at(400).wall)));
    sim.tick();
    let orders = sim.send(2000, exited(100));
    assert_eq!(orders[1], Order::WriteExtra(Extra::default()));
    // Without `notify`, a status text is ignored.
    let mut plain = ExtSim::started(up(), notification_fd(3));
    assert!(plain
        .send(
            100,
            Event::StatusText {
                pid: Pid(100),
                text: busy
            }
        )
        .is_empty());
}

fn watchdog(secs: u32) -> Extensions {
    Extensions {
        notify: true,
        watchdog: Some(secs),
        ..Extensions::default()
    }
}

/// With `notify` and `watchdog`, the start passes the seconds; each
/// `WATCHDOG=1` from the service moves the deadline; a missed one stops the
/// service as `d` would, but wanted up, so it is restarted with a new
/// watchdog.
//= spec/extensions.md#ext-14
#[test]
fn a_silent_service_is_stopped_and_restarted() {
    let mut sim = ExtSim::new(up(), watchdog(2));
    let orders = sim.send(0, Event::Started);
    assert_eq!(
        orders[1],
        Order::SpawnRun {
            own_group: false,
            notification_fd: None,
            notify_socket: true,
            watchdog_secs: Some(2),
        }
    );
    assert_eq!(sim.sv.next_deadline(), Some(at(1000).mono));
    sim.tick();
    assert_eq!(sim.sv.next_deadline(), Some(at(2000).mono));
    // A ping moves the deadline; one from anyone else does not.
    assert!(sim.send(1500, Event::Watchdog { pid: Pid(100) }).is_empty());
    assert!(sim.send(1600, Event::Watchdog { pid: Pid(7) }).is_empty());
    assert_eq!(sim.sv.next_deadline(), Some(at(3500).mono));
    // An early Tick does nothing; the one at the deadline stops it.
    assert!(sim.send(3000, Event::Tick).is_empty());
    assert_eq!(
        sim.send(3500, Event::Tick),
        [
            Order::WarnWatchdog { secs: 2 },
            kill(100, Sig::Term),
            kill(100, Sig::Cont),
        ]
    );
    // Once: no deadline until the next start, and a late ping changes
    // nothing.
    assert_eq!(sim.sv.next_deadline(), None);
    assert!(sim.send(3600, Event::Watchdog { pid: Pid(100) }).is_empty());
    assert_eq!(sim.sv.status().want, Want::Up);
    let orders = sim.send(3700, exited(100));
    assert!(orders.contains(&Order::WriteStatus(record(3700, 101, false, Want::Up))));
    assert_eq!(sim.sv.next_deadline(), Some(at(4700).mono));
    sim.tick();
    assert_eq!(sim.sv.next_deadline(), Some(at(5700).mono));
}

/// A paused service cannot ping: its watchdog waits, and `c` gives it the
/// whole period again. With `timeout-kill`, a service stopped by the
/// watchdog that ignores SIGTERM is killed that many seconds later, and a
/// `u` does not take that back.
//= spec/extensions.md#ext-3
//= spec/extensions.md#ext-14
#[test]
fn the_watchdog_waits_for_a_pause_and_keeps_timeout_kills_promise() {
    let mut sim = ExtSim::new(
        up(),
        Extensions {
            timeout_kill: Some(3),
            ..watchdog(2)
        },
    );
    sim.send(0, Event::Started);
    sim.tick();
    sim.send(1500, ctl(Command::Pause));
    assert_eq!(sim.sv.next_deadline(), None);
    assert!(sim.send(2500, Event::Tick).is_empty());
    sim.send(3000, ctl(Command::Continue));
    assert_eq!(sim.sv.next_deadline(), Some(at(5000).mono));
    assert_eq!(
        sim.send(5000, Event::Tick),
        [
            Order::WarnWatchdog { secs: 2 },
            kill(100, Sig::Term),
            kill(100, Sig::Cont),
        ]
    );
    assert_eq!(sim.sv.next_deadline(), Some(at(8000).mono));
    sim.send(6000, ctl(Command::Up));
    assert_eq!(sim.sv.next_deadline(), Some(at(8000).mono));
    assert_eq!(sim.send(8000, Event::Tick), [kill(100, Sig::Kill)]);
}

/// `watchdog` without `notify` does nothing (the driver does not even
/// read it; a machine told so anyway ignores it).
//= spec/extensions.md#ext-14
#[test]
fn watchdog_needs_notify() {
    let mut sim = ExtSim::new(
        up(),
        Extensions {
            watchdog: Some(1),
            ..Extensions::default()
        },
    );
    let orders = sim.send(0, Event::Started);
    assert_eq!(
        orders[1],
        Order::SpawnRun {
            own_group: false,
            notification_fd: None,
            notify_socket: false,
            watchdog_secs: None,
        }
    );
    sim.tick();
    assert_eq!(sim.sv.next_deadline(), None);
    assert!(sim.send(5000, Event::Watchdog { pid: Pid(100) }).is_empty());
}
