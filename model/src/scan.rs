//! A reference model of svscan: 0.76's `doit()`/`start()` transliterated,
//! a table of services and two flags per entry, with the pipe and fork
//! results supplied by an oracle. No deadlines, no resumable walk: a whole
//! scan is one call.

use dt_core::process::Pid;
use dt_core::scan::{Entry, EntryKind, Listing, LogProbe, Role};
use dt_core::Errno;

/// What the model did, in order (the same vocabulary as the machine's
/// actions; services are numbered in the order they are first recorded or
/// attempted, as the machine numbers them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// A pipe was made for the service.
    MakePipe(u64),
    /// A supervise was started (or a fork attempted, see `Fork` warnings).
    Spawn(u64, Role, Vec<u8>),
    /// The service's pipe was closed.
    ClosePipe(u64),
    /// A warning, by its words' key.
    Warn(String),
}

/// One service: `((dev, ino), logged, pid, log pid)`.
pub type Row = ((u64, u64), bool, Option<Pid>, Option<Pid>);

/// Answers to pipe and fork, in the order asked.
pub trait Oracle {
    /// Does this pipe() succeed?
    fn pipe(&mut self) -> Result<(), Errno>;
    /// Does this fork() succeed, and with which pid?
    fn fork(&mut self) -> Result<Pid, Errno>;
}

/// An [`Oracle`] with its answers fixed in advance for one scan: the
/// `fail_pipe`-th pipe fails with EMFILE and the `fail_fork`-th fork with
/// EAGAIN (counted from 1), other forks get pids counting up from
/// `next_pid`. Clone it to give core and the model the same answers.
#[derive(Clone, Debug)]
pub struct ScriptedOracle {
    /// Which pipe of the scan fails, if any.
    pub fail_pipe: Option<usize>,
    /// Which fork of the scan fails, if any.
    pub fail_fork: Option<usize>,
    /// Pipes answered so far.
    pub pipes: usize,
    /// Forks answered so far.
    pub forks: usize,
    /// The last pid handed out.
    pub next_pid: i32,
}

impl Oracle for ScriptedOracle {
    fn pipe(&mut self) -> Result<(), Errno> {
        self.pipes += 1;
        if Some(self.pipes) == self.fail_pipe {
            Err(Errno::EMFILE)
        } else {
            Ok(())
        }
    }

    fn fork(&mut self) -> Result<Pid, Errno> {
        self.forks += 1;
        if Some(self.forks) == self.fail_fork {
            Err(Errno::EAGAIN)
        } else {
            self.next_pid += 1;
            Ok(Pid(self.next_pid))
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Slot {
    id: u64,
    dev: u64,
    ino: u64,
    active: bool,
    logged: bool,
    pid: Option<Pid>,
    pidlog: Option<Pid>,
}

/// The model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelScan {
    slots: Vec<Slot>,
    next_id: u64,
}

impl ModelScan {
    /// `(dev, ino, logged, pid, pidlog)` of every known service, sorted.
    pub fn table(&self) -> Vec<Row> {
        let mut rows: Vec<_> = self
            .slots
            .iter()
            .map(|s| ((s.dev, s.ino), s.logged, s.pid, s.pidlog))
            .collect();
        rows.sort();
        rows
    }

    /// A child was reaped.
    pub fn reaped(&mut self, pid: Pid) {
        for s in &mut self.slots {
            if s.pid == Some(pid) {
                s.pid = None;
                return;
            }
            if s.pidlog == Some(pid) {
                s.pidlog = None;
                return;
            }
        }
    }

    /// One whole scan of `listing`.
    pub fn scan(&mut self, listing: &Listing, oracle: &mut impl Oracle) -> Vec<Effect> {
        let mut out = Vec::new();
        for s in &mut self.slots {
            s.active = false;
        }
        for entry in &listing.entries {
            self.start(entry, oracle, &mut out);
        }
        if let Some(e) = listing.error {
            out.push(Effect::Warn(format!("read directory {e:?}")));
            return out;
        }
        let mut i = 0;
        while i < self.slots.len() {
            let s = &self.slots[i];
            if !s.active && s.pid.is_none() && s.pidlog.is_none() {
                if s.logged {
                    out.push(Effect::ClosePipe(s.id));
                }
                self.slots.remove(i);
                continue;
            }
            i += 1;
        }
        out
    }

    fn start(&mut self, entry: &Entry, oracle: &mut impl Oracle, out: &mut Vec<Effect>) {
        let name = &entry.name;
        if name.first() == Some(&b'.') {
            return;
        }
        let (dev, ino, log) = match entry.kind {
            EntryKind::StatFailed(e) => {
                out.push(Effect::Warn(format!("stat {e:?}")));
                return;
            }
            EntryKind::NotDirectory => return,
            EntryKind::Directory { dev, ino, log } => (dev, ino, log),
        };
        let i = match self.slots.iter().position(|s| s.dev == dev && s.ino == ino) {
            Some(i) => i,
            None => {
                if self.slots.len() >= 1000 {
                    out.push(Effect::Warn("too many".into()));
                    return;
                }
                let logged = match log {
                    LogProbe::Exists => true,
                    LogProbe::Missing | LogProbe::NameTooLong => false,
                    LogProbe::Failed(e) => {
                        out.push(Effect::Warn(format!("stat log {e:?}")));
                        return;
                    }
                };
                let id = self.next_id;
                self.next_id += 1;
                if logged {
                    out.push(Effect::MakePipe(id));
                    if let Err(e) = oracle.pipe() {
                        out.push(Effect::Warn(format!("pipe {e:?}")));
                        return;
                    }
                }
                self.slots.push(Slot {
                    id,
                    dev,
                    ino,
                    active: false,
                    logged,
                    pid: None,
                    pidlog: None,
                });
                self.slots.len() - 1
            }
        };
        self.slots[i].active = true;
        let id = self.slots[i].id;
        if self.slots[i].pid.is_none() {
            out.push(Effect::Spawn(id, Role::Main, name.clone()));
            match oracle.fork() {
                Ok(pid) => self.slots[i].pid = Some(pid),
                Err(e) => {
                    out.push(Effect::Warn(format!("fork {e:?}")));
                    return;
                }
            }
        }
        if self.slots[i].logged && self.slots[i].pidlog.is_none() {
            out.push(Effect::Spawn(id, Role::Log, name.clone()));
            match oracle.fork() {
                Ok(pid) => self.slots[i].pidlog = Some(pid),
                Err(e) => out.push(Effect::Warn(format!("fork {e:?}"))),
            }
        }
    }
}
