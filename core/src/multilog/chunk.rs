//! Shared, cheaply cloned byte ranges for [`super::Action::Append`].

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// A range of a buffer that the logger and the driver share: the logger
/// keeps its copy until the write is confirmed, so a short write costs no
/// copy.
#[derive(Clone)]
pub struct Chunk {
    buf: Arc<Vec<u8>>,
    range: Range<usize>,
}

impl Chunk {
    /// The bytes `range` of `buf`.
    pub(crate) fn new(buf: Arc<Vec<u8>>, range: Range<usize>) -> Chunk {
        debug_assert!(range.start <= range.end && range.end <= buf.len());
        Chunk { buf, range }
    }

    /// A chunk holding a copy of `bytes`.
    pub fn copy_of(bytes: &[u8]) -> Chunk {
        let len = bytes.len();
        Chunk::new(Arc::new(bytes.to_vec()), 0..len)
    }

    /// Drop the first `n` bytes (those already written).
    pub(crate) fn advance(&mut self, n: usize) {
        self.range.start = (self.range.start + n).min(self.range.end);
    }
}

impl Deref for Chunk {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[self.range.clone()]
    }
}

impl PartialEq for Chunk {
    fn eq(&self, other: &Chunk) -> bool {
        **self == **other
    }
}

impl Eq for Chunk {}

impl fmt::Debug for Chunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.escape_ascii())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_compare_and_show_their_bytes_wherever_they_sit() {
        let shared = Arc::new(b"xxabcxx".to_vec());
        let inner = Chunk::new(Arc::clone(&shared), 2..5);
        assert_eq!(inner, Chunk::copy_of(b"abc"));
        assert_ne!(inner, Chunk::copy_of(b"abd"));
        assert_ne!(inner, Chunk::copy_of(b"ab"));
        let mut moved = Chunk::copy_of(b"zabc");
        moved.advance(1);
        assert_eq!(moved, inner);
        assert_eq!(
            format!("{:?}", Chunk::copy_of(b"a\n\x00")),
            "b\"a\\n\\x00\""
        );
    }
}
