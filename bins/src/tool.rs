//! What the small tools (envdir, envuidgid, setuidgid, softlimit, setlock,
//! pgrphack, fghack) share: byte-exact fatal messages (their operands are
//! file, account and program names, which need not be UTF-8) and "become
//! the program or die". Each of them includes this file with `#[path]`.
#![allow(dead_code)]

use dt_bins::diag::{complain, die, usage_line, EXIT_TEMPORARY};
use dt_core::getopt::Opt;
use dt_core::pathexec::EnvChange;
use dt_core::Errno;
use std::io::Write;

/// `<prog>: fatal: <parts...>`, then `: <error words>` if there is an
/// error; without the newline.
pub(crate) fn fatal_text(prog: &str, parts: &[&[u8]], errno: Option<Errno>) -> Vec<u8> {
    let mut line = Vec::with_capacity(80);
    line.extend_from_slice(prog.as_bytes());
    line.extend_from_slice(b": fatal: ");
    for part in parts {
        line.extend_from_slice(part);
    }
    if let Some(errno) = errno {
        line.extend_from_slice(b": ");
        line.extend_from_slice(errno.describe().as_bytes());
    }
    line
}

/// Print `<prog>: fatal: <parts...>[: <error>]` in one write and exit 111.
pub(crate) fn fatal(prog: &str, parts: &[&[u8]], errno: Option<Errno>) -> ! {
    let mut line = fatal_text(prog, parts, errno);
    line.push(b'\n');
    let _ = std::io::stderr().write_all(&line);
    std::process::exit(EXIT_TEMPORARY)
}

/// Print sgetopt's complaint about `problem` (if any), then
/// `<prog>: usage: <synopsis>`, and exit with `code`.
pub(crate) fn usage(
    args: &[Vec<u8>],
    problem: Option<&Opt>,
    prog: &str,
    synopsis: &str,
    code: i32,
) -> ! {
    if let Some(problem) = problem {
        complain(args, problem);
    }
    die(code, &usage_line(prog, synopsis))
}

/// Become `argv[0]` (searched along `PATH`) with `changes` made to the
/// environment; if that fails, `<prog>: fatal: unable to run <name>:
/// <error>` and exit 111.
//= spec/tools.md#exec-5
pub(crate) fn run(prog: &str, argv: &[Vec<u8>], changes: &[EnvChange]) -> ! {
    let errno = dt_os::exec::pathexec(argv, changes);
    let name = argv.first().map_or(&[][..], Vec::as_slice);
    fatal(prog, &[b"unable to run ", name], Some(errno))
}
