use super::*;
use proptest::prelude::*;

/// UTC: local time with a zero offset.
struct Utc;

impl LocalZone for Utc {
    fn civil(&mut self, unix: i64) -> Option<CivilTime> {
        civil_from_seconds(unix)
    }
}

fn convert(chunks: &[&[u8]]) -> String {
    let mut filter = LocalFilter::new();
    let mut out = Vec::new();
    for chunk in chunks {
        filter.feed(chunk, &mut Utc, &mut out);
    }
    filter.finish(&mut Utc, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

//= spec/tai64n.md#tai64nlocal-1
//= spec/tai64n.md#tai64nlocal-2
#[test]
fn lines_observed_on_0_76_in_utc() {
    let cases: [(&[u8], &str); 5] = [
        (
            b"@4000000069249dd12e28660c hello\n",
            "2025-11-24 18:02:47.774399500 hello\n",
        ),
        (
            b"@400000006b059e133551ae5c.s\n",
            "2026-11-24 14:24:09.894545500.s\n",
        ),
        (
            b"@40000000000000000000000a\n",
            "1969-12-31 23:59:50.000000010\n",
        ),
        (
            b"@3fffffffffffffff00000000\n",
            "1969-12-31 23:59:49.000000000\n",
        ),
        (
            b"@4000000069249dd1ffffffff x\n",
            "2025-11-24 18:02:47.4294967295 x\n",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(convert(&[input]), expected);
    }
}

//= spec/tai64n.md#tai64nlocal-1
#[test]
fn only_a_label_at_line_start_in_lowercase_is_converted() {
    assert_eq!(
        convert(&[b"x@4000000069249dd12e28660c\n"]),
        "x@4000000069249dd12e28660c\n"
    );
    assert_eq!(
        convert(&[b"@4000000069249dd12e28660cA\n"]),
        "2025-11-24 18:02:47.774399500A\n"
    );
    assert_eq!(convert(&[b"plain\n\nlines"]), "plain\n\nlines");
}

//= spec/tai64n.md#tai64nlocal-3
//= spec/deviations.md#dev-1
#[test]
fn labels_0_76_crashes_on_pass_through_unchanged() {
    for line in [
        "@zz\n",
        "@\n",
        "@4 x\n",
        "@400000006924 x\n",
        "@ffffffffffffffffffffffff\n",
    ] {
        assert_eq!(convert(&[line.as_bytes()]), line);
    }
}

//= spec/tai64n.md#tai64nlocal-4
//= spec/deviations.md#dev-2
#[test]
fn a_label_cut_by_end_of_input_is_still_written() {
    assert_eq!(
        convert(&[b"@4000000069249dd12e28660c"]),
        "2025-11-24 18:02:47.774399500"
    );
    assert_eq!(convert(&[b"ab\n@"]), "ab\n@");
}

//= spec/tai64n.md#tai64nlocal-2
#[test]
fn years_are_printed_as_c_prints_them() {
    let mut out = Vec::new();
    let civil = CivilTime {
        years_since_1900: -1901,
        month: 1,
        day: 2,
        hour: 3,
        minute: 4,
        second: 5,
    };
    format_civil(&civil, 7, &mut out);
    assert_eq!(out, b"18446744073709551615-01-02 03:04:05.000000007");
}

proptest! {
    //= spec/tai64n.md#tai64nlocal-1
    #[test]
    fn chunking_never_changes_the_output(
        lines in proptest::collection::vec("(@[0-9a-f]{0,26})?[ -~]{0,8}", 0..8),
        cut in 0usize..400,
    ) {
        let input = lines.join("\n").into_bytes();
        let cut = cut % (input.len() + 1);
        prop_assert_eq!(convert(&[&input[..cut], &input[cut..]]), convert(&[&input]));
    }

    //= spec/tai64n.md#tai64nlocal-1
    #[test]
    fn lines_without_a_leading_at_are_copied(input in "[^@\n][^\n]*(\n[^@\n][^\n]*)*") {
        prop_assert_eq!(convert(&[input.as_bytes()]), input);
    }

    #[test]
    fn never_panics(input: Vec<u8>) {
        let _ = convert(&[&input]);
    }
}

#[test]
fn civil_arithmetic_knows_the_calendar() {
    let at = |secs| civil_from_seconds(secs).expect("in range");
    let leap_day = at(951_782_400); // 2000-02-29 00:00:00
    assert_eq!(
        (leap_day.years_since_1900, leap_day.month, leap_day.day),
        (100, 2, 29)
    );
    let before_epoch = at(-1);
    assert_eq!(
        (
            before_epoch.years_since_1900,
            before_epoch.month,
            before_epoch.day,
            before_epoch.second
        ),
        (69, 12, 31, 59)
    );
    assert_eq!(civil_from_seconds(i64::MAX), None);
}
