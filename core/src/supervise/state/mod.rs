//! The supervise machine's state and transitions: 0.76's `supervise.c`
//! (`main`, `trystart`, `doit`) with its two blocking sleeps turned into
//! deadlines, and the opt-in extensions of `spec/extensions.md` on top.
//! [`Supervise`](super::Supervise) and [`SuperviseExt`](super::SuperviseExt)
//! are two faces of this one [`Machine`]. The transitions that only the
//! extensions take are in [`ext`].

mod ext;

use super::config::Extensions;
use super::event::{Config, Event};
use super::extra::{Extra, Note, Readiness};
use super::order::{Order, Target};
use crate::control::Command;
use crate::process::{ExitKind, Pid, Sig};
use crate::status::{StatusRecord, Want};
use crate::{Errno, Mono, Now, Tai64N};
use std::collections::VecDeque;

/// Length of the quiet period after a successful fork (0.76's `deepsleep(1)`).
//= spec/supervise.md#sup-5
pub const QUIET_SECS: u64 = 1;

/// Length of the quiet period after a failed fork (0.76's `deepsleep(60)`).
//= spec/supervise.md#sup-7
pub const FORK_FAILED_SECS: u64 = 60;

/// The service process as supervise knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Child {
    /// Not running (pid 0 in the status file) since this pid change.
    Down { since: Tai64N },
    /// Running since this pid change.
    Up { pid: Pid, since: Tai64N },
    /// It has exited (`how`) but supervise has not reaped it yet (it was
    /// sleeping): still the status file's pid, still sent signals, as in
    /// 0.76.
    Exited {
        pid: Pid,
        since: Tai64N,
        how: ExitKind,
    },
}

/// `./finish` (EXT-5), from its spawn until supervise has carried on after
/// it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Finish {
    /// Running; SIGKILL at `kill_at` (`timeout-finish`).
    Running {
        pid: Pid,
        kill_at: Option<Mono>,
        target: Target,
    },
    /// It has exited (or could not be forked) and supervise has not yet
    /// carried on after it.
    Over { pid: Option<Pid> },
}

/// Where 0.76's code carries on once a start (and its sleep) is over, or
/// where a loop turn stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Resume {
    /// The start was `main`'s: `doit()` begins by writing the status.
    Announce,
    /// The start came from reaping: the same loop turn goes on to read one
    /// control byte.
    ControlByte,
    /// The start came from a control byte (or nothing was started): the
    /// next loop turn begins.
    NextTurn,
}

/// What the machine is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    /// Before `Started`.
    New,
    /// Waiting for the answer to `ReadConfig` (extended mode only); then
    /// spawn `./run` and carry on at `then`.
    Configuring { then: Resume },
    /// Waiting for the answer to a spawn (of `./finish` if `finish`);
    /// afterwards carry on at `then`.
    Spawning { then: Resume, finish: bool },
    /// The quiet period (0.76 sleeps): events are queued until `until`.
    Quiet { until: Mono, then: Resume },
    /// Blocked in the main loop's poll: events are handled as they come.
    Waiting,
    /// `Exit` was emitted; nothing more happens.
    Exited,
}

/// Whether the machine is 0.76's alone or also obeys the extension files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Mode {
    /// 0.76: `Spawn` at once, no extension ever.
    Classic,
    /// Ask for the extension files before every start of `./run`.
    Extended,
}

/// A SIGKILL promised for later (`timeout-kill`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct KillTimer {
    at: Mono,
    target: Target,
    /// Promised by a `d` (which `u` and `o` take back), not by the
    /// watchdog (EXT-14).
    revocable: bool,
}

/// The supervise machine for one service directory.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Machine {
    mode: Mode,
    /// What the extension files said when `./run` was last started.
    ext: Extensions,
    /// The SIGKILL `timeout-kill` promises after a `d`.
    kill: Option<KillTimer>,
    /// `./finish`, between the reap of `./run` and what follows it.
    finish: Option<Finish>,
    /// A `u` or `o` arrived while `./finish` ran: start `./run` after it.
    start_after_finish: bool,
    /// What the extension lines were last written with (empty at first:
    /// the first record at start-up has none).
    extra_written: Extra,
    /// The driver's random number from the last `Configured`.
    random: u32,
    /// When the current (or last) `./run` was forked.
    run_started: Mono,
    /// `backoff`: the short runs in a row (0 after a long one).
    attempt: u32,
    /// `backoff`: when the last short runs ended, oldest first (at most the
    /// give-up count).
    failures: VecDeque<Mono>,
    /// `backoff`: the restart put off until then (and the wall clock then).
    restart: Option<(Mono, Tai64N)>,
    /// `backoff`: supervise gave up restarting.
    given_up: bool,
    /// `notification-fd`: the running service's readiness (none if it was
    /// started without a notification descriptor, or is not running).
    ready: Option<Readiness>,
    /// `notify`: what the running service said it is doing.
    note: Option<Note>,
    /// `watchdog`: when the running service is stopped unless it sends
    /// `WATCHDOG=1` first.
    watchdog: Option<Mono>,
    child: Child,
    /// Byte 17: 0.76's `flagwant` and `flagwantup` together.
    want: Want,
    /// 0.76's `flagpaused`.
    paused: bool,
    /// 0.76's `flagexit`.
    exit_requested: bool,
    phase: Phase,
    /// Control bytes still in the FIFO, oldest first.
    controls: VecDeque<Command>,
}

impl Machine {
    /// A machine whose driver has just taken the lock and opened the control
    /// FIFO; the orders are the first status write (pid 0).
    //= spec/supervise.md#sup-1
    pub(super) fn new(mode: Mode, cfg: Config, now: Now) -> (Self, Vec<Order>) {
        let machine = Machine {
            mode,
            ext: Extensions::default(),
            kill: None,
            finish: None,
            start_after_finish: false,
            extra_written: Extra::default(),
            random: 0,
            run_started: now.mono,
            attempt: 0,
            failures: VecDeque::new(),
            restart: None,
            given_up: false,
            ready: None,
            note: None,
            watchdog: None,
            child: Child::Down { since: now.wall },
            want: if cfg.down_file { Want::Down } else { Want::Up },
            paused: false,
            exit_requested: false,
            phase: Phase::New,
            controls: VecDeque::new(),
        };
        let first = vec![Order::WriteStatus(machine.status())];
        (machine, first)
    }

    /// What `supervise/status` should say now. Changed by every event but
    /// `Tick`s before the deadline; equal to the last `WriteStatus` emitted
    /// except while a command that does not write (`a h k t i`) or a queued
    /// event is pending.
    //= spec/supervise.md#sup-18
    pub(super) fn status(&self) -> StatusRecord {
        let (stamp, pid) = match self.child {
            Child::Down { since } => (since, 0),
            Child::Up { pid, since } | Child::Exited { pid, since, .. } => (since, pid_field(pid)),
        };
        StatusRecord {
            stamp,
            pid,
            paused: self.paused && pid != 0,
            want: self.want,
        }
    }

    /// When to send `Tick`: the earliest of the end of the current quiet
    /// period and the extensions' timers.
    //= spec/supervise.md#sup-5
    pub(super) fn next_deadline(&self) -> Option<Mono> {
        let quiet = match self.phase {
            Phase::Quiet { until, .. } => Some(until),
            _ => None,
        };
        let finish = match self.finish {
            Some(Finish::Running { kill_at, .. }) => kill_at,
            _ => None,
        };
        [
            quiet,
            self.kill.map(|k| k.at),
            finish,
            self.restart.map(|r| r.0),
            // A paused service cannot ping: its watchdog waits.
            self.watchdog.filter(|_| !self.paused),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Whether the machine has emitted `Exit` (it ignores everything after).
    /// Changed only by the event whose actions end with `Exit`.
    pub(super) fn has_exited(&self) -> bool {
        self.phase == Phase::Exited
    }

    /// Handle one event; never panics. The driver carries out the orders in
    /// order (and answers a `ReadConfig` or a spawn at once).
    pub(super) fn handle(&mut self, now: Now, event: Event) -> Vec<Order> {
        let mut out = Vec::new();
        // Only an order emitted before this event can be answered by it.
        let spawning = match self.phase {
            Phase::Spawning { then, finish } => Some((then, finish)),
            _ => None,
        };
        let configuring = match self.phase {
            Phase::Configuring { then } => Some(then),
            _ => None,
        };
        // A quiet period that is over ends before anything newer is looked
        // at, whether or not its Tick came first.
        //= spec/supervise.md#sup-6
        if let Phase::Quiet { until, then } = self.phase {
            if now.mono >= until {
                self.run(now, then, &mut out);
            }
        }
        if self.phase != Phase::Exited {
            self.fire_timers(now, &mut out);
        }
        //= spec/extensions.md#ext-9
        if self.phase == Phase::Waiting && self.restart.is_some_and(|(at, _)| now.mono >= at) {
            self.start(Resume::NextTurn, &mut out);
        }
        match event {
            Event::Started => {
                if self.phase == Phase::New {
                    self.on_started(now, &mut out);
                }
            }
            Event::SpawnSucceeded { pid } => match spawning {
                Some((then, false)) => self.on_spawn_succeeded(now, pid, then, &mut out),
                Some((then, true)) => self.on_finish_spawned(now, pid, then, &mut out),
                None => {}
            },
            Event::SpawnFailed { errno } => {
                if let Some((then, finish)) = spawning {
                    if finish {
                        self.finish = Some(Finish::Over { pid: None });
                    }
                    self.on_spawn_failed(now, errno, then, &mut out);
                }
            }
            Event::Configured { ext, random } => {
                if let Some(then) = configuring {
                    self.random = random;
                    self.on_configured(ext, then, &mut out);
                }
            }
            Event::Ready { pid } => {
                if self.phase != Phase::Exited {
                    self.on_ready(now, pid, &mut out);
                }
            }
            Event::Watchdog { pid } => {
                if self.phase != Phase::Exited {
                    self.on_watchdog(now, pid);
                }
            }
            Event::StatusText { pid, text } => {
                if self.phase != Phase::Exited {
                    self.on_status_text(pid, text, &mut out);
                }
            }
            Event::ChildExited { pid, status } => self.on_child_exited(now, pid, status, &mut out),
            Event::Control(command) => self.on_control_byte(now, command, &mut out),
            Event::Tick => {}
        }
        out
    }

    //= spec/supervise.md#sup-2
    fn on_started(&mut self, now: Now, out: &mut Vec<Order>) {
        if self.want == Want::Up {
            self.start(Resume::Announce, out);
        } else {
            self.run(now, Resume::Announce, out);
        }
    }

    //= spec/supervise.md#sup-4
    //= spec/supervise.md#sup-5
    fn on_spawn_succeeded(&mut self, now: Now, pid: Pid, then: Resume, out: &mut Vec<Order>) {
        if pid.0 <= 0 {
            // fork never answers so in the parent; signalling it would hit a
            // process group. Treat it as a failed fork.
            self.on_spawn_failed(now, Errno::EINVAL, then, out);
            return;
        }
        self.paused = false;
        self.run_started = now.mono;
        //= spec/extensions.md#ext-14
        self.watchdog = self
            .watchdog_secs()
            .map(|secs| now.mono.after_secs(u64::from(secs)));
        self.child = Child::Up {
            pid,
            since: now.wall,
        };
        // Not ready yet, said before the status names the pid, so that a
        // reader who sees the pid sees this too.
        //= spec/extensions.md#ext-11
        //= spec/extensions.md#ext-13
        if self.ext.notification_fd.is_some() || self.ext.notify {
            self.ready = Some(Readiness { pid, since: None });
            self.sync_extra(out);
        }
        self.announce(out);
        self.phase = Phase::Quiet {
            until: now.mono.after_secs(QUIET_SECS),
            then,
        };
    }

    //= spec/supervise.md#sup-7
    fn on_spawn_failed(&mut self, now: Now, errno: Errno, then: Resume, out: &mut Vec<Order>) {
        out.push(Order::WarnForkFailed { errno });
        self.phase = Phase::Quiet {
            until: now.mono.after_secs(FORK_FAILED_SECS),
            then,
        };
    }

    //= spec/supervise.md#sup-16
    fn on_child_exited(&mut self, now: Now, pid: Pid, how: ExitKind, out: &mut Vec<Order>) {
        if let Child::Up {
            pid: service,
            since,
        } = self.child
        {
            if pid == service {
                self.child = Child::Exited { pid, since, how };
                //= spec/extensions.md#ext-14
                self.watchdog = None;
                if self.phase == Phase::Waiting {
                    self.run(now, Resume::NextTurn, out);
                }
            }
        }
        //= spec/extensions.md#ext-5
        if let Some(Finish::Running { pid: finish, .. }) = self.finish {
            if pid == finish {
                self.finish = Some(Finish::Over { pid: Some(pid) });
                if self.phase == Phase::Waiting {
                    self.run(now, Resume::NextTurn, out);
                }
            }
        }
    }

    //= spec/supervise.md#sup-6
    fn on_control_byte(&mut self, now: Now, command: Command, out: &mut Vec<Order>) {
        if self.phase == Phase::Exited {
            return;
        }
        self.controls.push_back(command);
        if self.phase == Phase::Waiting {
            self.run(now, Resume::NextTurn, out);
        }
    }

    /// 0.76's main loop from `at` until it blocks in poll, sleeps or exits.
    //= spec/supervise.md#sup-6
    fn run(&mut self, now: Now, at: Resume, out: &mut Vec<Order>) {
        self.phase = Phase::Waiting;
        let mut at = at;
        loop {
            match at {
                Resume::Announce => {
                    //= spec/supervise.md#sup-17
                    self.announce(out);
                    at = Resume::NextTurn;
                }
                Resume::NextTurn => {
                    //= spec/supervise.md#sup-15
                    //= spec/extensions.md#ext-5
                    if self.exit_requested && self.pid().is_none() && self.finish.is_none() {
                        self.exit(out);
                        return;
                    }
                    if let Child::Exited { how, .. } = self.child {
                        //= spec/supervise.md#sup-16
                        self.child = Child::Down { since: now.wall };
                        // A timer for the pid alone is moot once it is reaped.
                        if matches!(
                            self.kill,
                            Some(KillTimer {
                                target: Target::Pid(_),
                                ..
                            })
                        ) {
                            self.kill = None;
                        }
                        self.announce(out);
                        //= spec/extensions.md#ext-11
                        self.ready = None;
                        self.note = None;
                        self.sync_extra(out);
                        self.count_run(now);
                        //= spec/extensions.md#ext-5
                        if self.ext.finish {
                            self.start_finish(how, out);
                            return;
                        }
                        if self.after_run(now, out) {
                            return;
                        }
                    } else if let Some(Finish::Over { .. }) = self.finish {
                        //= spec/extensions.md#ext-5
                        self.finish = None;
                        self.sync_extra(out);
                        if self.after_run(now, out) {
                            return;
                        }
                    } else if self.controls.is_empty() {
                        // Nothing to reap or read: poll blocks.
                        return;
                    }
                    at = Resume::ControlByte;
                }
                Resume::ControlByte => {
                    if let Some(command) = self.controls.pop_front() {
                        self.on_command(now, command, out);
                        if self.phase != Phase::Waiting {
                            return;
                        }
                    }
                    at = Resume::NextTurn;
                }
            }
        }
    }

    /// One control byte, 0.76's `switch (ch)`.
    fn on_command(&mut self, now: Now, command: Command, out: &mut Vec<Order>) {
        match command {
            //= spec/supervise.md#sup-8
            Command::Up => {
                self.want = Want::Up;
                self.revoke_kill();
                self.announce(out);
                self.start_if_down(out);
            }
            //= spec/supervise.md#sup-9
            Command::Down => {
                self.want = Want::Down;
                self.start_after_finish = false;
                //= spec/extensions.md#ext-10
                self.restart = None;
                self.given_up = false;
                if let Some(pid) = self.pid() {
                    self.signal(Sig::Term, out);
                    self.signal(Sig::Cont, out);
                    //= spec/extensions.md#ext-14
                    if std::mem::take(&mut self.paused) {
                        self.rearm_watchdog(now);
                    }
                    //= spec/extensions.md#ext-3
                    if let (Some(secs), None) = (self.ext.timeout_kill, self.kill) {
                        self.kill = Some(KillTimer {
                            at: now.mono.after_secs(u64::from(secs)),
                            target: self.target(pid),
                            revocable: true,
                        });
                    }
                }
                self.announce(out);
                self.sync_extra(out);
            }
            //= spec/supervise.md#sup-10
            Command::Once => {
                self.want = Want::Neither;
                self.revoke_kill();
                self.announce(out);
                self.start_if_down(out);
            }
            //= spec/supervise.md#sup-11
            Command::Alarm => self.signal(Sig::Alrm, out),
            Command::Hangup => self.signal(Sig::Hup, out),
            Command::Kill => self.signal(Sig::Kill, out),
            Command::Term => self.signal(Sig::Term, out),
            Command::Interrupt => self.signal(Sig::Int, out),
            //= spec/supervise.md#sup-12
            Command::Pause => {
                self.paused = true;
                self.announce(out);
                self.signal(Sig::Stop, out);
            }
            //= spec/supervise.md#sup-13
            Command::Continue => {
                //= spec/extensions.md#ext-14
                if std::mem::take(&mut self.paused) {
                    self.rearm_watchdog(now);
                }
                self.announce(out);
                self.signal(Sig::Cont, out);
            }
            //= spec/supervise.md#sup-14
            Command::Exit => {
                self.exit_requested = true;
                self.announce(out);
            }
        }
    }

    /// 0.76's `trystart()`: ask for the fork; its answer starts the sleep.
    //= spec/supervise.md#sup-3
    fn start(&mut self, then: Resume, out: &mut Vec<Order>) {
        self.kill_now(out);
        //= spec/extensions.md#ext-9
        self.restart = None;
        self.given_up = false;
        self.sync_extra(out);
        match self.mode {
            Mode::Classic => {
                out.push(Order::SpawnRun {
                    own_group: false,
                    notification_fd: None,
                    notify_socket: false,
                    watchdog_secs: None,
                });
                self.phase = Phase::Spawning {
                    then,
                    finish: false,
                };
            }
            //= spec/extensions.md#ext-2
            Mode::Extended => {
                out.push(Order::ReadConfig);
                self.phase = Phase::Configuring { then };
            }
        }
    }

    /// The final status write and `Exit(0)` (0.76's `main` after `doit`).
    //= spec/supervise.md#sup-15
    fn exit(&mut self, out: &mut Vec<Order>) {
        self.kill_now(out);
        self.restart = None;
        self.given_up = false;
        self.sync_extra(out);
        self.announce(out);
        out.push(Order::Exit(0));
        self.phase = Phase::Exited;
        self.controls.clear();
    }

    //= spec/supervise.md#sup-19
    fn signal(&mut self, sig: Sig, out: &mut Vec<Order>) {
        if let Some(pid) = self.pid() {
            let target = self.target(pid);
            out.push(Order::Signal { target, sig });
            // A SIGKILL to where the promised one would go keeps the promise.
            //= spec/extensions.md#ext-3
            if sig == Sig::Kill && self.kill.is_some_and(|k| k.target == target) {
                self.kill = None;
            }
        }
    }

    //= spec/supervise.md#sup-17
    fn announce(&self, out: &mut Vec<Order>) {
        out.push(Order::WriteStatus(self.status()));
    }

    /// 0.76's `pid`: non-zero from fork until the reap.
    fn pid(&self) -> Option<Pid> {
        match self.child {
            Child::Down { .. } => None,
            Child::Up { pid, .. } | Child::Exited { pid, .. } => Some(pid),
        }
    }
}

/// The status file's pid field: the pid as an unsigned 32-bit number.
fn pid_field(pid: Pid) -> u32 {
    u32::try_from(pid.0).unwrap_or(0)
}
