//! `cargo install --path bins` installs every bin target of this package;
//! this test pins that set to exactly daemontools' 17 programs and the 2
//! added beyond 0.76 (svstatus, svwait): each one is
//! a bin target (`common::PROGRAMS` would not compile otherwise), each
//! binary runs, and `bins/src/bin` holds no program that is not one of them.

mod common;

use common::{workspace_root, PROGRAMS};
use std::collections::BTreeSet;

#[test]
fn the_bin_targets_are_exactly_the_19_programs() {
    let dir = workspace_root().join("bins/src/bin");
    let found: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
            let name = entry.file_name().to_string_lossy().into_owned();
            // Cargo's rules: `foo.rs` or `foo/main.rs` is the program `foo`.
            name.strip_suffix(".rs").unwrap_or(&name).to_owned()
        })
        .collect();
    let wanted: BTreeSet<String> = PROGRAMS.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(
        found, wanted,
        "bins/src/bin must hold exactly daemontools' 17 programs and svstatus and svwait, since \
         `cargo install --path bins` installs every one of its bin targets"
    );
    assert!(
        dir.join("multilog/main.rs").is_file(),
        "multilog is the directory target bins/src/bin/multilog/main.rs"
    );
}

#[test]
fn every_binary_was_built() {
    for (name, path) in PROGRAMS {
        let meta =
            std::fs::metadata(path).unwrap_or_else(|e| panic!("{name}: cannot stat {path}: {e}"));
        assert!(meta.is_file(), "{name}: {path} is not a file");
        use std::os::unix::fs::PermissionsExt;
        assert_ne!(
            meta.permissions().mode() & 0o111,
            0,
            "{name}: {path} is not executable"
        );
    }
}
