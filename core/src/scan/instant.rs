//! The settings of the opt-in instant rescan (SCAN-10) and service limit
//! (SCAN-11), read from the environment by svscan.

/// Set (to anything) to scan as soon as the directory changes or SIGALRM
/// arrives, besides every five seconds.
pub const INSTANT_VARIABLE: &str = "SVSCAN_INSTANT";

/// Decimal digits: how many services svscan may run instead of 1000.
pub const LIMIT_VARIABLE: &str = "SVSCAN_MAX_SERVICES";

/// The largest limit accepted: each logged service holds a pipe (two
/// descriptors) in svscan, so a million is already far beyond what a
/// system allows.
pub const LIMIT_CEILING: usize = 1_000_000;

/// The service limit `SVSCAN_MAX_SERVICES=value` asks for: decimal digits,
/// at least 1 and at most [`LIMIT_CEILING`]; anything else is refused.
//= spec/svscan.md#scan-11
pub fn parse_limit(value: &[u8]) -> Option<usize> {
    let limit = usize::try_from(super::stop::decimal(value)?).ok()?;
    (1..=LIMIT_CEILING).contains(&limit).then_some(limit)
}

/// How many open descriptors svscan wants with `max_services` services:
/// two per logged service (the pipe's ends) and room for its own; `None`
/// up to 0.76's limit, where svscan leaves its descriptor limit alone.
//= spec/svscan.md#scan-11
pub fn descriptors_wanted(max_services: usize) -> Option<u64> {
    if max_services <= crate::scan::MAX_SERVICES {
        return None;
    }
    let services = u64::try_from(max_services).unwrap_or(u64::MAX);
    Some(services.saturating_mul(2).saturating_add(64))
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/svscan.md#scan-11
    #[test]
    fn the_limit_is_a_positive_decimal_number_up_to_the_ceiling() {
        assert_eq!(parse_limit(b"1"), Some(1));
        assert_eq!(parse_limit(b"5000"), Some(5000));
        assert_eq!(parse_limit(b"0005000"), Some(5000));
        assert_eq!(parse_limit(b"1000000"), Some(LIMIT_CEILING));
        for bad in [
            &b""[..],
            b"0",
            b"1000001",
            b"99999999999999999999",
            b" 5",
            b"5 ",
            b"+5",
            b"-5",
            b"5k",
        ] {
            assert_eq!(parse_limit(bad), None, "{bad:?}");
        }
    }

    //= spec/svscan.md#scan-11
    #[test]
    fn descriptors_are_wanted_only_beyond_a_thousand_services() {
        assert_eq!(descriptors_wanted(1), None);
        assert_eq!(descriptors_wanted(1000), None);
        assert_eq!(descriptors_wanted(1001), Some(2066));
        assert_eq!(descriptors_wanted(LIMIT_CEILING), Some(2_000_064));
    }
}
