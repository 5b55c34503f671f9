//! Child processes: starting `./run` the way 0.76's supervise does, sending
//! signals, and reaping.
//!
//! All `unsafe` for fork and clone lives here.

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

/// The stack of a child started by [`vfork_child`]. It only makes system
/// calls before it execs, well within a page even unoptimised; the rest is
/// room for the C library's wrappers (there is no guard page below it).
const VFORK_STACK: usize = 32 * 1024;

/// Start a child that shares this process's memory until it execs or ends
/// (`clone` with `CLONE_VM | CLONE_VFORK`, as posix_spawn does); this
/// process is suspended until then. Unlike fork, nothing is copied: its
/// cost does not grow with this process's memory, and this process's pages
/// are not made copy-on-write (for svscan, which starts a supervise per
/// service, that was ~8 page faults per start).
///
/// `child` runs on a stack of its own but in this process's memory, so it
/// must only make system calls, through buffers prepared beforehand: no
/// allocation (it would be made in this process's heap), no panic, no
/// change to anything this process will look at. It ends by exec or by
/// [`child_exit_parts`]. The calling program must not catch signals with
/// handlers (a handler could run in the child, on this process's memory);
/// ours take them through signalfd, or not at all.
// The child arm's `match` on `Infallible` is the proof that it never returns.
#[allow(unreachable_code)]
pub fn vfork_child<'a>(mut child: impl FnMut() -> Infallible + 'a) -> Result<Pid, Errno> {
    let mut stack = vec![0u8; VFORK_STACK];
    let run: nix::sched::CloneCb<'a> = Box::new(move || match child() {});
    let flags = nix::sched::CloneFlags::CLONE_VM | nix::sched::CloneFlags::CLONE_VFORK;
    // SAFETY: the child runs `child` on `stack`, which outlives it (this
    // process waits until the child has exec'd or ended, and only then
    // drops it); `child` keeps to system calls on memory prepared before
    // the clone, as its contract says, so this process finds its memory as
    // it left it. Our programs are single-threaded, so no lock (malloc's
    // included) can be held by another thread at the clone.
    let pid = unsafe { nix::sched::clone(run, &mut stack, flags, Some(libc::SIGCHLD)) };
    pid.map(|pid| Pid(pid.as_raw())).map_err(from_nix)
}

/// In a child started by [`vfork_child`] (or fork): write the `parts` of a
/// message to stderr in one `writev`, as one line, and end with `code`,
/// without running this process's exit handlers or allocating.
pub fn child_exit_parts(parts: &[&[u8]; 3], code: i32) -> ! {
    let slices = parts.map(std::io::IoSlice::new);
    let _ = nix::sys::uio::writev(std::io::stderr(), &slices);
    // SAFETY: _exit only ends the process.
    unsafe { libc::_exit(code) }
}

/// In a forked child: write `message` to stderr and end with `code`,
/// without running the parent's exit handlers or flushing its buffers.
pub fn child_exit(message: &[u8], code: i32) -> ! {
    child_exit_parts(&[message, &[], &[]], code)
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

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::wait::waitpid;

    fn wait_for(pid: Pid) -> WaitStatus {
        waitpid(nix::unistd::Pid::from_raw(pid.0), None).expect("waitpid")
    }

    /// The child runs in our memory and we wait for it: what it stores is
    /// there when `vfork_child` returns (with fork it would not be, and
    /// without the wait it might not be yet). Real children store nothing.
    #[test]
    fn a_vforked_child_shares_our_memory_and_we_wait_for_its_end() {
        let ran = std::cell::Cell::new(false);
        let pid = vfork_child(|| {
            ran.set(true);
            child_exit_parts(&[b"", b"", b""], 7)
        })
        .expect("clone");
        assert!(ran.get());
        assert!(matches!(wait_for(pid), WaitStatus::Exited(_, 7)));
    }

    #[test]
    fn a_vforked_child_execs_a_prepared_program() {
        let program =
            crate::exec::Program::new(&[b"sh".to_vec(), b"-c".to_vec(), b"exit 5".to_vec()], &[])
                .expect("program");
        let pid = vfork_child(|| {
            let errno = program.exec();
            child_exit_parts(&[b"exec failed: ", errno.describe().as_bytes(), b"\n"], 111)
        })
        .expect("clone");
        assert!(matches!(wait_for(pid), WaitStatus::Exited(_, 5)));
    }
}
