//! setlock's lock: a file opened for appending and locked with `flock`, its
//! descriptor left open across exec so that the program holds the lock.

use crate::errno::from_nix;
use dt_core::Errno;
use nix::fcntl::{open, Flock, FlockArg, OFlag};
use nix::sys::stat::Mode;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// Which step of taking the lock failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockError {
    /// Opening (or creating) the file.
    Open(Errno),
    /// Locking it.
    Lock(Errno),
}

/// Open `path` the way 0.76's `open_append` does (write-only, append,
/// non-blocking, created with mode 0600, never truncated, *not*
/// close-on-exec), then take an exclusive `flock` on it, waiting for it if
/// `wait`. The descriptor is deliberately never closed: it stays open into
/// the program this process becomes, which then holds the lock.
//= spec/tools.md#setlock-2
//= spec/tools.md#setlock-3
//= spec/tools.md#setlock-4
pub fn hold(path: &[u8], wait: bool) -> Result<(), LockError> {
    let fd = open(
        OsStr::from_bytes(path),
        OFlag::O_WRONLY | OFlag::O_NONBLOCK | OFlag::O_APPEND | OFlag::O_CREAT,
        Mode::from_bits_truncate(0o600),
    )
    .map_err(|e| LockError::Open(from_nix(e)))?;
    let how = if wait {
        FlockArg::LockExclusive
    } else {
        FlockArg::LockExclusiveNonblock
    };
    match Flock::lock(fd, how) {
        Ok(locked) => {
            // Dropping the guard would unlock the file and closing the
            // descriptor would release the lock: keep both for the program.
            std::mem::forget(locked);
            Ok(())
        }
        Err((_fd, e)) => Err(LockError::Lock(from_nix(e))),
    }
}
