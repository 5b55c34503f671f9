//! Child processes: starting `./run` the way 0.76's supervise does, sending
//! signals, and reaping.
//!
//! All `unsafe` for fork lives here.

use crate::errno::from_nix;
use dt_core::process::{ExitKind, Pid, Sig};
use dt_core::Errno;
use nix::sys::signal::{kill, sigprocmask, SigSet, SigmaskHow, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult};
use std::convert::Infallible;
use std::ffi::CString;

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

/// `./run`, as supervise starts it.
#[derive(Debug)]
pub struct RunProgram {
    path: CString,
    argv: Vec<CString>,
    /// The signal mask to restore in the child.
    mask: SigSet,
    /// The message the child prints if exec fails, up to the error words.
    failure_prefix: Vec<u8>,
}

impl RunProgram {
    /// `./run` with argv `["./run"]`, started with `mask` as its signal mask;
    /// `failure_prefix` is what the child prints before the error words if
    /// exec fails (then it exits 111).
    pub fn new(mask: SigSet, failure_prefix: Vec<u8>) -> Self {
        let run = CString::new("./run").unwrap_or_default();
        RunProgram {
            path: run.clone(),
            argv: vec![run],
            mask,
            failure_prefix,
        }
    }

    /// fork; the child execs `./run` with the inherited environment, working
    /// directory and descriptors. A failed exec is reported by the child on
    /// stderr and it exits 111, so the parent sees an ordinary exit.
    pub fn spawn(&self) -> Result<Pid, Errno> {
        let mut message = Vec::with_capacity(self.failure_prefix.len() + 64);
        message.extend_from_slice(&self.failure_prefix);
        fork_child(|| {
            let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&self.mask), None);
            let errno = match nix::unistd::execv(&self.path, &self.argv) {
                Err(e) => from_nix(e),
                Ok(never) => match never {},
            };
            message.extend_from_slice(errno.describe().as_bytes());
            message.push(b'\n');
            child_exit(&message, 111)
        })
    }
}
