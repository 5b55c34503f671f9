//! Local time from the C library, so `TZ` means exactly what it means to
//! daemontools (POSIX strings, `:Area/City`, unset → `/etc/localtime`).
//!
//! `localtime_r` costs far more than the rest of tai64nlocal's work per line,
//! so [`SystemZone`] asks it only at the two ends of each hour it meets: when
//! both ends have the same UTC offset and plain calendar arithmetic on
//! `unix + offset` reproduces the C library's answer at both ends, every
//! second of that hour is computed by the same arithmetic. Otherwise (an
//! offset change or a leap second inside the hour) it asks the C library for
//! each second.

use dt_core::tai64nlocal::{civil_from_seconds, CivilTime, LocalZone};

const HOUR: i64 = 3600;

/// The process's local zone.
#[derive(Debug, Default)]
pub struct SystemZone {
    /// The hour last met, and the offset valid through all of it, if any.
    hour: Option<(i64, Option<i64>)>,
}

impl SystemZone {
    /// Read `TZ` once, as `localtime` would on first use.
    pub fn new() -> Self {
        extern "C" {
            // POSIX; the libc crate does not declare it.
            fn tzset();
        }
        // SAFETY: tzset takes no arguments; it reads the environment and the
        // zone files and updates the C library's zone state.
        unsafe { tzset() };
        SystemZone::default()
    }

    fn offset_through_hour(hour: i64) -> Option<i64> {
        let start = hour.checked_mul(HOUR)?;
        let end = start.checked_add(HOUR - 1)?;
        let (first, offset) = localtime(start)?;
        let (last, last_offset) = localtime(end)?;
        let agrees = offset == last_offset
            && civil_from_seconds(start.checked_add(offset)?) == Some(first)
            && civil_from_seconds(end.checked_add(offset)?) == Some(last);
        agrees.then_some(offset)
    }
}

impl LocalZone for SystemZone {
    fn civil(&mut self, unix: i64) -> Option<CivilTime> {
        let hour = unix.div_euclid(HOUR);
        let offset = match self.hour {
            Some((known, offset)) if known == hour => offset,
            _ => {
                let offset = Self::offset_through_hour(hour);
                self.hour = Some((hour, offset));
                offset
            }
        };
        match offset {
            Some(offset) => civil_from_seconds(unix.checked_add(offset)?),
            None => localtime(unix).map(|(civil, _)| civil),
        }
    }
}

/// `localtime_r`: the civil time and the UTC offset in seconds.
fn localtime(unix: i64) -> Option<(CivilTime, i64)> {
    let time: libc::time_t = unix;
    // SAFETY: `tm` is plain data that localtime_r fills in; all-zero is a
    // valid value for it (its zone-name pointer becomes null).
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live locals for the whole call.
    let result = unsafe { libc::localtime_r(&time, &mut tm) };
    if result.is_null() {
        return None;
    }
    let field = |value: libc::c_int| u8::try_from(value).unwrap_or(u8::MAX);
    let civil = CivilTime {
        years_since_1900: tm.tm_year,
        month: field(tm.tm_mon + 1),
        day: field(tm.tm_mday),
        hour: field(tm.tm_hour),
        minute: field(tm.tm_min),
        second: field(tm.tm_sec),
    };
    Some((civil, tm.tm_gmtoff))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The arithmetic path agrees with the C library second by second
    /// across a DST change and ordinary hours (TZ as the test process has
    /// it, plus the zone the C library falls back to).
    #[test]
    fn the_hourly_shortcut_agrees_with_localtime() {
        let mut zone = SystemZone::new();
        // 2025-03-30 00:00 to 04:00 UTC, around Europe's spring change,
        // sampled every 7 seconds; and some seconds far from 1970.
        let samples = (1_743_292_800i64..1_743_307_200).step_by(7).chain([
            -1,
            0,
            1,
            253_402_300_799,
            -62_135_596_800,
        ]);
        for unix in samples {
            assert_eq!(
                zone.civil(unix),
                localtime(unix).map(|(c, _)| c),
                "unix {unix}"
            );
        }
    }

    #[test]
    fn times_the_c_library_rejects_are_rejected() {
        let mut zone = SystemZone::new();
        assert_eq!(zone.civil(i64::MAX), None);
        assert_eq!(zone.civil(i64::MIN), None);
    }
}
