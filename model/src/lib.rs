//! Reference models: the simplest code that could be right, written without
//! regard to speed, against which `dt-core` is compared by property tests.
//!
//! No I/O, no clocks, no threads (as `dt-core`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod explore;
pub mod filters;
pub mod interleave;
pub mod multilog;
pub mod scan;
pub mod supervise;
