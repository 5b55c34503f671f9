//! multilog, ours against Debian's 0.76: the same input and script give the
//! same files (labels normalised, contents exact, modes included), the same
//! messages and exit codes; the deliberate deviations are asserted on both
//! sides; and faults that need a real kernel (a full or inode-less tmpfs,
//! `/dev/full`, SIGKILL in mid-stream) lose and repeat nothing.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use dt_tests::fixture::TempDir;
use dt_tests::normalise::{apply_all, Context};
use dt_tests::tree::Kind;
use dt_tests::{wait, Condition, Normaliser, Outcome, Pair, Scenario, Side, Signal, Status};

fn multilog() -> Scenario {
    Scenario::new("multilog").normalise(Normaliser::tai64n_labels())
}

/// Numbered lines of pseudo-random lengths (some empty, some longer than
/// 1000 bytes, a few longer than 4096), the same for a given seed.
fn input(seed: u64, lines: usize) -> Vec<u8> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let mut out = Vec::new();
    for i in 0..lines {
        let len = match next() % 20 {
            0 => 0,
            1 => 900 + next() % 300,
            2 if next() % 4 == 0 => 4000 + next() % 6000,
            _ => next() % 160,
        };
        if len > 0 {
            out.extend_from_slice(format!("L{i:05} ").as_bytes());
            out.extend((0..len).map(|j| b"abcdefghij *\0\t"[(i + j) % 14]));
        }
        out.push(b'\n');
    }
    out
}

/// The files of `dir` in `outcome`'s tree in name order (archives, then
/// `current`), labels inside them normalised.
fn ordered(outcome: &Outcome, dir: &str) -> Vec<Vec<u8>> {
    let context = Context {
        dir: &outcome.dir,
        pid: outcome.pid,
    };
    let normalise = [Normaliser::tai64n_labels()];
    let file = |name: &[u8]| -> Option<Vec<u8>> {
        let node = outcome.tree.nodes.iter().find(|n| n.path == name)?;
        match &node.kind {
            Kind::File(bytes) => Some(apply_all(&normalise, bytes, &context)),
            _ => None,
        }
    };
    let prefix = format!("{dir}/@");
    let mut names: Vec<&Vec<u8>> = outcome
        .tree
        .nodes
        .iter()
        .map(|n| &n.path)
        .filter(|p| p.starts_with(prefix.as_bytes()))
        .collect();
    names.sort();
    let mut files: Vec<Vec<u8>> = names.iter().filter_map(|n| file(n)).collect();
    files.extend(file(format!("{dir}/current").as_bytes()));
    files
}

/// Same outcome on both sides, and the files of each `dir` in the same
/// order with the same contents.
fn assert_same_files(pair: &Pair, dirs: &[&str]) {
    pair.assert_same();
    for dir in dirs {
        assert_eq!(
            ordered(&pair.reference, dir),
            ordered(&pair.ours, dir),
            "files of {dir} in name order"
        );
    }
}

fn mode_of(outcome: &Outcome, path: &str) -> Option<u32> {
    outcome.tree.get(path).map(|n| n.mode)
}

//= spec/multilog.md#log-8
//= spec/multilog.md#log-9
//= spec/multilog.md#log-10
//= spec/multilog.md#log-15
//= spec/multilog.md#log-16
//= spec/multilog.md#log-20
#[test]
fn the_same_files_as_0_76_for_the_same_input() {
    let scripts: &[&[&str]] = &[
        &["s4096", "./main"],
        &["t", "s4096", "n3", "./main"],
        &["s5000", "n1000", "./main", "s4096", "n4", "./other"],
        &["t", "s4096", "n1000", "./main"],
        &["./main"],
    ];
    for (seed, script) in scripts.iter().enumerate() {
        let mut data = input(seed as u64, 1200);
        if seed % 2 == 1 {
            data.extend_from_slice(b"last line without newline");
        }
        let pair = multilog()
            .args(*script)
            .file("in", &data, 0o644)
            .stdin_from("in")
            .run_both();
        let dirs: Vec<&str> = script
            .iter()
            .filter(|a| a.starts_with("./"))
            .map(|a| &a[2..])
            .collect();
        assert_same_files(&pair, &dirs);
        assert_eq!(pair.ours.status, Status::Exited(0), "{script:?}");
        assert_eq!(mode_of(&pair.ours, "main/current"), Some(0o744));
        assert_eq!(mode_of(&pair.ours, "main/lock"), Some(0o600));
        assert_eq!(mode_of(&pair.ours, "main/state"), Some(0o644));
        assert_eq!(mode_of(&pair.ours, "main"), Some(0o700));
    }
}

//= spec/multilog.md#log-3
//= spec/multilog.md#log-4
//= spec/multilog.md#log-5
//= spec/multilog.md#log-6
//= spec/multilog.md#log-2
#[test]
fn selection_e_and_status_files_as_0_76() {
    let mut data = Vec::new();
    data.extend_from_slice(b"one\n  one\nxy one\nx y one\n\nabcbc\n");
    data.extend_from_slice(&[b'y'; 250]);
    data.extend_from_slice(b"\n");
    data.extend_from_slice(&[b'z'; 1100]);
    data.extend_from_slice(b"\nno\0nul\nlast\n");
    for script in [
        &[
            "e",
            "=all",
            "-*",
            "+* one",
            "=one-lines",
            "./ones",
            "+*",
            "-a*c*",
            "./rest",
        ][..],
        &["t", "e", "=st", "-*y*", "./main"][..],
        &["-*", "+@4*", "e", "./stamped"][..],
        &["t", "-*", "+@4*", "e", "./stamped"][..],
        &["+", "-", "e", "./empty-patterns"][..],
    ] {
        let pair = multilog()
            .args(script)
            .file("in", &data, 0o644)
            .stdin_from("in")
            .run_both();
        pair.assert_same();
        assert_eq!(pair.ours.status, Status::Exited(0), "{script:?}");
    }
}

//= spec/multilog.md#log-1
//= spec/multilog.md#log-7
#[test]
fn ignored_words_and_clamped_numbers_as_0_76() {
    let data = input(7, 600);
    for script in [
        &[][..],
        &["main", "e", "t", "xyz"][..],
        &["sfoo", "n1", "./d"][..],
        &["s99999999", "n0", "./d"][..],
        &["s4096x", "n3junk", "./d", "!", "./e"][..],
    ] {
        let pair = multilog()
            .args(script)
            .file("in", &data, 0o644)
            .stdin_from("in")
            .run_both();
        assert_same_files(&pair, &["d"]);
    }
}

//= spec/multilog.md#log-13
//= spec/multilog.md#log-14
#[test]
fn start_up_recovery_as_0_76() {
    let cases: Vec<Scenario> = vec![
        // A clean exit: append, keep state.
        multilog()
            .dir("main", 0o700)
            .file("main/current", b"before\n", 0o744)
            .file("main/state", b"keep", 0o644),
        // A crash: previous and current become .u, state is emptied.
        multilog()
            .dir("main", 0o700)
            .file("main/previous", b"prev\n", 0o744)
            .file("main/current", b"partial", 0o644)
            .file("main/processed", b"half", 0o644)
            .file("main/state", b"s", 0o644)
            .file("main/newstate", b"n", 0o644),
        // The processor had finished: processed becomes .s, previous goes.
        multilog()
            .dir("main", 0o700)
            .file("main/previous", b"raw\n", 0o744)
            .file("main/processed", b"RAW\n", 0o744)
            .file("main/current", b"", 0o644),
        // Old archives and foreign files are left alone.
        multilog()
            .dir("main", 0o700)
            .file("main/@400000006553f10a000001f4.s", b"old\n", 0o744)
            .file("main/notes", b"mine\n", 0o600),
    ];
    for scenario in cases {
        let pair = scenario.arg("./main").stdin(b"new line\n").run_both();
        pair.assert_same();
        assert_eq!(pair.ours.status, Status::Exited(0));
    }
}

//= spec/multilog.md#log-12
//= spec/multilog.md#log-22
#[test]
fn start_up_failures_as_0_76() {
    for scenario in [
        multilog().args(["./a", "./a"]),
        multilog().arg("/nonexistent/d"),
        multilog().args(["=/nonexistent/f", "./d"]),
        multilog().file("f", b"", 0o644).arg("./f"),
    ] {
        let pair = scenario.stdin(b"x\n").run_both();
        pair.assert_same();
        assert_eq!(pair.ours.status, Status::Exited(111));
    }
}

//= spec/multilog.md#log-17
#[test]
fn a_processor_as_0_76() {
    let pair = multilog()
        .args([
            "s4096",
            "!tr a-z A-Z; cat <&4 >&5; echo rotated >&5",
            "./main",
        ])
        .dir("main", 0o700)
        .file("main/current", b"", 0o744)
        .file("main/state", b"start\n", 0o644)
        .file("in", &input(11, 300), 0o644)
        .stdin_from("in")
        .run_both();
    assert_same_files(&pair, &["main"]);
    let state = pair.ours.tree.get("main/state").map(|n| n.kind.clone());
    assert!(matches!(state, Some(Kind::File(s)) if s.starts_with(b"start\nrotated\n")));
}

fn current_is(text: &'static [u8]) -> Condition {
    Condition::new(format!("main/current is {text:?}"), move |o| {
        fs::read(o.dir.join("main/current")).is_ok_and(|c| c == text)
    })
}

fn an_archive_exists() -> Condition {
    Condition::new("main holds an archive", |o| {
        fs::read_dir(o.dir.join("main")).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().as_encoded_bytes().starts_with(b"@"))
        })
    })
}

//= spec/multilog.md#log-18
#[test]
fn alarm_rotates_as_0_76() {
    let pair = multilog()
        .args(["./main", "-*", "./empty"])
        .stdin(b"one\ntw")
        .wait_for(current_is(b"one\n"))
        .signal(Signal::SIGALRM)
        .wait_for(an_archive_exists())
        .stdin(b"o\n")
        .run_both();
    assert_same_files(&pair, &["main", "empty"]);
}

//= spec/multilog.md#log-19
#[test]
fn term_finishes_the_line_as_0_76() {
    let pair = multilog()
        .arg("./main")
        .stdin(b"one\nfour")
        .wait_for(current_is(b"one\n"))
        .signal(Signal::SIGTERM)
        .stdin(b"X\n")
        .wait_for(Condition::new("main/current is complete", |o| {
            fs::metadata(o.dir.join("main/current"))
                .is_ok_and(|m| m.permissions().mode() & 0o100 != 0)
        }))
        .run_both();
    assert_same_files(&pair, &["main"]);
    assert_eq!(ordered(&pair.ours, "main"), vec![b"one\nfourX\n".to_vec()]);
    // At a line boundary TERM ends it at once, with stdin still open.
    let pair = multilog()
        .arg("./main")
        .stdin(b"one\n")
        .wait_for(current_is(b"one\n"))
        .signal(Signal::SIGTERM)
        .wait_for(Condition::new("main/current is complete", |o| {
            fs::metadata(o.dir.join("main/current"))
                .is_ok_and(|m| m.permissions().mode() & 0o100 != 0)
        }))
        .run_both();
    assert_same_files(&pair, &["main"]);
    assert_eq!(pair.ours.status, Status::Exited(0));
}

//= spec/multilog.md#log-20
#[test]
fn a_read_error_is_the_end_of_input_as_0_76() {
    let pair = multilog()
        .arg("./main")
        .dir("input-dir", 0o755)
        .stdin_from("input-dir")
        .run_both();
    assert_same_files(&pair, &["main"]);
    assert_eq!(pair.ours.status, Status::Exited(0));
}

//= spec/multilog.md#log-24
//= spec/deviations.md#dev-7
#[test]
fn a_symlinked_current_is_followed_by_0_76_and_refused_by_ours() {
    let scenario = multilog()
        .arg("./main")
        .dir("main", 0o700)
        .file("target", b"precious\n", 0o744)
        .symlink("main/current", "../target")
        .stdin(b"injected line\n");
    let reference = scenario.run(Side::Reference);
    let ours = scenario.run(Side::Ours);
    let target = |o: &Outcome| o.tree.get("target").map(|n| n.kind.clone());
    assert_eq!(reference.status, Status::Exited(0));
    assert_eq!(
        target(&reference),
        Some(Kind::File(b"precious\ninjected line\n".to_vec())),
        "0.76 appends through the link"
    );
    assert_eq!(ours.status, Status::Exited(111));
    assert_eq!(
        ours.stderr,
        b"multilog: fatal: unable to use ./main/current: not a regular file\n"
    );
    assert_eq!(target(&ours), Some(Kind::File(b"precious\n".to_vec())));
    assert_eq!(mode_of(&ours, "target"), Some(0o744));
}

/// The label of a moment a day from now, as a file name `@….s`.
fn tomorrow_archive() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}.s",
        dt_tests::tai64::label(now.as_secs() as i64 + 86_400, 500)
    )
}

//= spec/multilog.md#log-25
//= spec/deviations.md#dev-8
#[test]
fn after_a_clock_step_back_0_76_deletes_new_data_and_ours_old_data() {
    let future = tomorrow_archive();
    let data = input(3, 400);
    let scenario = multilog()
        .args(["s4096", "n3", "./main"])
        .dir("main", 0o700)
        .file(format!("main/{future}"), b"from the future\n", 0o744)
        .file("in", &data, 0o644)
        .stdin_from("in");
    let reference = scenario.run(Side::Reference);
    let ours = scenario.run(Side::Ours);
    let path = format!("main/{future}");
    assert!(
        reference.tree.get(&path).is_some(),
        "0.76 keeps the archive from the future"
    );
    let kept = ordered(&reference, "main");
    assert_eq!(
        kept[kept.len() - 2],
        b"from the future\n",
        "…as the last archive: every new one sorts before it and is trimmed first"
    );
    let reference_new: usize = kept.iter().map(Vec::len).sum::<usize>() - 16;
    assert!(
        ours.tree.get(&path).is_none(),
        "ours trimmed the oldest data"
    );
    let files = ordered(&ours, "main");
    assert_eq!(files.len(), 3, "two archives and current");
    assert!(data.ends_with(&files.concat()), "ours kept the newest data");
    assert!(files.concat().len() > reference_new, "ours kept more of it");
}

//= spec/multilog.md#log-17
//= spec/deviations.md#dev-9
#[test]
fn a_crashing_processor_is_retried_and_named_differently() {
    let processor = "!test -e crashed && cat || { touch crashed; kill -9 $$; }";
    let pair = multilog()
        .args(["s4096", processor, "./main"])
        .file("in", &input(5, 120), 0o644)
        .stdin_from("in")
        .normalise(Normaliser::new("stale error", |bytes, _| {
            // 0.76 ends the line with whatever error number was left over.
            let text = String::from_utf8_lossy(bytes);
            let cut = text.replace("pausing: file does not exist", "pausing: <stale>");
            cut.replace("pausing: signal 9", "pausing: <stale>")
                .into_bytes()
        }))
        .run_both();
    assert_same_files(&pair, &["main"]);
    let said = |o: &Outcome| String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        said(&pair.ours),
        "multilog: warning: processor crashed in ./main, pausing: signal 9\n\
         multilog: warning: processor failed in ./main, pausing\n"
    );
    assert!(said(&pair.reference).starts_with("multilog: warning: processor crashed in ./main"));
}

//= spec/multilog.md#log-5
#[test]
fn e_ignores_a_full_standard_error() {
    for side in Side::BOTH {
        let dir = TempDir::new("multilog-devfull");
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let mut child = Command::new(side.program("multilog"))
            .args(["e", "./main"])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(full)
            .spawn()
            .expect("start multilog");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"one\ntwo\n").expect("write");
        drop(stdin);
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(0), "{}", side.name());
        assert_eq!(
            fs::read(dir.path().join("main/current")).expect("current"),
            b"one\ntwo\n"
        );
    }
}

// ---------------------------------------------------------------------------
// Faults from a real kernel: a small tmpfs (needs root), SIGKILL.

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    dir: TempDir,
}

impl Tmpfs {
    /// Mount a tmpfs with these options, or say why not and return `None`.
    fn mount(options: &str) -> Option<Tmpfs> {
        let dir = TempDir::new("multilog-tmpfs");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .status();
        match status {
            Ok(s) if s.success() => Some(Tmpfs { dir }),
            other => {
                println!("skipped: mount -t tmpfs -o {options} failed ({other:?}); it needs root");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fill the free space with a file of zeros; returns its path.
    fn fill(&self) -> PathBuf {
        let path = self.path().join("filler");
        let mut file = fs::File::create(&path).expect("filler");
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .status();
        }
    }
}

fn numbered(from: usize, to: usize) -> Vec<u8> {
    (from..to)
        .flat_map(|i| format!("{i:08} some text to fill the line up a bit\n").into_bytes())
        .collect()
}

/// Every file of `dir` in name order, concatenated.
fn logged(dir: &Path) -> Vec<u8> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('@'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names.push("current".into());
    names
        .iter()
        .flat_map(|n| fs::read(dir.join(n)).unwrap_or_default())
        .collect()
}

//= spec/multilog.md#log-21
//= spec/multilog.md#log-26
#[test]
fn a_full_disk_pauses_and_loses_nothing() {
    for side in Side::BOTH {
        let Some(tmpfs) = Tmpfs::mount("size=256k") else {
            return;
        };
        let filler = tmpfs.fill();
        let log = tmpfs.path().join("log");
        // Less than a pipe's capacity, so that writing it never waits.
        let data = numbered(0, 1000);
        let filler_for_step = filler.clone();
        let scenario = Scenario::new("multilog")
            .args(["s4096", "n1000"])
            .arg(&log)
            .stdin(&data)
            .wait_for(Condition::new("a warning, then room again", move |o| {
                let paused = dt_tests::step::contains(o.stderr, b"pausing: out of disk space");
                if paused {
                    let _ = fs::remove_file(&filler_for_step);
                }
                paused
            }));
        let outcome = scenario.run(side);
        assert_eq!(outcome.status, Status::Exited(0), "{}", side.name());
        let stderr = String::from_utf8_lossy(&outcome.stderr).into_owned();
        assert!(
            stderr.starts_with(&format!(
                "multilog: warning: unable to write to {}/current, pausing: out of disk space\n",
                log.display()
            )),
            "{}: {stderr}",
            side.name()
        );
        assert_eq!(
            logged(&log),
            data,
            "{}: every line once, in order",
            side.name()
        );
    }
}

/// Start `side`'s multilog on `log` with a pipe as stdin.
fn start(side: Side, args: &[&str], log: &Path) -> Child {
    Command::new(side.program("multilog"))
        .args(args)
        .arg(log)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start multilog")
}

/// Kills and reaps a child when dropped, so a failing test leaves none.
struct Reaper(Option<Child>);

impl Reaper {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("a child")
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

//= spec/multilog.md#log-23
//= spec/multilog.md#log-16
//= spec/deviations.md#dev-6
#[test]
fn term_while_paused_on_a_failed_link() {
    for side in Side::BOTH {
        // Inodes for the root, the log directory, lock, state, current and
        // the new current: the link of previous to its archive finds none.
        let Some(tmpfs) = Tmpfs::mount("size=2m,nr_inodes=6") else {
            return;
        };
        let log = tmpfs.path().join("log");
        let mut child = Reaper(Some(start(side, &["s4096"], &log)));
        let mut stdin = child.child().stdin.take().expect("stdin");
        stdin.write_all(&numbered(0, 200)).expect("write");
        let mut stderr = child.child().stderr.take().expect("stderr");
        let said = Arc::new(std::sync::Mutex::new(Vec::new()));
        let reader = {
            let said = Arc::clone(&said);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = std::io::Read::read(&mut stderr, &mut buf) {
                    if n == 0 {
                        break;
                    }
                    said.lock().map(|mut s| s.extend_from_slice(&buf[..n])).ok();
                }
            })
        };
        let has = |needle: &[u8]| {
            said.lock()
                .map(|s| dt_tests::step::contains(&s, needle))
                .unwrap_or(false)
        };
        wait::until_or_panic("the link warning", || {
            has(b"pausing: out of disk space\n").then_some(())
        });
        let text = String::from_utf8_lossy(&said.lock().map(|s| s.clone()).unwrap_or_default())
            .into_owned();
        let expected = format!("multilog: warning: unable to link to {}/@", log.display());
        assert!(text.starts_with(&expected), "{}: {text}", side.name());
        let pid = nix::unistd::Pid::from_raw(child.child().id() as i32);
        nix::sys::signal::kill(pid, Signal::SIGTERM).expect("TERM");
        match side {
            Side::Reference => {
                // 0.76 blocks TERM while pausing: another warning comes, it
                // does not exit.
                let lines = text.lines().count();
                wait::until_or_panic("a second warning", || {
                    let now = said.lock().map(|s| s.clone()).unwrap_or_default();
                    (String::from_utf8_lossy(&now).lines().count() > lines).then_some(())
                });
                assert!(child.child().try_wait().expect("try_wait").is_none());
            }
            Side::Ours => {
                let status = wait::until_or_panic("ours to exit", || {
                    child.child().try_wait().ok().flatten()
                });
                assert_eq!(status.code(), Some(111));
                let deadline = Instant::now() + wait::GENEROUS;
                wait::until(deadline, || reader.is_finished().then_some(()));
                let text =
                    String::from_utf8_lossy(&said.lock().map(|s| s.clone()).unwrap_or_default())
                        .into_owned();
                let last = text.lines().last().unwrap_or_default().to_owned();
                assert!(
                    last.starts_with("multilog: fatal: unable to finish after SIGTERM, ")
                        && last.contains(" bytes not logged: unable to link to "),
                    "{last}"
                );
                let current = fs::metadata(log.join("current")).expect("current");
                assert_eq!(
                    current.permissions().mode() & 0o777,
                    0o644,
                    "marked unfinished"
                );
            }
        }
        drop(stdin);
        drop(child);
    }
}

/// Parse `L`-numbered lines: `Some(n)` for a whole line.
fn line_number(line: &[u8], width: usize) -> Option<u64> {
    if line.len() != width {
        return None;
    }
    std::str::from_utf8(line.get(..8)?).ok()?.parse().ok()
}

/// The inode and size of `dir/current`, if it exists.
fn current(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(dir.join("current"))
        .ok()
        .map(|m| (m.ino(), m.len()))
}

//= spec/multilog.md#log-26
//= spec/multilog.md#log-14
#[test]
fn kill_9_in_a_loop_never_splits_or_repeats_a_line() {
    const LINES: u64 = 300_000;
    let width = 48;
    let dir = TempDir::new("multilog-kill9");
    let log = dir.path().join("log");
    let (reader, mut writer) = std::io::pipe().expect("pipe");
    let producer = std::thread::spawn(move || {
        for i in 0..LINES {
            let mut line = format!("{i:08} ").into_bytes();
            line.resize(width, b'x');
            line.push(b'\n');
            if writer.write_all(&line).is_err() {
                return i;
            }
        }
        LINES
    });
    let spawn = || {
        let child = Command::new(Side::Ours.program("multilog"))
            .args(["s16384", "n1000"])
            .arg(&log)
            .stdin(reader.try_clone().expect("pipe end"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start multilog");
        Reaper(Some(child))
    };
    let mut kills = 0;
    while kills < 30 && !producer.is_finished() {
        // Progress is a `current` of this run's own with lines in it: then
        // the kill leaves something unfinished (that `current`, or during
        // a rotation `previous`). Growth of the whole directory would not
        // do: the start-up links the old `current` to its `.u` name before
        // removing it, and a kill between that and the new `current` leaves
        // nothing to archive.
        let old = current(&log).map(|(inode, _)| inode);
        let mut child = spawn();
        let progressed = wait::until(Instant::now() + wait::GENEROUS, || {
            let own = current(&log).is_some_and(|(inode, size)| Some(inode) != old && size > 0);
            (own || producer.is_finished()).then_some(())
        });
        assert!(progressed.is_some(), "multilog logged nothing");
        let pid = nix::unistd::Pid::from_raw(child.child().id() as i32);
        nix::sys::signal::kill(pid, Signal::SIGKILL).expect("KILL");
        let _ = child.child().wait();
        child.0 = None;
        kills += 1;
    }
    let mut last = spawn();
    drop(reader);
    let produced = producer.join().expect("producer");
    assert_eq!(produced, LINES);
    let status = wait::until_or_panic("the last multilog to finish", || {
        last.child().try_wait().ok().flatten()
    });
    assert_eq!(status.code(), Some(0));
    last.0 = None;

    let mut names: Vec<String> = fs::read_dir(&log)
        .expect("log dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('@'))
        .collect();
    names.sort();
    let unfinished = names.iter().filter(|n| n.ends_with(".u")).count();
    assert!(unfinished >= kills, "every kill left an unfinished current");
    names.push("current".into());
    // Whole lines: each once, in order. A crash may cut a line short at the
    // end of a `.u` file (the write was interrupted; the rest had been read
    // and is lost with the process) and a new run may start with the end of
    // a line whose start the killed one had read: pieces of lines appear
    // only there, and never two pieces of the same line.
    let mut previous: Option<u64> = None;
    let mut whole = 0u64;
    let mut pieces = 0;
    let mut run_starts = true;
    for name in &names {
        let data = fs::read(log.join(name)).expect("file");
        let crashed = name.ends_with(".u");
        assert!(
            crashed || data.is_empty() || data.ends_with(b"\n"),
            "{name} ends in mid-line"
        );
        let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
        for (k, line) in lines.iter().enumerate() {
            if line.is_empty() {
                continue;
            }
            let last = k + 1 == lines.len();
            match line_number(line, width) {
                Some(n) if !last => {
                    assert!(
                        previous.is_none_or(|p| n > p),
                        "{name}: line {n} after {previous:?}: repeated or out of order"
                    );
                    previous = Some(n);
                    whole += 1;
                }
                _ => {
                    let cut_short = crashed && last;
                    let rest_of_a_line = run_starts && k == 0 && line.len() < width;
                    assert!(
                        cut_short || rest_of_a_line,
                        "{name}: a piece of a line inside a file: {:?}",
                        String::from_utf8_lossy(line)
                    );
                    if cut_short {
                        // Its start carries its number: later than the last.
                        let n: Option<u64> = std::str::from_utf8(&line[..line.len().min(8)])
                            .ok()
                            .filter(|t| t.len() == 8)
                            .and_then(|t| t.parse().ok());
                        if let Some(n) = n {
                            assert!(previous.is_none_or(|p| n > p), "{name}: piece of {n}");
                            previous = Some(n);
                        }
                    }
                    pieces += 1;
                }
            }
        }
        run_starts = crashed;
    }
    assert!(
        pieces <= 2 * kills,
        "{pieces} pieces of lines for {kills} kills"
    );
    // The last run logged everything that reached it, up to the last line.
    assert_eq!(previous, Some(LINES - 1));
    assert!(
        whole > LINES / 2,
        "kills lose at most a read each: {whole} of {LINES}"
    );
}
