//! What the driver tells the supervise machine.

use super::config::Extensions;
use super::notify::StatusText;
use crate::control::Command;
use crate::process::{ExitKind, Pid};
use crate::Errno;

/// What supervise found at start-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Config {
    /// A `down` file existed (of any type) when supervise started: the service
    /// is wanted down and not started. Consulted only at start-up.
    pub down_file: bool,
}

/// A fact the driver reports, in the order it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Event {
    /// Start-up is done: lock held, control FIFO open, the first status (from
    /// [`Supervise::new`](super::Supervise::new)) written, `ok` FIFO open.
    /// Sent once; later copies are ignored.
    Started,
    /// The answer to [`Action::Spawn`](super::Action::Spawn): fork worked and
    /// the child has this pid (an exec failure comes back later as an
    /// ordinary `ChildExited`, exit 111).
    SpawnSucceeded {
        /// The new child's pid (positive, as fork returns it).
        pid: Pid,
    },
    /// The answer to [`Action::Spawn`](super::Action::Spawn): fork failed.
    SpawnFailed {
        /// Why.
        errno: Errno,
    },
    /// The answer to [`Order::ReadConfig`](super::Order::ReadConfig): what
    /// the extension files say now (see [`configure`](super::configure)).
    /// Only the extended machine asks; anywhere else it is ignored.
    Configured {
        /// The extensions for the run about to start.
        ext: Extensions,
        /// A random number for the jitter of the next restart delay
        /// (`backoff`); the machine has no randomness of its own. Any value
        /// will do where there is no `backoff`.
        random: u32,
    },
    /// A child was reaped (any child; only the service's pid matters).
    ChildExited {
        /// Its pid.
        pid: Pid,
        /// How it ended (supervise 0.76 records nothing of it).
        status: ExitKind,
    },
    /// The service process `pid` said it is ready: a newline arrived on the
    /// notification pipe it was started with (`notification-fd`, EXT-11).
    /// The driver reads that pipe before it reaps, so a newline written
    /// before an exit comes before its `ChildExited`. Only the extended
    /// machine listens, and only for the current `./run`.
    Ready {
        /// The pid the pipe was made for.
        pid: Pid,
    },
    /// The service process `pid` said what it is doing (`STATUS=` on the
    /// notification socket, EXT-13). The driver has checked the sender's
    /// pid. Only the extended machine listens, and only for the current
    /// `./run`.
    StatusText {
        /// The sender, as the kernel vouches for it.
        pid: Pid,
        /// What it said.
        text: StatusText,
    },
    /// The service process `pid` said it is alive (`WATCHDOG=1` on the
    /// notification socket, EXT-14). Only the extended machine listens,
    /// and only for the current `./run` with a `watchdog`.
    Watchdog {
        /// The sender, as the kernel vouches for it.
        pid: Pid,
    },
    /// One byte read from `supervise/control`, already parsed (unknown bytes
    /// are dropped by the parser, as 0.76 ignores them).
    Control(Command),
    /// The deadline from [`Supervise::next_deadline`](super::Supervise::next_deadline)
    /// has passed. A `Tick` at any other time does nothing.
    Tick,
}
