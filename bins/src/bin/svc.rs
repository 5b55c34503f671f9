//! svc: send control bytes to the supervise of each directory named.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

use dt_bins::diag::{die, emit, fatal_line, warning_line, EXIT_TEMPORARY, EXIT_USAGE};
use dt_bins::show;
use dt_core::control::{svc_bytes, SvcOutcome, SVC_USAGE};
use dt_core::getopt::{Getopt, Opt};
use dt_os::service_dir::{chdir, send_commands, StartingDir};

dt_bins::entry!(program);

//= spec/control.md#ctl-3
//= spec/control.md#ctl-4
fn program() {
    dt_os::signals::ignore_sigpipe();
    let args = dt_bins::args();
    let mut getopt = Getopt::new(&args, b"udopchaitkx");
    let mut letters = Vec::new();
    for opt in getopt.by_ref() {
        match opt {
            Opt::Flag(letter, _) => letters.push(letter),
            problem => {
                dt_bins::diag::complain(&args, &problem);
                die(EXIT_USAGE, &format!("{SVC_USAGE}\n"));
            }
        }
    }
    let bytes = svc_bytes(letters);
    let dirs = &args[getopt.operands_start()..];
    if dirs.is_empty() {
        return;
    }
    let start = StartingDir::open().unwrap_or_else(|e| {
        die(
            EXIT_TEMPORARY,
            &fatal_line("svc", "unable to open current directory", Some(e)),
        )
    });
    for dir in dirs {
        let outcome = match chdir(dir) {
            Ok(()) => send_commands(&bytes),
            Err(e) => SvcOutcome::ChdirFailed(e),
        };
        warn(dir, outcome);
        if let Err(e) = start.return_to() {
            die(
                EXIT_TEMPORARY,
                &fatal_line("svc", "unable to set directory", Some(e)),
            );
        }
    }
}

fn warn(dir: &[u8], outcome: SvcOutcome) {
    let dir = show(dir);
    let (text, errno) = match outcome {
        SvcOutcome::Sent => return,
        SvcOutcome::ChdirFailed(e) => (format!("unable to chdir to {dir}"), Some(e)),
        SvcOutcome::NotRunning => (
            format!("unable to control {dir}: supervise not running"),
            None,
        ),
        SvcOutcome::OpenFailed(e) => (format!("unable to control {dir}"), Some(e)),
        SvcOutcome::WriteFailed(e) => (format!("error writing commands to {dir}"), Some(e)),
    };
    emit(&warning_line("svc", &text, errno));
}
