//! Exhaustive bounded exploration of the supervise machine
//! (`dt_core::supervise::Supervise`, and `SuperviseExt` with a fixed set of
//! extension files): breadth-first over every sequence of events up to a
//! depth, with the driver's side (which child is alive, whether a spawn
//! awaits its answer) tracked beside it, checking named invariants on every
//! transition. The extended machine's `ReadConfig` is answered at once, inside
//! the same move, as the driver does.
//!
//! Time is abstract: events arrive at the current time (so during a quiet
//! period they are deferred), and time moves only by jumping to the machine's
//! deadline, either with a `Tick` or with a late event that arrives at the
//! deadline without a `Tick` before it. Spawn requests are answered at once
//! with a fresh pid or `EAGAIN`, as the driver contract says.

use dt_core::supervise::{
    Command, Config, Event, ExitKind, Extensions, Extra, Order, Pid, Sig, StatusRecord, StatusText,
    Supervise, SuperviseExt, Target, Want,
};
use dt_core::{label, Errno, Mono, Now};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::Hash;

/// The first pid handed to the service; `Pid(1)` is some other child.
const FIRST_PID: i32 = 100;
const OTHER_CHILD: Pid = Pid(1);

/// One move of the explorer: what happened, and whether time first jumped to
/// the deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Move {
    /// Time jumped to the machine's deadline before the event.
    pub at_deadline: bool,
    /// The event.
    pub event: Event,
}

impl fmt::Display for Move {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let when = if self.at_deadline {
            "at deadline: "
        } else {
            ""
        };
        write!(f, "{when}{:?}", self.event)
    }
}

/// How far to look.
#[derive(Clone, Copy, Debug)]
pub struct Bound {
    /// The longest event sequence explored (spawn answers count as events).
    pub depth: usize,
    /// The most events deferred within one quiet period (control bytes and
    /// the service's exit; events that change nothing are not counted).
    pub deferred: usize,
}

/// What an exploration covered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Distinct states (machine, time, driver's view) reached.
    pub states: usize,
    /// Transitions taken (each checked against every invariant).
    pub transitions: usize,
    /// The depth of the deepest new state.
    pub depth: usize,
}

/// An invariant that failed, with the moves that lead there.
#[derive(Clone, Debug)]
pub struct Violation {
    /// The invariant's name.
    pub invariant: &'static str,
    /// Whether the machine started with a `down` file.
    pub down_file: bool,
    /// The moves from `new`, the last one breaking the invariant.
    pub trace: Vec<Move>,
    /// The orders of the last move (0.76's actions as orders).
    pub actions: Vec<Order>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "invariant `{}` broken; down file: {}",
            self.invariant, self.down_file
        )?;
        for (i, m) in self.trace.iter().enumerate() {
            writeln!(f, "  {i:>2}. {m}")?;
        }
        write!(f, "  actions: {:?}", self.actions)
    }
}

/// The invariants, by name.
pub mod invariant {
    /// No `Spawn` while a service child is alive or unreaped, or while a
    /// spawn awaits its answer; at most one per step.
    pub const ONE_CHILD: &str = "never two children";
    /// A `Spawn` never happens while the service is wanted down, and with no
    /// want only right after an `o`.
    pub const DOWN_STAYS_DOWN: &str = "a wanted-down service is never restarted";
    /// `Exit` comes last, after `x`, once the service is gone, after a write
    /// of pid 0.
    pub const EXIT_WHEN_DOWN: &str = "exit only when pid is 0";
    /// `status()` agrees with what was written and with the driver's view.
    pub const STATUS_MATCHES: &str = "the status record matches the state";
    /// A `d` to a running service outside a quiet period is TERM, CONT,
    /// then the status write.
    pub const DOWN_SIGNALS: &str = "d to a running service sends TERM then CONT";
    /// Signals go only to the service's pid, and only while it has one.
    pub const SIGNALS_TO_SERVICE: &str = "signals go only to the service's pid";
    /// `next_deadline` is pure; a `Tick` before it does nothing.
    pub const TICK_NOOP: &str = "early Tick is a no-op";
    /// With `timeout-kill`, a service told `d` that has not been reaped, nor
    /// told `u` or `o`, by the deadline gets SIGKILL at the deadline.
    pub const KILLED_BY_DEADLINE: &str = "a wanted-down service is killed by the deadline";
    /// With `stop-group`, `./run` gets a group of its own and every signal
    /// goes to that group; a group SIGKILL promised by `timeout-kill` is
    /// sent, at the latest, before the next start and before the exit.
    pub const GROUP: &str =
        "signals go to the group, and no group outlives a new start or the exit";
    /// With `finish`, every reap of `./run` is followed at once by the spawn
    /// of `./finish 0 0` (the explorer's service always exits 0), never
    /// while another child lives; nothing is started, and supervise does
    /// not exit, while it runs; `timeout-finish` kills it by its deadline;
    /// The extension lines are written whenever what they say changes.
    pub const FINISH: &str = "finish runs after each run, alone, bounded, and is reported";
    /// With `backoff`, a restart put off is put off by the nominal delay of
    /// its attempt (never more than `max`), happens when that delay is over
    /// unless `d`, `x`, `u` or `o` came first, and never before it (nor after
    /// giving up) unless `u` or `o` asked; without `backoff` nothing is put
    /// off.
    pub const BACKOFF: &str = "restarts wait for their delay, which never exceeds max";
    /// With `notification-fd` (or `notify`), the extension lines say `not-ready` for the
    /// service from before the write of its pid, `ready` from the first
    /// `Ready` of that pid while it runs, and nothing once it is reaped;
    /// every spawn passes the descriptor. Without it, readiness is never
    /// mentioned.
    pub const READY: &str = "readiness is reported for the running service only";
    /// With `notify` and `watchdog`, every start passes the seconds; a
    /// running service that sent no `WATCHDOG=1` for that long is warned
    /// about and sent TERM and CONT at that moment (the machine wakes for
    /// it), and never earlier.
    pub const WATCHDOG: &str = "a silent service is stopped when its watchdog runs out";
    /// `ReadConfig` is answered before anything else (it is the last order
    /// of its move), and only the extended machine asks.
    pub const CONFIG_PROTOCOL: &str = "ReadConfig comes last, from the extended machine only";
}

/// What the explorer drives: the classic machine, or the extended one with
/// fixed extension files.
trait Subject: Clone + Eq + Hash {
    fn step(&mut self, now: Now, event: Event) -> Vec<Order>;
    fn deadline(&self) -> Option<Mono>;
    fn status(&self) -> StatusRecord;
    fn exited(&self) -> bool;
    fn ext(&self) -> Extensions;
    fn extra(&self) -> Extra;
}

impl Subject for Supervise {
    fn step(&mut self, now: Now, event: Event) -> Vec<Order> {
        self.handle(now, event)
            .into_iter()
            .map(Order::from)
            .collect()
    }
    fn deadline(&self) -> Option<Mono> {
        self.next_deadline()
    }
    fn status(&self) -> StatusRecord {
        Supervise::status(self)
    }
    fn exited(&self) -> bool {
        self.has_exited()
    }
    fn ext(&self) -> Extensions {
        Extensions::default()
    }
    fn extra(&self) -> Extra {
        Extra::default()
    }
}

/// The extended machine and what its files say.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Ext {
    sv: SuperviseExt,
    ext: Extensions,
}

impl Subject for Ext {
    fn step(&mut self, now: Now, event: Event) -> Vec<Order> {
        let mut orders = self.sv.handle(now, event);
        if orders.last() == Some(&Order::ReadConfig) {
            orders.pop();
            // No jitter: the explorer's clock counts whole seconds.
            let configured = Event::Configured {
                ext: self.ext,
                random: 0,
            };
            orders.extend(self.sv.handle(now, configured));
        }
        orders
    }
    fn deadline(&self) -> Option<Mono> {
        self.sv.next_deadline()
    }
    fn status(&self) -> StatusRecord {
        self.sv.status()
    }
    fn exited(&self) -> bool {
        self.sv.has_exited()
    }
    fn ext(&self) -> Extensions {
        self.ext
    }
    fn extra(&self) -> Extra {
        self.sv.extra()
    }
}

/// The driver's view of the world beside the machine.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct World {
    /// The service child, spawned and not yet exited.
    alive: Option<Pid>,
    /// The last pid handed out (0 = none yet).
    last_pid: i32,
    /// A `Spawn` awaits its answer.
    spawn_pending: bool,
    /// The spawn that awaits its answer is `./finish`'s.
    spawn_finish: bool,
    /// `./finish`, spawned and not yet exited.
    finish_alive: Option<Pid>,
    /// The second by which `./finish` gets SIGKILL (`timeout-finish`).
    finish_due: Option<u64>,
    /// A `u` or `o` was handled while `./finish` was on its way: a start
    /// after it is allowed even with want none.
    start_asked: bool,
    /// The extension lines last written.
    extra: Extra,
    /// `backoff`: the second at which the restart put off is due.
    restart_due: Option<u64>,
    /// An `x` was sent.
    exit_sent: bool,
    /// The last record written.
    written: StatusRecord,
    /// Events deferred in the current quiet period (or before `Started`).
    deferred: usize,
    /// `Started` was sent.
    started: bool,
    /// `notification-fd`: the service pid that said it is ready while it
    /// ran.
    ready_for: Option<Pid>,
    /// `notify`: the service pid that sent a status text while it ran.
    note_for: Option<Pid>,
    /// `watchdog`: the second by which the running service is stopped
    /// unless it pings.
    watchdog_due: Option<u64>,
    /// `kill_due` was promised by the watchdog, which `u` and `o` do not
    /// take back.
    kill_firm: bool,
    /// The running service is paused: its watchdog waits.
    watchdog_paused: bool,
    /// `timeout-kill`'s promise: the second by which this pid (or group),
    /// told `d`, gets SIGKILL unless reaped (a pid) or told `u`/`o` first.
    kill_due: Option<(u64, Target)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Node<S> {
    sv: S,
    now_secs: u64,
    world: World,
}

fn at(secs: u64) -> Now {
    Now {
        mono: Mono::from_secs(secs),
        wall: label::from_unix(i64::try_from(secs).unwrap_or(i64::MAX), 0),
    }
}

fn moves<S: Subject>(node: &Node<S>, bound: Bound) -> Vec<Move> {
    let now = |event| Move {
        at_deadline: false,
        event,
    };
    if node.sv.exited() {
        return Vec::new();
    }
    if node.world.spawn_pending {
        return vec![
            now(Event::SpawnSucceeded {
                pid: Pid(node.world.last_pid.max(FIRST_PID - 1) + 1),
            }),
            now(Event::SpawnFailed {
                errno: Errno::EAGAIN,
            }),
        ];
    }
    let mut events: Vec<Event> = Command::ALL.iter().map(|&c| Event::Control(c)).collect();
    for pid in [node.world.alive, node.world.finish_alive]
        .into_iter()
        .flatten()
    {
        events.push(Event::ChildExited {
            pid,
            status: ExitKind::Exited(0),
        });
    }
    // Would an event now be deferred, and may another one be?
    let quiet = node.sv.deadline().is_some() || !node.world.started;
    let mut all: Vec<Move> = if quiet && node.world.deferred >= bound.deferred {
        Vec::new()
    } else {
        events.iter().map(|&e| now(e)).collect()
    };
    all.push(now(Event::ChildExited {
        pid: OTHER_CHILD,
        status: ExitKind::Signaled(9),
    }));
    all.push(now(Event::Started));
    let ext = node.sv.ext();
    if ext.notification_fd.is_some() || ext.notify {
        all.push(now(Event::Ready { pid: OTHER_CHILD }));
        if let Some(pid) = node.world.alive {
            all.push(now(Event::Ready { pid }));
        }
    }
    if let (true, Some(_), Some(pid)) = (ext.notify, ext.watchdog, node.world.alive) {
        all.push(now(Event::Watchdog { pid }));
        if node.sv.deadline().is_some() {
            all.push(Move {
                at_deadline: true,
                event: Event::Watchdog { pid },
            });
        }
    }
    if ext.notify {
        let text = StatusText::new(b"busy");
        all.push(now(Event::StatusText {
            pid: OTHER_CHILD,
            text,
        }));
        if let Some(pid) = node.world.alive {
            all.push(now(Event::StatusText { pid, text }));
        }
    }
    if node.sv.deadline().is_some() {
        all.push(Move {
            at_deadline: true,
            event: Event::Tick,
        });
        // Late events: the deadline passed with no Tick before them.
        for event in events {
            if matches!(
                event,
                Event::ChildExited { .. } | Event::Control(Command::Down | Command::Up)
            ) {
                all.push(Move {
                    at_deadline: true,
                    event,
                });
            }
        }
    }
    all
}

/// An invariant's name and the orders that broke it.
type Broken = (&'static str, Vec<Order>);

/// Take one move; the new node, or the broken invariant.
fn step<S: Subject>(node: &Node<S>, mv: Move) -> Result<Node<S>, Broken> {
    let mut next = node.clone();
    if mv.at_deadline {
        if let Some(deadline) = node.sv.deadline() {
            next.now_secs = deadline.0 / Mono::SECOND;
        }
    }
    let now = at(next.now_secs);
    let before = node.sv.status();
    let acts = next.sv.step(now, mv.event);
    let ext = node.sv.ext();
    let fail = |name| Err((name, acts.clone()));

    // The driver's side.
    match mv.event {
        Event::SpawnSucceeded { pid } => {
            next.world.spawn_pending = false;
            if node.world.spawn_finish {
                next.world.finish_alive = Some(pid);
                next.world.finish_due = ext
                    .timeout_finish
                    .map(|secs| next.now_secs + u64::from(secs));
            } else {
                next.world.alive = Some(pid);
                next.world.watchdog_due = ext
                    .watchdog
                    .filter(|_| ext.notify)
                    .map(|secs| next.now_secs + u64::from(secs));
                next.world.watchdog_paused = false;
            }
            next.world.last_pid = pid.0;
        }
        Event::SpawnFailed { .. } => next.world.spawn_pending = false,
        Event::ChildExited { pid, .. } if Some(pid) == node.world.alive => {
            next.world.alive = None;
            // (A watchdog due now fires before the exit is looked at.)
            if node
                .world
                .watchdog_due
                .is_some_and(|due| next.now_secs < due)
            {
                next.world.watchdog_due = None;
            }
        }
        // A ping before the deadline starts it again (at the deadline, the
        // machine stops the service first).
        Event::Watchdog { pid } if Some(pid) == node.world.alive => {
            if let (Some(due), Some(secs)) = (node.world.watchdog_due, ext.watchdog) {
                if next.now_secs < due {
                    next.world.watchdog_due = Some(next.now_secs + u64::from(secs));
                }
            }
        }
        Event::ChildExited { pid, .. } if Some(pid) == node.world.finish_alive => {
            next.world.finish_alive = None;
            next.world.finish_due = None;
        }
        Event::Control(Command::Exit) => next.world.exit_sent = true,
        Event::Ready { pid }
            if Some(pid) == node.world.alive
                && i32::try_from(before.pid).is_ok_and(|p| p == pid.0)
                && node.world.ready_for.is_none_or(|p| p != pid) =>
        {
            next.world.ready_for = Some(pid);
        }
        Event::StatusText { pid, .. }
            if Some(pid) == node.world.alive
                && i32::try_from(before.pid).is_ok_and(|p| p == pid.0) =>
        {
            next.world.note_for = Some(pid);
        }
        _ => {}
    }
    let after = next.sv.status();
    if mv.event == Event::Started {
        next.world.started = true;
    }
    let deferring = |n: &Node<S>| n.sv.deadline().is_some() || !n.world.started;
    if !deferring(&next)
        || next.sv.deadline() != node.sv.deadline()
        || next.world.started != node.world.started
    {
        next.world.deferred = 0;
    } else if !mv.at_deadline && next.sv != node.sv {
        next.world.deferred += 1;
    }

    let mut previous: Option<&Order> = None;
    let mut written = node.world.written;
    // `backoff`: a delay (or a give-up) was ended early in this step, and
    // whether a `u` or `o` did it.
    let mut released_early = false;
    let mut asked_to_start = false;
    let mut spawns = 0;
    let mut last_write_changed_pid = false;
    for (i, action) in acts.iter().enumerate() {
        match action {
            Order::ReadConfig => return fail(invariant::CONFIG_PROTOCOL),
            Order::SpawnRun {
                own_group,
                notification_fd,
                notify_socket,
                watchdog_secs,
            } => {
                //= spec/extensions.md#ext-4
                if *own_group != ext.stop_group || next.world.kill_due.is_some() {
                    return fail(invariant::GROUP);
                }
                //= spec/extensions.md#ext-11
                if *notification_fd != ext.notification_fd || *notify_socket != ext.notify {
                    return fail(invariant::READY);
                }
                //= spec/extensions.md#ext-14
                if *watchdog_secs != ext.watchdog.filter(|_| ext.notify) {
                    return fail(invariant::WATCHDOG);
                }
                spawns += 1;
                //= spec/supervise.md#sup-3
                if spawns > 1
                    || node.world.spawn_pending
                    || next.world.alive.is_some()
                    || next.world.finish_alive.is_some()
                {
                    return fail(invariant::ONE_CHILD);
                }
                if after.pid != 0 || i + 1 != acts.len() {
                    return fail(invariant::ONE_CHILD);
                }
                //= spec/supervise.md#sup-16
                let after_once = !last_write_changed_pid
                    && matches!(
                        previous,
                        Some(Order::WriteStatus(StatusRecord {
                            pid: 0,
                            want: Want::Neither,
                            ..
                        }))
                    );
                match after.want {
                    Want::Up => {}
                    Want::Neither if after_once || next.world.start_asked => {}
                    _ => return fail(invariant::DOWN_STAYS_DOWN),
                }
                //= spec/extensions.md#ext-9
                //= spec/extensions.md#ext-10
                if next.world.restart_due.is_some()
                    || next.world.extra.given_up.is_some()
                    || (released_early && !asked_to_start)
                {
                    return fail(invariant::BACKOFF);
                }
                next.world.spawn_pending = true;
                next.world.spawn_finish = false;
                next.world.start_asked = false;
            }
            Order::SpawnFinish {
                code,
                signal,
                own_group,
            } => {
                //= spec/extensions.md#ext-5
                let after_reap = last_write_changed_pid
                    && matches!(previous, Some(Order::WriteStatus(r)) if r.pid == 0);
                if !ext.finish
                    || !after_reap
                    || (*code, *signal, *own_group) != (0, 0, ext.stop_group)
                    || i + 1 != acts.len()
                    || node.world.spawn_pending
                    || next.world.alive.is_some()
                    || next.world.finish_alive.is_some()
                {
                    return fail(invariant::FINISH);
                }
                next.world.spawn_pending = true;
                next.world.spawn_finish = true;
            }
            Order::WriteExtra(extra) => {
                //= spec/extensions.md#ext-7
                if *extra == next.world.extra {
                    return fail(invariant::FINISH);
                }
                //= spec/extensions.md#ext-9
                //= spec/extensions.md#ext-10
                match (ext.backoff, extra.restart, extra.given_up) {
                    (None, None, None) => {}
                    (None, ..) => return fail(invariant::BACKOFF),
                    (Some(b), restart, _) => {
                        if let Some((wall, attempt)) = restart {
                            // The explorer's driver gives no jitter.
                            let mut nominal = u64::from(b.initial);
                            for _ in 1..attempt {
                                nominal = (nominal * 2).min(u64::from(b.max));
                            }
                            let delay = wall.0 .0.saturating_sub(now.wall.0 .0);
                            if attempt == 0
                                || delay > u64::from(b.max)
                                || delay != nominal
                                || wall.1 != now.wall.1
                            {
                                return fail(invariant::BACKOFF);
                            }
                            if next.world.extra.restart.is_none() {
                                next.world.restart_due = Some(next.now_secs + delay);
                            }
                        } else if let Some(due) = next.world.restart_due.take() {
                            released_early |= next.now_secs < due;
                        }
                        if extra.given_up.is_none() && next.world.extra.given_up.is_some() {
                            released_early = true;
                        }
                    }
                }
                next.world.extra = *extra;
            }
            Order::Exit(code) => {
                if next.world.kill_due.is_some() {
                    return fail(invariant::GROUP);
                }
                //= spec/supervise.md#sup-15
                let wrote_down = matches!(previous, Some(Order::WriteStatus(r)) if r.pid == 0);
                if *code != 0
                    || i + 1 != acts.len()
                    || !wrote_down
                    || after.pid != 0
                    || next.world.alive.is_some()
                    || next.world.finish_alive.is_some()
                    || !next.world.exit_sent
                    || !next.sv.exited()
                {
                    return fail(invariant::EXIT_WHEN_DOWN);
                }
            }
            Order::WriteStatus(record) => {
                //= spec/supervise.md#sup-18
                let stamp_ok = if record.pid == written.pid {
                    record.stamp == written.stamp
                } else {
                    record.stamp == now.wall
                };
                if !stamp_ok || (record.paused && record.pid == 0) {
                    return fail(invariant::STATUS_MATCHES);
                }
                // The pid of a new run is written after its `not-ready`.
                //= spec/extensions.md#ext-11
                let said = next.world.extra.ready.map(|r| (r.pid, r.since));
                let new_pid = Pid(i32::try_from(record.pid).unwrap_or(-1));
                if ext.notification_fd.is_some()
                    && record.pid != 0
                    && record.pid != written.pid
                    && said != Some((new_pid, None))
                {
                    return fail(invariant::READY);
                }
                // With `finish`, a reap is followed by its spawn (after the
                // write of the extension lines that forgets the readiness).
                //= spec/extensions.md#ext-5
                if ext.finish
                    && record.pid == 0
                    && written.pid != 0
                    && !matches!(
                        acts[i + 1..]
                            .iter()
                            .find(|o| !matches!(o, Order::WriteExtra(_))),
                        Some(Order::SpawnFinish { .. })
                    )
                {
                    return fail(invariant::FINISH);
                }
                let finish_on_its_way = next.world.finish_alive.is_some()
                    || (node.world.spawn_pending && node.world.spawn_finish);
                if finish_on_its_way && record.pid == 0 {
                    // `u`, `o` (or a write that keeps such a want) may
                    // ask for a start after it; `d` takes it back.
                    next.world.start_asked = record.want != Want::Down;
                }
                // `u` or `o` (or `p`, `c`, `x`, which start nothing) while
                // down; not the write of a reap.
                if record.pid == 0 && written.pid == 0 && record.want != Want::Down {
                    asked_to_start = true;
                }
                last_write_changed_pid = record.pid != written.pid;
                // A pause of the running service holds its watchdog; the
                // end of it (`c`, `d`) gives it the whole period again.
                //= spec/extensions.md#ext-14
                if record.pid != 0 && record.pid == written.pid && record.paused != written.paused {
                    next.world.watchdog_paused = record.paused;
                    if let (false, Some(_), Some(secs)) =
                        (record.paused, next.world.watchdog_due, ext.watchdog)
                    {
                        next.world.watchdog_due = Some(next.now_secs + u64::from(secs));
                    }
                }
                written = *record;
                //= spec/extensions.md#ext-3
                //= spec/extensions.md#ext-4
                if let Some((_, target)) = next.world.kill_due {
                    let current = Pid(i32::try_from(record.pid).unwrap_or(-1));
                    // (Not a promise of the watchdog's, EXT-14.)
                    let revoked =
                        record.want != Want::Down && record.pid != 0 && !next.world.kill_firm;
                    let moot = matches!(target, Target::Pid(p) if p != current);
                    let theirs =
                        matches!(target, Target::Pid(p) | Target::Group(p) if p == current);
                    if (revoked && theirs) || moot {
                        next.world.kill_due = None;
                    }
                }
                // A `d` to a running service: TERM, CONT, then this write
                // (of the pid: not a reap right after the watchdog's TERM
                // and CONT, EXT-14).
                let watchdogs = i >= 3 && matches!(acts[i - 3], Order::WarnWatchdog { .. });
                if let (Some(secs), None, Want::Down, 2.., true) = (
                    ext.timeout_kill,
                    next.world.kill_due,
                    record.want,
                    i,
                    record.pid != 0 && !watchdogs,
                ) {
                    if let (
                        Order::Signal {
                            target: t,
                            sig: Sig::Term,
                        },
                        Order::Signal {
                            target: u,
                            sig: Sig::Cont,
                        },
                    ) = (&acts[i - 2], &acts[i - 1])
                    {
                        if t == u {
                            next.world.kill_due = Some((next.now_secs + u64::from(secs), *t));
                            next.world.kill_firm = false;
                        }
                    }
                }
            }
            Order::Signal { target, sig } => {
                //= spec/supervise.md#sup-19
                //= spec/extensions.md#ext-4
                let service = Pid(i32::try_from(before.pid).unwrap_or(-1));
                let promised = node.world.kill_due.is_some_and(|(_, t)| t == *target);
                let to_service = before.pid != 0
                    && *target
                        == if ext.stop_group {
                            Target::Group(service)
                        } else {
                            Target::Pid(service)
                        };
                //= spec/extensions.md#ext-6
                let to_finish = *sig == Sig::Kill
                    && node.world.finish_due.is_some()
                    && node.world.finish_alive.is_some_and(|p| {
                        *target
                            == if ext.stop_group {
                                Target::Group(p)
                            } else {
                                Target::Pid(p)
                            }
                    });
                if !(to_service || to_finish || promised && *sig == Sig::Kill) {
                    return fail(if ext.stop_group {
                        invariant::GROUP
                    } else {
                        invariant::SIGNALS_TO_SERVICE
                    });
                }
                if *sig == Sig::Kill && next.world.kill_due.is_some_and(|(_, t)| t == *target) {
                    next.world.kill_due = None;
                }
                //= spec/extensions.md#ext-6
                if *sig == Sig::Kill
                    && next.world.finish_alive.is_some_and(|p| {
                        *target
                            == if ext.stop_group {
                                Target::Group(p)
                            } else {
                                Target::Pid(p)
                            }
                    })
                {
                    next.world.finish_due = None;
                }
            }
            Order::WarnForkFailed { .. } => {
                if !matches!(mv.event, Event::SpawnFailed { .. }) {
                    return fail(invariant::STATUS_MATCHES);
                }
            }
            //= spec/extensions.md#ext-14
            Order::WarnWatchdog { secs } => {
                let due = next.world.watchdog_due.take();
                let service = Pid(i32::try_from(before.pid).unwrap_or(-1));
                let target = if ext.stop_group {
                    Target::Group(service)
                } else {
                    Target::Pid(service)
                };
                let stops = acts.get(i + 1..i + 3)
                    == Some(
                        &[
                            Order::Signal {
                                target,
                                sig: Sig::Term,
                            },
                            Order::Signal {
                                target,
                                sig: Sig::Cont,
                            },
                        ][..],
                    );
                if Some(*secs) != ext.watchdog
                    || next.world.watchdog_paused
                    || due.is_none_or(|due| next.now_secs < due)
                    || node.world.alive != Some(service)
                    || !stops
                {
                    return fail(invariant::WATCHDOG);
                }
                if let (Some(kill), None) = (ext.timeout_kill, next.world.kill_due) {
                    next.world.kill_due = Some((next.now_secs + u64::from(kill), target));
                    next.world.kill_firm = true;
                }
            }
        }
        // A promised group SIGKILL or a write of the extension lines may sit
        // between a status write and what follows it (a start or the
        // exit); they are not what that follows.
        if !matches!(
            action,
            Order::Signal { sig: Sig::Kill, .. } | Order::WriteExtra(_)
        ) || previous.is_none()
        {
            previous = Some(action);
        }
    }
    next.world.written = written;
    // The service exited in this step: a watchdog due now has fired above
    // (or is missed, which the check below reports); one that a `c` or `d`
    // ending a pause gave a new period (in the quiet period's queue, handled
    // before the timers) ends with the process.
    //= spec/extensions.md#ext-14
    let exited =
        matches!(mv.event, Event::ChildExited { pid, .. } if Some(pid) == node.world.alive);
    if exited
        && next
            .world
            .watchdog_due
            .is_some_and(|due| due > next.now_secs)
    {
        next.world.watchdog_due = None;
    }

    // The status agrees with what was last written, except after the
    // commands that write nothing (they change nothing either).
    //= spec/supervise.md#sup-17
    //= spec/supervise.md#sup-18
    if after != written {
        return fail(invariant::STATUS_MATCHES);
    }
    let service_pid = if after.pid == 0 {
        None
    } else {
        Some(Pid(i32::try_from(after.pid).unwrap_or(-1)))
    };
    if after.paused && after.pid == 0
        || next.world.alive.is_some() && service_pid != next.world.alive
        || service_pid.is_some_and(|p| p.0 != next.world.last_pid)
        || next.world.spawn_pending && after.pid != 0
    {
        return fail(invariant::STATUS_MATCHES);
    }

    // The promised SIGKILL came by its deadline, which the machine asked to
    // be woken at.
    //= spec/extensions.md#ext-3
    if let Some((due, _)) = next.world.kill_due {
        if next.now_secs >= due || next.sv.deadline().is_none_or(|d| d > at(due).mono) {
            return fail(invariant::KILLED_BY_DEADLINE);
        }
    }

    //= spec/extensions.md#ext-5
    //= spec/extensions.md#ext-6
    //= spec/extensions.md#ext-7
    if let Some(due) = next.world.finish_due {
        if next.now_secs >= due || next.sv.deadline().is_none_or(|d| d > at(due).mono) {
            return fail(invariant::FINISH);
        }
    }
    //= spec/extensions.md#ext-14
    if let (Some(due), false) = (next.world.watchdog_due, next.world.watchdog_paused) {
        if next.now_secs >= due || next.sv.deadline().is_none_or(|d| d > at(due).mono) {
            return fail(invariant::WATCHDOG);
        }
    }
    //= spec/extensions.md#ext-9
    if let Some(due) = next.world.restart_due {
        if next.now_secs >= due || next.sv.deadline().is_none_or(|d| d > at(due).mono) {
            return fail(invariant::BACKOFF);
        }
    }
    let extra = next.sv.extra();
    let reported = next.world.finish_alive.is_none() || extra.finishing == next.world.finish_alive;
    if extra != next.world.extra || !reported {
        return fail(invariant::FINISH);
    }
    //= spec/extensions.md#ext-11
    let readiness = extra.ready.map(|r| (r.pid, r.since.is_some()));
    let told = ext.notification_fd.is_some() || ext.notify;
    let expected = match (told, service_pid) {
        (true, Some(pid)) => Some((pid, next.world.ready_for == Some(pid))),
        _ => None,
    };
    //= spec/extensions.md#ext-13
    let note = extra.status.map(|n| n.pid);
    let expected_note = service_pid.filter(|&pid| ext.notify && next.world.note_for == Some(pid));
    if readiness != expected
        || note != expected_note
        || extra
            .ready
            .and_then(|r| r.since)
            .is_some_and(|since| since.0 .0 > now.wall.0 .0)
    {
        return fail(invariant::READY);
    }

    // `d` outside the quiet period.
    //= spec/supervise.md#sup-9
    if mv.event == Event::Control(Command::Down)
        && !mv.at_deadline
        && node.sv.deadline().is_none()
        && !node.world.spawn_pending
        && before.pid != 0
    {
        let pid = Pid(i32::try_from(before.pid).unwrap_or(-1));
        let target = if ext.stop_group {
            Target::Group(pid)
        } else {
            Target::Pid(pid)
        };
        let expected_start = [
            Order::Signal {
                target,
                sig: Sig::Term,
            },
            Order::Signal {
                target,
                sig: Sig::Cont,
            },
        ];
        let wrote_down = matches!(
            acts.get(2),
            Some(Order::WriteStatus(r)) if r.want == Want::Down && !r.paused
        );
        if acts.len() != 3 || acts[..2] != expected_start || !wrote_down {
            return fail(invariant::DOWN_SIGNALS);
        }
    }

    // A Tick before the deadline does nothing; the deadline is pure.
    //= spec/supervise.md#sup-20
    let deadline = next.sv.deadline();
    if deadline != next.sv.deadline() {
        return fail(invariant::TICK_NOOP);
    }
    if deadline.is_none_or(|d| d > at(next.now_secs).mono) {
        let mut probe = next.sv.clone();
        if !probe.step(at(next.now_secs), Event::Tick).is_empty() || probe != next.sv {
            return fail(invariant::TICK_NOOP);
        }
    }
    Ok(next)
}

/// Explore every event sequence up to `bound.depth` from both start-ups
/// (with and without a `down` file), checking every invariant.
pub fn explore_supervise(bound: Bound) -> Result<Stats, Violation> {
    explore(bound, |cfg| {
        let (sv, first) = Supervise::new(cfg, at(0));
        (sv, first.into_iter().map(Order::from).collect())
    })
}

/// [`explore_supervise`] for the extended machine whose extension files
/// always say `ext` (the invariants of the extensions are checked too).
pub fn explore_extended(bound: Bound, ext: Extensions) -> Result<Stats, Violation> {
    explore(bound, |cfg| {
        let (sv, first) = SuperviseExt::new(cfg, at(0));
        (Ext { sv, ext }, first)
    })
}

fn explore<S: Subject>(
    bound: Bound,
    new: impl Fn(Config) -> (S, Vec<Order>),
) -> Result<Stats, Violation> {
    let mut stats = Stats::default();
    // Per state: (parent index, move that led here, down_file of its root).
    let mut index: HashMap<Node<S>, usize> = HashMap::new();
    let mut parents: Vec<(Option<usize>, Option<Move>, bool)> = Vec::new();
    let mut frontier: VecDeque<(Node<S>, usize, usize)> = VecDeque::new();
    for down_file in [false, true] {
        let (sv, first) = new(Config { down_file });
        let [Order::WriteStatus(written)] = first[..] else {
            return Err(Violation {
                invariant: invariant::STATUS_MATCHES,
                down_file,
                trace: Vec::new(),
                actions: first,
            });
        };
        let node = Node {
            sv,
            now_secs: 0,
            world: World {
                alive: None,
                last_pid: 0,
                spawn_pending: false,
                spawn_finish: false,
                finish_alive: None,
                finish_due: None,
                start_asked: false,
                extra: Extra::default(),
                restart_due: None,
                exit_sent: false,
                written,
                deferred: 0,
                started: false,
                kill_due: None,
                ready_for: None,
                note_for: None,
                watchdog_due: None,
                kill_firm: false,
                watchdog_paused: false,
            },
        };
        let id = parents.len();
        parents.push((None, None, down_file));
        index.insert(node.clone(), id);
        frontier.push_back((node, id, 0));
    }
    while let Some((node, id, depth)) = frontier.pop_front() {
        stats.depth = stats.depth.max(depth);
        if depth == bound.depth {
            continue;
        }
        for mv in moves(&node, bound) {
            stats.transitions += 1;
            match step(&node, mv) {
                Ok(next) => {
                    if !index.contains_key(&next) {
                        let next_id = parents.len();
                        parents.push((Some(id), Some(mv), parents[id].2));
                        index.insert(next.clone(), next_id);
                        frontier.push_back((next, next_id, depth + 1));
                    }
                }
                Err((name, actions)) => {
                    let mut trace = vec![mv];
                    let mut at_id = id;
                    while let (Some(parent), Some(m), _) = parents[at_id] {
                        trace.push(m);
                        at_id = parent;
                    }
                    trace.reverse();
                    return Err(Violation {
                        invariant: name,
                        down_file: parents[id].2,
                        trace,
                        actions,
                    });
                }
            }
        }
    }
    stats.states = index.len();
    Ok(stats)
}
