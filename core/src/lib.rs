//! The pure heart of daemontools-rs: codecs for daemontools' on-disk and wire
//! formats, and (in later modules) the supervise, svscan and multilog state
//! machines.
//!
//! What this crate does **not** do: no system calls, no file or process I/O,
//! no clocks, no threads, no randomness. Time arrives as a value ([`Now`]),
//! the outside world arrives as events, and decisions leave as actions or
//! bytes. `dt-os` is the only crate that talks to the kernel.
//!
//! Requirements are numbered in `spec/` and cited at the code that implements
//! them as `//= spec/<file>.md#<id>`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod control;
pub mod envdir;
pub mod errno;
pub mod getopt;
pub mod label;
pub mod multilog;
pub mod pathexec;
pub mod process;
pub mod proctitle;
pub mod report;
pub mod scan;
pub mod setlock;
pub mod softlimit;
pub mod status;
pub mod supervise;
pub mod svstat;
pub mod tai64n;
pub mod tai64nlocal;
pub mod time;

pub use errno::Errno;
pub use tai64::{Tai64, Tai64N};
pub use time::{Mono, Now};
