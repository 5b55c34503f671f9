//! envdir: run a program with environment variables set from the files of
//! a directory.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), no_main)]

#[path = "../tool.rs"]
mod tool;

use dt_bins::diag::EXIT_TEMPORARY;
use dt_core::envdir::NameError;
use dt_core::Errno;
use dt_os::envdir::{read, EnvdirError};

const PROG: &str = "envdir";

dt_bins::entry!(program);

//= spec/tools.md#envdir-1
//= spec/tools.md#envdir-2
//= spec/tools.md#envdir-5
fn program() {
    let args = dt_bins::args();
    if args.len() < 3 {
        tool::usage(&args, None, PROG, "envdir dir child", EXIT_TEMPORARY);
    }
    let dir = &args[1][..];
    let changes = read(dir).unwrap_or_else(|e| match e {
        EnvdirError::OpenStart(e) => {
            tool::fatal(PROG, &[b"unable to switch to current directory"], Some(e))
        }
        EnvdirError::Enter(e) => {
            tool::fatal(PROG, &[b"unable to switch to directory ", dir], Some(e))
        }
        EnvdirError::List(e) => tool::fatal(PROG, &[b"unable to read directory ", dir], Some(e)),
        EnvdirError::Read { name, errno } => {
            tool::fatal(PROG, &[b"unable to read ", dir, b"/", &name], Some(errno))
        }
        EnvdirError::TooLong { name } => tool::fatal(
            PROG,
            &[b"unable to read ", dir, b"/", &name],
            Some(Errno::EFBIG),
        ),
        //= spec/deviations.md#dev-3
        EnvdirError::BadName { name, why } => {
            let why: &[u8] = match why {
                NameError::ContainsEquals => b": invalid variable name",
                _ => b": invalid variable name",
            };
            tool::fatal(PROG, &[b"unable to set ", dir, b"/", &name, why], None)
        }
        EnvdirError::Return(e) => {
            tool::fatal(PROG, &[b"unable to switch to starting directory"], Some(e))
        }
    });
    tool::run(PROG, &args[2..], &changes)
}
