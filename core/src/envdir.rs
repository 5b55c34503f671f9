//! envdir's reading of a directory, as pure functions: which entries count,
//! and what a file's bytes mean for the environment.
//!
//! The driver (`dt_os::envdir`) lists the directory, asks [`classify`]
//! about each name, feeds the bytes it reads to a [`FirstLine`] until that
//! says [`Progress::Done`], and turns the result into an
//! [`EnvChange`] with [`change`].

use crate::pathexec::EnvChange;

/// The longest first line envdir accepts (before trimming), in bytes.
///
/// 0.76 reads whole files with no limit. Linux refuses to exec with an
/// environment string over 128 KiB anyway, so a longer line could only be
/// useful if almost all of it were trailing blanks (DEV-5).
//= spec/deviations.md#dev-5
pub const MAX_LINE: usize = 1 << 20;

/// What envdir does with a directory entry, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A name starting with `.`: ignored.
    Skip,
    /// A name that is not a variable name: envdir stops with an error.
    Refuse(NameError),
    /// A variable: read the file.
    Read,
}

/// Why a file name cannot name a variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// The name holds `=`, which would make the entry set another variable.
    ContainsEquals,
}

/// What envdir does with the entry called `name`.
//= spec/tools.md#envdir-3
//= spec/deviations.md#dev-3
pub fn classify(name: &[u8]) -> Entry {
    if name.first() == Some(&b'.') {
        Entry::Skip
    } else if name.contains(&b'=') {
        Entry::Refuse(NameError::ContainsEquals)
    } else {
        Entry::Read
    }
}

/// Whether to read on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The first line has not ended yet: read more (end of file is fine).
    More,
    /// The first line is complete; the rest of the file does not matter.
    Done,
    /// The first line is longer than [`MAX_LINE`].
    TooLong,
}

/// The first line of a file, collected from the chunks read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FirstLine {
    line: Vec<u8>,
    empty: bool,
    complete: bool,
}

impl FirstLine {
    /// Nothing read yet.
    pub fn new() -> Self {
        FirstLine {
            line: Vec::new(),
            empty: true,
            complete: false,
        }
    }

    /// The next bytes of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Progress {
        if self.complete {
            return Progress::Done;
        }
        if !chunk.is_empty() {
            self.empty = false;
        }
        match memchr::memchr(b'\n', chunk) {
            Some(at) => {
                self.line.extend_from_slice(&chunk[..at]);
                self.complete = true;
            }
            None => self.line.extend_from_slice(chunk),
        }
        if self.line.len() > MAX_LINE {
            Progress::TooLong
        } else if self.complete {
            Progress::Done
        } else {
            Progress::More
        }
    }

    /// The variable's new value once reading stopped: `None` (remove the
    /// variable) for an empty file, else [`value`] of the first line.
    pub fn finish(self) -> Option<Vec<u8>> {
        if self.empty {
            None
        } else {
            Some(value(self.line))
        }
    }
}

/// The value a first line (without its newline) gives: trailing spaces and
/// tabs removed, then every NUL turned into a newline.
//= spec/tools.md#envdir-4
pub fn value(mut line: Vec<u8>) -> Vec<u8> {
    while matches!(line.last(), Some(b' ' | b'\t')) {
        line.pop();
    }
    for byte in &mut line {
        if *byte == 0 {
            *byte = b'\n';
        }
    }
    line
}

/// What a whole file's `contents` give: `None` if it is empty, else the
/// [`value`] of its first line.
//= spec/tools.md#envdir-4
pub fn value_of(contents: &[u8]) -> Option<Vec<u8>> {
    let mut first = FirstLine::new();
    let _ = first.push(contents);
    first.finish()
}

/// The change for variable `name` whose file gave `value`: `None` (an empty
/// file, or one that vanished between listing and opening) removes it.
//= spec/tools.md#envdir-4
//= spec/deviations.md#dev-4
pub fn change(name: &[u8], value: Option<Vec<u8>>) -> EnvChange {
    match value {
        Some(value) => EnvChange::Set {
            name: name.to_vec(),
            value,
        },
        None => EnvChange::Unset {
            name: name.to_vec(),
        },
    }
}

#[cfg(test)]
mod tests;
