//! softlimit: run a program with lower soft resource limits.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

#[path = "../tool.rs"]
mod tool;

use dt_bins::diag::EXIT_USAGE;
use dt_core::softlimit::{soft_limit, steps, Step, USAGE};
use dt_os::rlimit;

const PROG: &str = "softlimit";

dt_bins::entry!(program);

//= spec/tools.md#softlimit-3
//= spec/tools.md#softlimit-4
fn program() {
    let args = dt_bins::args();
    for step in steps(&args) {
        match step {
            Step::Limit { resources, value } => {
                for &resource in resources {
                    let (_, hard) = rlimit::get(resource)
                        .unwrap_or_else(|e| tool::fatal(PROG, &[b"getrlimit failed"], Some(e)));
                    rlimit::set(resource, soft_limit(value, hard), hard)
                        .unwrap_or_else(|e| tool::fatal(PROG, &[b"setrlimit failed"], Some(e)));
                }
            }
            Step::Usage(problem) => tool::usage(&args, problem.as_ref(), PROG, USAGE, EXIT_USAGE),
            Step::Run { child } => tool::run(PROG, &args[child..], &[]),
        }
    }
}
