//! Black-box and differential tests of the built binaries.
//!
//! A [`Scenario`] describes one run of a daemontools program: its arguments,
//! environment, the files it starts with, what is written to its stdin and
//! when, signals sent once a [`Condition`] holds, and a timeout. The harness
//! runs it against Debian's daemontools 0.76 and against ours, each in a
//! fresh directory and its own process group (killed afterwards, even when a
//! test fails), and records an [`Outcome`]: stdout, stderr, exit status and
//! the resulting file tree. [`Normaliser`]s rewrite what legitimately
//! differs (labels, pids, the temp dir) and [`Pair::assert_same`] compares,
//! printing a diff on mismatch. A known deliberate difference is stated with
//! [`Pair::assert_deviation`], which checks what each side actually does.
//!
//! What this crate does not do: build the binaries (cargo does, see
//! [`binaries`]), or sleep to synchronise: the only pause is in [`wait`].
#![warn(missing_docs)]

pub mod binaries;
pub mod compare;
pub mod fixture;
pub mod memory;
pub mod normalise;
pub mod outcome;
pub mod process;
pub mod render;
pub mod scenario;
pub mod step;
pub mod tai64;
pub mod tree;
pub mod wait;

pub use binaries::Side;
pub use compare::{Deviation, Expect, Normalised, Pair};
pub use nix::sys::signal::Signal;
pub use normalise::Normaliser;
pub use outcome::{Outcome, Status};
pub use scenario::{Input, Output, Scenario};
pub use step::{Condition, Step};
