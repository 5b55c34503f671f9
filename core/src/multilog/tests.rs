use super::memfs::{is_answered, Fault, MemFs, Run};
use super::*;
use crate::process::ExitKind;
use crate::{label, Errno, Mono, Now};

fn now() -> Now {
    Now {
        mono: Mono::from_secs(1000),
        wall: label::from_unix(1_700_000_000, 500),
    }
}

fn start(args: &[&str], fs: &mut MemFs) -> Run {
    Run::start(Script::from_args(args), fs, now())
}

/// One readable line per action, labels redacted, for snapshots.
fn transcript(actions: &[Action]) -> String {
    let show = |b: &[u8]| redact(&String::from_utf8_lossy(b));
    actions
        .iter()
        .map(|a| match a {
            Action::Append { dir, bytes } if bytes.len() > 40 => {
                let lines = bytes.iter().filter(|&&b| b == b'\n').count();
                format!("append {dir} ({} bytes, {lines} newlines)", bytes.len())
            }
            Action::Append { dir, bytes } => format!("append {dir} {:?}", show(bytes)),
            Action::LockDir { dir } => format!("lock {dir}"),
            Action::List { dir } => format!("list {dir}"),
            Action::SeekStatusFile { file } => format!("seek-status {file}"),
            Action::Link { dir, from, to } => {
                format!(
                    "link {dir} {} {}",
                    show(from.as_bytes()),
                    show(to.as_bytes())
                )
            }
            Action::Rename { dir, from, to } => {
                format!(
                    "rename {dir} {} {}",
                    show(from.as_bytes()),
                    show(to.as_bytes())
                )
            }
            Action::Unlink { dir, file } => format!("unlink {dir} {}", show(file.as_bytes())),
            Action::Stat { dir, file } => format!("stat {dir} {}", show(file.as_bytes())),
            Action::Open { dir, file, mode } => {
                format!("open {dir} {} {mode:?}", show(file.as_bytes()))
            }
            Action::Close { dir, file } => format!("close {dir} {}", show(file.as_bytes())),
            Action::Fsync { dir, file } => format!("fsync {dir} {}", show(file.as_bytes())),
            Action::Fchmod { dir, file, mode } => {
                format!("fchmod {dir} {} {mode:o}", show(file.as_bytes()))
            }
            Action::Chmod { dir, file, mode } => {
                format!("chmod {dir} {} {mode:o}", show(file.as_bytes()))
            }
            Action::OpenDir { dir, path } => format!("opendir {dir} {}", show(path)),
            Action::CreateStatusFile { file, path } => {
                format!("create-status {file} {}", show(path))
            }
            Action::OpenStatusFile { file, path } => format!("open-status {file} {}", show(path)),
            Action::WriteStatusFile { file, bytes } => {
                let text = String::from_utf8_lossy(bytes);
                let line = text.trim_end_matches('\n');
                format!(
                    "write-status {file} {:?} + {} newlines",
                    redact(line),
                    bytes.len() - line.len()
                )
            }
            Action::Stderr(bytes) => format!("stderr {:?}", show(bytes)),
            Action::SpawnProcessor { dir, processor } => {
                format!("processor {dir} {}", show(processor))
            }
            other => redact(&format!("{other:?}")),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Replace every `@` label by `@LABEL`.
fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'@'
            && bytes.len() >= i + 25
            && bytes[i + 1..i + 25]
                .iter()
                .all(|b| label::hex_value(*b).is_some())
        {
            out.push_str("@LABEL");
            i += 25;
        } else {
            out.push(bytes[i] as char);
            i += 1;
        }
    }
    out
}

/// A directory's files, archives renamed `@1`, `@2`… in name order.
fn tree(fs: &MemFs, dir: &str) -> String {
    let mut n = 0;
    fs.listing(dir.as_bytes())
        .iter()
        .map(|(name, entry)| {
            let name = if is_archive(name) {
                n += 1;
                format!("@{n}{}", String::from_utf8_lossy(&name[25..]))
            } else {
                String::from_utf8_lossy(name).into_owned()
            };
            let data = redact(&String::from_utf8_lossy(&entry.data));
            format!("{name} {:o} {:?} {data:?}", entry.mode, entry.kind)
        })
        .collect::<Vec<_>>()
        .join("\n")
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

fn names(fs: &MemFs, dir: &str) -> Vec<String> {
    fs.listing(dir.as_bytes())
        .keys()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect()
}

//= spec/multilog.md#log-12
//= spec/multilog.md#log-14
//= spec/multilog.md#log-20
#[test]
fn a_fresh_directory_is_set_up_as_0_76_does() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    run.feed(&mut fs, b"hello\n", 65536);
    run.eof(&mut fs);
    assert_eq!(run.exit, Some(0));
    insta::assert_snapshot!(transcript(&run.log));
    insta::assert_snapshot!(tree(&fs, "./main"), @r#"
    current 744 Regular "hello\n"
    state 644 Regular ""
    "#);
}

//= spec/multilog.md#log-15
//= spec/multilog.md#log-16
#[test]
fn rotation_without_a_processor() {
    let mut fs = MemFs::new();
    let mut run = start(&["s4096", "./main"], &mut fs);
    run.log.clear();
    run.feed(&mut fs, &lines(30, 99), 65536);
    run.eof(&mut fs);
    insta::assert_snapshot!(transcript(&run.log));
    let listing = fs.listing(b"./main");
    let archives: Vec<_> = listing.iter().filter(|(n, _)| is_archive(n)).collect();
    assert_eq!(archives.len(), 1);
    assert_eq!(archives[0].1.mode, 0o744);
    assert_eq!(archives[0].0[25..].to_vec(), b".s");
    assert_eq!(fs.logged(b"./main"), lines(30, 99));
}

//= spec/multilog.md#log-17
#[test]
fn rotation_with_a_processor() {
    let mut fs = MemFs::new();
    fs.put(b"./main", b"current", b"", 0o744);
    fs.put(b"./main", b"state", b"old state", 0o644);
    fs.set_processor(Box::new(|previous: &[u8], state: &[u8]| {
        let mut new = state.to_vec();
        new.extend_from_slice(b"+");
        Ok((previous.to_ascii_uppercase(), new))
    }));
    let mut run = start(&["s4096", "!tr a-z A-Z", "./main"], &mut fs);
    run.log.clear();
    let input: Vec<u8> = (0..30)
        .flat_map(|_| [&[b'x'; 99][..], b"\n"].concat())
        .collect();
    run.feed(&mut fs, &input, 65536);
    run.eof(&mut fs);
    assert_eq!(run.exit, Some(0));
    insta::assert_snapshot!(transcript(&run.log));
    let listing = fs.listing(b"./main");
    assert_eq!(listing[&b"state"[..]].data, b"old state+");
    let archive = listing
        .iter()
        .find(|(n, _)| is_archive(n))
        .map(|(_, e)| e.clone());
    let archive = archive.expect("an archive");
    assert!(archive.data.iter().all(|&b| b == b'X' || b == b'\n'));
    assert_eq!(archive.mode, 0o744);
    assert_eq!(names(&fs, "./main").len(), 3, "{:?}", names(&fs, "./main"));
}

//= spec/multilog.md#log-17
//= spec/deviations.md#dev-9
#[test]
fn a_processor_that_crashes_or_fails_runs_again_after_pauses() {
    let mut fs = MemFs::new();
    let mut calls = 0;
    fs.set_processor(Box::new(move |previous: &[u8], _: &[u8]| {
        calls += 1;
        match calls {
            1 => Err(ExitKind::Signaled(11)),
            2 => Err(ExitKind::Exited(3)),
            _ => Ok((previous.to_vec(), Vec::new())),
        }
    }));
    let mut run = start(&["s4096", "!p", "./main"], &mut fs);
    let t0 = run.now.mono;
    run.feed(&mut fs, &lines(30, 99), 65536);
    run.eof(&mut fs);
    assert_eq!(run.exit, Some(0));
    let dir = b"./main".to_vec();
    assert_eq!(
        fs.warnings,
        vec![
            Failure {
                problem: Problem::ProcessorCrashed { dir: dir.clone() },
                cause: Cause::Signal(11)
            },
            Failure {
                problem: Problem::ProcessorFailed { dir: dir.clone() },
                cause: Cause::Unspecified
            },
            Failure {
                problem: Problem::ProcessorFailed { dir },
                cause: Cause::Unspecified
            },
        ]
    );
    // A crash costs two pauses, a failure one.
    assert_eq!(run.now.mono.0 - t0.0, 3 * PAUSE_SECS * Mono::SECOND);
}

//= spec/multilog.md#log-13
#[test]
fn a_clean_current_is_appended_to_and_state_kept() {
    let mut fs = MemFs::new();
    fs.put(b"./main", b"current", b"before\n", 0o744);
    fs.put(b"./main", b"state", b"keep", 0o644);
    let mut run = start(&["./main"], &mut fs);
    run.feed(&mut fs, b"after\n", 65536);
    run.eof(&mut fs);
    insta::assert_snapshot!(tree(&fs, "./main"), @r#"
    current 744 Regular "before\nafter\n"
    state 644 Regular "keep"
    "#);
}

//= spec/multilog.md#log-14
#[test]
fn after_a_crash_previous_and_current_become_u() {
    let mut fs = MemFs::new();
    fs.put(b"./main", b"previous", b"prev\n", 0o744);
    fs.put(b"./main", b"current", b"partial", 0o644);
    fs.put(b"./main", b"processed", b"half", 0o644);
    fs.put(b"./main", b"state", b"s", 0o644);
    fs.put(b"./main", b"newstate", b"n", 0o644);
    let mut run = start(&["./main"], &mut fs);
    run.eof(&mut fs);
    insta::assert_snapshot!(tree(&fs, "./main"), @r#"
    @1.u 744 Regular "prev\n"
    @2.u 644 Regular "partial"
    current 744 Regular ""
    state 644 Regular ""
    "#);
}

//= spec/multilog.md#log-14
#[test]
fn a_finished_processed_wins_over_previous() {
    let mut fs = MemFs::new();
    fs.put(b"./main", b"previous", b"raw\n", 0o744);
    fs.put(b"./main", b"processed", b"RAW\n", 0o744);
    let mut run = start(&["./main"], &mut fs);
    run.eof(&mut fs);
    insta::assert_snapshot!(tree(&fs, "./main"), @r#"
    @1.s 744 Regular "RAW\n"
    current 744 Regular ""
    state 644 Regular ""
    "#);
}

//= spec/multilog.md#log-16
#[test]
fn a_file_already_linked_is_only_unlinked() {
    // A crash between the link and the unlink of `current`'s archiving.
    let mut fs = MemFs::new();
    fs.put(b"./main", b"current", b"y\n", 0o644);
    fs.link(b"./main", b"current", b"@400000006553f10a000001f4.u");
    let mut run = start(&["./main"], &mut fs);
    run.eof(&mut fs);
    assert!(!run.log.iter().any(|a| matches!(a, Action::Link { .. })));
    insta::assert_snapshot!(tree(&fs, "./main"), @r#"
    @1.u 644 Regular "y\n"
    current 744 Regular ""
    state 644 Regular ""
    "#);
}

//= spec/multilog.md#log-16
#[test]
fn trimming_keeps_n_minus_1_archives_and_ignores_other_files() {
    let mut fs = MemFs::new();
    fs.put(
        b"./main",
        b"@400000000000000000000001.s",
        b"oldest\n",
        0o744,
    );
    fs.put(b"./main", b"@zz", b"short name\n", 0o644);
    fs.put(b"./main", b"notes", b"mine\n", 0o644);
    let mut run = start(&["s4096", "n3", "./main"], &mut fs);
    run.feed(&mut fs, &lines(100, 99), 65536);
    run.eof(&mut fs);
    let listing = fs.listing(b"./main");
    let archives: Vec<_> = listing.keys().filter(|n| is_archive(n)).collect();
    assert_eq!(archives.len(), 2);
    assert!(!listing.contains_key(&b"@400000000000000000000001.s"[..]));
    assert!(listing.contains_key(&b"@zz"[..]));
    assert!(listing.contains_key(&b"notes"[..]));
}

//= spec/multilog.md#log-25
//= spec/deviations.md#dev-8
#[test]
fn a_clock_stepped_back_never_makes_new_archives_sort_first() {
    let mut fs = MemFs::new();
    // An archive from "tomorrow".
    let tomorrow = label::encode(&label::from_unix(1_700_086_400, 500));
    let mut future = tomorrow.to_vec();
    future.extend_from_slice(b".s");
    fs.put(b"./main", &future, b"yesterday's data\n", 0o744);
    let mut run = start(&["s4096", "n3", "./main"], &mut fs);
    run.feed(&mut fs, &lines(60, 99), 65536);
    run.eof(&mut fs);
    let listing = fs.listing(b"./main");
    let archives: Vec<&Vec<u8>> = listing.keys().filter(|n| is_archive(n)).collect();
    assert_eq!(archives.len(), 2);
    assert!(
        !listing.contains_key(&future),
        "the oldest data was trimmed"
    );
    for name in &archives {
        assert!(name[..25] > tomorrow[..], "sorts after the future archive");
    }
    // The newest data survived: the last archive and current end the input.
    let kept = fs.logged(b"./main");
    assert!(lines(60, 99).ends_with(&kept));
    assert!(kept.len() > 4096);
}

//= spec/multilog.md#log-18
#[test]
fn alarm_rotates_only_non_empty_currents() {
    let mut fs = MemFs::new();
    let mut run = start(&["./a", "-*", "./b"], &mut fs);
    run.feed(&mut fs, b"one\ntw", 65536);
    run.log.clear();
    run.send(Event::Alarm);
    run.send(Event::Alarm);
    run.settle(&mut fs);
    let links: Vec<&Action> = run
        .log
        .iter()
        .filter(|a| matches!(a, Action::Link { .. }))
        .collect();
    assert_eq!(links.len(), 1, "one rotation of ./a, none of the empty ./b");
    run.feed(&mut fs, b"o\n", 65536);
    run.eof(&mut fs);
    insta::assert_snapshot!(tree(&fs, "./a"), @r#"
    @1.s 744 Regular "one\n"
    current 744 Regular "two\n"
    state 644 Regular ""
    "#);
}

//= spec/multilog.md#log-19
#[test]
fn term_in_mid_line_reads_one_byte_at_a_time_to_the_newline() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    run.feed(&mut fs, b"one\nfour", 65536);
    run.send(Event::Term);
    run.settle(&mut fs);
    assert_eq!(run.logger.wants_input(), Some(ReadSize::OneByte));
    run.feed(&mut fs, b"X\nY", 65536);
    assert_eq!(run.exit, Some(0));
    insta::assert_snapshot!(tree(&fs, "./main"), @r#"
    current 744 Regular "one\nfourX\n"
    state 644 Regular ""
    "#);
}

//= spec/multilog.md#log-19
#[test]
fn term_at_a_line_boundary_exits_at_once() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    run.feed(&mut fs, b"one\n", 65536);
    assert!(!run.logger.finished());
    assert_eq!(run.logger.script(), &Script::from_args(&["./main"]));
    run.send(Event::Term);
    run.settle(&mut fs);
    assert_eq!(run.exit, Some(0));
    assert!(run.logger.finished(), "finished once Exit is out");
    assert_eq!(run.logger.wants_input(), None, "nothing more is read");
    assert_eq!(fs.listing(b"./main")[&b"current"[..]].mode, 0o744);
}

//= spec/multilog.md#log-21
#[test]
fn a_failed_write_warns_pauses_5_seconds_and_retries() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    fs.inject(steps_after_start(&["./main"]), Fault::Fail(Errno::ENOSPC));
    run.send(Event::Input(b"hello\n"));
    while run.step(&mut fs) {}
    let deadline = run.logger.next_deadline().expect("pausing");
    assert_eq!(deadline.0 - run.now.mono.0, PAUSE_SECS * Mono::SECOND);
    assert_eq!(
        run.logger.wants_input(),
        None,
        "no input is read while pausing"
    );
    run.send(Event::Tick);
    assert!(!run.busy(), "an early tick does nothing");
    run.settle(&mut fs);
    run.eof(&mut fs);
    assert_eq!(run.exit, Some(0));
    assert_eq!(
        fs.warnings,
        vec![current_write_failure(Cause::Errno(Errno::ENOSPC))]
    );
    assert_eq!(fs.logged(b"./main"), b"hello\n");
}

//= spec/multilog.md#log-11
//= spec/deviations.md#dev-10
#[test]
fn a_short_write_is_continued_at_once() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    fs.inject(steps_after_start(&["./main"]), Fault::Short(2));
    run.log.clear();
    run.feed(&mut fs, b"hello\n", 65536);
    run.eof(&mut fs);
    let appends: Vec<String> = run
        .log
        .iter()
        .filter_map(|a| match a {
            Action::Append { bytes, .. } => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(appends, ["hello\n", "llo\n"]);
    assert!(fs.warnings.is_empty());
    assert_eq!(fs.logged(b"./main"), b"hello\n");
}

/// The warning for a failed write to `./main/current`.
fn current_write_failure(cause: Cause) -> Failure {
    Failure {
        problem: Problem::WriteTo {
            dir: b"./main".to_vec(),
            file: FileName::Current,
        },
        cause,
    }
}

/// The fault clock counts every step since the filesystem was made; the
/// start-up of `script` in a fresh directory takes this many.
fn steps_after_start(script: &[&str]) -> u64 {
    let mut fs = MemFs::new();
    start(script, &mut fs);
    fs.steps
}

//= spec/multilog.md#log-23
//= spec/deviations.md#dev-6
#[test]
fn term_while_pausing_gives_up_at_the_next_failure() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    let base = steps_after_start(&["./main"]);
    fs.inject(base, Fault::Fail(Errno::ENOSPC));
    fs.inject(base + 1, Fault::Fail(Errno::ENOSPC));
    run.send(Event::Input(b"hello\nwor"));
    while run.step(&mut fs) {}
    assert!(run.logger.next_deadline().is_some());
    run.send(Event::Term);
    while run.step(&mut fs) {}
    assert_eq!(run.exit, Some(111));
    assert_eq!(
        fs.fatal,
        Some(Fatal::AfterTerm {
            failure: Failure {
                problem: Problem::WriteTo {
                    dir: b"./main".to_vec(),
                    file: FileName::Current
                },
                cause: Cause::Errno(Errno::ENOSPC),
            },
            unlogged: 6,
        })
    );
    // current keeps mode 0644: the next start archives it as `.u`.
    assert_eq!(fs.listing(b"./main")[&b"current"[..]].mode, 0o644);
}

//= spec/multilog.md#log-23
//= spec/deviations.md#dev-6
#[test]
fn term_while_pausing_finishes_cleanly_when_the_retry_works() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    fs.inject(steps_after_start(&["./main"]), Fault::Fail(Errno::ENOSPC));
    run.send(Event::Input(b"hello\n"));
    while run.step(&mut fs) {}
    run.send(Event::Term);
    run.settle(&mut fs);
    assert_eq!(run.exit, Some(0));
    assert_eq!(fs.logged(b"./main"), b"hello\n");
    assert_eq!(fs.listing(b"./main")[&b"current"[..]].mode, 0o744);
}

//= spec/multilog.md#log-22
#[test]
fn start_up_failures_are_fatal() {
    let mut fs = MemFs::new();
    fs.inject(0, Fault::Fail(Errno::EACCES));
    let run = start(&["./main"], &mut fs);
    assert_eq!(run.exit, Some(111));
    assert_eq!(
        fs.fatal,
        Some(Fatal::Failed(Failure {
            problem: Problem::OpenDir {
                dir: b"./main".to_vec()
            },
            cause: Cause::Errno(Errno::EACCES)
        }))
    );
    // The same directory twice: the second lock fails.
    let mut fs = MemFs::new();
    let run = start(&["./main", "./main"], &mut fs);
    assert_eq!(run.exit, Some(111));
    assert_eq!(
        fs.fatal,
        Some(Fatal::Failed(Failure {
            problem: Problem::LockDir {
                dir: b"./main".to_vec()
            },
            cause: Cause::Errno(Errno::EAGAIN)
        }))
    );
}

//= spec/multilog.md#log-24
//= spec/deviations.md#dev-7
#[test]
fn symbolic_links_are_refused_at_start_up() {
    for file in ["current", "previous", "processed"] {
        let mut fs = MemFs::new();
        fs.symlink(b"./main", file.as_bytes(), b"/etc/passwd");
        if file == "processed" {
            fs.put(b"./main", b"current", b"", 0o644);
        }
        let run = start(&["./main"], &mut fs);
        assert_eq!(run.exit, Some(111), "{file}");
        match &fs.fatal {
            Some(Fatal::Failed(Failure {
                problem: Problem::Use { file: name, .. },
                cause: Cause::NotRegular,
            })) => assert_eq!(name.as_bytes(), file.as_bytes()),
            other => panic!("{file}: {other:?}"),
        }
        assert_eq!(
            fs.listing(b"./main")[file.as_bytes()].kind,
            FileKind::Symlink
        );
    }
}

//= spec/multilog.md#log-24
//= spec/deviations.md#dev-7
#[test]
fn a_symlink_planted_later_is_never_followed() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    run.feed(&mut fs, b"x\n", 65536);
    // Someone swaps `current` for a link; at the next rotation the link is
    // renamed to `previous`, and setting its mode fails instead of
    // changing the target's.
    fs.symlink(b"./main", b"current", b"/etc/passwd");
    run.send(Event::Alarm);
    while run.step(&mut fs) {}
    assert_eq!(
        fs.warnings,
        vec![Failure {
            problem: Problem::SetMode {
                dir: b"./main".to_vec(),
                file: FileName::Previous
            },
            cause: Cause::Errno(Errno::ELOOP)
        }]
    );
    assert!(
        run.logger.next_deadline().is_some(),
        "pausing, retrying later"
    );
}

//= spec/multilog.md#log-5
//= spec/multilog.md#log-6
//= spec/deviations.md#dev-10
#[test]
fn e_and_status_files() {
    let mut fs = MemFs::new();
    let long = "y".repeat(250);
    let mut run = start(&["e", "=st"], &mut fs);
    run.feed(&mut fs, format!("short\n{long}\nlast\n").as_bytes(), 65536);
    run.eof(&mut fs);
    assert_eq!(
        String::from_utf8_lossy(&fs.stderr),
        format!("short\n{}...\nlast\n", "y".repeat(200))
    );
    let status = fs.status_file(b"st").expect("status file");
    assert_eq!(status.len(), 1001);
    assert_eq!(&status[..5], b"last\n");
    assert!(status[4..].iter().all(|&b| b == b'\n'));
    insta::assert_snapshot!(transcript(&run.log));
}

//= spec/multilog.md#log-3
#[test]
fn selection_applies_left_to_right() {
    let mut fs = MemFs::new();
    let mut run = start(
        &["-*", "+a*", "./as", "-*b*", "./as-not-b", "+*", "./all"],
        &mut fs,
    );
    run.feed(&mut fs, b"abc\nax\nbb\n", 65536);
    run.eof(&mut fs);
    assert_eq!(fs.logged(b"./as"), b"abc\nax\n");
    assert_eq!(fs.logged(b"./as-not-b"), b"ax\n");
    assert_eq!(fs.logged(b"./all"), b"abc\nax\nbb\n");
}

//= spec/multilog.md#log-2
#[test]
fn stamps_are_taken_per_read_and_counted_in_the_head() {
    let mut fs = MemFs::new();
    let mut run = start(&["t", "e", "./main"], &mut fs);
    run.feed(&mut fs, b"a\n", 65536);
    run.now.wall = label::from_unix(1_700_000_001, 500);
    run.feed(&mut fs, b"b\n", 65536);
    run.eof(&mut fs);
    let first = label::encode(&label::from_unix(1_700_000_000, 500));
    let second = label::encode(&label::from_unix(1_700_000_001, 500));
    let expected = [&first[..], b" a\n", &second[..], b" b\n"].concat();
    assert_eq!(fs.logged(b"./main"), expected);
    assert_eq!(fs.stderr, fs.logged(b"./main"));
}

//= spec/multilog.md#log-27
//= spec/deviations.md#dev-10
#[test]
fn a_read_is_written_in_one_call_per_file() {
    let mut fs = MemFs::new();
    let mut run = start(&["s16777215", "./main"], &mut fs);
    run.log.clear();
    let input = lines(600, 99);
    assert!(input.len() > 50_000);
    run.feed(&mut fs, &input, 65536);
    let appends = run
        .log
        .iter()
        .filter(|a| matches!(a, Action::Append { .. }))
        .count();
    assert_eq!(appends, 1);
}

//= spec/multilog.md#log-26
#[test]
fn input_sent_while_busy_is_not_lost() {
    let mut fs = MemFs::new();
    let mut run = start(&["s4096", "./main"], &mut fs);
    let input = lines(100, 50);
    // Break the contract: send every read without waiting.
    for chunk in input.chunks(700) {
        run.send(Event::Input(chunk));
    }
    run.settle(&mut fs);
    run.eof(&mut fs);
    assert_eq!(fs.logged(b"./main"), input);
}

//= spec/multilog.md#log-21
#[test]
fn stray_events_change_nothing() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    for event in [
        Event::StepDone(Done::Ok),
        Event::StepFailed(Errno::EIO),
        Event::ProcessorExited {
            status: ExitKind::Exited(0),
        },
        Event::Tick,
        Event::StepDone(Done::Listed(vec![])),
    ] {
        run.send(event);
        assert!(!run.busy());
    }
    run.feed(&mut fs, b"ok\n", 65536);
    run.eof(&mut fs);
    assert_eq!(fs.logged(b"./main"), b"ok\n");
}

//= spec/multilog.md#log-1
#[test]
fn no_arguments_reads_to_the_end_and_writes_nothing() {
    let mut fs = MemFs::new();
    let mut run = start(&[], &mut fs);
    run.feed(&mut fs, b"anything\n", 65536);
    run.eof(&mut fs);
    assert_eq!(run.exit, Some(0));
    assert_eq!(transcript(&run.log), "Exit(0)");
}

/// The driver stops reading at end of input; should input still arrive
/// (a driver bug, or a test), the logger ignores it rather than logging
/// bytes after the end it already acted on.
//= spec/multilog.md#log-19
#[test]
fn input_after_the_end_of_input_is_ignored() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    run.feed(&mut fs, b"one\n", 65536);
    run.send(Event::Eof);
    assert_eq!(
        run.logger.wants_input(),
        None,
        "nothing is read after the end"
    );
    run.send(Event::Input(b"late\n"));
    run.send(Event::Input(b""));
    run.settle(&mut fs);
    assert_eq!(run.exit, Some(0));
    assert_eq!(fs.logged(b"./main"), b"one\n");
}

//= spec/multilog.md#log-21
#[test]
fn a_write_of_nothing_is_a_failure_warned_about_and_retried() {
    let mut fs = MemFs::new();
    let mut run = start(&["./main"], &mut fs);
    fs.inject(steps_after_start(&["./main"]), Fault::Short(0));
    run.send(Event::Input(b"hello\n"));
    while run.step(&mut fs) {}
    assert!(run.logger.next_deadline().is_some(), "pausing");
    run.settle(&mut fs);
    run.eof(&mut fs);
    assert_eq!(
        fs.warnings,
        vec![current_write_failure(Cause::PartialWrite)]
    );
    assert_eq!(fs.logged(b"./main"), b"hello\n");
}

/// `=st` with a fault injected at each step after start-up in turn: the
/// first warning about the status file, and what the file holds at the end.
fn status_file_fault(fault: Fault, problem: fn(Vec<u8>) -> Problem) -> (Failure, Vec<u8>) {
    let script = ["=st", "./main"];
    let base = steps_after_start(&script);
    for k in base..base + 12 {
        let mut fs = MemFs::new();
        let mut run = start(&script, &mut fs);
        fs.inject(k, fault);
        run.feed(&mut fs, b"first line\n", 65536);
        run.eof(&mut fs);
        let wanted = problem(b"st".to_vec());
        if let Some(warning) = fs.warnings.iter().find(|w| w.problem == wanted) {
            let text = fs.status_file(b"st").unwrap_or_default().to_vec();
            return (warning.clone(), text);
        }
    }
    panic!("no step of the status write met {fault:?}");
}

//= spec/multilog.md#log-6
//= spec/multilog.md#log-21
#[test]
fn status_file_failures_keep_their_errors_and_are_retried() {
    let write = |file| Problem::WriteStatus { file };
    let seek = |file| Problem::SeekStatus { file };
    let (warning, text) = status_file_fault(Fault::Short(1), write);
    assert_eq!(warning.cause, Cause::PartialWrite);
    assert!(text.starts_with(b"first line"), "{text:?}");
    let (warning, text) = status_file_fault(Fault::Fail(Errno::ENOSPC), write);
    assert_eq!(warning.cause, Cause::Errno(Errno::ENOSPC));
    assert!(text.starts_with(b"first line"), "{text:?}");
    let (warning, text) = status_file_fault(Fault::Fail(Errno::ENOSPC), seek);
    assert_eq!(warning.cause, Cause::Errno(Errno::ENOSPC));
    assert!(text.starts_with(b"first line"), "{text:?}");
}

/// A read that starts when `current` is already full (its last line had no
/// end yet) is cut before its first byte: the rotation comes first, and
/// nothing is written as an empty append.
//= spec/multilog.md#log-10
#[test]
fn a_chunk_arriving_at_a_full_current_rotates_before_writing() {
    let mut fs = MemFs::new();
    let mut run = start(&["s4096", "./main"], &mut fs);
    let mut input = vec![b'x'; 4096];
    input.extend_from_slice(b"a\nb\n");
    run.feed(&mut fs, &input, 4096);
    run.eof(&mut fs);
    assert_eq!(run.exit, Some(0));
    assert_eq!(fs.logged(b"./main"), input);
    let archives = names(&fs, "./main")
        .iter()
        .filter(|n| n.starts_with('@'))
        .count();
    assert!(archives >= 1, "{:?}", names(&fs, "./main"));
}

/// Lines longer than 1000 bytes: 0.76 puts the rest of such a line one byte
/// at a time; every byte still reaches the log, in order, across rotations.
//= spec/multilog.md#log-3
//= spec/multilog.md#log-10
#[test]
fn long_lines_are_logged_whole() {
    for width in [1000, 1001, 1500, 4095, 9000] {
        for read in [1, 1024, 65536] {
            let mut fs = MemFs::new();
            let mut run = start(&["s4096", "n100", "./main"], &mut fs);
            let input = lines(5, width);
            run.feed(&mut fs, &input, read);
            run.eof(&mut fs);
            assert_eq!(run.exit, Some(0));
            assert_eq!(
                fs.logged(b"./main"),
                input,
                "width {width}, reads of {read}"
            );
        }
    }
}

/// Where the files are cut, for lines around 0.76's buffer size and around
/// the 1000-byte line limit, read as 0.76 reads them and in large chunks
/// (both must cut alike): the sizes of the archives and of `current`. The
/// same scenarios run against Debian's multilog in tests/tests/multilog.rs;
/// this pins the arithmetic that reproduces its cut points.
//= spec/multilog.md#log-9
//= spec/multilog.md#log-10
#[test]
fn cut_points_around_the_buffer_and_line_limits() {
    let mut text = String::new();
    for width in [1, 99, 510, 511, 512, 513, 999, 1000, 1001, 1999, 2050] {
        let input = lines(40, width);
        let mut sizes_by_read = Vec::new();
        for read in [1024, 65536] {
            let mut fs = MemFs::new();
            let mut run = start(&["s4096", "n100", "./main"], &mut fs);
            run.feed(&mut fs, &input, read);
            run.eof(&mut fs);
            assert_eq!(fs.logged(b"./main"), input, "width {width}");
            let sizes: Vec<String> = fs
                .files(b"./main")
                .iter()
                .map(|f| f.len().to_string())
                .collect();
            sizes_by_read.push(sizes.join(" "));
        }
        assert_eq!(sizes_by_read[0], sizes_by_read[1], "width {width}");
        text.push_str(&format!("width {width}: {}\n", sizes_by_read[0]));
    }
    insta::assert_snapshot!(text);
}

/// A failure at any step after start-up (writes, rotations, the final
/// sync) is warned about (never taken for success), retried after the
/// pause, and loses nothing. (At start-up a failure is fatal, as in 0.76.)
//= spec/multilog.md#log-15
//= spec/multilog.md#log-21
#[test]
fn a_failure_at_any_step_of_a_rotation_is_warned_about_and_retried() {
    let input = lines(60, 99);
    let started = steps_after_start(&["s4096", "./main"]);
    let clean_steps = {
        let mut fs = MemFs::new();
        let mut run = start(&["s4096", "./main"], &mut fs);
        run.feed(&mut fs, &input, 65536);
        run.eof(&mut fs);
        fs.steps
    };
    assert!(clean_steps > started + 20, "rotations happened");
    for k in started..clean_steps {
        let mut fs = MemFs::new();
        fs.inject(k, Fault::Fail(Errno::EIO));
        let mut run = start(&["s4096", "./main"], &mut fs);
        run.feed(&mut fs, &input, 65536);
        run.eof(&mut fs);
        assert_eq!(run.exit, Some(0), "fault at step {k}");
        assert_eq!(fs.warnings.len(), 1, "fault at step {k}: {:?}", fs.warnings);
        assert_eq!(fs.warnings[0].cause, Cause::Errno(Errno::EIO), "step {k}");
        assert_eq!(fs.logged(b"./main"), input, "fault at step {k}");
    }
}

/// The name of an action's kind, for the fault tables.
fn kind(action: &Action) -> String {
    let text = format!("{action:?}");
    let end = text.find([' ', '(', '{']).unwrap_or(text.len());
    text[..end].to_owned()
}

/// The actions the filesystem answers (the ones a fault can hit), in order.
fn answered(log: &[Action]) -> Vec<String> {
    log.iter().filter(|a| is_answered(a)).map(kind).collect()
}

/// A directory as `setup` leaves it, with a processor that upper-cases.
fn fault_fs(setup: &dyn Fn(&mut MemFs)) -> MemFs {
    let mut fs = MemFs::new();
    setup(&mut fs);
    fs.set_processor(Box::new(|previous: &[u8], state: &[u8]| {
        Ok((previous.to_ascii_uppercase(), state.to_vec()))
    }));
    fs
}

/// For every step of a run of `script` over `input` (from step `from`), a
/// failure injected there and what came of it: the step's action, then
/// `fatal <problem>` and the exit code, or the warnings and whether every
/// byte was logged. One line per step, for a snapshot.
fn fault_table(setup: &dyn Fn(&mut MemFs), script: &[&str], input: &[u8], from: u64) -> String {
    let clean = {
        let mut fs = fault_fs(setup);
        let mut run = start(script, &mut fs);
        run.feed(&mut fs, input, 65536);
        run.eof(&mut fs);
        assert_eq!(run.exit, Some(0));
        answered(&run.log)
    };
    let mut table = String::new();
    for (k, action) in clean.iter().enumerate().skip(from as usize) {
        let mut fs = fault_fs(setup);
        fs.inject(k as u64, Fault::Fail(Errno::EIO));
        let mut run = Run::new(Script::from_args(script), now());
        run.settle(&mut fs);
        run.feed(&mut fs, input, 65536);
        run.eof(&mut fs);
        let outcome = match &fs.fatal {
            Some(fatal) => format!("fatal {fatal:?} exit {:?}", run.exit),
            None => {
                let warned: Vec<String> = fs
                    .warnings
                    .iter()
                    .map(|w| format!("{:?}", w.problem))
                    .collect();
                let whole = fs
                    .logged(b"./main")
                    .to_ascii_lowercase()
                    .ends_with(&input.to_ascii_lowercase());
                format!("warned {warned:?} whole {whole} exit {:?}", run.exit)
            }
        };
        table.push_str(&format!("{k} {action}: {outcome}\n"));
    }
    // The directory's name, readable.
    table.replace("[46, 47, 109, 97, 105, 110]", "\"./main\"")
}

/// Every start-up step, failing, in the three situations start-up tells
/// apart (a fresh directory, a clean `current` to append to, the remains of
/// a crash): which failures are fatal (as in 0.76) and which are tolerated.
//= spec/multilog.md#log-12
//= spec/multilog.md#log-13
//= spec/multilog.md#log-14
//= spec/multilog.md#log-22
#[test]
fn a_failure_at_each_start_up_step() {
    let fresh = |_: &mut MemFs| {};
    let clean = |fs: &mut MemFs| fs.put(b"./main", b"current", b"old\n", 0o744);
    let crashed = |fs: &mut MemFs| {
        fs.put(b"./main", b"previous", b"prev\n", 0o744);
        fs.put(b"./main", b"current", b"partial", 0o644);
        fs.put(b"./main", b"processed", b"half", 0o644);
        fs.put(b"./main", b"state", b"s", 0o644);
    };
    let mut text = String::new();
    for (name, setup) in [
        ("fresh", &fresh as &dyn Fn(&mut MemFs)),
        ("clean", &clean),
        ("crashed", &crashed),
    ] {
        text.push_str(&format!("== {name}\n"));
        text.push_str(&fault_table(setup, &["./main"], b"line\n", 0));
    }
    insta::assert_snapshot!(text);
}

/// Every step of a rotation through a processor, failing: each is warned
/// about and retried, and nothing is lost.
//= spec/multilog.md#log-17
//= spec/multilog.md#log-21
#[test]
fn a_failure_at_each_step_of_a_processed_rotation() {
    let script = ["s4096", "!p", "./main"];
    let started = steps_after_start(&script);
    let input = lines(45, 99);
    let text = fault_table(&|_| {}, &script, &input, started);
    for line in text.lines() {
        assert!(line.contains("whole true exit Some(0)"), "{line}");
        assert!(!line.contains("warned []"), "{line}");
    }
    insta::assert_snapshot!(text);
}

/// At the very end of TAI64N (an archive already named with the largest
/// label), a new archive gets that label again rather than wrapping round to
/// one that would sort first and be trimmed as the oldest.
//= spec/multilog.md#log-25
#[test]
fn archive_names_never_wrap_past_the_largest_label() {
    let largest = (1u128 << 96) - 1;
    let name = super::rotate::archive_name(now().wall, Some(largest), b's');
    assert_eq!(name, b"@ffffffffffffffffffffffff.s".to_vec());
    let name = super::rotate::archive_name(now().wall, Some(largest - 1), b'u');
    assert_eq!(name, b"@ffffffffffffffffffffffff.u".to_vec());
}

/// `e` shortens only lines longer than 200 bytes (checked against Debian's
/// multilog: 200 bytes come out whole, 201 as 200 and `...`).
//= spec/multilog.md#log-5
#[test]
fn e_shortens_only_lines_longer_than_200_bytes() {
    let mut fs = MemFs::new();
    let mut run = start(&["e"], &mut fs);
    let exact = "x".repeat(STDERR_MAX);
    let over = "y".repeat(STDERR_MAX + 1);
    run.feed(&mut fs, format!("{exact}\n{over}\n").as_bytes(), 65536);
    run.eof(&mut fs);
    assert_eq!(
        String::from_utf8_lossy(&fs.stderr),
        format!("{exact}\n{}...\n", "y".repeat(STDERR_MAX))
    );
}
