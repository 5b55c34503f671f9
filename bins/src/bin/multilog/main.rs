//! multilog: read lines from standard input and log them into rotated
//! directories, as the script in its arguments says (spec/multilog.md).
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

mod words;

use dt_bins::diag::{die, emit, fatal_line, EXIT_TEMPORARY};
use dt_core::multilog::{Failure, Fatal, Script};
use dt_os::drive_log::{run, DriveError, Report};

dt_bins::entry!(program);

fn program() {
    // 0.76 leaves SIGPIPE as it found it: `e` and the processor see the
    // disposition multilog inherited (LOG-5).
    let args = dt_bins::args();
    let script = Script::from_args(args.get(1..).unwrap_or_default());
    let mut warn = |failure: &Failure| emit(&words::warning(failure));
    let mut fatal = |fatal: &Fatal| emit(&words::fatal(fatal));
    let report = Report {
        warn: &mut warn,
        fatal: &mut fatal,
    };
    let code = match run(script, report, Box::new(words::processor_failure)) {
        Ok(code) => code,
        Err(DriveError::CurrentDir(e)) => {
            let line = fatal_line("multilog", "unable to switch to current directory", Some(e));
            die(EXIT_TEMPORARY, &line)
        }
        Err(DriveError::Signals(e)) => {
            let line = fatal_line("multilog", "unable to set up signal handling", Some(e));
            die(EXIT_TEMPORARY, &line)
        }
    };
    std::process::exit(code)
}
