//! multilog's machine against the reference model, on the in-memory
//! filesystem: same files for the same input (no failures), no loss and no
//! duplicate under injected failures, short writes and crashes, and an
//! exhaustive exploration of a crash at every step followed by a restart.

use dt_core::multilog::memfs::{Fault, MemFs, Run};
use dt_core::multilog::{is_archive, matches, Event, Script, STAMP_LEN};
use dt_core::process::ExitKind;
use dt_core::{label, Errno, Mono, Now};
use dt_model::multilog::{model_match, model_run, ModelDir, ModelOp};
use proptest::prelude::*;

fn now() -> Now {
    Now {
        mono: Mono::from_secs(10),
        wall: label::from_unix(1_700_000_000, 500),
    }
}

fn stamp_of(now: Now) -> Vec<u8> {
    let mut stamp = label::encode(&now.wall).to_vec();
    stamp.push(b' ');
    assert_eq!(stamp.len(), STAMP_LEN);
    stamp
}

/// Lines over a small alphabet, some long (past 1000 bytes, past 4096).
fn input() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        6 => proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b' '), Just(0u8)], 0..120),
        2 => proptest::collection::vec(Just(b'x'), 120..1200),
        1 => proptest::collection::vec(Just(b'y'), 3000..9000),
    ];
    (proptest::collection::vec(line, 0..60), any::<bool>()).prop_map(|(lines, newline_at_end)| {
        let mut all = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            all.extend_from_slice(line);
            if i + 1 < lines.len() || newline_at_end {
                all.push(b'\n');
            }
        }
        all
    })
}

/// Split `input` at these points (the driver's reads).
fn split<'a>(input: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut reads = Vec::new();
    let mut start = 0;
    for c in cuts {
        if c > start {
            reads.push(&input[start..c]);
            start = c;
        }
    }
    if start < input.len() {
        reads.push(&input[start..]);
    }
    reads
}

#[derive(Clone, Debug)]
struct Case {
    stamp: bool,
    patterns: Vec<(bool, Vec<u8>)>,
    stderr: bool,
    status: bool,
    sizes: Vec<u64>,
    num: u64,
}

fn case() -> impl Strategy<Value = Case> {
    let pattern = proptest::collection::vec(
        prop_oneof![Just(b'a'), Just(b'b'), Just(b'*'), Just(b' ')],
        0..4,
    );
    (
        any::<bool>(),
        proptest::collection::vec((any::<bool>(), pattern), 0..3),
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(prop_oneof![Just(4096u64), 4096u64..12000], 1..3),
        2u64..6,
    )
        .prop_map(|(stamp, patterns, stderr, status, sizes, num)| Case {
            stamp,
            patterns,
            stderr,
            status,
            sizes,
            num,
        })
}

impl Case {
    fn args(&self) -> Vec<Vec<u8>> {
        let mut args: Vec<Vec<u8>> = Vec::new();
        if self.stamp {
            args.push(b"t".to_vec());
        }
        args.push(format!("n{}", self.num).into_bytes());
        for (select, p) in &self.patterns {
            let mut arg = vec![if *select { b'+' } else { b'-' }];
            arg.extend_from_slice(p);
            args.push(arg);
        }
        if self.stderr {
            args.push(b"e".to_vec());
        }
        if self.status {
            args.push(b"=status".to_vec());
        }
        for (i, size) in self.sizes.iter().enumerate() {
            args.push(format!("s{size}").into_bytes());
            args.push(format!("./d{i}").into_bytes());
        }
        args
    }

    fn model(&self, reads: &[&[u8]]) -> dt_model::multilog::ModelOutput {
        let mut ops = Vec::new();
        for (select, p) in &self.patterns {
            ops.push(if *select {
                ModelOp::Select(p.clone())
            } else {
                ModelOp::Deselect(p.clone())
            });
        }
        if self.stderr {
            ops.push(ModelOp::Stderr);
        }
        if self.status {
            ops.push(ModelOp::Status(0));
        }
        let dirs: Vec<ModelDir> = self
            .sizes
            .iter()
            .enumerate()
            .map(|(i, &size)| {
                ops.push(ModelOp::Dir(i));
                ModelDir {
                    size,
                    num: self.num as usize,
                }
            })
            .collect();
        let stamp = stamp_of(now());
        model_run(
            &ops,
            &dirs,
            usize::from(self.status),
            self.stamp.then_some(&stamp[..]),
            reads,
        )
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    //= spec/multilog.md#log-4
    #[test]
    fn the_matcher_agrees_with_the_model(
        pattern in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'*')], 0..6),
        line in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'*')], 0..10),
    ) {
        prop_assert_eq!(matches(&pattern, &line), model_match(&pattern, &line));
    }

    //= spec/multilog.md#log-3
    //= spec/multilog.md#log-5
    //= spec/multilog.md#log-6
    //= spec/multilog.md#log-8
    //= spec/multilog.md#log-9
    //= spec/multilog.md#log-10
    //= spec/multilog.md#log-16
    #[test]
    fn files_are_the_models_files(case in case(), input in input(), cuts in proptest::collection::vec(any::<usize>(), 0..6)) {
        let reads = split(&input, &cuts);
        let mut fs = MemFs::new();
        let mut run = Run::start(Script::from_args(&case.args()), &mut fs, now());
        for read in &reads {
            run.feed(&mut fs, read, usize::MAX);
        }
        run.eof(&mut fs);
        prop_assert_eq!(run.exit, Some(0));
        let model = case.model(&reads);
        for i in 0..case.sizes.len() {
            prop_assert_eq!(&fs.files(format!("./d{i}").as_bytes()), &model.files[i], "dir {}", i);
        }
        prop_assert_eq!(&fs.stderr, &model.stderr);
        if case.status {
            let expected = model.status[0].clone().unwrap_or_default();
            prop_assert_eq!(fs.status_file(b"status").unwrap_or_default(), &expected[..]);
        }
    }
}

/// What can go wrong during a run.
#[derive(Clone, Debug)]
enum Trouble {
    /// The `step`th answered action fails.
    Fail(u64, Errno),
    /// The `step`th answered action (if a write) is short.
    Short(u64, usize),
    /// A SIGKILL after this many answered actions of the current run,
    /// then a restart.
    Crash(u64),
}

fn trouble() -> impl Strategy<Value = Trouble> {
    prop_oneof![
        3 => (0u64..80, prop_oneof![Just(Errno::ENOSPC), Just(Errno::EIO), Just(Errno::EDQUOT), Just(Errno::EAGAIN)])
            .prop_map(|(s, e)| Trouble::Fail(s, e)),
        2 => (0u64..80, 0usize..300).prop_map(|(s, n)| Trouble::Short(s, n)),
        1 => (1u64..60).prop_map(Trouble::Crash),
    ]
}

/// Run the logger over `input` with failures injected and crashes with
/// restarts. Returns the exit code and, per run, where its input started and
/// how much had been logged when it started.
fn troubled_run(
    args: &[&str],
    input: &[u8],
    read: usize,
    troubles: &[Trouble],
    fs: &mut MemFs,
) -> (Option<i32>, Vec<(usize, usize)>) {
    for t in troubles {
        match *t {
            Trouble::Fail(step, errno) => fs.inject(step, Fault::Fail(errno)),
            Trouble::Short(step, n) => fs.inject(step, Fault::Short(n)),
            Trouble::Crash(_) => {}
        }
    }
    let mut crashes: Vec<u64> = troubles
        .iter()
        .filter_map(|t| match t {
            Trouble::Crash(after) => Some(*after),
            _ => None,
        })
        .collect();
    crashes.sort_unstable();
    let mut crashes = crashes.into_iter();
    let script = Script::from_args(args);
    let dir = args.last().copied().unwrap_or_default().as_bytes();
    let mut runs = vec![(0, 0)];
    let mut run = Run::new(script.clone(), now());
    fs.set_faults(false);
    let mut consumed = 0;
    let mut next_crash = crashes.next();
    let mut steps = 0u64;
    loop {
        if next_crash.is_some_and(|limit| steps >= limit) {
            // SIGKILL: the read buffer goes with the process; the writer
            // goes on with the rest of its output.
            fs.crash();
            next_crash = crashes.next();
            steps = 0;
            runs.push((consumed, fs.recoverable(dir).len()));
            let mut later = run.now;
            later.mono = later.mono.after_secs(1);
            run = Run::new(script.clone(), later);
            fs.set_faults(false);
            continue;
        }
        // Start-up failures are fatal by design: faults start with input.
        if !run.busy() && run.logger.wants_input().is_some() {
            fs.set_faults(true);
        }
        if run.exit.is_some() {
            return (run.exit, runs);
        }
        if run.busy() {
            run.step(fs);
            steps += 1;
        } else if run.logger.wants_input().is_some() {
            if consumed == input.len() {
                run.send(Event::Eof);
            } else {
                let take = (input.len() - consumed).min(read);
                run.send(Event::Input(&input[consumed..consumed + take]));
                consumed += take;
            }
        } else if let Some(deadline) = run.logger.next_deadline() {
            run.advance_to(deadline);
            run.send(Event::Tick);
        } else {
            return (run.exit, runs);
        }
    }
}

/// Each run logged a prefix of the input it read, in order, and the last
/// run (which ended cleanly) all of it.
fn assert_runs_logged_prefixes(
    logged: &[u8],
    input: &[u8],
    runs: &[(usize, usize)],
) -> Result<(), TestCaseError> {
    for (k, &(start, at)) in runs.iter().enumerate() {
        let (next_start, next_at) = runs
            .get(k + 1)
            .copied()
            .unwrap_or((input.len(), logged.len()));
        let wrote = &logged[at..next_at];
        prop_assert!(
            start + wrote.len() <= next_start,
            "run {} wrote more than it read",
            k
        );
        prop_assert_eq!(wrote, &input[start..start + wrote.len()], "run {}", k);
        if k + 1 == runs.len() {
            prop_assert_eq!(
                start + wrote.len(),
                input.len(),
                "the last run logged everything"
            );
        }
    }
    Ok(())
}

fn lines(n: usize, width: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| {
            let mut line = format!("{i:06}").into_bytes();
            line.resize(width.max(7), b'.');
            line.push(b'\n');
            line
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Failures and short writes, no crash: everything arrives once, in
    /// order, and files are cut at the same places as without trouble.
    //= spec/multilog.md#log-11
    //= spec/multilog.md#log-21
    //= spec/multilog.md#log-26
    #[test]
    fn failures_never_lose_or_duplicate(
        width in 5usize..400,
        n in 1usize..200,
        read in prop_oneof![Just(65536usize), 1usize..3000],
        troubles in proptest::collection::vec(trouble().prop_filter("no crash", |t| !matches!(t, Trouble::Crash(_))), 0..8),
    ) {
        let input = lines(n, width);
        let mut fs = MemFs::new();
        let (exit, _) = troubled_run(&["s4096", "n1000", "./d"], &input, read, &troubles, &mut fs);
        prop_assert_eq!(exit, Some(0));
        prop_assert_eq!(fs.logged(b"./d"), input.clone());
        let mut clean = MemFs::new();
        troubled_run(&["s4096", "n1000", "./d"], &input, read, &[], &mut clean);
        prop_assert_eq!(fs.files(b"./d"), clean.files(b"./d"));
        prop_assert!(fs.fatal.is_none());
    }

    /// With crashes too: what is logged is the input in order, each byte at
    /// most once, with at most one gap per crash; every file but the last
    /// is marked finished or archived as `.u`; at most n-1 archives remain.
    //= spec/multilog.md#log-14
    //= spec/multilog.md#log-26
    #[test]
    fn crashes_lose_only_unwritten_data(
        width in 5usize..300,
        n in 1usize..150,
        read in prop_oneof![Just(65536usize), 1usize..2000],
        troubles in proptest::collection::vec(trouble(), 0..6),
    ) {
        let input = lines(n, width);
        let mut fs = MemFs::new();
        let (exit, runs) = troubled_run(&["s4096", "n1000", "./d"], &input, read, &troubles, &mut fs);
        prop_assert_eq!(exit, Some(0));
        let logged = fs.logged(b"./d");
        assert_runs_logged_prefixes(&logged, &input, &runs)?;
        let listing = fs.listing(b"./d");
        prop_assert_eq!(listing.get(&b"current"[..]).map(|e| e.mode), Some(0o744));
        for (name, entry) in &listing {
            if is_archive(name) && name.ends_with(b".s") {
                prop_assert_eq!(entry.mode, 0o744);
            }
        }
        prop_assert!(!listing.contains_key(&b"previous"[..]));
    }

    /// Trimming keeps at most n-1 archives and removes the oldest.
    //= spec/multilog.md#log-16
    #[test]
    fn trimming_keeps_the_newest_n_minus_1(n in 2u64..6, count in 1usize..120) {
        let input = lines(count, 100);
        let mut fs = MemFs::new();
        let num = format!("n{n}");
        troubled_run(&["s4096", &num, "./d"], &input, 65536, &[], &mut fs);
        let kept = fs.files(b"./d");
        prop_assert!(kept.len() as u64 <= n);
        let tail = kept.concat();
        prop_assert!(input.ends_with(&tail));
    }
}

/// Every crash point of a small run, each followed by a restart that logs
/// more input: nothing written is lost or repeated, unfinished files become
/// `.u`, and start-up recovery itself survives a crash at any of its steps.
///
/// Bound: the script `s4096 n100 ./d`, and again with an identity processor
/// (`!cat`); run 1 is given 60 lines of 120 bytes in one read and killed
/// after each of its steps `0..=total` (`total` being a clean run's count of
/// answered steps, end of input included); run 2 either is not started or
/// is killed after each of steps `0..40` of its start-up (recovery); run 3
/// logs 30 lines of 50 bytes and exits. That is `2 × (total + 1) × 41`
/// crash schedules (printed with `--nocapture`; `spec/models.md` records
/// the figure), each checked for the properties above.
//= spec/models.md#model-3
//= spec/multilog.md#log-13
//= spec/multilog.md#log-14
//= spec/multilog.md#log-15
//= spec/multilog.md#log-17
//= spec/multilog.md#log-26
#[test]
fn a_crash_at_every_step_then_recovery() {
    let mut total_explored = 0;
    let first = lines(60, 120);
    let second = lines(30, 50);
    for processor in [false, true] {
        let args: Vec<&str> = if processor {
            vec!["s4096", "n100", "!cat", "./d"]
        } else {
            vec!["s4096", "n100", "./d"]
        };
        // How many steps a clean first run takes.
        let mut probe = MemFs::new();
        probe.set_processor(Box::new(|previous: &[u8], state: &[u8]| {
            Ok((previous.to_vec(), state.to_vec()))
        }));
        let mut run = Run::start(Script::from_args(&args), &mut probe, now());
        run.feed(&mut probe, &first, 65536);
        run.eof(&mut probe);
        let total = probe.steps;
        let mut explored = 0;
        // The most steps run 1 (after its input) and run 2 (its start-up,
        // up to the point it waits for input) really took before the kill.
        let (mut longest_1, mut longest_2) = (0, 0);
        for crash_after in 0..=total {
            for second_crash in std::iter::once(None).chain((0u64..40).map(Some)) {
                let mut fs = MemFs::new();
                fs.set_processor(Box::new(|previous: &[u8], state: &[u8]| {
                    Ok((previous.to_vec(), state.to_vec()))
                }));
                let script = Script::from_args(&args);
                // Run 1: everything fed at once, crash after `crash_after` steps.
                let mut run = Run::start(script.clone(), &mut fs, now());
                run.send(Event::Input(&first));
                let mut steps = 0;
                while steps < crash_after && run.step(&mut fs) {
                    steps += 1;
                }
                longest_1 = longest_1.max(steps);
                let written_before = fs.recoverable(b"./d");
                fs.crash();
                // Run 2 (maybe crashing during its own start-up), then run 3.
                let mut later = now();
                later.mono = later.mono.after_secs(60);
                if let Some(limit) = second_crash {
                    let mut run = Run::new(script.clone(), later);
                    let mut steps = 0;
                    while steps < limit && run.step(&mut fs) {
                        steps += 1;
                    }
                    longest_2 = longest_2.max(steps);
                    fs.crash();
                }
                let mut run = Run::start(script.clone(), &mut fs, later);
                run.feed(&mut fs, &second, 65536);
                run.eof(&mut fs);
                assert_eq!(run.exit, Some(0), "crash after {crash_after}");
                let logged = fs.logged(b"./d");
                // Whatever run 1 wrote comes first, then run 2's input whole.
                assert!(
                    first.starts_with(&written_before),
                    "run 1 wrote what it read, in order: crash after {crash_after}, processor {processor}: {:?}",
                    fs.listing(b"./d").keys().map(|k| String::from_utf8_lossy(k).into_owned()).collect::<Vec<_>>()
                );
                assert_eq!(
                    logged,
                    [&written_before[..], &second[..]].concat(),
                    "crash after step {crash_after}/{total}, processor {processor}, second crash {second_crash:?}"
                );
                let listing = fs.listing(b"./d");
                for name in listing.keys() {
                    assert!(
                        is_archive(name)
                            || [&b"current"[..], b"lock", b"state"].contains(&&name[..]),
                        "leftover {}",
                        String::from_utf8_lossy(name)
                    );
                }
                explored += 1;
            }
        }
        // Schedules that kill a run after it stopped on its own repeat an
        // earlier one; these are the different ones.
        let distinct = (longest_1 + 1) * (1 + (longest_2 + 1).min(40));
        println!(
            "multilog crash exploration, processor {processor}: {explored} crash schedules \
             ({total} steps in a clean run; run 1 killed after each of 0..={longest_1} steps \
             following its input, run 2 not started or killed after each of \
             0..={longest_2} start-up steps): at most {distinct} distinct"
        );
        assert!(distinct > 500, "only {distinct} distinct crash schedules");
        assert_eq!(explored, (total + 1) * 41);
        assert!(explored > 1000, "explored {explored} crash points");
        total_explored += explored;
    }
    println!("multilog crash exploration: {total_explored} crash schedules in all");
}

/// A processor that crashes or fails is retried after pauses; the data
/// reaches the archive once it succeeds.
//= spec/multilog.md#log-17
#[test]
fn a_failing_processor_is_run_again() {
    let mut fs = MemFs::new();
    let mut calls = 0;
    fs.set_processor(Box::new(move |previous: &[u8], _state: &[u8]| {
        calls += 1;
        match calls {
            1 => Err(ExitKind::Signaled(9)),
            2 => Err(ExitKind::Exited(1)),
            _ => Ok((
                previous.to_ascii_uppercase(),
                format!("{calls}").into_bytes(),
            )),
        }
    }));
    let input = lines(40, 100);
    let mut run = Run::start(Script::from_args(&["s4096", "!x", "./d"]), &mut fs, now());
    run.feed(&mut fs, &input, 65536);
    run.eof(&mut fs);
    assert_eq!(run.exit, Some(0));
    assert_eq!(
        fs.warnings.len(),
        3,
        "crashed, failed, failed: {:?}",
        fs.warnings
    );
    let listing = fs.listing(b"./d");
    assert_eq!(listing[&b"state"[..]].data, b"3");
    let logged = fs.logged(b"./d");
    assert_eq!(logged.to_ascii_uppercase(), input.to_ascii_uppercase());
    assert!(fs.fatal.is_none());
}

/// Every line width from 1 to 1100 bytes, every seventh up to 4200 (and,
/// with timestamps, the widths around 0.76's 512-byte buffer and 1000-byte
/// line limit), enough lines for
/// two rotations, read in one go: the files are the model's. Random inputs
/// rarely make a line's head fill the output buffer exactly, which moves
/// 0.76's writes and so its cut points; this meets every such alignment.
//= spec/multilog.md#log-9
//= spec/multilog.md#log-10
#[test]
fn files_are_the_models_files_for_every_line_width() {
    let plain = (1..=1100)
        .chain((1101..=4200).step_by(7))
        .map(|w| (false, w));
    let stamped = (480..=540).chain(990..=1010).map(|w| (true, w));
    for (stamp, width) in plain.chain(stamped) {
        let case = Case {
            stamp,
            patterns: Vec::new(),
            stderr: false,
            status: false,
            sizes: vec![4096],
            num: 5,
        };
        let input = lines(9000 / (width + 1) + 3, width);
        let mut fs = MemFs::new();
        let mut run = Run::start(Script::from_args(&case.args()), &mut fs, now());
        run.feed(&mut fs, &input, usize::MAX);
        run.eof(&mut fs);
        assert_eq!(run.exit, Some(0));
        let model = case.model(&[&input[..]]);
        assert_eq!(
            fs.files(b"./d0"),
            model.files[0],
            "width {width}, stamped {stamp}"
        );
    }
}
