//! fghack: run a program that puts itself in the background, and wait until
//! it and every descendant that kept one of the inherited pipe descriptors
//! are finished.

use crate::errno::from_nix;
use crate::exec::Program;
use crate::process::{child_exit, fork_child};
use dt_core::Errno;
use nix::sys::wait::{waitpid, WaitStatus};
use std::os::fd::{AsFd, AsRawFd};

/// How many extra copies of the pipe's writing end the child holds.
pub const COPIES: usize = 30;

/// Where fghack failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FghackError {
    /// `pipe` failed.
    Pipe(Errno),
    /// `fork` failed.
    Fork(Errno),
    /// `waitpid` failed.
    Wait(Errno),
}

/// How the child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this code.
    Exited(u8),
    /// A signal killed it.
    Crashed,
}

/// Make a pipe, fork, and in the child close the reading end, duplicate the
/// writing end [`COPIES`] times (none close-on-exec) and exec `program`; if
/// that fails the child writes `failure_prefix`, the error's words and a
/// newline to stderr and exits 111. The parent reads the pipe to its end,
/// then waits for the child.
//= spec/tools.md#fghack-2
//= spec/tools.md#fghack-3
pub fn run(program: &Program, failure_prefix: &[u8]) -> Result<Ended, FghackError> {
    let (reader, writer) = nix::unistd::pipe().map_err(|e| FghackError::Pipe(from_nix(e)))?;
    let mut message = Vec::with_capacity(failure_prefix.len() + 64);
    message.extend_from_slice(failure_prefix);
    let reading_end = reader.as_raw_fd();
    let pid = fork_child(|| {
        // The child never returns, so its copy of `reader` is closed here
        // and nowhere else.
        let _ = nix::unistd::close(reading_end);
        for _ in 0..COPIES {
            if let Ok(copy) = nix::unistd::dup(writer.as_fd()) {
                // Left open on purpose: the program inherits every copy.
                std::mem::forget(copy);
            }
        }
        let errno = program.exec();
        message.extend_from_slice(errno.describe().as_bytes());
        message.push(b'\n');
        child_exit(&message, 111)
    })
    .map_err(FghackError::Fork)?;
    drop(writer);
    let mut buffer = [0u8; 64];
    loop {
        match nix::unistd::read(reader.as_fd(), &mut buffer) {
            Err(nix::errno::Errno::EINTR) => continue,
            Ok(n) if n > 0 => continue,
            _ => break,
        }
    }
    let pid = nix::unistd::Pid::from_raw(pid.0);
    loop {
        match waitpid(pid, None) {
            Ok(WaitStatus::Exited(_, code)) => return Ok(Ended::Exited(code as u8)),
            Ok(WaitStatus::Signaled(..)) => return Ok(Ended::Crashed),
            Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(FghackError::Wait(from_nix(e))),
        }
    }
}
