//! svscan: start and keep a supervise for every service directory.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

use dt_bins::diag::{die, emit, fatal_line, warning_line, EXIT_TEMPORARY, EXIT_USAGE};
use dt_bins::show;
use dt_core::scan::{
    parse_grace, parse_limit, Role, Warning, INSTANT_VARIABLE, LIMIT_CEILING, LIMIT_VARIABLE,
    MAX_SERVICES, STOP_VARIABLE,
};
use dt_os::drive_scan::{run, ChildStage, Options, SetupError, StopMode};
use std::os::unix::ffi::OsStrExt;

dt_bins::entry!(program);

//= spec/svscan.md#scan-1
fn program() {
    let args = dt_bins::args();
    if let Some(dir) = args.get(1) {
        if let Err(e) = dt_os::service_dir::chdir(dir) {
            let text = format!("unable to chdir to {}", show(dir));
            die(EXIT_TEMPORARY, &fatal_line("svscan", &text, Some(e)));
        }
    }
    let options = Options {
        stop: stop_mode(),
        //= spec/svscan.md#scan-10
        instant: std::env::var_os(INSTANT_VARIABLE).is_some(),
        max_services: max_services(),
    };
    let Err(e) = run(options, &mut |w| emit(&warning(w)), &child_message);
    let (text, errno) = match e {
        SetupError::Signals(errno) if options.stop.is_some() => {
            ("unable to set up signals for stopping", errno)
        }
        SetupError::Signals(errno) => ("unable to set up SIGALRM", errno),
        SetupError::Watch(errno) => ("unable to watch directory", errno),
    };
    die(EXIT_TEMPORARY, &fatal_line("svscan", text, Some(errno)))
}

/// The service limit from `SVSCAN_MAX_SERVICES` (unset: 0.76's 1000).
//= spec/svscan.md#scan-11
fn max_services() -> usize {
    let Some(value) = std::env::var_os(LIMIT_VARIABLE) else {
        return MAX_SERVICES;
    };
    parse_limit(value.as_bytes()).unwrap_or_else(|| {
        let text = format!("{LIMIT_VARIABLE} must be a number from 1 to {LIMIT_CEILING}");
        die(EXIT_USAGE, &fatal_line("svscan", &text, None))
    })
}

/// The opt-in stop mode from `SVSCAN_STOP` (unset: 0.76's behaviour).
//= spec/svscan.md#scan-9
fn stop_mode() -> Option<StopMode> {
    let value = std::env::var_os(STOP_VARIABLE)?;
    match parse_grace(value.as_bytes()) {
        Some(grace_secs) => Some(StopMode { grace_secs }),
        None => {
            let text = format!("{STOP_VARIABLE} must be empty or a number of seconds");
            die(EXIT_USAGE, &fatal_line("svscan", &text, None))
        }
    }
}

/// `<name>` or `<name>/log`, as messages name a service's process.
fn who(name: &[u8], role: Role) -> String {
    match role {
        Role::Main => show(name).into_owned(),
        Role::Log => format!("{}/log", show(name)),
    }
}

//= spec/svscan.md#scan-3
fn warning(w: &Warning) -> String {
    let (text, errno) = match w {
        Warning::ReadDirectory(e) => ("unable to read directory".to_owned(), Some(*e)),
        Warning::Stat { name, errno } => (format!("unable to stat {}", show(name)), Some(*errno)),
        Warning::TooManyServices { name } => (
            format!("unable to start {}: running too many services", show(name)),
            None,
        ),
        Warning::StatLog { name, errno } => {
            (format!("unable to stat {}/log", show(name)), Some(*errno))
        }
        Warning::CreatePipe { name, errno } => (
            format!("unable to create pipe for {}", show(name)),
            Some(*errno),
        ),
        Warning::Fork { name, role, errno } => (
            format!("unable to fork for {}", who(name, *role)),
            Some(*errno),
        ),
        Warning::StillRunning { running } => (
            format!("unable to stop {running} supervise processes: giving up"),
            None,
        ),
    };
    warning_line("svscan", &text, errno)
}

/// What a forked child prints before the error words when it fails.
//= spec/svscan.md#scan-7
fn child_message(stage: ChildStage, name: &[u8], role: Role) -> Vec<u8> {
    let text = match stage {
        ChildStage::Descriptors => format!("unable to set up descriptors for {}", who(name, role)),
        ChildStage::Chdir => format!("unable to switch to {}", show(name)),
        ChildStage::Exec => format!("unable to start supervise {}", who(name, role)),
    };
    format!("svscan: warning: {text}: ").into_bytes()
}
