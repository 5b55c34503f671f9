//! `svstat`'s report line as a pure function of what it observed.
//!
//! svstat prints one line per directory on stdout, errors included:
//! `<dir>: <report>\n`. The driver gathers a [`Observation`] (in 0.76's order:
//! chdir, stat `down`, open `supervise/ok`, open and read `supervise/status`)
//! and [`render`] turns it into bytes.

use crate::status::{StatusRecord, Want};
use crate::Errno;
use tai64::Tai64;

/// What svstat found in one directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observation {
    /// `chdir(dir)` failed.
    ChdirFailed(Errno),
    /// `stat("down")` failed with something other than ENOENT.
    StatDownFailed(Errno),
    /// Opening `supervise/ok` for writing gave ENXIO: no supervise reads it.
    SuperviseNotRunning,
    /// Opening `supervise/ok` failed otherwise.
    OkOpenFailed(Errno),
    /// Opening `supervise/status` failed.
    StatusOpenFailed(Errno),
    /// Reading `supervise/status` failed.
    StatusReadFailed(Errno),
    /// `supervise/status` held fewer than 18 bytes.
    StatusBadFormat,
    /// A record was read.
    Status {
        /// The record.
        record: StatusRecord,
        /// The current time, whole TAI64 seconds.
        now: Tai64,
        /// No `down` file exists in the directory.
        normally_up: bool,
    },
}

/// The line svstat prints for `dir`, newline included.
//= spec/svstat-output.md#svstat-1
pub fn render(dir: &[u8], observation: &Observation) -> Vec<u8> {
    let mut line = Vec::with_capacity(dir.len() + 64);
    line.extend_from_slice(dir);
    line.extend_from_slice(b": ");
    let text = match *observation {
        //= spec/svstat-output.md#svstat-2
        Observation::ChdirFailed(e) => format!("unable to chdir: {e}"),
        Observation::StatDownFailed(e) => format!("unable to stat down: {e}"),
        Observation::SuperviseNotRunning => "supervise not running".to_owned(),
        Observation::OkOpenFailed(e) => format!("unable to open supervise/ok: {e}"),
        Observation::StatusOpenFailed(e) => format!("unable to open supervise/status: {e}"),
        Observation::StatusReadFailed(e) => format!("unable to read supervise/status: {e}"),
        Observation::StatusBadFormat => "unable to read supervise/status: bad format".to_owned(),
        Observation::Status {
            record,
            now,
            normally_up,
        } => report(&record, now, normally_up),
    };
    line.extend_from_slice(text.as_bytes());
    line.push(b'\n');
    line
}

/// Seconds since the record's stamp; a stamp in the future reads as 0.
//= spec/svstat-output.md#svstat-4
pub fn elapsed_secs(record: &StatusRecord, now: Tai64) -> u64 {
    now.0.saturating_sub(record.stamp.0 .0)
}

//= spec/svstat-output.md#svstat-3
fn report(record: &StatusRecord, now: Tai64, normally_up: bool) -> String {
    let seconds = elapsed_secs(record, now);
    let up = record.pid != 0;
    let mut text = if up {
        format!("up (pid {}) {seconds} seconds", record.pid)
    } else {
        format!("down {seconds} seconds")
    };
    // The suffixes are asymmetric on purpose: each is printed only where it
    // tells the reader something the first words do not.
    if up && !normally_up {
        text.push_str(", normally down");
    }
    if !up && normally_up {
        text.push_str(", normally up");
    }
    if up && record.paused {
        text.push_str(", paused");
    }
    if !up && record.want == Want::Up {
        text.push_str(", want up");
    }
    if up && record.want == Want::Down {
        text.push_str(", want down");
    }
    text
}

#[cfg(test)]
mod tests;
