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

use crate::label::{hex_value, LABEL_LEN, UNIX_EPOCH_TAI};

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

/// The local time zone, supplied by the driver. It must be a function: the
/// same second always gives the same answer (the filter remembers answers).
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
    /// The last second converted and whether the zone accepted it:
    /// consecutive log lines mostly share a second.
    last_second: Option<(i64, bool)>,
    /// That second as `YYYY-MM-DD HH:MM:SS.`, when accepted.
    second_text: Vec<u8>,
}

impl Default for LocalFilter {
    fn default() -> Self {
        LocalFilter {
            position: Position::LineStart,
            label: Vec::with_capacity(32),
            secs: 0,
            nanos: 0,
            last_second: None,
            second_text: Vec::with_capacity(32),
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
                    if let Some(label) = whole_label(rest) {
                        // The common case, a 24-digit label all in this chunk.
                        let (secs, nanos) = label_value(&label[1..]);
                        self.secs = secs;
                        self.nanos = nanos;
                        if !self.convert(zone, out) {
                            out.extend_from_slice(label);
                        }
                        rest = &rest[label.len()..];
                        self.position = Position::InLine;
                    } else if first == b'@' {
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

    /// Write the label read so far, converted, or as it came.
    //= spec/tai64n.md#tai64nlocal-3
    fn emit_label(&mut self, zone: &mut impl LocalZone, out: &mut Vec<u8>) {
        if !self.convert(zone, out) {
            out.extend_from_slice(&self.label);
        }
    }

    /// Write the converted label and say so, or write nothing and say the
    /// zone refused its time.
    fn convert(&mut self, zone: &mut impl LocalZone, out: &mut Vec<u8>) -> bool {
        let unix = self.secs.wrapping_sub(UNIX_EPOCH_TAI) as i64;
        let accepted = match self.last_second {
            Some((second, accepted)) if second == unix => accepted,
            _ => {
                self.second_text.clear();
                let civil = zone.civil(unix);
                if let Some(civil) = &civil {
                    format_second(civil, &mut self.second_text);
                }
                self.last_second = Some((unix, civil.is_some()));
                civil.is_some()
            }
        };
        if accepted {
            out.extend_from_slice(&self.second_text);
            push_decimal(out, u64::from(self.nanos), 9);
        }
        accepted
    }
}

/// `@` and exactly 24 lowercase hex digits at the start of `input`, followed
/// (in `input`) by a byte that is not one.
fn whole_label(input: &[u8]) -> Option<&[u8]> {
    let label = input.get(..LABEL_LEN)?;
    let after = *input.get(LABEL_LEN)?;
    let digits_only = label[1..].iter().all(|&b| hex_value(b).is_some());
    (label[0] == b'@' && digits_only && hex_value(after).is_none()).then_some(label)
}

/// Seconds (16 digits) and nanoseconds (8 digits) of 24 lowercase hex digits.
fn label_value(digits: &[u8]) -> (u64, u32) {
    let value = |digits: &[u8]| {
        digits.iter().fold(0u64, |acc, &b| {
            (acc << 4) | u64::from(hex_value(b).unwrap_or(0))
        })
    };
    (value(&digits[..16]), value(&digits[16..24]) as u32)
}

/// `YYYY-MM-DD HH:MM:SS.NNNNNNNNN`, as 0.76 prints it: the year unpadded (and
/// computed in C `int` arithmetic, printed as an unsigned long), the other
/// fields two digits, the nanoseconds at least nine.
//= spec/tai64n.md#tai64nlocal-2
pub fn format_civil(civil: &CivilTime, nanos: u32, out: &mut Vec<u8>) {
    format_second(civil, out);
    push_decimal(out, u64::from(nanos), 9);
}

/// `YYYY-MM-DD HH:MM:SS.`: everything of [`format_civil`] but the nanoseconds.
fn format_second(civil: &CivilTime, out: &mut Vec<u8>) {
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
}

/// The civil time of `seconds` counted from 1970-01-01 00:00:00 in a zone
/// without leap seconds or offset changes (the proleptic Gregorian calendar,
/// as the C library computes it), or `None` where the year would not fit
/// `tm_year`. A driver adds a zone's UTC offset to Unix time to get local
/// time this way while it knows the offset does not change.
pub fn civil_from_seconds(seconds: i64) -> Option<CivilTime> {
    let days = seconds.div_euclid(86_400);
    let second_of_day = seconds.rem_euclid(86_400);
    // Days since 1970 to year, month and day (Howard Hinnant's algorithm,
    // on eras of 400 years that start on March 1st).
    let z = days + 719_468; // |days| < 2^47: no overflow in what follows
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u8;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u8;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Some(CivilTime {
        years_since_1900: i32::try_from(year - 1900).ok()?,
        month,
        day,
        hour: (second_of_day / 3600) as u8,
        minute: (second_of_day / 60 % 60) as u8,
        second: (second_of_day % 60) as u8,
    })
}

/// `value` in decimal, with leading zeros up to `min_digits` digits (1 for
/// none: 0 is "0").
pub(crate) fn push_decimal(out: &mut Vec<u8>, mut value: u64, min_digits: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while value > 0 || digits.len() - start < min_digits {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out.extend_from_slice(&digits[start..]);
}

#[cfg(test)]
mod tests;
