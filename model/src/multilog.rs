//! Reference model of multilog's output: 0.76's `doit`, `buffer_put` and
//! `c_write` transliterated byte by byte, with rotation as "start a new
//! file" and trimming as "drop the oldest". No filesystem steps, no
//! failures: what the files must contain when everything works.

/// A directory in the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelDir {
    /// Maximum size.
    pub size: u64,
    /// Number of log files (at most `num - 1` archives).
    pub num: usize,
}

/// One script action, per line, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelOp {
    /// `+pattern`.
    Select(Vec<u8>),
    /// `-pattern`.
    Deselect(Vec<u8>),
    /// `e`.
    Stderr,
    /// `=file` number i.
    Status(usize),
    /// Directory number i.
    Dir(usize),
}

/// What 0.76 ends with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelOutput {
    /// Per directory: archives oldest first, then `current`.
    pub files: Vec<Vec<Vec<u8>>>,
    /// What `e` wrote.
    pub stderr: Vec<u8>,
    /// Per `=` file: its last contents (None if never written).
    pub status: Vec<Option<Vec<u8>>>,
}

/// 0.76's matcher, written as a recursion over the pattern.
pub fn model_match(pattern: &[u8], line: &[u8]) -> bool {
    match pattern.split_first() {
        None => line.is_empty(),
        Some((b'*', rest)) => match rest.first() {
            None => true,
            Some(c) => match line.iter().position(|b| b == c) {
                Some(at) => model_match(rest, &line[at..]),
                None => false,
            },
        },
        Some((c, rest)) => line.first() == Some(c) && model_match(rest, &line[1..]),
    }
}

struct Out {
    size: u64,
    num: usize,
    archives: Vec<Vec<u8>>,
    current: Vec<u8>,
    buf: Vec<u8>,
}

impl Out {
    fn rotate(&mut self) {
        self.archives.push(std::mem::take(&mut self.current));
        while self.archives.len() >= self.num {
            self.archives.remove(0);
        }
    }

    fn c_write(&mut self, chunk: &[u8]) -> usize {
        if self.current.len() as u64 >= self.size {
            self.rotate();
        }
        let bytes = self.current.len() as u64;
        let mut len = chunk.len() as u64;
        if bytes + len >= self.size {
            len = self.size - bytes;
        }
        if bytes + len >= self.size - 2000 {
            if let Some(at) = chunk[..len as usize].iter().rposition(|&b| b == b'\n') {
                len = at as u64 + 1;
            }
        }
        let len = len as usize;
        self.current.extend_from_slice(&chunk[..len]);
        if self.current.len() as u64 >= self.size - 2000 && chunk[len - 1] == b'\n' {
            self.rotate();
        }
        len
    }

    fn allwrite(&mut self, mut chunk: &[u8]) {
        while !chunk.is_empty() {
            let w = self.c_write(chunk);
            chunk = &chunk[w..];
        }
    }

    fn flush(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        self.allwrite(&buf);
    }

    fn put(&mut self, s: &[u8]) {
        if s.len() > 512 - self.buf.len() {
            self.flush();
            if s.len() > 512 {
                self.allwrite(s);
                return;
            }
        }
        self.buf.extend_from_slice(s);
    }
}

/// Run 0.76 over `input`, delivered as `reads` (each split again into
/// reads of at most 1024 bytes, as 0.76 reads). `stamp` is the 26-byte
/// prefix for every line, if `t`.
pub fn model_run(
    ops: &[ModelOp],
    dirs: &[ModelDir],
    status_files: usize,
    stamp: Option<&[u8]>,
    reads: &[&[u8]],
) -> ModelOutput {
    let mut outs: Vec<Out> = dirs
        .iter()
        .map(|d| Out {
            size: d.size,
            num: d.num,
            archives: Vec::new(),
            current: Vec::new(),
            buf: Vec::new(),
        })
        .collect();
    let mut result = ModelOutput {
        status: vec![None; status_files],
        ..ModelOutput::default()
    };
    // 0.76's reads: at most 1024 bytes, never across the driver's reads.
    let mut small: Vec<&[u8]> = Vec::new();
    for read in reads {
        small.extend(read.chunks(1024));
    }
    let mut small = small.into_iter();
    let mut inbuf: &[u8] = &[];
    let mut selected = vec![true; dirs.len()];
    // Get one byte, flushing every buffer before each read.
    let mut getc = |outs: &mut Vec<Out>| -> Option<u8> {
        if inbuf.is_empty() {
            for out in outs.iter_mut() {
                out.flush();
            }
            inbuf = small.next()?;
        }
        let c = inbuf[0];
        inbuf = &inbuf[1..];
        Some(c)
    };
    loop {
        let mut line: Vec<u8> = Vec::new();
        let mut eof = false;
        while line.len() < 1000 {
            let Some(c) = getc(&mut outs) else {
                if line.is_empty() {
                    for out in outs.iter_mut() {
                        out.flush();
                    }
                    return finish(outs, result);
                }
                eof = true;
                break;
            };
            if line.is_empty() {
                if let Some(stamp) = stamp {
                    line.extend_from_slice(stamp);
                }
            }
            if c == b'\n' {
                break;
            }
            line.push(c);
        }
        let mut sel = true;
        for op in ops {
            match op {
                ModelOp::Select(p) => {
                    if !sel && model_match(p, &line) {
                        sel = true;
                    }
                }
                ModelOp::Deselect(p) => {
                    if sel && model_match(p, &line) {
                        sel = false;
                    }
                }
                ModelOp::Stderr => {
                    if sel {
                        if line.len() > 200 {
                            result.stderr.extend_from_slice(&line[..200]);
                            result.stderr.extend_from_slice(b"...\n");
                        } else {
                            result.stderr.extend_from_slice(&line);
                            result.stderr.push(b'\n');
                        }
                    }
                }
                ModelOp::Status(i) => {
                    if sel {
                        let mut s = line.clone();
                        s.resize(1001, b'\n');
                        result.status[*i] = Some(s);
                    }
                }
                ModelOp::Dir(i) => selected[*i] = sel,
            }
        }
        for (out, &sel) in outs.iter_mut().zip(&selected) {
            if sel {
                out.put(&line);
            }
        }
        if line.len() == 1000 {
            loop {
                match getc(&mut outs) {
                    None => {
                        eof = true;
                        break;
                    }
                    Some(b'\n') => break,
                    Some(c) => {
                        for (out, &sel) in outs.iter_mut().zip(&selected) {
                            if sel {
                                out.put(&[c]);
                            }
                        }
                    }
                }
            }
        }
        for (out, &sel) in outs.iter_mut().zip(&selected) {
            if sel {
                out.put(b"\n");
            }
        }
        if eof {
            for out in outs.iter_mut() {
                out.flush();
            }
            return finish(outs, result);
        }
    }
}

fn finish(outs: Vec<Out>, mut result: ModelOutput) -> ModelOutput {
    result.files = outs
        .into_iter()
        .map(|out| {
            let mut files = out.archives;
            files.push(out.current);
            files
        })
        .collect();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/multilog.md#log-4
    #[test]
    fn the_matcher_model_agrees_with_the_observed_examples() {
        assert!(!model_match(b"* one", b"  one"));
        assert!(model_match(b"* one", b"xy one"));
        assert!(!model_match(b"a*c", b"abcbc"));
        assert!(model_match(b"a*c*", b"abcbc"));
        assert!(model_match(b"*", b""));
    }

    //= spec/multilog.md#log-10
    #[test]
    fn files_hold_whole_lines_between_size_minus_2000_and_size() {
        let line = [b'x'; 99];
        let input: Vec<u8> = (0..200).flat_map(|_| [&line[..], b"\n"].concat()).collect();
        let out = model_run(
            &[ModelOp::Dir(0)],
            &[ModelDir {
                size: 4096,
                num: 1000,
            }],
            0,
            None,
            &[&input],
        );
        let files = &out.files[0];
        assert_eq!(files.concat(), input);
        for file in &files[..files.len() - 1] {
            assert!((2096..=4096).contains(&file.len()));
            assert_eq!(file.last(), Some(&b'\n'));
        }
    }
}
