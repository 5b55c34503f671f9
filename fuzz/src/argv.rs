//! Command lines and envdir values: argv split on NUL through `getopt` and
//! each program's parser, each checked against a small reference written
//! here from the spec's words.

use dt_core::control::svc_bytes;
use dt_core::envdir::{self, Entry, FirstLine, NameError, Progress};
use dt_core::getopt::{Getopt, Opt};
use dt_core::setlock::{self, Setlock, Usage};
use dt_core::softlimit::{self, Step, Value};

/// svc's option letters (0.76's `svc.c`).
pub const SVC_OPTIONS: &[u8] = b"udopchaitkx";

/// The input as an argument vector: the bytes split at every NUL (so the
/// empty input is one empty word, the program name).
pub fn argv(data: &[u8]) -> Vec<Vec<u8>> {
    data.split(|&b| b == 0).map(<[u8]>::to_vec).collect()
}

/// 0.76's `scan_ulong` over all of `digits` (ASCII digits only): the number
/// modulo 2^64, computed differently from core's fold. 2^64 divides 10^64,
/// so only the last 64 digits matter; those are split into two halves of at
/// most 32 digits, each exact in a `u128`.
pub fn decimal_mod_2_64(digits: &[u8]) -> u64 {
    let tail = &digits[digits.len().saturating_sub(64)..];
    let (high, low) = tail.split_at(tail.len().saturating_sub(32));
    let exact = |part: &[u8]| -> u128 {
        if part.is_empty() {
            0
        } else {
            std::str::from_utf8(part)
                .ok()
                .and_then(|text| text.parse::<u128>().ok())
                .unwrap_or_else(|| panic!("not 32 digits: {part:?}"))
        }
    };
    // 10^32 mod 2^64, from u128 arithmetic.
    let ten_32 = 10u128.pow(32) as u64;
    (exact(high) as u64)
        .wrapping_mul(ten_32)
        .wrapping_add(exact(low) as u64)
}

/// The leading decimal digits of `text`.
pub fn leading_digits(text: &[u8]) -> &[u8] {
    let end = text
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(text.len());
    &text[..end]
}

/// OPT-1 written out as a loop over words: the options `Getopt` must give
/// for `args` with option string `spec`, and the index of the first operand
/// (`None` when parsing ended with a complaint).
pub fn reference_getopt(args: &[Vec<u8>], spec: &[u8]) -> (Vec<Opt>, Option<usize>) {
    let takes = |letter: u8| -> Option<bool> {
        if letter == b':' {
            return None;
        }
        let at = spec.iter().position(|&c| c == letter)?;
        Some(spec.get(at + 1) == Some(&b':'))
    };
    let mut out = Vec::new();
    let mut i = 1;
    'words: while i < args.len() {
        let word = &args[i];
        if word.len() < 2 || word[0] != b'-' {
            break; // an operand, or a lone `-`
        }
        if word[1] == b'-' {
            i += 1; // `--…` is consumed
            break;
        }
        for (j, &letter) in word.iter().enumerate().skip(1) {
            match takes(letter) {
                None => {
                    out.push(Opt::Illegal(letter));
                    return (out, None);
                }
                Some(false) => out.push(Opt::Flag(letter, None)),
                Some(true) => {
                    let glued = &word[j + 1..];
                    if !glued.is_empty() {
                        out.push(Opt::Flag(letter, Some(glued.to_vec())));
                        i += 1;
                    } else if let Some(next) = args.get(i + 1) {
                        out.push(Opt::Flag(letter, Some(next.clone())));
                        i += 2;
                    } else {
                        out.push(Opt::MissingArgument(letter));
                        return (out, None);
                    }
                    continue 'words;
                }
            }
        }
        i += 1;
    }
    (out, Some(i.min(args.len())))
}

/// `Getopt` over `args` with `spec`, to the end: the options and, if no
/// complaint ended it, the first operand's index. Checked against
/// [`reference_getopt`].
fn getopt_checked(args: &[Vec<u8>], spec: &[u8]) -> (Vec<Opt>, Option<usize>) {
    let mut getopt = Getopt::new(args, spec);
    let opts: Vec<Opt> = getopt.by_ref().collect();
    // Exhausted stays exhausted.
    assert_eq!(getopt.next(), None, "getopt resumed after its end");
    let complained = matches!(opts.last(), Some(Opt::Illegal(_) | Opt::MissingArgument(_)));
    let start = (!complained).then(|| getopt.operands_start());
    for (k, opt) in opts.iter().enumerate() {
        let last = k + 1 == opts.len();
        match *opt {
            Opt::Flag(letter, ref arg) => {
                assert_ne!(letter, b':');
                let at = spec
                    .iter()
                    .position(|&c| c == letter)
                    .expect("a known letter");
                assert_eq!(arg.is_some(), spec.get(at + 1) == Some(&b':'));
            }
            Opt::Illegal(letter) => {
                assert!(last, "options after a complaint");
                assert!(letter == b':' || !spec.contains(&letter));
            }
            Opt::MissingArgument(_) => assert!(last, "options after a complaint"),
        }
    }
    // Complaints name the program by argv[0] after its last `/`.
    let argv0 = args.first().map_or(&[][..], Vec::as_slice);
    let name = argv0.split(|&b| b == b'/').next_back().unwrap_or_default();
    assert_eq!(dt_core::getopt::program_name(argv0), name);
    let (expected, expected_start) = reference_getopt(args, spec);
    assert_eq!(opts, expected, "options of {args:?} with {spec:?}");
    assert_eq!(start, expected_start, "first operand of {args:?}");
    if let Some(start) = start {
        assert!((1..=args.len().max(1)).contains(&start));
    }
    (opts, start)
}

/// svc's command line: `getopt` with `udopchaitkx` as svc runs it, then
/// `svc_bytes` of the letters. Options agree with the OPT-1 reference; a
/// complaint can only be an illegal letter (no svc option takes an
/// argument); the bytes are distinct, at most 20, in first-seen order, and
/// only from the eleven letters.
//= spec/options.md#opt-1
//= spec/options.md#opt-2
//= spec/control.md#ctl-3
pub fn svc_argv(data: &[u8]) {
    let args = argv(data);
    let (opts, start) = getopt_checked(&args, SVC_OPTIONS);
    let mut letters = Vec::new();
    for opt in &opts {
        match *opt {
            Opt::Flag(letter, None) => letters.push(letter),
            Opt::Illegal(letter) => assert!(!SVC_OPTIONS.contains(&letter) || letter == b':'),
            ref other => panic!("svc got {other:?}"),
        }
    }
    if start.is_none() {
        return; // usage, exit 100, before any directory
    }
    let bytes = svc_bytes(letters.iter().copied());
    assert!(bytes.len() <= 20);
    assert!(bytes.iter().all(|b| SVC_OPTIONS.contains(b)), "{bytes:?}");
    for (i, b) in bytes.iter().enumerate() {
        assert!(!bytes[..i].contains(b), "{b} twice in {bytes:?}");
    }
    let mut first_seen: Vec<u8> = Vec::new();
    for &letter in &letters {
        if !first_seen.contains(&letter) {
            first_seen.push(letter);
        }
    }
    assert_eq!(bytes, first_seen, "first-seen order");
}

/// SOFTLIMIT-2 as a reference: exactly `=`, or digits only (none: 0).
fn reference_value(arg: &[u8]) -> Option<Value> {
    if arg == b"=" {
        Some(Value::Hard)
    } else if arg.iter().all(u8::is_ascii_digit) {
        Some(Value::Number(decimal_mod_2_64(arg)))
    } else {
        None
    }
}

/// softlimit's command line through `softlimit::steps`: the steps are one
/// `Limit` per option as the OPT-1 reference parses them, each with the
/// resources of SOFTLIMIT-1 and the value of SOFTLIMIT-2, until the first
/// problem; the last step is `Usage` or `Run` (the first operand), and
/// nothing follows it. `soft_limit` never exceeds the hard limit.
//= spec/options.md#opt-1
//= spec/tools.md#softlimit-1
//= spec/tools.md#softlimit-2
//= spec/tools.md#softlimit-3
//= spec/tools.md#softlimit-4
pub fn softlimit_argv(data: &[u8]) {
    let args = argv(data);
    let steps: Vec<Step> = softlimit::steps(&args).collect();
    let mut iter = softlimit::steps(&args);
    for _ in 0..steps.len() {
        let _ = iter.next();
    }
    assert_eq!(iter.next(), None, "a step after the last");

    // The reference: options one at a time until a problem.
    let (opts, start) = getopt_checked(&args, softlimit::OPTIONS);
    let mut expected = Vec::new();
    let mut ended = false;
    for opt in opts {
        match opt {
            Opt::Flag(letter, Some(arg)) => {
                match (softlimit::resources(letter), reference_value(&arg)) {
                    (Some(resources), Some(value)) => {
                        expected.push(Step::Limit { resources, value });
                        for hard in [0, 1, 4096, u64::MAX] {
                            let soft = softlimit::soft_limit(value, hard);
                            assert!(soft <= hard);
                            assert_eq!(
                                soft,
                                match value {
                                    Value::Hard => hard,
                                    Value::Number(n) => n.min(hard),
                                }
                            );
                        }
                    }
                    _ => {
                        expected.push(Step::Usage(None));
                        ended = true;
                        break;
                    }
                }
            }
            problem @ (Opt::Illegal(_) | Opt::MissingArgument(_)) => {
                expected.push(Step::Usage(Some(problem)));
                ended = true;
                break;
            }
            Opt::Flag(_, None) => panic!("every softlimit option takes a value"),
        }
    }
    if !ended {
        match start {
            Some(child) if child < args.len() => expected.push(Step::Run { child }),
            _ => expected.push(Step::Usage(None)),
        }
    }
    assert_eq!(steps, expected, "steps of {args:?}");
    assert!(matches!(
        steps.last(),
        Some(Step::Usage(_) | Step::Run { .. })
    ));
    for letter in 0..=u8::MAX {
        let listed = softlimit::OPTIONS.contains(&letter) && letter != b':';
        assert_eq!(softlimit::resources(letter).is_some(), listed);
    }
    for opt in &steps {
        if let Step::Limit { resources, .. } = opt {
            assert!(!resources.is_empty());
        }
    }
    // Values are checked on their own too (every word is a candidate).
    for word in &args {
        assert_eq!(softlimit::parse_value(word).ok(), reference_value(word));
    }
}

/// setlock's command line through `setlock::parse`: the options of the
/// OPT-1 reference, the last of `n`/`N` and of `x`/`X` winning, the file
/// the first operand and the program the next, which must exist; any
/// complaint, or a missing file or program, is `Usage`.
//= spec/options.md#opt-1
//= spec/options.md#opt-2
//= spec/tools.md#setlock-1
pub fn setlock_argv(data: &[u8]) {
    let args = argv(data);
    let parsed = setlock::parse(&args);
    let (opts, start) = getopt_checked(&args, setlock::OPTIONS);
    let expected = match start {
        None => Err(Usage(opts.last().cloned())),
        Some(file) if file + 1 >= args.len() => Err(Usage(None)),
        Some(file) => {
            let last = |pair: &[u8]| {
                opts.iter().rev().find_map(|o| match o {
                    Opt::Flag(l, _) if pair.contains(l) => Some(*l),
                    _ => None,
                })
            };
            Ok(Setlock {
                wait: last(b"nN") != Some(b'n'),
                quiet: last(b"xX") == Some(b'x'),
                file,
                program: file + 1,
            })
        }
    };
    assert_eq!(parsed, expected, "setlock {args:?}");
    if let Ok(s) = parsed {
        assert!(s.file >= 1 && s.program == s.file + 1 && s.program < args.len());
    }
}

/// ENVDIR-4 in five lines: empty is `None`; else the first line, trailing
/// spaces and tabs trimmed, NULs turned into newlines.
pub fn reference_envdir_value(contents: &[u8]) -> Option<Vec<u8>> {
    let line = contents
        .split(|&b| b == b'\n')
        .next()
        .filter(|_| !contents.is_empty())?;
    let end = line
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    Some(
        line[..end]
            .iter()
            .map(|&b| if b == 0 { b'\n' } else { b })
            .collect(),
    )
}

/// envdir's reading of a file and a name: `value_of` (and `value` of the
/// first line, and `FirstLine` fed in chunks cut at points drawn from the
/// bytes) equal the five-line reference; `FirstLine` says `Done` exactly
/// once a newline has been read; `classify` skips dot-names and refuses
/// names with `=`.
//= spec/tools.md#envdir-3
//= spec/tools.md#envdir-4
//= spec/deviations.md#dev-3
pub fn envdir_value(data: &[u8]) {
    let expected = reference_envdir_value(data);
    assert_eq!(envdir::value_of(data), expected, "value_of");
    let line = data.split(|&b| b == b'\n').next().unwrap_or_default();
    if !data.is_empty() {
        assert_eq!(Some(envdir::value(line.to_vec())), expected, "value");
    }
    let value = expected.clone().unwrap_or_default();
    assert!(!value.ends_with(b" ") && !value.ends_with(b"\t"));
    assert!(!value.contains(&0));

    // In chunks, as the driver reads.
    let mut first = FirstLine::new();
    let mut seen = 0;
    for chunk in crate::chunks(data) {
        let progress = first.push(chunk);
        seen += chunk.len();
        let newline_read = data[..seen].contains(&b'\n');
        match progress {
            Progress::Done => assert!(newline_read),
            Progress::More => assert!(!newline_read),
            Progress::TooLong => {
                assert!(seen > envdir::MAX_LINE, "{seen} bytes are not too long");
                return;
            }
        }
        if newline_read {
            break;
        }
    }
    assert_eq!(first.finish(), expected, "FirstLine in chunks");

    // Names: the same bytes as a file name.
    let class = envdir::classify(data);
    let expected_class = if data.first() == Some(&b'.') {
        Entry::Skip
    } else if data.contains(&b'=') {
        Entry::Refuse(NameError::ContainsEquals)
    } else {
        Entry::Read
    };
    assert_eq!(class, expected_class, "classify");
}
