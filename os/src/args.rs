//! The process's own arguments, where the C library keeps them.
//!
//! The C library hands `argc`/`argv` to every function in `.init_array`
//! before `main` (std finds its own arguments the same way); we keep the
//! pointer there. The strings live in the process's memory until it exits.
//! A program may either borrow them ([`borrowed`]) or rewrite its last one
//! in place ([`crate::proctitle::LastArgument`], readproctitle), never both:
//! whichever comes second is refused, so a borrowed argument never changes
//! under its reader.

use std::ffi::{c_char, c_int, CStr};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicPtr, Ordering};

static ARGC: AtomicIsize = AtomicIsize::new(0);
static ARGV: AtomicPtr<*mut c_char> = AtomicPtr::new(std::ptr::null_mut());
/// Set once an argument was lent out for the life of the process.
static LENT: AtomicBool = AtomicBool::new(false);
/// Set once the last argument may be rewritten.
static REWRITING: AtomicBool = AtomicBool::new(false);

extern "C" fn capture(argc: c_int, argv: *mut *mut c_char, _envp: *mut *mut c_char) {
    ARGC.store(argc as isize, Ordering::Relaxed);
    ARGV.store(argv, Ordering::Relaxed);
}

#[used]
#[link_section = ".init_array"]
static CAPTURE: extern "C" fn(c_int, *mut *mut c_char, *mut *mut c_char) = capture;

/// The pointers `argv[0..argc]`, or none if the C library did not say.
fn pointers() -> &'static [*mut c_char] {
    // Naming the capture keeps its `.init_array` entry in every program.
    let _ = std::hint::black_box(&CAPTURE);
    let argc = ARGC.load(Ordering::Relaxed);
    let argv = ARGV.load(Ordering::Relaxed);
    if argc <= 0 || argv.is_null() {
        return &[];
    }
    // SAFETY: the C runtime gives `init_array` functions an `argv` of
    // `argc` valid pointers, which stays in place until the process exits;
    // nothing in our programs changes the array itself.
    unsafe { std::slice::from_raw_parts(argv, argc as usize) }
}

/// Each argument, `argv[0]` first, borrowed from the process's memory: no
/// copy, however many there are (svstat may get thousands).
///
/// # Panics
/// If the program rewrites its last argument (readproctitle).
pub fn borrowed() -> impl ExactSizeIterator<Item = &'static [u8]> {
    assert!(
        !REWRITING.load(Ordering::Relaxed),
        "arguments borrowed by a program that rewrites them"
    );
    LENT.store(true, Ordering::Relaxed);
    // SAFETY: each pointer is a NUL-terminated string that lives until the
    // process exits and is never written while one is lent (see REWRITING).
    pointers()
        .iter()
        .map(|&arg| unsafe { CStr::from_ptr(arg) }.to_bytes())
}

/// The start and length of the last argument besides the program name,
/// for writing into; from then on no argument is lent.
///
/// # Panics
/// If an argument was lent before.
pub(crate) fn last_for_rewriting() -> Option<(*mut u8, usize)> {
    assert!(
        !LENT.load(Ordering::Relaxed),
        "arguments rewritten by a program that borrowed them"
    );
    REWRITING.store(true, Ordering::Relaxed);
    let argv = pointers();
    let &last = argv.get(1..)?.last()?;
    if last.is_null() {
        return None;
    }
    // SAFETY: `last` points to a NUL-terminated string.
    let len = unsafe { CStr::from_ptr(last) }.to_bytes().len();
    Some((last.cast(), len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    /// The borrowed arguments are the process's own, and once they are
    /// lent the last one cannot be rewritten.
    #[test]
    fn arguments_are_lent_or_rewritten_never_both() {
        let ours: Vec<&[u8]> = borrowed().collect();
        let std_args: Vec<std::ffi::OsString> = std::env::args_os().collect();
        let theirs: Vec<&[u8]> = std_args.iter().map(|a| a.as_bytes()).collect();
        assert_eq!(ours, theirs);
        assert!(std::panic::catch_unwind(last_for_rewriting).is_err());
    }
}
