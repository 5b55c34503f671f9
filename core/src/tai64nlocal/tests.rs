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

/// Year, month and day of `days` since 1970-01-01, counted the slow way:
/// whole years, then whole months.
fn naive_date(mut days: i64) -> (i64, u8, u8) {
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let year_len = |y: i64| if leap(y) { 366 } else { 365 };
    let mut year = 1970;
    while days < 0 {
        year -= 1;
        days += year_len(year);
    }
    while days >= year_len(year) {
        days -= year_len(year);
        year += 1;
    }
    let months = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while days >= months[month] {
        days -= months[month];
        month += 1;
    }
    (year, month as u8 + 1, days as u8 + 1)
}

proptest! {
    #[test]
    fn civil_arithmetic_agrees_with_counting_days(seconds in -400_000_000_000i64..400_000_000_000) {
        let civil = civil_from_seconds(seconds).expect("in range");
        let (year, month, day) = naive_date(seconds.div_euclid(86_400));
        prop_assert_eq!(
            (i64::from(civil.years_since_1900) + 1900, civil.month, civil.day),
            (year, month, day)
        );
        let of_day = seconds.rem_euclid(86_400);
        prop_assert_eq!(
            (civil.hour, civil.minute, civil.second),
            ((of_day / 3600) as u8, (of_day / 60 % 60) as u8, (of_day % 60) as u8)
        );
    }
}

#[test]
fn civil_arithmetic_at_era_and_century_edges() {
    // Around 1600-03-01, 2000-02-29/03-01, 2100-02-28/03-01 and 1900.
    for day in [
        -135_080i64,
        -135_081,
        11_016,
        11_017,
        11_015,
        47_540,
        47_541,
        -25_509,
        -25_510,
    ] {
        for second in [0, 86_399] {
            let s = day * 86_400 + second;
            let civil = civil_from_seconds(s).expect("in range");
            let (year, month, d) = naive_date(day);
            assert_eq!(
                (
                    i64::from(civil.years_since_1900) + 1900,
                    civil.month,
                    civil.day
                ),
                (year, month, d),
                "day {day}"
            );
        }
    }
}

#[test]
fn each_second_gets_its_own_text() {
    // Consecutive labels of different seconds through one filter: the
    // remembered text of one second is never reused for another.
    let out = convert(&[
        b"@400000000000000a00000000 a\n@400000000000000b00000000 b\n@400000000000000a00000000 c\n",
    ]);
    assert_eq!(
        out,
        "1970-01-01 00:00:00.000000000 a\n1970-01-01 00:00:01.000000000 b\n1970-01-01 00:00:00.000000000 c\n"
    );
}
