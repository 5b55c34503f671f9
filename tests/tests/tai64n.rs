//! tai64n, ours against Debian's 0.76: the same input must give the same
//! output once labels are normalised, and every label must be well formed,
//! non-decreasing and close to the test's own clock.

use std::time::Duration;

use dt_tests::tai64;
use dt_tests::{Condition, Normaliser, Outcome, Pair, Scenario, Status};

/// Labels may be this far outside the test's clock readings taken before the
/// program started and after it ended (a check of the value, not of timing:
/// the clocks are the same, the slack only absorbs rounding and clock steps).
const SLACK: Duration = Duration::from_secs(5);

fn tai64n() -> Scenario {
    Scenario::new("tai64n").normalise(Normaliser::tai64n_labels())
}

/// What tai64n's output must look like once labels are normalised: every
/// line (the last one possibly without newline) behind `@<label> `.
fn labelled(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in input.split_inclusive(|&b| b == b'\n') {
        out.extend_from_slice(b"@<label> ");
        out.extend_from_slice(line);
    }
    out
}

/// Every line of `outcome`'s stdout starts with a valid label followed by a
/// space; the labels never decrease and lie between the test's clock
/// readings (with [`SLACK`]). Returns the number of lines.
fn assert_labels_sane(outcome: &Outcome) -> usize {
    let side = outcome.side.name();
    let (start_s, start_ns) = tai64::unix(outcome.started - SLACK);
    let (end_s, end_ns) = tai64::unix(outcome.finished + SLACK);
    let mut previous = (start_s, start_ns);
    let mut count = 0;
    for line in outcome.stdout.split_inclusive(|&b| b == b'\n') {
        let shown = String::from_utf8_lossy(&line[..line.len().min(40)]);
        let Some(moment) = tai64::parse(line) else {
            panic!("{side}: line without a valid label: {shown:?}");
        };
        assert_eq!(
            line.get(25),
            Some(&b' '),
            "{side}: no space after the label: {shown:?}"
        );
        assert!(
            moment >= previous,
            "{side}: label {moment:?} is before {previous:?} (the previous line or the start)"
        );
        assert!(
            moment <= (end_s, end_ns),
            "{side}: label {moment:?} is after the end of the run {:?}",
            (end_s, end_ns)
        );
        previous = moment;
        count += 1;
    }
    count
}

/// Both sides behave the same, exit 0, and produce `labelled(input)`, with
/// sane labels.
fn assert_labels_input(pair: &Pair, input: &[u8]) {
    pair.assert_same();
    let (reference, ours) = pair.normalised();
    assert_eq!(ours.status, Status::Exited(0));
    assert!(ours.stderr.is_empty());
    assert!(
        ours.stdout == labelled(input),
        "both sides agree but not with the expected output\n{}",
        pair.report(&reference, &ours)
    );
    let lines = input.split_inclusive(|&b| b == b'\n').count();
    for outcome in pair.sides() {
        assert_eq!(assert_labels_sane(outcome), lines);
    }
}

#[test]
fn empty_input_gives_empty_output_and_exit_0() {
    //= spec/tai64n.md#tai64n-3
    let pair = tai64n().run_both();
    pair.assert_same();
    assert_eq!(pair.ours.status, Status::Exited(0));
    assert!(pair.ours.stdout.is_empty() && pair.ours.stderr.is_empty());
}

#[test]
fn stdin_at_end_of_file_from_the_start() {
    //= spec/tai64n.md#tai64n-3
    let pair = tai64n().stdin_null().run_both();
    pair.assert_same();
    assert_eq!(pair.ours.status, Status::Exited(0));
    assert!(pair.ours.stdout.is_empty());
}

#[test]
fn one_line() {
    //= spec/tai64n.md#tai64n-1
    let input = b"hello world\n";
    assert_labels_input(&tai64n().stdin(input).run_both(), input);
}

#[test]
fn many_lines() {
    //= spec/tai64n.md#tai64n-1
    let input: Vec<u8> = (0..5000)
        .flat_map(|i| format!("line {i} of a log with some text\n").into_bytes())
        .collect();
    assert_labels_input(&tai64n().stdin(&input).run_both(), &input);
}

#[test]
fn empty_lines_are_lines() {
    //= spec/tai64n.md#tai64n-1
    let input = b"\n\na\n\n\nb\n\n";
    assert_labels_input(&tai64n().stdin(input).run_both(), input);
}

#[test]
fn final_line_without_newline_is_kept_without_one() {
    //= spec/tai64n.md#tai64n-2
    for input in [&b"a\n\nb"[..], b"x", b"\n\nlast words"] {
        assert_labels_input(&tai64n().stdin(input).run_both(), input);
    }
}

#[test]
fn binary_bytes_pass_through() {
    //= spec/tai64n.md#tai64n-4
    let mut input: Vec<u8> = (0..=255u8).collect();
    input.extend_from_slice(b"\0\0\n\x80\xff\xfe\r\n\0");
    input.extend((0..=255u8).rev());
    input.push(b'\n');
    assert_labels_input(&tai64n().stdin(&input).run_both(), &input);
}

#[test]
fn a_100_kb_line_passes_through() {
    //= spec/tai64n.md#tai64n-4
    let mut input: Vec<u8> = (0..100_000u32)
        .map(|i| b"abcdefghij"[i as usize % 10])
        .collect();
    input.extend_from_slice(b"\nshort\n");
    input.extend((0..100_000u32).map(|i| b"0123456789"[i as usize % 10]));
    assert_labels_input(&tai64n().stdin(&input).run_both(), &input);
}

#[test]
fn input_in_several_writes() {
    //= spec/tai64n.md#tai64n-1
    //= spec/tai64n.md#tai64n-2
    // Each write waits until the output of the previous one is out, so the
    // program sees them as separate reads: a line split across reads gets one
    // label, taken when its first byte arrived.
    let pair = tai64n()
        .stdin(b"one\n")
        .wait_for(Condition::stdout_contains(b"one\n"))
        .stdin(b"tw")
        .wait_for(Condition::stdout_contains(b" tw"))
        .stdin(b"o\nthr")
        .wait_for(Condition::stdout_contains(b" thr"))
        .stdin(b"ee")
        .wait_for(Condition::stdout_contains(b"three"))
        .stdin(b"\n\nfour")
        .run_both();
    assert_labels_input(&pair, b"one\ntwo\nthree\n\nfour");
    for outcome in pair.sides() {
        assert_eq!(outcome.interrupted, None, "{}", outcome.side.name());
    }
}

#[test]
fn write_error_exits_111_silently() {
    //= spec/tai64n.md#tai64n-3
    let pair = tai64n()
        .stdout_to("/dev/full")
        .stdin(b"a line\n")
        .run_both();
    pair.assert_same();
    for outcome in pair.sides() {
        assert_eq!(
            outcome.status,
            Status::Exited(111),
            "{}",
            outcome.side.name()
        );
        assert!(outcome.stderr.is_empty(), "{}", outcome.side.name());
    }
}

#[test]
fn read_error_exits_111_silently() {
    //= spec/tai64n.md#tai64n-3
    // Reading a directory fails with EISDIR.
    let pair = tai64n().stdin_from("/").run_both();
    pair.assert_same();
    for outcome in pair.sides() {
        assert_eq!(
            outcome.status,
            Status::Exited(111),
            "{}",
            outcome.side.name()
        );
        assert!(outcome.stdout.is_empty() && outcome.stderr.is_empty());
    }
}
