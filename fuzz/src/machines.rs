//! The two process-managing machines fed arbitrary event sequences, each in
//! lockstep with its reference model in `dt-model`, the driver played by the
//! target itself (honouring each machine's run-loop contract).

use arbitrary::Unstructured;
use dt_core::process::{ExitKind, Pid};
use dt_core::scan::{self, Entry, EntryKind, Listing, LogProbe, Role, Scan};
use dt_core::supervise::{self, Command, Config, Supervise};
use dt_core::{label, Errno, Mono, Now};
use dt_model::scan::{Effect, ModelScan, Oracle, ScriptedOracle};
use dt_model::supervise::ModelSupervise;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The most events one input drives (each costs at least one byte anyway).
const MAX_STEPS: usize = 400;

/// Service pids are handed out from here up; smaller ones are other
/// children of supervise (which it must ignore).
const FIRST_PID: i32 = 100;

/// A fake clock reading `ms` milliseconds after the start.
pub(crate) fn at_ms(ms: u64) -> Now {
    Now {
        mono: Mono(ms.saturating_mul(1_000_000)),
        wall: label::from_unix(
            i64::try_from(ms / 1000).unwrap_or(i64::MAX),
            u32::try_from(ms % 1000).unwrap_or(0) * 1_000_000,
        ),
    }
}

fn any_errno(u: &mut Unstructured<'_>) -> Errno {
    *u.choose(&[
        Errno::EAGAIN,
        Errno::ENOMEM,
        Errno::EMFILE,
        Errno(0),
        Errno(-1),
    ])
    .unwrap_or(&Errno::EAGAIN)
}

/// How far to move the fake clock: not at all, a little, to the machine's
/// `deadline` or just past it, or past the 60-second fork back-off.
pub(crate) fn any_advance(u: &mut Unstructured<'_>, deadline: Option<Mono>, now_ms: u64) -> u64 {
    let to_deadline = deadline.map_or(0, |d| (d.0 / 1_000_000).saturating_sub(now_ms));
    match u.int_in_range(0..=9u8).unwrap_or(0) {
        0..=2 => 0,
        3..=5 => u.int_in_range(0..=1500u64).unwrap_or(0),
        6 | 7 => to_deadline,
        8 => to_deadline + u.int_in_range(0..=100u64).unwrap_or(0),
        _ => 61_000,
    }
}

pub(crate) fn any_exit(u: &mut Unstructured<'_>) -> ExitKind {
    u.arbitrary().unwrap_or(ExitKind::Exited(0))
}

/// The supervise machine and `ModelSupervise` fed the same events at the
/// same (fake) times: after every step the actions, the status record, the
/// deadline and whether it exited agree. The target plays the driver of
/// `core/src/supervise/mod.rs`: every `Spawn` (always the last action) is
/// answered at once with `SpawnSucceeded` and a fresh pid or `SpawnFailed`;
/// a child exits at most once; nothing is sent after `Exit`. Besides that
/// it sends everything at any time: every control byte, `Tick`s early and
/// late, repeated `Started`, exits of other children, unsolicited answers.
///
/// Invariants checked on the machine's own actions: never a `Spawn` while a
/// service child it started is alive (not yet reported exited) and at most
/// one per step; `Exit` is last, only after `x`, only once no child is
/// alive and right after a status write with pid 0; signals only ever go to
/// a pid the driver handed out for the service; a written record never
/// says paused with pid 0; the machine's `status()` is the last record
/// written except after commands that write nothing.
//= spec/supervise.md#sup-3
//= spec/supervise.md#sup-6
//= spec/supervise.md#sup-15
//= spec/supervise.md#sup-16
//= spec/supervise.md#sup-17
//= spec/supervise.md#sup-18
//= spec/supervise.md#sup-19
//= spec/supervise.md#sup-20
pub fn supervise_events(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let cfg = Config {
        down_file: u.arbitrary().unwrap_or(false),
    };
    let (mut core, first) = Supervise::new(cfg, at_ms(0));
    let (mut model, model_first) = ModelSupervise::new(cfg, at_ms(0));
    assert_eq!(first, model_first, "actions of new");
    let mut written = match first[..] {
        [supervise::Action::WriteStatus(record)] => record,
        _ => panic!("new must write the status once: {first:?}"),
    };
    let mut now_ms = 0u64;
    let mut next_pid = FIRST_PID;
    let mut alive: BTreeSet<i32> = BTreeSet::new();
    let mut handed_out: BTreeSet<i32> = BTreeSet::new();
    let mut spawn_pending = false;
    let mut exit_sent = false;
    for _ in 0..MAX_STEPS {
        if u.is_empty() {
            break;
        }
        let (advance, event) = if spawn_pending {
            // The answer, at once (a fork takes a moment at most).
            let advance = u.int_in_range(0..=2u64).unwrap_or(0);
            let event = match u.int_in_range(0..=9u8).unwrap_or(0) {
                0..=6 => {
                    next_pid += u.int_in_range(0..=2).unwrap_or(0);
                    supervise::Event::SpawnSucceeded { pid: Pid(next_pid) }
                }
                7 => supervise::Event::SpawnSucceeded {
                    pid: Pid(*u.choose(&[0, -1, i32::MIN]).unwrap_or(&0)),
                },
                _ => supervise::Event::SpawnFailed {
                    errno: any_errno(&mut u),
                },
            };
            (advance, event)
        } else {
            let advance = any_advance(&mut u, core.next_deadline(), now_ms);
            let service = alive.iter().next().copied();
            let event = match u.int_in_range(0..=19u8).unwrap_or(0) {
                0..=7 => {
                    supervise::Event::Control(*u.choose(&Command::ALL).unwrap_or(&Command::Up))
                }
                8..=10 => supervise::Event::Tick,
                11..=14 => match service {
                    Some(pid) => supervise::Event::ChildExited {
                        pid: Pid(pid),
                        status: any_exit(&mut u),
                    },
                    None => supervise::Event::Tick,
                },
                // Some other child of supervise (pids below the service's).
                15 => supervise::Event::ChildExited {
                    pid: Pid(u.int_in_range(1..=5).unwrap_or(1)),
                    status: any_exit(&mut u),
                },
                16 | 17 => supervise::Event::Started,
                // Answers nobody asked for: both must ignore them.
                18 => {
                    next_pid += 1;
                    supervise::Event::SpawnSucceeded { pid: Pid(next_pid) }
                }
                _ => supervise::Event::SpawnFailed {
                    errno: any_errno(&mut u),
                },
            };
            (advance, event)
        };
        now_ms = now_ms.saturating_add(advance);
        let now = at_ms(now_ms);
        let before = core.status();
        let actions = core.handle(now, event);
        let expected = model.step(now, event);
        assert_eq!(actions, expected, "actions for {event:?} at {now_ms} ms");

        // The driver's side.
        let answered = spawn_pending;
        spawn_pending = false;
        match event {
            supervise::Event::SpawnSucceeded { pid } if answered && pid.0 > 0 => {
                alive.insert(pid.0);
                handed_out.insert(pid.0);
                next_pid = next_pid.max(pid.0) + 1;
            }
            supervise::Event::SpawnSucceeded { pid } => next_pid = next_pid.max(pid.0) + 1,
            supervise::Event::ChildExited { pid, .. } => {
                alive.remove(&pid.0);
            }
            supervise::Event::Control(Command::Exit) => exit_sent = true,
            _ => {}
        }

        let mut previous = None;
        for (i, action) in actions.iter().enumerate() {
            let last = i + 1 == actions.len();
            match *action {
                supervise::Action::Spawn => {
                    assert!(last, "Spawn is not the last action: {actions:?}");
                    assert!(alive.is_empty(), "two children: {alive:?} and a Spawn");
                    spawn_pending = true;
                }
                supervise::Action::Exit(code) => {
                    assert_eq!(code, 0);
                    assert!(last, "actions after Exit: {actions:?}");
                    assert!(exit_sent, "Exit without x");
                    assert!(alive.is_empty(), "Exit with a child alive: {alive:?}");
                    assert!(
                        matches!(previous, Some(supervise::Action::WriteStatus(r)) if r.pid == 0),
                        "Exit not right after a status write with pid 0: {actions:?}"
                    );
                }
                supervise::Action::WriteStatus(record) => {
                    assert!(!(record.paused && record.pid == 0), "paused with pid 0");
                    written = record;
                }
                supervise::Action::Signal { pid, .. } => {
                    assert!(handed_out.contains(&pid.0), "signal to {pid:?}");
                    assert_eq!(before.pid, u32::try_from(pid.0).unwrap_or(0));
                }
                supervise::Action::WarnForkFailed { .. } => {
                    assert!(
                        matches!(event, supervise::Event::SpawnFailed { .. })
                            || matches!(event, supervise::Event::SpawnSucceeded { pid } if pid.0 <= 0),
                        "a fork warning for {event:?}"
                    );
                }
            }
            previous = Some(*action);
        }

        assert_eq!(core.status(), model.status(), "status");
        assert_eq!(core.next_deadline(), model.deadline(), "deadline");
        assert_eq!(core.has_exited(), model.gone(), "exited");
        let status = core.status();
        assert!(!(status.paused && status.pid == 0));
        if status.pid != 0 {
            assert!(handed_out.contains(&i32::try_from(status.pid).unwrap_or(-1)));
        }
        // Every change of the record is written at once (the commands that
        // write nothing change nothing in it).
        assert_eq!(status, written, "status differs from the last write");
        // A Tick before the deadline does nothing.
        if core.next_deadline().is_none_or(|d| d > now.mono) && !spawn_pending {
            let mut probe = core.clone();
            assert!(probe.handle(now, supervise::Event::Tick).is_empty());
            assert_eq!(probe, core, "an early Tick changed the machine");
        }
        if core.has_exited() {
            break;
        }
    }
}

/// The driver's view of svscan's world.
struct ScanWorld {
    core: Scan,
    model: ModelScan,
    now: u64,
    next_pid: i32,
    /// Running supervise processes, by (service, role).
    live: BTreeMap<(u64, Role), Pid>,
    /// Pipes made and not closed, by service.
    pipes: BTreeSet<u64>,
    /// Each service's directory, as last seen in the machine's table.
    identity: BTreeMap<u64, (u64, u64)>,
    /// The name each directory was last met under.
    last_name: BTreeMap<(u64, u64), Vec<u8>>,
}

/// A directory entry from a small universe (so that identities and names
/// collide), or now and then any name.
fn any_entry(u: &mut Unstructured<'_>) -> arbitrary::Result<Entry> {
    let name = match u.int_in_range(0..=7u8)? {
        0 => u.arbitrary::<Vec<u8>>()?,
        k => [&b"a"[..], b"b", b"c", b".h", b"ln", b"log", b""]
            .get(usize::from(k - 1))
            .copied()
            .unwrap_or(b"a")
            .to_vec(),
    };
    let kind = match u.int_in_range(0..=9u8)? {
        0 => EntryKind::StatFailed(any_errno(u)),
        1 => EntryKind::NotDirectory,
        _ => EntryKind::Directory {
            dev: u.int_in_range(1..=2)?,
            ino: u.int_in_range(1..=6)?,
            log: match u.int_in_range(0..=5u8)? {
                0..=2 => LogProbe::Exists,
                3 => LogProbe::Missing,
                4 => LogProbe::Failed(any_errno(u)),
                _ => LogProbe::NameTooLong,
            },
        },
    };
    Ok(Entry { name, kind })
}

/// The model's words for a warning (ids aside, the same facts).
fn warn_key(w: &scan::Warning) -> String {
    use scan::Warning;
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

impl ScanWorld {
    /// One whole scan by the machine, driven as its contract says, checking
    /// the driver-visible invariants; the effects in the model's words.
    fn core_scan(&mut self, listing: &Listing, mut answers: ScriptedOracle) -> Vec<Effect> {
        if let Some(deadline) = self.core.next_deadline() {
            // A Tick before the deadline does nothing.
            let early = self.core.handle(
                Now::at_secs((deadline.0 / Mono::SECOND).saturating_sub(1)),
                scan::Event::Tick,
            );
            assert!(early.is_empty(), "early tick gave {early:?}");
            self.now = deadline.0 / Mono::SECOND;
            let tick = self.core.handle(Now::at_secs(self.now), scan::Event::Tick);
            assert_eq!(tick, vec![scan::Action::Scan], "the tick at the deadline");
        }
        let now = Now::at_secs(self.now);
        let met: BTreeSet<(u64, u64)> = listing
            .entries
            .iter()
            .filter(|e| e.name.first() != Some(&b'.'))
            .filter_map(|e| match e.kind {
                EntryKind::Directory { dev, ino, .. } => Some((dev, ino)),
                _ => None,
            })
            .collect();
        for entry in &listing.entries {
            if let (EntryKind::Directory { dev, ino, .. }, false) =
                (entry.kind, entry.name.first() == Some(&b'.'))
            {
                self.last_name.insert((dev, ino), entry.name.clone());
            }
        }
        let mut effects = Vec::new();
        let mut queue: VecDeque<scan::Action> = self
            .core
            .handle(now, scan::Event::Scanned(listing.clone()))
            .into();
        while let Some(action) = queue.pop_front() {
            let answer = match action {
                scan::Action::Scan => panic!("a scan in the middle of a scan"),
                scan::Action::Control { .. } | scan::Action::Exit(_) => {
                    panic!("{action:?} without a stop")
                }
                scan::Action::MakePipe { service } => {
                    effects.push(Effect::MakePipe(service.0));
                    assert!(self.pipes.insert(service.0), "second pipe for {service:?}");
                    Some(match answers.pipe() {
                        Ok(()) => scan::Event::PipeMade { service },
                        Err(errno) => {
                            self.pipes.remove(&service.0);
                            scan::Event::PipeFailed { service, errno }
                        }
                    })
                }
                scan::Action::SpawnSupervise {
                    service,
                    role,
                    name,
                    logged,
                } => {
                    effects.push(Effect::Spawn(service.0, role, name.clone()));
                    assert_ne!(name.first(), Some(&b'.'), "started a dot-directory");
                    assert!(
                        !self.live.contains_key(&(service.0, role)),
                        "second {role:?} supervise for {service:?}"
                    );
                    if logged || role == Role::Log {
                        assert!(self.pipes.contains(&service.0), "no pipe for {service:?}");
                    }
                    if role == Role::Log {
                        assert!(logged, "a log supervise for an unlogged service");
                    }
                    Some(match answers.fork() {
                        Ok(pid) => {
                            self.live.insert((service.0, role), pid);
                            scan::Event::SpawnSucceeded { service, role, pid }
                        }
                        Err(errno) => scan::Event::SpawnFailed {
                            service,
                            role,
                            errno,
                        },
                    })
                }
                scan::Action::ClosePipe { service } => {
                    effects.push(Effect::ClosePipe(service.0));
                    assert!(
                        !self.live.keys().any(|(id, _)| *id == service.0),
                        "closed the pipe of running {service:?}"
                    );
                    assert!(
                        !self
                            .identity
                            .get(&service.0)
                            .is_some_and(|d| met.contains(d)),
                        "closed the pipe of {service:?}, whose directory exists"
                    );
                    assert!(self.pipes.remove(&service.0), "closed a pipe never made");
                    None
                }
                scan::Action::Warn(w) => {
                    effects.push(Effect::Warn(warn_key(&w)));
                    None
                }
            };
            if let Some(event) = answer {
                let mut more: VecDeque<scan::Action> = self.core.handle(now, event).into();
                more.append(&mut queue);
                queue = more;
            }
        }
        self.next_pid = answers.next_pid;
        assert_eq!(
            self.core.next_deadline(),
            Some(Mono::from_secs(self.now + 5)),
            "the scan did not end with a five-second deadline"
        );
        for view in self.core.services() {
            self.identity.insert(view.id.0, view.dev_ino);
        }
        effects
    }

    /// The requests a stopping svscan sends: `dx` to every running main
    /// supervise and `x` to every running log supervise, in table order,
    /// by the name each service was last met under.
    fn expected_requests(&self) -> Vec<scan::Action> {
        let mut out = Vec::new();
        for view in self.core.services() {
            let name = self
                .last_name
                .get(&view.dev_ino)
                .cloned()
                .unwrap_or_default();
            if view.main.is_some() {
                out.push(scan::Action::Control {
                    name: name.clone(),
                    role: Role::Main,
                    bytes: b"dx",
                });
            }
            if view.log.is_some() {
                out.push(scan::Action::Control {
                    name,
                    role: Role::Log,
                    bytes: b"x",
                });
            }
        }
        out
    }

    /// The opt-in stop mode (SCAN-9) from an idle svscan: `Stop`, then
    /// supervise exits, ticks early and at the deadline, late listings and
    /// second signals in an order drawn from the input. The requests are
    /// exactly [`Self::expected_requests`] at the stop and at each nudge; a
    /// logged service's pipe is closed once its main supervise is gone
    /// (each pipe once, never one still in use by a running main); exit 0
    /// exactly when no supervise is left, with every pipe closed; exit 111
    /// after `StillRunning` with the number left, only at the end of the
    /// grace period; nothing at all after the exit.
    fn stop(mut self, u: &mut Unstructured<'_>) {
        let grace = u.int_in_range(0..=12u64).unwrap_or(0);
        let stop_at = self.now;
        let mut exited = false;
        let mut first = true;
        for _ in 0..MAX_STEPS {
            let deadline_secs = self.core.next_deadline().map(|d| d.0 / Mono::SECOND);
            let choice = if first {
                0
            } else if u.is_empty() {
                // Run the clock out: the grace period ends it.
                match deadline_secs {
                    Some(_) => 2,
                    None => break,
                }
            } else {
                u.int_in_range(0..=7u8).unwrap_or(2)
            };
            let (event, now) = match choice {
                0 => (scan::Event::Stop { grace_secs: grace }, self.now),
                1 | 4 => {
                    let live: Vec<Pid> = self.live.values().copied().collect();
                    let pid = if live.is_empty() {
                        Pid(u.int_in_range(1..=99).unwrap_or(1))
                    } else {
                        live[u.choose_index(live.len()).unwrap_or(0)]
                    };
                    (scan::Event::ChildExited { pid }, self.now)
                }
                2 => {
                    let Some(at) = deadline_secs else { continue };
                    self.now = self.now.max(at);
                    (scan::Event::Tick, self.now)
                }
                3 => (scan::Event::Tick, self.now),
                5 => (scan::Event::Scanned(Listing::default()), self.now),
                6 => (scan::Event::Started, self.now),
                _ => (scan::Event::Rescan, self.now),
            };
            let early_tick =
                matches!(event, scan::Event::Tick) && deadline_secs.is_none_or(|d| d > self.now);
            let before: BTreeMap<u64, (Option<Pid>, Option<Pid>, bool)> = self
                .core
                .services()
                .iter()
                .map(|v| (v.id.0, (v.main, v.log, v.logged)))
                .collect();
            let requests_before = self.expected_requests();
            if let scan::Event::ChildExited { pid } = event {
                self.live.retain(|_, p| *p != pid);
            }
            let actions = self.core.handle(Now::at_secs(now), event.clone());
            if exited {
                assert!(actions.is_empty(), "{actions:?} after the exit");
                continue;
            }
            let mut rest: &[scan::Action] = &actions;
            // Pipes closed: at the stop, of every logged service whose main
            // supervise is gone; later, of the one whose main just exited.
            while let Some((scan::Action::ClosePipe { service }, tail)) = rest.split_first() {
                let (main, _, logged) = before.get(&service.0).copied().unwrap_or_default();
                assert!(logged, "closed the pipe of unlogged {service:?}");
                match event {
                    scan::Event::Stop { .. } => assert!(main.is_none()),
                    scan::Event::ChildExited { pid } => assert_eq!(main, Some(pid)),
                    _ => panic!("closed a pipe on {event:?}"),
                }
                assert!(
                    !self.live.contains_key(&(service.0, Role::Main)),
                    "closed the pipe of a running supervise"
                );
                assert!(self.pipes.remove(&service.0), "closed {service:?} twice");
                rest = tail;
            }
            if first || (matches!(event, scan::Event::Tick) && !early_tick) {
                // The requests, at the stop and at each nudge.
                let requests = self.expected_requests();
                let n = requests.len().min(rest.len());
                if rest[..n] == requests[..] {
                    rest = &rest[n..];
                } else if first {
                    panic!("requests at the stop: {actions:?}, expected {requests:?}");
                }
            }
            match rest {
                [] => {}
                [scan::Action::Exit(0)] => {
                    assert!(self.live.is_empty(), "exit 0 with {:?} running", self.live);
                    assert!(self.pipes.is_empty(), "exit 0 with pipes {:?}", self.pipes);
                    exited = true;
                }
                [scan::Action::Warn(scan::Warning::StillRunning { running }), scan::Action::Exit(111)] =>
                {
                    assert_eq!(*running, self.live.len());
                    assert!(!self.live.is_empty(), "gave up with nothing running");
                    assert!(now >= stop_at + grace, "gave up early");
                    assert!(matches!(event, scan::Event::Tick));
                    exited = true;
                }
                other => panic!(
                    "{event:?} while stopping gave {other:?} (all: {actions:?}, \
                     requests before {requests_before:?})"
                ),
            }
            if early_tick {
                assert!(actions.is_empty(), "an early tick did {actions:?}");
            }
            if matches!(
                event,
                scan::Event::Stop { .. }
                    | scan::Event::Started
                    | scan::Event::Scanned(_)
                    | scan::Event::Rescan
            ) && !first
            {
                assert!(
                    actions.is_empty(),
                    "{event:?} while stopping did {actions:?}"
                );
            }
            first = false;
            if !exited {
                assert!(
                    self.core.next_deadline().is_some(),
                    "stopping with no deadline"
                );
            }
        }
        assert!(
            exited || !u.is_empty() || self.core.next_deadline().is_none(),
            "the stop never ended"
        );
    }

    fn check_tables(&self) {
        let views = self.core.services();
        let mut core: Vec<_> = views
            .iter()
            .map(|s| (s.dev_ino, s.logged, s.main, s.log))
            .collect();
        core.sort();
        assert_eq!(core, self.model.table(), "tables differ");
        let identities: BTreeSet<_> = views.iter().map(|s| s.dev_ino).collect();
        assert_eq!(
            identities.len(),
            views.len(),
            "two services share a directory"
        );
        for view in &views {
            assert_eq!(view.main, self.live.get(&(view.id.0, Role::Main)).copied());
            assert_eq!(view.log, self.live.get(&(view.id.0, Role::Log)).copied());
            assert_eq!(
                view.logged,
                self.pipes.contains(&view.id.0),
                "pipe of a service"
            );
        }
        assert!(views.len() <= scan::MAX_SERVICES);
    }
}

/// svscan's machine and `ModelScan` fed the same directory listings (drawn
/// from a small universe of names and inodes, with stat, log-probe and
/// read errors) and the same child exits, with pipe and fork failures at
/// points drawn from the input: the effects of every scan (pipes, spawns,
/// closes, warnings) are the model's, in order, and the tables agree after
/// every step. The driver checks what it can see: one pipe per logged
/// service made before its supervises, never two supervises for one role,
/// dot-directories never started, a pipe closed only once nothing runs on
/// it and its directory is gone, each scan ending with a five-second
/// deadline; child exits and early ticks produce no action.
//= spec/svscan.md#scan-2
//= spec/svscan.md#scan-3
//= spec/svscan.md#scan-4
//= spec/svscan.md#scan-6
//= spec/svscan.md#scan-7
//= spec/svscan.md#scan-8
pub fn scan_events(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut core = Scan::new();
    assert!(core.handle(Now::at_secs(0), scan::Event::Tick).is_empty());
    assert_eq!(
        core.handle(Now::at_secs(0), scan::Event::Started),
        vec![scan::Action::Scan]
    );
    let mut world = ScanWorld {
        core,
        model: ModelScan::default(),
        now: 0,
        next_pid: 100,
        live: BTreeMap::new(),
        pipes: BTreeSet::new(),
        identity: BTreeMap::new(),
        last_name: BTreeMap::new(),
    };
    for _ in 0..MAX_STEPS / 4 {
        if u.is_empty() {
            break;
        }
        match u.int_in_range(0..=10u8).unwrap_or(0) {
            10 => {
                world.check_tables();
                return world.stop(&mut u);
            }
            0..=3 => {
                // A supervise (or another child) exits.
                let live: Vec<Pid> = world.live.values().copied().collect();
                let pid = if live.is_empty() || u.ratio(1, 8).unwrap_or(false) {
                    Pid(u.int_in_range(1..=99).unwrap_or(1))
                } else {
                    let k = u.choose_index(live.len()).unwrap_or(0);
                    live[k]
                };
                world.live.retain(|_, p| *p != pid);
                let actions = world
                    .core
                    .handle(Now::at_secs(world.now), scan::Event::ChildExited { pid });
                assert!(actions.is_empty(), "actions on a child exit: {actions:?}");
                world.model.reaped(pid);
                let again = world
                    .core
                    .handle(Now::at_secs(world.now), scan::Event::Started);
                assert!(again.is_empty(), "a second Started did something");
            }
            _ => {
                let mut entries = Vec::new();
                let count = u.int_in_range(0..=6).unwrap_or(0);
                for _ in 0..count {
                    match any_entry(&mut u) {
                        Ok(entry) => entries.push(entry),
                        Err(_) => break,
                    }
                }
                let error = u.ratio(1, 10).unwrap_or(false).then_some(Errno::EIO);
                let listing = Listing { entries, error };
                let draw_failure = |u: &mut Unstructured<'_>, max| {
                    if u.ratio(1, 4).unwrap_or(false) {
                        Some(u.int_in_range(1..=max).unwrap_or(1))
                    } else {
                        None
                    }
                };
                let fail_pipe = draw_failure(&mut u, 3);
                let fail_fork = draw_failure(&mut u, 5);
                let answers = ScriptedOracle {
                    fail_pipe,
                    fail_fork,
                    pipes: 0,
                    forks: 0,
                    next_pid: world.next_pid,
                };
                let expected = world.model.scan(&listing, &mut answers.clone());
                let got = world.core_scan(&listing, answers);
                assert_eq!(got, expected, "effects of a scan of {listing:?}");
            }
        }
        world.check_tables();
    }
}
