//! Byte-at-a-time models of the `tai64n` and `tai64nlocal` filters, written
//! the way 0.76 reads its input: one byte, one decision.

use dt_core::tai64nlocal::{format_civil, LocalZone};

/// `tai64n` over a whole input: a label and a space before every byte that
/// starts a line.
pub fn tai64n(input: &[u8], label: &[u8; 25]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at_line_start = true;
    for &byte in input {
        if at_line_start {
            out.extend_from_slice(label);
            out.push(b' ');
        }
        out.push(byte);
        at_line_start = byte == b'\n';
    }
    out
}

/// `tai64nlocal` over a whole input, label digits accumulated in arbitrary
/// precision and reduced the way 0.76's registers reduce them.
pub fn tai64nlocal(input: &[u8], zone: &mut impl LocalZone) -> Vec<u8> {
    let mut out = Vec::new();
    for line in input.split_inclusive(|&b| b == b'\n') {
        let Some(rest) = line.strip_prefix(b"@") else {
            out.extend_from_slice(line);
            continue;
        };
        let digits: Vec<u8> = rest
            .iter()
            .copied()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .collect();
        let hex = std::str::from_utf8(&digits).unwrap_or("");
        // Nanoseconds: the last eight digits. Seconds: all the ones before,
        // modulo 2^64 (only the last sixteen of those matter).
        let split = digits.len().saturating_sub(8);
        let nanos = u32::from_str_radix(&hex[split..], 16).unwrap_or(0);
        let secs_digits = &hex[..split];
        let secs = u64::from_str_radix(&secs_digits[secs_digits.len().saturating_sub(16)..], 16)
            .unwrap_or(0);
        let unix = secs.wrapping_sub((1 << 62) + 10) as i64;
        match zone.civil(unix) {
            Some(civil) => format_civil(&civil, nanos, &mut out),
            None => {
                out.push(b'@');
                out.extend_from_slice(&digits);
            }
        }
        out.extend_from_slice(&rest[digits.len()..]);
    }
    out
}
