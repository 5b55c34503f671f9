//! TAI64N stamps as daemontools makes them, and the external `@` label.
//!
//! daemontools does not use a leap-second table: its TAI64 second for Unix
//! time `t` is always `2^62 + 10 + t`. The `tai64` crate's `now()` and
//! `from_system_time()` use `2^62 + 37`, 27 seconds away, so labels are built
//! here from Unix time and never through those functions.

use tai64::{Tai64, Tai64N};

/// The TAI64 second that daemontools assigns to Unix time 0.
//= spec/tai64.md#tai-1
pub const UNIX_EPOCH_TAI: u64 = (1 << 62) + 10;

/// Length of an external label: `@` and 24 lowercase hex digits.
pub const LABEL_LEN: usize = 25;

/// Why a byte string is not an external TAI64N label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LabelError {
    /// The input is not exactly 25 bytes long.
    Length,
    /// The first byte is not `@`.
    MissingAt,
    /// A byte after the `@` is not a lowercase hex digit; its position is given.
    NotHex(usize),
}

/// The stamp for Unix time `secs` plus `nanos` nanoseconds.
//= spec/tai64.md#tai-1
pub fn from_unix(secs: i64, nanos: u32) -> Tai64N {
    Tai64N(Tai64(UNIX_EPOCH_TAI.wrapping_add(secs as u64)), nanos)
}

/// The stamp daemontools derives from a `gettimeofday` reading: nanoseconds
/// are `1000 * usec + 500`, so every stamp it makes ends in `500`.
//= spec/tai64.md#tai-2
pub fn from_unix_micros(secs: i64, micros: u32) -> Tai64N {
    from_unix(secs, micros.min(999_999) * 1000 + 500)
}

/// The Unix second of a TAI64 second, as daemontools computes it
/// (wrapping, like its 64-bit unsigned arithmetic).
pub fn unix_secs(t: Tai64) -> i64 {
    t.0.wrapping_sub(UNIX_EPOCH_TAI) as i64
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The external label of a stamp: `@`, then the 12 packed bytes (8 bytes of
/// seconds and 4 of nanoseconds, both big-endian) as lowercase hex.
//= spec/tai64.md#tai-3
pub fn encode(stamp: &Tai64N) -> [u8; LABEL_LEN] {
    let mut packed = [0u8; 12];
    packed[..8].copy_from_slice(&stamp.0 .0.to_be_bytes());
    packed[8..].copy_from_slice(&stamp.1.to_be_bytes());
    let mut out = [b'@'; LABEL_LEN];
    for (i, byte) in packed.iter().enumerate() {
        out[1 + 2 * i] = HEX[usize::from(byte >> 4)];
        out[2 + 2 * i] = HEX[usize::from(byte & 15)];
    }
    out
}

/// The value of a lowercase hex digit, as daemontools' readers accept them
/// (uppercase is not a digit to them).
pub fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

/// Parse an external label of exactly 25 bytes.
///
/// Nanosecond fields of 10^9 or more are kept as they are, not rejected:
/// daemontools' readers never validate them, and a label names a file.
//= spec/tai64.md#tai-4
pub fn parse(text: &[u8]) -> Result<Tai64N, LabelError> {
    if text.len() != LABEL_LEN {
        return Err(LabelError::Length);
    }
    if text[0] != b'@' {
        return Err(LabelError::MissingAt);
    }
    let mut value: u128 = 0;
    for (pos, &byte) in text.iter().enumerate().skip(1) {
        let digit = hex_value(byte).ok_or(LabelError::NotHex(pos))?;
        value = (value << 4) | u128::from(digit);
    }
    Ok(Tai64N(Tai64((value >> 32) as u64), value as u32))
}

#[cfg(test)]
mod tests;
