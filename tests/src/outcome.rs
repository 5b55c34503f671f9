//! What one run of a scenario produced.

use std::fmt;
use std::path::PathBuf;
use std::time::SystemTime;

use nix::sys::signal::Signal;

use crate::binaries::Side;
use crate::tree::Tree;

/// How the program ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it (a shell would report `128 + signal`).
    Signaled(Signal),
    /// It was still running when the scenario's timeout passed, and was killed.
    TimedOut,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Exited(code) => write!(f, "exit {code}"),
            Status::Signaled(sig) => {
                write!(
                    f,
                    "killed by {} (shell rc {})",
                    sig.as_str(),
                    128 + *sig as i32
                )
            }
            Status::TimedOut => write!(f, "timed out (killed)"),
        }
    }
}

/// Everything observed about one run, before normalisation.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Which implementation ran.
    pub side: Side,
    /// How it ended.
    pub status: Status,
    /// Everything it wrote to stdout (empty if stdout went to a file).
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr.
    pub stderr: Vec<u8>,
    /// The scenario directory afterwards.
    pub tree: Tree,
    /// `None` if every step of the scenario ran; otherwise which one could
    /// not, and why (e.g. the program exited before a condition held).
    pub interrupted: Option<String>,
    /// The directory it ran in (removed afterwards unless `DT_KEEP_TMP` is set).
    pub dir: PathBuf,
    /// Its process id.
    pub pid: u32,
    /// The test's wall clock just before the program was started.
    pub started: SystemTime,
    /// The test's wall clock just after it ended.
    pub finished: SystemTime,
}
