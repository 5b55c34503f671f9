//! Differential tests of envdir, envuidgid, setuidgid, softlimit, setlock,
//! pgrphack and fghack: each scenario runs on Debian's daemontools 0.76 and
//! on ours and must behave the same (status, stdout, stderr and the files
//! left behind), except where `spec/deviations.md` says otherwise, and then
//! both sides' behaviour is stated. Our messages are snapshotted.
//!
//! Most cases go through the harness's [`Scenario`]. The few it cannot
//! express (another user id, an exact environment order, SIGPIPE ignored at
//! start, a program that must not lead a process group, a second process
//! racing for a lock) start the programs through [`Direct`], which also
//! runs each in its own process group, killed when it ends or the test
//! fails. Nothing sleeps: waits poll a condition against a generous
//! deadline.

use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dt_tests::fixture::TempDir;
use dt_tests::process::{Collector, Feeder, Group};
use dt_tests::render::{escape, render};
use dt_tests::{wait, Condition, Deviation, Expect, Normaliser, Outcome, Scenario, Side, Status};

const BOTH: [Side; 2] = Side::BOTH;

// ---------------------------------------------------------------------------
// Helpers over the harness

/// Run on both sides, insist they agree, and return ours (normalised) as
/// text for a snapshot.
fn same(scenario: Scenario) -> String {
    let pair = scenario.run_both();
    pair.assert_same();
    render(&pair.normalised().1).join("\n") + "\n"
}

/// An outcome as status, stdout and stderr (no file listing).
fn short(outcome: &Outcome) -> String {
    let mut text = format!("{}\n", outcome.status);
    if !outcome.stdout.is_empty() {
        text += &format!("stdout: {}\n", escape(&outcome.stdout));
    }
    if !outcome.stderr.is_empty() {
        text += &format!("stderr: {}\n", escape(&outcome.stderr));
    }
    text
}

/// `program args...` for each case, on both sides, agreeing; ours as one
/// transcript.
fn transcript(program: &str, cases: &[&[&str]]) -> String {
    let mut text = String::new();
    for args in cases {
        let pair = Scenario::new(program).args(args.iter()).run_both();
        pair.assert_same();
        text += &format!("$ {program} {}\n{}\n", args.join(" "), short(&pair.ours));
    }
    text
}

fn is_root() -> bool {
    // /proc/self belongs to the process's effective user.
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Tests that change identity run only as root; elsewhere they say so and
/// pass.
fn need_root(test: &str) -> bool {
    if !is_root() {
        eprintln!("{test}: needs root, skipped");
    }
    is_root()
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod a fixture");
}

// ---------------------------------------------------------------------------
// Direct runs, for what a Scenario cannot say

/// One run started by hand: the program is exec'd by `/usr/bin/env -i`
/// (same pid) with exactly the environment given, in that order.
#[derive(Clone, Debug)]
struct Direct {
    program: &'static str,
    args: Vec<OsString>,
    env: Vec<String>,
    cwd: Option<PathBuf>,
    nobody: bool,
    ignore_sigpipe: bool,
    in_shell_group: bool,
}

fn direct(program: &'static str) -> Direct {
    Direct {
        program,
        args: Vec::new(),
        env: vec!["PATH=/usr/bin:/bin".into()],
        cwd: None,
        nobody: false,
        ignore_sigpipe: false,
        in_shell_group: false,
    }
}

/// What a direct run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ran {
    status: String,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Ran {
    fn text(&self) -> String {
        let mut text = format!("{}\n", self.status);
        if !self.stdout.is_empty() {
            text += &format!("stdout: {}\n", escape(&self.stdout));
        }
        if !self.stderr.is_empty() {
            text += &format!("stderr: {}\n", escape(&self.stderr));
        }
        text
    }
}

impl Direct {
    fn args<S: Into<OsString>>(mut self, args: impl IntoIterator<Item = S>) -> Direct {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Exactly these `NAME=value` entries, in this order.
    fn env(mut self, entries: &[&str]) -> Direct {
        self.env = entries.iter().map(|e| (*e).to_string()).collect();
        self
    }

    fn cwd(mut self, dir: &Path) -> Direct {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    /// As user and group 65534.
    fn by_nobody(mut self) -> Direct {
        self.nobody = true;
        self
    }

    /// Started with SIGPIPE ignored (a shell's `trap '' PIPE`).
    fn ignoring_sigpipe(mut self) -> Direct {
        self.ignore_sigpipe = true;
        self
    }

    /// Started by a shell, in the shell's process group, so that it does
    /// not lead a process group itself.
    fn in_shell_group(mut self) -> Direct {
        self.in_shell_group = true;
        self
    }

    fn command(&self, side: Side) -> Command {
        let mut argv: Vec<OsString> = Vec::new();
        if self.ignore_sigpipe {
            argv.extend(["/bin/sh", "-c", "trap '' PIPE; exec \"$@\"", "sh"].map(OsString::from));
        }
        if self.in_shell_group {
            // `; exit` keeps the shell from exec'ing the command itself.
            argv.extend(["/bin/sh", "-c", "\"$@\"; exit $?", "sh"].map(OsString::from));
        }
        argv.extend(["/usr/bin/env", "-i"].map(OsString::from));
        argv.extend(self.env.iter().map(OsString::from));
        argv.push(side.program(self.program).into_os_string());
        argv.extend(self.args.iter().cloned());
        let mut command = Command::new(&argv[0]);
        command.args(&argv[1..]).env_clear();
        if let Some(dir) = &self.cwd {
            command.current_dir(dir);
        }
        if self.nobody {
            command.uid(65534).gid(65534);
        }
        command
    }

    /// Start it with piped stdio; its process group dies with the result.
    fn start(&self, side: Side) -> Live {
        let mut command = self.command(side);
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut group = Group::spawn(&mut command).expect("start the program");
        let (stdin, stdout, stderr) = group.take_pipes();
        Live {
            group,
            feeder: Feeder::start(stdin),
            stdout: Collector::start(stdout),
            stderr: Collector::start(stderr),
        }
    }

    fn run(&self, side: Side) -> Ran {
        self.start(side).finish()
    }

    /// Both sides, agreeing; ours.
    fn same(&self) -> Ran {
        let reference = self.run(Side::Reference);
        let ours = self.run(Side::Ours);
        assert_eq!(
            reference.text(),
            ours.text(),
            "{} {:?}: ours (right) differs from 0.76 (left)",
            self.program,
            self.args
        );
        ours
    }
}

/// A program started by [`Direct::start`].
struct Live {
    group: Group,
    feeder: Feeder,
    stdout: Collector,
    stderr: Collector,
}

impl Live {
    fn pid(&self) -> u32 {
        self.group.pid()
    }

    fn wait_for(&self, what: &str, mut probe: impl FnMut() -> bool) {
        wait::until_or_panic(what, || probe().then_some(()));
    }

    /// Line `n` (from 0) of stdout, once it is complete.
    fn stdout_line(&self, n: usize) -> String {
        self.wait_for("a line on stdout", || {
            self.stdout
                .with(|out| out.iter().filter(|&&b| b == b'\n').count() > n)
        });
        self.stdout.with(|out| {
            let line = out.split(|&b| b == b'\n').nth(n).unwrap_or_default();
            String::from_utf8_lossy(line).into_owned()
        })
    }

    /// Close stdin, wait for the end, and report.
    fn finish(mut self) -> Ran {
        self.feeder.close();
        let group = &self.group;
        wait::until_or_panic("the program to end", || group.has_exited().then_some(()));
        let status = self.group.reap().expect("reap the program");
        let (stdout, stderr) = (&self.stdout, &self.stderr);
        wait::until_or_panic("the program's output to end", || {
            (stdout.is_finished() && stderr.is_finished()).then_some(())
        });
        let status = match (status.code(), status.signal()) {
            (Some(code), _) => format!("exit {code}"),
            (None, Some(sig)) => format!("signal {sig}"),
            _ => "unknown".into(),
        };
        Ran {
            status,
            stdout: self.stdout.contents(),
            stderr: self.stderr.contents(),
        }
    }
}

// ---------------------------------------------------------------------------
// Usage lines

//= spec/tools.md#envdir-1
//= spec/tools.md#envuidgid-1
//= spec/tools.md#setuidgid-1
//= spec/tools.md#pgrphack-1
//= spec/tools.md#fghack-1
#[test]
fn usage_lines_and_exit_codes() {
    let mut text = String::new();
    text += &transcript("envdir", &[&[], &["d"]]);
    text += &transcript("envuidgid", &[&[], &["nobody"]]);
    text += &transcript("setuidgid", &[&[], &["nobody"]]);
    text += &transcript("pgrphack", &[&[]]);
    text += &transcript("fghack", &[&[]]);
    insta::assert_snapshot!(text);
}

//= spec/tools.md#softlimit-2
//= spec/tools.md#softlimit-4
#[test]
fn softlimit_usage() {
    insta::assert_snapshot!(transcript(
        "softlimit",
        &[
            &[],
            &["-z", "true"],
            &["-t"],
            &["-o", "12x", "true"],
            &["-o", "-5", "true"],
            &["-o", " 5", "true"],
            &["-o", "==", "true"],
            &["-c", "1"],
            &["-c1", "-z", "true"],
            &["--", "nosuch-dt-program"],
        ],
    ));
}

//= spec/tools.md#setlock-1
#[test]
fn setlock_usage_creates_no_file() {
    // The scenario compares the directories too: no `f` on either side.
    insta::assert_snapshot!(transcript(
        "setlock",
        &[
            &[],
            &["f"],
            &["-n", "f"],
            &["-z", "f", "true"],
            &["-nq", "f", "true"],
        ],
    ));
}

// ---------------------------------------------------------------------------
// Starting the program

//= spec/tools.md#exec-1
#[test]
fn candidates_along_the_path() {
    let scenario = |path: &str, name: &str| {
        Scenario::new("pgrphack")
            .arg(name)
            .env("PATH", path)
            .file("here", b"#!/bin/sh\necho here\n", 0o755)
            .dir("bin", 0o755)
            .file("bin/there", b"#!/bin/sh\necho there\n", 0o755)
    };
    let mut text = String::new();
    for (path, name) in [
        ("", "here"),
        (":", "here"),
        ("/nonexistent-dt::/nonexistent-dt", "here"),
        ("bin", "there"),
        ("/nonexistent-dt:bin", "there"),
        ("/usr/bin", "here"),
        ("/usr/bin", "./here"),
        ("/nonexistent-dt", "bin/there"),
        ("/usr/bin:/bin", ""),
    ] {
        let pair = scenario(path, name).run_both();
        pair.assert_same();
        text += &format!("PATH={path} {name:?}: {}", short(&pair.ours));
    }
    insta::assert_snapshot!(text);
}

//= spec/tools.md#exec-2
#[test]
fn the_default_path_and_the_starting_path() {
    // No PATH at all: /bin:/usr/bin.
    let ran = direct("pgrphack").args(["true"]).env(&[]).same();
    assert_eq!(ran.text(), "exit 0\n");
    let ran = direct("pgrphack")
        .args(["nosuch-dt-program"])
        .env(&[])
        .same();
    assert_eq!(ran.status, "exit 111");
    // envdir's PATH file changes the program's PATH but not the search.
    let text = same(
        Scenario::new("envdir")
            .args(["env", "sh", "-c", "echo $PATH"])
            .dir("env", 0o755)
            .file("env/PATH", b"/nonexistent-dt\n", 0o644),
    );
    assert!(text.contains("stdout:\n  \"/nonexistent-dt\\n\""), "{text}");
}

//= spec/tools.md#exec-3
#[test]
fn which_error_is_reported() {
    let scenario = |path: &str, name: &str| {
        Scenario::new("pgrphack")
            .arg(name)
            .env("PATH", path)
            .dir("noexec", 0o755)
            .file("noexec/prog", b"#!/bin/sh\necho no\n", 0o644)
            .file("noexec/true", b"#!/bin/sh\necho no\n", 0o644)
            .dir("garbage", 0o755)
            .file("garbage/true", b"\x01\x02 not a program\n", 0o755)
            .dir("dirs", 0o755)
            .dir("dirs/prog", 0o755)
            .file("plain", b"", 0o644)
    };
    let mut text = String::new();
    for (path, name) in [
        // "not a directory" ends the search, though /usr/bin/true exists.
        ("plain:/usr/bin", "true"),
        // "access denied" is remembered and reported at the end...
        ("noexec:/nonexistent-dt", "prog"),
        ("/nonexistent-dt:noexec", "prog"),
        // ...unless a later candidate works.
        ("noexec:/usr/bin", "true"),
        // execve of a directory is "access denied" too.
        ("dirs:/nonexistent-dt", "prog"),
        // Any other error ends the search: "exec format error".
        ("garbage:/usr/bin", "true"),
        ("/nonexistent-dt:/nonexistent-dt2", "prog"),
    ] {
        let pair = scenario(path, name).run_both();
        pair.assert_same();
        text += &format!("PATH={path} {name}: {}", short(&pair.ours));
    }
    insta::assert_snapshot!(text);
}

//= spec/tools.md#exec-4
//= spec/tools.md#envuidgid-2
#[test]
fn the_environment_keeps_its_order() {
    let ran = direct("envuidgid")
        .args(["nobody", "env"])
        .env(&["A=1", "UID=5", "B=2", "GID=7", "C=3", "PATH=/usr/bin:/bin"])
        .same();
    insta::assert_snapshot!(escape(&ran.stdout));
}

//= spec/tools.md#exec-5
#[test]
fn each_tool_becomes_the_program_and_keeps_its_argv0() {
    // `<pid>` is the tool's own pid: the program did not run in a child.
    let script = "tr '\\0' ' ' < /proc/$$/cmdline; echo $$";
    let mut callers: Vec<&[&str]> = vec![
        &["envdir", "env"],
        &["envuidgid", "nobody"],
        &["softlimit", "-t", "="],
        &["setlock", "lock"],
        &["pgrphack"],
    ];
    if is_root() {
        callers.push(&["setuidgid", "root"]);
    }
    let mut text = String::new();
    for caller in callers {
        let pair = Scenario::new(caller[0])
            .args(&caller[1..])
            .args(["sh", "-c", script])
            .dir("env", 0o755)
            .normalise(Normaliser::pids())
            .run_both();
        pair.assert_same();
        let ours = pair.normalised().1;
        text += &format!("{}: {}\n", caller.join(" "), escape(&ours.stdout));
    }
    insta::assert_snapshot!(text);
}

//= spec/tools.md#exec-5
#[test]
fn sigpipe_is_passed_on_as_inherited() {
    let status = direct("pgrphack").args(["grep", "^SigIgn", "/proc/self/status"]);
    // Bit 12 of the mask is signal 13, SIGPIPE.
    let pipe_ignored = |ran: &Ran| -> bool {
        let text = String::from_utf8_lossy(&ran.stdout);
        let mask = text.trim().rsplit('\t').next().unwrap_or("");
        u64::from_str_radix(mask, 16).expect("a hex signal mask") & (1 << 12) != 0
    };
    let default = status.same();
    let ignored = status.clone().ignoring_sigpipe().same();
    insta::assert_snapshot!(format!(
        "started with SIGPIPE default, the program has it ignored: {}\n\
         started with SIGPIPE ignored, the program has it ignored: {}\n",
        pipe_ignored(&default),
        pipe_ignored(&ignored)
    ));
}

//= spec/tools.md#exec-5
#[test]
fn failing_to_run_the_program() {
    let mut callers: Vec<&[&str]> = vec![
        &["envdir", "env"],
        &["envuidgid", "nobody"],
        &["softlimit", "-c", "0"],
        &["setlock", "lock"],
        &["setlock", "-x", "lock"],
        &["pgrphack"],
        &["fghack"],
    ];
    if is_root() {
        callers.push(&["setuidgid", "nobody"]);
    }
    let mut text = String::new();
    for caller in callers {
        let pair = Scenario::new(caller[0])
            .args(&caller[1..])
            .args(["nosuch-dt-program", "arg"])
            .dir("env", 0o755)
            .run_both();
        pair.assert_same();
        text += &format!("{}: {}", caller.join(" "), short(&pair.ours));
    }
    if is_root() {
        insta::assert_snapshot!(text);
    }
}

// ---------------------------------------------------------------------------
// envdir

//= spec/tools.md#envdir-3
//= spec/tools.md#envdir-4
#[test]
fn envdir_values() {
    let pair = Scenario::new("envdir")
        .args(["e", "env", "-0"])
        .env("PATH", "/usr/bin:/bin")
        .env("EMPTY", "was set")
        .env("KEEP", "kept")
        .env("A", "old")
        .dir("e", 0o755)
        .file("e/A", b"val\nmore", 0o644)
        .file("e/EMPTY", b"", 0o644)
        .file("e/NL", b"\n", 0o644)
        .file("e/SP", b"  ", 0o644)
        .file("e/T", b" val \t \nsecond", 0o644)
        .file("e/NUL", b"a\0b\n", 0o644)
        .file("e/CR", b"x\r \n", 0o644)
        .file("e/.hidden", b"no", 0o644)
        .dir("e/.hidden-dir", 0o755)
        .file("target", b"linked\n", 0o644)
        .symlink("e/LINK", "../target")
        .run_both();
    pair.assert_same();
    // The listing order depends on the file system: sort the entries.
    let mut entries: Vec<String> = pair
        .ours
        .stdout
        .split(|&b| b == 0)
        .filter(|e| !e.is_empty())
        .map(escape)
        .collect();
    entries.sort();
    insta::assert_snapshot!(entries.join("\n"));
}

//= spec/tools.md#envdir-4
#[test]
fn envdir_fifo_without_writer_reads_as_empty() {
    let fifo_dir = TempDir::new("envdir-fifo");
    let fifo = fifo_dir.path().join("fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o644)).expect("mkfifo");
    let text = same(
        Scenario::new("envdir")
            .args(["e", "sh", "-c", "echo ${FIFO-unset}"])
            .env("FIFO", "set")
            .dir("e", 0o755)
            .symlink("e/FIFO", &fifo),
    );
    assert!(text.contains("\"unset\\n\""), "{text}");
}

//= spec/tools.md#envdir-2
//= spec/tools.md#envdir-5
#[test]
fn envdir_errors() {
    let mut text = String::new();
    for args in [
        &["nonexistent", "true"][..],
        &["loop", "true"],
        &["plain", "true"],
        &["sub", "true"],
        &["looping", "true"],
        &["-x", "true"],
        &["ok", "nosuch-dt-program"],
    ] {
        let pair = Scenario::new("envdir")
            .args(args)
            .symlink("loop", "loop")
            .file("plain", b"x", 0o644)
            .dir("sub", 0o755)
            .dir("sub/inner", 0o755)
            .dir("looping", 0o755)
            .symlink("looping/L", "L")
            .dir("ok", 0o755)
            .run_both();
        pair.assert_same();
        text += &format!("$ envdir {}\n{}\n", args.join(" "), short(&pair.ours));
    }
    insta::assert_snapshot!(text);
}

//= spec/tools.md#envdir-2
//= spec/tools.md#envdir-5
#[test]
fn envdir_errors_as_another_user() {
    if !need_root("envdir_errors_as_another_user") {
        return;
    }
    let dir = TempDir::new("envdir-nobody");
    chmod(dir.path(), 0o755);
    for (rel, mode) in [
        ("unlistable", 0o311),
        ("unreadable-cwd", 0o311),
        ("secret", 0o755),
    ] {
        fs::create_dir(dir.path().join(rel)).expect("mkdir a fixture");
        chmod(&dir.path().join(rel), mode);
    }
    fs::write(dir.path().join("secret/V"), b"v").expect("write a fixture");
    chmod(&dir.path().join("secret/V"), 0o600);
    let mut text = String::new();
    for (cwd, args) in [
        (dir.path().to_path_buf(), ["unlistable", "true"]),
        (dir.path().join("unreadable-cwd"), ["..", "true"]),
        (dir.path().to_path_buf(), ["secret", "true"]),
    ] {
        let ran = direct("envdir").args(args).cwd(&cwd).by_nobody().same();
        text += &format!("{}: {}", args.join(" "), ran.text());
    }
    insta::assert_snapshot!(text);
}

//= spec/tools.md#envdir-2
#[test]
fn envdir_leaves_no_descriptor_to_the_program() {
    let listing = ["sh", "-c", "ls /proc/$$/fd"];
    let pair = Scenario::new("envdir")
        .arg("e")
        .args(listing)
        .dir("e", 0o755)
        .file("e/X", b"1", 0o644)
        .run_both();
    pair.assert_same();
    let plain = Scenario::new("pgrphack").args(listing).run_both();
    plain.assert_same();
    assert_eq!(escape(&pair.ours.stdout), escape(&plain.ours.stdout));
}

//= spec/deviations.md#dev-3
//= spec/tools.md#envdir-3
#[test]
fn envdir_refuses_names_with_equals() {
    let pair = Scenario::new("envdir")
        .args(["e", "sh", "-c", "echo \"$D\""])
        .env("D", "1")
        .dir("e", 0o755)
        .file("e/D=E", b"x\n", 0o644)
        .run_both();
    pair.assert_deviation(Deviation::new(
        "DEV-3",
        "a file name with `=` would set another variable",
        Expect::exit(0).stdout(b"E=x\n").stderr(b""),
        Expect::exit(111)
            .stdout(b"")
            .stderr(b"envdir: fatal: unable to set e/D=E: invalid variable name\n"),
    ));
    insta::assert_snapshot!(short(&pair.ours));
}

//= spec/deviations.md#dev-4
//= spec/tools.md#envdir-4
#[test]
fn envdir_removes_a_variable_whose_file_vanished() {
    // The program prints the listing order first (both sides list the same
    // names, created in the same order, on the same file system).
    let pair = Scenario::new("envdir")
        .args([
            "e",
            "sh",
            "-c",
            "ls -f e | grep -v '^[.]' | tr '\\n' ' '; echo; echo \"${GONE-unset}\"",
        ])
        .env("GONE", "was set")
        .dir("e", 0o755)
        .file("e/FILE", b"secret\0value\n", 0o644)
        .symlink("e/GONE", "/nonexistent-dt/x")
        .run_both();
    let order = String::from_utf8_lossy(&pair.reference.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    // 0.76 reuses the previous file's value, cut at its first newline (the
    // NUL turned newline), when the vanished entry is read after it.
    let reference: &[u8] = if order == "FILE GONE " {
        b"FILE GONE \nsecret\n"
    } else {
        b"GONE FILE \nunset\n"
    };
    let ours = format!("{order}\nunset\n");
    pair.assert_deviation(Deviation::new(
        "DEV-4",
        "a vanished entry must not copy another variable's value",
        Expect::exit(0).stdout(reference),
        Expect::exit(0).stdout(ours.as_bytes()),
    ));
}

//= spec/deviations.md#dev-5
//= spec/tools.md#envdir-5
#[test]
fn envdir_refuses_a_first_line_over_a_mebibyte() {
    let long = vec![b'x'; (1 << 20) + 1];
    let pair = Scenario::new("envdir")
        .args(["e", "true"])
        .dir("e", 0o755)
        .file("e/LONG", &long, 0o644)
        .run_both();
    pair.assert_deviation(Deviation::new(
        "DEV-5",
        "envdir reads at most 1 MiB of a first line",
        Expect::exit(111).stderr(b"envdir: fatal: unable to run true: argument list too long\n"),
        Expect::exit(111).stderr(b"envdir: fatal: unable to read e/LONG: file too big\n"),
    ));
    insta::assert_snapshot!(short(&pair.ours));
    // Exactly 1 MiB and then a newline: both read it, and both fail at exec.
    let mut limit = vec![b'x'; 1 << 20];
    limit.extend_from_slice(b"\nmore");
    Scenario::new("envdir")
        .args(["e", "true"])
        .dir("e", 0o755)
        .file("e/LONG", &limit, 0o644)
        .run_both()
        .assert_same();
}

// ---------------------------------------------------------------------------
// envuidgid and setuidgid

//= spec/tools.md#envuidgid-1
//= spec/tools.md#setuidgid-1
#[test]
fn unknown_accounts() {
    let mut text = transcript("envuidgid", &[&["nosuch-dt-user", "true"], &["", "true"]]);
    text += &transcript("setuidgid", &[&["nosuch-dt-user", "true"], &["", "true"]]);
    insta::assert_snapshot!(text);
}

//= spec/tools.md#envuidgid-2
#[test]
fn envuidgid_sets_only_uid_and_gid() {
    let text = same(
        Scenario::new("envuidgid")
            .args([
                "nobody",
                "sh",
                "-c",
                "[ \"$(id -u)\" = \"$UID\" ] || echo identity unchanged; \
                 env | grep -v -e ^PATH= -e ^PWD= | sort",
            ])
            .env("X", "y"),
    );
    insta::assert_snapshot!(text);
}

//= spec/tools.md#setuidgid-2
#[test]
fn setuidgid_drops_to_the_account_and_its_group_only() {
    if !need_root("setuidgid_drops_to_the_account_and_its_group_only") {
        return;
    }
    let text = same(
        Scenario::new("setuidgid")
            .args([
                "nobody",
                "sh",
                "-c",
                "grep -E '^(Uid|Gid|Groups):' /proc/$$/status; \
                 env | grep -v -e ^PATH= -e ^PWD= | sort",
            ])
            .env("HOME", "/root")
            .env("X", "y"),
    );
    insta::assert_snapshot!(text);
}

//= spec/tools.md#setuidgid-2
#[test]
fn setuidgid_without_privilege() {
    if !need_root("setuidgid_without_privilege") {
        return;
    }
    let ran = direct("setuidgid")
        .args(["root", "true"])
        .by_nobody()
        .same();
    assert_eq!(
        ran.text(),
        "exit 111\nstderr: setuidgid: fatal: unable to setgid: permission denied\\n\n"
    );
}

// ---------------------------------------------------------------------------
// softlimit

/// The limits the program sees, `/proc/self/limits`, both sides agreeing.
fn limits_under(args: &[&str]) -> String {
    let pair = Scenario::new("softlimit")
        .args(args)
        .args(["cat", "/proc/self/limits"])
        .run_both();
    pair.assert_same();
    assert_eq!(pair.ours.status, Status::Exited(0), "{args:?}");
    String::from_utf8_lossy(&pair.ours.stdout).into_owned()
}

/// The hard-limit column of `/proc/self/limits`.
fn hard_limits(limits: &str) -> Vec<String> {
    limits
        .lines()
        .skip(1)
        .map(|line| line.get(47..68).unwrap_or(line).trim().to_string())
        .collect()
}

//= spec/tools.md#softlimit-1
//= spec/tools.md#softlimit-2
//= spec/tools.md#softlimit-3
#[test]
fn softlimit_sets_soft_limits_only() {
    let unchanged = hard_limits(&limits_under(&[]));
    for args in [
        &["-o", "="][..],
        &["-o", "10"],
        &["-o", "99999999999"],
        &["-o", "18446744073709551626"],
        &["-c", ""],
        &["-c0"],
        &["-m", "100000000"],
        &["-a", "1000000000"],
        &["-d", "500000000", "-s", "8000000", "-l", "65536"],
        &["-f", "1000000", "-p", "500", "-r", "100000000", "-t", "100"],
        &["-t", "5", "-t", "="],
        &[
            "-a", "=", "-c", "=", "-d", "=", "-f", "=", "-l", "=", "-m", "=",
        ],
        &["-o", "=", "-p", "=", "-r", "=", "-s", "=", "-t", "="],
    ] {
        assert_eq!(
            hard_limits(&limits_under(args)),
            unchanged,
            "{args:?} changed a hard limit"
        );
    }
}

//= spec/tools.md#softlimit-3
#[test]
fn softlimit_clamps_to_the_hard_limit() {
    let limits = limits_under(&["-o", "18446744073709551615"]);
    let files = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("a Max open files line");
    let fields: Vec<&str> = files.split_whitespace().collect();
    assert_eq!(fields[3], fields[4], "soft = hard: {files}");
}

// ---------------------------------------------------------------------------
// setlock

//= spec/tools.md#setlock-2
#[test]
fn setlock_opens_for_append_without_truncating() {
    // The directories are compared: the new file's mode, the old file's
    // contents.
    let mut text = same(
        Scenario::new("setlock")
            .args(["new", "setlock", "existing", "true"])
            .file("existing", b"content\n", 0o640),
    );
    text += "\n";
    text += &transcript(
        "setlock",
        &[
            &["nodir/lock", "true"],
            &["-x", "nodir/lock", "true"],
            &["-X", "-x", "-X", "nodir/lock", "true"],
            &["-x", "lock", "nosuch-dt-program"],
        ],
    );
    insta::assert_snapshot!(text);
}

//= spec/tools.md#setlock-3
//= spec/tools.md#setlock-4
#[test]
fn setlock_the_program_holds_the_lock() {
    // The shell holds the lock it was started with; the setlocks it starts
    // (the same side's, first on PATH) open the file anew and cannot lock
    // it. Descriptor 3 is the lock file.
    let script = "for opts in -n -nx '-xn -X' -Nn; do \
                  setlock $opts lock echo got it; echo \"$opts: $?\"; done; \
                  ls -l /proc/$$/fd/3 | sed 's/.* -> //'";
    let text = same(Scenario::new("setlock").args(["lock", "sh", "-c", script]));
    insta::assert_snapshot!(text);
}

//= spec/tools.md#setlock-3
#[test]
fn setlock_waits_for_the_lock() {
    let dir = TempDir::new("setlock-wait");
    for holder_side in BOTH {
        for waiter_side in BOTH {
            let holder = direct("setlock")
                .args(["lock", "sh", "-c", "echo locked; exec cat"])
                .cwd(dir.path())
                .start(holder_side);
            assert_eq!(holder.stdout_line(0), "locked");
            let waiter = direct("setlock")
                .args(["lock", "echo", "got it"])
                .cwd(dir.path())
                .start(waiter_side);
            let pid = format!(" {} ", waiter.pid());
            // /proc/locks marks a process blocked on a lock with `->`.
            waiter.wait_for("the waiter to block on the lock", || {
                fs::read_to_string("/proc/locks")
                    .map(|locks| locks.lines().any(|l| l.contains("->") && l.contains(&pid)))
                    .unwrap_or(false)
            });
            assert!(!waiter.group.has_exited());
            assert_eq!(holder.finish().text(), "exit 0\nstdout: locked\\n\n");
            assert_eq!(waiter.finish().text(), "exit 0\nstdout: got it\\n\n");
        }
    }
}

// ---------------------------------------------------------------------------
// pgrphack

//= spec/tools.md#pgrphack-2
#[test]
fn pgrphack_starts_a_new_session() {
    let leader = [
        "sh",
        "-c",
        "read pid comm state ppid pgrp session rest < /proc/$$/stat; \
         [ $pid = $pgrp ] && [ $pid = $session ] && echo leader",
    ];
    // In its parent's process group, setsid works.
    let ran = direct("pgrphack").args(leader).in_shell_group().same();
    assert_eq!(ran.text(), "exit 0\nstdout: leader\\n\n");
    // Already leading a process group (as the harness starts programs),
    // setsid fails; the failure is ignored and the program runs anyway.
    let pair = Scenario::new("pgrphack").args(leader).run_both();
    pair.assert_same();
    assert_eq!(short(&pair.ours), "exit 1\n");
}

// ---------------------------------------------------------------------------
// fghack

//= spec/tools.md#fghack-2
//= spec/tools.md#fghack-3
#[test]
fn fghack_exit_codes() {
    insta::assert_snapshot!(transcript(
        "fghack",
        &[
            &["sh", "-c", "exit 7"],
            &["sh", "-c", "kill -9 $$"],
            &["sh", "-c", "echo hi &"],
            &["nosuch-dt-program"],
        ],
    ));
}

//= spec/tools.md#fghack-2
#[test]
fn fghack_the_program_holds_the_pipe_31_times() {
    let count = |program: &str| -> usize {
        let pair = Scenario::new(program)
            .args(["ls", "/proc/self/fd"])
            .run_both();
        pair.assert_same();
        pair.ours
            .stdout
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count()
    };
    assert_eq!(count("fghack"), count("pgrphack") + 31);
}

//= spec/tools.md#fghack-3
#[test]
fn fghack_waits_for_background_children() {
    // The shell prints its pid and exits; its background child keeps the
    // pipe until it reads a line. Until then fghack leaves the shell
    // unreaped: a zombie.
    let zombie = Condition::new("the shell is a zombie", |o| {
        let pid = String::from_utf8_lossy(o.stdout);
        let Some(pid) = pid.lines().next() else {
            return false;
        };
        fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                let state = stat.rsplit(')').next()?.split_whitespace().next()?;
                Some(state == "Z")
            })
            .unwrap_or(false)
    });
    let shell_pid = Normaliser::new("the shell's pid", |bytes, _| {
        match bytes.iter().position(|&b| b == b'\n') {
            Some(end) => [&b"<shell>"[..], &bytes[end..]].concat(),
            None => bytes.to_vec(),
        }
    });
    let text = same(
        Scenario::new("fghack")
            .args([
                "sh",
                "-c",
                "exec 3<&0; (read x <&3; echo late) & echo $$; exit 3",
            ])
            .wait_for(zombie)
            .stdin(b"go\n")
            .normalise(shell_pid),
    );
    insta::assert_snapshot!(text);
}
