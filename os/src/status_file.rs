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

/// What supervise last put in its status file: the record and, after it,
/// what the extensions have to say (EXT-7), so that either can be written
/// again with the other unchanged.
#[derive(Debug, Default)]
pub struct StatusFile {
    record: Option<StatusRecord>,
    tail: Vec<u8>,
}

impl StatusFile {
    /// Write `record`, followed by the extensions' lines as last given.
    pub fn write_record(
        &mut self,
        dir: &Path,
        record: StatusRecord,
    ) -> Result<(), StatusWriteError> {
        self.record = Some(record);
        write(dir, &record, &self.tail)
    }

    /// Write the last record again, followed by what `extra` says. Before
    /// any record, the lines wait for the first one.
    //= spec/extensions.md#ext-7
    pub fn write_extra(&mut self, dir: &Path, extra: &Extra) -> Result<(), StatusWriteError> {
        self.tail = extra.encode();
        match self.record {
            Some(record) => write(dir, &record, &self.tail),
            None => Ok(()),
        }
    }
}

/// Write `record` and then `tail` to `<dir>/status.new` (created 0644
/// before the umask, truncated, non-blocking as 0.76 opens it), then rename
/// it over `<dir>/status`: readers see the old file or the new one, never a
/// mix. With an empty tail the file is 0.76's 18 bytes. No fsync, as 0.76.
//= spec/status-file.md#status-4
pub fn write(dir: &Path, record: &StatusRecord, tail: &[u8]) -> Result<(), StatusWriteError> {
    let new = dir.join("status.new");
    let fd: OwnedFd = open(
        &new,
        OFlag::O_WRONLY | OFlag::O_NONBLOCK | OFlag::O_TRUNC | OFlag::O_CREAT | OFlag::O_CLOEXEC,
        Mode::from_bits_truncate(0o644),
    )
    .map_err(|e| StatusWriteError::Open(from_nix(e)))?;
    let mut bytes = record.encode().to_vec();
    bytes.extend_from_slice(tail);
    let mut written = 0;
    while written < bytes.len() {
        match nix::unistd::write(fd.as_fd(), &bytes[written..]) {
            // 0.76 writes the record with one call and calls a short
            // write an error; only the extensions' lines are written on.
            Ok(n) if written == 0 && n < STATUS_LEN => return Err(StatusWriteError::PartialWrite),
            Ok(0) => return Err(StatusWriteError::PartialWrite),
            Ok(n) => written += n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(StatusWriteError::Write(from_nix(e))),
        }
    }
    drop(fd);
    renameat(AT_FDCWD, &new, AT_FDCWD, &dir.join("status"))
        .map_err(|e| StatusWriteError::Rename(from_nix(e)))
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
        write(&dir, &record, b"").expect("status written");
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

    /// The extensions' lines follow the record and stay when the record
    /// changes; lines given before any record wait for it; no lines, and
    /// the file is 0.76's 18 bytes again.
    //= spec/extensions.md#ext-7
    #[test]
    fn the_extensions_lines_follow_the_record() {
        let dir = scratch("status-extra");
        let read = || std::fs::read(dir.join("status")).expect("status exists");
        let record = |pid| StatusRecord {
            stamp: Tai64N(Tai64(0x4000_0000_6b05_9d65), 0),
            pid,
            paused: false,
            want: Want::Up,
        };
        let waiting = Extra::decode(b"not-ready 7\n");
        let mut file = StatusFile::default();
        file.write_extra(&dir, &waiting)
            .expect("nothing to write yet");
        assert!(!dir.join("status").exists());
        file.write_record(&dir, record(7)).expect("written");
        assert_eq!(read(), [&record(7).encode()[..], b"not-ready 7\n"].concat());
        file.write_record(&dir, record(8)).expect("written");
        assert_eq!(read(), [&record(8).encode()[..], b"not-ready 7\n"].concat());
        file.write_extra(&dir, &Extra::default()).expect("written");
        assert_eq!(read(), record(8).encode());
        assert!(!dir.join("status.new").exists());
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
            write(&dir, &record, b""),
            Err(StatusWriteError::Open(Errno::ENOENT))
        );
    }
}
