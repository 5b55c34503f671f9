//! TAI64N labels, written independently of the code under test: building
//! input labels from Unix time and reading the labels a program printed.

use std::time::{SystemTime, UNIX_EPOCH};

/// daemontools' TAI64 value of the Unix epoch: 2^62 + 10 (no leap seconds).
pub const UNIX_EPOCH_TAI: u64 = (1 << 62) + 10;

/// The label `@` + 24 lowercase hex digits of Unix time `secs` + `nanos`.
pub fn label(unix_secs: i64, nanos: u32) -> String {
    format!(
        "@{:016x}{nanos:08x}",
        UNIX_EPOCH_TAI.wrapping_add_signed(unix_secs)
    )
}

/// A label's moment as (Unix seconds, nanoseconds), if `text` starts with a
/// well-formed label (`@`, 24 lowercase hex digits, nanoseconds < 10^9).
pub fn parse(text: &[u8]) -> Option<(i64, u32)> {
    let digits = text.get(1..25)?;
    if text[0] != b'@'
        || !digits
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    {
        return None;
    }
    let digits = std::str::from_utf8(digits).ok()?;
    let tai = u64::from_str_radix(&digits[..16], 16).ok()?;
    let nanos = u32::from_str_radix(&digits[16..], 16).ok()?;
    let secs = i64::try_from(tai.checked_sub(UNIX_EPOCH_TAI)?).ok()?;
    (nanos < 1_000_000_000).then_some((secs, nanos))
}

/// `time` as (Unix seconds, nanoseconds).
pub fn unix(time: SystemTime) -> (i64, u32) {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    (
        i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        since.subsec_nanos(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_round_trip() {
        assert_eq!(label(0, 0), "@400000000000000a00000000");
        assert_eq!(label(-10, 0), "@400000000000000000000000");
        assert_eq!(
            label(1_764_007_367, 774_399_500),
            "@4000000069249dd12e28660c"
        );
        assert_eq!(
            parse(b"@4000000069249dd12e28660c x"),
            Some((1_764_007_367, 774_399_500))
        );
        assert_eq!(parse(b"@4000000069249DD12E28660C"), None);
        assert_eq!(parse(b"@4000000069249dd1ffffffff"), None);
    }
}
