//! A reference model of supervise: 0.76's `main`/`trystart`/`doit`
//! transliterated, with C's flags, C's `pid`, the bytes waiting in the FIFO
//! and the zombies waiting to be reaped. The two sleeps are the only thing
//! that is not straight-line C: a sleeping model remembers where the C code
//! goes on (`Pc`) and what time it wakes.
//!
//! The opt-in extensions of `spec/extensions.md` are added as a C
//! programmer would add them to that code: a few more globals, read from the
//! extension files once (the model's files never change) and consulted where
//! `supervise.c` would consult them. Without extensions the model is 0.76's
//! code and nothing else.

use dt_core::supervise::{
    Action, Command, Config, Event, ExitKind, Extensions, Extra, Note, Order, Pid, Readiness, Sig,
    StatusRecord, Target, Want,
};
use dt_core::{Errno, Mono, Now, Tai64, Tai64N};

/// Where 0.76's code is, or carries on after a sleep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Pc {
    /// `main` before `trystart()`: waiting for start-up to finish.
    Main,
    /// The top of `doit()` (its `announce()`).
    Doit,
    /// The top of `doit()`'s `for (;;)`.
    LoopTop,
    /// After the reap loop: `if (read(fdcontrol, ...) == 1)`.
    ReadByte,
    /// Inside `trystart()`: fork asked for; carry on at the inner pc.
    Fork(Resume),
    /// Forking `./finish`; carry on at the inner pc (no sleep after it).
    ForkFinish(Resume),
    /// Inside `deepsleep()` until the given time.
    Sleep(Mono, Resume),
    /// Blocked in `iopause`.
    Poll,
    /// `_exit(0)` done.
    Gone,
}

/// The pc `trystart()` returns to (a copy of the three places it is called).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Resume {
    Doit,
    ReadByte,
    LoopTop,
}

impl Resume {
    fn pc(self) -> Pc {
        match self {
            Resume::Doit => Pc::Doit,
            Resume::ReadByte => Pc::ReadByte,
            Resume::LoopTop => Pc::LoopTop,
        }
    }
}

/// The model: supervise.c's globals plus the world it reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ModelSupervise {
    flagexit: bool,
    flagwant: bool,
    flagwantup: bool,
    flagpaused: bool,
    pid: i32,
    stamp: Tai64N,
    fifo: Vec<Command>,
    zombies: Vec<(i32, ExitKind)>,
    pc: Pc,
    /// The extension files (all absent for 0.76).
    ext: Extensions,
    /// `timeout-kill`: when the pid (or group) told `d` gets SIGKILL.
    killat: Option<Mono>,
    /// `stop-group`: the group `killat` is for, once its leader is reaped.
    killpgrp: i32,
    /// `./finish`'s pid while it runs (0: none).
    finishpid: i32,
    /// `timeout-finish`: when `./finish` gets SIGKILL.
    finishat: Option<Mono>,
    /// `./finish` could not be forked: carry on as after it.
    finishfailed: bool,
    /// `u` or `o` while `./finish` ran.
    startpending: bool,
    /// The driver's random number (always the same here).
    random: u32,
    /// `backoff`: when `./run` was last forked.
    startedat: Mono,
    /// `backoff`: short runs in a row.
    shortruns: u32,
    /// `backoff`: when the last short runs ended.
    failtimes: Vec<Mono>,
    /// `backoff`: the restart put off until then.
    restartat: Option<Mono>,
    /// `backoff`: the wall clock then.
    restartwall: Tai64N,
    /// `backoff`: gave up.
    gaveup: bool,
    /// What the extension lines were last written with.
    extrawritten: Extra,
    /// `notification-fd` or `notify`: the running service's readiness.
    ready: Option<Readiness>,
    /// `notify`: what the running service said it does.
    note: Option<Note>,
    /// `watchdog`: when the running service is stopped unless it pings.
    watchdogat: Option<Mono>,
    /// `killat` was set by the watchdog: `u` and `o` do not take it back.
    killfirm: bool,
}

impl ModelSupervise {
    /// `main` up to its first `announce()`.
    pub fn new(cfg: Config, now: Now) -> (Self, Vec<Action>) {
        let (m, out) = Self::with_extensions(cfg, Extensions::default(), 0, now);
        (m, classic(out))
    }

    /// The model of a directory whose extension files say `ext` (and never
    /// change), with a driver whose random number is always `random`:
    /// `main` up to its first `announce()`.
    pub fn with_extensions(
        cfg: Config,
        ext: Extensions,
        random: u32,
        now: Now,
    ) -> (Self, Vec<Order>) {
        let m = ModelSupervise {
            random,
            startedat: now.mono,
            shortruns: 0,
            failtimes: Vec::new(),
            restartat: None,
            restartwall: now.wall,
            gaveup: false,
            extrawritten: Extra::default(),
            ready: None,
            note: None,
            watchdogat: None,
            killfirm: false,
            ext,
            killat: None,
            killpgrp: 0,
            finishpid: 0,
            finishat: None,
            finishfailed: false,
            startpending: false,
            flagexit: false,
            flagwant: true,
            flagwantup: !cfg.down_file,
            flagpaused: false,
            pid: 0,
            stamp: now.wall,
            fifo: Vec::new(),
            zombies: Vec::new(),
            pc: Pc::Main,
        };
        let out = vec![Order::WriteStatus(m.status())];
        (m, out)
    }

    /// The record `announce()` would write now.
    pub fn status(&self) -> StatusRecord {
        StatusRecord {
            stamp: self.stamp,
            pid: u32::try_from(self.pid).unwrap_or(0),
            paused: self.flagpaused && self.pid != 0,
            want: match (self.flagwant, self.flagwantup) {
                (false, _) => Want::Neither,
                (true, true) => Want::Up,
                (true, false) => Want::Down,
            },
        }
    }

    /// When the current sleep ends, or a timer of the extensions fires.
    pub fn deadline(&self) -> Option<Mono> {
        let sleep = match self.pc {
            Pc::Sleep(until, _) => Some(until),
            _ => None,
        };
        [
            sleep,
            self.killat,
            self.finishat,
            self.restartat,
            self.watchdogat.filter(|_| !self.flagpaused),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Whether it has exited.
    pub fn gone(&self) -> bool {
        self.pc == Pc::Gone
    }

    /// Whether it is waiting for the answer to a `Spawn`.
    pub fn forking(&self) -> bool {
        matches!(self.pc, Pc::Fork(_) | Pc::ForkFinish(_))
    }

    /// `./finish`'s pid while it runs, else 0.
    pub fn finish_pid(&self) -> i32 {
        self.finishpid
    }

    /// What the extension lines should say.
    pub fn extra(&self) -> Extra {
        Extra {
            finishing: (self.finishpid != 0).then_some(Pid(self.finishpid)),
            restart: self.restartat.map(|_| (self.restartwall, self.shortruns)),
            given_up: self.gaveup.then_some(self.shortruns),
            ready: self.ready,
            status: self.note,
        }
    }

    /// C's `pid`: non-zero from the fork until the reap.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Feed one event; the actions, in order.
    pub fn step(&mut self, now: Now, event: Event) -> Vec<Action> {
        classic(self.step_ext(now, event))
    }

    /// Feed one event to the model with extensions; the orders, in order.
    /// The extension files are read once, so there is no `ReadConfig`.
    pub fn step_ext(&mut self, now: Now, event: Event) -> Vec<Order> {
        let mut out = Vec::new();
        let forking = self.pc;
        if let Pc::Sleep(until, then) = self.pc {
            if now.mono >= until {
                self.pc = then.pc();
                self.go(now, &mut out);
            }
        }
        if self.pc == Pc::Gone {
            return out;
        }
        if self.killat.is_some_and(|at| now.mono >= at) {
            self.killpending(&mut out);
        }
        if self.finishat.is_some_and(|at| now.mono >= at) {
            self.finishat = None;
            out.push(Order::Signal {
                target: self.target(self.finishpid),
                sig: Sig::Kill,
            });
        }
        if !self.flagpaused && self.watchdogat.is_some_and(|at| now.mono >= at) {
            self.watchdogat = None;
            if let (true, Some(secs)) = (self.pid != 0, self.wdsecs()) {
                out.push(Order::WarnWatchdog { secs });
                self.kill(Sig::Term, &mut out);
                self.kill(Sig::Cont, &mut out);
                if let (Some(secs), None) = (self.ext.timeout_kill, self.killat) {
                    self.killat = Some(now.mono.after_secs(u64::from(secs)));
                    self.killfirm = true;
                }
            }
        }
        if self.pc == Pc::Poll && self.restartat.is_some_and(|at| now.mono >= at) {
            self.trystart(Resume::LoopTop, &mut out);
        }
        match event {
            Event::Started => {
                if self.pc == Pc::Main {
                    if !self.flagwant || self.flagwantup {
                        self.trystart(Resume::Doit, &mut out);
                    } else {
                        self.pc = Pc::Doit;
                        self.go(now, &mut out);
                    }
                }
            }
            Event::SpawnSucceeded { pid } if pid.0 > 0 && matches!(forking, Pc::ForkFinish(_)) => {
                if let Pc::ForkFinish(then) = forking {
                    self.finishpid = pid.0;
                    self.finishat = self
                        .ext
                        .timeout_finish
                        .map(|secs| now.mono.after_secs(u64::from(secs)));
                    self.announceextra(&mut out);
                    self.pc = then.pc();
                    self.go(now, &mut out);
                }
            }
            Event::SpawnSucceeded { pid } if pid.0 > 0 => {
                if let Pc::Fork(then) = forking {
                    self.flagpaused = false;
                    self.pid = pid.0;
                    self.startedat = now.mono;
                    self.stamp = now.wall;
                    self.watchdogat = self
                        .wdsecs()
                        .map(|secs| now.mono.after_secs(u64::from(secs)));
                    if self.ext.notification_fd.is_some() || self.ext.notify {
                        self.ready = Some(Readiness { pid, since: None });
                        self.announceextra(&mut out);
                    }
                    out.push(Order::WriteStatus(self.status()));
                    self.pc = Pc::Sleep(now.mono.after_secs(1), then);
                }
            }
            Event::SpawnSucceeded { .. } => match forking {
                Pc::Fork(then) => self.fork_failed(now, Errno::EINVAL, then, &mut out),
                Pc::ForkFinish(then) => {
                    self.finishfailed = true;
                    self.fork_failed(now, Errno::EINVAL, then, &mut out);
                }
                _ => {}
            },
            Event::SpawnFailed { errno } => match forking {
                Pc::Fork(then) => self.fork_failed(now, errno, then, &mut out),
                Pc::ForkFinish(then) => {
                    self.finishfailed = true;
                    self.fork_failed(now, errno, then, &mut out);
                }
                _ => {}
            },
            Event::ChildExited { pid, status } => {
                if self.pid != 0 && pid.0 == self.pid {
                    self.watchdogat = None;
                }
                self.zombies.push((pid.0, status));
                if self.pc == Pc::Poll {
                    self.pc = Pc::LoopTop;
                    self.go(now, &mut out);
                }
            }
            Event::Control(c) => {
                self.fifo.push(c);
                if self.pc == Pc::Poll {
                    self.pc = Pc::LoopTop;
                    self.go(now, &mut out);
                }
            }
            // Noted for the running service if it has not exited.
            Event::Ready { pid } => {
                let exited = self.zombies.iter().any(|&(p, _)| p == self.pid);
                if let Some(r) = self.ready {
                    if r.since.is_none() && r.pid == pid && self.pid == pid.0 && !exited {
                        self.ready = Some(Readiness {
                            pid,
                            since: Some(now.wall),
                        });
                        self.announceextra(&mut out);
                    }
                }
            }
            Event::Watchdog { pid } => {
                if let (true, Some(_), Some(secs)) = (
                    self.pid != 0 && self.pid == pid.0,
                    self.watchdogat,
                    self.wdsecs(),
                ) {
                    self.watchdogat = Some(now.mono.after_secs(u64::from(secs)));
                }
            }
            Event::StatusText { pid, text } => {
                let exited = self.zombies.iter().any(|&(p, _)| p == self.pid);
                if self.ext.notify && self.pid != 0 && self.pid == pid.0 && !exited {
                    self.note = Some(Note { pid, text });
                    self.announceextra(&mut out);
                }
            }
            // 0.76 reads no extension file.
            Event::Tick | Event::Configured { .. } => {}
        }
        out
    }

    fn fork_failed(&mut self, now: Now, errno: Errno, then: Resume, out: &mut Vec<Order>) {
        out.push(Order::WarnForkFailed { errno });
        self.pc = Pc::Sleep(now.mono.after_secs(60), then);
    }

    fn trystart(&mut self, then: Resume, out: &mut Vec<Order>) {
        if self.killat.is_some() {
            self.killpending(out);
        }
        self.restartat = None;
        self.gaveup = false;
        self.announceextra(out);
        out.push(Order::SpawnRun {
            own_group: self.ext.stop_group,
            notification_fd: self.ext.notification_fd,
            notify_socket: self.ext.notify,
            watchdog_secs: self.wdsecs(),
        });
        self.pc = Pc::Fork(then);
    }

    /// Continued after a pause: the whole watchdog period again.
    fn rearmwatchdog(&mut self, now: Now) {
        if let (Some(_), Some(secs)) = (self.watchdogat, self.wdsecs()) {
            self.watchdogat = Some(now.mono.after_secs(u64::from(secs)));
        }
    }

    /// `watchdog`, which only `notify` makes count.
    fn wdsecs(&self) -> Option<u32> {
        self.ext.watchdog.filter(|_| self.ext.notify)
    }

    fn kill(&self, sig: Sig, out: &mut Vec<Order>) {
        out.push(Order::Signal {
            target: self.target(self.pid),
            sig,
        });
    }

    fn target(&self, pid: i32) -> Target {
        if self.ext.stop_group {
            Target::Group(Pid(pid))
        } else {
            Target::Pid(Pid(pid))
        }
    }

    /// `./finish` is forked, or runs, or could not be forked and supervise
    /// has not yet carried on after it.
    fn finishing(&self) -> bool {
        self.finishpid != 0 || self.finishfailed || matches!(self.pc, Pc::ForkFinish(_))
    }

    /// Write the extension lines if what they say has changed.
    fn announceextra(&mut self, out: &mut Vec<Order>) {
        let extra = self.extra();
        if extra != self.extrawritten {
            self.extrawritten = extra;
            out.push(Order::WriteExtra(extra));
        }
    }

    /// After `./run` (and `./finish`): exit, or start again (now, later,
    /// or no more).
    fn afterrun(&mut self, now: Now, out: &mut Vec<Order>) -> bool {
        if self.flagexit {
            self.exit(out);
            return true;
        }
        if self.startpending {
            self.startpending = false;
            self.shortruns = 0;
            self.failtimes.clear();
            self.trystart(Resume::ReadByte, out);
            return true;
        }
        if !(self.flagwant && self.flagwantup) {
            return false;
        }
        if let Some(b) = self.ext.backoff {
            if self.shortruns > 0 {
                let giveup = b.give_up.is_some_and(|g| {
                    self.failtimes.len() >= g.count as usize
                        && now.mono.0 - self.failtimes[0].0 <= u64::from(g.window) * Mono::SECOND
                });
                if giveup {
                    self.gaveup = true;
                } else {
                    // initial, doubled for each short run after the first,
                    // never more than max; then up to a quarter off.
                    let mut secs = u64::from(b.initial);
                    for _ in 1..self.shortruns {
                        secs = (secs * 2).min(u64::from(b.max));
                    }
                    let ms = secs.min(u64::from(b.max)) * 1000;
                    let jitter = u128::from(ms / 4) * u128::from(self.random) / (1u128 << 32);
                    let ms = ms - jitter as u64;
                    self.restartat = Some(now.mono.after_nanos(ms * 1_000_000));
                    let nanos = u64::from(now.wall.1) + (ms % 1000) * 1_000_000;
                    self.restartwall = Tai64N(
                        Tai64(now.wall.0 .0 + ms / 1000 + nanos / 1_000_000_000),
                        (nanos % 1_000_000_000) as u32,
                    );
                }
                self.announceextra(out);
                return false;
            }
        }
        self.trystart(Resume::ReadByte, out);
        true
    }

    /// `u` and `o`: start unless running; after `./finish` if it runs.
    fn startunlessup(&mut self, out: &mut Vec<Order>) -> bool {
        if self.pid != 0 {
            return false;
        }
        if self.finishing() {
            self.startpending = true;
            return false;
        }
        self.shortruns = 0;
        self.failtimes.clear();
        self.trystart(Resume::LoopTop, out);
        true
    }

    /// The SIGKILL `timeout-kill` promised: to the pid, or to the group
    /// (which may have lost its leader).
    fn killpending(&mut self, out: &mut Vec<Order>) {
        self.killat = None;
        if self.pid != 0 {
            self.kill(Sig::Kill, out);
        } else {
            out.push(Order::Signal {
                target: Target::Group(Pid(self.killpgrp)),
                sig: Sig::Kill,
            });
        }
    }

    /// Run the C code from `self.pc` until it forks, sleeps, polls or exits.
    fn go(&mut self, now: Now, out: &mut Vec<Order>) {
        loop {
            match self.pc {
                Pc::Doit => {
                    out.push(Order::WriteStatus(self.status()));
                    self.pc = Pc::LoopTop;
                }
                Pc::LoopTop => {
                    if self.flagexit && self.pid == 0 && !self.finishing() {
                        return self.exit(out);
                    }
                    if self.zombies.is_empty() && self.fifo.is_empty() && !self.finishfailed {
                        self.pc = Pc::Poll;
                        return;
                    }
                    let how = self
                        .zombies
                        .iter()
                        .find(|(pid, _)| self.pid != 0 && *pid == self.pid)
                        .map(|&(_, how)| how);
                    let finished = self.finishfailed
                        || self
                            .zombies
                            .iter()
                            .any(|&(pid, _)| self.finishpid != 0 && pid == self.finishpid);
                    self.zombies.clear();
                    self.pc = Pc::ReadByte;
                    if finished {
                        self.finishpid = 0;
                        self.finishat = None;
                        self.finishfailed = false;
                        self.announceextra(out);
                        if self.afterrun(now, out) {
                            return;
                        }
                    }
                    if let Some(how) = how {
                        if self.ext.stop_group {
                            self.killpgrp = self.pid;
                        } else {
                            self.killat = None;
                        }
                        self.pid = 0;
                        self.stamp = now.wall;
                        out.push(Order::WriteStatus(self.status()));
                        self.ready = None;
                        self.note = None;
                        self.announceextra(out);
                        if let Some(b) = self.ext.backoff {
                            if now.mono.0 - self.startedat.0 >= u64::from(b.reset) * Mono::SECOND {
                                self.shortruns = 0;
                                self.failtimes.clear();
                            } else {
                                self.shortruns += 1;
                                self.failtimes.push(now.mono);
                                let keep = b.give_up.map_or(0, |g| g.count as usize);
                                while self.failtimes.len() > keep {
                                    self.failtimes.remove(0);
                                }
                            }
                        }
                        if self.ext.finish {
                            let (code, signal) = match how {
                                ExitKind::Exited(code) => (i32::from(code), 0),
                                ExitKind::Signaled(signal) => (-1, signal),
                            };
                            out.push(Order::SpawnFinish {
                                code,
                                signal,
                                own_group: self.ext.stop_group,
                            });
                            self.pc = Pc::ForkFinish(Resume::ReadByte);
                            return;
                        }
                        if self.afterrun(now, out) {
                            return;
                        }
                    }
                }
                Pc::ReadByte => {
                    self.pc = Pc::LoopTop;
                    if self.fifo.is_empty() {
                        continue;
                    }
                    match self.fifo.remove(0) {
                        Command::Down => {
                            self.flagwant = true;
                            self.flagwantup = false;
                            self.startpending = false;
                            self.restartat = None;
                            self.gaveup = false;
                            if self.pid != 0 {
                                self.kill(Sig::Term, out);
                                self.kill(Sig::Cont, out);
                                if self.flagpaused {
                                    self.flagpaused = false;
                                    self.rearmwatchdog(now);
                                }
                                if let (Some(secs), None) = (self.ext.timeout_kill, self.killat) {
                                    self.killat = Some(now.mono.after_secs(u64::from(secs)));
                                    self.killfirm = false;
                                }
                            }
                            out.push(Order::WriteStatus(self.status()));
                            self.announceextra(out);
                        }
                        Command::Up => {
                            self.flagwant = true;
                            self.flagwantup = true;
                            if self.pid != 0 && !self.killfirm {
                                self.killat = None;
                            }
                            out.push(Order::WriteStatus(self.status()));
                            if self.startunlessup(out) {
                                return;
                            }
                        }
                        Command::Once => {
                            self.flagwant = false;
                            if self.pid != 0 && !self.killfirm {
                                self.killat = None;
                            }
                            out.push(Order::WriteStatus(self.status()));
                            if self.startunlessup(out) {
                                return;
                            }
                        }
                        Command::Alarm if self.pid != 0 => self.kill(Sig::Alrm, out),
                        Command::Hangup if self.pid != 0 => self.kill(Sig::Hup, out),
                        Command::Kill if self.pid != 0 => {
                            self.killat = None;
                            self.kill(Sig::Kill, out);
                        }
                        Command::Term if self.pid != 0 => self.kill(Sig::Term, out),
                        Command::Interrupt if self.pid != 0 => self.kill(Sig::Int, out),
                        Command::Alarm
                        | Command::Hangup
                        | Command::Kill
                        | Command::Term
                        | Command::Interrupt => {}
                        Command::Pause => {
                            self.flagpaused = true;
                            out.push(Order::WriteStatus(self.status()));
                            if self.pid != 0 {
                                self.kill(Sig::Stop, out);
                            }
                        }
                        Command::Continue => {
                            if self.flagpaused {
                                self.flagpaused = false;
                                self.rearmwatchdog(now);
                            }
                            out.push(Order::WriteStatus(self.status()));
                            if self.pid != 0 {
                                self.kill(Sig::Cont, out);
                            }
                        }
                        Command::Exit => {
                            self.flagexit = true;
                            out.push(Order::WriteStatus(self.status()));
                        }
                    }
                }
                Pc::Main
                | Pc::Fork(_)
                | Pc::ForkFinish(_)
                | Pc::Sleep(..)
                | Pc::Poll
                | Pc::Gone => return,
            }
        }
    }

    /// `doit()` returned: `main`'s last `announce()` and `_exit(0)`.
    fn exit(&mut self, out: &mut Vec<Order>) {
        if self.killat.is_some() {
            self.killpending(out);
        }
        self.restartat = None;
        self.gaveup = false;
        self.announceextra(out);
        out.push(Order::WriteStatus(self.status()));
        out.push(Order::Exit(0));
        self.pc = Pc::Gone;
    }
}

/// The model without extensions emits only 0.76's actions.
fn classic(orders: Vec<Order>) -> Vec<Action> {
    orders.into_iter().filter_map(Order::classic).collect()
}
