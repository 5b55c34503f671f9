use super::*;
use proptest::prelude::*;

fn bytes(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn set(name: &str, value: &str) -> EnvChange {
    EnvChange::Set {
        name: name.as_bytes().to_vec(),
        value: value.as_bytes().to_vec(),
    }
}

fn unset(name: &str) -> EnvChange {
    EnvChange::Unset {
        name: name.as_bytes().to_vec(),
    }
}

//= spec/tools.md#exec-1
#[test]
fn a_name_with_a_slash_is_the_only_candidate() {
    assert_eq!(candidates(b"./run", b"/bin"), bytes(&["./run"]));
    assert_eq!(candidates(b"/bin/sh", b"/x:/y"), bytes(&["/bin/sh"]));
    assert_eq!(candidates(b"a/", b""), bytes(&["a/"]));
}

//= spec/tools.md#exec-1
#[test]
fn every_path_element_in_order_and_empty_ones_are_the_current_directory() {
    assert_eq!(
        candidates(b"true", b"/bin:/usr/bin"),
        bytes(&["/bin/true", "/usr/bin/true"])
    );
    assert_eq!(candidates(b"x", b""), bytes(&["./x"]));
    assert_eq!(candidates(b"x", b":"), bytes(&["./x", "./x"]));
    assert_eq!(
        candidates(b"x", b"/a::/b:"),
        bytes(&["/a/x", "./x", "/b/x", "./x"])
    );
    // An empty name is searched for like any other.
    assert_eq!(candidates(b"", b"/bin"), bytes(&["/bin/"]));
}

//= spec/tools.md#exec-2
#[test]
fn path_comes_from_the_first_path_entry_or_the_default() {
    let env = bytes(&["PATHX=/no", "PATH=/first", "PATH=/second"]);
    assert_eq!(search_path(&env), b"/first");
    assert_eq!(search_path(&bytes(&["HOME=/"])), DEFAULT_PATH);
    assert_eq!(search_path(&bytes(&["PATH="])), b"");
    assert_eq!(search_path(&bytes(&["PATH"])), DEFAULT_PATH);
    assert_eq!(env_get(&bytes(&["A=b=c"]), b"A"), Some(&b"b=c"[..]));
}

fn fold(errors: &[Errno]) -> (usize, Errno) {
    let mut failures = ExecFailures::new();
    for (at, &errno) in errors.iter().enumerate() {
        if let Next::Stop(e) = failures.failed(errno) {
            return (at + 1, e);
        }
    }
    (errors.len(), failures.finish())
}

//= spec/tools.md#exec-3
#[test]
fn errors_are_folded_as_0_76_folds_them() {
    use Errno as E;
    assert_eq!(fold(&[E::ENOENT, E::ENOENT]), (2, E::ENOENT));
    assert_eq!(fold(&[E::EACCES, E::ENOENT]), (2, E::EACCES));
    assert_eq!(fold(&[E::EACCES, E::EISDIR, E::ENOENT]), (3, E::EISDIR));
    assert_eq!(fold(&[E::ENOENT, E::EPERM]), (2, E::EPERM));
    assert_eq!(fold(&[E::ENOENT, E::ENOTDIR, E::ENOENT]), (2, E::ENOTDIR));
    assert_eq!(fold(&[E::EACCES, E::ENOEXEC, E::ENOENT]), (2, E::ENOEXEC));
    assert_eq!(fold(&[E::E2BIG]), (1, E::E2BIG));
    assert_eq!(fold(&[]), (0, E::ENOENT));
}

//= spec/tools.md#exec-4
#[test]
fn changes_replace_in_place_by_moving_the_last_entry() {
    // envuidgid: GID then UID, observed order on 0.76: A GID B C UID.
    let env = bytes(&["A=1", "UID=5", "B=2", "GID=7", "C=3"]);
    let out = apply_changes(&env, &[set("GID", "65534"), set("UID", "65534")]);
    assert_eq!(out, bytes(&["A=1", "GID=65534", "B=2", "C=3", "UID=65534"]));
}

//= spec/tools.md#exec-4
#[test]
fn unsets_remove_only_the_first_entry_and_odd_entries_survive() {
    let env = bytes(&["X=1", "Y", "X=2", "XY=3", "=z"]);
    assert_eq!(
        apply_changes(&env, &[unset("X")]),
        bytes(&["=z", "Y", "X=2", "XY=3"])
    );
    assert_eq!(
        apply_changes(&env, &[unset("Y")]),
        bytes(&["X=1", "Y", "X=2", "XY=3", "=z"])
    );
    assert_eq!(
        apply_changes(&env, &[unset("NOPE"), set("N", "")]),
        bytes(&["X=1", "Y", "X=2", "XY=3", "=z", "N="])
    );
    // A name holding `=` is cut at it, as 0.76 cuts it.
    assert_eq!(
        apply_changes(&bytes(&["D=1"]), &[set("D=E", "x")]),
        bytes(&["D=E=x"])
    );
    assert_eq!(
        apply_changes(&[], &[set("A", "1"), set("A", "2")]),
        bytes(&["A=2"])
    );
}

/// A straightforward restatement of 0.76's loop, to compare the fold with.
fn model(errors: &[Errno]) -> (usize, Errno) {
    let mut saved = None;
    for (at, &e) in errors.iter().enumerate() {
        if e != Errno::ENOENT {
            saved = Some(e);
            if ![Errno::EACCES, Errno::EPERM, Errno::EISDIR].contains(&e) {
                return (at + 1, e);
            }
        }
    }
    let last = errors.last().copied().unwrap_or(Errno::ENOENT);
    (errors.len(), saved.unwrap_or(last))
}

fn an_errno() -> impl Strategy<Value = Errno> {
    prop_oneof![
        4 => Just(Errno::ENOENT),
        2 => Just(Errno::EACCES),
        1 => Just(Errno::EPERM),
        1 => Just(Errno::EISDIR),
        1 => (1..140i32).prop_map(Errno),
    ]
}

proptest! {
    //= spec/tools.md#exec-3
    #[test]
    fn the_fold_agrees_with_the_model(errors in proptest::collection::vec(an_errno(), 0..8)) {
        prop_assert_eq!(fold(&errors), model(&errors));
    }

    //= spec/tools.md#exec-1
    #[test]
    fn one_candidate_per_element_each_ending_in_the_name(
        name in "[a-z.]{0,6}",
        path in "[a-z/:]{0,20}",
    ) {
        let found = candidates(name.as_bytes(), path.as_bytes());
        prop_assert_eq!(found.len(), path.split(':').count());
        for file in found {
            prop_assert!(file.ends_with(name.as_bytes()));
            prop_assert_eq!(file[file.len() - name.len() - 1], b'/');
        }
    }

    //= spec/tools.md#exec-4
    #[test]
    fn with_distinct_names_the_result_is_the_map_model(
        environ in proptest::collection::btree_map("[ABC]{1,2}", "[a-c]{0,2}", 0..8),
        changes in proptest::collection::vec(("[ABC]{1,2}", proptest::option::of("[a-c]{0,2}")), 0..6),
    ) {
        let entries: Vec<Vec<u8>> =
            environ.iter().map(|(k, v)| format!("{k}={v}").into_bytes()).collect();
        let changes: Vec<EnvChange> = changes
            .into_iter()
            .map(|(name, value)| match value {
                Some(value) => set(&name, &value),
                None => unset(&name),
            })
            .collect();
        let out = apply_changes(&entries, &changes);

        let mut model = environ.clone();
        for change in &changes {
            match change {
                EnvChange::Set { name, value } => {
                    model.insert(
                        String::from_utf8_lossy(name).into_owned(),
                        String::from_utf8_lossy(value).into_owned(),
                    );
                }
                EnvChange::Unset { name } => {
                    model.remove(&*String::from_utf8_lossy(name));
                }
            }
        }
        let mut got: Vec<Vec<u8>> = out.clone();
        got.sort();
        let mut want: Vec<Vec<u8>> =
            model.iter().map(|(k, v)| format!("{k}={v}").into_bytes()).collect();
        want.sort();
        prop_assert_eq!(got, want);

        // Applying the changes one at a time gives the same order.
        let mut stepwise = entries.clone();
        for change in &changes {
            stepwise = apply_changes(&stepwise, std::slice::from_ref(change));
        }
        prop_assert_eq!(stepwise, out);
    }
}
