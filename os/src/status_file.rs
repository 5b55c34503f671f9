//! Writing and reading `supervise/status` the way 0.76 does.

use crate::errno::from_nix;
use dt_core::status::{StatusRecord, STATUS_LEN};
use dt_core::supervise::Extra;
use dt_core::Errno;
use nix::fcntl::{openat, renameat, OFlag};
use nix::sys::stat::Mode;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

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

/// supervise's status file: the directory it is in, and the record and
/// extension lines (EXT-7) last put in it, so that either can be written
/// again with the other unchanged.
#[derive(Debug)]
pub struct StatusFile {
    /// The `supervise` directory, opened once: `status.new` and `status`
    /// are always these names in it, whatever becomes of its path (DEV-12).
    dir: OwnedFd,
    record: Option<StatusRecord>,
    tail: Vec<u8>,
}

impl StatusFile {
    /// The status file in the directory `dir` (`supervise`), nothing
    /// written yet.
    pub fn new(dir: OwnedFd) -> Self {
        StatusFile {
            dir,
            record: None,
            tail: Vec::new(),
        }
    }

    /// The directory the file is in.
    pub fn dir(&self) -> BorrowedFd<'_> {
        self.dir.as_fd()
    }

    /// Write `record`, followed by the extensions' lines as last given.
    pub fn write_record(&mut self, record: StatusRecord) -> Result<(), StatusWriteError> {
        self.record = Some(record);
        self.write(&record)
    }

    /// Write the last record again, followed by what `extra` says. Before
    /// any record, the lines wait for the first one.
    //= spec/extensions.md#ext-7
    // Out of line: only the extensions write these lines (see
    // dt_os::drive_supervise's bind_notify_socket).
    #[inline(never)]
    pub fn write_extra(&mut self, extra: &Extra) -> Result<(), StatusWriteError> {
        self.tail = extra.encode();
        match self.record {
            Some(record) => self.write(&record),
            None => Ok(()),
        }
    }

    /// Write `record` and then the tail to `status.new` (created 0644
    /// before the umask, truncated, non-blocking as 0.76 opens it), then
    /// rename it over `status`: readers see the old file or the new one,
    /// never a mix. With no tail the file is 0.76's 18 bytes. No fsync, as
    /// 0.76. A symbolic link at `status.new` is not followed (DEV-12).
    //= spec/status-file.md#status-4
    //= spec/deviations.md#dev-12
    fn write(&self, record: &StatusRecord) -> Result<(), StatusWriteError> {
        let fd: OwnedFd = openat(
            self.dir.as_fd(),
            c"status.new",
            OFlag::O_WRONLY
                | OFlag::O_NONBLOCK
                | OFlag::O_TRUNC
                | OFlag::O_CREAT
                | OFlag::O_CLOEXEC
                | OFlag::O_NOFOLLOW
                | OFlag::O_NOCTTY,
            Mode::from_bits_truncate(0o644),
        )
        .map_err(|e| StatusWriteError::Open(from_nix(e)))?;
        let encoded = record.encode();
        let with_tail;
        let bytes: &[u8] = if self.tail.is_empty() {
            &encoded
        } else {
            with_tail = [&encoded[..], &self.tail].concat();
            &with_tail
        };
        let mut written = 0;
        while written < bytes.len() {
            match nix::unistd::write(fd.as_fd(), &bytes[written..]) {
                // 0.76 writes the record with one call and calls a short
                // write an error; only the extensions' lines are written on.
                Ok(n) if written == 0 && n < STATUS_LEN => {
                    return Err(StatusWriteError::PartialWrite)
                }
                Ok(0) => return Err(StatusWriteError::PartialWrite),
                Ok(n) => written += n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(StatusWriteError::Write(from_nix(e))),
            }
        }
        drop(fd);
        renameat(self.dir.as_fd(), c"status.new", self.dir.as_fd(), c"status")
            .map_err(|e| StatusWriteError::Rename(from_nix(e)))
    }
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

    fn status_file(dir: &std::path::Path) -> StatusFile {
        let fd = nix::fcntl::open(
            dir,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .expect("open the directory");
        StatusFile::new(fd)
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
        status_file(&dir)
            .write_record(record)
            .expect("status written");
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
        let mut file = status_file(&dir);
        file.write_extra(&waiting).expect("nothing to write yet");
        assert!(!dir.join("status").exists());
        file.write_record(record(7)).expect("written");
        assert_eq!(read(), [&record(7).encode()[..], b"not-ready 7\n"].concat());
        file.write_record(record(8)).expect("written");
        assert_eq!(read(), [&record(8).encode()[..], b"not-ready 7\n"].concat());
        file.write_extra(&Extra::default()).expect("written");
        assert_eq!(read(), record(8).encode());
        assert!(!dir.join("status.new").exists());
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    /// The directory is the one opened, whatever its path becomes: once it
    /// is removed, there is nowhere to write.
    //= spec/status-file.md#status-4
    #[test]
    fn a_removed_directory_is_an_open_error() {
        let dir = scratch("status-gone");
        let mut file = status_file(&dir);
        std::fs::remove_dir(&dir).expect("remove the directory");
        assert_eq!(
            file.write_record(down_record()),
            Err(StatusWriteError::Open(Errno::ENOENT))
        );
    }

    fn down_record() -> StatusRecord {
        StatusRecord {
            stamp: Tai64N(Tai64(0), 0),
            pid: 0,
            paused: false,
            want: Want::Down,
        }
    }

    /// A symbolic link planted as `status.new` is not followed: the write
    /// fails (supervise warns) and the file it points at is untouched.
    //= spec/deviations.md#dev-12
    #[test]
    fn a_symbolic_link_at_status_new_is_not_followed() {
        let dir = scratch("status-link");
        let target = dir.join("precious");
        std::fs::write(&target, b"keep").expect("write the target");
        std::os::unix::fs::symlink(&target, dir.join("status.new")).expect("plant the link");
        assert_eq!(
            status_file(&dir).write_record(down_record()),
            Err(StatusWriteError::Open(Errno::ELOOP))
        );
        assert_eq!(std::fs::read(&target).expect("target"), b"keep");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
