//! svstat: print the status of each service directory named.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

use dt_bins::diag::{emit, fatal_line, EXIT_TEMPORARY};
use dt_core::svstat::{observe_with_extra, render_with_extra};
use dt_os::service_dir::{CwdProbe, StartingDir};
use std::io::Write;

dt_bins::entry!(program);

//= spec/svstat-output.md#svstat-1
fn program() {
    let args = dt_bins::args();
    let mut out = Vec::new();
    let code = report(&args[1.min(args.len())..], &mut out);
    // 0.76 ignores errors writing its report.
    let _ = std::io::stdout().lock().write_all(&out);
    std::process::exit(code);
}

/// Append a line per directory to `out`; the exit code.
fn report(dirs: &[Vec<u8>], out: &mut Vec<u8>) -> i32 {
    if dirs.is_empty() {
        return 0;
    }
    let start = match StartingDir::open() {
        Ok(start) => start,
        Err(e) => return fatal("unable to open current directory", e),
    };
    for dir in dirs {
        let now = dt_os::clock::wall().0;
        // What the extensions add comes with the record (EXT-8).
        let (observation, extra) = observe_with_extra(&mut CwdProbe::new(dir), now);
        out.extend_from_slice(&render_with_extra(dir, &observation, extra.as_ref()));
        if let Err(e) = start.return_to() {
            return fatal("unable to set directory", e);
        }
    }
    0
}

fn fatal(text: &str, errno: dt_core::Errno) -> i32 {
    emit(&fatal_line("svstat", text, Some(errno)));
    EXIT_TEMPORARY
}
