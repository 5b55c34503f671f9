//! Child processes: starting `./run` the way 0.76's supervise does, sending
//! signals, and reaping.
//!
//! All `unsafe` for fork lives here.

use crate::errno::from_nix;
use dt_core::process::{ExitKind, Pid, Sig};
use dt_core::Errno;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult};
use std::convert::Infallible;

/// nix's signal for a core signal.
pub fn to_nix_signal(sig: Sig) -> Signal {
    match sig {
        Sig::Term => Signal::SIGTERM,
        Sig::Cont => Signal::SIGCONT,
        Sig::Stop => Signal::SIGSTOP,
        Sig::Hup => Signal::SIGHUP,
        Sig::Alrm => Signal::SIGALRM,
        Sig::Int => Signal::SIGINT,
        Sig::Kill => Signal::SIGKILL,
    }
}

/// Send `sig` to `pid` alone (not its process group), as 0.76 does; a
/// failure (the process is gone) is of no interest to anyone.
pub fn signal(pid: Pid, sig: Sig) {
    let _ = kill(nix::unistd::Pid::from_raw(pid.0), to_nix_signal(sig));
}

/// Reap one exited child without blocking, if there is one.
pub fn reap() -> Option<(Pid, ExitKind)> {
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(pid, code)) => {
                return Some((Pid(pid.as_raw()), ExitKind::Exited(code as u8)))
            }
            Ok(WaitStatus::Signaled(pid, sig, _)) => {
                return Some((Pid(pid.as_raw()), ExitKind::Signaled(sig as i32)))
            }
            Ok(WaitStatus::StillAlive) => return None,
            // Stopped/continued children are not reported without
            // WUNTRACED/WCONTINUED; anything else: look again.
            Ok(_) => continue,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return None,
        }
    }
}

/// fork, running `child` in the child process. `child` must not return:
/// it ends by exec or by [`child_exit`]. It runs in a copy of this
/// single-threaded program, so it may use what was prepared before the fork.
// The child arm's `match` on `Infallible` is the proof that it never returns.
#[allow(unreachable_code)]
pub fn fork_child(child: impl FnOnce() -> Infallible) -> Result<Pid, Errno> {
    // SAFETY: every program of ours is single-threaded when it forks, so the
    // child's copy of the heap and of every lock is consistent; the child
    // ends by exec or _exit and never returns into the parent's code.
    match unsafe { fork() } {
        Err(e) => Err(from_nix(e)),
        Ok(ForkResult::Parent { child }) => Ok(Pid(child.as_raw())),
        Ok(ForkResult::Child) => match child() {},
    }
}

/// In a forked child: write `message` to stderr and end with `code`,
/// without running the parent's exit handlers or flushing its buffers.
pub fn child_exit(message: &[u8], code: i32) -> ! {
    let _ = nix::unistd::write(std::io::stderr(), message);
    // SAFETY: _exit only ends the process.
    unsafe { libc::_exit(code) }
}

/// In a forked child about to exec: make `fd` available as descriptor
/// `target` across the exec (the child's copy of whatever `target` was is
/// closed by `dup2`; `fd` itself stays close-on-exec).
pub fn give_fd(fd: std::os::fd::BorrowedFd<'_>, target: i32) -> Result<(), Errno> {
    use std::os::fd::AsRawFd;
    if fd.as_raw_fd() == target {
        // Already there: only the close-on-exec flag must go.
        return nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
        )
        .map(drop)
        .map_err(from_nix);
    }
    // SAFETY: dup2 only duplicates a descriptor; it is called in a child
    // that will exec or _exit next, so no Rust object owning `target`
    // is used after it is replaced.
    let result = unsafe { libc::dup2(fd.as_raw_fd(), target) };
    nix::errno::Errno::result(result)
        .map(drop)
        .map_err(from_nix)
}
