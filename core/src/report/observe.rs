//! What one look at a service directory found, in full.

use crate::status::StatusRecord;
use crate::supervise::Extra;
use crate::svstat::{extra_after_record, ServiceProbe, StatusReadError};
use crate::Errno;

/// The step of svstat's sequence at which looking at a directory stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Step {
    /// `chdir(dir)`.
    Chdir,
    /// `stat("down")`.
    StatDown,
    /// Opening `supervise/ok` for writing without blocking.
    OpenOk,
    /// Opening `supervise/status`.
    OpenStatus,
    /// Reading `supervise/status` (including finding fewer than 18 bytes).
    ReadStatus,
}

impl Step {
    /// The step's name in schema 1 (`"chdir"`, `"stat down"`, …).
    //= spec/status-json.md#json-4
    pub fn name(self) -> &'static str {
        match self {
            Step::Chdir => "chdir",
            Step::StatDown => "stat down",
            Step::OpenOk => "open supervise/ok",
            Step::OpenStatus => "open supervise/status",
            Step::ReadStatus => "read supervise/status",
        }
    }
}

/// How the look ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Outcome {
    /// A record was read while a supervise held `supervise/ok` open.
    Status(StatusRecord),
    /// Opening `supervise/ok` gave ENXIO: no supervise reads it.
    NotRunning,
    /// A step failed with an error number, or (`errno: None`, only at
    /// [`Step::ReadStatus`]) the status file held fewer than 18 bytes.
    Failed {
        /// Where.
        step: Step,
        /// The error, if the failure was a system call's.
        errno: Option<Errno>,
    },
}

/// Everything one look at a service directory found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Report {
    /// `Some(true)` if there is no `down` file, `Some(false)` if there is
    /// one, `None` if the look stopped before asking.
    pub normally_up: Option<bool>,
    /// How it ended.
    pub outcome: Outcome,
    /// What the extensions wrote after the record in the status file
    /// (`spec/extensions.md` EXT-7); `None` without a record or without
    /// such lines.
    pub extra: Option<Extra>,
}

impl Report {
    /// Whether a supervise is running on the directory, as far as the look
    /// got: `Some(true)` once `supervise/ok` opened, `Some(false)` for ENXIO
    /// or ENOENT on it (svok's "not running"), `None` before or otherwise.
    //= spec/status-json.md#json-5
    pub fn supervise_running(&self) -> Option<bool> {
        match self.outcome {
            Outcome::Status(_) => Some(true),
            Outcome::NotRunning => Some(false),
            Outcome::Failed { step, errno } => match step {
                Step::Chdir | Step::StatDown => None,
                Step::OpenOk if errno == Some(Errno::ENOENT) => Some(false),
                Step::OpenOk => None,
                Step::OpenStatus | Step::ReadStatus => Some(true),
            },
        }
    }

    /// The record, if one was read.
    pub fn record(&self) -> Option<&StatusRecord> {
        match &self.outcome {
            Outcome::Status(record) => Some(record),
            _ => None,
        }
    }

    /// What svstat prints after `dir: ` for a look that did not end in a
    /// record (`unable to chdir: file does not exist`, `supervise not
    /// running`, …), word for word; `None` for a record.
    //= spec/status-json.md#json-4
    pub fn error_text(&self) -> Option<String> {
        let (step, errno) = match self.outcome {
            Outcome::Status(_) => return None,
            Outcome::NotRunning => return Some("supervise not running".to_owned()),
            Outcome::Failed { step, errno } => (step, errno),
        };
        let what = match step {
            Step::Chdir => "unable to chdir",
            Step::StatDown => "unable to stat down",
            Step::OpenOk => "unable to open supervise/ok",
            Step::OpenStatus => "unable to open supervise/status",
            Step::ReadStatus => "unable to read supervise/status",
        };
        let why = errno.map_or("bad format", Errno::describe);
        Some(format!("{what}: {why}"))
    }

    /// The step and error number of a look that did not end in a record.
    /// "Not running" is the ENXIO of opening `supervise/ok`.
    pub fn failure(&self) -> Option<(Step, Option<Errno>)> {
        match self.outcome {
            Outcome::Status(_) => None,
            Outcome::NotRunning => Some((Step::OpenOk, Some(Errno::ENXIO))),
            Outcome::Failed { step, errno } => Some((step, errno)),
        }
    }
}

/// A service directory as named, its report, and its `log` service's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ServiceReport {
    /// The directory argument, any bytes.
    pub dir: Vec<u8>,
    /// What was found in it.
    pub main: Report,
    /// What was found in `<dir>/log`, if that exists (see [`log_report`]).
    pub log: Option<Report>,
}

/// Ask `probe` svstat's questions in 0.76's order and keep every answer.
//= spec/status-json.md#json-3
pub fn observe(probe: &mut impl ServiceProbe) -> Report {
    let failed = |step, errno| Report {
        normally_up: None,
        extra: None,
        outcome: Outcome::Failed {
            step,
            errno: Some(errno),
        },
    };
    if let Err(e) = probe.chdir() {
        return failed(Step::Chdir, e);
    }
    let normally_up = match probe.stat_down() {
        Ok(()) => false,
        Err(Errno::ENOENT) => true,
        Err(e) => return failed(Step::StatDown, e),
    };
    let mut extra = None;
    let outcome = match probe.open_ok() {
        Err(Errno::ENXIO) => Outcome::NotRunning,
        Err(e) => Outcome::Failed {
            step: Step::OpenOk,
            errno: Some(e),
        },
        Ok(()) => match probe.read_status() {
            Err(StatusReadError::Open(e)) => Outcome::Failed {
                step: Step::OpenStatus,
                errno: Some(e),
            },
            Err(StatusReadError::Read(e)) => Outcome::Failed {
                step: Step::ReadStatus,
                errno: Some(e),
            },
            Ok(bytes) => match StatusRecord::decode(&bytes) {
                //= spec/extensions.md#ext-12
                Ok(record) => {
                    extra = extra_after_record(&bytes);
                    Outcome::Status(record)
                }
                Err(_) => Outcome::Failed {
                    step: Step::ReadStatus,
                    errno: None,
                },
            },
        },
    };
    Report {
        normally_up: Some(normally_up),
        outcome,
        extra,
    }
}

/// The report of `<dir>/log` as the service report carries it: a log
/// directory that does not exist (chdir gives ENOENT or ENOTDIR) is no log
/// service at all, not an error.
//= spec/status-json.md#json-7
pub fn log_report(report: Report) -> Option<Report> {
    match report.outcome {
        Outcome::Failed {
            step: Step::Chdir,
            errno: Some(Errno::ENOENT | Errno::ENOTDIR),
        } => None,
        _ => Some(report),
    }
}
