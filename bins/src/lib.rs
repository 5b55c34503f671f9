//! What the daemontools binaries share: exit codes and the one place where
//! diagnostics are worded (`prog: fatal: …`, `prog: warning: …`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod diag;
