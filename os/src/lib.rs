//! The only crate of daemontools-rs that talks to the kernel.
//!
//! It turns the world into values for `dt-core` (clock readings, bytes read,
//! error numbers) and carries out what core decides. It holds no policy:
//! what to do with a byte, a time or an error is core's business, and how to
//! word a message is the binaries' (`bins/src/diag.rs`).
#![warn(missing_docs)]

pub mod account;
pub mod args;
pub mod clock;
pub mod drive_log;
pub mod drive_scan;
pub mod drive_supervise;

pub mod envdir;
pub mod errno;
pub mod exec;
pub mod fghack;
pub mod filter;
pub mod localtime;
pub mod lock;
pub mod monitor;
pub mod process;
pub mod proctitle;
pub mod rlimit;
pub mod service_dir;
pub mod session;
pub mod signals;
pub mod status_file;
