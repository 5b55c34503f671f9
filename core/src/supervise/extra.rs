//! `supervise/extra`: what the extensions of `spec/extensions.md` add to
//! the 18-byte status record, as lines of text (EXT-7). Written only by a
//! supervise whose service directory uses an extension that has something
//! to say; read by `svstat` and by anything that wants to know more.
//!
//! Each line is a word and its values, separated by one space:
//!
//! ```text
//! finishing <pid>
//! ```
//!
//! A fact that does not hold has no line; an empty file says nothing.
//! Readers ignore lines they do not know, so later versions may add some.

use crate::process::Pid;

/// The facts of `supervise/extra`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Extra {
    /// `./finish` runs, with this pid (EXT-5).
    pub finishing: Option<Pid>,
}

impl Extra {
    /// The file's bytes.
    //= spec/extensions.md#ext-7
    pub fn encode(&self) -> Vec<u8> {
        let mut text = String::new();
        if let Some(pid) = self.finishing {
            text.push_str(&format!("finishing {}\n", pid.0));
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
            if let ["finishing", pid] = words[..] {
                if let Some(pid) = positive(pid) {
                    extra.finishing = Some(Pid(pid));
                }
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
