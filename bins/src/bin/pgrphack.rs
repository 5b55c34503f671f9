//! pgrphack: run a program in a new session and process group.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

#[path = "../tool.rs"]
mod tool;

use dt_bins::diag::EXIT_USAGE;

const PROG: &str = "pgrphack";

dt_bins::entry!(program);

//= spec/tools.md#pgrphack-1
//= spec/tools.md#pgrphack-2
fn program() {
    let args = dt_bins::args();
    if args.len() < 2 {
        tool::usage(&args, None, PROG, "pgrphack child", EXIT_USAGE);
    }
    dt_os::session::new_session();
    tool::run(PROG, &args[1..], &[])
}
