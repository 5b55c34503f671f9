//! `supervise/extra`: what the extensions of `spec/extensions.md` add to
//! the 18-byte status record, as lines of text (EXT-7). Written only by a
//! supervise whose service directory uses an extension that has something
//! to say; read by `svstat` and by anything that wants to know more.
//!
//! Each line is a word and its values, separated by one space:
//!
//! ```text
//! finishing <pid>
//! restart <@label> <attempt>
//! given-up <failures>
//! ```
//!
//! A fact that does not hold has no line; an empty file says nothing.
//! Readers ignore lines they do not know, so later versions may add some.

use crate::process::Pid;
use crate::{label, Tai64N};

/// The facts of `supervise/extra`.
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
        text.into_bytes()
    }

    /// What a file says; lines that are not understood are skipped, so a
    /// damaged or newer file never fails to decode.
    //= spec/extensions.md#ext-7
    pub fn decode(bytes: &[u8]) -> Extra {
        let mut extra = Extra::default();
        for line in bytes.split(|&b| b == b'\n') {
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
}
