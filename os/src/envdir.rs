//! envdir's walk through a directory: change into it, list it, read each
//! variable's file as far as its first line, and change back. What the
//! names and bytes mean is `dt_core::envdir`'s business.

use crate::errno::from_nix;
use dt_core::envdir::{change, classify, Entry, FirstLine, NameError, Progress};
use dt_core::pathexec::EnvChange;
use dt_core::Errno;
use nix::fcntl::{open, OFlag};
use nix::sys::stat::Mode;
use std::ffi::OsStr;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

/// Where reading the directory went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvdirError {
    /// Opening the current directory, to come back to it, failed.
    OpenStart(Errno),
    /// Changing into the directory failed.
    Enter(Errno),
    /// Opening or listing the directory failed.
    List(Errno),
    /// Opening or reading the file of entry `name` failed.
    Read {
        /// The entry's name.
        name: Vec<u8>,
        /// What went wrong.
        errno: Errno,
    },
    /// The first line of entry `name` is longer than core allows.
    TooLong {
        /// The entry's name.
        name: Vec<u8>,
    },
    /// Entry `name` cannot name a variable.
    BadName {
        /// The entry's name.
        name: Vec<u8>,
        /// Why not.
        why: NameError,
    },
    /// Changing back to the starting directory failed.
    Return(Errno),
}

/// The environment changes that directory `dir` asks for, in listing order.
/// On return the working directory is the one envdir started in, and the
/// descriptor kept for coming back is closed.
//= spec/tools.md#envdir-2
pub fn read(dir: &[u8]) -> Result<Vec<EnvChange>, EnvdirError> {
    let start = open_read(OsStr::new(".")).map_err(EnvdirError::OpenStart)?;
    nix::unistd::chdir(OsStr::from_bytes(dir)).map_err(|e| EnvdirError::Enter(from_nix(e)))?;
    let changes = read_entries()?;
    nix::unistd::fchdir(start.as_fd()).map_err(|e| EnvdirError::Return(from_nix(e)))?;
    Ok(changes)
}

/// The entries of the current directory, read as envdir reads them.
//= spec/tools.md#envdir-3
fn read_entries() -> Result<Vec<EnvChange>, EnvdirError> {
    let listing = std::fs::read_dir(".").map_err(|e| EnvdirError::List(io_errno(&e)))?;
    let mut changes = Vec::new();
    for entry in listing {
        let entry = entry.map_err(|e| EnvdirError::List(io_errno(&e)))?;
        let name = entry.file_name();
        let name = name.as_bytes();
        match classify(name) {
            Entry::Skip => continue,
            Entry::Refuse(why) => {
                return Err(EnvdirError::BadName {
                    name: name.to_vec(),
                    why,
                })
            }
            Entry::Read => changes.push(change(name, read_value(name)?)),
        }
    }
    Ok(changes)
}

/// The value entry `name` gives, `None` to remove the variable.
//= spec/tools.md#envdir-4
//= spec/tools.md#envdir-5
fn read_value(name: &[u8]) -> Result<Option<Vec<u8>>, EnvdirError> {
    let failed = |errno| EnvdirError::Read {
        name: name.to_vec(),
        errno,
    };
    let fd = match open_read(OsStr::from_bytes(name)) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) => return Ok(None),
        Err(e) => return Err(failed(e)),
    };
    let mut first = FirstLine::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = match nix::unistd::read(fd.as_fd(), &mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(failed(from_nix(e))),
        };
        match first.push(&buffer[..n]) {
            Progress::More => {}
            Progress::Done => break,
            Progress::TooLong => {
                return Err(EnvdirError::TooLong {
                    name: name.to_vec(),
                })
            }
        }
    }
    Ok(first.finish())
}

/// 0.76's "read" open: read-only and without blocking, so a FIFO with no
/// writer reads as empty instead of hanging.
fn open_read(path: &OsStr) -> Result<OwnedFd, Errno> {
    open(
        path,
        OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(from_nix)
}

fn io_errno(e: &std::io::Error) -> Errno {
    Errno(e.raw_os_error().unwrap_or(Errno::EIO.0))
}
