//! pgrphack: run a program in a new session and process group.
#![forbid(unsafe_code)]

#[path = "../tool.rs"]
mod tool;

use dt_bins::diag::EXIT_USAGE;

const PROG: &str = "pgrphack";

//= spec/tools.md#pgrphack-1
//= spec/tools.md#pgrphack-2
fn main() {
    dt_os::exec::restore_sigpipe();
    let args = dt_bins::args();
    if args.len() < 2 {
        tool::usage(&args, None, PROG, "pgrphack child", EXIT_USAGE);
    }
    dt_os::session::new_session();
    tool::run(PROG, &args[1..], &[])
}
