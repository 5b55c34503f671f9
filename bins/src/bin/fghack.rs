//! fghack: run a program that puts itself in the background, and wait for
//! it and its descendants as if it had stayed in the foreground.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

#[path = "../tool.rs"]
mod tool;

use dt_bins::diag::EXIT_USAGE;
use dt_os::exec::Program;
use dt_os::fghack::{run, Ended, FghackError};

const PROG: &str = "fghack";

dt_bins::entry!(program);

//= spec/tools.md#fghack-1
//= spec/tools.md#fghack-2
//= spec/tools.md#fghack-3
fn program() {
    let args = dt_bins::args();
    if args.len() < 2 {
        tool::usage(&args, None, PROG, "fghack child", EXIT_USAGE);
    }
    let argv = &args[1..];
    let program = Program::new(argv, &[])
        .unwrap_or_else(|e| tool::fatal(PROG, &[b"unable to run ", &argv[0]], Some(e)));
    let mut prefix = tool::fatal_text(PROG, &[b"unable to run ", &argv[0]], None);
    prefix.extend_from_slice(b": ");
    match run(&program, &prefix) {
        Ok(Ended::Exited(code)) => std::process::exit(i32::from(code)),
        Ok(Ended::Crashed) => tool::fatal(PROG, &[b"child crashed"], None),
        Err(FghackError::Pipe(e)) => tool::fatal(PROG, &[b"unable to create pipe"], Some(e)),
        Err(FghackError::Fork(e)) => tool::fatal(PROG, &[b"unable to fork"], Some(e)),
        Err(FghackError::Wait(e)) => tool::fatal(PROG, &[b"wait failed"], Some(e)),
    }
}
