//! multilog as pure code: the script, the pattern matcher, and (below) the
//! `Logger` machine that turns input bytes into filesystem steps.
//!
//! Requirements: `spec/multilog.md`.

pub mod matcher;
pub mod script;

pub use matcher::matches;
pub use script::{parse, DirConfig, Directive, Op, Script};
