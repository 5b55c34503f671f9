//! The multilog machine carrying out its steps on the real filesystem, in a
//! scratch directory, through the fault-injecting wrapper: failed writes,
//! fsyncs, renames, links, opens and short writes lose and repeat nothing;
//! symbolic links are never followed; the processor gets its descriptors.
//!
//! Time is simulated (a pause ends when the test says so), so nothing here
//! sleeps.

use dt_core::multilog::{Action, Cause, Event, Fatal, Problem, Script};
use dt_core::{Mono, Now};
use dt_os::drive_log::{execute, wait_processor, Fault, Faulty, LogFs, Op, Outcome, RealFs, Rule};
use std::collections::VecDeque;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir =
            std::env::temp_dir().join(format!("dt-os-multilog-{tag}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn log(&self) -> PathBuf {
        self.0.join("log")
    }

    fn log_arg(&self) -> String {
        self.log().to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[derive(Default)]
struct Ran {
    exit: Option<i32>,
    warnings: usize,
    fatal: Option<Fatal>,
}

/// Drive a logger over `fs` like the real driver, but with a simulated clock
/// and input handed over in reads of `read` bytes.
fn drive(args: &[&str], fs: &mut impl LogFs, input: &[u8], read: usize) -> Ran {
    let mut now = Now {
        mono: Mono::from_secs(100),
        wall: dt_os::clock::wall(),
    };
    let (mut machine, actions) = dt_core::multilog::Logger::new(Script::from_args(args), now);
    let mut pending: VecDeque<Action> = actions.into();
    let mut ran = Ran::default();
    let mut rest = input;
    loop {
        while let Some(action) = pending.pop_front() {
            match &action {
                Action::Warn(_) => ran.warnings += 1,
                Action::Fatal(fatal) => ran.fatal = Some(fatal.clone()),
                Action::Exit(code) => {
                    ran.exit = Some(*code);
                    return ran;
                }
                _ => {}
            }
            let event = match execute(fs, &action) {
                Outcome::Answer(event) => event,
                Outcome::Spawned(pid) => Event::ProcessorExited {
                    status: wait_processor(pid).expect("wait for the processor"),
                },
                Outcome::Nothing => continue,
            };
            for (i, next) in machine.handle(now, event).into_iter().enumerate() {
                pending.insert(i, next);
            }
        }
        if machine.wants_input().is_some() {
            let event = if rest.is_empty() {
                Event::Eof
            } else {
                let take = rest.len().min(read);
                let event = Event::Input(&rest[..take]);
                rest = &rest[take..];
                event
            };
            pending.extend(machine.handle(now, event));
        } else if let Some(deadline) = machine.next_deadline() {
            now.mono = deadline;
            pending.extend(machine.handle(now, Event::Tick));
        } else {
            return ran;
        }
    }
}

fn lines(n: usize, width: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| {
            let mut line = format!("{i:06}").into_bytes();
            line.resize(width, b'-');
            line.push(b'\n');
            line
        })
        .collect()
}

/// The archives in name order, then `current`, concatenated.
fn logged(dir: &Path) -> Vec<u8> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("log dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('@'))
        .collect();
    names.sort();
    names.push("current".into());
    names
        .iter()
        .flat_map(|n| fs::read(dir.join(n)).unwrap_or_default())
        .collect()
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path)
        .expect("stat")
        .permissions()
        .mode()
        & 0o7777
}

fn real() -> RealFs {
    RealFs::new(Box::new(|p: &[u8]| {
        format!(
            "multilog: fatal: unable to run {}: ",
            String::from_utf8_lossy(p)
        )
        .into_bytes()
    }))
    .expect("open .")
}

//= spec/multilog.md#log-21
//= spec/multilog.md#log-26
#[test]
fn injected_failures_lose_and_repeat_nothing() {
    let input = lines(300, 60);
    let ops = [
        Op::Write,
        Op::Fsync,
        Op::Rename,
        Op::Link,
        Op::Open,
        Op::Chmod,
        Op::Unlink,
    ];
    let errnos = [
        dt_core::Errno::ENOSPC,
        dt_core::Errno::EIO,
        dt_core::Errno::EDQUOT,
    ];
    for (i, op) in ops.into_iter().enumerate() {
        for nth in [5u64, 6, 9, 14] {
            let scratch = Scratch::new("fault");
            let fault = Fault::Fail(errnos[(i + nth as usize) % errnos.len()]);
            // Let start-up through: its failures are fatal by design.
            let rules = vec![Rule {
                op,
                nth: nth + 12,
                fault,
            }];
            let mut fs = Faulty::new(real(), rules);
            let ran = drive(
                &["s4096", "n1000", &scratch.log_arg()],
                &mut fs,
                &input,
                4000,
            );
            assert_eq!(ran.exit, Some(0), "{op:?} #{nth}: {:?}", ran.fatal);
            assert_eq!(
                ran.warnings,
                fs.hits.len(),
                "{op:?} #{nth}: one warning per fault"
            );
            assert_eq!(logged(&scratch.log()), input, "{op:?} #{nth}");
            assert_eq!(mode(&scratch.log().join("current")), 0o744);
        }
    }
}

//= spec/multilog.md#log-11
#[test]
fn short_writes_are_completed() {
    let input = lines(200, 80);
    for nth in 1..6 {
        let scratch = Scratch::new("short");
        let rules = vec![
            Rule {
                op: Op::Write,
                nth,
                fault: Fault::Short(13),
            },
            Rule {
                op: Op::Write,
                nth: nth + 2,
                fault: Fault::Short(0),
            },
        ];
        let mut fs = Faulty::new(real(), rules);
        let ran = drive(
            &["s4096", "n1000", &scratch.log_arg()],
            &mut fs,
            &input,
            3000,
        );
        assert_eq!(ran.exit, Some(0));
        assert_eq!(logged(&scratch.log()), input, "short write #{nth}");
    }
}

//= spec/multilog.md#log-24
//= spec/deviations.md#dev-7
#[test]
fn a_symlink_planted_as_current_is_refused_and_its_target_untouched() {
    let scratch = Scratch::new("symlink");
    fs::create_dir(scratch.log()).expect("log dir");
    let target = scratch.0.join("target");
    fs::write(&target, b"precious\n").expect("target");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o744)).expect("chmod");
    symlink(&target, scratch.log().join("current")).expect("symlink");
    let mut fs = real();
    let ran = drive(&[&scratch.log_arg()], &mut fs, b"injected line\n", 100);
    assert_eq!(ran.exit, Some(111));
    match ran.fatal {
        Some(Fatal::Failed(f)) => {
            assert!(matches!(f.problem, Problem::Use { .. }));
            assert_eq!(f.cause, Cause::NotRegular);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read(&target).expect("target"), b"precious\n");
    assert_eq!(mode(&target), 0o744);
}

//= spec/multilog.md#log-24
#[test]
fn opens_and_chmods_never_follow_links() {
    let scratch = Scratch::new("nofollow");
    fs::create_dir(scratch.log()).expect("log dir");
    let target = scratch.0.join("target");
    fs::write(&target, b"x").expect("target");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).expect("chmod");
    symlink(&target, scratch.log().join("previous")).expect("symlink");
    symlink(&target, scratch.log().join("processed")).expect("symlink");
    let mut fs = real();
    let dir = scratch.log_arg().into_bytes();
    fs.open_dir(0, &dir).expect("open dir");
    use dt_core::multilog::{FileName, OpenMode};
    assert_eq!(
        fs.chmod(0, &FileName::Previous, 0o744),
        Err(dt_core::Errno::ELOOP)
    );
    assert_eq!(
        fs.open(0, &FileName::Processed, OpenMode::Truncate),
        Err(dt_core::Errno::ELOOP)
    );
    assert_eq!(mode(&target), 0o600);
    assert_eq!(fs::read(&target).expect("target"), b"x");
    let info = fs
        .stat(0, &FileName::Previous)
        .expect("lstat")
        .expect("exists");
    assert_eq!(info.kind, dt_core::multilog::FileKind::Symlink);
}

//= spec/multilog.md#log-17
#[test]
fn the_processor_reads_previous_and_state_and_writes_processed_and_newstate() {
    let scratch = Scratch::new("processor");
    fs::create_dir(scratch.log()).expect("log dir");
    fs::write(scratch.log().join("current"), b"").expect("current");
    fs::set_permissions(
        scratch.log().join("current"),
        fs::Permissions::from_mode(0o744),
    )
    .expect("chmod");
    fs::write(scratch.log().join("state"), b"old\n").expect("state");
    let input = lines(60, 60);
    let mut fs = real();
    let processor = "!tr 0-9 a-j; cat <&4 >&5; echo new >&5";
    let ran = drive(
        &["s4096", processor, &scratch.log_arg()],
        &mut fs,
        &input,
        65536,
    );
    assert_eq!(ran.exit, Some(0), "{:?}", ran.fatal);
    assert_eq!(ran.warnings, 0);
    assert_eq!(
        fs::read(scratch.log().join("state")).expect("state"),
        b"old\nnew\n"
    );
    let archived: Vec<u8> = logged(&scratch.log());
    let current = fs::read(scratch.log().join("current")).expect("current");
    let translated: Vec<u8> = input[..input.len() - current.len()]
        .iter()
        .map(|&b| {
            if b.is_ascii_digit() {
                b - b'0' + b'a'
            } else {
                b
            }
        })
        .collect();
    assert_eq!(archived, [&translated[..], &current[..]].concat());
    for name in ["previous", "processed", "newstate"] {
        assert!(!scratch.log().join(name).exists(), "{name} left behind");
    }
}

//= spec/multilog.md#log-16
#[test]
fn listing_reports_only_archive_names() {
    let scratch = Scratch::new("list");
    fs::create_dir(scratch.log()).expect("log dir");
    for name in [
        "@400000006553f10a000001f4.s",
        "@short",
        "current",
        "@400000006553f10a000001f5.u.extra",
    ] {
        fs::write(scratch.log().join(name), b"").expect("file");
    }
    let mut fs = real();
    fs.open_dir(0, scratch.log_arg().as_bytes())
        .expect("open dir");
    let mut names = fs.list(0).expect("list");
    names.sort();
    assert_eq!(
        names,
        vec![
            b"@400000006553f10a000001f4.s".to_vec(),
            b"@400000006553f10a000001f5.u.extra".to_vec()
        ]
    );
}
