//! svscan as a pure machine: one supervise per service directory (and one
//! for its `log/`, joined by a pipe that lives as long as the service), a
//! scan every five seconds, services identified by device and inode.
//!
//! Run-loop contract for the driver: carry out the actions in order. `Scan`
//! means "reap every exited child, answering `ChildExited` for each, then
//! read the directory and answer `Scanned`". `MakePipe` and
//! `SpawnSupervise` are answered at once with their result events, before
//! any other action is carried out (the machine waits for them). When
//! [`Scan::next_deadline`] has passed, send `Tick`; with the instant rescan
//! on (SCAN-10), send `Rescan` when the directory changes or SIGALRM comes.

mod action;
mod event;
mod instant;
mod machine;
mod stop;

pub use action::{Action, Role, ServiceId, Warning};
pub use event::{Entry, EntryKind, Event, Listing, LogProbe};
pub use instant::{
    descriptors_wanted, parse_limit, INSTANT_VARIABLE, LIMIT_CEILING, LIMIT_VARIABLE,
};
pub use machine::{Scan, ServiceView, MAX_SERVICES, RESCAN_SECS, STOP_NUDGE_SECS};
pub use stop::{parse_grace, DEFAULT_GRACE_SECS, STOP_VARIABLE};

#[cfg(test)]
mod tests;
