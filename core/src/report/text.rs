//! Bytes as JSON strings and as Prometheus label values.
//!
//! Directory names are bytes and need not be UTF-8; both output formats are
//! UTF-8 text. Each maximal invalid sequence becomes one U+FFFD, as
//! `String::from_utf8_lossy` (and the WHATWG decoder) do, and the caller is
//! told, so that JSON can carry the exact bytes beside the readable name.

/// Append `bytes` to `out` as a JSON string, quotes included; true if some
/// bytes were not UTF-8 and were replaced.
///
/// Escaped: `"` and `\`; the control characters U+0000..U+001F as `\b`,
/// `\f`, `\n`, `\r`, `\t` or `\u00XX`; U+007F, U+2028 and U+2029 as
/// `\u007f`, `\u2028`, `\u2029` (harmless in JSON, troublesome on terminals
/// and in JavaScript); replaced bytes as `\ufffd`. Everything else is copied
/// as UTF-8. The result is always valid JSON in valid UTF-8.
//= spec/status-json.md#json-2
pub fn push_json_string(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let mut lossy = false;
    out.push(b'"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\r' => out.extend_from_slice(b"\\r"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\u{8}' => out.extend_from_slice(b"\\b"),
                '\u{c}' => out.extend_from_slice(b"\\f"),
                '\0'..='\u{1f}' | '\u{7f}' | '\u{2028}' | '\u{2029}' => {
                    out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
                }
                c => {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        if !chunk.invalid().is_empty() {
            lossy = true;
            out.extend_from_slice(b"\\ufffd");
        }
    }
    out.push(b'"');
    lossy
}

/// Append `bytes` as a Prometheus label value, quotes included: invalid
/// UTF-8 replaced by U+FFFD, then `\` → `\\`, `"` → `\"` and newline → `\n`,
/// the only escapes the text exposition format has.
//= spec/status-json.md#prom-3
pub fn push_label_value(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    for c in String::from_utf8_lossy(bytes).chars() {
        match c {
            '\\' => out.extend_from_slice(b"\\\\"),
            '"' => out.extend_from_slice(b"\\\""),
            '\n' => out.extend_from_slice(b"\\n"),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// `bytes` as lowercase hexadecimal, two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(2 * bytes.len());
    for &b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    text
}
