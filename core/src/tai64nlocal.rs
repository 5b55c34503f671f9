//! `tai64nlocal`'s filter: turn a label at the start of a line into local
//! time, `YYYY-MM-DD HH:MM:SS.NNNNNNNNN`.
//!
//! As in 0.76, a label is `@` at the very start of a line followed by a run of
//! lowercase hex digits; the first other byte ends it and is copied out with
//! the rest of the line. The digits are read the way 0.76 reads them: the
//! last eight are the nanoseconds and all the ones before are the seconds
//! (modulo 2^64), so only the 24-digit form is meaningful.
//!
//! Deliberate deviations from 0.76 (it crashes or drops input there):
//! a label whose time the local-time conversion rejects is copied out
//! unchanged instead of crashing the program, and a label cut short by the
//! end of input is converted (or copied) instead of being dropped.

use crate::label::{hex_value, UNIX_EPOCH_TAI};

/// A broken-down local time as the C library's `localtime` gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CivilTime {
    /// Years since 1900 (`tm_year`).
    pub years_since_1900: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Second, 0 to 60 (60 only in zones with leap seconds).
    pub second: u8,
}

/// The local time zone, supplied by the driver.
pub trait LocalZone {
    /// The local civil time of Unix second `unix`, or `None` where the C
    /// library cannot represent it (0.76 crashes there).
    fn civil(&mut self, unix: i64) -> Option<CivilTime>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Position {
    LineStart,
    InLabel,
    InLine,
}

/// Line state carried from one chunk to the next.
#[derive(Clone, Debug)]
pub struct LocalFilter {
    position: Position,
    /// `@` and the digits of the label being read, kept to copy it out
    /// unchanged if it cannot be converted.
    label: Vec<u8>,
    secs: u64,
    nanos: u32,
}

impl Default for LocalFilter {
    fn default() -> Self {
        LocalFilter {
            position: Position::LineStart,
            label: Vec::with_capacity(32),
            secs: 0,
            nanos: 0,
        }
    }
}

impl LocalFilter {
    /// A filter at the start of its input.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append the converted form of `input` to `out`.
    //= spec/tai64n.md#tai64nlocal-1
    //= spec/tai64n.md#tai64nlocal-2
    pub fn feed(&mut self, input: &[u8], zone: &mut impl LocalZone, out: &mut Vec<u8>) {
        let mut rest = input;
        while let Some(&first) = rest.first() {
            match self.position {
                Position::LineStart => {
                    if first == b'@' {
                        self.label.clear();
                        self.label.push(b'@');
                        self.secs = 0;
                        self.nanos = 0;
                        self.position = Position::InLabel;
                        rest = &rest[1..];
                    } else {
                        self.position = Position::InLine;
                    }
                }
                Position::InLabel => {
                    let digits = rest.iter().take_while(|&&b| hex_value(b).is_some()).count();
                    for &byte in &rest[..digits] {
                        self.push_digit(byte);
                    }
                    self.label.extend_from_slice(&rest[..digits]);
                    rest = &rest[digits..];
                    if !rest.is_empty() {
                        self.emit_label(zone, out);
                        self.position = Position::InLine;
                    }
                }
                Position::InLine => match memchr::memchr(b'\n', rest) {
                    Some(newline) => {
                        out.extend_from_slice(&rest[..=newline]);
                        rest = &rest[newline + 1..];
                        self.position = Position::LineStart;
                    }
                    None => {
                        out.extend_from_slice(rest);
                        rest = &[];
                    }
                },
            }
        }
    }

    /// The end of input: a label still being read is written out.
    //= spec/tai64n.md#tai64nlocal-4
    pub fn finish(&mut self, zone: &mut impl LocalZone, out: &mut Vec<u8>) {
        if self.position == Position::InLabel {
            self.emit_label(zone, out);
        }
        self.position = Position::LineStart;
    }

    fn push_digit(&mut self, byte: u8) {
        let digit = hex_value(byte).map_or(0, u32::from);
        // A 64-bit seconds register fed from the top of a 32-bit nanoseconds
        // register, as 0.76 shifts them.
        self.secs = (self.secs << 4).wrapping_add(u64::from(self.nanos >> 28));
        self.nanos = ((self.nanos & 0x0fff_ffff) << 4) + digit;
    }

    //= spec/tai64n.md#tai64nlocal-3
    fn emit_label(&mut self, zone: &mut impl LocalZone, out: &mut Vec<u8>) {
        let unix = self.secs.wrapping_sub(UNIX_EPOCH_TAI) as i64;
        match zone.civil(unix) {
            Some(civil) => format_civil(&civil, self.nanos, out),
            None => out.extend_from_slice(&self.label),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS.NNNNNNNNN`, as 0.76 prints it: the year unpadded (and
/// computed in C `int` arithmetic, printed as an unsigned long), the other
/// fields two digits, the nanoseconds at least nine.
//= spec/tai64n.md#tai64nlocal-2
pub fn format_civil(civil: &CivilTime, nanos: u32, out: &mut Vec<u8>) {
    let year = i64::from(1900i32.wrapping_add(civil.years_since_1900)) as u64;
    push_decimal(out, year, 1);
    out.push(b'-');
    push_decimal(out, u64::from(civil.month), 2);
    out.push(b'-');
    push_decimal(out, u64::from(civil.day), 2);
    out.push(b' ');
    push_decimal(out, u64::from(civil.hour), 2);
    out.push(b':');
    push_decimal(out, u64::from(civil.minute), 2);
    out.push(b':');
    push_decimal(out, u64::from(civil.second), 2);
    out.push(b'.');
    push_decimal(out, u64::from(nanos), 9);
}

fn push_decimal(out: &mut Vec<u8>, mut value: u64, min_digits: usize) {
    let mut digits = [b'0'; 20];
    let mut len = 0;
    while value > 0 || len < min_digits {
        digits[len] = b'0' + (value % 10) as u8;
        value /= 10;
        len += 1;
    }
    out.extend(digits[..len].iter().rev());
}

#[cfg(test)]
mod tests;
