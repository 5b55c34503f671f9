//! supervise as a pure machine: start `./run`, restart it when it exits
//! while wanted up, obey the control bytes `u d o p c h a i t k x`, and say
//! what `supervise/status` must hold — daemontools 0.76's `supervise.c`, with
//! its two blocking sleeps (1 s after each fork, 60 s after a failed fork)
//! turned into deadlines. The requirements are in `spec/supervise.md`.
//!
//! Beyond 0.76, and only for a service directory that asks for them with
//! its own files, [`SuperviseExt`] adds the extensions of
//! `spec/extensions.md` (a SIGKILL after `timeout-kill` seconds, signals to
//! a process group, a `finish` script, restart backoff, readiness through
//! `notification-fd` or systemd's `NOTIFY_SOCKET`, a watchdog). The driver
//! runs [`SuperviseExt`]; [`Supervise`] is the same machine restricted to
//! 0.76, which the reference model checks.
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
//! 5. [`SuperviseExt`] emits [`Order`]s instead: the same, plus
//!    [`Order::ReadConfig`] before each start of `./run`, which the driver
//!    answers at once by reading the extension files, passing their bytes
//!    through [`configure`] and sending [`Event::Configured`]. A
//!    [`Order::SpawnRun`] may ask for a notification pipe or socket: the
//!    driver reads it before it reaps (so what a service said before it
//!    exited comes first) and sends [`Event::Ready`],
//!    [`Event::StatusText`] and [`Event::Watchdog`] for the pid it was made
//!    for (datagrams through [`parse_datagram`], from that pid only).

mod action;
mod backoff;
mod config;
mod event;
mod extra;
mod fifo;
mod machine;
mod notify;
mod order;
mod state;

pub use crate::control::Command;
pub use crate::process::{ExitKind, Pid, Sig};
pub use crate::status::{StatusRecord, Want};
pub use action::Action;
pub use backoff::{Backoff, GiveUp};
pub use config::{
    configure, parse_numbers, ConfigFile, ConfigFiles, ConfigProblem, Extensions,
    DEFAULT_TIMEOUT_FINISH, MAX_NOTIFICATION_FD, MAX_SECS,
};
pub use event::{Config, Event};
pub use extra::{Extra, Note, Readiness};
pub use fifo::{judge_fifo, FifoName, FifoProblem, FoundFile};
pub use machine::{Supervise, SuperviseExt};
pub use notify::{parse_datagram, NotifyMessage, StatusText, STATUS_TEXT_MAX};
pub use order::{Order, Target};
pub use state::{FORK_FAILED_SECS, QUIET_SECS};

#[cfg(test)]
mod tests;
