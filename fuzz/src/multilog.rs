//! multilog: the script parser on arbitrary argv, and the logger machine on
//! the in-memory filesystem, fed input in arbitrary reads with faults,
//! crashes and restarts.

use crate::argv::{decimal_mod_2_64, leading_digits};
use arbitrary::Unstructured;
use dt_core::multilog::memfs::{Fault, MemFs, Run};
use dt_core::multilog::script::{self, scan_number, DEFAULT_NUM, DEFAULT_SIZE};
use dt_core::multilog::{is_archive, matches, Directive, Event, Op, ReadSize, Script, STAMP_LEN};
use dt_core::{label, Errno, Mono, Now};
use dt_model::multilog::{model_match, model_run, ModelDir, ModelOp};

/// The arguments (program name excluded): the bytes split at every NUL,
/// none at all for the empty input.
fn script_args(data: &[u8]) -> Vec<&[u8]> {
    if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&b| b == 0).collect()
    }
}

/// What LOG-1, LOG-2 and LOG-7 say one argument is.
fn reference_directive(index: usize, arg: &[u8]) -> Directive {
    let rest = || arg[1..].to_vec();
    let number = || decimal_mod_2_64(leading_digits(&arg[1..]));
    match arg.first() {
        Some(b't') if index == 0 => Directive::Timestamp,
        Some(b'+') => Directive::Select(rest()),
        Some(b'-') => Directive::Deselect(rest()),
        Some(b'e') => Directive::Stderr,
        Some(b'=') => Directive::Status(rest()),
        Some(b's') => Directive::Size(number().clamp(script::MIN_SIZE, script::MAX_SIZE)),
        Some(b'n') => Directive::Num(number().max(script::MIN_NUM)),
        Some(b'!') => Directive::Processor(rest()),
        Some(b'.' | b'/') => Directive::Dir(arg.to_vec()),
        _ => Directive::Ignored,
    }
}

/// multilog's script on arbitrary arguments: `parse` never panics, gives
/// one directive per argument chosen by its first byte (LOG-1), `t` only
/// first (LOG-2), numbers as `scan_ulong` reads them (compared with an
/// independent mod-2^64 decimal reading) and clamped (LOG-7); `Script`
/// keeps the per-line program in argument order and gives each directory
/// the `s`, `n` and `!` in force where it appears (LOG-3, LOG-7); every
/// pattern matches each argument (as a line) exactly when the recursive
/// model matcher says so (LOG-4).
//= spec/multilog.md#log-1
//= spec/multilog.md#log-2
//= spec/multilog.md#log-3
//= spec/multilog.md#log-4
//= spec/multilog.md#log-7
pub fn multilog_script(data: &[u8]) {
    let args = script_args(data);
    let directives = script::parse(&args);
    assert_eq!(directives.len(), args.len(), "one directive per argument");
    for (i, (arg, directive)) in args.iter().zip(&directives).enumerate() {
        assert_eq!(
            *directive,
            reference_directive(i, arg),
            "argument {i}: {arg:?}"
        );
        assert_eq!(scan_number(arg), decimal_mod_2_64(leading_digits(arg)));
    }

    let script = Script::new(&directives);
    assert_eq!(script, Script::from_args(&args));
    assert_eq!(
        script.timestamp,
        directives.first() == Some(&Directive::Timestamp)
    );
    let (mut size, mut num, mut processor) = (DEFAULT_SIZE, DEFAULT_NUM, None);
    let (mut ops, mut dirs, mut status_files) = (Vec::new(), Vec::new(), Vec::new());
    for directive in &directives {
        match directive {
            Directive::Select(p) => ops.push(Op::Select(p.clone())),
            Directive::Deselect(p) => ops.push(Op::Deselect(p.clone())),
            Directive::Stderr => ops.push(Op::Stderr),
            Directive::Status(file) => {
                ops.push(Op::Status(status_files.len()));
                status_files.push(file.clone());
            }
            Directive::Size(s) => size = *s,
            Directive::Num(n) => num = *n,
            Directive::Processor(p) => processor = Some(p.clone()),
            Directive::Dir(path) => {
                ops.push(Op::Dir(dirs.len()));
                dirs.push((path.clone(), size, num, processor.clone()));
            }
            Directive::Timestamp | Directive::Ignored => {}
        }
    }
    assert_eq!(script.ops, ops, "ops in argument order");
    assert_eq!(script.status_files, status_files);
    let got: Vec<_> = script
        .dirs
        .iter()
        .map(|d| (d.path.clone(), d.size, d.num, d.processor.clone()))
        .collect();
    assert_eq!(got, dirs, "sticky settings");
    for dir in &script.dirs {
        assert!((script::MIN_SIZE..=script::MAX_SIZE).contains(&dir.size));
        assert!(dir.num >= script::MIN_NUM);
    }
    assert_eq!(
        script.has_patterns(),
        ops.iter()
            .any(|op| matches!(op, Op::Select(_) | Op::Deselect(_)))
    );

    // The matcher, with each pattern against each argument as a line.
    let patterns = script.ops.iter().filter_map(|op| match op {
        Op::Select(p) | Op::Deselect(p) => Some(p),
        _ => None,
    });
    for pattern in patterns.take(8) {
        for line in args.iter().take(8) {
            let line = &line[..line.len().min(1000)];
            assert_eq!(
                matches(pattern, line),
                model_match(pattern, line),
                "{pattern:?} against {line:?}"
            );
        }
    }
}

/// The clock the stream target starts at. Its wall clock never moves (the
/// target moves only the monotonic clock through pauses), so every line
/// gets the same stamp and the reference model can predict them.
fn start_time() -> Now {
    Now {
        mono: Mono::from_secs(10),
        wall: label::from_unix(1_700_000_000, 500),
    }
}

/// What the stream target does to the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Nothing goes wrong: the files are exactly the model's.
    Clean,
    /// Failed and short steps: still exactly the model's files.
    Faults,
    /// Faults and SIGKILLs with restarts: each run logs a prefix of what it
    /// read, in order, and the last one everything left.
    Crashes,
}

/// A script, the troubles and how the input is read, drawn from the front
/// of the input.
#[derive(Debug)]
struct StreamCase {
    mode: Mode,
    args: Vec<Vec<u8>>,
    dirs: Vec<Vec<u8>>,
    processor: bool,
    faults: Vec<(u64, Fault)>,
    crashes: Vec<u64>,
    max_read: usize,
    repeat: usize,
}

impl StreamCase {
    fn draw(u: &mut Unstructured<'_>) -> arbitrary::Result<StreamCase> {
        let mode = match u.int_in_range(0..=2u8)? {
            0 => Mode::Clean,
            1 => Mode::Faults,
            _ => Mode::Crashes,
        };
        let mut args: Vec<Vec<u8>> = Vec::new();
        let mut processor = false;
        if mode == Mode::Crashes {
            // Whole input, byte for byte: no stamps, no patterns, and
            // enough files that nothing is trimmed.
            args.push(b"n1000".to_vec());
            if u.arbitrary()? {
                args.push(b"!p".to_vec());
                processor = true;
            }
        } else {
            if u.arbitrary()? {
                args.push(b"t".to_vec());
            }
            let n = u.int_in_range(0..=7u8)?;
            args.push(format!("n{n}").into_bytes());
            for _ in 0..u.int_in_range(0..=2u8)? {
                let mut arg = vec![if u.arbitrary()? { b'+' } else { b'-' }];
                for _ in 0..u.int_in_range(0..=4u8)? {
                    arg.push(*u.choose(b"ab* @4")?);
                }
                args.push(arg);
            }
            if u.arbitrary()? {
                args.push(b"e".to_vec());
            }
            if u.arbitrary()? {
                args.push(b"=st".to_vec());
            }
        }
        let mut dirs = Vec::new();
        for i in 0..u.int_in_range(1..=2u8)? {
            match u.int_in_range(0..=4u8)? {
                0 => args.push(b"s4096".to_vec()),
                1 | 2 => args.push(format!("s{}", u.int_in_range(4096..=12_000u32)?).into_bytes()),
                3 => {
                    let mut arg = b"s".to_vec();
                    for _ in 0..u.int_in_range(0..=22u8)? {
                        arg.push(*u.choose(b"0123456789x")?);
                    }
                    args.push(arg);
                }
                _ => {}
            }
            let dir = format!("./d{i}").into_bytes();
            args.push(dir.clone());
            dirs.push(dir);
        }
        let mut faults = Vec::new();
        if mode != Mode::Clean {
            for _ in 0..u.int_in_range(0..=6u8)? {
                let step = u.int_in_range(0..=120u64)?;
                let fault = if u.ratio(3, 5)? {
                    Fault::Fail(*u.choose(&[
                        Errno::ENOSPC,
                        Errno::EIO,
                        Errno::EDQUOT,
                        Errno::EAGAIN,
                    ])?)
                } else {
                    Fault::Short(u.int_in_range(0..=300usize)?)
                };
                faults.push((step, fault));
            }
        }
        let mut crashes = Vec::new();
        if mode == Mode::Crashes {
            for _ in 0..u.int_in_range(1..=3u8)? {
                crashes.push(u.int_in_range(0..=80u64)?);
            }
            crashes.sort_unstable();
        }
        Ok(StreamCase {
            mode,
            args,
            dirs,
            processor,
            faults,
            crashes,
            max_read: u.int_in_range(1..=5000usize)?,
            repeat: u.int_in_range(1..=12usize)?,
        })
    }
}

/// Cut `input` into non-empty reads of at most `max` bytes, at points drawn
/// from the input's own bytes; the rest in `max`-byte reads once they run
/// out.
fn reads(input: &[u8], max: usize) -> Vec<&[u8]> {
    let mut u = Unstructured::new(input);
    let mut rest = input;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let cap = rest.len().min(max);
        let len = if u.is_empty() {
            cap
        } else {
            u.int_in_range(1..=cap).unwrap_or(cap)
        };
        let (read, tail) = rest.split_at(len);
        out.push(read);
        rest = tail;
    }
    out
}

/// How a driven run ended.
struct Outcome {
    exit: Option<i32>,
    /// Per run: the input offset it started reading at, and per directory
    /// what a restart recovers at that moment.
    runs: Vec<(usize, Vec<usize>)>,
}

/// The driver of `core/src/multilog/mod.rs` over a [`MemFs`], as
/// `model/tests/multilog.rs` drives it: faults are off during start-up
/// (whose failures are fatal by design), a crash after the given number of
/// answered steps of the current run drops the process (and its unwritten
/// input) and starts a new one that reads on where the writer is. Pauses
/// move only the monotonic clock.
fn drive(case: &StreamCase, reads: &[&[u8]], fs: &mut MemFs) -> Outcome {
    for &(step, fault) in &case.faults {
        fs.inject(step, fault);
    }
    if case.processor {
        fs.set_processor(Box::new(|previous: &[u8], state: &[u8]| {
            Ok((previous.to_vec(), state.to_vec()))
        }));
    }
    let script = Script::from_args(&case.args);
    let mut crashes = case.crashes.iter().copied();
    let mut next_crash = crashes.next();
    let mut runs = vec![(0, vec![0; case.dirs.len()])];
    let mut run = Run::new(script.clone(), start_time());
    fs.set_faults(false);
    let (mut next_read, mut pending): (usize, &[u8]) = (0, &[]);
    let mut consumed = 0;
    let mut steps = 0u64;
    let total: usize = reads.iter().map(|r| r.len()).sum();
    // Generous: a livelock, not a long run, is what this catches.
    let limit = 100_000 + 200 * (reads.len() + total / 64);
    for _ in 0..limit {
        if next_crash.is_some_and(|after| steps >= after) {
            fs.crash();
            next_crash = crashes.next();
            steps = 0;
            let recoverable = case.dirs.iter().map(|d| fs.recoverable(d).len()).collect();
            runs.push((consumed, recoverable));
            let mut later = run.now;
            later.mono = later.mono.after_secs(1);
            run = Run::new(script.clone(), later);
            fs.set_faults(false);
            continue;
        }
        if !run.busy() && run.logger.wants_input().is_some() {
            fs.set_faults(true);
        }
        if run.exit.is_some() {
            return Outcome {
                exit: run.exit,
                runs,
            };
        }
        if run.busy() {
            run.step(fs);
            steps += 1;
        } else if let Some(size) = run.logger.wants_input() {
            if pending.is_empty() {
                if next_read == reads.len() {
                    run.send(Event::Eof);
                    continue;
                }
                pending = reads[next_read];
                next_read += 1;
            }
            let take = match size {
                ReadSize::Chunk => pending.len(),
                ReadSize::OneByte => 1,
            };
            run.send(Event::Input(&pending[..take]));
            pending = &pending[take..];
            consumed += take;
        } else if let Some(deadline) = run.logger.next_deadline() {
            run.now.mono = deadline;
            run.send(Event::Tick);
        } else {
            return Outcome {
                exit: run.exit,
                runs,
            };
        }
    }
    panic!("the logger is still running after {limit} turns");
}

/// multilog's logger machine on the in-memory filesystem, with a small
/// script drawn from the front of the input (`t` or not, `n`, up to two
/// patterns, `e`, `=`, one or two directories with drawn `s` values) and
/// the rest as the text, repeated a drawn number of times and delivered in
/// reads of drawn sizes.
///
/// - Clean, and with failed or short steps injected: it exits 0, and each
///   directory's files (archives in name order, then `current`) are exactly
///   those of `dt_model::multilog::model_run` on the same reads, as are
///   standard error and the `=` file: what was accepted is logged once, in
///   order, cut where 0.76 cuts, trimmed as 0.76 trims.
/// - With crashes (SIGKILL after a drawn number of steps, then a restart
///   that reads on) on a script with no stamp and no pattern: each run
///   logged a prefix of what it read (the input, with the newline that ends
///   a last unterminated line), the last run all that was left, nothing
///   twice; no `previous` remains, `current` is 0744.
//= spec/multilog.md#log-3
//= spec/multilog.md#log-8
//= spec/multilog.md#log-9
//= spec/multilog.md#log-10
//= spec/multilog.md#log-11
//= spec/multilog.md#log-14
//= spec/multilog.md#log-16
//= spec/multilog.md#log-21
//= spec/multilog.md#log-26
pub fn multilog_stream(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(case) = StreamCase::draw(&mut u) else {
        return;
    };
    let text = u.take_rest();
    let input = text.repeat(case.repeat);
    let reads = reads(&input, case.max_read);
    assert_eq!(reads.concat(), input);
    let mut fs = MemFs::new();
    let outcome = drive(&case, &reads, &mut fs);
    assert_eq!(outcome.exit, Some(0), "{case:?}: fatal {:?}", fs.fatal);
    assert!(fs.fatal.is_none());

    if case.mode != Mode::Crashes {
        let script = Script::from_args(&case.args);
        let ops: Vec<ModelOp> = script
            .ops
            .iter()
            .map(|op| match op {
                Op::Select(p) => ModelOp::Select(p.clone()),
                Op::Deselect(p) => ModelOp::Deselect(p.clone()),
                Op::Stderr => ModelOp::Stderr,
                Op::Status(i) => ModelOp::Status(*i),
                Op::Dir(i) => ModelOp::Dir(*i),
            })
            .collect();
        let dirs: Vec<ModelDir> = script
            .dirs
            .iter()
            .map(|d| ModelDir {
                size: d.size,
                num: usize::try_from(d.num).unwrap_or(usize::MAX),
            })
            .collect();
        let mut stamp = label::encode(&start_time().wall).to_vec();
        stamp.push(b' ');
        assert_eq!(stamp.len(), STAMP_LEN);
        let model = model_run(
            &ops,
            &dirs,
            script.status_files.len(),
            script.timestamp.then_some(&stamp[..]),
            &reads,
        );
        for (i, dir) in case.dirs.iter().enumerate() {
            assert_eq!(fs.files(dir), model.files[i], "{case:?}: directory {i}");
        }
        assert_eq!(fs.stderr, model.stderr, "standard error");
        for (i, path) in script.status_files.iter().enumerate() {
            if let Some(expected) = &model.status[i] {
                assert_eq!(fs.status_file(path), Some(&expected[..]), "= file");
            }
        }
        if case.mode == Mode::Clean {
            assert!(fs.warnings.is_empty(), "warnings: {:?}", fs.warnings);
        }
        return;
    }

    // Crashes: the input as it must end up logged, runs of it in order.
    let mut accepted = input.clone();
    if accepted.last().is_some_and(|&b| b != b'\n') {
        accepted.push(b'\n');
    }
    for (d, dir) in case.dirs.iter().enumerate() {
        let logged = fs.logged(dir);
        let runs = &outcome.runs;
        for (k, (start, at)) in runs.iter().enumerate() {
            let at = at[d];
            let next_at = runs.get(k + 1).map_or(logged.len(), |(_, next)| next[d]);
            assert!(
                at <= next_at && next_at <= logged.len(),
                "run {k} shrank the log"
            );
            let wrote = &logged[at..next_at];
            assert!(
                accepted[*start..].starts_with(wrote),
                "{case:?}: run {k} (from {start}) wrote what it did not read next, dir {d}"
            );
            let end = start + wrote.len();
            match runs.get(k + 1) {
                Some(&(next_start, _)) => {
                    let limit = if next_start == input.len() {
                        accepted.len()
                    } else {
                        next_start
                    };
                    assert!(end <= limit, "run {k} wrote more than it read");
                }
                None => {
                    let expected = if *start < input.len() {
                        accepted.len()
                    } else {
                        *start
                    };
                    assert_eq!(end, expected, "{case:?}: the last run logged everything");
                }
            }
        }
        let listing = fs.listing(dir);
        assert_eq!(
            listing.get(&b"current"[..]).map(|e| e.mode),
            Some(0o744),
            "current after a clean exit"
        );
        assert!(!listing.contains_key(&b"previous"[..]));
        for (name, entry) in &listing {
            if is_archive(name) && name.ends_with(b".s") {
                assert_eq!(entry.mode, 0o744);
            }
        }
    }
}
