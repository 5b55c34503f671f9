//! The command lines of svstatus and svwait, as pure functions.
//!
//! Both parse options as daemontools' `sgetopt` does ([`Getopt`]): letters
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

/// What follows `svwait: usage: ` in the usage line.
pub const SVWAIT_USAGE: &str =
    "svwait [ -u | -r | -d | -U seconds | -x ] [ -a | -o ] [ -t seconds ] dir ...";

/// The state svwait waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Goal {
    /// `-u` (the default): supervise running and the service up.
    Up,
    /// `-r`: supervise running, the service up, and ready if it was
    /// started with a notification descriptor (`spec/extensions.md`
    /// EXT-12).
    Ready,
    /// `-d`: supervise running and the service down.
    Down,
    /// `-U seconds`: supervise running and the service up for at least
    /// that many seconds.
    UpFor(u64),
    /// `-x`: no supervise running on the directory.
    Gone,
}

/// What svwait was asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Svwait {
    /// The state to wait for.
    pub goal: Goal,
    /// `-o`: one directory reaching it is enough; `-a` (the default): all.
    pub any: bool,
    /// `-t seconds`: give up after that long; without it, wait for ever.
    pub timeout_secs: Option<u64>,
    /// Index of the first directory in the arguments; the rest follow.
    pub dirs: usize,
}

/// A number of seconds: decimal digits only, at least one, fitting a u64.
fn seconds(word: Option<Vec<u8>>) -> Result<u64, Usage> {
    let word = word.unwrap_or_default();
    if word.is_empty() || !word.iter().all(u8::is_ascii_digit) {
        return Err(Usage(None));
    }
    std::str::from_utf8(&word)
        .ok()
        .and_then(|digits| digits.parse().ok())
        .ok_or(Usage(None))
}

/// Parse svwait's arguments (program name first). At least one directory
/// is needed; a number that is not plain decimal digits is a usage error.
//= spec/svwait.md#wait-1
pub fn svwait(args: &[Vec<u8>]) -> Result<Svwait, Usage> {
    let mut goal = Goal::Up;
    let mut any = false;
    let mut timeout_secs = None;
    let mut getopt = Getopt::new(args, b"urdU:xaot:");
    for opt in getopt.by_ref() {
        match opt {
            Opt::Flag(b'u', _) => goal = Goal::Up,
            Opt::Flag(b'r', _) => goal = Goal::Ready,
            Opt::Flag(b'd', _) => goal = Goal::Down,
            Opt::Flag(b'U', secs) => goal = Goal::UpFor(seconds(secs)?),
            Opt::Flag(b'x', _) => goal = Goal::Gone,
            Opt::Flag(b'a', _) => any = false,
            Opt::Flag(b'o', _) => any = true,
            Opt::Flag(b't', secs) => timeout_secs = Some(seconds(secs)?),
            Opt::Flag(..) => return Err(Usage(None)),
            problem => return Err(Usage(Some(problem))),
        }
    }
    let dirs = getopt.operands_start();
    if dirs >= args.len() {
        return Err(Usage(None));
    }
    Ok(Svwait {
        goal,
        any,
        timeout_secs,
        dirs,
    })
}
