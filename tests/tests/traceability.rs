//! Every numbered requirement in `spec/` is cited by at least one test, and
//! every citation names a requirement that exists.
//!
//! A requirement is a Markdown heading whose first word is an id such as
//! `SUP-3`; it is cited as `//= spec/<file>.md#<id in lowercase>`. A citation
//! counts as a test's when it sits in a test file (`tests.rs`, a `tests/` or
//! `fuzz/` directory) or after `#[cfg(test)]` in a source file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives inside the workspace")
        .to_path_buf()
}

/// `(file, id)` of every requirement heading in spec/.
fn requirements(root: &Path) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for entry in fs::read_dir(root.join("spec")).expect("spec/ exists") {
        let path = entry.expect("readable spec/ entry").path();
        if path.extension().is_none_or(|ext| ext != "md") {
            continue;
        }
        let file = path
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let text = fs::read_to_string(&path).expect("spec files are UTF-8");
        for line in text.lines() {
            let Some(heading) = line.strip_prefix('#') else {
                continue;
            };
            let Some(first) = heading.trim_start_matches('#').split_whitespace().next() else {
                continue;
            };
            if is_requirement_id(first) {
                found.insert((file.clone(), first.to_ascii_lowercase()));
            }
        }
    }
    found
}

fn is_requirement_id(word: &str) -> bool {
    let Some((prefix, number)) = word.rsplit_once('-') else {
        return false;
    };
    !prefix.is_empty()
        && prefix
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        && prefix.as_bytes()[0].is_ascii_uppercase()
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

struct Citation {
    file: String,
    id: String,
    at: String,
    in_test: bool,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

fn citations(root: &Path) -> Vec<Citation> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut found = Vec::new();
    for path in files {
        let relative = path
            .strip_prefix(root)
            .expect("under the root")
            .to_string_lossy()
            .into_owned();
        let test_file = relative.ends_with("tests.rs")
            || relative.contains("/tests/")
            || relative.starts_with("tests/")
            || relative.starts_with("fuzz/");
        let text = fs::read_to_string(&path).unwrap_or_default();
        let mut in_test = test_file;
        for (number, line) in text.lines().enumerate() {
            if line.contains("#[cfg(test)]") {
                in_test = true;
            }
            let Some(rest) = line.trim_start().strip_prefix("//= spec/") else {
                continue;
            };
            let Some((file, id)) = rest.trim().split_once('#') else {
                continue;
            };
            found.push(Citation {
                file: file.to_owned(),
                id: id.to_owned(),
                at: format!("{relative}:{}", number + 1),
                in_test,
            });
        }
    }
    found
}

#[test]
fn every_requirement_is_tested_and_every_citation_exists() {
    let root = workspace_root();
    let required = requirements(&root);
    assert!(!required.is_empty(), "no requirements found in spec/");
    let cited = citations(&root);

    let dangling: Vec<String> = cited
        .iter()
        .filter(|c| !required.contains(&(c.file.clone(), c.id.clone())))
        .map(|c| format!("{}: spec/{}#{}", c.at, c.file, c.id))
        .collect();

    let mut tested: BTreeMap<(String, String), usize> = BTreeMap::new();
    for c in cited.iter().filter(|c| c.in_test) {
        *tested.entry((c.file.clone(), c.id.clone())).or_default() += 1;
    }
    let untested: Vec<String> = required
        .iter()
        .filter(|key| !tested.contains_key(*key))
        .map(|(file, id)| format!("spec/{file}#{id}"))
        .collect();

    assert!(
        dangling.is_empty() && untested.is_empty(),
        "citations of requirements that do not exist:\n  {}\nrequirements no test cites:\n  {}",
        dangling.join("\n  "),
        untested.join("\n  ")
    );
    println!("{} requirements, {} citations", required.len(), cited.len());
}

#[test]
fn requirement_ids_are_recognised() {
    assert!(is_requirement_id("SUP-3"));
    assert!(is_requirement_id("TAI64NLOCAL-12"));
    assert!(!is_requirement_id("Semantics"));
    assert!(!is_requirement_id("sup-3"));
    assert!(!is_requirement_id("SUP-"));
}
