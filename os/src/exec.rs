//! Becoming another program the way 0.76's `pathexec` does: `execve` on
//! each candidate that `dt_core::pathexec` names, in order, with the
//! environment it builds, until one works or core says stop.

use crate::errno::from_nix;
use dt_core::pathexec::{apply_changes, candidates, search_path, EnvChange, ExecFailures, Next};
use dt_core::Errno;
use std::ffi::{CStr, CString};

extern "C" {
    /// The C library's environment, as the kernel gave it and as `execve`
    /// expects it.
    static environ: *const *const libc::c_char;
}

/// This process's environment entry by entry, in order, as the C library
/// holds it (entries without `=` and duplicates included).
pub fn environment() -> Vec<Vec<u8>> {
    let mut entries = Vec::new();
    // SAFETY: our programs are single-threaded and nothing in them changes
    // the environment, so `environ` is a stable, null-terminated array of
    // pointers to NUL-terminated strings owned by the C library, and each
    // entry is copied before the next is looked at.
    unsafe {
        let mut entry = environ;
        if entry.is_null() {
            return entries;
        }
        while !(*entry).is_null() {
            entries.push(CStr::from_ptr(*entry).to_bytes().to_vec());
            entry = entry.add(1);
        }
    }
    entries
}

/// A program ready to be exec'd: everything allocated beforehand, down to
/// the pointer arrays `execve` takes, so that [`Program::exec`] allocates
/// nothing and can run in a forked child or one that shares our memory
/// ([`crate::process::vfork_child`]).
#[derive(Debug)]
pub struct Program {
    files: Vec<CString>,
    /// The owners of what `argv_pointers` and `envp_pointers` point at.
    _argv: Vec<CString>,
    _envp: Vec<CString>,
    /// The argument and environment strings, each list ending in a null
    /// pointer. They point into the strings' own heap buffers, which stay
    /// put when a `Program` moves and are never changed.
    argv_pointers: Vec<*const libc::c_char>,
    envp_pointers: Vec<*const libc::c_char>,
}

impl Program {
    /// `argv[0]` with arguments `argv`, to be searched along the `PATH` of
    /// this process's environment and given that environment with
    /// `changes` applied. A NUL inside an argument or variable cannot be
    /// passed on: that is "invalid argument".
    pub fn new(argv: &[Vec<u8>], changes: &[EnvChange]) -> Result<Program, Errno> {
        let start = environment();
        let name = argv.first().map_or(&[][..], Vec::as_slice);
        let files = candidates(name, search_path(&start));
        let envp = if changes.is_empty() {
            start
        } else {
            apply_changes(&start, changes)
        };
        let argv = c_strings(argv.to_vec())?;
        let envp = c_strings(envp)?;
        Ok(Program {
            files: c_strings(files)?,
            argv_pointers: pointers(&argv),
            envp_pointers: pointers(&envp),
            _argv: argv,
            _envp: envp,
        })
    }

    /// Replace this process by the program. Returns only if every
    /// candidate failed, with the error to report.
    //= spec/tools.md#exec-3
    pub fn exec(&self) -> Errno {
        let mut failures = ExecFailures::new();
        for file in &self.files {
            // SAFETY: `file` is NUL-terminated, and both pointer lists end
            // in a null pointer and point at NUL-terminated strings that
            // `self` owns; execve returns only on failure.
            unsafe {
                libc::execve(
                    file.as_ptr(),
                    self.argv_pointers.as_ptr(),
                    self.envp_pointers.as_ptr(),
                )
            };
            let errno = from_nix(nix::errno::Errno::last());
            if let Next::Stop(errno) = failures.failed(errno) {
                return errno;
            }
        }
        failures.finish()
    }
}

/// Become `argv[0]`, found along `PATH`, with the environment changed by
/// `changes`; returns only on failure, with the error to report.
//= spec/tools.md#exec-5
pub fn pathexec(argv: &[Vec<u8>], changes: &[EnvChange]) -> Errno {
    match Program::new(argv, changes) {
        Ok(program) => program.exec(),
        Err(e) => e,
    }
}

fn pointers(strings: &[CString]) -> Vec<*const libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

fn c_strings(strings: Vec<Vec<u8>>) -> Result<Vec<CString>, Errno> {
    strings
        .into_iter()
        .map(|s| CString::new(s).map_err(|_| Errno::EINVAL))
        .collect()
}
