//! softlimit's options, as pure functions: which resources each letter
//! sets, what its value means, and the new soft limit.
//!
//! 0.76 applies every option as soon as it has parsed it, so [`steps`]
//! yields one [`Step`] at a time and the program carries out each before
//! asking for the next.

use crate::getopt::{Getopt, Opt};

/// What follows `softlimit: usage: ` in the usage line.
pub const USAGE: &str = "softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] \
[-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] [-s stackbytes] \
[-t cpusecs] child";

/// sgetopt's option string: every letter takes a value.
pub const OPTIONS: &[u8] = b"a:c:d:f:l:m:o:p:r:s:t:";

/// A resource limit softlimit can set (Linux's `RLIMIT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resource {
    /// `RLIMIT_AS`, bytes of address space.
    As,
    /// `RLIMIT_CORE`, bytes of core file.
    Core,
    /// `RLIMIT_CPU`, seconds of CPU time.
    Cpu,
    /// `RLIMIT_DATA`, bytes of data segment.
    Data,
    /// `RLIMIT_FSIZE`, bytes of file written.
    Fsize,
    /// `RLIMIT_MEMLOCK`, bytes locked in memory.
    Memlock,
    /// `RLIMIT_NOFILE`, open descriptors.
    Nofile,
    /// `RLIMIT_NPROC`, processes of the user.
    Nproc,
    /// `RLIMIT_RSS`, bytes resident.
    Rss,
    /// `RLIMIT_STACK`, bytes of stack.
    Stack,
}

/// The resources option `letter` sets, in the order 0.76 sets them on
/// Linux. `-o` sets `RLIMIT_NOFILE` twice because glibc defines
/// `RLIMIT_OFILE` as the same limit and 0.76 sets both.
//= spec/tools.md#softlimit-1
pub fn resources(letter: u8) -> Option<&'static [Resource]> {
    use Resource::*;
    Some(match letter {
        b'a' => &[As],
        b'c' => &[Core],
        b'd' => &[Data],
        b'f' => &[Fsize],
        b'l' => &[Memlock],
        b'm' => &[Data, Stack, Memlock, As],
        b'o' => &[Nofile, Nofile],
        b'p' => &[Nproc],
        b'r' => &[Rss],
        b's' => &[Stack],
        b't' => &[Cpu],
        _ => return None,
    })
}

/// An option's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// `=`: raise the soft limit to the hard limit.
    Hard,
    /// A number: the soft limit, unless the hard limit is lower.
    Number(u64),
}

/// A value that is neither `=` nor digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadValue;

/// Parse an option's value: exactly `=`, or decimal digits (none at all
/// meaning 0; too many wrap around modulo 2^64, as 0.76's `scan_ulong`
/// does). Anything else is a usage error.
//= spec/tools.md#softlimit-2
pub fn parse_value(arg: &[u8]) -> Result<Value, BadValue> {
    if arg == b"=" {
        return Ok(Value::Hard);
    }
    let mut number: u64 = 0;
    for &byte in arg {
        if !byte.is_ascii_digit() {
            return Err(BadValue);
        }
        number = number.wrapping_mul(10).wrapping_add(u64::from(byte - b'0'));
    }
    Ok(Value::Number(number))
}

/// The new soft limit, given the hard limit (the hard limit itself never
/// changes).
//= spec/tools.md#softlimit-3
pub fn soft_limit(value: Value, hard: u64) -> u64 {
    match value {
        Value::Hard => hard,
        Value::Number(n) => n.min(hard),
    }
}

/// One thing for softlimit to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Set the soft limit of each resource, in order, from `value`.
    Limit {
        /// The resources the option names.
        resources: &'static [Resource],
        /// The option's value.
        value: Value,
    },
    /// Print the usage line (after sgetopt's complaint, if any) and exit 100.
    Usage(Option<Opt>),
    /// Run the program whose name is `args[child]`.
    Run {
        /// Index of the program's name in the arguments.
        child: usize,
    },
}

/// softlimit's steps for `args` (program name first); the last one is
/// [`Step::Usage`] or [`Step::Run`].
pub fn steps(args: &[Vec<u8>]) -> Steps<'_> {
    Steps {
        args,
        getopt: Getopt::new(args, OPTIONS),
        done: false,
    }
}

/// The iterator of [`steps`].
#[derive(Clone, Debug)]
pub struct Steps<'a> {
    args: &'a [Vec<u8>],
    getopt: Getopt<'a>,
    done: bool,
}

impl Iterator for Steps<'_> {
    type Item = Step;

    //= spec/tools.md#softlimit-4
    fn next(&mut self) -> Option<Step> {
        if self.done {
            return None;
        }
        let step = match self.getopt.next() {
            Some(Opt::Flag(letter, arg)) => {
                let value = arg.as_deref().map(parse_value);
                match (resources(letter), value) {
                    (Some(resources), Some(Ok(value))) => {
                        return Some(Step::Limit { resources, value })
                    }
                    _ => Step::Usage(None),
                }
            }
            Some(problem) => Step::Usage(Some(problem)),
            None => {
                let child = self.getopt.operands_start();
                if child < self.args.len() {
                    Step::Run { child }
                } else {
                    Step::Usage(None)
                }
            }
        };
        self.done = true;
        Some(step)
    }
}

#[cfg(test)]
mod tests;
