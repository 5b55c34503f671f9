//! systemd's notification protocol as supervise understands it (EXT-13):
//! the datagrams a service sends to `$NOTIFY_SOCKET`, turned into the few
//! messages supervise acts on. Pure: the driver receives the datagram and
//! checks who sent it; this module only reads its bytes.
//!
//! A datagram is lines of `KEY=VALUE`, separated by newlines. supervise
//! reads `READY=1`, `STATUS=<text>` and `WATCHDOG=1` and ignores every other
//! line (other keys, other values, lines without `=`).

/// The longest status text kept, in bytes; a longer one is cut there.
pub const STATUS_TEXT_MAX: usize = 120;

/// What a service said with `STATUS=`: at most [`STATUS_TEXT_MAX`] bytes,
/// with no control characters (each replaced by `?` when it is made), so
/// it is one line of text wherever it is shown. A fixed-size value, so that
/// events and orders stay `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StatusText {
    len: u8,
    bytes: [u8; STATUS_TEXT_MAX],
}

impl StatusText {
    /// The text of `bytes`, cut at [`STATUS_TEXT_MAX`] bytes, control
    /// characters (below space, DEL and the C1 controls) replaced by `?`.
    //= spec/extensions.md#ext-13
    pub fn new(bytes: &[u8]) -> StatusText {
        let kept = &bytes[..bytes.len().min(STATUS_TEXT_MAX)];
        let mut text = StatusText {
            len: u8::try_from(kept.len()).unwrap_or(u8::MAX),
            bytes: [0; STATUS_TEXT_MAX],
        };
        for (to, &from) in text.bytes.iter_mut().zip(kept) {
            *to = if from < b' ' || from == 0x7f {
                b'?'
            } else {
                from
            };
        }
        let len = usize::from(text.len).min(STATUS_TEXT_MAX);
        blank_c1_controls(&mut text.bytes[..len]);
        text
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len).min(STATUS_TEXT_MAX)]
    }
}

impl Default for StatusText {
    fn default() -> StatusText {
        StatusText::new(b"")
    }
}

impl std::fmt::Debug for StatusText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for StatusText {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<StatusText> {
        let len = u.int_in_range(0..=STATUS_TEXT_MAX)?;
        Ok(StatusText::new(u.bytes(len)?))
    }
}

/// Replace the C1 control characters (U+0080 to U+009F, which a terminal
/// may take as the start of an escape sequence) with `?`: in UTF-8 text
/// their two bytes, and a byte 0x80 to 0x9F that is not part of a UTF-8
/// character (an 8-bit terminal reads it as the control itself). The rest
/// of the text, UTF-8 or not, is kept.
fn blank_c1_controls(bytes: &mut [u8]) {
    let mut at = 0;
    while at < bytes.len() {
        let (valid, bad) = match std::str::from_utf8(&bytes[at..]) {
            Ok(_) => (bytes.len() - at, 0),
            Err(e) => (
                e.valid_up_to(),
                e.error_len().unwrap_or(bytes.len() - at - e.valid_up_to()),
            ),
        };
        let mut i = at;
        while i + 1 < at + valid {
            if bytes[i] == 0xc2 && (0x80..=0x9f).contains(&bytes[i + 1]) {
                bytes[i] = b'?';
                bytes[i + 1] = b'?';
                i += 2;
            } else {
                i += 1;
            }
        }
        for byte in &mut bytes[at + valid..at + valid + bad] {
            if (0x80..=0x9f).contains(byte) {
                *byte = b'?';
            }
        }
        at += valid + bad;
    }
}

/// One thing a notification datagram says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotifyMessage {
    /// `READY=1`: the service is ready.
    Ready,
    /// `STATUS=<text>`: what the service says it is doing.
    Status(StatusText),
    /// `WATCHDOG=1`: the service is alive (EXT-14).
    Watchdog,
}

/// What a datagram says, in its order; lines supervise does not read are
/// left out.
//= spec/extensions.md#ext-13
pub fn parse_datagram(datagram: &[u8]) -> Vec<NotifyMessage> {
    datagram
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let at = line.iter().position(|&b| b == b'=')?;
            let (key, value) = (&line[..at], &line[at + 1..]);
            match key {
                b"READY" if value == b"1" => Some(NotifyMessage::Ready),
                b"WATCHDOG" if value == b"1" => Some(NotifyMessage::Watchdog),
                b"STATUS" => Some(NotifyMessage::Status(StatusText::new(value))),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/extensions.md#ext-13
    #[test]
    fn the_keys_supervise_reads() {
        assert_eq!(parse_datagram(b"READY=1"), [NotifyMessage::Ready]);
        assert_eq!(
            parse_datagram(b"STATUS=serving 3 clients\nREADY=1\nMAINPID=4\nWATCHDOG=1\n"),
            [
                NotifyMessage::Status(StatusText::new(b"serving 3 clients")),
                NotifyMessage::Ready,
                NotifyMessage::Watchdog,
            ]
        );
        for ignored in [
            &b""[..],
            b"READY=0",
            b"READY",
            b"ready=1",
            b"READY=1 ",
            b"WATCHDOG=trigger",
            b"=1",
            b"ERRNO=2",
        ] {
            assert_eq!(parse_datagram(ignored), [], "{ignored:?}");
        }
        assert_eq!(
            parse_datagram(b"STATUS="),
            [NotifyMessage::Status(StatusText::default())]
        );
    }

    //= spec/extensions.md#ext-13
    #[test]
    fn status_text_is_one_bounded_line() {
        assert_eq!(StatusText::new(b"a\tb\x7fc\r").as_bytes(), b"a?b?c?");
        let long = [b'x'; 300];
        assert_eq!(StatusText::new(&long).as_bytes(), &long[..STATUS_TEXT_MAX]);
        assert_eq!(format!("{:?}", StatusText::new(b"hi")), "\"hi\"");
        // Bytes that are not UTF-8 are kept as they are.
        assert_eq!(StatusText::new(b"\xff").as_bytes(), b"\xff");
    }

    /// C1 controls (CSI is U+009B, 0x9B in an 8-bit terminal) would let a
    /// service send escape sequences to the terminal of whoever runs svstat.
    //= spec/extensions.md#ext-13
    #[test]
    fn status_text_has_no_c1_controls() {
        // U+009B (CSI) and U+0085 in UTF-8, between characters that stay.
        assert_eq!(
            StatusText::new("é\u{9b}31m ok \u{85}Ā".as_bytes()).as_bytes(),
            "é??31m ok ??Ā".as_bytes()
        );
        // A lone 0x9B (not UTF-8) and continuation bytes of real
        // characters (Ā is C4 80, ğ is C4 9F) are told apart.
        assert_eq!(
            StatusText::new(b"\x9b31m \xc4\x80\xc4\x9f \xff\x85").as_bytes(),
            b"?31m \xc4\x80\xc4\x9f \xff?"
        );
        // A character cut at the length limit leaves its lead byte only.
        let mut long = vec![b'x'; STATUS_TEXT_MAX - 1];
        long.extend_from_slice("\u{9b}".as_bytes());
        let text = StatusText::new(&long);
        assert_eq!(text.as_bytes().len(), STATUS_TEXT_MAX);
        assert_eq!(text.as_bytes()[STATUS_TEXT_MAX - 1], 0xc2);
    }
}
