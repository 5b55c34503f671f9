//! Becoming another program the way 0.76's `pathexec` does: `execve` on
//! each candidate that `dt_core::pathexec` names, in order, with the
//! environment it builds, until one works or core says stop.

use crate::errno::from_nix;
use dt_core::pathexec::{apply_changes, candidates, search_path, EnvChange, ExecFailures, Next};
use dt_core::Errno;
use std::ffi::{CStr, CString};
use std::sync::atomic::{AtomicU8, Ordering};

extern "C" {
    /// The C library's environment, as the kernel gave it and as `execve`
    /// expects it.
    static environ: *const *const libc::c_char;
}

/// SIGPIPE's disposition when the process started: 0 not yet known,
/// 1 default, 2 ignored.
static STARTING_SIGPIPE: AtomicU8 = AtomicU8::new(0);

/// Run by the C library before `main`, and so before the Rust runtime sets
/// SIGPIPE to "ignore": remember how the process inherited it.
#[used]
#[link_section = ".init_array"]
static RECORD_STARTING_SIGPIPE: extern "C" fn() = record_starting_sigpipe;

extern "C" fn record_starting_sigpipe() {
    // SAFETY: an all-zero `sigaction` is a valid value of the C struct, and
    // sigaction with a null new action only reads the current disposition
    // into it; no other thread exists yet.
    let ignored = unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    };
    STARTING_SIGPIPE.store(if ignored { 2 } else { 1 }, Ordering::Relaxed);
}

/// Give SIGPIPE back the disposition the process inherited, undoing the
/// Rust runtime's "ignore", so that the program exec'd next inherits what
/// it would have inherited from 0.76: the default action, or "ignore" if
/// whoever started us ignored it. Call it first in `main`.
//= spec/tools.md#exec-5
pub fn restore_sigpipe() {
    // Naming the recorder keeps its object file, and so its `.init_array`
    // entry, in every program that calls this. Should it not have run, the
    // default action is the safe guess.
    let _ = std::hint::black_box(&RECORD_STARTING_SIGPIPE);
    if STARTING_SIGPIPE.load(Ordering::Relaxed) == 2 {
        crate::signals::ignore_sigpipe();
    } else {
        crate::signals::default_sigpipe();
    }
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

/// A program ready to be exec'd: everything allocated beforehand, so that
/// [`Program::exec`] can run in a forked child.
#[derive(Debug)]
pub struct Program {
    files: Vec<CString>,
    argv: Vec<CString>,
    envp: Vec<CString>,
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
        Ok(Program {
            files: c_strings(files)?,
            argv: c_strings(argv.to_vec())?,
            envp: c_strings(envp)?,
        })
    }

    /// Replace this process by the program. Returns only if every
    /// candidate failed, with the error to report.
    //= spec/tools.md#exec-3
    pub fn exec(&self) -> Errno {
        let mut failures = ExecFailures::new();
        for file in &self.files {
            let errno = match nix::unistd::execve(file, &self.argv, &self.envp) {
                Err(e) => from_nix(e),
                Ok(never) => match never {},
            };
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

fn c_strings(strings: Vec<Vec<u8>>) -> Result<Vec<CString>, Errno> {
    strings
        .into_iter()
        .map(|s| CString::new(s).map_err(|_| Errno::EINVAL))
        .collect()
}
