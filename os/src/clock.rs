//! Reading the clocks, the one place where time enters the program.

use dt_core::Tai64N;
use dt_core::{label, Mono, Now};
use nix::time::{clock_gettime, ClockId};

/// The wall clock as daemontools stamps it: microsecond resolution, the
/// nanosecond field `1000 * usec + 500`.
pub fn wall() -> Tai64N {
    match clock_gettime(ClockId::CLOCK_REALTIME) {
        Ok(ts) => {
            let micros = u32::try_from(ts.tv_nsec() / 1000).unwrap_or(0);
            label::from_unix_micros(ts.tv_sec(), micros)
        }
        // CLOCK_REALTIME cannot fail on Linux; the epoch is a harmless answer.
        Err(_) => label::from_unix(0, 0),
    }
}

/// The monotonic clock in core's units.
pub fn mono() -> Mono {
    match clock_gettime(ClockId::CLOCK_MONOTONIC) {
        Ok(ts) => {
            let secs = u64::try_from(ts.tv_sec()).unwrap_or(0);
            let nanos = u64::try_from(ts.tv_nsec()).unwrap_or(0);
            Mono(secs.saturating_mul(Mono::SECOND).saturating_add(nanos))
        }
        Err(_) => Mono(0),
    }
}

/// Both clocks, sampled together.
pub fn now() -> Now {
    Now {
        mono: mono(),
        wall: wall(),
    }
}
