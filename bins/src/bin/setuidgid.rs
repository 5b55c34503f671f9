//! setuidgid: run a program as another account, with only its primary
//! group.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

#[path = "../tool.rs"]
mod tool;

use dt_bins::diag::EXIT_USAGE;
use dt_os::account::{become_account, lookup, DropError};

const PROG: &str = "setuidgid";

dt_bins::entry!(program);

//= spec/tools.md#setuidgid-1
//= spec/tools.md#setuidgid-2
fn program() {
    let args = dt_bins::args();
    if args.len() < 3 {
        tool::usage(&args, None, PROG, "setuidgid account child", EXIT_USAGE);
    }
    let Some(account) = lookup(&args[1]) else {
        tool::fatal(PROG, &[b"unknown account ", &args[1]], None);
    };
    match become_account(account) {
        Ok(()) => {}
        Err(DropError::Group(e)) => tool::fatal(PROG, &[b"unable to setgid"], Some(e)),
        Err(DropError::User(e)) => tool::fatal(PROG, &[b"unable to setuid"], Some(e)),
    }
    tool::run(PROG, &args[2..], &[])
}
