//! What a scenario does while its program runs: write to stdin, wait for a
//! condition, send a signal, close stdin. Steps run in order; a wait polls
//! (see [`crate::wait`]) and never sleeps for a fixed time.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nix::sys::signal::Signal;

/// What a condition can look at: the output so far and the directory.
#[derive(Clone, Copy, Debug)]
pub struct Observed<'a> {
    /// Everything written to stdout so far.
    pub stdout: &'a [u8],
    /// Everything written to stderr so far.
    pub stderr: &'a [u8],
    /// The scenario directory.
    pub dir: &'a Path,
}

type Test = dyn Fn(&Observed<'_>) -> bool + Send + Sync;

/// Something a [`Step::WaitFor`] waits to become true.
#[derive(Clone)]
pub struct Condition {
    what: String,
    test: Arc<Test>,
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl Condition {
    /// A condition from a description and a test.
    pub fn new(
        what: impl Into<String>,
        test: impl Fn(&Observed<'_>) -> bool + Send + Sync + 'static,
    ) -> Condition {
        Condition {
            what: what.into(),
            test: Arc::new(test),
        }
    }

    /// Does it hold?
    pub fn holds(&self, observed: &Observed<'_>) -> bool {
        (self.test)(observed)
    }

    /// stdout contains `needle`.
    pub fn stdout_contains(needle: &[u8]) -> Condition {
        let needle = needle.to_vec();
        Condition::new(
            format!("stdout contains {:?}", String::from_utf8_lossy(&needle)),
            move |o| contains(o.stdout, &needle),
        )
    }

    /// stderr contains `needle`.
    pub fn stderr_contains(needle: &[u8]) -> Condition {
        let needle = needle.to_vec();
        Condition::new(
            format!("stderr contains {:?}", String::from_utf8_lossy(&needle)),
            move |o| contains(o.stderr, &needle),
        )
    }

    /// stdout holds at least `n` newlines.
    pub fn stdout_lines(n: usize) -> Condition {
        Condition::new(format!("stdout has {n} lines"), move |o| {
            o.stdout.iter().filter(|&&b| b == b'\n').count() >= n
        })
    }

    /// stdout holds at least `n` bytes.
    pub fn stdout_len(n: usize) -> Condition {
        Condition::new(format!("stdout has {n} bytes"), move |o| {
            o.stdout.len() >= n
        })
    }

    /// `path` (relative to the scenario directory) exists.
    pub fn exists(path: impl Into<PathBuf>) -> Condition {
        let path = path.into();
        Condition::new(format!("{} exists", path.display()), move |o| {
            o.dir.join(&path).symlink_metadata().is_ok()
        })
    }
}

/// Does `haystack` contain `needle`?
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// One thing to do while the program runs.
#[derive(Clone, Debug)]
pub enum Step {
    /// Write these bytes to stdin; the step ends when they are in the pipe
    /// (or the program has closed it).
    Write(Vec<u8>),
    /// Wait until the condition holds. If the program exits and its output
    /// is complete while the condition is still false, the remaining steps
    /// are abandoned and the outcome says so.
    WaitFor(Condition),
    /// Send this signal to the program (its process, not its group).
    Signal(Signal),
    /// Close stdin (done anyway after the last step).
    CloseStdin,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Write(bytes) => write!(f, "write {} bytes to stdin", bytes.len()),
            Step::WaitFor(condition) => write!(f, "wait until {condition}"),
            Step::Signal(sig) => write!(f, "send {}", sig.as_str()),
            Step::CloseStdin => write!(f, "close stdin"),
        }
    }
}
