//! Writing into the process's own last argument, so that `ps` shows it
//! (readproctitle).
//!
//! The argument strings live in the process's own writable memory, which
//! is what `ps` reads back through `/proc/<pid>/cmdline`; `crate::args`
//! finds them.

/// The bytes of the last command-line argument, in place.
#[derive(Debug)]
pub struct LastArgument {
    start: *mut u8,
    len: usize,
}

impl LastArgument {
    /// The last argument, when there is one besides the program name.
    pub fn get() -> Option<Self> {
        let (start, len) = crate::args::last_for_rewriting()?;
        Some(LastArgument { start, len })
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
        // copied its own arguments at start-up, and `crate::args` lends none
        // once one is being rewritten); `bytes` does not overlap it.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.start, n) };
    }
}
