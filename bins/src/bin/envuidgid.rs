//! envuidgid: run a program with `GID` and `UID` set to an account's ids.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

#[path = "../tool.rs"]
mod tool;

use dt_bins::diag::EXIT_USAGE;
use dt_core::pathexec::EnvChange;
use dt_os::account::lookup;

const PROG: &str = "envuidgid";

dt_bins::entry!(program);

//= spec/tools.md#envuidgid-1
//= spec/tools.md#envuidgid-2
fn program() {
    let args = dt_bins::args();
    if args.len() < 3 {
        tool::usage(&args, None, PROG, "envuidgid account child", EXIT_USAGE);
    }
    let Some(account) = lookup(&args[1]) else {
        tool::fatal(PROG, &[b"unknown account ", &args[1]], None);
    };
    let set = |name: &[u8], id: u32| EnvChange::Set {
        name: name.to_vec(),
        value: id.to_string().into_bytes(),
    };
    let changes = [set(b"GID", account.gid), set(b"UID", account.uid)];
    tool::run(PROG, &args[2..], &changes)
}
