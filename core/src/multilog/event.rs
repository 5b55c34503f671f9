//! What the driver tells the logger.

use crate::process::ExitKind;
use crate::Errno;

/// The type of a file found by [`super::Action::Stat`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A regular file.
    Regular,
    /// A symbolic link (not followed).
    Symlink,
    /// Anything else: directory, FIFO, device, socket.
    Other,
}

/// What `lstat` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileInfo {
    /// The file's type.
    pub kind: FileKind,
    /// Its permission bits (`st_mode & 0o7777`).
    pub mode: u32,
    /// Its link count.
    pub nlink: u64,
    /// Its size in bytes.
    pub size: u64,
}

impl FileInfo {
    /// Whether the owner-execute bit is set: the crash-safety marker.
    pub fn finished(&self) -> bool {
        self.mode & 0o100 != 0
    }
}

/// The result of a step that succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Done {
    /// It worked (steps without a value).
    Ok,
    /// A write wrote this many bytes.
    Written(usize),
    /// `lstat`'s answer; `None` when the file does not exist.
    Stat(Option<FileInfo>),
    /// The `@` names of at least 25 bytes, in any order.
    Listed(Vec<Vec<u8>>),
}

/// Something the logger must know about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// One read of standard input returned these bytes (never empty).
    Input(&'a [u8]),
    /// Standard input ended (or a read of it failed).
    Eof,
    /// SIGTERM arrived.
    Term,
    /// SIGALRM arrived.
    Alarm,
    /// Time passed; sent when [`super::Logger::next_deadline`] is reached.
    /// Extra ticks do nothing.
    Tick,
    /// The last action that needs an answer succeeded.
    StepDone(Done),
    /// The last action that needs an answer failed with this error.
    StepFailed(Errno),
    /// The processor started by [`super::Action::SpawnProcessor`] ended.
    ProcessorExited {
        /// How it ended.
        status: ExitKind,
    },
}
