//! What svstatus and svwait need from the kernel beyond svstat's questions
//! (which [`crate::service_dir::CwdProbe`] answers): the services of a scan
//! directory, and change notification on service directories (inotify).

pub mod listing;
pub mod watch;

#[cfg(test)]
mod tests {
    use dt_core::Errno;

    /// Each error number core names is the one the C library gives it.
    #[test]
    fn core_errno_names_match_the_c_library() {
        for n in 1..=133 {
            let nix = nix::errno::Errno::from_raw(n);
            let ours = dt_core::report::errno_name::name(Errno(n));
            if nix == nix::errno::Errno::UnknownErrno {
                assert_eq!(ours, None, "{n}");
            } else {
                assert_eq!(ours, Some(format!("{nix:?}").as_str()), "{n}");
            }
        }
    }
}
