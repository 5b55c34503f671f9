//! The scanner's state and transitions.

use super::action::{Action, Role, ServiceId, Warning};
use super::event::{Entry, EntryKind, Event, Listing, LogProbe};
use crate::process::Pid;
use crate::{Errno, Mono, Now};
use std::collections::VecDeque;

/// 0.76's table size: a service beyond it waits for a free slot.
//= spec/svscan.md#scan-5
pub const MAX_SERVICES: usize = 1000;

/// Seconds between the end of one scan and the start of the next.
//= spec/svscan.md#scan-2
pub const RESCAN_SECS: u64 = 5;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Service {
    id: ServiceId,
    dev: u64,
    ino: u64,
    logged: bool,
    main: Option<Pid>,
    log: Option<Pid>,
    seen_this_scan: bool,
    /// The name it was last met under, for talking to its supervise.
    name: Vec<u8>,
}

/// A read-only view of one known service, for tests and models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceView {
    /// Its id.
    pub id: ServiceId,
    /// Device and inode of its directory.
    pub dev_ino: (u64, u64),
    /// Whether it has a log pipe.
    pub logged: bool,
    /// Its supervise, if running.
    pub main: Option<Pid>,
    /// Its log supervise, if running.
    pub log: Option<Pid>,
}

/// What the scanner is waiting for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    /// Nothing yet: waiting for `Started`.
    New,
    /// Sleeping until the next scan.
    Idle { next_scan: Mono },
    /// `Scan` was sent; waiting for `Scanned`.
    Listing,
    /// Walking a listing; maybe waiting for a pipe or a fork.
    Walking(Walk),
    /// Stopping every service (the opt-in extension, SCAN-9): no more
    /// scans; asking again every second until all supervise processes are
    /// gone or `give_up` passes.
    Stopping { next_nudge: Mono, give_up: Mono },
    /// Exit was ordered; nothing more happens.
    Done,
}

/// How often a stopping svscan repeats its requests (a supervise that was
/// just forked may not have opened its control FIFO yet).
pub const STOP_NUDGE_SECS: u64 = 1;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Walk {
    rest: VecDeque<Entry>,
    error: Option<Errno>,
    waiting: Option<Waiting>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Waiting {
    /// A new logged service, recorded only once its pipe exists.
    Pipe { service: Service, name: Vec<u8> },
    /// A fork for a recorded service.
    Spawn {
        service: ServiceId,
        role: Role,
        name: Vec<u8>,
    },
}

/// The svscan machine.
#[derive(Clone, Debug)]
pub struct Scan {
    services: Vec<Service>,
    phase: Phase,
    next_id: u64,
    /// Where the search for the next listed directory starts: just after
    /// the service the last one matched. A directory's readdir order does
    /// not change from scan to scan unless entries come or go, so the
    /// match is almost always at the cursor, and a scan of n services costs
    /// O(n) instead of O(n²) comparisons. Only a speed hint: the search
    /// covers the whole table whatever its value.
    cursor: usize,
    /// How many services may be known at once (SCAN-5, SCAN-11).
    max_services: usize,
    /// A `Rescan` came while a scan was under way (SCAN-10): scan again as
    /// soon as this one ends.
    rescan_requested: bool,
}

impl Default for Scan {
    fn default() -> Self {
        Self::new()
    }
}

impl Scan {
    /// A scanner that has not started.
    pub fn new() -> Self {
        Scan {
            services: Vec::new(),
            phase: Phase::New,
            next_id: 0,
            cursor: 0,
            max_services: MAX_SERVICES,
            rescan_requested: false,
        }
    }

    /// A scanner that knows at most `max_services` services instead of
    /// 0.76's 1000 (SCAN-11); at least one.
    //= spec/svscan.md#scan-11
    pub fn with_limit(max_services: usize) -> Self {
        Scan {
            max_services: max_services.max(1),
            ..Scan::new()
        }
    }

    /// When to send `Tick`: the next scan. Changes with `Started`,
    /// `Scanned` and the answers that finish a scan.
    pub fn next_deadline(&self) -> Option<Mono> {
        match self.phase {
            Phase::Idle { next_scan } => Some(next_scan),
            Phase::Stopping {
                next_nudge,
                give_up,
            } => Some(next_nudge.min(give_up)),
            _ => None,
        }
    }

    /// The device and inode numbers of the known services, sorted: what
    /// the driver needs at each scan to decide whether a directory's `log`
    /// must be looked at, without building the views.
    pub fn known_dev_inos(&self) -> Vec<(u64, u64)> {
        let mut known: Vec<(u64, u64)> = self.services.iter().map(|s| (s.dev, s.ino)).collect();
        known.sort_unstable();
        known
    }

    /// The known services, in table order.
    pub fn services(&self) -> Vec<ServiceView> {
        self.services
            .iter()
            .map(|s| ServiceView {
                id: s.id,
                dev_ino: (s.dev, s.ino),
                logged: s.logged,
                main: s.main,
                log: s.log,
            })
            .collect()
    }

    /// Handle one event; never panics.
    #[must_use]
    pub fn handle(&mut self, now: Now, event: Event) -> Vec<Action> {
        let mut out = Vec::new();
        match event {
            Event::Started => {
                if self.phase == Phase::New {
                    self.start_scan(&mut out);
                }
            }
            Event::Tick => match self.phase {
                Phase::Idle { next_scan } if now.mono >= next_scan => self.start_scan(&mut out),
                Phase::Stopping { .. } => self.on_stopping_tick(now, &mut out),
                _ => {}
            },
            Event::ChildExited { pid } => {
                let was_main = self.on_child_exited(pid);
                if matches!(self.phase, Phase::Stopping { .. }) {
                    if let Some(service) = was_main {
                        out.push(Action::ClosePipe { service });
                    }
                    self.exit_if_all_stopped(&mut out);
                }
            }
            Event::Stop { grace_secs } => self.on_stop(now, grace_secs, &mut out),
            //= spec/svscan.md#scan-10
            Event::Rescan => match self.phase {
                Phase::Idle { .. } => self.start_scan(&mut out),
                Phase::Listing | Phase::Walking(_) => self.rescan_requested = true,
                Phase::New | Phase::Stopping { .. } | Phase::Done => {}
            },
            Event::Scanned(listing) => {
                if self.phase == Phase::Listing {
                    self.on_scanned(listing);
                    self.walk(now, &mut out);
                }
            }
            Event::PipeMade { service } => {
                if let Some(Waiting::Pipe { service: new, name }) = self.take_waiting(
                    |w| matches!(w, Waiting::Pipe { service: s, .. } if s.id == service),
                ) {
                    self.services.push(new);
                    let index = self.services.len() - 1;
                    self.start_processes(index, name, &mut out);
                    self.walk(now, &mut out);
                }
            }
            Event::PipeFailed { service, errno } => {
                if let Some(Waiting::Pipe { name, .. }) = self.take_waiting(
                    |w| matches!(w, Waiting::Pipe { service: s, .. } if s.id == service),
                ) {
                    //= spec/svscan.md#scan-6
                    out.push(Action::Warn(Warning::CreatePipe { name, errno }));
                    self.walk(now, &mut out);
                }
            }
            Event::SpawnSucceeded { service, role, pid } => {
                if let Some(Waiting::Spawn { name, .. }) = self.take_spawn(service, role) {
                    if let Some(index) = self.index_of(service) {
                        let s = &mut self.services[index];
                        match role {
                            Role::Main => s.main = Some(pid),
                            Role::Log => s.log = Some(pid),
                        }
                        if role == Role::Main {
                            self.start_processes(index, name, &mut out);
                        }
                    }
                    self.walk(now, &mut out);
                }
            }
            Event::SpawnFailed {
                service,
                role,
                errno,
            } => {
                if let Some(Waiting::Spawn { name, .. }) = self.take_spawn(service, role) {
                    // 0.76 gives up on this entry for this scan: a failed
                    // fork of the main supervise skips the log one too.
                    //= spec/svscan.md#scan-7
                    out.push(Action::Warn(Warning::Fork { name, role, errno }));
                    self.walk(now, &mut out);
                }
            }
        }
        out
    }

    fn start_scan(&mut self, out: &mut Vec<Action>) {
        self.phase = Phase::Listing;
        self.cursor = 0;
        out.push(Action::Scan);
    }

    /// Forget the exited process; the service's id when it was the main
    /// supervise of a logged service (whose pipe a stopping svscan closes).
    //= spec/svscan.md#scan-3
    fn on_child_exited(&mut self, pid: Pid) -> Option<ServiceId> {
        for s in &mut self.services {
            if s.main == Some(pid) {
                s.main = None;
                return s.logged.then_some(s.id);
            }
            if s.log == Some(pid) {
                s.log = None;
                return None;
            }
        }
        None
    }

    /// Start stopping: ask every main supervise to take its service down
    /// and exit (`dx`), every log supervise to exit once its logger has
    /// drained the pipe (`x`), and close the pipe of every logged service
    /// whose main supervise is already gone, so its logger sees end of file.
    //= spec/svscan.md#scan-9
    fn on_stop(&mut self, now: Now, grace_secs: u64, out: &mut Vec<Action>) {
        match self.phase {
            Phase::New => {
                self.phase = Phase::Done;
                out.push(Action::Exit(0));
                return;
            }
            Phase::Stopping { .. } | Phase::Done => return,
            Phase::Idle { .. } | Phase::Listing | Phase::Walking(_) => {}
        }
        self.phase = Phase::Stopping {
            next_nudge: now.mono.after_secs(STOP_NUDGE_SECS),
            give_up: now.mono.after_secs(grace_secs),
        };
        for s in &self.services {
            if s.logged && s.main.is_none() {
                out.push(Action::ClosePipe { service: s.id });
            }
        }
        self.ask_to_stop(out);
        self.exit_if_all_stopped(out);
    }

    fn ask_to_stop(&self, out: &mut Vec<Action>) {
        for s in &self.services {
            if s.main.is_some() {
                out.push(Action::Control {
                    name: s.name.clone(),
                    role: Role::Main,
                    bytes: b"dx",
                });
            }
            if s.log.is_some() {
                out.push(Action::Control {
                    name: s.name.clone(),
                    role: Role::Log,
                    bytes: b"x",
                });
            }
        }
    }

    //= spec/svscan.md#scan-9
    fn on_stopping_tick(&mut self, now: Now, out: &mut Vec<Action>) {
        let Phase::Stopping {
            next_nudge,
            give_up,
        } = self.phase
        else {
            return;
        };
        if now.mono >= give_up {
            let running = self
                .services
                .iter()
                .map(|s| usize::from(s.main.is_some()) + usize::from(s.log.is_some()))
                .sum();
            out.push(Action::Warn(Warning::StillRunning { running }));
            self.phase = Phase::Done;
            out.push(Action::Exit(111));
        } else if now.mono >= next_nudge {
            self.ask_to_stop(out);
            self.phase = Phase::Stopping {
                next_nudge: now.mono.after_secs(STOP_NUDGE_SECS),
                give_up,
            };
        }
    }

    fn exit_if_all_stopped(&mut self, out: &mut Vec<Action>) {
        if self
            .services
            .iter()
            .all(|s| s.main.is_none() && s.log.is_none())
        {
            self.phase = Phase::Done;
            out.push(Action::Exit(0));
        }
    }

    fn on_scanned(&mut self, listing: Listing) {
        for s in &mut self.services {
            s.seen_this_scan = false;
        }
        self.phase = Phase::Walking(Walk {
            rest: listing.entries.into(),
            error: listing.error,
            waiting: None,
        });
    }

    fn take_waiting(&mut self, matches: impl Fn(&Waiting) -> bool) -> Option<Waiting> {
        let Phase::Walking(walk) = &mut self.phase else {
            return None;
        };
        if walk.waiting.as_ref().is_some_and(matches) {
            walk.waiting.take()
        } else {
            None
        }
    }

    fn take_spawn(&mut self, service: ServiceId, role: Role) -> Option<Waiting> {
        self.take_waiting(|w| {
            matches!(w, Waiting::Spawn { service: s, role: r, .. } if *s == service && *r == role)
        })
    }

    /// The index of the service with this device and inode, searching
    /// from the cursor to the end and then from the start.
    fn find(&self, dev: u64, ino: u64) -> Option<usize> {
        let start = self.cursor.min(self.services.len());
        let (before, after) = self.services.split_at(start);
        let is_it = |s: &Service| (s.dev, s.ino) == (dev, ino);
        after
            .iter()
            .position(is_it)
            .map(|i| start + i)
            .or_else(|| before.iter().position(is_it))
    }

    fn index_of(&self, id: ServiceId) -> Option<usize> {
        self.services.iter().position(|s| s.id == id)
    }

    /// Go on through the listing until an answer is needed or it ends.
    fn walk(&mut self, now: Now, out: &mut Vec<Action>) {
        loop {
            let Phase::Walking(walk) = &mut self.phase else {
                return;
            };
            if walk.waiting.is_some() {
                return;
            }
            match walk.rest.pop_front() {
                Some(entry) => self.visit(entry, out),
                None => {
                    let error = walk.error;
                    self.finish_scan(now, error, out);
                    return;
                }
            }
        }
    }

    //= spec/svscan.md#scan-3
    //= spec/svscan.md#scan-4
    fn visit(&mut self, entry: Entry, out: &mut Vec<Action>) {
        let Entry { name, kind } = entry;
        if name.first() == Some(&b'.') {
            return;
        }
        let (dev, ino, log) = match kind {
            EntryKind::StatFailed(errno) => {
                out.push(Action::Warn(Warning::Stat { name, errno }));
                return;
            }
            EntryKind::NotDirectory => return,
            EntryKind::Directory { dev, ino, log } => (dev, ino, log),
        };
        if let Some(index) = self.find(dev, ino) {
            self.cursor = index + 1;
            self.services[index].name.clone_from(&name);
            self.start_processes(index, name, out);
            return;
        }
        //= spec/svscan.md#scan-5
        if self.services.len() >= self.max_services {
            out.push(Action::Warn(Warning::TooManyServices { name }));
            return;
        }
        let logged = match log {
            LogProbe::Exists => true,
            LogProbe::Missing | LogProbe::NameTooLong => false,
            LogProbe::Failed(errno) => {
                out.push(Action::Warn(Warning::StatLog { name, errno }));
                return;
            }
        };
        let service = Service {
            id: ServiceId(self.next_id),
            dev,
            ino,
            logged,
            main: None,
            log: None,
            seen_this_scan: false,
            name: name.clone(),
        };
        self.next_id += 1;
        if logged {
            //= spec/svscan.md#scan-6
            out.push(Action::MakePipe {
                service: service.id,
            });
            self.wait_for(Waiting::Pipe { service, name });
        } else {
            self.services.push(service);
            let index = self.services.len() - 1;
            self.start_processes(index, name, out);
        }
    }

    fn wait_for(&mut self, waiting: Waiting) {
        if let Phase::Walking(walk) = &mut self.phase {
            walk.waiting = Some(waiting);
        }
    }

    /// Mark the service seen and start whichever of its processes is not
    /// running, main first (one fork at a time, each answered).
    //= spec/svscan.md#scan-7
    fn start_processes(&mut self, index: usize, name: Vec<u8>, out: &mut Vec<Action>) {
        let s = &mut self.services[index];
        s.seen_this_scan = true;
        let role = if s.main.is_none() {
            Role::Main
        } else if s.logged && s.log.is_none() {
            Role::Log
        } else {
            return;
        };
        out.push(Action::SpawnSupervise {
            service: s.id,
            role,
            name: name.clone(),
            logged: s.logged,
        });
        let service = s.id;
        self.wait_for(Waiting::Spawn {
            service,
            role,
            name,
        });
    }

    //= spec/svscan.md#scan-8
    fn finish_scan(&mut self, now: Now, error: Option<Errno>, out: &mut Vec<Action>) {
        if let Some(errno) = error {
            // 0.76 abandons the scan here: nothing is forgotten.
            out.push(Action::Warn(Warning::ReadDirectory(errno)));
        } else {
            let mut kept = Vec::with_capacity(self.services.len());
            for s in std::mem::take(&mut self.services) {
                if s.seen_this_scan || s.main.is_some() || s.log.is_some() {
                    kept.push(s);
                } else if s.logged {
                    out.push(Action::ClosePipe { service: s.id });
                }
            }
            self.services = kept;
        }
        let next_scan = if std::mem::take(&mut self.rescan_requested) {
            // What changed during this scan may have been missed by it.
            now.mono
        } else {
            now.mono.after_secs(RESCAN_SECS)
        };
        self.phase = Phase::Idle { next_scan };
    }
}
