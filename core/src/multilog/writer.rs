//! Where 0.76 cuts its files (LOG-9, LOG-10), computed without its small
//! writes.
//!
//! 0.76 writes each directory through a 512-byte buffer and empties every
//! buffer before each read of at most 1024 bytes; each buffer flush (or a
//! direct write of a put longer than the buffer) goes through `c_write`,
//! which caps and cuts the chunk and decides on rotation. The rotation
//! points therefore depend on that write pattern. `Writer` replays the
//! pattern as arithmetic over one growing output buffer and records the
//! rotation points, so the driver can write everything between two points
//! in one call and still produce 0.76's files byte for byte.

/// The size of 0.76's per-directory output buffer.
pub(crate) const BUFFER: usize = 512;
/// How far below the size limit a newline ends a file.
const MARGIN: u64 = 2000;

/// The output of one directory for one read of input, and its cut points.
#[derive(Clone, Debug)]
pub(crate) struct Writer {
    size: u64,
    /// Bytes `current` holds once everything planned so far is written.
    bytes: u64,
    /// Bytes at the end of `data` that sit in 0.76's buffer, not yet written.
    buffered: usize,
    /// Output produced since the last [`Writer::take`].
    data: Vec<u8>,
    /// Offsets into `data` after which the directory is rotated.
    cuts: Vec<usize>,
}

impl Writer {
    /// A writer for a directory of maximum size `size` whose `current` holds
    /// `bytes` bytes.
    pub(crate) fn new(size: u64, bytes: u64) -> Writer {
        Writer {
            size,
            bytes,
            buffered: 0,
            data: Vec::new(),
            cuts: Vec::new(),
        }
    }

    /// The size `current` will have once the planned output is written.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Set the size of `current` (start-up, or a rotation outside the plan).
    pub(crate) fn set_bytes(&mut self, bytes: u64) {
        self.bytes = bytes;
    }

    /// One 0.76 `buffer_put` of the concatenation of `parts`.
    pub(crate) fn put(&mut self, parts: &[&[u8]]) {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len > BUFFER - self.buffered {
            self.flush();
            if len > BUFFER {
                let start = self.data.len();
                self.extend(parts, len);
                self.write(start, self.data.len());
                return;
            }
        }
        self.extend(parts, len);
        self.buffered += len;
    }

    /// 0.76's put of a line's head (the concatenation of `parts`) and then
    /// of its newline.
    #[inline]
    pub(crate) fn put_line(&mut self, parts: &[&[u8]]) {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len < BUFFER - self.buffered {
            // Both fit in the buffer: nothing is written yet.
            self.extend(parts, len + 1);
            self.data.push(b'\n');
            self.buffered += len + 1;
        } else {
            self.put(parts);
            self.put(&[b"\n"]);
        }
    }

    /// 0.76's puts of `bytes` one byte at a time (the bytes of a line after
    /// its 1000th).
    pub(crate) fn put_each(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.buffered == BUFFER {
                self.flush();
            }
            let take = bytes.len().min(BUFFER - self.buffered);
            self.extend(&[&bytes[..take]], take);
            self.buffered += take;
            bytes = &bytes[take..];
        }
    }

    /// 0.76's `buffer_flush`: write what sits in the buffer.
    pub(crate) fn flush(&mut self) {
        if self.buffered > 0 {
            let end = self.data.len();
            let start = end - self.buffered;
            self.buffered = 0;
            self.write(start, end);
        }
    }

    /// Hand over the output planned so far and the offsets after which to
    /// rotate; the buffer must have been flushed.
    pub(crate) fn take(&mut self) -> (Vec<u8>, Vec<usize>) {
        debug_assert_eq!(self.buffered, 0, "flush before take");
        let capacity = self.data.capacity();
        let data = std::mem::replace(&mut self.data, Vec::with_capacity(capacity));
        (data, std::mem::take(&mut self.cuts))
    }

    #[inline]
    fn extend(&mut self, parts: &[&[u8]], len: usize) {
        if self.data.capacity() - self.data.len() < len {
            self.data.reserve(len.max(64 * 1024));
        }
        for part in parts {
            self.data.extend_from_slice(part);
        }
    }

    /// 0.76's `allwrite` of `data[start..end]` through `c_write`, assuming
    /// every write is complete (LOG-11).
    //= spec/multilog.md#log-10
    fn write(&mut self, mut start: usize, end: usize) {
        let threshold = self.size - MARGIN;
        while start < end {
            if self.bytes >= self.size {
                self.cuts.push(start);
                self.bytes = 0;
            }
            let room = usize::try_from(self.size - self.bytes).unwrap_or(usize::MAX);
            let mut len = (end - start).min(room);
            if self.bytes + len as u64 >= threshold {
                if let Some(at) = memchr::memrchr(b'\n', &self.data[start..start + len]) {
                    len = at + 1;
                }
            }
            start += len;
            self.bytes += len as u64;
            if self.bytes >= threshold && self.data[start - 1] == b'\n' {
                self.cuts.push(start);
                self.bytes = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files `data` ends up in, written as one put per line.
    fn files(size: u64, lines: &[&[u8]]) -> Vec<usize> {
        let mut w = Writer::new(size, 0);
        for line in lines {
            w.put(&[line]);
            w.put(&[b"\n"]);
        }
        w.flush();
        let (data, cuts) = w.take();
        let mut sizes = Vec::new();
        let mut last = 0;
        for cut in cuts {
            sizes.push(cut - last);
            last = cut;
        }
        sizes.push(data.len() - last);
        sizes
    }

    //= spec/multilog.md#log-10
    #[test]
    fn a_file_ends_at_the_last_newline_of_the_chunk_that_reaches_the_margin() {
        // 100-byte lines (101 with newline), 5 per 512-byte chunk: the chunk
        // that reaches 4096 - 2000 is cut after its last newline.
        let line = [b'x'; 100];
        let lines: Vec<&[u8]> = vec![&line[..]; 50];
        let sizes = files(4096, &lines);
        assert!(sizes[..sizes.len() - 1].iter().all(|&s| s % 101 == 0));
        assert!(sizes[..sizes.len() - 1]
            .iter()
            .all(|&s| (2096..=4096).contains(&s)));
        assert_eq!(sizes.iter().sum::<usize>(), 50 * 101);
    }

    //= spec/multilog.md#log-10
    #[test]
    fn a_line_longer_than_the_size_is_split_at_the_size() {
        let long = vec![b'y'; 10_000];
        let sizes = files(4096, &[&long]);
        assert_eq!(sizes, vec![4096, 4096, 10_001 - 8192]);
    }

    //= spec/multilog.md#log-10
    #[test]
    fn a_full_current_is_rotated_before_the_next_write() {
        let mut w = Writer::new(4096, 5000);
        w.put(&[b"a\n"]);
        w.flush();
        let (data, cuts) = w.take();
        assert_eq!((data, cuts), (b"a\n".to_vec(), vec![0]));
        assert_eq!(w.bytes(), 2);
    }

    //= spec/multilog.md#log-9
    #[test]
    fn puts_longer_than_the_buffer_are_written_directly() {
        // 300 bytes buffered, then a 700-byte put: the 300 are flushed as
        // one chunk (below the margin), the 700 written as another, which
        // reaches the margin and is cut after its last newline.
        let mut w = Writer::new(4096, 1500);
        w.put(&[&[b'a'; 299], b"\n"]);
        let mut big = vec![b'b'; 700];
        big[99] = b'\n';
        big[399] = b'\n';
        w.put(&[&big]);
        w.flush();
        let (_, cuts) = w.take();
        assert_eq!(cuts, vec![700]);
        assert_eq!(w.bytes(), 300);
    }
}
