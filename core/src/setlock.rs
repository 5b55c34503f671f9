//! setlock's command line, as a pure function.

use crate::getopt::{Getopt, Opt};

/// What follows `setlock: usage: ` in the usage line.
pub const USAGE: &str = "setlock [ -nNxX ] file program [ arg ... ]";

/// sgetopt's option string.
pub const OPTIONS: &[u8] = b"nNxX";

/// What setlock was asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setlock {
    /// Wait for the lock (`-N`, the default) rather than fail at once (`-n`).
    pub wait: bool,
    /// Exit 0 without a word if the file cannot be opened or locked (`-x`)
    /// rather than complain and exit 111 (`-X`, the default).
    pub quiet: bool,
    /// Index of the lock file's name in the arguments.
    pub file: usize,
    /// Index of the program's name in the arguments; its arguments follow.
    pub program: usize,
}

/// A command line setlock cannot use: print sgetopt's complaint (if any),
/// then the usage line, and exit 100.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Usage(pub Option<Opt>);

/// Parse setlock's arguments (program name first). Each option overrides
/// what an earlier one said; the lock file and the program are both needed.
//= spec/tools.md#setlock-1
pub fn parse(args: &[Vec<u8>]) -> Result<Setlock, Usage> {
    let mut wait = true;
    let mut quiet = false;
    let mut getopt = Getopt::new(args, OPTIONS);
    for opt in getopt.by_ref() {
        match opt {
            Opt::Flag(b'n', _) => wait = false,
            Opt::Flag(b'N', _) => wait = true,
            Opt::Flag(b'x', _) => quiet = true,
            Opt::Flag(b'X', _) => quiet = false,
            Opt::Flag(..) => return Err(Usage(None)),
            problem => return Err(Usage(Some(problem))),
        }
    }
    let file = getopt.operands_start();
    let program = file + 1;
    if program >= args.len() {
        return Err(Usage(None));
    }
    Ok(Setlock {
        wait,
        quiet,
        file,
        program,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(words: &[&str]) -> Result<Setlock, Usage> {
        let argv: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        parse(&argv)
    }

    //= spec/tools.md#setlock-1
    #[test]
    fn defaults_and_overrides() {
        let plain = run(&["setlock", "f", "p"]).expect("valid");
        assert_eq!(
            plain,
            Setlock {
                wait: true,
                quiet: false,
                file: 1,
                program: 2
            }
        );
        let nx = run(&["setlock", "-nx", "f", "p", "a"]).expect("valid");
        assert!(!nx.wait && nx.quiet);
        assert_eq!((nx.file, nx.program), (2, 3));
        let back = run(&["setlock", "-n", "-x", "-NX", "f", "p"]).expect("valid");
        assert!(back.wait && !back.quiet);
        let dashdash = run(&["setlock", "--", "-n", "p"]).expect("valid");
        assert_eq!((dashdash.file, dashdash.wait), (2, true));
    }

    //= spec/tools.md#setlock-1
    #[test]
    fn usage_errors() {
        assert_eq!(run(&["setlock"]), Err(Usage(None)));
        assert_eq!(run(&["setlock", "f"]), Err(Usage(None)));
        assert_eq!(run(&["setlock", "-n", "f"]), Err(Usage(None)));
        assert_eq!(
            run(&["setlock", "-z", "f", "p"]),
            Err(Usage(Some(Opt::Illegal(b'z'))))
        );
        assert_eq!(
            run(&["setlock", "-nz", "f", "p"]),
            Err(Usage(Some(Opt::Illegal(b'z'))))
        );
    }

    proptest! {
        //= spec/tools.md#setlock-1
        #[test]
        fn the_last_of_each_pair_wins(flags in proptest::collection::vec(
            prop_oneof![Just(b'n'), Just(b'N'), Just(b'x'), Just(b'X')], 0..8)
        ) {
            let mut argv = vec![b"setlock".to_vec()];
            argv.extend(flags.iter().map(|&f| vec![b'-', f]));
            argv.push(b"f".to_vec());
            argv.push(b"p".to_vec());
            let parsed = parse(&argv).expect("valid");
            let last_wait = flags.iter().rev().find(|f| matches!(f, b'n' | b'N'));
            let last_quiet = flags.iter().rev().find(|f| matches!(f, b'x' | b'X'));
            prop_assert_eq!(parsed.wait, last_wait != Some(&b'n'));
            prop_assert_eq!(parsed.quiet, last_quiet == Some(&b'x'));
            prop_assert_eq!(parsed.file, flags.len() + 1);
        }
    }
}
