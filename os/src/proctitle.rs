//! Writing into the process's own last argument, so that `ps` shows it
//! (readproctitle).
//!
//! The C library hands `argc`/`argv` to every function in `.init_array`
//! before `main`; we keep the pointer there. The argument strings live in
//! the process's own writable memory, which is what `ps` reads back through
//! `/proc/<pid>/cmdline`.

use std::ffi::{c_char, c_int};
use std::sync::atomic::{AtomicIsize, AtomicPtr, Ordering};

static ARGC: AtomicIsize = AtomicIsize::new(0);
static ARGV: AtomicPtr<*mut c_char> = AtomicPtr::new(std::ptr::null_mut());

extern "C" fn capture(argc: c_int, argv: *mut *mut c_char, _envp: *mut *mut c_char) {
    ARGC.store(argc as isize, Ordering::Relaxed);
    ARGV.store(argv, Ordering::Relaxed);
}

#[used]
#[link_section = ".init_array"]
static CAPTURE: extern "C" fn(c_int, *mut *mut c_char, *mut *mut c_char) = capture;

/// The bytes of the last command-line argument, in place.
#[derive(Debug)]
pub struct LastArgument {
    start: *mut u8,
    len: usize,
}

impl LastArgument {
    /// The last argument, when there is one besides the program name.
    pub fn get() -> Option<Self> {
        let argc = ARGC.load(Ordering::Relaxed);
        let argv = ARGV.load(Ordering::Relaxed);
        if argc < 2 || argv.is_null() {
            return None;
        }
        // SAFETY: argv holds argc valid pointers to NUL-terminated strings
        // (the C runtime's promise), and we are past the null check.
        let start = unsafe { *argv.offset(argc - 1) };
        if start.is_null() {
            return None;
        }
        // SAFETY: `start` points to a NUL-terminated string.
        let len = unsafe { std::ffi::CStr::from_ptr(start) }.to_bytes().len();
        Some(LastArgument {
            start: start.cast(),
            len,
        })
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Overwrite it with `bytes` (as many as fit; the terminating NUL stays).
    pub fn write(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.len);
        // SAFETY: the argument's `len` bytes are writable process memory
        // that nothing else in this single-threaded program refers to (std
        // copied its own arguments at start-up); `bytes` does not overlap it.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.start, n) };
    }
}
