//! What the driver tells the scanner.

use super::action::{Role, ServiceId};
use crate::process::Pid;
use crate::Errno;

/// What `stat("<name>/log")` said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum LogProbe {
    /// It exists (of any type): the service is logged.
    Exists,
    /// ENOENT.
    Missing,
    /// Another error.
    Failed(Errno),
    /// The name is longer than 255 bytes; 0.76 never looks for its log.
    NameTooLong,
}

/// What `stat(name)` (following symlinks) said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum EntryKind {
    /// stat failed.
    StatFailed(Errno),
    /// Not a directory.
    NotDirectory,
    /// A directory.
    Directory {
        /// `st_dev`.
        dev: u64,
        /// `st_ino`.
        ino: u64,
        /// Its `log`.
        log: LogProbe,
    },
}

/// One directory entry, in readdir order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Entry {
    /// The name (dot-names included; the machine skips them).
    pub name: Vec<u8>,
    /// What stat said.
    pub kind: EntryKind,
}

/// The result of reading the scan directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Listing {
    /// The entries read.
    pub entries: Vec<Entry>,
    /// opendir or readdir failed (after the entries read so far).
    pub error: Option<Errno>,
}

/// A fact the driver reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The driver is ready (it has changed into the scan directory).
    Started,
    /// The answer to `Scan`.
    Scanned(Listing),
    /// The answer to `MakePipe`: it worked.
    PipeMade {
        /// The service.
        service: ServiceId,
    },
    /// The answer to `MakePipe`: it failed.
    PipeFailed {
        /// The service.
        service: ServiceId,
        /// Why.
        errno: Errno,
    },
    /// The answer to `SpawnSupervise`: fork worked (exec failures are the
    /// child's business: it prints a warning and exits 111).
    SpawnSucceeded {
        /// The service.
        service: ServiceId,
        /// Which process.
        role: Role,
        /// Its pid.
        pid: Pid,
    },
    /// The answer to `SpawnSupervise`: fork failed.
    SpawnFailed {
        /// The service.
        service: ServiceId,
        /// Which process.
        role: Role,
        /// Why.
        errno: Errno,
    },
    /// A child was reaped.
    ChildExited {
        /// Its pid.
        pid: Pid,
    },
    /// The deadline has passed.
    Tick,
    /// Something may have changed in the directory (the opt-in instant
    /// rescan, SCAN-10: an inotify event or SIGALRM): scan now, or right
    /// after the scan under way.
    Rescan,
    /// A stop signal arrived and the opt-in stop mode is on (SCAN-9): stop
    /// every service, then exit, giving up after `grace_secs`.
    Stop {
        /// How long to wait for the supervise processes to finish.
        grace_secs: u64,
    },
}
