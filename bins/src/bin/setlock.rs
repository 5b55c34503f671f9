//! setlock: run a program holding an exclusive lock on a file.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

#[path = "../tool.rs"]
mod tool;

use dt_bins::diag::EXIT_USAGE;
use dt_core::setlock::{parse, Usage, USAGE};
use dt_os::lock::{hold, LockError};

const PROG: &str = "setlock";

dt_bins::entry!(program);

//= spec/tools.md#setlock-1
//= spec/tools.md#setlock-2
//= spec/tools.md#setlock-3
fn program() {
    let args = dt_bins::args();
    let setlock = parse(&args).unwrap_or_else(|Usage(problem)| {
        tool::usage(&args, problem.as_ref(), PROG, USAGE, EXIT_USAGE)
    });
    let file = &args[setlock.file][..];
    if let Err(e) = hold(file, setlock.wait) {
        if setlock.quiet {
            std::process::exit(0);
        }
        match e {
            LockError::Open(e) => tool::fatal(PROG, &[b"unable to open ", file], Some(e)),
            LockError::Lock(e) => tool::fatal(PROG, &[b"unable to lock ", file], Some(e)),
        }
    }
    tool::run(PROG, &args[setlock.program..], &[])
}
