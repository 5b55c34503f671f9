use super::*;
use proptest::prelude::*;

fn v(s: &[u8]) -> Option<Vec<u8>> {
    value_of(s)
}

//= spec/tools.md#envdir-4
#[test]
fn values_as_observed_on_0_76() {
    assert_eq!(v(b""), None);
    assert_eq!(v(b"\n"), Some(b"".to_vec()));
    assert_eq!(v(b"  "), Some(b"".to_vec()));
    assert_eq!(v(b" val \t \nsecond"), Some(b" val".to_vec()));
    assert_eq!(v(b"a\0b\n"), Some(b"a\nb".to_vec()));
    assert_eq!(v(b"v\0w  \nmore"), Some(b"v\nw".to_vec()));
    assert_eq!(v(b"no newline"), Some(b"no newline".to_vec()));
    // Only spaces and tabs are trimmed, and only at the end.
    assert_eq!(v(b"\tx\r \n"), Some(b"\tx\r".to_vec()));
    // A NUL at the end is not a blank: it becomes a newline and stays.
    assert_eq!(v(b"x \0 \n"), Some(b"x \n".to_vec()));
}

//= spec/tools.md#envdir-3
//= spec/deviations.md#dev-3
#[test]
fn dot_names_are_skipped_and_names_with_equals_refused() {
    assert_eq!(classify(b".hidden"), Entry::Skip);
    assert_eq!(classify(b".a=b"), Entry::Skip);
    assert_eq!(classify(b"PATH"), Entry::Read);
    assert_eq!(classify(b"a.b"), Entry::Read);
    assert_eq!(classify(b"D=E"), Entry::Refuse(NameError::ContainsEquals));
    assert_eq!(classify(b"="), Entry::Refuse(NameError::ContainsEquals));
}

//= spec/tools.md#envdir-4
//= spec/deviations.md#dev-4
#[test]
fn empty_and_vanished_files_unset() {
    assert_eq!(
        change(b"A", None),
        EnvChange::Unset {
            name: b"A".to_vec()
        }
    );
    assert_eq!(
        change(b"A", Some(Vec::new())),
        EnvChange::Set {
            name: b"A".to_vec(),
            value: Vec::new()
        }
    );
}

//= spec/tools.md#envdir-4
#[test]
fn reading_stops_at_the_first_newline() {
    let mut first = FirstLine::new();
    assert_eq!(first.push(b"ab"), Progress::More);
    assert_eq!(first.push(b""), Progress::More);
    assert_eq!(first.push(b"c\nd"), Progress::Done);
    assert_eq!(first.push(b"e"), Progress::Done);
    assert_eq!(first.finish(), Some(b"abc".to_vec()));
}

//= spec/deviations.md#dev-5
#[test]
fn a_first_line_over_the_limit_is_too_long() {
    let mut first = FirstLine::new();
    assert_eq!(first.push(&vec![b'x'; MAX_LINE]), Progress::More);
    assert_eq!(first.push(b"\n"), Progress::Done);
    let mut first = FirstLine::new();
    assert_eq!(first.push(&vec![b'x'; MAX_LINE]), Progress::More);
    assert_eq!(first.push(b"x"), Progress::TooLong);
}

proptest! {
    //= spec/tools.md#envdir-4
    #[test]
    fn chunks_give_the_value_of_the_whole(
        contents in proptest::collection::vec(prop_oneof![
            Just(b'\n'), Just(b' '), Just(b'\t'), Just(0u8), any::<u8>()
        ], 0..40),
        cuts in proptest::collection::vec(0usize..40, 0..5),
    ) {
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(contents.len())).collect();
        cuts.sort_unstable();
        let mut first = FirstLine::new();
        let mut start = 0;
        for cut in cuts.into_iter().chain([contents.len()]) {
            let _ = first.push(&contents[start..cut]);
            start = cut;
        }
        prop_assert_eq!(first.finish(), value_of(&contents));
    }

    //= spec/tools.md#envdir-4
    #[test]
    fn values_have_no_trailing_blank_and_no_nul(contents in proptest::collection::vec(any::<u8>(), 0..40)) {
        match value_of(&contents) {
            None => prop_assert!(contents.is_empty()),
            Some(value) => {
                prop_assert!(!value.contains(&0));
                prop_assert!(!matches!(value.last(), Some(b' ' | b'\t')));
                let line_end = contents.iter().position(|&b| b == b'\n').unwrap_or(contents.len());
                prop_assert!(value.len() <= line_end);
                // Apart from NUL → newline, the value is a prefix of the line.
                for (i, &b) in value.iter().enumerate() {
                    let original = contents[i];
                    prop_assert!(b == original || (original == 0 && b == b'\n'));
                }
            }
        }
    }

    //= spec/tools.md#envdir-3
    #[test]
    fn classify_never_reads_a_name_with_equals(name in proptest::collection::vec(any::<u8>(), 1..10)) {
        let entry = classify(&name);
        if name[0] == b'.' {
            prop_assert_eq!(entry, Entry::Skip);
        } else if name.contains(&b'=') {
            prop_assert_eq!(entry, Entry::Refuse(NameError::ContainsEquals));
        } else {
            prop_assert_eq!(entry, Entry::Read);
        }
    }
}
