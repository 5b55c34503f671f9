//! The command line of svstatus, as a pure function.
//!
//! It parses options as daemontools' `sgetopt` does ([`Getopt`]): letters
//! may be clustered, an argument may be glued on or in the next word, the
//! options end at the first word not starting with `-` (or at `--`), and a
//! later option overrides an earlier one.

use crate::getopt::{Getopt, Opt};

/// A command line the program cannot use: print sgetopt's complaint (if
/// any), then the usage line, and exit 100.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Usage(pub Option<Opt>);

/// What follows `svstatus: usage: ` in the usage line.
pub const SVSTATUS_USAGE: &str = "svstatus [ -p ] dir ...";

/// What svstatus was asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Svstatus {
    /// `-p`: the Prometheus exposition of one scan directory, not JSON.
    pub prometheus: bool,
    /// Index of the first directory in the arguments; the rest follow.
    pub dirs: usize,
}

/// Parse svstatus' arguments (program name first). At least one directory
/// is needed, and with `-p` exactly one (the scan directory).
//= spec/status-json.md#json-8
//= spec/status-json.md#prom-1
pub fn svstatus(args: &[Vec<u8>]) -> Result<Svstatus, Usage> {
    let mut prometheus = false;
    let mut getopt = Getopt::new(args, b"p");
    for opt in getopt.by_ref() {
        match opt {
            Opt::Flag(b'p', _) => prometheus = true,
            Opt::Flag(..) => return Err(Usage(None)),
            problem => return Err(Usage(Some(problem))),
        }
    }
    let dirs = getopt.operands_start();
    let count = args.len().saturating_sub(dirs);
    if count == 0 || (prometheus && count != 1) {
        return Err(Usage(None));
    }
    Ok(Svstatus { prometheus, dirs })
}
