//! What the supervise machine asks the driver to do.

use crate::process::{Pid, Sig};
use crate::status::StatusRecord;
use crate::Errno;

/// An order to the driver, carried out in the order given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// fork, and in the child exec `./run` (argv `["./run"]`); answer at once
    /// with `SpawnSucceeded` or `SpawnFailed`, before any other event.
    Spawn,
    /// `kill(pid, sig)` (the pid only, never its process group); the result
    /// is ignored, as in 0.76.
    Signal {
        /// The service's pid.
        pid: Pid,
        /// The signal.
        sig: Sig,
    },
    /// Write this record to `supervise/status.new` and rename it over
    /// `supervise/status`; a failure is only a warning.
    WriteStatus(StatusRecord),
    /// Print `supervise: warning: unable to fork for <dir>, sleeping 60
    /// seconds: <error>` (the 60 seconds are the machine's deadline, not a
    /// sleep in the driver).
    WarnForkFailed {
        /// Why fork failed.
        errno: Errno,
    },
    /// Leave the process with this code, after the actions before it.
    Exit(i32),
}
