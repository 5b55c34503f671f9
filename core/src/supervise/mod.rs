//! supervise as a pure machine: start `./run`, restart it when it exits
//! while wanted up, obey the control bytes `u d o p c h a i t k x`, and say
//! what `supervise/status` must hold — daemontools 0.76's `supervise.c`, with
//! its two blocking sleeps (1 s after each fork, 60 s after a failed fork)
//! turned into deadlines. The requirements are in `spec/supervise.md`.
//!
//! # Run-loop contract for the driver
//!
//! 1. `Supervise::new(config, now)` once the lock is held and the control
//!    FIFO is open; carry out its actions (the first status write), open the
//!    `ok` FIFO, then send [`Event::Started`].
//! 2. Carry out every returned [`Action`] in order. Answer [`Action::Spawn`]
//!    at once with [`Event::SpawnSucceeded`] or [`Event::SpawnFailed`],
//!    before any other event; feed the actions that answer returns in front
//!    of the ones still waiting. Stop at [`Action::Exit`].
//! 3. Block (poll) on the control FIFO and the SIGCHLD self-pipe with the
//!    timeout [`Supervise::next_deadline`] (none: block indefinitely). Turn
//!    each control byte into one [`Event::Control`] (dropping unknown bytes)
//!    and each reaped child into one [`Event::ChildExited`]; when the
//!    deadline has passed send [`Event::Tick`]. Events may be sent at any
//!    time: the machine queues what 0.76 would not yet have seen, so the
//!    driver never needs to hold anything back.
//! 4. `now` is sampled by the driver for each call; the machine never reads
//!    a clock.

mod action;
mod event;
mod state;

pub use crate::control::Command;
pub use crate::process::{ExitKind, Pid, Sig};
pub use crate::status::{StatusRecord, Want};
pub use action::Action;
pub use event::{Config, Event};
pub use state::{Supervise, FORK_FAILED_SECS, QUIET_SECS};

#[cfg(test)]
mod tests;
