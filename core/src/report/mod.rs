//! Beyond 0.76: a service's state for machines (`svstatus`) and waiting for
//! a state (`svwait`), as pure functions of what was observed.
//!
//! Both programs look at a service directory the way `svstat` does (chdir,
//! stat `down`, open `supervise/ok`, read `supervise/status`: the same
//! [`ServiceProbe`](crate::svstat::ServiceProbe) questions in the same order)
//! but keep everything they learn in a [`Report`], where svstat keeps only
//! what its line shows. The renderers ([`json`], [`prometheus`]) and the
//! waiting rule ([`wait`]) are total functions of reports and a time: no
//! I/O, no clock, no panics (fuzzed).
//!
//! What this module does **not** do: read the clock, list directories or
//! watch files (`dt-os` does), or change anything 0.76's programs print.
//!
//! Requirements: `spec/status-json.md` (JSON-*, PROM-*) and `spec/svwait.md`
//! (WAIT-*).

pub mod errno_name;
pub mod json;
mod observe;
pub mod options;
pub mod prometheus;
pub mod text;
pub mod wait;

pub use observe::{log_report, observe, Outcome, Report, ServiceReport, Step};

#[cfg(test)]
mod json_check;
#[cfg(test)]
mod tests;
