//! Signal dispositions the programs start with.

use nix::sys::signal::{signal, SigHandler, Signal};

/// Give SIGPIPE its default action back.
///
/// Rust's runtime ignores SIGPIPE; daemontools' filters do not, so writing
/// to a closed pipe ends them by the signal, as a shell pipeline expects.
pub fn default_sigpipe() {
    // SAFETY: installing SIG_DFL runs no handler code; it only resets the
    // disposition that the Rust runtime set at start-up.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) };
}

/// Ignore SIGPIPE, so a write to a FIFO without a reader fails with EPIPE
/// instead of ending the program (svc does this).
pub fn ignore_sigpipe() {
    // SAFETY: installing SIG_IGN runs no handler code.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) };
}
