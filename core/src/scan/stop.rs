//! The opt-in stop mode's setting (SCAN-9), read from `SVSCAN_STOP`.

/// The environment variable that turns the stop mode on.
pub const STOP_VARIABLE: &str = "SVSCAN_STOP";

/// How long a stopping svscan waits when `SVSCAN_STOP` is set but empty.
pub const DEFAULT_GRACE_SECS: u64 = 10;

/// The grace period `SVSCAN_STOP=value` asks for: empty means the default,
/// decimal digits a number of seconds; anything else (or a number too large
/// to count) is refused.
//= spec/svscan.md#scan-9
pub fn parse_grace(value: &[u8]) -> Option<u64> {
    if value.is_empty() {
        return Some(DEFAULT_GRACE_SECS);
    }
    decimal(value)
}

/// The number `value` writes in decimal digits only (at least one), if it
/// fits in a `u64`: how svscan's settings write numbers.
pub(crate) fn decimal(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    value.iter().try_fold(0u64, |acc, &digit| {
        acc.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/svscan.md#scan-9
    #[test]
    fn grace_is_empty_or_decimal_seconds() {
        assert_eq!(parse_grace(b""), Some(DEFAULT_GRACE_SECS));
        assert_eq!(parse_grace(b"0"), Some(0));
        assert_eq!(parse_grace(b"30"), Some(30));
        assert_eq!(parse_grace(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_grace(b"18446744073709551616"), None);
        for bad in [&b" 5"[..], b"5s", b"-1", b"+1", b"x"] {
            assert_eq!(parse_grace(bad), None, "{bad:?}");
        }
    }
}
