//! What the daemontools binaries share: exit codes and the one place where
//! diagnostics are worded (`prog: fatal: …`, `prog: warning: …`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod diag;

/// The program's arguments as bytes, `argv[0]` first (daemontools treats
/// arguments as bytes, never as text).
pub fn args() -> Vec<Vec<u8>> {
    use std::os::unix::ffi::OsStringExt;
    std::env::args_os().map(OsStringExt::into_vec).collect()
}

/// Bytes as text for a message; invalid UTF-8 is shown replaced.
pub fn show(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}
