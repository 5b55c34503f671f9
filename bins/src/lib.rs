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

//= spec/tools.md#exec-5
/// Defines the program's C `main`, which runs `$run` and then exits 0 (with
/// stdout flushed, as `std::process::exit` does).
///
/// The programs start without Rust's runtime start-up (each says
/// `#![cfg_attr(not(test), no_main)]`), as 0.76's C programs start: nothing reads
/// `/proc/self/maps` for a stack guard, installs a signal stack, reopens
/// closed descriptors 0-2 on `/dev/null`, or sets SIGPIPE to "ignore".
/// So every signal disposition, SIGPIPE's included, is the one the process
/// inherited (EXEC-5), and a short-lived tool such as `svstat` or `svok`
/// starts about as fast as 0.76's. `std::env::args` still works: on glibc
/// std reads the arguments from the C library's start-up, not from `main`.
/// A stack overflow is a plain SIGSEGV, as in C. The `no_mangle` symbol is
/// the one unsafe attribute; it lives here so that the programs themselves
/// keep `forbid(unsafe_code)`.
#[macro_export]
macro_rules! entry {
    ($run:path) => {
        #[cfg(not(test))]
        #[unsafe(no_mangle)]
        extern "C" fn main(
            _argc: ::std::ffi::c_int,
            _argv: *const *const ::std::ffi::c_char,
        ) -> ::std::ffi::c_int {
            $run();
            ::std::process::exit(0)
        }
        // A unit-test build has libtest's `main` instead; `$run` is still
        // named so that it is not dead code there.
        #[cfg(test)]
        const _: () = {
            let _ = $run;
        };
    };
}
