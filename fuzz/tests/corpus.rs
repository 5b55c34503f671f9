//! Replays every seed of every corpus directory through its fuzz target, so
//! the corpora run on stable as an ordinary `cargo test`, and checks that
//! corpus directories and targets match one to one.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

use dt_fuzz::{SvstatInput, TARGETS};

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    entries
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn corpus_dirs_and_targets_match() {
    let dirs: BTreeSet<String> = sorted_entries(&corpus_root())
        .iter()
        .filter(|path| path.is_dir())
        .map(|path| name_of(path))
        .collect();
    let targets: BTreeSet<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
    let without_target: Vec<_> = dirs.difference(&targets).collect();
    let without_corpus: Vec<_> = targets.difference(&dirs).collect();
    assert!(
        without_target.is_empty(),
        "corpus dirs without a target: {without_target:?}"
    );
    assert!(
        without_corpus.is_empty(),
        "targets without a corpus dir: {without_corpus:?}"
    );
    // Every target also has a libFuzzer binary of the same name.
    let manifest = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .expect("fuzz/Cargo.toml");
    for target in &targets {
        let path = format!("fuzz_targets/{target}.rs");
        assert!(manifest.contains(&path), "no [[bin]] for {target}");
        let body = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(&path))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            body.contains(&format!("dt_fuzz::{target}(data)")),
            "{path} does not call dt_fuzz::{target}"
        );
    }
}

//= spec/tai64.md#tai-3
//= spec/tai64.md#tai-4
//= spec/status-file.md#status-1
//= spec/status-file.md#status-2
//= spec/status-file.md#status-3
//= spec/control.md#ctl-1
//= spec/control.md#ctl-2
//= spec/control.md#ctl-3
//= spec/svstat-output.md#svstat-1
//= spec/svstat-output.md#svstat-2
//= spec/svstat-output.md#svstat-3
//= spec/svstat-output.md#svstat-4
//= spec/tai64n.md#tai64n-1
//= spec/tai64n.md#tai64n-2
//= spec/tai64n.md#tai64n-4
//= spec/tai64n.md#tai64nlocal-1
//= spec/tai64n.md#tai64nlocal-2
//= spec/tai64n.md#tai64nlocal-3
//= spec/tai64n.md#tai64nlocal-4
#[test]
fn every_seed_passes_its_target() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (name, target) in TARGETS {
        let dir = corpus_root().join(name);
        if !dir.is_dir() {
            continue; // reported by corpus_dirs_and_targets_match
        }
        let seeds = sorted_entries(&dir);
        assert!(!seeds.is_empty(), "corpus/{name} is empty");
        for seed in seeds {
            let data = fs::read(&seed).unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
            if let Err(panic) = panic::catch_unwind(|| target(&data)) {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("corpus/{name}/{}: {message}", name_of(&seed)));
            }
            replayed += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "failing seeds:\n{}",
        failures.join("\n")
    );
    assert!(replayed > 0);
}

/// The svstat seeds are in `arbitrary`'s layout; pin what the hand-made ones
/// decode to, so a change of layout (an `Observation` variant added, an
/// `arbitrary` upgrade) is noticed rather than silently turning the seeds
/// into noise.
//= spec/svstat-output.md#svstat-2
//= spec/svstat-output.md#svstat-3
#[test]
fn svstat_seeds_render_the_lines_they_are_named_for() {
    use arbitrary::{Arbitrary, Unstructured};
    let expected: &[(&str, &str)] = &[
        (
            "bad_format",
            "/service/x: unable to read supervise/status: bad format\n",
        ),
        (
            "chdir_failed",
            "/service/x: unable to chdir: file does not exist\n",
        ),
        (
            "down_want_up_normally_up",
            "/service/x: down 7 seconds, normally up, want up\n",
        ),
        ("down_once_stamp_in_future", "x: down 0 seconds\n"),
        (
            "supervise_not_running",
            "/service/x: supervise not running\n",
        ),
        ("up_normally_up", "/service/x: up (pid 5466) 5 seconds\n"),
        (
            "up_paused_want_down_normally_down",
            "/service/x: up (pid 5466) 100 seconds, normally down, paused, want down\n",
        ),
    ];
    for (seed, line) in expected {
        let data = fs::read(corpus_root().join("svstat_render").join(seed)).expect(seed);
        let input = SvstatInput::arbitrary_take_rest(Unstructured::new(&data)).expect(seed);
        let rendered = dt_core::svstat::render(&input.dir, &input.observation);
        assert_eq!(String::from_utf8_lossy(&rendered), *line, "seed {seed}");
    }
}
