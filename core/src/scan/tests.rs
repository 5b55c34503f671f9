use super::*;
use crate::process::Pid;
use crate::{Errno, Now};

fn dir(name: &str, ino: u64, log: LogProbe) -> Entry {
    Entry {
        name: name.as_bytes().to_vec(),
        kind: EntryKind::Directory { dev: 1, ino, log },
    }
}

fn listing(entries: Vec<Entry>) -> Event {
    Event::Scanned(Listing {
        entries,
        error: None,
    })
}

/// Drive a scan to its end, answering every pipe and fork with success
/// and handing out pids from `next_pid`; the actions in order.
fn run_scan(scan: &mut Scan, now: Now, entries: Vec<Entry>, next_pid: &mut i32) -> Vec<Action> {
    if scan.next_deadline().is_some() {
        assert_eq!(
            scan.handle(now, Event::Tick),
            vec![Action::Scan],
            "time for a scan"
        );
    }
    let mut all = Vec::new();
    let mut pending = scan.handle(now, listing(entries));
    while let Some(action) = pending.first().cloned() {
        pending.remove(0);
        all.push(action.clone());
        let answer = match action {
            Action::MakePipe { service } => Some(Event::PipeMade { service }),
            Action::SpawnSupervise { service, role, .. } => {
                *next_pid += 1;
                Some(Event::SpawnSucceeded {
                    service,
                    role,
                    pid: Pid(*next_pid),
                })
            }
            _ => None,
        };
        if let Some(event) = answer {
            let mut more = scan.handle(now, event);
            more.append(&mut pending);
            pending = more;
        }
    }
    all
}

/// One readable line per action, for snapshots.
fn transcript(actions: &[Action]) -> String {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    actions
        .iter()
        .map(|a| match a {
            Action::Scan => "scan".to_owned(),
            Action::MakePipe { service } => format!("make pipe #{}", service.0),
            Action::ClosePipe { service } => format!("close pipe #{}", service.0),
            Action::SpawnSupervise {
                service,
                role,
                name,
                logged,
            } => {
                format!(
                    "spawn #{} {role:?} {} logged={logged}",
                    service.0,
                    text(name)
                )
            }
            Action::Warn(w) => format!("warn {w:?}"),
            Action::Control { name, role, bytes } => {
                format!("control {role:?} {} {:?}", text(name), text(bytes))
            }
            Action::Exit(code) => format!("exit {code}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn started() -> Scan {
    let mut scan = Scan::new();
    assert_eq!(
        scan.handle(Now::at_secs(0), Event::Started),
        vec![Action::Scan]
    );
    scan
}

fn spawned(actions: &[Action]) -> Vec<(String, Role)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::SpawnSupervise { name, role, .. } => {
                Some((String::from_utf8_lossy(name).into_owned(), *role))
            }
            _ => None,
        })
        .collect()
}

//= spec/svscan.md#scan-3
//= spec/svscan.md#scan-7
#[test]
fn starts_a_supervise_per_directory_and_one_per_log() {
    let mut scan = started();
    let mut pid = 100;
    let actions = run_scan(
        &mut scan,
        Now::at_secs(0),
        vec![
            dir("a", 1, LogProbe::Missing),
            dir(".hidden", 2, LogProbe::Missing),
            Entry {
                name: b"file".to_vec(),
                kind: EntryKind::NotDirectory,
            },
            dir("b", 3, LogProbe::Exists),
        ],
        &mut pid,
    );
    assert_eq!(
        spawned(&actions),
        [
            ("a".into(), Role::Main),
            ("b".into(), Role::Main),
            ("b".into(), Role::Log)
        ]
    );
    assert!(matches!(actions[1], Action::MakePipe { .. }));
    insta::assert_snapshot!(transcript(&actions));
}

//= spec/svscan.md#scan-2
#[test]
fn the_next_scan_is_five_seconds_after_the_end_of_this_one() {
    let mut scan = started();
    let mut pid = 0;
    run_scan(&mut scan, Now::at_secs(3), vec![], &mut pid);
    assert_eq!(scan.next_deadline(), Some(crate::Mono::from_secs(8)));
    assert!(
        scan.handle(Now::at_secs(7), Event::Tick).is_empty(),
        "early tick is a no-op"
    );
    assert_eq!(
        scan.handle(Now::at_secs(8), Event::Tick),
        vec![Action::Scan]
    );
    assert_eq!(scan.next_deadline(), None);
    assert!(
        scan.handle(Now::at_secs(9), Event::Tick).is_empty(),
        "extra tick is a no-op"
    );
}

//= spec/svscan.md#scan-4
#[test]
fn a_service_is_its_inode_not_its_name() {
    let mut scan = started();
    let mut pid = 0;
    run_scan(
        &mut scan,
        Now::at_secs(0),
        vec![dir("a", 7, LogProbe::Missing)],
        &mut pid,
    );
    // Renamed, plus a symlink to it: still one service, nothing started.
    let again = vec![
        dir("renamed", 7, LogProbe::Missing),
        dir("link", 7, LogProbe::Missing),
    ];
    assert!(spawned(&run_scan(&mut scan, Now::at_secs(5), again, &mut pid)).is_empty());
    // A new directory under the old name is a new service.
    let replaced = vec![dir("a", 8, LogProbe::Missing)];
    let actions = run_scan(&mut scan, Now::at_secs(10), replaced, &mut pid);
    assert_eq!(spawned(&actions), [("a".into(), Role::Main)]);
    assert_eq!(scan.services().len(), 2, "the old supervise still runs");
}

//= spec/svscan.md#scan-3
//= spec/svscan.md#scan-7
#[test]
fn a_supervise_that_died_is_started_again_at_the_next_scan() {
    let mut scan = started();
    let mut pid = 0;
    run_scan(
        &mut scan,
        Now::at_secs(0),
        vec![dir("a", 1, LogProbe::Exists)],
        &mut pid,
    );
    let log_pid = scan.services()[0].log.expect("log running");
    assert!(scan
        .handle(Now::at_secs(1), Event::ChildExited { pid: log_pid })
        .is_empty());
    let actions = run_scan(
        &mut scan,
        Now::at_secs(5),
        vec![dir("a", 1, LogProbe::Exists)],
        &mut pid,
    );
    assert_eq!(
        spawned(&actions),
        [("a".into(), Role::Log)],
        "the pipe is kept, not remade"
    );
    assert!(!actions.iter().any(|a| matches!(a, Action::MakePipe { .. })));
}

//= spec/svscan.md#scan-6
#[test]
fn the_log_decision_is_made_once() {
    let mut scan = started();
    let mut pid = 0;
    run_scan(
        &mut scan,
        Now::at_secs(0),
        vec![dir("a", 1, LogProbe::Missing)],
        &mut pid,
    );
    let actions = run_scan(
        &mut scan,
        Now::at_secs(5),
        vec![dir("a", 1, LogProbe::Exists)],
        &mut pid,
    );
    assert!(actions.is_empty());
    assert!(!scan.services()[0].logged);
}

//= spec/svscan.md#scan-6
#[test]
fn log_stat_and_pipe_failures_leave_the_service_unrecorded() {
    let mut scan = started();
    let actions = scan.handle(
        Now::at_secs(0),
        listing(vec![
            dir("a", 1, LogProbe::Failed(Errno::EACCES)),
            dir("b", 2, LogProbe::Exists),
        ]),
    );
    assert_eq!(
        actions[0],
        Action::Warn(Warning::StatLog {
            name: b"a".to_vec(),
            errno: Errno::EACCES
        })
    );
    let Action::MakePipe { service } = actions[1] else {
        panic!("pipe for b: {actions:?}")
    };
    let after = scan.handle(
        Now::at_secs(0),
        Event::PipeFailed {
            service,
            errno: Errno::EMFILE,
        },
    );
    assert_eq!(
        after[0],
        Action::Warn(Warning::CreatePipe {
            name: b"b".to_vec(),
            errno: Errno::EMFILE
        })
    );
    assert!(scan.services().is_empty());
    assert!(scan.next_deadline().is_some(), "the scan finished");
}

//= spec/svscan.md#scan-7
#[test]
fn a_failed_fork_skips_the_rest_of_that_service_until_the_next_scan() {
    let mut scan = started();
    let actions = scan.handle(
        Now::at_secs(0),
        listing(vec![dir("a", 1, LogProbe::Exists)]),
    );
    let Action::MakePipe { service } = actions[0] else {
        panic!("{actions:?}")
    };
    let spawn = scan.handle(Now::at_secs(0), Event::PipeMade { service });
    assert!(matches!(
        spawn[0],
        Action::SpawnSupervise {
            role: Role::Main,
            ..
        }
    ));
    let failed = scan.handle(
        Now::at_secs(0),
        Event::SpawnFailed {
            service,
            role: Role::Main,
            errno: Errno::EAGAIN,
        },
    );
    assert_eq!(
        failed,
        vec![Action::Warn(Warning::Fork {
            name: b"a".to_vec(),
            role: Role::Main,
            errno: Errno::EAGAIN
        })]
    );
    assert_eq!(scan.services()[0].log, None, "no log supervise either");
}

//= spec/svscan.md#scan-8
#[test]
fn a_vanished_directory_is_forgotten_once_both_supervises_are_gone() {
    let mut scan = started();
    let mut pid = 0;
    run_scan(
        &mut scan,
        Now::at_secs(0),
        vec![dir("a", 1, LogProbe::Exists)],
        &mut pid,
    );
    let view = scan.services()[0];
    // Gone from the directory but still supervised: kept, pipe open.
    assert!(run_scan(&mut scan, Now::at_secs(5), vec![], &mut pid).is_empty());
    assert_eq!(scan.services().len(), 1);
    for pid in [view.main, view.log].into_iter().flatten() {
        assert!(scan
            .handle(Now::at_secs(6), Event::ChildExited { pid })
            .is_empty());
    }
    let actions = run_scan(&mut scan, Now::at_secs(10), vec![], &mut pid);
    assert_eq!(actions, vec![Action::ClosePipe { service: view.id }]);
    assert!(scan.services().is_empty());
}

//= spec/svscan.md#scan-8
#[test]
fn a_failed_read_forgets_nothing() {
    let mut scan = started();
    let mut pid = 0;
    run_scan(
        &mut scan,
        Now::at_secs(0),
        vec![dir("a", 1, LogProbe::Missing)],
        &mut pid,
    );
    let only = scan.services()[0].main.expect("running");
    let _ = scan.handle(Now::at_secs(1), Event::ChildExited { pid: only });
    let _ = scan.handle(Now::at_secs(5), Event::Tick);
    let actions = scan.handle(
        Now::at_secs(5),
        Event::Scanned(Listing {
            entries: vec![],
            error: Some(Errno::EIO),
        }),
    );
    assert_eq!(
        actions,
        vec![Action::Warn(Warning::ReadDirectory(Errno::EIO))]
    );
    assert_eq!(scan.services().len(), 1);
}

//= spec/svscan.md#scan-5
#[test]
fn at_most_a_thousand_services() {
    let mut scan = started();
    let mut pid = 0;
    let entries: Vec<Entry> = (0..=MAX_SERVICES as u64)
        .map(|i| dir(&format!("s{i}"), i + 1, LogProbe::Missing))
        .collect();
    let actions = run_scan(&mut scan, Now::at_secs(0), entries, &mut pid);
    assert_eq!(scan.services().len(), MAX_SERVICES);
    assert_eq!(
        actions.last(),
        Some(&Action::Warn(Warning::TooManyServices {
            name: b"s1000".to_vec()
        }))
    );
}

//= spec/svscan.md#scan-3
#[test]
fn stat_failures_are_warnings() {
    let mut scan = started();
    let actions = scan.handle(
        Now::at_secs(0),
        listing(vec![Entry {
            name: b"x".to_vec(),
            kind: EntryKind::StatFailed(Errno::ELOOP),
        }]),
    );
    assert_eq!(
        actions,
        vec![Action::Warn(Warning::Stat {
            name: b"x".to_vec(),
            errno: Errno::ELOOP
        })]
    );
}

#[test]
fn answers_that_were_not_asked_for_are_ignored() {
    let mut scan = Scan::new();
    let stray = [
        Event::Tick,
        Event::Scanned(Listing::default()),
        Event::PipeMade {
            service: ServiceId(3),
        },
        Event::SpawnSucceeded {
            service: ServiceId(0),
            role: Role::Main,
            pid: Pid(5),
        },
        Event::ChildExited { pid: Pid(5) },
    ];
    for event in stray {
        assert!(scan.handle(Now::at_secs(0), event).is_empty());
    }
}

/// A started scanner with `a` (logged, pids 1 and 2) and `b` (unlogged,
/// pid 3) running.
fn two_running() -> Scan {
    let mut scan = started();
    let mut pid = 0;
    run_scan(
        &mut scan,
        Now::at_secs(0),
        vec![
            dir("a", 1, LogProbe::Exists),
            dir("b", 2, LogProbe::Missing),
        ],
        &mut pid,
    );
    scan
}

//= spec/svscan.md#scan-9
#[test]
fn a_stop_asks_every_supervise_to_finish_then_exits_when_all_are_gone() {
    let mut scan = two_running();
    let mut actions = scan.handle(Now::at_secs(2), Event::Stop { grace_secs: 10 });
    assert_eq!(
        scan.next_deadline(),
        Some(Now::at_secs(3).mono),
        "asks again a second later"
    );
    // Orphans and unknown children change nothing.
    actions.extend(scan.handle(Now::at_secs(2), Event::ChildExited { pid: Pid(99) }));
    actions.extend(scan.handle(Now::at_secs(3), Event::Tick));
    // The logged service's main goes: its pipe is closed so the logger
    // reads to the end; the logger's supervise goes last.
    actions.extend(scan.handle(Now::at_secs(3), Event::ChildExited { pid: Pid(1) }));
    actions.extend(scan.handle(Now::at_secs(3), Event::ChildExited { pid: Pid(3) }));
    assert!(
        !actions.contains(&Action::Exit(0)),
        "the log supervise still runs"
    );
    actions.extend(scan.handle(Now::at_secs(4), Event::ChildExited { pid: Pid(2) }));
    // Nothing more: no scans, no restarts.
    actions.extend(scan.handle(Now::at_secs(60), Event::Tick));
    actions.extend(scan.handle(
        Now::at_secs(60),
        listing(vec![dir("c", 3, LogProbe::Missing)]),
    ));
    insta::assert_snapshot!(transcript(&actions));
}

//= spec/svscan.md#scan-9
#[test]
fn a_stop_gives_up_after_the_grace_period() {
    let mut scan = two_running();
    let _ = scan.handle(Now::at_secs(0), Event::Stop { grace_secs: 2 });
    let _ = scan.handle(Now::at_secs(1), Event::Tick);
    let late = scan.handle(Now::at_secs(2), Event::Tick);
    assert_eq!(
        late,
        vec![
            Action::Warn(Warning::StillRunning { running: 3 }),
            Action::Exit(111)
        ]
    );
    assert_eq!(scan.next_deadline(), None);
    assert_eq!(scan.handle(Now::at_secs(3), Event::Tick), vec![]);
}

//= spec/svscan.md#scan-9
#[test]
fn a_stop_with_nothing_running_exits_at_once_and_closes_orphaned_pipes() {
    assert_eq!(
        Scan::new().handle(Now::at_secs(0), Event::Stop { grace_secs: 5 }),
        vec![Action::Exit(0)]
    );
    let mut scan = two_running();
    for pid in 1..=3 {
        assert_eq!(
            scan.handle(Now::at_secs(1), Event::ChildExited { pid: Pid(pid) }),
            vec![]
        );
    }
    assert_eq!(
        scan.handle(Now::at_secs(1), Event::Stop { grace_secs: 5 }),
        vec![
            Action::ClosePipe {
                service: ServiceId(0)
            },
            Action::Exit(0)
        ]
    );
    // A second stop is ignored.
    assert_eq!(
        scan.handle(Now::at_secs(1), Event::Stop { grace_secs: 5 }),
        vec![]
    );
}

//= spec/svscan.md#scan-9
#[test]
fn without_a_stop_the_machine_never_exits_or_writes_control_bytes() {
    let mut scan = two_running();
    let mut all = Vec::new();
    for t in 0..40 {
        all.extend(scan.handle(Now::at_secs(t), Event::Tick));
        if scan.next_deadline().is_none() {
            all.extend(scan.handle(Now::at_secs(t), listing(vec![])));
        }
        if t == 7 {
            all.extend(scan.handle(Now::at_secs(t), Event::ChildExited { pid: Pid(1) }));
        }
    }
    assert!(all
        .iter()
        .all(|a| !matches!(a, Action::Exit(_) | Action::Control { .. })));
}

/// The lookup starts where the previous match left off; a listing in
/// another order (entries renamed, added or removed between scans) must
/// still find every known service, wherever the cursor stands.
//= spec/svscan.md#scan-4
#[test]
fn known_services_are_found_in_any_listing_order() {
    let mut scan = started();
    let mut pid = 100;
    let names = ["a", "b", "c", "d"];
    let first: Vec<Entry> = (0..4)
        .map(|i| dir(names[i], i as u64 + 1, LogProbe::Missing))
        .collect();
    assert_eq!(
        spawned(&run_scan(&mut scan, Now::at_secs(0), first, &mut pid)).len(),
        4
    );
    let orders: [[usize; 4]; 4] = [[3, 2, 1, 0], [2, 3, 0, 1], [1, 0, 3, 2], [0, 2, 1, 3]];
    for (round, order) in orders.iter().enumerate() {
        let listing = order
            .iter()
            .map(|&i| dir(names[i], i as u64 + 1, LogProbe::Missing))
            .collect();
        let now = Now::at_secs(5 * (round as u64 + 1));
        let actions = run_scan(&mut scan, now, listing, &mut pid);
        assert_eq!(spawned(&actions), [], "order {order:?}: {actions:?}");
        assert_eq!(scan.services().len(), 4);
    }
    assert_eq!(scan.known_dev_inos(), [(1, 1), (1, 2), (1, 3), (1, 4)]);
}

//= spec/svscan.md#scan-10
#[test]
fn a_rescan_while_idle_scans_at_once() {
    let mut scan = started();
    let mut pid = 100;
    run_scan(&mut scan, Now::at_secs(0), vec![], &mut pid);
    assert_eq!(
        scan.next_deadline(),
        Some(Now::at_secs(0).mono.after_secs(RESCAN_SECS))
    );
    assert_eq!(
        scan.handle(Now::at_secs(1), Event::Rescan),
        vec![Action::Scan]
    );
    let actions = scan.handle(
        Now::at_secs(1),
        listing(vec![dir("new", 7, LogProbe::Missing)]),
    );
    assert_eq!(spawned(&actions), [("new".into(), Role::Main)]);
}

//= spec/svscan.md#scan-10
#[test]
fn a_rescan_during_a_scan_makes_the_next_scan_due_when_it_ends() {
    let mut scan = started();
    // The listing is being read: the rescan is remembered.
    assert!(scan.handle(Now::at_secs(0), Event::Rescan).is_empty());
    let actions = scan.handle(
        Now::at_secs(0),
        listing(vec![dir("a", 1, LogProbe::Missing)]),
    );
    let Some(Action::SpawnSupervise { service, role, .. }) = actions.first().cloned() else {
        panic!("expected a spawn: {actions:?}");
    };
    // Waiting for the fork's answer: a second rescan is the same request.
    assert!(scan.handle(Now::at_secs(0), Event::Rescan).is_empty());
    let event = Event::SpawnSucceeded {
        service,
        role,
        pid: Pid(5),
    };
    assert!(scan.handle(Now::at_secs(2), event).is_empty());
    assert_eq!(scan.next_deadline(), Some(Now::at_secs(2).mono));
    assert_eq!(
        scan.handle(Now::at_secs(2), Event::Tick),
        vec![Action::Scan]
    );
    // One request, one extra scan: after it the 5 seconds are back.
    let _ = scan.handle(
        Now::at_secs(2),
        listing(vec![dir("a", 1, LogProbe::Missing)]),
    );
    assert_eq!(
        scan.next_deadline(),
        Some(Now::at_secs(2).mono.after_secs(RESCAN_SECS))
    );
}

//= spec/svscan.md#scan-10
#[test]
fn a_rescan_before_the_start_or_while_stopping_does_nothing() {
    let mut scan = Scan::new();
    assert!(scan.handle(Now::at_secs(0), Event::Rescan).is_empty());
    assert_eq!(
        scan.handle(Now::at_secs(0), Event::Started),
        vec![Action::Scan]
    );
    let mut pid = 100;
    run_scan(
        &mut scan,
        Now::at_secs(0),
        vec![dir("a", 1, LogProbe::Missing)],
        &mut pid,
    );
    let _ = scan.handle(Now::at_secs(1), Event::Stop { grace_secs: 10 });
    assert!(scan.handle(Now::at_secs(1), Event::Rescan).is_empty());
}

//= spec/svscan.md#scan-11
#[test]
fn the_service_limit_can_be_set() {
    let mut scan = Scan::with_limit(2);
    assert_eq!(
        scan.handle(Now::at_secs(0), Event::Started),
        vec![Action::Scan]
    );
    let mut pid = 0;
    let entries = (0..3u64)
        .map(|i| dir(&format!("s{i}"), i + 1, LogProbe::Missing))
        .collect();
    let actions = run_scan(&mut scan, Now::at_secs(0), entries, &mut pid);
    assert_eq!(scan.services().len(), 2);
    assert_eq!(
        actions.last(),
        Some(&Action::Warn(Warning::TooManyServices {
            name: b"s2".to_vec()
        }))
    );
    let mut big = Scan::with_limit(MAX_SERVICES + 500);
    let _ = big.handle(Now::at_secs(0), Event::Started);
    let entries: Vec<Entry> = (0..MAX_SERVICES as u64 + 500)
        .map(|i| dir(&format!("s{i}"), i + 1, LogProbe::Missing))
        .collect();
    let actions = run_scan(&mut big, Now::at_secs(0), entries, &mut pid);
    assert_eq!(big.services().len(), MAX_SERVICES + 500);
    assert!(!actions.iter().any(|a| matches!(a, Action::Warn(_))));
}
