//! svstat: print the status of each service directory named.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

use dt_bins::diag::{emit, fatal_line, EXIT_TEMPORARY};
use dt_core::svstat::{observe_with_extra, render_into};
use dt_os::service_dir::{CwdProbe, StartingDir};
use std::io::Write;
use std::iter::Peekable;

dt_bins::entry!(program);

//= spec/svstat-output.md#svstat-1
fn program() {
    // The arguments where the C library keeps them, not copied: svstat may
    // be given thousands.
    let dirs = dt_os::args::borrowed().skip(1);
    let mut out = Vec::with_capacity(OUT_CHUNK + 256);
    let code = report(dirs.peekable(), &mut out);
    write_out(&mut out);
    std::process::exit(code);
}

/// How much of the report svstat gathers before writing it: a thousand
/// directories take a few writes and touch one page of buffer, as 0.76's
/// 1 KiB buffer does.
const OUT_CHUNK: usize = 4096;

/// Write what `out` holds to stdout and empty it. 0.76 ignores errors
/// writing its report.
fn write_out(out: &mut Vec<u8>) {
    let _ = std::io::stdout().lock().write_all(out);
    out.clear();
}

/// Report on each directory in turn, a line each; the exit code.
fn report<'a>(mut dirs: Peekable<impl Iterator<Item = &'a [u8]>>, out: &mut Vec<u8>) -> i32 {
    if dirs.peek().is_none() {
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
        render_into(out, dir, &observation, extra.as_ref());
        if out.len() >= OUT_CHUNK {
            write_out(out);
        }
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
