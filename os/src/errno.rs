//! Conversion of nix's error numbers into core's.

use dt_core::Errno;

/// The core value of a nix error.
pub fn from_nix(err: nix::errno::Errno) -> Errno {
    Errno(err as i32)
}

/// The error number of the last failed call on this thread.
pub fn last() -> Errno {
    from_nix(nix::errno::Errno::last())
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::errno::Errno as Nix;

    /// core's table is keyed by Linux's numbers; check them against libc.
    #[test]
    fn core_error_numbers_match_the_c_library() {
        let pairs = [
            (Errno::EPERM, Nix::EPERM),
            (Errno::ENOENT, Nix::ENOENT),
            (Errno::EINTR, Nix::EINTR),
            (Errno::EIO, Nix::EIO),
            (Errno::ENXIO, Nix::ENXIO),
            (Errno::EAGAIN, Nix::EAGAIN),
            (Errno::EWOULDBLOCK, Nix::EWOULDBLOCK),
            (Errno::EACCES, Nix::EACCES),
            (Errno::EEXIST, Nix::EEXIST),
            (Errno::ENOTDIR, Nix::ENOTDIR),
            (Errno::EISDIR, Nix::EISDIR),
            (Errno::EINVAL, Nix::EINVAL),
            (Errno::EMFILE, Nix::EMFILE),
            (Errno::ENOSPC, Nix::ENOSPC),
            (Errno::EPIPE, Nix::EPIPE),
            (Errno::EDEADLK, Nix::EDEADLK),
            (Errno::ELOOP, Nix::ELOOP),
            (Errno::ENOTEMPTY, Nix::ENOTEMPTY),
            (Errno::EPROTO, Nix::EPROTO),
            (Errno::EREMOTE, Nix::EREMOTE),
            (Errno::EUSERS, Nix::EUSERS),
            (Errno::ETIMEDOUT, Nix::ETIMEDOUT),
            (Errno::ECONNREFUSED, Nix::ECONNREFUSED),
            (Errno::EINPROGRESS, Nix::EINPROGRESS),
            (Errno::ESTALE, Nix::ESTALE),
            (Errno::EDQUOT, Nix::EDQUOT),
            (Errno::EREMCHG, Nix::EREMCHG),
            (Errno::ENOSTR, Nix::ENOSTR),
            (Errno::EMULTIHOP, Nix::EMULTIHOP),
        ];
        for (ours, theirs) in pairs {
            assert_eq!(ours, from_nix(theirs), "{theirs:?}");
        }
    }

    /// Every number in core's table names the errno the C library gives it.
    #[test]
    fn every_table_entry_is_a_real_error_number() {
        for (errno, _) in Errno::table() {
            if errno.0 != 0 {
                assert_ne!(Nix::from_raw(errno.0), Nix::UnknownErrno, "{errno:?}");
            }
        }
    }
}
