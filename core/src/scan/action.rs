//! What the scanner asks the driver to do.

use crate::Errno;

/// A service's identity for the driver (which keeps its pipe under it). Never
/// reused within one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceId(pub u64);

/// Which of a service's two supervise processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Role {
    /// `supervise <name>`, its stdout the pipe's write end when logged.
    Main,
    /// `supervise log` run inside `<name>`, its stdin the pipe's read end.
    Log,
}

/// A warning svscan prints and goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// `unable to read directory: <error>`.
    ReadDirectory(Errno),
    /// `unable to stat <name>: <error>`.
    Stat {
        /// The entry.
        name: Vec<u8>,
        /// Why.
        errno: Errno,
    },
    /// `unable to start <name>: running too many services`.
    TooManyServices {
        /// The entry.
        name: Vec<u8>,
    },
    /// `unable to stat <name>/log: <error>`.
    StatLog {
        /// The entry.
        name: Vec<u8>,
        /// Why.
        errno: Errno,
    },
    /// `unable to create pipe for <name>: <error>`.
    CreatePipe {
        /// The entry.
        name: Vec<u8>,
        /// Why.
        errno: Errno,
    },
    /// `unable to fork for <name>: <error>` (or `<name>/log`).
    Fork {
        /// The entry.
        name: Vec<u8>,
        /// Which process.
        role: Role,
        /// Why.
        errno: Errno,
    },
    /// `unable to stop <n> supervise processes: giving up` (SCAN-9).
    StillRunning {
        /// How many were still running.
        running: usize,
    },
}

/// An order to the driver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Reap every exited child (answer `ChildExited` for each), then list
    /// the directory (answer `Scanned`).
    Scan,
    /// Make the service's pipe, both ends close-on-exec; answer `PipeMade`
    /// or `PipeFailed` at once.
    MakePipe {
        /// The service.
        service: ServiceId,
    },
    /// fork and exec `supervise <name>` (Main, stdout the pipe when logged)
    /// or, inside `<name>`, `supervise log` (Log, stdin the pipe); answer
    /// `SpawnSucceeded` or `SpawnFailed` at once.
    SpawnSupervise {
        /// The service.
        service: ServiceId,
        /// Which process.
        role: Role,
        /// The directory entry's name, as met in this scan.
        name: Vec<u8>,
        /// Whether the service has a pipe to connect.
        logged: bool,
    },
    /// Close both ends of a forgotten service's pipe.
    ClosePipe {
        /// The service.
        service: ServiceId,
    },
    /// Print a warning.
    Warn(Warning),
    /// Write `bytes` to `<name>/supervise/control` (Main) or
    /// `<name>/log/supervise/control` (Log), as svc does; a failure is
    /// ignored (the machine asks again). Only in the stop mode (SCAN-9).
    Control {
        /// The directory entry's name, as last met.
        name: Vec<u8>,
        /// Which supervise.
        role: Role,
        /// The control bytes.
        bytes: &'static [u8],
    },
    /// Exit with this code. Only in the stop mode (SCAN-9).
    Exit(i32),
}
