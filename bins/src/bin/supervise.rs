//! supervise: start `./run` in a service directory and keep it running,
//! obeying `svc` through `supervise/control`.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

use dt_bins::diag::{die, emit, fatal_line, usage_line, warning_line, EXIT_TEMPORARY, EXIT_USAGE};
use dt_bins::show;
use dt_core::supervise::{FifoName, FifoProblem};
use dt_os::drive_supervise::{prepare, Notice, SetupError};
use dt_os::status_file::StatusWriteError;

dt_bins::entry!(program);

//= spec/supervise.md#sup-1
fn program() {
    let args = dt_bins::args();
    let [_, dir] = args.as_slice() else {
        die(EXIT_USAGE, &usage_line("supervise", "supervise dir"));
    };
    let name = show(dir).into_owned();
    let mut warn = |n: Notice| emit(&notice_line(&name, n));
    // Put together without `format!`, whose machinery would otherwise be
    // among the code every idle supervise maps (bins/symbol-order.txt).
    let prefix = |before: &str, after: &str| [before, &name, after].concat().into_bytes();
    let exec_failure = prefix("supervise: fatal: unable to start ", "/run: ");
    //= spec/extensions.md#ext-5
    let finish_failure = prefix("supervise: warning: unable to start ", "/finish: ");
    // Matched by reference: the prepared supervisor (~1.2 KiB) is not
    // copied out of the result onto the stack again.
    match &mut prepare(dir, exec_failure, finish_failure, &mut warn) {
        Ok(prepared) => std::process::exit(prepared.run(&mut warn)),
        Err(e) => die(EXIT_TEMPORARY, &setup_line(&name, e)),
    }
}

/// 0.76's fatal message for a failed start-up step.
fn setup_line(dir: &str, error: &SetupError) -> String {
    let (text, errno) = match *error {
        SetupError::SignalFd(e) => (format!("unable to create pipe for {dir}"), Some(e)),
        SetupError::Chdir(e) => (format!("unable to chdir to {dir}"), Some(e)),
        SetupError::StatDown(e) => (format!("unable to stat {dir}/down"), Some(e)),
        SetupError::Readlink(e) => ("unable to readlink ./supervise".to_owned(), Some(e)),
        SetupError::Lock(e) => (format!("unable to acquire {dir}/supervise/lock"), Some(e)),
        SetupError::ControlRead(e) => (format!("unable to read {dir}/supervise/control"), Some(e)),
        SetupError::ControlWrite(e) => {
            (format!("unable to write {dir}/supervise/control"), Some(e))
        }
        SetupError::OkRead(e) => (format!("unable to read {dir}/supervise/ok"), Some(e)),
        //= spec/deviations.md#dev-12
        SetupError::Untrusted(name, problem) => (
            format!(
                "unable to use {}: {}",
                fifo_path(dir, name),
                reason(problem)
            ),
            None,
        ),
    };
    fatal_line("supervise", &text, errno)
}

/// Where one of supervise's FIFOs is, as messages name it.
fn fifo_path(dir: &str, name: FifoName) -> String {
    format!("{dir}/supervise/{}", name.file_name())
}

/// Why a file cannot be one of supervise's FIFOs (DEV-12).
fn reason(problem: FifoProblem) -> &'static str {
    match problem {
        FifoProblem::NotFifo => "not a named pipe",
        FifoProblem::OtherOwner => "owned by another user",
        FifoProblem::OpenToOthers => "open to other users",
    }
}

/// 0.76's warning for something supervise survives.
fn notice_line(dir: &str, notice: Notice) -> String {
    let new = format!("{dir}/supervise/status.new");
    let (text, errno) = match notice {
        Notice::StatusWrite(StatusWriteError::Open(e)) => {
            (format!("unable to open {new}"), Some(e))
        }
        Notice::StatusWrite(StatusWriteError::Write(e)) => {
            (format!("unable to write {new}"), Some(e))
        }
        Notice::StatusWrite(StatusWriteError::PartialWrite) => {
            (format!("unable to write {new}: partial write"), None)
        }
        Notice::StatusWrite(StatusWriteError::Rename(e)) => {
            (format!("unable to rename {new} to status"), Some(e))
        }
        Notice::ForkFailed(e) => (
            format!("unable to fork for {dir}, sleeping 60 seconds"),
            Some(e),
        ),
        //= spec/extensions.md#ext-2
        Notice::ConfigUnreadable(file, e) => (format!("ignoring {dir}/{}", file.name()), Some(e)),
        //= spec/extensions.md#ext-14
        Notice::Watchdog(secs) => (
            format!("{dir}/run sent no WATCHDOG=1 for {secs} seconds, stopping it"),
            None,
        ),
        Notice::ConfigBadFormat(file) => {
            (format!("ignoring {dir}/{}: bad format", file.name()), None)
        }
        //= spec/deviations.md#dev-12
        Notice::Replacing(name, problem) => (
            format!("replacing {}: {}", fifo_path(dir, name), reason(problem)),
            None,
        ),
    };
    warning_line("supervise", &text, errno)
}
