//! tai64nlocal, ours against Debian's 0.76. Where 0.76 crashes or drops
//! input, the deviation is asserted explicitly: what 0.76 does and what ours
//! does instead (spec/deviations.md).

use dt_tests::tai64::label;
use dt_tests::{Condition, Deviation, Expect, Pair, Scenario, Signal, Status};

/// Zones to run every conversion under: plain UTC, two named zones (one with
/// daylight saving, one with a half-hour offset) and a POSIX rule string.
const ZONES: [&str; 4] = ["UTC", "America/New_York", "Asia/Kolkata", "EST5EDT"];

/// A label seen in a real log (spec §9), converted in each of [`ZONES`].
const REAL: &str = "@4000000069249dd12e28660c";
const REAL_CONVERTED: [&str; 4] = [
    "2025-11-24 18:02:47.774399500",
    "2025-11-24 13:02:47.774399500",
    "2025-11-24 23:32:47.774399500",
    "2025-11-24 13:02:47.774399500",
];

fn tai64nlocal(zone: &str) -> Scenario {
    Scenario::new("tai64nlocal").env("TZ", zone)
}

/// Both sides agree, exit 0 silently, and print `expected`.
fn assert_output(pair: &Pair, expected: &[u8]) {
    pair.assert_same();
    let (reference, ours) = pair.normalised();
    assert!(
        ours.status == Status::Exited(0) && ours.stderr.is_empty() && ours.stdout == expected,
        "both sides agree, but not with the expected output {:?}\n{}",
        String::from_utf8_lossy(expected),
        pair.report(&reference, &ours)
    );
}

/// DEV-1: 0.76 dies with SIGSEGV having written `reference_stdout`; ours
/// copies the input through and exits 0.
fn assert_crash_deviation(pair: &Pair, reference_stdout: &[u8], ours_stdout: &[u8]) {
    pair.assert_deviation(Deviation::new(
        "DEV-1",
        "0.76 uses the null result of localtime() and crashes",
        Expect::killed_by(Signal::SIGSEGV).stdout(reference_stdout),
        Expect::exit(0).stdout(ours_stdout),
    ));
}

#[test]
fn empty_input_and_empty_lines() {
    //= spec/tai64n.md#tai64nlocal-5
    assert_output(&tai64nlocal("UTC").run_both(), b"");
    //= spec/tai64n.md#tai64nlocal-1
    assert_output(&tai64nlocal("UTC").stdin(b"\n\n\n").run_both(), b"\n\n\n");
}

#[test]
fn lines_without_a_label_at_the_start_are_copied() {
    //= spec/tai64n.md#tai64nlocal-1
    let input =
        format!("plain line\nx{REAL} mid-line\n {REAL} after a space\n\tno\nno@label@\nlast\n");
    for zone in ZONES {
        assert_output(
            &tai64nlocal(zone).stdin(input.as_bytes()).run_both(),
            input.as_bytes(),
        );
    }
}

#[test]
fn a_real_label_in_each_zone() {
    //= spec/tai64n.md#tai64nlocal-2
    for (zone, converted) in ZONES.iter().zip(REAL_CONVERTED) {
        let input = format!("{REAL} hello\n{REAL}\n{REAL}x\n");
        let expected = format!("{converted} hello\n{converted}\n{converted}x\n");
        assert_output(
            &tai64nlocal(zone).stdin(input.as_bytes()).run_both(),
            expected.as_bytes(),
        );
    }
}

#[test]
fn a_multilog_file_name() {
    //= spec/tai64n.md#tai64nlocal-2
    let input = b"@400000006b059e133551ae5c.s\n";
    assert_output(
        &tai64nlocal("UTC").stdin(input).run_both(),
        b"2026-11-24 14:24:09.894545500.s\n",
    );
}

#[test]
fn labels_across_zones_and_eras() {
    //= spec/tai64n.md#tai64nlocal-2
    // Unix times around the epoch, both 2025 daylight-saving changes in New
    // York, 2038, a 5-digit year, year 0 and the largest and smallest times
    // glibc's localtime converts (their years overflow int: 0.76 prints
    // them as unsigned long, and so must we).
    let times: [i64; 14] = [
        0,
        -1,
        -10,
        1_741_503_599, // 2025-03-09 06:59:59 UTC, 01:59:59 EST
        1_741_503_600, // 03:00:00 EDT
        1_762_063_199, // 2025-11-02 05:59:59 UTC, 01:59:59 EDT
        1_762_063_200, // 01:00:00 EST
        2_147_483_647,
        2_147_483_648,
        253_402_300_800,
        -62_167_219_200,
        1_000_000_000,
        67_768_036_191_676_799 - 86_400,
        -67_768_040_609_740_800 + 86_400,
    ];
    let nanos = [0, 1, 500, 999_999_999, 123_456_789];
    let mut input = String::new();
    for (i, t) in times.iter().enumerate() {
        input.push_str(&format!("{} line {i}\n", label(*t, nanos[i % nanos.len()])));
    }
    for zone in ZONES {
        let pair = tai64nlocal(zone).stdin(input.as_bytes()).run_both();
        pair.assert_same();
        assert_eq!(pair.ours.status, Status::Exited(0), "{zone}");
        assert!(
            !pair.ours.stdout.contains(&b'@'),
            "{zone}: every label converted"
        );
    }
    let utc = tai64nlocal("UTC").stdin(input.as_bytes()).run_both();
    let first = utc
        .ours
        .stdout
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or_default();
    assert_eq!(first, b"1970-01-01 00:00:00.000000000 line 0");
}

#[test]
fn zone_from_etc_localtime_when_tz_is_unset() {
    //= spec/tai64n.md#tai64nlocal-2
    let input = format!("{REAL} hello\n");
    let pair = Scenario::new("tai64nlocal")
        .stdin(input.as_bytes())
        .run_both();
    pair.assert_same();
    assert_eq!(pair.ours.status, Status::Exited(0));
}

#[test]
fn nanoseconds_field_over_a_billion_is_printed_as_is() {
    //= spec/tai64n.md#tai64nlocal-2
    assert_output(
        &tai64nlocal("UTC")
            .stdin(b"@4000000069249dd1ffffffff nanos\n")
            .run_both(),
        b"2025-11-24 18:02:47.4294967295 nanos\n",
    );
}

#[test]
fn more_than_24_digits_are_read_modulo_2_64() {
    //= spec/tai64n.md#tai64nlocal-1
    assert_output(
        &tai64nlocal("UTC")
            .stdin(b"@00000000400000000000000a00000000 long\n")
            .run_both(),
        b"1970-01-01 00:00:00.000000000 long\n",
    );
}

#[test]
fn binary_bytes_and_a_100_kb_line_pass_through() {
    //= spec/tai64n.md#tai64nlocal-1
    let mut input: Vec<u8> = (0..=255u8).filter(|&b| b != b'@').collect();
    input.extend_from_slice(b"\n\0\x80\xff\n");
    input.extend_from_slice(REAL.as_bytes());
    input.extend_from_slice(b"\0\xff\xfe\n");
    let long: Vec<u8> = (0..100_000u32)
        .map(|i| b"abcdef012@"[i as usize % 10])
        .collect();
    input.extend_from_slice(&long);
    input.push(b'\n');
    input.extend_from_slice(REAL.as_bytes());
    input.push(b' ');
    input.extend_from_slice(&long);
    input.extend_from_slice(b"\nend");
    let pair = tai64nlocal("UTC").stdin(&input).run_both();
    let converted = input
        .split_inclusive(|&b| b == b'\n')
        .flat_map(|line| match line.strip_prefix(REAL.as_bytes()) {
            Some(rest) => [REAL_CONVERTED[0].as_bytes(), rest].concat(),
            None => line.to_vec(),
        })
        .collect::<Vec<u8>>();
    assert_output(&pair, &converted);
}

#[test]
fn final_line_without_newline() {
    //= spec/tai64n.md#tai64nlocal-2
    let input = format!("{REAL} a\n{REAL} b");
    let expected = format!("{0} a\n{0} b", REAL_CONVERTED[0]);
    assert_output(
        &tai64nlocal("UTC").stdin(input.as_bytes()).run_both(),
        expected.as_bytes(),
    );
}

#[test]
fn input_in_several_writes() {
    //= spec/tai64n.md#tai64nlocal-1
    //= spec/tai64n.md#tai64nlocal-2
    let converted = REAL_CONVERTED[0];
    let pair = tai64nlocal("UTC")
        .stdin(b"first\n")
        .wait_for(Condition::stdout_contains(b"first\n"))
        .stdin(format!("{REAL} par").as_bytes())
        .wait_for(Condition::stdout_contains(b" par"))
        .stdin(b"tial\n@40000000")
        .wait_for(Condition::stdout_contains(b"tial\n"))
        // No output shows that the program has read the half label; if both
        // halves arrive in one read the result must be the same.
        .stdin(b"69249dd12e28660c second half\n")
        .wait_for(Condition::stdout_contains(b"second half\n"))
        .stdin(b"no newline")
        .run_both();
    let expected = format!("first\n{converted} partial\n{converted} second half\nno newline");
    assert_output(&pair, expected.as_bytes());
}

#[test]
fn unconvertible_labels_crash_the_reference_and_pass_through_ours() {
    //= spec/tai64n.md#tai64nlocal-3
    let cases = [
        "@4000000069249dd12e28660 twenty-three digits",
        "@4000000069249dd12e28660c0 twenty-five digits",
        "@4000000069249DD12E28660C uppercase",
        "@",
        "@ space",
        "@zz",
        "@ffffffffffffffffffffffff",
        "@4 x",
    ];
    for zone in ZONES {
        for case in cases {
            let line = format!("{case}\n");
            let pair = tai64nlocal(zone).stdin(line.as_bytes()).run_both();
            assert_crash_deviation(&pair, b"", line.as_bytes());
        }
    }
}

#[test]
fn the_edges_of_localtime() {
    //= spec/tai64n.md#tai64nlocal-2
    //= spec/tai64n.md#tai64nlocal-3
    // The last second glibc converts in UTC, and the one after it.
    let last = 67_768_036_191_676_799;
    let ok = tai64nlocal("UTC")
        .stdin(format!("{} x\n", label(last, 0)).as_bytes())
        .run_both();
    assert_output(&ok, b"18446744071562069867-12-31 23:59:59.000000000 x\n");
    let line = format!("{} x\n", label(last + 1, 0));
    let pair = tai64nlocal("UTC").stdin(line.as_bytes()).run_both();
    assert_crash_deviation(&pair, b"", line.as_bytes());
    // The first second converted everywhere, and the one before it.
    let first = -67_768_040_609_740_800;
    let line = format!("{} x\n", label(first - 1, 0));
    let pair = tai64nlocal("UTC").stdin(line.as_bytes()).run_both();
    assert_crash_deviation(&pair, b"", line.as_bytes());
}

#[test]
fn a_crash_loses_the_rest_of_the_reference_output() {
    //= spec/tai64n.md#tai64nlocal-3
    // What was flushed before the bad line survives the crash; everything
    // after it is lost by 0.76 and kept by ours.
    let converted = REAL_CONVERTED[0];
    let pair = tai64nlocal("UTC")
        .stdin(format!("{REAL} good\n").as_bytes())
        .wait_for(Condition::stdout_lines(1))
        .stdin(format!("@zz bad\n{REAL} lost\nplain\n").as_bytes())
        .run_both();
    let before = format!("{converted} good\n");
    let all = format!("{before}@zz bad\n{converted} lost\nplain\n");
    assert_crash_deviation(&pair, before.as_bytes(), all.as_bytes());
    // Within one read, even the lines before the bad one are lost.
    let pair = tai64nlocal("UTC")
        .stdin(format!("{REAL} good\n@\nplain\n").as_bytes())
        .run_both();
    let all = format!("{converted} good\n@\nplain\n");
    assert_crash_deviation(&pair, b"", all.as_bytes());
}

#[test]
fn a_label_cut_off_by_end_of_input_is_converted() {
    //= spec/tai64n.md#tai64nlocal-4
    let converted = REAL_CONVERTED[0];
    let cases = [
        (REAL.to_owned(), String::new(), converted.to_owned()),
        (
            format!("a\n{REAL}"),
            "a\n".to_owned(),
            format!("a\n{converted}"),
        ),
        // Cut off and unconvertible: 0.76 still drops it without crashing
        // (end of input comes before localtime); ours copies it.
        ("@".to_owned(), String::new(), "@".to_owned()),
        ("b\n@4".to_owned(), "b\n".to_owned(), "b\n@4".to_owned()),
        (
            "@ffffffffffffffffffffffff".to_owned(),
            String::new(),
            "@ffffffffffffffffffffffff".to_owned(),
        ),
    ];
    for (input, reference, ours) in cases {
        let pair = tai64nlocal("UTC").stdin(input.as_bytes()).run_both();
        pair.assert_deviation(Deviation::new(
            "DEV-2",
            "0.76 drops a label that ends its input",
            Expect::exit(0).stdout(reference.as_bytes()),
            Expect::exit(0).stdout(ours.as_bytes()),
        ));
    }
}

#[test]
fn write_error_exits_111_silently() {
    //= spec/tai64n.md#tai64nlocal-5
    let input = format!("{REAL} a\nplain\n");
    let pair = tai64nlocal("UTC")
        .stdout_to("/dev/full")
        .stdin(input.as_bytes())
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
    //= spec/tai64n.md#tai64nlocal-5
    let pair = tai64nlocal("UTC").stdin_from("/").run_both();
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
