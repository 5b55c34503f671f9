//! multilog as pure code: the script, the pattern matcher, and the
//! [`Logger`] machine that turns input into filesystem steps.
//!
//! Requirements: `spec/multilog.md` (LOG-n).
//!
//! # Run-loop contract
//!
//! The driver builds the machine with [`Logger::new`] and carries out the
//! actions it returns, in order, then loops:
//!
//! 1. Carry out every action in order. An action that needs an answer
//!    (every filesystem action but `Close`, see [`Action`]) is answered at
//!    once with `StepDone`/`StepFailed` — or, for `SpawnProcessor`, with
//!    `ProcessorExited` when the processor ends — and the answer's actions
//!    are carried out before anything else. At most one action waits for an
//!    answer at any time. `Exit(code)` ends the program.
//! 2. Otherwise wait for whichever comes first: input, if
//!    [`Logger::wants_input`] says so (read at most one byte for
//!    [`ReadSize::OneByte`]; send `Input` with what was read, `Eof` at end of
//!    input or on a read error); SIGTERM (`Term`); SIGALRM (`Alarm`); the
//!    end of a running processor; or [`Logger::next_deadline`] (`Tick`).
//!
//! Input is never read while the machine is busy or pausing, so a slow disk
//! holds the writer back through the pipe, as in 0.76. The machine never
//! blocks and never sleeps: a pause is a deadline.
//!
//! Files are cut exactly where 0.76 cuts them if every `Input` is one
//! `read` of at most a multiple of 1024 bytes that returned everything
//! available (LOG-9).

mod action;
mod chunk;
mod event;
mod line;
mod machine;
pub mod matcher;
pub mod memfs;
mod rotate;
pub mod script;
mod writer;

pub use action::{Action, Cause, Failure, Fatal, FileName, OpenMode, Problem};
pub use chunk::Chunk;
pub use event::{Done, Event, FileInfo, FileKind};
pub use line::{HEAD_MAX, STAMP_LEN};
pub use machine::{Logger, ReadSize, PAUSE_SECS, READ_0_76, STATUS_LEN, STDERR_MAX};
pub use matcher::matches;
pub use rotate::is_archive;
pub use script::{parse, DirConfig, Directive, Op, Script};

#[cfg(test)]
mod tests;
