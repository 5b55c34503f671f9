//! Writing and reading `supervise/status` the way 0.76 does.

use crate::errno::from_nix;
use dt_core::status::{StatusRecord, STATUS_LEN};
use dt_core::supervise::Extra;
use dt_core::Errno;
use nix::fcntl::{open, renameat, OFlag, AT_FDCWD};
use nix::sys::stat::Mode;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

/// Which step of writing the status file failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusWriteError {
    /// Opening `status.new` failed.
    Open(Errno),
    /// Writing it failed.
    Write(Errno),
    /// Fewer than 18 bytes were written.
    PartialWrite,
    /// Renaming it over `status` failed.
    Rename(Errno),
}

/// Write `record` to `<dir>/status.new` (created 0644 before the umask,
/// truncated, non-blocking as 0.76 opens it), then rename it over
/// `<dir>/status`: readers see the old record or the new one, never a mix.
/// No fsync, as 0.76.
//= spec/status-file.md#status-4
pub fn write(dir: &Path, record: &StatusRecord) -> Result<(), StatusWriteError> {
    let new = dir.join("status.new");
    let fd: OwnedFd = open(
        &new,
        OFlag::O_WRONLY | OFlag::O_NONBLOCK | OFlag::O_TRUNC | OFlag::O_CREAT | OFlag::O_CLOEXEC,
        Mode::from_bits_truncate(0o644),
    )
    .map_err(|e| StatusWriteError::Open(from_nix(e)))?;
    let bytes = record.encode();
    let written = loop {
        match nix::unistd::write(fd.as_fd(), &bytes) {
            Ok(n) => break n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(StatusWriteError::Write(from_nix(e))),
        }
    };
    drop(fd);
    if written < STATUS_LEN {
        return Err(StatusWriteError::PartialWrite);
    }
    renameat(AT_FDCWD, &new, AT_FDCWD, &dir.join("status"))
        .map_err(|e| StatusWriteError::Rename(from_nix(e)))
}

/// Write `extra` to `<dir>/extra.new` (created 0644 before the umask,
/// truncated) and rename it over `<dir>/extra`, as the status record is
/// written: readers see the old file or the new one.
//= spec/extensions.md#ext-7
pub fn write_extra(dir: &Path, extra: &Extra) -> Result<(), Errno> {
    let new = dir.join("extra.new");
    let fd: OwnedFd = open(
        &new,
        OFlag::O_WRONLY | OFlag::O_NONBLOCK | OFlag::O_TRUNC | OFlag::O_CREAT | OFlag::O_CLOEXEC,
        Mode::from_bits_truncate(0o644),
    )
    .map_err(from_nix)?;
    let bytes = extra.encode();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        match nix::unistd::write(fd.as_fd(), rest) {
            Ok(n) => rest = &rest[n..],
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(from_nix(e)),
        }
    }
    drop(fd);
    renameat(AT_FDCWD, &new, AT_FDCWD, &dir.join("extra")).map_err(from_nix)
}

/// The contents of `supervise/extra` in the current directory, if it
/// exists and can be read.
//= spec/extensions.md#ext-7
pub fn read_extra() -> Option<Extra> {
    std::fs::read("supervise/extra")
        .ok()
        .map(|bytes| Extra::decode(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dt_core::status::Want;
    use dt_core::{Tai64, Tai64N};
    use std::os::unix::fs::PermissionsExt;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("dt-os-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    //= spec/status-file.md#status-4
    #[test]
    fn writes_18_bytes_through_status_new_and_leaves_no_new_file() {
        let dir = scratch("status");
        let record = StatusRecord {
            stamp: Tai64N(Tai64(0x4000_0000_6b05_9d65), 0x2e28_660c),
            pid: 5466,
            paused: false,
            want: Want::Up,
        };
        write(&dir, &record).expect("status written");
        let bytes = std::fs::read(dir.join("status")).expect("status exists");
        assert_eq!(bytes, record.encode());
        assert!(!dir.join("status.new").exists());
        let mode = std::fs::metadata(dir.join("status"))
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o022, 0, "never group- or world-writable");
        assert_eq!(mode & 0o600, 0o600);
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    //= spec/status-file.md#status-4
    #[test]
    fn a_missing_directory_is_an_open_error() {
        let dir = std::env::temp_dir().join("dt-os-no-such-dir/supervise");
        let record = StatusRecord {
            stamp: Tai64N(Tai64(0), 0),
            pid: 0,
            paused: false,
            want: Want::Down,
        };
        assert_eq!(
            write(&dir, &record),
            Err(StatusWriteError::Open(Errno::ENOENT))
        );
    }
}
