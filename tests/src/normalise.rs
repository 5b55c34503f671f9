//! Rewriting what legitimately differs between two runs (time stamps,
//! process ids, the temp dir path) into fixed placeholders before comparing.
//!
//! A scenario chooses its normalisers; [`Normaliser::temp_dir`] is always on.
//! Each normaliser applies to stdout, stderr, and to every path, file content
//! and symlink target of the resulting tree.

use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;

/// What a normaliser may know about the run it rewrites.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The directory the program ran in.
    pub dir: &'a Path,
    /// The program's process id.
    pub pid: u32,
}

type Rewrite = dyn Fn(&[u8], &Context<'_>) -> Vec<u8> + Send + Sync;

/// A named byte rewrite.
#[derive(Clone)]
pub struct Normaliser {
    name: String,
    rewrite: Arc<Rewrite>,
}

impl fmt::Debug for Normaliser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Normaliser({})", self.name)
    }
}

impl Normaliser {
    /// A normaliser from a function.
    pub fn new(
        name: impl Into<String>,
        rewrite: impl Fn(&[u8], &Context<'_>) -> Vec<u8> + Send + Sync + 'static,
    ) -> Normaliser {
        Normaliser {
            name: name.into(),
            rewrite: Arc::new(rewrite),
        }
    }

    /// Its name, for messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Rewrite `bytes`.
    pub fn apply(&self, bytes: &[u8], context: &Context<'_>) -> Vec<u8> {
        (self.rewrite)(bytes, context)
    }

    /// The run's directory → `<tmp>`.
    pub fn temp_dir() -> Normaliser {
        Normaliser::new("temp dir", |bytes, cx| {
            replace_all(bytes, cx.dir.as_os_str().as_bytes(), b"<tmp>")
        })
    }

    /// A TAI64N label, `@` and exactly 24 lowercase hex digits (not followed
    /// by another one) → `@<label>`.
    pub fn tai64n_labels() -> Normaliser {
        Normaliser::new("TAI64N labels", |bytes, _| tai64n_labels(bytes))
    }

    /// `pid N` → `pid <pid>`, and the program's own pid as a whole number → `<pid>`.
    pub fn pids() -> Normaliser {
        Normaliser::new("pids", |bytes, cx| {
            let bytes = replace_number_after(bytes, b"pid ", b"<pid>");
            replace_number(&bytes, cx.pid.to_string().as_bytes(), b"<pid>")
        })
    }

    /// svstat's `N seconds` → `<N> seconds`.
    pub fn svstat_seconds() -> Normaliser {
        Normaliser::new("svstat seconds", |bytes, _| {
            replace_number_before(bytes, b" seconds", b"<N>")
        })
    }

    /// Every occurrence of `from` → `to`.
    pub fn replace(from: &[u8], to: &[u8]) -> Normaliser {
        let (from, to) = (from.to_vec(), to.to_vec());
        Normaliser::new(
            format!(
                "{} -> {}",
                String::from_utf8_lossy(&from),
                String::from_utf8_lossy(&to)
            ),
            move |bytes, _| replace_all(bytes, &from, &to),
        )
    }
}

/// Apply `normalisers` in order.
pub fn apply_all(normalisers: &[Normaliser], bytes: &[u8], context: &Context<'_>) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for normaliser in normalisers {
        out = normaliser.apply(&out, context);
    }
    out
}

/// Every occurrence of `needle` in `haystack` replaced by `with`.
pub fn replace_all(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    if needle.is_empty() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

fn is_lower_hex(byte: u8) -> bool {
    byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte)
}

fn tai64n_labels(bytes: &[u8]) -> Vec<u8> {
    const DIGITS: usize = 24;
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let digits = &bytes[i + 1..bytes.len().min(i + 1 + DIGITS)];
        let is_label = bytes[i] == b'@'
            && digits.len() == DIGITS
            && digits.iter().all(|&b| is_lower_hex(b))
            && bytes.get(i + 1 + DIGITS).is_none_or(|&b| !is_lower_hex(b));
        if is_label {
            out.extend_from_slice(b"@<label>");
            i += 1 + DIGITS;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The length of the run of ASCII digits at the start of `bytes`.
fn digits_at(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// `prefix` followed by a number: the number becomes `with`.
fn replace_number_after(bytes: &[u8], prefix: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(prefix) && digits_at(&bytes[i + prefix.len()..]) > 0 {
            out.extend_from_slice(prefix);
            out.extend_from_slice(with);
            i += prefix.len() + digits_at(&bytes[i + prefix.len()..]);
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// A whole number followed by `suffix`: the number becomes `with`.
fn replace_number_before(bytes: &[u8], suffix: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let starts_number = bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit());
        let n = if starts_number {
            digits_at(&bytes[i..])
        } else {
            0
        };
        if n > 0 && bytes[i + n..].starts_with(suffix) {
            out.extend_from_slice(with);
            i += n;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Every whole number equal to `number` becomes `with`.
fn replace_number(bytes: &[u8], number: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let starts_number = bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit());
        let n = if starts_number {
            digits_at(&bytes[i..])
        } else {
            0
        };
        if n > 0 && &bytes[i..i + n] == number {
            out.extend_from_slice(with);
            i += n;
        } else if n > 0 {
            out.extend_from_slice(&bytes[i..i + n]);
            i += n;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context<'static> {
        Context {
            dir: Path::new("/tmp/x"),
            pid: 42,
        }
    }

    #[test]
    fn labels_of_exactly_24_lowercase_digits() {
        let n = Normaliser::tai64n_labels();
        let text =
            b"@4000000069249dd12e28660c a\n@4000000069249dd12e28660 b @4000000069249dd12e28660cc \
@4000000069249DD12E28660C @4000000069249dd12e28660c";
        assert_eq!(
            n.apply(text, &cx()),
            b"@<label> a\n@4000000069249dd12e28660 b @4000000069249dd12e28660cc \
@4000000069249DD12E28660C @<label>"
                .to_vec()
        );
    }

    #[test]
    fn pids_seconds_and_temp_dir() {
        let line = b"/tmp/x/s: up (pid 1234) 17 seconds, 42 423 x42\n";
        let out = apply_all(
            &[
                Normaliser::temp_dir(),
                Normaliser::pids(),
                Normaliser::svstat_seconds(),
            ],
            line,
            &cx(),
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            "<tmp>/s: up (pid <pid>) <N> seconds, <pid> 423 x<pid>\n"
        );
    }
}
