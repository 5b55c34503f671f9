//! Option parsing as daemontools' `sgetopt` does it, for svc, setlock and
//! softlimit: short options only, clusters (`-du`), an argument glued on or
//! in the next word (`-p0`, `-p 0`), and the end of options at the first
//! word not starting with `-`, at a lone `-` (left as an operand), or at any
//! word starting with `--` (consumed).

/// One result of [`Getopt::next`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opt {
    /// An option letter, with its argument if it takes one.
    Flag(u8, Option<Vec<u8>>),
    /// A letter not in the option string: `<prog>: illegal option -- <c>`.
    Illegal(u8),
    /// A letter whose argument is missing:
    /// `<prog>: option requires an argument -- <c>`.
    MissingArgument(u8),
}

/// Walks the options of an argument vector (`args[0]` is the program name).
#[derive(Clone, Debug)]
pub struct Getopt<'a> {
    args: &'a [Vec<u8>],
    spec: &'a [u8],
    index: usize,
    position: usize,
    done: bool,
}

impl<'a> Getopt<'a> {
    /// Parse `args` (program name first) with `spec`, letters each followed
    /// by `:` when they take an argument, e.g. `b"nNxX"` or `b"a:c:"`.
    pub fn new(args: &'a [Vec<u8>], spec: &'a [u8]) -> Self {
        Getopt {
            args,
            spec,
            index: 1,
            position: 0,
            done: false,
        }
    }

    /// The index of the first operand, once [`Getopt::next`] has returned
    /// `None`.
    pub fn operands_start(&self) -> usize {
        self.index.min(self.args.len())
    }

    fn takes_argument(&self, letter: u8) -> Option<bool> {
        let at = self.spec.iter().position(|&c| c == letter && c != b':')?;
        Some(self.spec.get(at + 1) == Some(&b':'))
    }
}

impl Iterator for Getopt<'_> {
    type Item = Opt;

    //= spec/options.md#opt-1
    fn next(&mut self) -> Option<Opt> {
        if self.done {
            return None;
        }
        let mut word = self.args.get(self.index)?;
        if self.position > 0 && self.position >= word.len() {
            self.index += 1;
            self.position = 0;
            word = self.args.get(self.index)?;
        }
        if self.position == 0 {
            if word.first() != Some(&b'-') {
                self.done = true;
                return None;
            }
            match word.get(1) {
                None => {
                    // A lone `-` is an operand.
                    self.done = true;
                    return None;
                }
                Some(b'-') => {
                    // `--` and anything starting with it end the options.
                    self.index += 1;
                    self.done = true;
                    return None;
                }
                Some(_) => self.position = 1,
            }
        }
        let letter = word[self.position];
        self.position += 1;
        match self.takes_argument(letter) {
            None => {
                // sgetopt stops here too: every program dies with its usage.
                self.done = true;
                Some(Opt::Illegal(letter))
            }
            Some(false) => Some(Opt::Flag(letter, None)),
            Some(true) => {
                let glued = word[self.position..].to_vec();
                self.index += 1;
                self.position = 0;
                if !glued.is_empty() {
                    return Some(Opt::Flag(letter, Some(glued)));
                }
                match self.args.get(self.index) {
                    Some(next) => {
                        self.index += 1;
                        Some(Opt::Flag(letter, Some(next.clone())))
                    }
                    None => {
                        self.done = true;
                        Some(Opt::MissingArgument(letter))
                    }
                }
            }
        }
    }
}

/// The name a program calls itself in option complaints: the part of
/// `argv[0]` after its last `/`.
pub fn program_name(argv0: &[u8]) -> &[u8] {
    match argv0.iter().rposition(|&b| b == b'/') {
        Some(slash) => &argv0[slash + 1..],
        None => argv0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    fn parse(words: &[&str], spec: &[u8]) -> (Vec<Opt>, usize) {
        let argv = args(words);
        let mut getopt = Getopt::new(&argv, spec);
        let opts: Vec<Opt> = getopt.by_ref().collect();
        (opts, getopt.operands_start())
    }

    fn flag(c: u8) -> Opt {
        Opt::Flag(c, None)
    }

    //= spec/options.md#opt-1
    #[test]
    fn clusters_and_separate_words() {
        let (opts, start) = parse(&["svc", "-u", "-dx", "s"], b"udx");
        assert_eq!(opts, vec![flag(b'u'), flag(b'd'), flag(b'x')]);
        assert_eq!(start, 3);
    }

    //= spec/options.md#opt-1
    #[test]
    fn double_dash_is_consumed_and_a_lone_dash_is_an_operand() {
        assert_eq!(
            parse(&["svc", "-u", "--", "-d"], b"ud"),
            (vec![flag(b'u')], 3)
        );
        assert_eq!(parse(&["svc", "--foo", "x"], b"ud"), (vec![], 2));
        assert_eq!(
            parse(&["svc", "-u", "-", "x"], b"ud"),
            (vec![flag(b'u')], 2)
        );
        assert_eq!(parse(&["svc"], b"ud"), (vec![], 1));
        assert_eq!(parse(&["svc", "x", "-u"], b"ud"), (vec![], 1));
        // An empty word is an operand too: it does not start with `-`.
        assert_eq!(parse(&["svc", "", "-u"], b"ud"), (vec![], 1));
        assert_eq!(
            parse(&["svc", "-d", "", "-u"], b"ud"),
            (vec![flag(b'd')], 2)
        );
    }

    //= spec/options.md#opt-1
    #[test]
    fn arguments_glued_or_separate() {
        let glued = Opt::Flag(b'p', Some(b"0".to_vec()));
        assert_eq!(
            parse(&["softlimit", "-p0", "x"], b"p:"),
            (vec![glued.clone()], 2)
        );
        assert_eq!(
            parse(&["softlimit", "-p", "0", "x"], b"p:"),
            (vec![glued], 3)
        );
        // The rest of the word is the argument, even when it looks like a letter.
        let clustered = parse(&["softlimit", "-cp", "7"], b"c:p:");
        assert_eq!(clustered, (vec![Opt::Flag(b'c', Some(b"p".to_vec()))], 2));
    }

    //= spec/options.md#opt-2
    #[test]
    fn problems_are_reported_with_their_letter() {
        assert_eq!(
            parse(&["svc", "-uz", "s"], b"ud").0,
            vec![flag(b'u'), Opt::Illegal(b'z')]
        );
        assert_eq!(
            parse(&["softlimit", "-t"], b"t:").0,
            vec![Opt::MissingArgument(b't')]
        );
        assert_eq!(parse(&["svc", "-:"], b"p:").0, vec![Opt::Illegal(b':')]);
    }

    //= spec/options.md#opt-2
    #[test]
    fn the_program_name_is_the_basename() {
        assert_eq!(program_name(b"/usr/bin/svc"), b"svc");
        assert_eq!(program_name(b"svc"), b"svc");
        assert_eq!(program_name(b""), b"");
    }
}
