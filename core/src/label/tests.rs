use super::*;
use proptest::prelude::*;

//= spec/tai64.md#tai-1
#[test]
fn unix_zero_renders_as_daemontools_does() {
    assert_eq!(&encode(&from_unix(0, 0)), b"@400000000000000a00000000");
}

//= spec/tai64.md#tai-1
#[test]
fn negative_unix_time_is_below_the_epoch_label() {
    assert_eq!(&encode(&from_unix(-11, 0)), b"@3fffffffffffffff00000000");
}

//= spec/tai64.md#tai-2
#[test]
fn microsecond_stamps_end_in_500_nanoseconds() {
    let stamp = from_unix_micros(1_764_007_367, 774_399);
    assert_eq!(stamp.1, 774_399_500);
    assert_eq!(&encode(&stamp), b"@4000000069249dd12e28660c");
}

//= spec/tai64.md#tai-1
#[test]
fn the_crate_clock_offset_is_not_ours() {
    // tai64's UNIX_EPOCH (and so its now() and from_system_time()) is 27 s
    // away from daemontools' labels; its from_unix agrees with ours, but
    // overflows where ours wraps as daemontools' arithmetic does.
    assert_eq!(tai64::Tai64::UNIX_EPOCH.0 - from_unix(0, 0).0 .0, 27);
    assert_eq!(
        tai64::Tai64::from_unix(1_764_007_367),
        from_unix(1_764_007_367, 0).0
    );
    assert_eq!(
        from_unix(i64::MAX, 0).0 .0,
        UNIX_EPOCH_TAI.wrapping_add(i64::MAX as u64)
    );
}

//= spec/tai64.md#tai-4
#[test]
fn parse_rejects_what_is_not_a_label() {
    assert_eq!(parse(b"@4000000069249dd12e28660"), Err(LabelError::Length));
    assert_eq!(
        parse(b"#4000000069249dd12e28660c"),
        Err(LabelError::MissingAt)
    );
    assert_eq!(
        parse(b"@4000000069249DD12e28660c"),
        Err(LabelError::NotHex(14))
    );
    assert_eq!(
        parse(b"@4000000069249dd12e28660 "),
        Err(LabelError::NotHex(24))
    );
}

//= spec/tai64.md#tai-4
#[test]
fn parse_keeps_out_of_range_nanoseconds() {
    let stamp = parse(b"@4000000069249dd1ffffffff").expect("a label");
    assert_eq!(stamp.1, u32::MAX);
}

proptest! {
    //= spec/tai64.md#tai-3
    //= spec/tai64.md#tai-4
    #[test]
    fn parse_inverts_encode(secs: u64, nanos: u32) {
        let stamp = Tai64N(Tai64(secs), nanos);
        prop_assert_eq!(parse(&encode(&stamp)), Ok(stamp));
    }

    //= spec/tai64.md#tai-3
    #[test]
    fn encode_inverts_parse(text in "@[0-9a-f]{24}") {
        let stamp = parse(text.as_bytes()).expect("generated labels are valid");
        prop_assert_eq!(&encode(&stamp)[..], text.as_bytes());
    }

    //= spec/tai64.md#tai-1
    #[test]
    fn unix_seconds_round_trip(secs: i64) {
        prop_assert_eq!(unix_secs(from_unix(secs, 0).0), secs);
    }

    #[test]
    fn parse_never_panics(bytes: Vec<u8>) {
        let _ = parse(&bytes);
    }
}
