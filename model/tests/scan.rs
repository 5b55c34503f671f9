//! svscan's machine against the reference model, by random sequences
//! (proptest) and by exhaustive bounded exploration, with invariants checked
//! on every action.

use dt_core::process::Pid;
use dt_core::scan::{Action, Entry, EntryKind, Event, Listing, LogProbe, Role, Scan, ServiceId};
use dt_core::{Errno, Mono, Now};
use dt_model::scan::{Effect, ModelScan, Oracle, ScriptedOracle};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

/// The machine, the model and what really runs.
#[derive(Clone, Debug)]
struct Pair {
    core: Scan,
    model: ModelScan,
    now: u64,
    next_pid: i32,
    live: BTreeMap<(u64, Role), Pid>,
    pipes: BTreeSet<u64>,
    identity: BTreeMap<u64, (u64, u64)>,
}

fn fresh() -> Pair {
    let mut core = Scan::new();
    assert_eq!(
        core.handle(Now::at_secs(0), Event::Started),
        vec![Action::Scan]
    );
    Pair {
        core,
        model: ModelScan::default(),
        now: 0,
        next_pid: 100,
        live: BTreeMap::new(),
        pipes: BTreeSet::new(),
        identity: BTreeMap::new(),
    }
}

#[derive(Clone, Debug)]
enum Step {
    Scan {
        listing: Listing,
        fail_pipe: Option<usize>,
        fail_fork: Option<usize>,
        /// Started by `Rescan` (the opt-in instant rescan) before the
        /// deadline instead of by the tick at it.
        rescan: bool,
    },
    Exit(usize),
}

fn met(listing: &Listing) -> HashSet<(u64, u64)> {
    listing
        .entries
        .iter()
        .filter(|e| e.name.first() != Some(&b'.'))
        .filter_map(|e| match e.kind {
            EntryKind::Directory { dev, ino, .. } => Some((dev, ino)),
            _ => None,
        })
        .collect()
}

impl Pair {
    fn step(&mut self, step: &Step) -> Result<(), String> {
        match step {
            Step::Exit(k) => {
                let Some(&pid) = self.live.values().nth(*k) else {
                    return Ok(());
                };
                self.live.retain(|_, p| *p != pid);
                let actions = self
                    .core
                    .handle(Now::at_secs(self.now), Event::ChildExited { pid });
                self.model.reaped(pid);
                if !actions.is_empty() {
                    return Err(format!("actions on a child exit: {actions:?}"));
                }
            }
            Step::Scan {
                listing,
                fail_pipe,
                fail_fork,
                rescan,
            } => {
                let script = ScriptedOracle {
                    fail_pipe: *fail_pipe,
                    fail_fork: *fail_fork,
                    pipes: 0,
                    forks: 0,
                    next_pid: self.next_pid,
                };
                let mut model_script = script.clone();
                let expected = self.model.scan(listing, &mut model_script);
                let got = self.run_core_scan(listing, script, *rescan)?;
                if got != expected {
                    return Err(format!("core {got:?}\nmodel {expected:?}"));
                }
            }
        }
        self.check_tables()
    }

    fn run_core_scan(
        &mut self,
        listing: &Listing,
        mut script: ScriptedOracle,
        rescan: bool,
    ) -> Result<Vec<Effect>, String> {
        if rescan && self.core.next_deadline().is_some() {
            // Whenever it comes between scans, a rescan starts one at once.
            let actions = self.core.handle(Now::at_secs(self.now), Event::Rescan);
            if actions != vec![Action::Scan] {
                return Err(format!("rescan gave {actions:?}"));
            }
        } else if let Some(deadline) = self.core.next_deadline() {
            self.now = deadline.0 / Mono::SECOND;
            let tick = self.core.handle(Now::at_secs(self.now), Event::Tick);
            if tick != vec![Action::Scan] {
                return Err(format!("tick gave {tick:?}"));
            }
        }
        let now = Now::at_secs(self.now);
        let met = met(listing);
        let mut effects = Vec::new();
        let mut queue: VecDeque<Action> = self
            .core
            .handle(now, Event::Scanned(listing.clone()))
            .into();
        while let Some(action) = queue.pop_front() {
            let answer = match action {
                Action::Scan => return Err("scan in the middle of a scan".into()),
                Action::Control { .. } | Action::Exit(_) => {
                    return Err(format!("{action:?} without a stop"));
                }
                Action::MakePipe { service } => {
                    effects.push(Effect::MakePipe(service.0));
                    if !self.pipes.insert(service.0) {
                        return Err(format!("second pipe for {service:?}"));
                    }
                    Some(match script.pipe() {
                        Ok(()) => Event::PipeMade { service },
                        Err(errno) => {
                            self.pipes.remove(&service.0);
                            Event::PipeFailed { service, errno }
                        }
                    })
                }
                Action::SpawnSupervise {
                    service,
                    role,
                    name,
                    logged,
                } => {
                    effects.push(Effect::Spawn(service.0, role, name.clone()));
                    if name.first() == Some(&b'.') {
                        return Err(format!("started a dot-directory {name:?}"));
                    }
                    if self.live.contains_key(&(service.0, role)) {
                        return Err(format!("second {role:?} supervise for {service:?}"));
                    }
                    if logged && !self.pipes.contains(&service.0) {
                        return Err(format!("{service:?} spawned without its pipe"));
                    }
                    Some(match script.fork() {
                        Ok(pid) => {
                            self.live.insert((service.0, role), pid);
                            Event::SpawnSucceeded { service, role, pid }
                        }
                        Err(errno) => Event::SpawnFailed {
                            service,
                            role,
                            errno,
                        },
                    })
                }
                Action::ClosePipe { service } => {
                    effects.push(Effect::ClosePipe(service.0));
                    if self.live.keys().any(|(id, _)| *id == service.0) {
                        return Err(format!("closed the pipe of running {service:?}"));
                    }
                    if self
                        .identity
                        .get(&service.0)
                        .is_some_and(|d| met.contains(d))
                    {
                        return Err(format!(
                            "closed the pipe of {service:?}, whose directory exists"
                        ));
                    }
                    if !self.pipes.remove(&service.0) {
                        return Err(format!("closed a pipe never made: {service:?}"));
                    }
                    None
                }
                Action::Warn(w) => {
                    effects.push(Effect::Warn(warn_key(&w)));
                    None
                }
            };
            if let Some(event) = answer {
                let mut more: VecDeque<Action> = self.core.handle(now, event).into();
                more.append(&mut queue);
                queue = more;
            }
        }
        self.next_pid = script.next_pid;
        if self.core.next_deadline() != Some(Mono::from_secs(self.now + 5)) {
            return Err("the scan did not end with a five-second deadline".into());
        }
        for view in self.core.services() {
            self.identity.insert(view.id.0, view.dev_ino);
        }
        Ok(effects)
    }

    fn check_tables(&self) -> Result<(), String> {
        let mut core: Vec<_> = self
            .core
            .services()
            .into_iter()
            .map(|s| (s.dev_ino, s.logged, s.main, s.log))
            .collect();
        core.sort();
        if core != self.model.table() {
            return Err(format!(
                "tables differ: core {core:?} model {:?}",
                self.model.table()
            ));
        }
        let identities: HashSet<_> = self.core.services().iter().map(|s| s.dev_ino).collect();
        if identities.len() != self.core.services().len() {
            return Err("two services share a directory".into());
        }
        Ok(())
    }

    /// The state up to renaming of ids and pids.
    fn canonical(&self) -> Vec<((u64, u64), bool, bool, bool)> {
        let mut rows: Vec<_> = self
            .core
            .services()
            .iter()
            .map(|s| (s.dev_ino, s.logged, s.main.is_some(), s.log.is_some()))
            .collect();
        rows.sort();
        rows
    }
}

/// The model's words for a warning (ids aside, the same facts).
fn warn_key(w: &dt_core::scan::Warning) -> String {
    use dt_core::scan::Warning;
    match w {
        Warning::ReadDirectory(e) => format!("read directory {e:?}"),
        Warning::Stat { errno, .. } => format!("stat {errno:?}"),
        Warning::TooManyServices { .. } => "too many".into(),
        Warning::StatLog { errno, .. } => format!("stat log {errno:?}"),
        Warning::CreatePipe { errno, .. } => format!("pipe {errno:?}"),
        Warning::Fork { errno, .. } => format!("fork {errno:?}"),
        Warning::StillRunning { running } => format!("still running {running}"),
    }
}

fn dir(name: &str, ino: u64, log: LogProbe) -> Entry {
    Entry {
        name: name.as_bytes().to_vec(),
        kind: EntryKind::Directory { dev: 1, ino, log },
    }
}

/// A small universe of directory listings that reach every path.
fn listings() -> Vec<Listing> {
    let ok = |entries| Listing {
        entries,
        error: None,
    };
    vec![
        ok(vec![]),
        ok(vec![dir("a", 1, LogProbe::Missing)]),
        ok(vec![
            dir("a", 1, LogProbe::Exists),
            dir("b", 2, LogProbe::Exists),
        ]),
        ok(vec![dir("a", 2, LogProbe::Exists)]),
        ok(vec![
            dir(".h", 3, LogProbe::Missing),
            Entry {
                name: b"x".to_vec(),
                kind: EntryKind::StatFailed(Errno::ELOOP),
            },
            Entry {
                name: b"f".to_vec(),
                kind: EntryKind::NotDirectory,
            },
            dir("c", 3, LogProbe::Failed(Errno::EACCES)),
        ]),
        ok(vec![
            dir("a", 1, LogProbe::Exists),
            dir("ln", 1, LogProbe::Exists),
        ]),
        ok(vec![
            dir("c", 3, LogProbe::Exists),
            dir("d", 4, LogProbe::Missing),
        ]),
        Listing {
            entries: vec![dir("b", 2, LogProbe::Exists)],
            error: Some(Errno::EIO),
        },
    ]
}

fn steps(pair: &Pair) -> Vec<Step> {
    let mut out = Vec::new();
    for listing in listings() {
        for (fail_pipe, fail_fork) in [
            (None, None),
            (Some(1), None),
            (None, Some(1)),
            (None, Some(2)),
        ] {
            out.push(Step::Scan {
                listing: listing.clone(),
                fail_pipe,
                fail_fork,
                rescan: false,
            });
        }
    }
    out.extend((0..pair.live.len()).map(Step::Exit));
    out
}

//= spec/svscan.md#scan-3
//= spec/svscan.md#scan-4
//= spec/svscan.md#scan-6
//= spec/svscan.md#scan-7
//= spec/svscan.md#scan-8
#[test]
fn exhaustive_exploration_keeps_every_invariant_and_agrees_with_the_model() {
    // Breadth-first to the fixpoint: every state (up to renaming of ids and
    // pids) reachable with this universe of listings and failures.
    const MAX_DEPTH: usize = 40;
    let mut seen = HashSet::new();
    let start = fresh();
    seen.insert(start.canonical());
    let mut frontier = vec![start];
    let mut transitions = 0usize;
    let mut depth = 0;
    while !frontier.is_empty() && depth < MAX_DEPTH {
        depth += 1;
        let mut next = Vec::new();
        for pair in &frontier {
            for step in steps(pair) {
                let mut after = pair.clone();
                transitions += 1;
                if let Err(problem) = after.step(&step) {
                    panic!("{problem}\nafter {step:?}\nfrom {:?}", pair.canonical());
                }
                if seen.insert(after.canonical()) {
                    next.push(after);
                }
            }
        }
        frontier = next;
    }
    println!(
        "svscan exploration: {} distinct states, {transitions} transitions, fixpoint at depth {depth}",
        seen.len()
    );
    assert!(frontier.is_empty(), "no fixpoint within {MAX_DEPTH} steps");
    assert!(
        seen.len() >= 100,
        "the universe reaches only {} states",
        seen.len()
    );
}

fn any_entry() -> impl Strategy<Value = Entry> {
    let name = prop_oneof![Just("a"), Just("b"), Just("c"), Just(".d"), Just("ln")];
    let log = prop_oneof![
        Just(LogProbe::Exists),
        Just(LogProbe::Missing),
        Just(LogProbe::Failed(Errno::EACCES)),
        Just(LogProbe::NameTooLong)
    ];
    let kind = prop_oneof![
        6 => (1u64..5, log).prop_map(|(ino, log)| EntryKind::Directory { dev: 1, ino, log }),
        1 => Just(EntryKind::NotDirectory),
        1 => Just(EntryKind::StatFailed(Errno::ENOENT)),
    ];
    (name, kind).prop_map(|(name, kind)| Entry {
        name: name.as_bytes().to_vec(),
        kind,
    })
}

fn any_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (
            proptest::collection::vec(any_entry(), 0..6),
            proptest::option::weighted(0.1, Just(Errno::EIO)),
            proptest::option::weighted(0.2, 1usize..3),
            proptest::option::weighted(0.2, 1usize..4),
            proptest::bool::weighted(0.3),
        )
            .prop_map(|(entries, error, fail_pipe, fail_fork, rescan)| Step::Scan {
                listing: Listing { entries, error },
                fail_pipe,
                fail_fork,
                rescan,
            }),
        2 => (0usize..8).prop_map(Step::Exit),
    ]
}

proptest! {
    //= spec/svscan.md#scan-4
    //= spec/svscan.md#scan-5
    //= spec/svscan.md#scan-8
    #[test]
    fn random_runs_agree_with_the_model(run in proptest::collection::vec(any_step(), 1..30)) {
        let mut pair = fresh();
        for step in &run {
            if let Err(problem) = pair.step(step) {
                prop_assert!(false, "{problem}\nafter {step:?}");
            }
        }
    }
}

#[test]
fn service_ids_are_never_reused() {
    let mut pair = fresh();
    let listing = Listing {
        entries: vec![dir("a", 1, LogProbe::Exists)],
        error: None,
    };
    let scan = Step::Scan {
        listing,
        fail_pipe: None,
        fail_fork: None,
        rescan: false,
    };
    pair.step(&scan).expect("first scan");
    let first = pair.core.services()[0].id;
    pair.step(&Step::Exit(0)).expect("exit");
    pair.step(&Step::Exit(0)).expect("exit");
    pair.step(&Step::Scan {
        listing: Listing::default(),
        fail_pipe: None,
        fail_fork: None,
        rescan: true,
    })
    .expect("forget");
    pair.step(&scan).expect("again");
    assert_ne!(pair.core.services()[0].id, first);
    assert_eq!(first, ServiceId(0));
}
