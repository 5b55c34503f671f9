//! Local time from the C library, so `TZ` means exactly what it means to
//! daemontools (POSIX strings, `:Area/City`, unset → `/etc/localtime`).

use dt_core::tai64nlocal::{CivilTime, LocalZone};

/// The process's local zone through `localtime_r`, remembering the last
/// second converted (log lines come in runs that share a second).
#[derive(Debug, Default)]
pub struct SystemZone {
    last: Option<(i64, Option<CivilTime>)>,
}

impl SystemZone {
    /// Read `TZ` once, as `localtime` would on first use.
    pub fn new() -> Self {
        extern "C" {
            fn tzset();
        }
        // SAFETY: tzset only reads the environment and the zone files and
        // updates the C library's zone state; nothing else runs meanwhile.
        unsafe { tzset() };
        SystemZone::default()
    }
}

impl LocalZone for SystemZone {
    fn civil(&mut self, unix: i64) -> Option<CivilTime> {
        if let Some((second, civil)) = self.last {
            if second == unix {
                return civil;
            }
        }
        let civil = convert(unix);
        self.last = Some((unix, civil));
        civil
    }
}

fn convert(unix: i64) -> Option<CivilTime> {
    let time: libc::time_t = unix;
    // SAFETY: `tm` is plain data that localtime_r fills in; an all-zero
    // value is a valid starting point (its pointer field becomes null).
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live locals for the whole call.
    let result = unsafe { libc::localtime_r(&time, &mut tm) };
    if result.is_null() {
        return None;
    }
    let field = |value: libc::c_int| u8::try_from(value).unwrap_or(u8::MAX);
    Some(CivilTime {
        years_since_1900: tm.tm_year,
        month: field(tm.tm_mon + 1),
        day: field(tm.tm_mday),
        hour: field(tm.tm_hour),
        minute: field(tm.tm_min),
        second: field(tm.tm_sec),
    })
}
