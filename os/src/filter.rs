//! The read–transform–write loop of the stdin→stdout filters (tai64n,
//! tai64nlocal).

use crate::errno::from_nix;
use dt_core::Errno;
use std::io::{stdin, stdout};
use std::os::fd::AsFd;

/// How a filter's loop ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterError {
    /// Reading standard input failed.
    Read(Errno),
    /// Writing standard output failed.
    Write(Errno),
}

/// Size of one read: the largest chunk a Linux pipe hands over by default.
const CHUNK: usize = 64 * 1024;

/// Read standard input to its end, passing each chunk read to `transform`
/// as `Some(chunk)` (it appends its output to the buffer it is given) and
/// writing the output before the next read, so output keeps pace with
/// trickling input. At end of input `transform` gets `None` and may append a
/// last piece.
pub fn run(mut transform: impl FnMut(Option<&[u8]>, &mut Vec<u8>)) -> Result<(), FilterError> {
    let input = stdin();
    let output = stdout();
    let mut buf = vec![0u8; CHUNK];
    let mut out = Vec::with_capacity(CHUNK * 2);
    loop {
        let n = loop {
            match nix::unistd::read(input.as_fd(), &mut buf) {
                Ok(n) => break n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(FilterError::Read(from_nix(e))),
            }
        };
        if n == 0 {
            transform(None, &mut out);
            return write_all(&output, &out);
        }
        transform(Some(&buf[..n]), &mut out);
        write_all(&output, &out)?;
        out.clear();
    }
}

fn write_all(output: &impl AsFd, mut bytes: &[u8]) -> Result<(), FilterError> {
    while !bytes.is_empty() {
        match nix::unistd::write(output.as_fd(), bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(FilterError::Write(from_nix(e))),
        }
    }
    Ok(())
}
