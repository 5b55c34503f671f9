//! What the logger asks the driver to do, and the failures it reports.

use super::chunk::Chunk;
use crate::Errno;

/// A file multilog handles inside a log directory.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileName {
    /// `current`.
    Current,
    /// `previous`.
    Previous,
    /// `processed`.
    Processed,
    /// `state`.
    State,
    /// `newstate`.
    NewState,
    /// An archive, `@…`: a name made by the logger or one found in a listing.
    Archive(Vec<u8>),
}

impl FileName {
    /// The name as it appears in the directory.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            FileName::Current => b"current",
            FileName::Previous => b"previous",
            FileName::Processed => b"processed",
            FileName::State => b"state",
            FileName::NewState => b"newstate",
            FileName::Archive(name) => name,
        }
    }
}

/// How [`Action::Open`] opens a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpenMode {
    /// Write-only, appending, created with mode 0600 if missing.
    Append,
    /// Write-only, truncated, created with mode 0644 if missing.
    Truncate,
}

/// An order to the driver. Unless a variant says otherwise, the driver
/// answers it with [`super::Event::StepDone`] or
/// [`super::Event::StepFailed`] before it sends any other event.
///
/// Every file in a log directory is named relative to the directory opened
/// by [`Action::OpenDir`], and no symbolic link is ever followed (LOG-24).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Create `=file` (append-open, mode 0600), relative to the starting
    /// directory, and close it again.
    CreateStatusFile {
        /// Index of the `=` file in the script.
        file: usize,
        /// Its path.
        path: Vec<u8>,
    },
    /// Open `=file` write-only and keep it open.
    OpenStatusFile {
        /// Index of the `=` file.
        file: usize,
        /// Its path.
        path: Vec<u8>,
    },
    /// Move to the start of `=file`.
    SeekStatusFile {
        /// Index of the `=` file.
        file: usize,
    },
    /// Write `bytes` (1001 of them) to `=file` in one call; answer
    /// `StepDone(Done::Written(n))`.
    WriteStatusFile {
        /// Index of the `=` file.
        file: usize,
        /// The line and its padding.
        bytes: Vec<u8>,
    },
    /// Create the directory (mode 0700, errors ignored) and open it; later
    /// actions name files relative to it.
    OpenDir {
        /// Index of the directory in the script.
        dir: usize,
        /// Its path.
        path: Vec<u8>,
    },
    /// Open `lock` in the directory (append, 0600) and take an exclusive
    /// non-blocking lock on it, held until exit.
    LockDir {
        /// The directory.
        dir: usize,
    },
    /// List the directory; answer `StepDone(Done::Listed(names))` with the
    /// names that start with `@` and are at least 25 bytes long.
    List {
        /// The directory.
        dir: usize,
    },
    /// `lstat` a file; answer `StepDone(Done::Stat(..))`, with `None` when it
    /// does not exist.
    Stat {
        /// The directory.
        dir: usize,
        /// The file.
        file: FileName,
    },
    /// Remove a file.
    Unlink {
        /// The directory.
        dir: usize,
        /// The file.
        file: FileName,
    },
    /// Rename `from` to `to` within the directory.
    Rename {
        /// The directory.
        dir: usize,
        /// The old name.
        from: FileName,
        /// The new name.
        to: FileName,
    },
    /// Make the hard link `to` for `from` (never for a symbolic link's target).
    Link {
        /// The directory.
        dir: usize,
        /// The existing file.
        from: FileName,
        /// The new name.
        to: FileName,
    },
    /// Change the mode of a file by name (without following a link).
    Chmod {
        /// The directory.
        dir: usize,
        /// The file.
        file: FileName,
        /// The new permission bits.
        mode: u32,
    },
    /// Open a file and keep it open under its name (replacing one kept
    /// before).
    Open {
        /// The directory.
        dir: usize,
        /// The file.
        file: FileName,
        /// How.
        mode: OpenMode,
    },
    /// fsync a file kept open.
    Fsync {
        /// The directory.
        dir: usize,
        /// The open file.
        file: FileName,
    },
    /// Change the mode of a file kept open.
    Fchmod {
        /// The directory.
        dir: usize,
        /// The open file.
        file: FileName,
        /// The new permission bits.
        mode: u32,
    },
    /// Close a file kept open. Not answered.
    Close {
        /// The directory.
        dir: usize,
        /// The open file.
        file: FileName,
    },
    /// Write `bytes` to the open `current` in one call; answer
    /// `StepDone(Done::Written(n))` (a short count is fine).
    Append {
        /// The directory.
        dir: usize,
        /// What to write.
        bytes: Chunk,
    },
    /// Run `/bin/sh -c processor` in the directory with `previous` on
    /// descriptor 0, `processed` (truncated, 0644) on 1, `state` on 4 and
    /// `newstate` (truncated, 0644) on 5. Answer
    /// [`super::Event::ProcessorExited`] when it ends, or `StepFailed` if it
    /// could not be forked.
    SpawnProcessor {
        /// The directory.
        dir: usize,
        /// The command.
        processor: Vec<u8>,
    },
    /// Write these bytes to standard error, ignoring errors. Not answered.
    Stderr(Vec<u8>),
    /// Print `multilog: warning: <failure>, pausing…`. Not answered.
    Warn(Failure),
    /// Print `multilog: fatal: …`. Not answered; `Exit` follows.
    Fatal(Fatal),
    /// Exit with this code. Not answered; the machine is finished.
    Exit(i32),
}

/// What went wrong, as the words of a 0.76 message before the error words.
/// `dir` and `file` are the paths as the script wrote them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `unable to create <file>` (a `=` file at start-up).
    CreateStatus {
        /// The file.
        file: Vec<u8>,
    },
    /// `unable to write <file>` (opening a `=` file at start-up, or writing it).
    WriteStatus {
        /// The file.
        file: Vec<u8>,
    },
    /// `unable to move to beginning of <file>`.
    SeekStatus {
        /// The file.
        file: Vec<u8>,
    },
    /// `unable to open directory <dir>`.
    OpenDir {
        /// The directory.
        dir: Vec<u8>,
    },
    /// `unable to lock directory <dir>`.
    LockDir {
        /// The directory.
        dir: Vec<u8>,
    },
    /// `unable to append to <dir>/current`.
    AppendCurrent {
        /// The directory.
        dir: Vec<u8>,
    },
    /// `unable to write to <dir>/<file>`.
    WriteTo {
        /// The directory.
        dir: Vec<u8>,
        /// The file.
        file: FileName,
    },
    /// `unable to use <dir>/<file>` (ours: it is not a regular file).
    Use {
        /// The directory.
        dir: Vec<u8>,
        /// The file.
        file: FileName,
    },
    /// `unable to stat <dir>/<file>`.
    Stat {
        /// The directory.
        dir: Vec<u8>,
        /// The file.
        file: FileName,
    },
    /// `unable to set mode of <dir>/<file>`.
    SetMode {
        /// The directory.
        dir: Vec<u8>,
        /// The file.
        file: FileName,
    },
    /// `unable to write <dir>/<file> to disk`.
    Sync {
        /// The directory.
        dir: Vec<u8>,
        /// The file.
        file: FileName,
    },
    /// `unable to rename current to previous in directory <dir>`.
    RenameCurrent {
        /// The directory.
        dir: Vec<u8>,
    },
    /// `unable to rename newstate to state in directory <dir>`.
    RenameNewState {
        /// The directory.
        dir: Vec<u8>,
    },
    /// `unable to create <dir>/<file>`.
    Create {
        /// The directory.
        dir: Vec<u8>,
        /// The file.
        file: FileName,
    },
    /// `unable to link to <dir>/<name>`.
    Link {
        /// The directory.
        dir: Vec<u8>,
        /// The archive name tried.
        name: Vec<u8>,
    },
    /// `unable to remove <dir>/<file>`.
    Remove {
        /// The directory.
        dir: Vec<u8>,
        /// The file.
        file: FileName,
    },
    /// `unable to read <dir>`.
    ReadDir {
        /// The directory.
        dir: Vec<u8>,
    },
    /// `unable to fork for processor in <dir>`.
    Fork {
        /// The directory.
        dir: Vec<u8>,
    },
    /// `processor crashed in <dir>`.
    ProcessorCrashed {
        /// The directory.
        dir: Vec<u8>,
    },
    /// `processor failed in <dir>`.
    ProcessorFailed {
        /// The directory.
        dir: Vec<u8>,
    },
}

/// Why it went wrong: what follows the last `: ` of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// A system error, in daemontools' words.
    Errno(Errno),
    /// The file is a symbolic link or otherwise not a regular file (ours).
    NotRegular,
    /// Fewer bytes were written than asked, without an error.
    PartialWrite,
    /// A processor was killed by this signal.
    Signal(i32),
    /// No words (`processor failed in <dir>, pausing`).
    Unspecified,
}

/// A failed step: the problem and its cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What failed.
    pub problem: Problem,
    /// Why.
    pub cause: Cause,
}

/// Why multilog gives up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fatal {
    /// A start-up step failed (`multilog: fatal: <problem>: <cause>`).
    Failed(Failure),
    /// A step failed after SIGTERM (LOG-23); `unlogged` bytes read from
    /// input were not written.
    AfterTerm {
        /// The failure.
        failure: Failure,
        /// Bytes read but not written to their log files.
        unlogged: u64,
    },
}
