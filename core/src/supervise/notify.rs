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
    /// characters (below space, and DEL) replaced by `?`.
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
}
