//! The two faces of the supervise machine: [`Supervise`], 0.76 exactly (its
//! actions are 0.76's and it never asks for the extension files), and
//! [`SuperviseExt`], which also obeys the opt-in files of
//! `spec/extensions.md` and is what the driver runs. Without any of those
//! files the second does what the first does, with one more round trip
//! ([`Order::ReadConfig`] answered by [`Event::Configured`]) before each
//! start of `./run`.

use super::action::Action;
use super::event::{Config, Event};
use super::order::Order;
use super::state::{Machine, Mode};
use crate::status::StatusRecord;
use crate::{Mono, Now};

/// supervise as 0.76 has it (`spec/supervise.md`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Supervise(Machine);

impl Supervise {
    /// A machine whose driver has just taken the lock and opened the control
    /// FIFO; the actions are the first status write (pid 0).
    //= spec/supervise.md#sup-1
    pub fn new(cfg: Config, now: Now) -> (Self, Vec<Action>) {
        let (machine, first) = Machine::new(Mode::Classic, cfg, now);
        (Supervise(machine), classic(first))
    }

    /// What `supervise/status` should say now. Changed by every event but
    /// `Tick`s before the deadline; equal to the last `WriteStatus` emitted
    /// except while a command that does not write (`a h k t i`) or a queued
    /// event is pending.
    //= spec/supervise.md#sup-18
    pub fn status(&self) -> StatusRecord {
        self.0.status()
    }

    /// When to send `Tick`: the end of the current quiet period, if any.
    /// Changed by `SpawnSucceeded`, `SpawnFailed` and by the event that ends
    /// a quiet period (`Tick` or any later event).
    //= spec/supervise.md#sup-5
    pub fn next_deadline(&self) -> Option<Mono> {
        self.0.next_deadline()
    }

    /// Whether the machine has emitted `Exit` (it ignores everything after).
    /// Changed only by the event whose actions end with `Exit`.
    pub fn has_exited(&self) -> bool {
        self.0.has_exited()
    }

    /// Handle one event; never panics. The driver carries out the actions in
    /// order (and answers a `Spawn` at once). `Configured` is ignored.
    #[must_use]
    pub fn handle(&mut self, now: Now, event: Event) -> Vec<Action> {
        classic(self.0.handle(now, event))
    }
}

/// The classic machine never emits an order that is not a 0.76 action.
fn classic(orders: Vec<Order>) -> Vec<Action> {
    orders.into_iter().filter_map(Order::classic).collect()
}

/// supervise with the opt-in extensions of `spec/extensions.md`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SuperviseExt(Machine);

impl SuperviseExt {
    /// As [`Supervise::new`]: the first status write (pid 0).
    //= spec/extensions.md#ext-1
    pub fn new(cfg: Config, now: Now) -> (Self, Vec<Order>) {
        let (machine, first) = Machine::new(Mode::Extended, cfg, now);
        (SuperviseExt(machine), first)
    }

    /// What `supervise/status` should say now (as [`Supervise::status`]).
    pub fn status(&self) -> StatusRecord {
        self.0.status()
    }

    /// When to send `Tick`: the earliest of the end of the quiet period and
    /// the extensions' timers. Changed by any event that is not an early
    /// `Tick`.
    pub fn next_deadline(&self) -> Option<Mono> {
        self.0.next_deadline()
    }

    /// Whether the machine has emitted `Exit` (it ignores everything after).
    pub fn has_exited(&self) -> bool {
        self.0.has_exited()
    }

    /// What the extension lines should say now; equal to the last
    /// `WriteExtra` (or empty if none was emitted) after every event.
    pub fn extra(&self) -> super::Extra {
        self.0.extra()
    }

    /// Handle one event; never panics. The driver carries out the orders in
    /// order, and answers `ReadConfig` and the spawns at once.
    #[must_use]
    pub fn handle(&mut self, now: Now, event: Event) -> Vec<Order> {
        self.0.handle(now, event)
    }
}
