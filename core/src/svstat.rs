//! `svstat`'s report line as a pure function of what it observed.
//!
//! svstat prints one line per directory on stdout, errors included:
//! `<dir>: <report>\n`. The driver gathers a [`Observation`] (in 0.76's order:
//! chdir, stat `down`, open `supervise/ok`, open and read `supervise/status`)
//! and [`render`] turns it into bytes.

use crate::status::{StatusRecord, Want, STATUS_LEN};
use crate::supervise::Extra;
use crate::tai64nlocal::push_decimal;
use crate::Errno;
use std::fmt::Write as _;
use tai64::Tai64;

/// What svstat found in one directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
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
        #[cfg_attr(feature = "arbitrary", arbitrary(with = arbitrary_tai64))]
        now: Tai64,
        /// No `down` file exists in the directory.
        normally_up: bool,
    },
}

/// Any TAI64 second (`tai64` has no `Arbitrary` impl).
#[cfg(feature = "arbitrary")]
fn arbitrary_tai64(u: &mut arbitrary::Unstructured<'_>) -> arbitrary::Result<Tai64> {
    Ok(Tai64(u.arbitrary()?))
}

/// The line svstat prints for `dir`, newline included.
//= spec/svstat-output.md#svstat-1
pub fn render(dir: &[u8], observation: &Observation) -> Vec<u8> {
    render_with_extra(dir, observation, None)
}

/// [`render`], with what the extension lines say appended to a status
/// report (spec/extensions.md EXT-8): nothing for a status file without
/// extension lines (or with lines that say nothing), so 0.76's line is
/// unchanged.
//= spec/extensions.md#ext-8
pub fn render_with_extra(dir: &[u8], observation: &Observation, extra: Option<&Extra>) -> Vec<u8> {
    let mut line = Vec::with_capacity(dir.len() + 64);
    render_into(&mut line, dir, observation, extra);
    line
}

/// [`render_with_extra`], appended to `out`: svstat gathers the lines of
/// all its directories in one buffer without a buffer per line.
//= spec/svstat-output.md#svstat-1
pub fn render_into(
    out: &mut Vec<u8>,
    dir: &[u8],
    observation: &Observation,
    extra: Option<&Extra>,
) {
    out.extend_from_slice(dir);
    out.extend_from_slice(b": ");
    // Appending to a Vec cannot fail.
    let _ = match *observation {
        //= spec/svstat-output.md#svstat-2
        Observation::ChdirFailed(e) => write!(Append(out), "unable to chdir: {e}"),
        Observation::StatDownFailed(e) => write!(Append(out), "unable to stat down: {e}"),
        Observation::SuperviseNotRunning => write!(Append(out), "supervise not running"),
        Observation::OkOpenFailed(e) => write!(Append(out), "unable to open supervise/ok: {e}"),
        Observation::StatusOpenFailed(e) => {
            write!(Append(out), "unable to open supervise/status: {e}")
        }
        Observation::StatusReadFailed(e) => {
            write!(Append(out), "unable to read supervise/status: {e}")
        }
        Observation::StatusBadFormat => {
            write!(Append(out), "unable to read supervise/status: bad format")
        }
        Observation::Status {
            record,
            now,
            normally_up,
        } => {
            report(out, &record, now, normally_up);
            if let Some(extra) = extra {
                extra_suffix(out, extra, &record, now);
            }
            Ok(())
        }
    };
    out.push(b'\n');
}

/// Seconds since the record's stamp; a stamp in the future reads as 0.
//= spec/svstat-output.md#svstat-4
pub fn elapsed_secs(record: &StatusRecord, now: Tai64) -> u64 {
    now.0.saturating_sub(record.stamp.0 .0)
}

/// Formatted text appended to a byte buffer.
struct Append<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Append<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

//= spec/svstat-output.md#svstat-3
fn report(out: &mut Vec<u8>, record: &StatusRecord, now: Tai64, normally_up: bool) {
    let seconds = elapsed_secs(record, now);
    let up = record.pid != 0;
    // svstat prints a thousand of these in a row: no formatting machinery.
    if up {
        out.extend_from_slice(b"up (pid ");
        push_decimal(out, u64::from(record.pid), 1);
        out.extend_from_slice(b") ");
    } else {
        out.extend_from_slice(b"down ");
    }
    push_decimal(out, seconds, 1);
    out.extend_from_slice(b" seconds");
    // The suffixes are asymmetric on purpose: each is printed only where it
    // tells the reader something the first words do not.
    if up && !normally_up {
        out.extend_from_slice(b", normally down");
    }
    if !up && normally_up {
        out.extend_from_slice(b", normally up");
    }
    if up && record.paused {
        out.extend_from_slice(b", paused");
    }
    if !up && record.want == Want::Up {
        out.extend_from_slice(b", want up");
    }
    if up && record.want == Want::Down {
        out.extend_from_slice(b", want down");
    }
}

/// What svstat appends for the extension lines (EXT-8).
//= spec/extensions.md#ext-8
fn extra_suffix(out: &mut Vec<u8>, extra: &Extra, record: &StatusRecord, now: Tai64) {
    //= spec/extensions.md#ext-11
    match extra.readiness_of(record.pid) {
        Some(Some(since)) => {
            let seconds = now.0.saturating_sub(since.0 .0);
            let _ = write!(Append(out), ", ready {seconds} seconds");
        }
        Some(None) => out.extend_from_slice(b", not ready"),
        None => {}
    }
    //= spec/extensions.md#ext-13
    if let Some(status) = extra.status_of(record.pid) {
        out.extend_from_slice(b", status: ");
        out.extend_from_slice(String::from_utf8_lossy(status.as_bytes()).as_bytes());
    }
    if extra.finishing.is_some() {
        out.extend_from_slice(b", finishing");
    }
    if let Some((at, attempt)) = extra.restart {
        let left = seconds_until(at, now);
        let _ = write!(
            Append(out),
            ", restarting in {left} seconds (attempt {attempt})"
        );
    }
    if let Some(failures) = extra.given_up {
        let _ = write!(Append(out), ", given up after {failures} failures");
    }
}

/// Whole seconds from `now` until `at`, rounded up; 0 once it has come
/// (EXT-8's restart countdown).
//= spec/extensions.md#ext-8
pub fn seconds_until(at: tai64::Tai64N, now: Tai64) -> u64 {
    let whole = at.0 .0.saturating_sub(now.0);
    if at.0 .0 >= now.0 && at.1 > 0 {
        whole.saturating_add(1)
    } else {
        whole
    }
}

/// The file-system questions svstat asks about one directory, answered by
/// the driver. Each answer is the error number of a failed call, if any.
pub trait ServiceProbe {
    /// `chdir(dir)`.
    fn chdir(&mut self) -> Result<(), Errno>;
    /// `stat("down")`.
    fn stat_down(&mut self) -> Result<(), Errno>;
    /// Open `supervise/ok` for writing without blocking (and close it).
    fn open_ok(&mut self) -> Result<(), Errno>;
    /// Open `supervise/status` and read it: 0.76's 18-byte record in one
    /// read, as 0.76 reads it, and whatever the extensions wrote after it
    /// (`spec/extensions.md` EXT-7).
    fn read_status(&mut self) -> Result<Vec<u8>, StatusReadError>;
}

/// Which half of reading the status file failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusReadError {
    /// Opening it.
    Open(Errno),
    /// Reading it.
    Read(Errno),
}

/// Ask `probe` the questions in 0.76's order and interpret the answers.
//= spec/svstat-output.md#svstat-2
pub fn observe(probe: &mut impl ServiceProbe, now: Tai64) -> Observation {
    observe_with_extra(probe, now).0
}

/// [`observe`], and what the extensions wrote after the record, if they
/// wrote anything (`spec/extensions.md` EXT-7). Reading it costs svstat no
/// system call beyond 0.76's.
//= spec/extensions.md#ext-8
pub fn observe_with_extra(
    probe: &mut impl ServiceProbe,
    now: Tai64,
) -> (Observation, Option<Extra>) {
    if let Err(e) = probe.chdir() {
        return (Observation::ChdirFailed(e), None);
    }
    let normally_up = match probe.stat_down() {
        Ok(()) => false,
        Err(Errno::ENOENT) => true,
        Err(e) => return (Observation::StatDownFailed(e), None),
    };
    match probe.open_ok() {
        Ok(()) => {}
        Err(Errno::ENXIO) => return (Observation::SuperviseNotRunning, None),
        Err(e) => return (Observation::OkOpenFailed(e), None),
    }
    let bytes = match probe.read_status() {
        Ok(bytes) => bytes,
        Err(StatusReadError::Open(e)) => return (Observation::StatusOpenFailed(e), None),
        Err(StatusReadError::Read(e)) => return (Observation::StatusReadFailed(e), None),
    };
    match StatusRecord::decode(&bytes) {
        Ok(record) => (
            Observation::Status {
                record,
                now,
                normally_up,
            },
            extra_after_record(&bytes),
        ),
        Err(_) => (Observation::StatusBadFormat, None),
    }
}

/// What follows the 18-byte record in a status file: nothing for 0.76's
/// files, else the extensions' lines (EXT-7).
//= spec/extensions.md#ext-7
pub fn extra_after_record(status_file: &[u8]) -> Option<Extra> {
    match status_file.get(STATUS_LEN..) {
        Some(tail) if !tail.is_empty() => Some(Extra::decode(tail)),
        _ => None,
    }
}

/// What `svok` concludes from opening `supervise/ok` for writing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SvokVerdict {
    /// A supervise holds the FIFO open: exit 0.
    Running,
    /// No FIFO or no reader: exit 100 silently.
    NotRunning,
    /// Anything else: `unable to open <dir>/supervise/ok: <error>`, exit 111.
    Failed(Errno),
}

/// svok's reading of the result of opening `supervise/ok`.
//= spec/svstat-output.md#svok-1
pub fn svok_verdict(open_ok: Result<(), Errno>) -> SvokVerdict {
    match open_ok {
        Ok(()) => SvokVerdict::Running,
        Err(Errno::ENOENT | Errno::ENXIO) => SvokVerdict::NotRunning,
        Err(e) => SvokVerdict::Failed(e),
    }
}

#[cfg(test)]
mod tests;
