//! The one place where the tests pause: a bounded polling loop.
//!
//! Tests never sleep to synchronise with a process. They poll a condition
//! (output seen, file present, process exited) until it holds or a generous
//! deadline passes. The deadline is there so that a broken program fails the
//! test instead of hanging it; it is not a timing requirement, and nothing
//! asserts on how long the wait took.

use std::time::{Duration, Instant};

/// How long a scenario may run, and how long any single wait may take, unless
/// the scenario says otherwise. Generous: the machine may be busy building.
pub const GENEROUS: Duration = Duration::from_secs(60);

/// The longest pause between two probes.
const MAX_PAUSE: Duration = Duration::from_millis(50);

/// Call `probe` until it returns `Some`, pausing between calls (1 ms at
/// first, doubling up to 50 ms). Returns `None` if `deadline` passes first;
/// `probe` is always called at least once, and once more at the deadline.
pub fn until<T>(deadline: Instant, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// [`until`] with a deadline `GENEROUS` from now, panicking with `what` if it
/// passes: for waits that only a broken program could miss.
pub fn until_or_panic<T>(what: &str, probe: impl FnMut() -> Option<T>) -> T {
    match until(Instant::now() + GENEROUS, probe) {
        Some(value) => value,
        None => panic!("gave up after {GENEROUS:?} waiting for {what}"),
    }
}
