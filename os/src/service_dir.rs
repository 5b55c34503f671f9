//! The file-system side of svc, svstat and svok: moving between service
//! directories and touching `supervise/ok`, `supervise/control` and
//! `supervise/status` as 0.76 does (relative to the service directory, after
//! a real `chdir`).

use crate::errno::from_nix;
use dt_core::control::SvcOutcome;
use dt_core::svstat::{ServiceProbe, StatusReadError};
use dt_core::Errno;
use nix::fcntl::{fcntl, open, FcntlArg, OFlag};
use nix::sys::stat::Mode;
use std::ffi::{CStr, OsStr};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

/// The directory the program started in, to come back to after each
/// service directory.
#[derive(Debug)]
pub struct StartingDir(OwnedFd);

impl StartingDir {
    /// Open `.` (0.76: "unable to open current directory").
    pub fn open() -> Result<Self, Errno> {
        open(
            ".",
            OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map(StartingDir)
        .map_err(from_nix)
    }

    /// Go back to it (0.76: "unable to set directory").
    pub fn return_to(&self) -> Result<(), Errno> {
        nix::unistd::fchdir(self.0.as_fd()).map_err(from_nix)
    }
}

/// `chdir(dir)`.
pub fn chdir(dir: &[u8]) -> Result<(), Errno> {
    nix::unistd::chdir(OsStr::from_bytes(dir)).map_err(from_nix)
}

fn open_nonblocking(path: &CStr, flags: OFlag) -> Result<OwnedFd, Errno> {
    open(
        path,
        flags | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(from_nix)
}

/// Open `supervise/ok` for writing without blocking, and close it again:
/// it succeeds only while a supervise holds it open for reading.
pub fn open_ok() -> Result<(), Errno> {
    open_nonblocking(c"supervise/ok", OFlag::O_WRONLY).map(drop)
}

/// Send `bytes` to the supervise of the current directory, as svc does:
/// open `supervise/control` without blocking (so a missing reader is an
/// error, not a hang), then write in blocking mode.
pub fn send_commands(bytes: &[u8]) -> SvcOutcome {
    let fd = match open_nonblocking(c"supervise/control", OFlag::O_WRONLY) {
        Ok(fd) => fd,
        Err(Errno::ENXIO) => return SvcOutcome::NotRunning,
        Err(e) => return SvcOutcome::OpenFailed(e),
    };
    if let Err(e) = fcntl(fd.as_fd(), FcntlArg::F_SETFL(OFlag::empty())) {
        return SvcOutcome::WriteFailed(from_nix(e));
    }
    let mut rest = bytes;
    while !rest.is_empty() {
        match nix::unistd::write(fd.as_fd(), rest) {
            Ok(n) => rest = &rest[n..],
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return SvcOutcome::WriteFailed(from_nix(e)),
        }
    }
    SvcOutcome::Sent
}

/// svstat's questions, answered by real system calls.
#[derive(Debug)]
pub struct CwdProbe<'a> {
    dir: &'a [u8],
}

impl<'a> CwdProbe<'a> {
    /// A probe for `dir`, which `chdir` enters.
    pub fn new(dir: &'a [u8]) -> Self {
        CwdProbe { dir }
    }
}

impl ServiceProbe for CwdProbe<'_> {
    fn chdir(&mut self) -> Result<(), Errno> {
        chdir(self.dir)
    }

    fn stat_down(&mut self) -> Result<(), Errno> {
        nix::sys::stat::stat(c"down").map(drop).map_err(from_nix)
    }

    fn open_ok(&mut self) -> Result<(), Errno> {
        open_ok()
    }

    fn read_status(&mut self) -> Result<Vec<u8>, StatusReadError> {
        let fd = open_nonblocking(c"supervise/status", OFlag::O_RDONLY)
            .map_err(StatusReadError::Open)?;
        read_status_file(fd).map_err(StatusReadError::Read)
    }
}

/// The status file's bytes: the record, and whatever the extensions wrote
/// after it (EXT-7). 0.76's 18 bytes take one `read`, as in 0.76; a longer
/// file is read on to its end, up to `STATUS_FILE_MAX` bytes.
fn read_status_file(fd: OwnedFd) -> Result<Vec<u8>, Errno> {
    // The first read goes to the stack: most files are 18 bytes, and svstat
    // reads a thousand of them.
    let mut first = [0u8; STATUS_READ];
    let n = loop {
        match nix::unistd::read(fd.as_fd(), &mut first) {
            Ok(n) => break n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(from_nix(e)),
        }
    };
    let mut bytes = first[..n].to_vec();
    // A short read is the end of a regular file (so 0.76's 18 bytes take one
    // call); a first read short of the record is what 0.76 calls a bad
    // format, whatever follows.
    if n < STATUS_READ {
        return Ok(bytes);
    }
    let mut more = [0u8; STATUS_READ];
    while bytes.len() < STATUS_FILE_MAX {
        match nix::unistd::read(fd.as_fd(), &mut more) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&more[..n]),
            Err(nix::errno::Errno::EINTR) => continue,
            // The record is in: a failure only loses the lines after it.
            Err(_) => break,
        }
    }
    bytes.truncate(STATUS_FILE_MAX);
    Ok(bytes)
}

/// The first read's size: 0.76's record and the extensions' usual lines.
const STATUS_READ: usize = 512;

/// The most of a status file that is read; the extensions' lines are far
/// shorter.
const STATUS_FILE_MAX: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of each length is read whole (up to the cap), however many
    /// reads it takes.
    //= spec/extensions.md#ext-7
    #[test]
    fn status_files_of_any_length_are_read_whole() {
        let dir = std::env::temp_dir().join(format!("dt-os-read-status-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let path = dir.join("status");
        for len in [
            0,
            5,
            18,
            19,
            STATUS_READ,
            STATUS_READ + 1,
            3000,
            STATUS_FILE_MAX + 7,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &bytes).expect("write");
            let fd = OwnedFd::from(std::fs::File::open(&path).expect("open"));
            let read = read_status_file(fd).expect("read");
            assert_eq!(read, bytes[..len.min(STATUS_FILE_MAX)], "{len} bytes");
        }
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
