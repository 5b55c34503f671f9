//! Signal dispositions the programs start with.

use nix::sys::signal::{signal, SigHandler, Signal};

/// Ignore SIGPIPE, so a write to a FIFO without a reader fails with EPIPE
/// instead of ending the program (svc does this).
pub fn ignore_sigpipe() {
    // SAFETY: installing SIG_IGN runs no handler code.
    let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) };
}
