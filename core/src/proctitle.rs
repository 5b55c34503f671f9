//! readproctitle's window: the last bytes of its input, shown in its own
//! argument so that `ps` displays them.

/// The shortest argument readproctitle accepts.
//= spec/svscan.md#title-1
pub const MIN_LEN: usize = 5;

/// The bytes of the argument readproctitle overwrites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcTitle {
    bytes: Vec<u8>,
}

impl ProcTitle {
    /// A window over an argument of `len` bytes, all dots at first; `None`
    /// when `len` is under [`MIN_LEN`] (readproctitle then exits 100).
    //= spec/svscan.md#title-1
    pub fn new(len: usize) -> Option<Self> {
        (len >= MIN_LEN).then(|| ProcTitle {
            bytes: vec![b'.'; len],
        })
    }

    /// Take in bytes read from standard input: NULs are ignored; each other
    /// byte shifts bytes 3 and later left by one and lands at the end, so
    /// the first three stay dots.
    //= spec/svscan.md#title-1
    pub fn feed(&mut self, input: &[u8]) {
        let window = &mut self.bytes[3..];
        // Only the last window-full of bytes can still be visible.
        let mut tail: Vec<u8> = input
            .iter()
            .rev()
            .filter(|&&b| b != 0)
            .take(window.len())
            .copied()
            .collect();
        tail.reverse();
        let shift = tail.len();
        window.copy_within(shift.., 0);
        let end = window.len();
        window[end - shift..].copy_from_slice(&tail);
    }

    /// What the argument holds now.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    //= spec/svscan.md#title-1
    #[test]
    fn shows_the_latest_bytes_after_three_dots() {
        let mut title = ProcTitle::new(10).expect("long enough");
        title.feed(b"hello world\n");
        assert_eq!(title.bytes(), b"... world\n");
        assert_eq!(ProcTitle::new(4), None);
    }

    //= spec/svscan.md#title-1
    #[test]
    fn nuls_are_ignored_and_short_input_scrolls_in_from_the_right() {
        let mut title = ProcTitle::new(8).expect("long enough");
        title.feed(b"a\0b");
        assert_eq!(title.bytes(), b"......ab");
    }

    proptest! {
        //= spec/svscan.md#title-1
        #[test]
        fn chunking_does_not_matter_and_the_tail_is_the_input_tail(
            input: Vec<u8>, cut in 0usize..64, len in 5usize..40,
        ) {
            let cut = cut.min(input.len());
            let mut whole = ProcTitle::new(len).expect("long enough");
            whole.feed(&input);
            let mut parts = ProcTitle::new(len).expect("long enough");
            parts.feed(&input[..cut]);
            parts.feed(&input[cut..]);
            prop_assert_eq!(whole.bytes(), parts.bytes());
            let kept: Vec<u8> = input.iter().copied().filter(|&b| b != 0).collect();
            let tail = &kept[kept.len().saturating_sub(len - 3)..];
            prop_assert!(whole.bytes().ends_with(tail));
            prop_assert_eq!(&whole.bytes()[..3], b"...");
        }
    }
}
