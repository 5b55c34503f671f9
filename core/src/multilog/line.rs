//! Cutting input into lines the way 0.76 does (LOG-8).
//!
//! A line's first 1000 bytes, stamp included, are its *head*: the part that
//! patterns, `e` and `=` see. The head is complete at the newline, at its
//! 1000th byte, or at end of input; bytes after the 1000th are the *tail*
//! and go straight to the selected directories. Heads that lie inside one
//! read are handed out as slices of the input, without copying.

/// The longest head.
pub const HEAD_MAX: usize = 1000;
/// A stamp: a label and a space.
pub const STAMP_LEN: usize = 26;

/// What the cutter reports, in input order. `at` is the offset in the
/// current read of the byte that caused the call (`None`: end of input), so
/// the receiver can tell which of 0.76's 1024-byte reads it fell in.
pub(crate) trait LineSink {
    /// A head is complete; it is the concatenation of `parts`.
    fn head(&mut self, parts: &[&[u8]], at: Option<usize>);
    /// Bytes of the current line after its head, starting at offset `at`.
    fn tail(&mut self, bytes: &[u8], at: usize);
    /// The current line ended (its newline is at `at`; `None`: end of input).
    fn end(&mut self, at: Option<usize>);
    /// A whole line: its head is complete at its newline, at `at`. The
    /// same as `head` then `end`, which receivers may do faster.
    fn whole(&mut self, parts: &[&[u8]], at: usize) {
        self.head(parts, Some(at));
        self.end(Some(at));
    }
}

/// The line state carried from one read to the next.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineCutter {
    stamp: bool,
    /// The head so far of a line that started in an earlier read.
    carried: Vec<u8>,
    /// A line has started and its newline has not been read.
    in_line: bool,
    /// The current line's head is complete; its tail is being read.
    in_tail: bool,
}

impl LineCutter {
    /// A cutter at the start of input; `stamp` as `t` says.
    pub(crate) fn new(stamp: bool) -> LineCutter {
        LineCutter {
            stamp,
            ..LineCutter::default()
        }
    }

    /// Whether a line has started and not ended (the last byte read was not
    /// a newline).
    pub(crate) fn in_line(&self) -> bool {
        self.in_line
    }

    /// Cut one read of input. `stamp` is the label and space for lines that
    /// start in it.
    //= spec/multilog.md#log-8
    pub(crate) fn feed(&mut self, input: &[u8], stamp: &[u8; STAMP_LEN], sink: &mut impl LineSink) {
        let end = input.len();
        let mut pos = 0;
        while pos < end {
            if self.in_tail {
                match memchr::memchr(b'\n', &input[pos..]) {
                    Some(i) => {
                        if i > 0 {
                            sink.tail(&input[pos..pos + i], pos);
                        }
                        sink.end(Some(pos + i));
                        pos += i + 1;
                        self.in_tail = false;
                        self.in_line = false;
                    }
                    None => {
                        sink.tail(&input[pos..], pos);
                        pos = end;
                    }
                }
                continue;
            }
            let fresh = !self.in_line;
            self.in_line = true;
            let before: &[u8] = match (fresh, self.stamp) {
                (true, true) => stamp,
                (true, false) => &[],
                (false, _) => &self.carried,
            };
            let room = HEAD_MAX - before.len();
            let window = end.min(pos + room);
            match memchr::memchr(b'\n', &input[pos..window]) {
                Some(i) => {
                    sink.whole(&[before, &input[pos..pos + i]], pos + i);
                    pos += i + 1;
                    self.in_line = false;
                    self.carried.clear();
                }
                None if window == pos + room => {
                    sink.head(&[before, &input[pos..window]], Some(window - 1));
                    pos = window;
                    self.in_tail = true;
                    self.carried.clear();
                }
                None => {
                    if fresh {
                        self.carried.clear();
                        if self.stamp {
                            self.carried.extend_from_slice(stamp);
                        }
                    }
                    self.carried.extend_from_slice(&input[pos..]);
                    pos = end;
                }
            }
        }
    }

    /// End of input: a line in progress is complete and gets its newline.
    //= spec/multilog.md#log-8
    pub(crate) fn finish(&mut self, sink: &mut impl LineSink) {
        if self.in_line {
            if !self.in_tail {
                sink.head(&[&self.carried], None);
            }
            sink.end(None);
        }
        self.carried.clear();
        self.in_line = false;
        self.in_tail = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records the calls, and rebuilds each directory's output.
    #[derive(Default)]
    struct Record {
        heads: Vec<Vec<u8>>,
        out: Vec<u8>,
        calls: Vec<String>,
    }

    impl LineSink for Record {
        fn head(&mut self, parts: &[&[u8]], at: Option<usize>) {
            let head = parts.concat();
            self.calls.push(format!("head {} @{at:?}", head.len()));
            self.out.extend_from_slice(&head);
            self.heads.push(head);
        }
        fn tail(&mut self, bytes: &[u8], at: usize) {
            self.calls.push(format!("tail {} @{at}", bytes.len()));
            self.out.extend_from_slice(bytes);
        }
        fn end(&mut self, at: Option<usize>) {
            self.calls.push(format!("end @{at:?}"));
            self.out.push(b'\n');
        }
    }

    const STAMP: &[u8; STAMP_LEN] = b"@4000000000000000000001f4 ";

    fn cut(stamp: bool, reads: &[&[u8]]) -> Record {
        let mut cutter = LineCutter::new(stamp);
        let mut record = Record::default();
        for read in reads {
            cutter.feed(read, STAMP, &mut record);
        }
        cutter.finish(&mut record);
        record
    }

    //= spec/multilog.md#log-8
    #[test]
    fn heads_stop_at_1000_bytes_stamp_included() {
        let line = vec![b'x'; 1100];
        let input = [&line[..], b"\n"].concat();
        let r = cut(false, &[&input]);
        assert_eq!(r.heads, vec![vec![b'x'; 1000]]);
        assert_eq!(
            r.calls,
            ["head 1000 @Some(999)", "tail 100 @1000", "end @Some(1100)"]
        );
        let r = cut(true, &[&input]);
        assert_eq!(r.heads[0].len(), 1000);
        assert_eq!(&r.heads[0][..26], STAMP);
        assert_eq!(
            r.calls,
            ["head 1000 @Some(973)", "tail 126 @974", "end @Some(1100)"]
        );
    }

    //= spec/multilog.md#log-8
    #[test]
    fn a_last_line_without_newline_gets_one() {
        let r = cut(false, &[b"one\ntw", b"o"]);
        assert_eq!(r.out, b"one\ntwo\n");
        assert_eq!(r.calls[2..], ["head 3 @None", "end @None"]);
    }

    //= spec/multilog.md#log-2
    #[test]
    fn empty_lines_are_lines_and_get_stamps() {
        let r = cut(true, &[b"\n\n"]);
        assert_eq!(r.heads, vec![STAMP.to_vec(), STAMP.to_vec()]);
        let r = cut(false, &[b"\n"]);
        assert_eq!(r.out, b"\n");
        assert!(cut(true, &[]).calls.is_empty());
    }

    //= spec/multilog.md#log-8
    #[test]
    fn a_head_filled_by_the_last_byte_of_a_read_is_put_before_the_next_read() {
        let first = vec![b'a'; 1000];
        let r = cut(false, &[&first, b"\n"]);
        assert_eq!(r.calls, ["head 1000 @Some(999)", "end @Some(0)"]);
    }

    proptest! {
        //= spec/multilog.md#log-8
        #[test]
        fn output_is_the_input_with_newlines_completed(
            // Lines from empty to well past the 1000-byte head, any bytes
            // but newline in them; the last one may lack its newline.
            lines in proptest::collection::vec((0usize..2500, any::<u8>()), 0..10),
            ends_with_newline in any::<bool>(),
            cuts in proptest::collection::vec(0usize..25_000, 0..8),
        ) {
            let mut input = Vec::new();
            for (len, seed) in &lines {
                input.extend((0..*len).map(|i| match seed.wrapping_add(i as u8) {
                    b'\n' => 0,
                    other => other,
                }));
                input.push(b'\n');
            }
            if !ends_with_newline {
                input.pop();
            }
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (input.len() + 1)).collect();
            cuts.sort_unstable();
            let mut reads = Vec::new();
            let mut start = 0;
            for c in cuts {
                reads.push(&input[start..c]);
                start = c;
            }
            reads.push(&input[start..]);
            let r = cut(false, &reads);
            let mut expected = input.clone();
            if !expected.is_empty() && expected.last() != Some(&b'\n') {
                expected.push(b'\n');
            }
            prop_assert_eq!(&r.out, &expected);
            // Heads are the lines' first 1000 bytes.
            let lines: Vec<&[u8]> = expected.split(|&b| b == b'\n').collect();
            let heads: Vec<Vec<u8>> = lines[..lines.len() - 1]
                .iter()
                .map(|l| l[..l.len().min(HEAD_MAX)].to_vec())
                .collect();
            prop_assert_eq!(r.heads, heads);
        }
    }
}
