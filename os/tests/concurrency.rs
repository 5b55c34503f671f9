//! Why `os` has no loom tests, kept true by a test.
//!
//! loom checks interleavings of threads sharing memory inside one process.
//! `os` has none: every driver is one thread, and signals arrive through a
//! `signalfd` (supervise, svscan's stop mode, multilog) that the loop reads
//! like any other descriptor, so no handler ever runs concurrently with the
//! loop and there is no self-pipe hand-off to check. The only statics are
//! in `args.rs`: the argv capture, written by an `.init_array` hook before
//! `main` and read after, and two flags that keep borrowing the arguments
//! and rewriting them apart (one thread sets and reads them).
//!
//! What crosses processes (the status file, the control FIFO, the log pipe)
//! is modelled in `model/` instead. Should anyone add a thread, a signal
//! handler or a new shared static to `os`, this test fails: add a loom test
//! beside it (DESIGN.md: `os/tests/loom_*.rs` behind `--cfg loom`) and then
//! extend the allowance here.

use std::fs;
use std::path::Path;

/// Text that would bring in-process concurrency, and why it is refused.
const FORBIDDEN: &[(&str, &str)] = &[
    ("thread::spawn", "a second thread"),
    ("thread::scope", "a second thread"),
    ("SigHandler::Handler", "a signal handler"),
    ("SigHandler::SigAction", "a signal handler"),
    ("SigAction::new", "a signal handler"),
    ("static mut", "unsynchronised shared state"),
    ("Mutex", "shared state between threads"),
    ("RwLock", "shared state between threads"),
];

/// Files allowed to hold atomics: the argv capture, set before `main`.
const PRE_MAIN_STATICS: &[&str] = &["args.rs"];

fn sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<(String, String)> = fs::read_dir(&dir)
        .expect("read os/src")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).expect("read source"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn os_has_no_threads_signal_handlers_or_shared_state_for_loom_to_check() {
    let files = sources();
    assert!(files.len() > 10, "found the sources");
    let mut found = Vec::new();
    for (name, text) in &files {
        for (needle, what) in FORBIDDEN {
            if text.contains(needle) {
                found.push(format!("{name}: `{needle}` ({what})"));
            }
        }
        if text.contains("Atomic") && !PRE_MAIN_STATICS.contains(&name.as_str()) {
            found.push(format!("{name}: an atomic outside the pre-main records"));
        }
    }
    assert!(
        found.is_empty(),
        "in-process concurrency without a loom test:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn the_drivers_take_signals_through_a_descriptor() {
    let files = sources();
    for driver in ["drive_supervise.rs", "drive_log.rs", "drive_scan.rs"] {
        let (_, text) = files
            .iter()
            .find(|(name, _)| name == driver)
            .unwrap_or_else(|| panic!("{driver} exists"));
        assert!(
            text.contains("SignalFd"),
            "{driver} reads signals from a signalfd"
        );
    }
}
