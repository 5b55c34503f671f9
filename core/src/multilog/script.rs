//! multilog's script: its arguments, one directive each (LOG-1).
//!
//! Parsing never fails: 0.76 has no usage message, and an argument it does
//! not understand is a directive that does nothing.

/// Default maximum size of `current` (`s`).
pub const DEFAULT_SIZE: u64 = 99_999;
/// Smallest size `s` accepts; smaller values are raised to it.
pub const MIN_SIZE: u64 = 4096;
/// Largest size `s` accepts; larger values are lowered to it.
pub const MAX_SIZE: u64 = 16_777_215;
/// Default number of log files (`n`).
pub const DEFAULT_NUM: u64 = 10;
/// Smallest number of log files `n` accepts.
pub const MIN_NUM: u64 = 2;

/// One argument of the script, as 0.76 reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Directive {
    /// `t…` as the first argument: stamp every line.
    Timestamp,
    /// `+pattern`: select the line if it is deselected and matches.
    Select(Vec<u8>),
    /// `-pattern`: deselect the line if it is selected and matches.
    Deselect(Vec<u8>),
    /// `e…`: copy selected lines to standard error.
    Stderr,
    /// `=file`: keep the last selected line in `file`.
    Status(Vec<u8>),
    /// `sNUM`, already clamped to `MIN_SIZE..=MAX_SIZE`.
    Size(u64),
    /// `nNUM`, already raised to at least `MIN_NUM`.
    Num(u64),
    /// `!processor`.
    Processor(Vec<u8>),
    /// `.…` or `/…`: a log directory.
    Dir(Vec<u8>),
    /// Anything else (a `t` after the first argument, an empty argument, a
    /// word such as `main`): does nothing.
    Ignored,
}

/// 0.76's `scan_ulong`: the leading decimal digits, modulo 2^64; none is 0.
//= spec/multilog.md#log-7
pub fn scan_number(text: &[u8]) -> u64 {
    text.iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0u64, |n, &d| {
            n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
        })
}

/// Read each argument (program name excluded) as a directive.
//= spec/multilog.md#log-1
//= spec/multilog.md#log-2
//= spec/multilog.md#log-7
pub fn parse<A: AsRef<[u8]>>(args: &[A]) -> Vec<Directive> {
    args.iter()
        .enumerate()
        .map(|(i, arg)| {
            let arg = arg.as_ref();
            let rest = || arg[1..].to_vec();
            match arg.first() {
                Some(b't') if i == 0 => Directive::Timestamp,
                Some(b'+') => Directive::Select(rest()),
                Some(b'-') => Directive::Deselect(rest()),
                Some(b'e') => Directive::Stderr,
                Some(b'=') => Directive::Status(rest()),
                Some(b's') => Directive::Size(scan_number(&arg[1..]).clamp(MIN_SIZE, MAX_SIZE)),
                Some(b'n') => Directive::Num(scan_number(&arg[1..]).max(MIN_NUM)),
                Some(b'!') => Directive::Processor(rest()),
                Some(b'.' | b'/') => Directive::Dir(arg.to_vec()),
                _ => Directive::Ignored,
            }
        })
        .collect()
}

/// A log directory with the settings in force where it appears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirConfig {
    /// The directory as written in the script (used in messages too).
    pub path: Vec<u8>,
    /// Maximum size of `current`.
    pub size: u64,
    /// Number of log files: at most `num - 1` archives are kept.
    pub num: u64,
    /// The processor command, if any.
    pub processor: Option<Vec<u8>>,
}

/// What happens to each line, in script order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `+pattern`.
    Select(Vec<u8>),
    /// `-pattern`.
    Deselect(Vec<u8>),
    /// `e`.
    Stderr,
    /// `=file`, by index into [`Script::status_files`].
    Status(usize),
    /// A log directory, by index into [`Script::dirs`].
    Dir(usize),
}

/// A parsed script with the sticky settings (`s`, `n`, `!`) resolved into
/// each directory's configuration.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Script {
    /// Whether lines are stamped (LOG-2).
    pub timestamp: bool,
    /// The per-line program, in script order.
    pub ops: Vec<Op>,
    /// The log directories, in script order.
    pub dirs: Vec<DirConfig>,
    /// The `=` files, in script order.
    pub status_files: Vec<Vec<u8>>,
}

impl Script {
    /// Resolve a list of directives.
    //= spec/multilog.md#log-7
    pub fn new(directives: &[Directive]) -> Script {
        let mut script = Script::default();
        let (mut size, mut num, mut processor) = (DEFAULT_SIZE, DEFAULT_NUM, None);
        for directive in directives {
            match directive {
                Directive::Timestamp => script.timestamp = true,
                Directive::Select(p) => script.ops.push(Op::Select(p.clone())),
                Directive::Deselect(p) => script.ops.push(Op::Deselect(p.clone())),
                Directive::Stderr => script.ops.push(Op::Stderr),
                Directive::Status(file) => {
                    script.ops.push(Op::Status(script.status_files.len()));
                    script.status_files.push(file.clone());
                }
                Directive::Size(s) => size = *s,
                Directive::Num(n) => num = *n,
                Directive::Processor(p) => processor = Some(p.clone()),
                Directive::Dir(path) => {
                    script.ops.push(Op::Dir(script.dirs.len()));
                    script.dirs.push(DirConfig {
                        path: path.clone(),
                        size,
                        num,
                        processor: processor.clone(),
                    });
                }
                Directive::Ignored => {}
            }
        }
        script
    }

    /// Parse and resolve the arguments (program name excluded).
    pub fn from_args<A: AsRef<[u8]>>(args: &[A]) -> Script {
        Script::new(&parse(args))
    }

    /// Whether any `+`/`-` pattern can change a line's selection.
    pub fn has_patterns(&self) -> bool {
        self.ops
            .iter()
            .any(|op| matches!(op, Op::Select(_) | Op::Deselect(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(args: &[&str]) -> Vec<Directive> {
        parse(args)
    }

    //= spec/multilog.md#log-1
    #[test]
    fn the_first_byte_alone_chooses() {
        assert_eq!(
            d(&["e", "efoo", "main", "", "xyz", "+a*", "-", "=st", "!gzip", "./m", "/v/l"]),
            vec![
                Directive::Stderr,
                Directive::Stderr,
                Directive::Ignored,
                Directive::Ignored,
                Directive::Ignored,
                Directive::Select(b"a*".to_vec()),
                Directive::Deselect(Vec::new()),
                Directive::Status(b"st".to_vec()),
                Directive::Processor(b"gzip".to_vec()),
                Directive::Dir(b"./m".to_vec()),
                Directive::Dir(b"/v/l".to_vec()),
            ]
        );
    }

    //= spec/multilog.md#log-2
    #[test]
    fn t_counts_only_first() {
        assert_eq!(
            d(&["tfoo", "t"]),
            vec![Directive::Timestamp, Directive::Ignored]
        );
        assert_eq!(d(&["e", "t"]), vec![Directive::Stderr, Directive::Ignored]);
        assert!(Script::from_args(&["t", "./x"]).timestamp);
        assert!(!Script::from_args(&["./x", "t"]).timestamp);
    }

    //= spec/multilog.md#log-7
    #[test]
    fn numbers_are_leading_digits_clamped() {
        assert_eq!(d(&["s"]), vec![Directive::Size(MIN_SIZE)]);
        assert_eq!(d(&["sfoo"]), vec![Directive::Size(MIN_SIZE)]);
        assert_eq!(d(&["s5000x9"]), vec![Directive::Size(5000)]);
        assert_eq!(d(&["s99999999"]), vec![Directive::Size(MAX_SIZE)]);
        assert_eq!(d(&["n0"]), vec![Directive::Num(2)]);
        assert_eq!(d(&["n1"]), vec![Directive::Num(2)]);
        assert_eq!(d(&["n3"]), vec![Directive::Num(3)]);
        // 2^64 + 1 wraps to 1 in scan_ulong, then is clamped.
        assert_eq!(
            d(&["s18446744073709551617"]),
            vec![Directive::Size(MIN_SIZE)]
        );
        assert_eq!(scan_number(b"18446744073709551621"), 5);
    }

    //= spec/multilog.md#log-7
    #[test]
    fn settings_are_sticky_for_later_directories() {
        let s = Script::from_args(&["./a", "s5000", "n3", "./b", "!cat", "./c", "s1", "./d"]);
        let cfg = |i: usize| (s.dirs[i].size, s.dirs[i].num, s.dirs[i].processor.clone());
        assert_eq!(cfg(0), (DEFAULT_SIZE, DEFAULT_NUM, None));
        assert_eq!(cfg(1), (5000, 3, None));
        assert_eq!(cfg(2), (5000, 3, Some(b"cat".to_vec())));
        assert_eq!(cfg(3), (MIN_SIZE, 3, Some(b"cat".to_vec())));
        assert_eq!(s.ops, vec![Op::Dir(0), Op::Dir(1), Op::Dir(2), Op::Dir(3)]);
    }

    //= spec/multilog.md#log-3
    #[test]
    fn ops_keep_script_order() {
        let s = Script::from_args(&["t", "-*", "+a*", "e", "=f", "./d", "=g"]);
        assert_eq!(
            s.ops,
            vec![
                Op::Deselect(b"*".to_vec()),
                Op::Select(b"a*".to_vec()),
                Op::Stderr,
                Op::Status(0),
                Op::Dir(0),
                Op::Status(1),
            ]
        );
        assert_eq!(s.status_files, vec![b"f".to_vec(), b"g".to_vec()]);
        assert!(s.has_patterns());
        // Without `+`/`-` every line is selected: the fast path may skip
        // pattern evaluation.
        assert!(!Script::from_args(&["t", "s100", "./main", "e", "=f"]).has_patterns());
        assert!(Script::from_args(&["+x"]).has_patterns());
    }

    proptest! {
        //= spec/multilog.md#log-1
        #[test]
        fn every_argument_is_one_directive(args: Vec<Vec<u8>>) {
            let parsed = parse(&args);
            prop_assert_eq!(parsed.len(), args.len());
            for (arg, directive) in args.iter().zip(&parsed) {
                if let Directive::Size(s) = directive {
                    prop_assert!((MIN_SIZE..=MAX_SIZE).contains(s));
                }
                if let Directive::Num(n) = directive {
                    prop_assert!(*n >= MIN_NUM);
                }
                if let Directive::Dir(p) = directive {
                    prop_assert_eq!(p, arg);
                }
            }
        }

        //= spec/multilog.md#log-7
        #[test]
        fn small_numbers_parse_as_decimal(n in 0u64..1_000_000_000, junk in "[^0-9]*") {
            let text = format!("{n}{junk}");
            prop_assert_eq!(scan_number(text.as_bytes()), n);
        }
    }
}
