//! Showing outcomes as text and diffing two of them, for failure messages.

use std::fmt::Write as _;

use crate::compare::Normalised;
use crate::tree::Kind;

/// Rendered lines longer than this are shortened (with a hash of the whole
/// line, so that two different long lines never render the same).
const MAX_LINE: usize = 200;
/// At most this many diff lines are printed.
const MAX_DIFF_LINES: usize = 400;

/// `bytes` as a Rust-like string literal body: printable ASCII as is,
/// everything else escaped (`\n`, `\t`, `\r`, `\0`, `\xNN`).
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            b'\0' => out.push_str("\\0"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out
}

fn fnv(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h: u32, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// One line of output, quoted, shortened if long.
fn quote_line(bytes: &[u8]) -> String {
    let escaped = escape(bytes);
    if escaped.len() <= MAX_LINE {
        return format!("\"{escaped}\"");
    }
    let head = escape(&bytes[..bytes.len().min(100)]);
    let tail = escape(&bytes[bytes.len().saturating_sub(40)..]);
    format!(
        "\"{head}\" … \"{tail}\" ({} bytes, fnv {:08x})",
        bytes.len(),
        fnv(bytes)
    )
}

fn push_stream(lines: &mut Vec<String>, name: &str, bytes: &[u8]) {
    if bytes.is_empty() {
        lines.push(format!("{name}: (empty)"));
        return;
    }
    lines.push(format!("{name}:"));
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        lines.push(format!("  {}", quote_line(line)));
    }
}

/// An outcome as lines of text.
pub fn render(outcome: &Normalised) -> Vec<String> {
    let mut lines = vec![format!("status: {}", outcome.status)];
    if let Some(reason) = &outcome.interrupted {
        lines.push(format!("steps: stopped at {reason}"));
    }
    push_stream(&mut lines, "stdout", &outcome.stdout);
    push_stream(&mut lines, "stderr", &outcome.stderr);
    if outcome.tree.nodes.is_empty() {
        lines.push("files: (none)".into());
    } else {
        lines.push("files:".into());
    }
    for node in &outcome.tree.nodes {
        let path = escape(&node.path);
        match &node.kind {
            Kind::Dir => lines.push(format!("  dir  {:04o} {path}/", node.mode)),
            Kind::Symlink(target) => {
                lines.push(format!("  link      {path} -> {}", escape(target)))
            }
            Kind::Fifo => lines.push(format!("  fifo {:04o} {path}", node.mode)),
            Kind::Socket => lines.push(format!("  sock {:04o} {path}", node.mode)),
            Kind::Other => lines.push(format!("  othr {:04o} {path}", node.mode)),
            Kind::File(contents) => {
                lines.push(format!(
                    "  file {:04o} {path} ({} bytes)",
                    node.mode,
                    contents.len()
                ));
                for line in contents.split_inclusive(|&b| b == b'\n') {
                    lines.push(format!("    {}", quote_line(line)));
                }
            }
        }
    }
    lines
}

/// Where two byte strings first differ, with some context from each.
pub fn first_difference(name: &str, left: &[u8], right: &[u8]) -> Option<String> {
    let at = left
        .iter()
        .zip(right)
        .position(|(l, r)| l != r)
        .or_else(|| (left.len() != right.len()).then_some(left.len().min(right.len())))?;
    let from = at.saturating_sub(20);
    let show = |bytes: &[u8]| escape(&bytes[from.min(bytes.len())..bytes.len().min(at + 40)]);
    Some(format!(
        "{name} first differs at byte {at} (of {} / {}):\n  reference: …\"{}\"…\n  ours:      …\"{}\"…",
        left.len(),
        right.len(),
        show(left),
        show(right)
    ))
}

/// A line diff of `left` (shown as `-`) against `right` (`+`).
pub fn diff(left: &[String], right: &[String]) -> String {
    let prefix = left.iter().zip(right).take_while(|(l, r)| l == r).count();
    let suffix = left[prefix..]
        .iter()
        .rev()
        .zip(right[prefix..].iter().rev())
        .take_while(|(l, r)| l == r)
        .count();
    let (l, r) = (
        &left[prefix..left.len() - suffix],
        &right[prefix..right.len() - suffix],
    );
    let mut out: Vec<String> = left[..prefix].iter().map(|s| format!("  {s}")).collect();
    if l.len().saturating_mul(r.len()) <= 4_000_000 {
        out.extend(lcs_diff(l, r));
    } else {
        out.extend(l.iter().map(|s| format!("- {s}")));
        out.extend(r.iter().map(|s| format!("+ {s}")));
    }
    out.extend(left[left.len() - suffix..].iter().map(|s| format!("  {s}")));
    let total = out.len();
    let mut text = out
        .into_iter()
        .take(MAX_DIFF_LINES)
        .collect::<Vec<_>>()
        .join("\n");
    if total > MAX_DIFF_LINES {
        let _ = write!(text, "\n… {} more lines", total - MAX_DIFF_LINES);
    }
    text
}

fn lcs_diff(l: &[String], r: &[String]) -> Vec<String> {
    // table[i][j] = length of the longest common subsequence of l[i..], r[j..].
    let width = r.len() + 1;
    let mut table = vec![0u32; (l.len() + 1) * width];
    for i in (0..l.len()).rev() {
        for j in (0..r.len()).rev() {
            table[i * width + j] = if l[i] == r[j] {
                table[(i + 1) * width + j + 1] + 1
            } else {
                table[(i + 1) * width + j].max(table[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < l.len() || j < r.len() {
        if i < l.len() && j < r.len() && l[i] == r[j] {
            out.push(format!("  {}", l[i]));
            i += 1;
            j += 1;
        } else if j < r.len()
            && (i == l.len() || table[i * width + j + 1] > table[(i + 1) * width + j])
        {
            out.push(format!("+ {}", r[j]));
            j += 1;
        } else {
            out.push(format!("- {}", l[i]));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn diff_marks_removed_and_added_lines() {
        assert_eq!(
            diff(&lines("a b c d"), &lines("a x c d e")),
            "  a\n- b\n+ x\n  c\n  d\n+ e"
        );
    }

    #[test]
    fn long_lines_render_differently_when_they_differ() {
        let a = vec![b'a'; 1000];
        let mut b = a.clone();
        b[500] = b'b';
        assert_ne!(quote_line(&a), quote_line(&b));
        assert!(quote_line(&a).len() < 300);
    }

    #[test]
    fn escapes_bytes() {
        assert_eq!(escape(b"a\0\xff\n\"\\"), "a\\0\\xff\\n\\\"\\\\");
    }

    #[test]
    fn first_difference_finds_the_byte() {
        let text = first_difference("stdout", b"abcdef", b"abcxef").unwrap_or_default();
        assert!(text.contains("byte 3"), "{text}");
        assert!(first_difference("stdout", b"abc", b"abc").is_none());
        assert!(first_difference("stdout", b"abc", b"abcd")
            .unwrap_or_default()
            .contains("byte 3"));
    }
}
