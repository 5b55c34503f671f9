//! The extension lines: what the extensions of `spec/extensions.md` add to
//! the 18-byte status record, as lines of text after it in the status file
//! (EXT-7). Written only by a
//! supervise whose service directory uses an extension that has something
//! to say; read by `svstat` and by anything that wants to know more.
//!
//! Each line is a word and its values, separated by one space:
//!
//! ```text
//! finishing <pid>
//! restart <@label> <attempt>
//! given-up <failures>
//! not-ready <pid>
//! ready <pid> <@label>
//! status <pid> <text>
//! ```
//!
//! A fact that does not hold has no line; an empty file says nothing.
//! Readers ignore lines they do not know, so later versions may add some.

use super::notify::StatusText;
use crate::process::Pid;
use crate::{label, Tai64N};

/// The facts of the extension lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Extra {
    /// `./finish` runs, with this pid (EXT-5).
    pub finishing: Option<Pid>,
    /// A restart is put off (`backoff`, EXT-9) until this moment, and will
    /// be the `attempt`-th restart in a row.
    #[cfg_attr(feature = "arbitrary", arbitrary(with = arbitrary_restart))]
    pub restart: Option<(Tai64N, u32)>,
    /// supervise gave up restarting after this many failures (EXT-10).
    pub given_up: Option<u32>,
    /// Whether the service process said it is ready (EXT-11), for a run
    /// started with a notification descriptor.
    pub ready: Option<Readiness>,
    /// What the service process said it is doing (`STATUS=`, EXT-13).
    pub status: Option<Note>,
}

/// A service process's `STATUS=` text (EXT-13).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Note {
    /// The process that said it.
    pub pid: Pid,
    /// What it said.
    pub text: StatusText,
}

/// Readiness of one run of `./run` (EXT-11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Readiness {
    /// The service process the fact is about: readers compare it with the
    /// status record's pid, so a line left from an earlier run says nothing.
    pub pid: Pid,
    /// When it said it was ready; `None` while it has not.
    #[cfg_attr(feature = "arbitrary", arbitrary(with = arbitrary_since))]
    pub since: Option<Tai64N>,
}

impl Extra {
    /// What the file says about the readiness of the service process `pid`
    /// (the status record's): `None` if nothing (no line, or a line about
    /// another process), else whether it is ready and since when.
    //= spec/extensions.md#ext-12
    pub fn readiness_of(&self, pid: u32) -> Option<Option<Tai64N>> {
        self.ready
            .filter(|r| u32::try_from(r.pid.0).is_ok_and(|p| p == pid && p != 0))
            .map(|r| r.since)
    }

    /// What the service process `pid` (the status record's) said it is
    /// doing, if the file says so for that pid.
    //= spec/extensions.md#ext-13
    pub fn status_of(&self, pid: u32) -> Option<StatusText> {
        self.status
            .filter(|n| u32::try_from(n.pid.0).is_ok_and(|p| p == pid && p != 0))
            .map(|n| n.text)
    }
}

#[cfg(feature = "arbitrary")]
fn arbitrary_since(u: &mut arbitrary::Unstructured<'_>) -> arbitrary::Result<Option<Tai64N>> {
    if u.arbitrary()? {
        let secs: u64 = u.arbitrary()?;
        let nanos = u.int_in_range(0..=999_999_999u32)?;
        Ok(Some(Tai64N(tai64::Tai64(secs), nanos)))
    } else {
        Ok(None)
    }
}

#[cfg(feature = "arbitrary")]
fn arbitrary_restart(
    u: &mut arbitrary::Unstructured<'_>,
) -> arbitrary::Result<Option<(Tai64N, u32)>> {
    if u.arbitrary()? {
        let secs: u64 = u.arbitrary()?;
        let nanos = u.int_in_range(0..=999_999_999u32)?;
        Ok(Some((Tai64N(tai64::Tai64(secs), nanos), u.arbitrary()?)))
    } else {
        Ok(None)
    }
}

impl Extra {
    /// The file's bytes.
    //= spec/extensions.md#ext-7
    pub fn encode(&self) -> Vec<u8> {
        let mut text = String::new();
        if let Some(pid) = self.finishing {
            text.push_str(&format!("finishing {}\n", pid.0));
        }
        if let Some((at, attempt)) = self.restart {
            let label = label::encode(&at);
            text.push_str(&format!(
                "restart {} {attempt}\n",
                String::from_utf8_lossy(&label)
            ));
        }
        if let Some(failures) = self.given_up {
            text.push_str(&format!("given-up {failures}\n"));
        }
        //= spec/extensions.md#ext-11
        match self.ready {
            Some(Readiness { pid, since: None }) => {
                text.push_str(&format!("not-ready {}\n", pid.0));
            }
            Some(Readiness {
                pid,
                since: Some(at),
            }) => {
                let label = label::encode(&at);
                text.push_str(&format!(
                    "ready {} {}\n",
                    pid.0,
                    String::from_utf8_lossy(&label)
                ));
            }
            None => {}
        }
        let mut bytes = text.into_bytes();
        //= spec/extensions.md#ext-13
        if let Some(note) = self.status {
            bytes.extend_from_slice(format!("status {} ", note.pid.0).as_bytes());
            bytes.extend_from_slice(note.text.as_bytes());
            bytes.push(b'\n');
        }
        bytes
    }

    /// What a file says; lines that are not understood are skipped, so a
    /// damaged or newer file never fails to decode.
    //= spec/extensions.md#ext-7
    pub fn decode(bytes: &[u8]) -> Extra {
        let mut extra = Extra::default();
        for line in bytes.split(|&b| b == b'\n') {
            // The text of `status` is any bytes but newline.
            if let Some(rest) = line.strip_prefix(b"status ") {
                let at = rest.iter().position(|&b| b == b' ');
                let (pid, text) = match at {
                    Some(at) => (&rest[..at], &rest[at + 1..]),
                    None => continue,
                };
                if let Some(pid) = std::str::from_utf8(pid).ok().and_then(positive) {
                    extra.status = Some(Note {
                        pid: Pid(pid),
                        text: StatusText::new(text),
                    });
                }
                continue;
            }
            let Ok(line) = std::str::from_utf8(line) else {
                continue;
            };
            let words: Vec<&str> = line.split(' ').collect();
            match words[..] {
                ["finishing", pid] => {
                    if let Some(pid) = positive(pid) {
                        extra.finishing = Some(Pid(pid));
                    }
                }
                ["restart", at, attempt] => {
                    if let (Ok(at), Some(attempt)) =
                        (label::parse(at.as_bytes()), positive(attempt))
                    {
                        extra.restart = Some((at, attempt.unsigned_abs()));
                    }
                }
                ["given-up", failures] => {
                    if let Some(failures) = positive(failures) {
                        extra.given_up = Some(failures.unsigned_abs());
                    }
                }
                ["not-ready", pid] => {
                    if let Some(pid) = positive(pid) {
                        extra.ready = Some(Readiness {
                            pid: Pid(pid),
                            since: None,
                        });
                    }
                }
                ["ready", pid, at] => {
                    if let (Some(pid), Ok(at)) = (positive(pid), label::parse(at.as_bytes())) {
                        extra.ready = Some(Readiness {
                            pid: Pid(pid),
                            since: Some(at),
                        });
                    }
                }
                _ => {}
            }
        }
        extra
    }
}

/// A positive decimal number, digits only.
fn positive(word: &str) -> Option<i32> {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok().filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_positive_decimals() {
        assert_eq!(Extra::decode(b"given-up 3\n").given_up, Some(3));
        assert_eq!(Extra::decode(b"finishing 42\n").finishing, Some(Pid(42)));
        for bad in [
            "given-up +3\n",
            "given-up -3\n",
            "given-up 0\n",
            "given-up \n",
            "given-up 3x\n",
        ] {
            assert_eq!(Extra::decode(bad.as_bytes()), Extra::default(), "{bad:?}");
        }
    }

    /// The readiness lines round-trip, a file without them decodes as
    /// before, and a line about another pid says nothing about this one.
    //= spec/extensions.md#ext-11
    //= spec/extensions.md#ext-12
    #[test]
    fn readiness_lines() {
        let at = Tai64N(tai64::Tai64(0x4000_0000_6000_0000), 5);
        let ready = Extra {
            ready: Some(Readiness {
                pid: Pid(42),
                since: Some(at),
            }),
            ..Extra::default()
        };
        assert_eq!(
            ready.encode(),
            b"ready 42 @400000006000000000000005\n".to_vec()
        );
        assert_eq!(Extra::decode(&ready.encode()), ready);
        let waiting = Extra {
            ready: Some(Readiness {
                pid: Pid(7),
                since: None,
            }),
            ..Extra::default()
        };
        assert_eq!(waiting.encode(), b"not-ready 7\n".to_vec());
        assert_eq!(Extra::decode(&waiting.encode()), waiting);
        assert_eq!(ready.readiness_of(42), Some(Some(at)));
        assert_eq!(ready.readiness_of(43), None);
        assert_eq!(ready.readiness_of(0), None);
        assert_eq!(waiting.readiness_of(7), Some(None));
        assert_eq!(Extra::decode(b"given-up 3\n").ready, None);
        for bad in [
            "ready 42\n",
            "ready 0 @400000006000000000000005\n",
            "not-ready -1\n",
            "ready 4 @4\n",
        ] {
            assert_eq!(Extra::decode(bad.as_bytes()), Extra::default(), "{bad:?}");
        }
    }

    /// The status line keeps any text but newline, spaces included, and
    /// says nothing about another pid.
    //= spec/extensions.md#ext-13
    #[test]
    fn status_lines() {
        let note = Extra {
            status: Some(Note {
                pid: Pid(5),
                text: StatusText::new(b"two  words \xff"),
            }),
            ..Extra::default()
        };
        assert_eq!(note.encode(), b"status 5 two  words \xff\n".to_vec());
        assert_eq!(Extra::decode(&note.encode()), note);
        assert_eq!(
            note.status_of(5).map(|t| t.as_bytes().to_vec()),
            Some(b"two  words \xff".to_vec())
        );
        assert_eq!(note.status_of(6), None);
        assert_eq!(
            Extra::decode(b"status 5 \n").status_of(5),
            Some(StatusText::default())
        );
        for bad in [
            &b"status 5\n"[..],
            b"status x y\n",
            b"status 0 y\n",
            b"status  y\n",
        ] {
            assert_eq!(Extra::decode(bad), Extra::default(), "{bad:?}");
        }
    }
}
