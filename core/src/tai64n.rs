//! `tai64n`'s filter: put a label and a space in front of every line.
//!
//! The driver reads a chunk, samples the clock once, and feeds both here: all
//! lines whose first byte is in that chunk became available at the same
//! moment, so they share the label (0.76 reads the clock per line, a few
//! microseconds apart, at the same point: when the line's first byte is
//! available).

use crate::label::LABEL_LEN;

/// Line-start state carried from one chunk to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamper {
    at_line_start: bool,
}

impl Default for Stamper {
    fn default() -> Self {
        Stamper {
            at_line_start: true,
        }
    }
}

impl Stamper {
    /// A stamper at the start of its input.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append `input` to `out`, with `label` and a space before each line
    /// that starts in it. A last line without a newline stays without one.
    //= spec/tai64n.md#tai64n-1
    //= spec/tai64n.md#tai64n-2
    pub fn feed(&mut self, input: &[u8], label: &[u8; LABEL_LEN], out: &mut Vec<u8>) {
        let mut rest = input;
        while !rest.is_empty() {
            if self.at_line_start {
                out.extend_from_slice(label);
                out.push(b' ');
            }
            match memchr::memchr(b'\n', rest) {
                Some(newline) => {
                    out.extend_from_slice(&rest[..=newline]);
                    rest = &rest[newline + 1..];
                    self.at_line_start = true;
                }
                None => {
                    out.extend_from_slice(rest);
                    self.at_line_start = false;
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LABEL: &[u8; 25] = b"@4000000069249dd12e28660c";

    fn stamp_all(chunks: &[&[u8]]) -> Vec<u8> {
        let mut stamper = Stamper::new();
        let mut out = Vec::new();
        for chunk in chunks {
            stamper.feed(chunk, LABEL, &mut out);
        }
        out
    }

    //= spec/tai64n.md#tai64n-1
    //= spec/tai64n.md#tai64n-2
    #[test]
    fn every_line_gets_a_label_and_the_last_keeps_no_newline() {
        let out = stamp_all(&[b"a\n\nb"]);
        let l = "@4000000069249dd12e28660c";
        assert_eq!(
            String::from_utf8(out).expect("ascii"),
            format!("{l} a\n{l} \n{l} b")
        );
    }

    //= spec/tai64n.md#tai64n-3
    #[test]
    fn empty_input_gives_empty_output() {
        assert!(stamp_all(&[b"", b""]).is_empty());
    }

    //= spec/tai64n.md#tai64n-1
    #[test]
    fn a_line_split_across_chunks_gets_one_label() {
        assert_eq!(
            stamp_all(&[b"he", b"llo\nwo", b"rld\n"]),
            stamp_all(&[b"hello\nworld\n"])
        );
    }

    proptest! {
        //= spec/tai64n.md#tai64n-1
        //= spec/tai64n.md#tai64n-4
        #[test]
        fn chunking_never_changes_the_output(input: Vec<u8>, cuts: Vec<usize>) {
            let mut chunks = Vec::new();
            let mut start = 0;
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (input.len() + 1)).collect();
            cuts.sort_unstable();
            for cut in cuts {
                chunks.push(&input[start..cut]);
                start = cut;
            }
            chunks.push(&input[start..]);
            prop_assert_eq!(stamp_all(&chunks), stamp_all(&[&input]));
        }

        //= spec/tai64n.md#tai64n-4
        #[test]
        fn removing_the_labels_gives_back_the_input(input: Vec<u8>) {
            let out = stamp_all(&[&input]);
            let mut unlabelled = Vec::new();
            let mut at_start = true;
            let mut i = 0;
            while i < out.len() {
                if at_start {
                    prop_assert_eq!(&out[i..i + 26], &[&LABEL[..], b" "].concat()[..]);
                    i += 26;
                }
                at_start = out[i] == b'\n';
                unlabelled.push(out[i]);
                i += 1;
            }
            prop_assert_eq!(unlabelled, input);
        }
    }
}
