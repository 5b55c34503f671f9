//! svscan, readproctitle and svscanboot, ours against Debian's 0.76.
//!
//! Each svscan test builds the same tree of services for both sides, runs
//! that side's svscan (with the side's programs first in `PATH`, so that it
//! starts the side's supervise, multilog and tools) in its own process
//! group, drives it, and writes down what a user sees: the processes of the
//! group (as `ps` would list them, with their working directories), svstat's
//! lines, the files the services and loggers wrote, svscan's messages. The
//! two transcripts must be equal, and each side is also checked against the
//! spec as it goes.
//!
//! Nothing sleeps to synchronise. svscan rescans every five seconds; a test
//! that must know a whole scan has happened since some change (to say that
//! something was *not* started) waits for a dangling symlink's warning,
//! which every scan prints once, to appear twice more (see
//! [`Lab::full_scan`]).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use dt_tests::fixture::TempDir;
use dt_tests::normalise::{apply_all, Context};
use dt_tests::process::{Collector, Group};
use dt_tests::{wait, Normaliser, Scenario, Side, Signal, Status};
use nix::sys::signal::kill;
use nix::unistd::Pid;

/// The warning every scan prints for `sv/dangling`, a symlink to nothing.
const BARRIER: &str = "svscan: warning: unable to stat dangling: file does not exist";

/// A service that starts and then waits.
const SLEEPER: &str = "#!/bin/sh\nexec sleep 100000\n";

// ---------------------------------------------------------------------------
// Processes

/// One live process of a test's process group.
#[derive(Clone, Debug)]
struct Proc {
    pid: i32,
    /// Its arguments, as `ps` shows them.
    argv: Vec<String>,
    /// Its working directory.
    cwd: PathBuf,
}

/// The live (not zombie) processes whose process group is `pgid`.
fn group_processes(pgid: u32) -> Vec<Proc> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...: comm may hold anything but ')'.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let fields: Vec<&str> = after.split_whitespace().collect();
        if fields.get(2) != Some(&pgid.to_string().as_str()) || fields.first() == Some(&"Z") {
            continue;
        }
        let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = cmdline.strip_suffix(&[0]).unwrap_or(&cmdline);
        let argv = cmdline
            .split(|&b| b == 0)
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect();
        let cwd = fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
        found.push(Proc { pid, argv, cwd });
    }
    found
}

/// What `/proc/<pid>/fd/<fd>` points to (`pipe:[N]`, a path...).
fn descriptor(pid: i32, fd: u32) -> String {
    fs::read_link(format!("/proc/{pid}/fd/{fd}"))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// How many of `pid`'s descriptors point to `target`.
fn descriptors_to(pid: i32, target: &str) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| fs::read_link(e.path()).is_ok_and(|p| p.to_string_lossy() == target))
                .count()
        })
        .unwrap_or(0)
}

fn kill9(pid: i32) {
    kill(Pid::from_raw(pid), Signal::SIGKILL).expect("kill -9");
}

// ---------------------------------------------------------------------------
// Service trees

/// Make `dir` (and its parents) a service whose `run` is `script`.
fn service(dir: &Path, script: &str) {
    fs::create_dir_all(dir).expect("mkdir service");
    let run = dir.join("run");
    fs::write(&run, script).expect("write run");
    fs::set_permissions(&run, fs::Permissions::from_mode(0o755)).expect("chmod run");
}

/// The pid in `<dir>/supervise/status`, if the file is there and says
/// the service runs.
fn status_pid(dir: &Path) -> Option<i32> {
    let bytes = fs::read(dir.join("supervise/status")).ok()?;
    let pid = bytes.get(12..16)?;
    let pid = i32::from_le_bytes(pid.try_into().ok()?);
    (pid != 0).then_some(pid)
}

/// `PATH` for a side: its programs first, then the system's.
fn search_path(side: Side) -> OsString {
    let mut path = side.bin_dir().into_os_string();
    path.push(":/usr/local/bin:/usr/bin:/bin");
    path
}

/// What a one-shot tool printed and how it exited.
fn tool(side: Side, dir: &Path, program: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(side.program(program))
        .args(args)
        .current_dir(dir)
        .env("PATH", search_path(side))
        .stdin(Stdio::null())
        .output()
        .expect("run a tool");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

// ---------------------------------------------------------------------------
// One side's svscan

/// svscan from one side, running in `root` (on `sv` unless told otherwise)
/// in its own process group, and the transcript of what was seen.
struct Lab {
    side: Side,
    root: TempDir,
    group: Group,
    stdout: Collector,
    stderr: Collector,
    notes: Vec<String>,
}

impl Lab {
    /// Start `side`'s svscan in `root/cwd` with `args`.
    fn start(side: Side, root: TempDir, cwd: &str, args: &[&str]) -> Lab {
        Lab::start_with_path(side, root, cwd, args, search_path(side))
    }

    /// [`Lab::start`] with this `PATH`.
    fn start_with_path(side: Side, root: TempDir, cwd: &str, args: &[&str], path: OsString) -> Lab {
        let mut command = Command::new(side.program("svscan"));
        command
            .arg0("svscan")
            .args(args)
            .current_dir(root.path().join(cwd))
            .env_clear()
            .env("PATH", path);
        Lab::spawn(side, root, command)
    }

    /// svscan on `sv` through a shell that first runs `limits` (`ulimit`
    /// commands), as `user` (through the side's setuidgid) when given.
    fn start_restricted(side: Side, root: TempDir, limits: &str, user: Option<&str>) -> Lab {
        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg(format!("{limits} && exec \"$@\""))
            .arg("sh");
        if let Some(user) = user {
            command.arg(side.program("setuidgid")).arg(user);
        }
        command
            .arg(side.program("svscan"))
            .arg("sv")
            .current_dir(root.path())
            .env_clear()
            .env("PATH", search_path(side));
        Lab::spawn(side, root, command)
    }

    fn spawn(side: Side, root: TempDir, mut command: Command) -> Lab {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut group = Group::spawn(&mut command).expect("start svscan");
        let (_, stdout, stderr) = group.take_pipes();
        Lab {
            side,
            root,
            group,
            stdout: Collector::start(stdout),
            stderr: Collector::start(stderr),
            notes: Vec::new(),
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    fn note(&mut self, line: impl Into<String>) {
        self.notes.push(line.into());
    }

    fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents()).into_owned()
    }

    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout.contents()).into_owned()
    }

    /// The group's processes as `ps` lines: working directory relative to
    /// the tree's root, then the arguments; sorted.
    fn view(&self) -> Vec<String> {
        let root = self.root.path();
        let mut lines: Vec<String> = group_processes(self.group.pid())
            .into_iter()
            .map(|p| {
                let cwd = p.cwd.strip_prefix(root).map_or_else(
                    |_| p.cwd.display().to_string(),
                    |rel| format!("./{}", rel.display()),
                );
                format!("{cwd}: {}", p.argv.join(" "))
            })
            .collect();
        lines.sort();
        lines
    }

    /// The process running `argv` (joined by spaces) in `cwd` (relative to
    /// the root), if there is exactly one.
    fn find(&self, cwd: &str, argv: &str) -> Option<i32> {
        let want = self.path(cwd);
        let found: Vec<Proc> = group_processes(self.group.pid())
            .into_iter()
            .filter(|p| p.cwd == want && p.argv.join(" ") == argv)
            .collect();
        match found.as_slice() {
            [one] => Some(one.pid),
            _ => None,
        }
    }

    /// Wait until the process list, without the lines `skip` accepts, is
    /// exactly `expected` (in any order); note it.
    fn await_view(&mut self, expected: &[&str], skip: impl Fn(&str) -> bool) {
        let mut want: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        want.sort();
        let mut last = Vec::new();
        let seen = wait::until(Instant::now() + wait::GENEROUS, || {
            last = self.view();
            last.retain(|line| !skip(line));
            (last == want).then_some(())
        });
        if seen.is_none() {
            panic!(
                "{}: the processes never became\n{want:#?}\nlast seen:\n{last:#?}\nsvscan's stderr:\n{}",
                self.side.name(),
                self.stderr_text()
            );
        }
        self.note(format!("processes: {}", want.join(" | ")));
    }

    /// Wait until `relative`'s status file shows a running service; its pid.
    fn await_running(&self, relative: &str) -> i32 {
        let dir = self.path(relative);
        wait::until_or_panic(&format!("{relative} to run ({})", self.side.name()), || {
            status_pid(&dir)
        })
    }

    /// Wait until `relative`'s status file shows a running service other
    /// than `old`; its pid.
    fn await_new_pid(&self, relative: &str, old: i32) -> i32 {
        let dir = self.path(relative);
        wait::until_or_panic(
            &format!("{relative} to run again ({})", self.side.name()),
            || status_pid(&dir).filter(|pid| *pid != old),
        )
    }

    /// Wait until `relative` holds exactly `lines` lines; its text.
    fn await_lines(&self, relative: &str, lines: usize) -> String {
        let path = self.path(relative);
        wait::until_or_panic(
            &format!("{lines} lines in {relative} ({})", self.side.name()),
            || {
                let text = fs::read_to_string(&path).ok()?;
                (text.lines().count() >= lines).then_some(text)
            },
        )
    }

    fn barrier_count(&self) -> usize {
        self.stderr_text()
            .lines()
            .filter(|line| *line == BARRIER)
            .count()
    }

    /// Wait until a whole scan has run since this call: the dangling
    /// symlink's warning, printed once per scan, appears twice more (the
    /// first may belong to a scan already under way).
    fn full_scan(&self) {
        let before = self.barrier_count();
        wait::until_or_panic(&format!("two more scans ({})", self.side.name()), || {
            (self.barrier_count() >= before + 2).then_some(())
        });
    }

    /// svstat's lines for `services` (relative to the root), pids and
    /// seconds normalised; noted.
    fn svstat(&mut self, services: &[&str]) {
        let (code, out, err) = tool(self.side, self.root.path(), "svstat", services);
        let context = Context {
            dir: self.root.path(),
            pid: i32::MAX as u32,
        };
        let normalisers = [Normaliser::pids(), Normaliser::svstat_seconds()];
        let out = apply_all(&normalisers, out.as_bytes(), &context);
        self.note(format!(
            "svstat -> {code:?} {:?} {err:?}",
            String::from_utf8_lossy(&out)
        ));
    }

    /// svscan's messages: distinct lines but the barrier's, sorted (several
    /// processes write them, so their order is not fixed).
    fn messages(&self) -> BTreeSet<String> {
        self.stderr_text()
            .lines()
            .filter(|line| *line != BARRIER)
            .map(str::to_owned)
            .collect()
    }
}

/// Run `scenario` for both sides at once (svscan's scans make each one
/// slow); both transcripts.
fn both(scenario: impl Fn(Side) -> Vec<String> + Sync) -> (Vec<String>, Vec<String>) {
    std::thread::scope(|scope| {
        let reference = scope.spawn(|| scenario(Side::Reference));
        let ours = scope.spawn(|| scenario(Side::Ours));
        let join = |handle: std::thread::ScopedJoinHandle<'_, Vec<String>>| match handle.join() {
            Ok(notes) => notes,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        (join(reference), join(ours))
    })
}

fn assert_same_transcripts(scenario: impl Fn(Side) -> Vec<String> + Sync) -> Vec<String> {
    let (reference, ours) = both(scenario);
    println!("transcript:\n{}", ours.join("\n"));
    assert_eq!(reference, ours, "0.76's transcript, then ours");
    ours
}

// ---------------------------------------------------------------------------
// SCAN-1: invocation

//= spec/svscan.md#scan-1
#[test]
fn a_directory_it_cannot_enter_is_fatal_with_0_76s_message() {
    for (arg, message) in [
        (
            "nonexistent",
            "svscan: fatal: unable to chdir to nonexistent: file does not exist\n",
        ),
        (
            "file",
            "svscan: fatal: unable to chdir to file: not a directory\n",
        ),
    ] {
        let pair = Scenario::new("svscan")
            .file("file", b"", 0o644)
            .arg(arg)
            .arg("extra")
            .stdin_null()
            .run_both();
        pair.assert_same();
        for outcome in pair.sides() {
            assert_eq!(outcome.status, Status::Exited(111), "{:?}", outcome.side);
            assert_eq!(outcome.stderr, message.as_bytes(), "{:?}", outcome.side);
            assert!(outcome.stdout.is_empty());
        }
    }
}

/// svscan run in `sv` without arguments, or on `sv` with extra arguments.
fn invocation(side: Side, with_argument: bool) -> Vec<String> {
    let root = TempDir::new("scan-args");
    service(&root.path().join("sv/a"), SLEEPER);
    let mut lab = if with_argument {
        Lab::start(side, root, ".", &["sv", "extra", "arguments"])
    } else {
        Lab::start(side, root, "sv", &[])
    };
    lab.await_running("sv/a");
    let svscan = if with_argument {
        "./sv: svscan sv extra arguments"
    } else {
        "./sv: svscan"
    };
    lab.await_view(
        &[svscan, "./sv/a: supervise a", "./sv/a: sleep 100000"],
        |_| false,
    );
    lab.svstat(&["sv/a"]);
    // TERM kills svscan (it handles no signal) and leaves supervise running.
    lab.group.signal(Signal::SIGTERM).expect("TERM svscan");
    wait::until_or_panic("svscan to die", || lab.group.has_exited().then_some(()));
    lab.await_view(&["./sv/a: supervise a", "./sv/a: sleep 100000"], |_| false);
    let status = lab.group.reap().expect("reap svscan");
    lab.note(format!("svscan ended by {:?}", status.signal_or_code()));
    lab.note(format!("stdout {:?}", lab.stdout_text()));
    lab.note(format!("stderr {:?}", lab.stderr_text()));
    lab.notes
}

trait SignalOrCode {
    fn signal_or_code(&self) -> (Option<i32>, Option<i32>);
}

impl SignalOrCode for std::process::ExitStatus {
    fn signal_or_code(&self) -> (Option<i32>, Option<i32>) {
        use std::os::unix::process::ExitStatusExt;
        (self.signal(), self.code())
    }
}

//= spec/svscan.md#scan-1
#[test]
fn it_scans_the_current_directory_or_its_argument_and_a_term_leaves_supervise_running() {
    for with_argument in [false, true] {
        let notes = assert_same_transcripts(|side| invocation(side, with_argument));
        assert!(
            notes.contains(&format!("svscan ended by {:?}", (Some(15), None::<i32>))),
            "{notes:#?}"
        );
        assert!(notes.contains(&"stdout \"\"".to_owned()), "{notes:#?}");
        assert!(notes.contains(&"stderr \"\"".to_owned()), "{notes:#?}");
    }
}

// ---------------------------------------------------------------------------
// SCAN-3, SCAN-6, SCAN-7: a tree of services

/// Services with and without `log/`, a `log` that is a file, a
/// dot-directory, a symlink to a directory elsewhere, a regular file, a
/// FIFO and a dangling symlink.
fn tree(side: Side) -> Vec<String> {
    let root = TempDir::new("scan-tree");
    let sv = root.path().join("sv");
    service(
        &sv.join("plain"),
        "#!/bin/sh\necho plain out 1\necho plain out 2\necho plain err >&2\nexec sleep 100000\n",
    );
    service(
        &sv.join("logged"),
        "#!/bin/sh\necho logged out 1\necho logged out 2\necho logged err >&2\nexec sleep 100000\n",
    );
    service(&sv.join("logged/log"), "#!/bin/sh\nexec multilog ./main\n");
    service(
        &sv.join("filelog"),
        "#!/bin/sh\necho filelog out\nexec sleep 100000\n",
    );
    fs::write(sv.join("filelog/log"), b"not a directory\n").expect("write filelog/log");
    service(
        &sv.join(".hidden"),
        "#!/bin/sh\necho ran > ../../hidden-ran\nexec sleep 100000\n",
    );
    service(&root.path().join("elsewhere"), SLEEPER);
    symlink("../elsewhere", sv.join("ext")).expect("symlink ext");
    symlink("nowhere", sv.join("dangling")).expect("symlink dangling");
    fs::write(sv.join("notes"), b"a regular file\n").expect("write notes");
    nix::unistd::mkfifo(
        &sv.join("fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .expect("mkfifo");

    let mut lab = Lab::start(side, root, ".", &["sv"]);
    for service in [
        "sv/plain",
        "sv/logged",
        "sv/logged/log",
        "sv/ext",
        "sv/filelog",
    ] {
        lab.await_running(service);
    }
    let failing_log = "supervise: fatal: unable to chdir to log: not a directory";
    wait::until_or_panic("supervise log to fail in filelog", || {
        lab.stderr_text().contains(failing_log).then_some(())
    });
    lab.full_scan();
    // filelog's `supervise log` fails and is retried every scan: it may be
    // caught on its way (before or after svscan's fork execs it).
    // 0.76's multilog stays in the last log directory it opened, ours in
    // the one it was started in: its line is left out.
    let transient = |line: &str| {
        (line.starts_with("./sv/filelog: ")
            && !line.ends_with("sleep 100000")
            && line != "./sv/filelog: supervise filelog")
            || line.ends_with(": multilog ./main")
    };
    lab.await_view(
        &[
            "./sv: svscan sv",
            "./sv/plain: supervise plain",
            "./sv/plain: sleep 100000",
            "./sv/logged: supervise logged",
            "./sv/logged: sleep 100000",
            "./sv/logged/log: supervise log",
            "./elsewhere: supervise ext",
            "./elsewhere: sleep 100000",
            "./sv/filelog: supervise filelog",
            "./sv/filelog: sleep 100000",
        ],
        transient,
    );
    lab.note(format!("hidden ran: {}", lab.path("hidden-ran").exists()));
    lab.svstat(&[
        "sv/plain",
        "sv/logged",
        "sv/logged/log",
        "sv/ext",
        "sv/filelog",
    ]);

    // The unlogged service's stdout is svscan's; the logged one's reaches
    // its logger; both stderrs are svscan's.
    let main = lab.await_lines("sv/logged/log/main/current", 2);
    lab.note(format!("logged/log/main/current {main:?}"));
    lab.note(format!("svscan stdout {:?}", lab.stdout_text()));
    let messages = lab.messages();
    lab.note(format!("svscan messages {messages:?}"));

    // The pipe between logged and its logger: the service's stdout, the
    // logger's stdin, and both ends held by svscan.
    let service = status_pid(&lab.path("sv/logged")).expect("logged runs");
    let logger = status_pid(&lab.path("sv/logged/log")).expect("logger runs");
    let pipe = descriptor(service, 1);
    let svscan = lab.group.pid() as i32;
    lab.note(format!(
        "logged's stdout is a pipe: {}, the logger's stdin: {}, svscan's descriptors to it: {}",
        pipe.starts_with("pipe:"),
        descriptor(logger, 0) == pipe,
        descriptors_to(svscan, &pipe)
    ));
    // filelog is logged too: its stdout is a pipe svscan holds.
    let filelog = status_pid(&lab.path("sv/filelog")).expect("filelog runs");
    let pipe = descriptor(filelog, 1);
    lab.note(format!(
        "filelog's stdout is a pipe: {}, svscan's descriptors to it: {}",
        pipe.starts_with("pipe:"),
        descriptors_to(svscan, &pipe)
    ));
    lab.notes
}

//= spec/svscan.md#scan-3
//= spec/svscan.md#scan-6
//= spec/svscan.md#scan-7
#[test]
fn a_tree_of_services_runs_as_under_0_76() {
    let notes = assert_same_transcripts(tree);
    let has = |line: &str| assert!(notes.iter().any(|l| l == line), "no {line:?} in {notes:#?}");
    has("hidden ran: false");
    has(r#"logged/log/main/current "logged out 1\nlogged out 2\n""#);
    has(r#"svscan stdout "plain out 1\nplain out 2\n""#);
    has("svscan messages {\"logged err\", \"plain err\", \"supervise: fatal: unable to chdir to log: not a directory\"}");
    has("logged's stdout is a pipe: true, the logger's stdin: true, svscan's descriptors to it: 2");
    has("filelog's stdout is a pipe: true, svscan's descriptors to it: 2");
}

// ---------------------------------------------------------------------------
// SCAN-6, SCAN-7: the log pipe outlives every process on it

/// Each start writes the next 100 numbered lines, then records how far it
/// got and waits.
const COUNTING_RUN: &str = "#!/bin/sh
n=$(cat count 2>/dev/null || echo 0)
end=$((n + 100))
while [ \"$n\" -lt \"$end\" ]; do n=$((n + 1)); echo \"line $n\"; done
echo \"$end\" > count.new && mv count.new count
exec sleep 100000
";

fn restarts(side: Side) -> Vec<String> {
    let root = TempDir::new("scan-pipe");
    let s = root.path().join("sv/s");
    service(&s, COUNTING_RUN);
    service(&s.join("log"), "#!/bin/sh\nexec cat >> ../out\n");
    symlink("nowhere", root.path().join("sv/dangling")).expect("symlink dangling");
    let mut lab = Lab::start(side, root, ".", &["sv"]);
    let count = lab.path("sv/s/count");
    let written = |lines: usize| {
        wait::until_or_panic(&format!("the service to write {lines} lines"), || {
            (fs::read_to_string(&count).ok()?.trim() == lines.to_string()).then_some(())
        });
    };

    written(100);
    lab.await_lines("sv/s/out", 100);

    // The logger dies: its supervise starts another on the same pipe.
    let logger = lab.await_running("sv/s/log");
    kill9(logger);
    // The service dies: its supervise starts it again.
    let service = lab.await_running("sv/s");
    kill9(service);
    written(200);
    lab.await_lines("sv/s/out", 200);

    // The logger and its supervise die: svscan starts another supervise at
    // its next scan. Meanwhile the service restarts and writes into the
    // pipe, which svscan keeps open.
    let logger = lab.await_new_pid("sv/s/log", logger);
    let log_supervise = lab
        .find("sv/s/log", "supervise log")
        .expect("one supervise log");
    kill9(log_supervise);
    kill9(logger);
    kill9(lab.await_new_pid("sv/s", service));
    written(300);
    lab.await_lines("sv/s/out", 300);

    // The service's supervise dies (the service lives on): svscan starts
    // another, which starts the service again.
    let supervise = lab.find("sv/s", "supervise s").expect("one supervise s");
    kill9(supervise);
    written(400);
    let out = lab.await_lines("sv/s/out", 400);
    let expected: String = (1..=400).map(|n| format!("line {n}\n")).collect();
    assert_eq!(out, expected, "{}: every line once, in order", side.name());
    lab.note(format!(
        "out: {} lines, each once, in order",
        out.lines().count()
    ));
    lab.await_view(
        &[
            "./sv: svscan sv",
            "./sv/s: supervise s",
            "./sv/s: sleep 100000",
            "./sv/s: sleep 100000",
            "./sv/s/log: supervise log",
            "./sv/s/log: cat",
        ],
        |_| false,
    );
    lab.note(format!("messages {:?}", lab.messages()));
    lab.notes
}

//= spec/svscan.md#scan-6
//= spec/svscan.md#scan-7
#[test]
fn no_line_is_lost_or_repeated_when_a_service_its_logger_or_their_supervise_die() {
    assert_same_transcripts(restarts);
}

// ---------------------------------------------------------------------------
// SCAN-2, SCAN-4, SCAN-8: services come and go

/// Make a service in `root/staging` and move it into place, so that svscan
/// never sees it half made.
fn add_service(lab: &Lab, name: &str, log: bool) -> PathBuf {
    let staging = lab.path("staging");
    let _ = fs::remove_dir_all(&staging);
    service(&staging, SLEEPER);
    if log {
        service(&staging.join("log"), "#!/bin/sh\nexec cat >> ../out\n");
    }
    let target = lab.path(name);
    fs::rename(&staging, &target).expect("move the service in");
    target
}

fn comings_and_goings(side: Side) -> Vec<String> {
    let root = TempDir::new("scan-change");
    service(&root.path().join("sv/a"), SLEEPER);
    service(&root.path().join("sv/c"), SLEEPER);
    symlink("nowhere", root.path().join("sv/dangling")).expect("symlink dangling");
    let mut lab = Lab::start(side, root, ".", &["sv"]);
    lab.await_running("sv/a");
    lab.await_running("sv/c");

    // A new directory: started at a later scan.
    add_service(&lab, "sv/b", false);
    lab.await_running("sv/b");
    lab.await_view(
        &[
            "./sv: svscan sv",
            "./sv/a: supervise a",
            "./sv/a: sleep 100000",
            "./sv/b: supervise b",
            "./sv/b: sleep 100000",
            "./sv/c: supervise c",
            "./sv/c: sleep 100000",
        ],
        |_| false,
    );

    // A renamed directory is the same service, and so is a second name
    // for it; a log added to a running service is not looked at.
    let b_supervise = lab.find("sv/b", "supervise b").expect("supervise b");
    fs::rename(lab.path("sv/b"), lab.path("sv/b2")).expect("rename b");
    symlink("b2", lab.path("sv/alias")).expect("symlink alias");
    service(&lab.path("sv/c/log"), "#!/bin/sh\nexec cat >> ../out\n");
    // A directory moved away keeps its supervise; a new one under its
    // name is a new service.
    let a_supervise = lab.find("sv/a", "supervise a").expect("supervise a");
    let a_service = lab.await_running("sv/a");
    fs::rename(lab.path("sv/a"), lab.path("moved-a")).expect("move a away");
    add_service(&lab, "sv/a", false);
    lab.await_running("sv/a");
    lab.full_scan();
    lab.await_view(
        &[
            "./sv: svscan sv",
            "./moved-a: supervise a",
            "./moved-a: sleep 100000",
            "./sv/a: supervise a",
            "./sv/a: sleep 100000",
            "./sv/b2: supervise b",
            "./sv/b2: sleep 100000",
            "./sv/c: supervise c",
            "./sv/c: sleep 100000",
        ],
        |_| false,
    );
    assert_eq!(lab.find("moved-a", "supervise a"), Some(a_supervise));
    assert_eq!(status_pid(&lab.path("moved-a")), Some(a_service));
    assert_eq!(lab.find("sv/b2", "supervise b"), Some(b_supervise));
    lab.svstat(&["moved-a", "sv/a", "sv/b2", "sv/alias", "sv/c", "sv/c/log"]);

    // A supervise that dies is started again at a later scan, under the
    // name met in that scan (the alias goes first: which of two names a
    // scan meets first depends on the directory's order).
    fs::remove_file(lab.path("sv/alias")).expect("remove alias");
    kill9(b_supervise);
    wait::until_or_panic("supervise b2", || lab.find("sv/b2", "supervise b2"));

    // c leaves the tree and its supervise exits: it is forgotten, so when
    // it comes back it is a new service and its log is looked at.
    fs::rename(lab.path("sv/c"), lab.path("away-c")).expect("move c away");
    let (code, out, err) = tool(side, lab.root.path(), "svc", &["-dx", "away-c"]);
    lab.note(format!("svc -dx away-c -> {code:?} {out:?} {err:?}"));
    wait::until_or_panic("supervise c to exit", || {
        lab.find("away-c", "supervise c").is_none().then_some(())
    });
    lab.full_scan();
    fs::rename(lab.path("away-c"), lab.path("sv/c")).expect("move c back");
    lab.await_running("sv/c/log");
    lab.await_view(
        &[
            "./sv: svscan sv",
            "./moved-a: supervise a",
            "./moved-a: sleep 100000",
            "./sv/a: supervise a",
            "./sv/a: sleep 100000",
            "./sv/b2: supervise b2",
            "./sv/b2: sleep 100000",
            "./sv/b2: sleep 100000",
            "./sv/c: supervise c",
            "./sv/c: sleep 100000",
            "./sv/c/log: supervise log",
            "./sv/c/log: cat",
        ],
        |_| false,
    );
    lab.note(format!("messages {:?}", lab.messages()));
    lab.notes
}

//= spec/svscan.md#scan-2
//= spec/svscan.md#scan-4
//= spec/svscan.md#scan-6
//= spec/svscan.md#scan-8
#[test]
fn new_renamed_moved_and_returning_services_are_handled_as_by_0_76() {
    assert_same_transcripts(comings_and_goings);
}

// ---------------------------------------------------------------------------
// SCAN-3, SCAN-6, SCAN-7: what cannot be stat'ed or started

/// A name that loops, a `log` that loops (the service is not recorded), a
/// dangling `log` (no log), all warned about again at every scan.
fn unstattable(side: Side) -> Vec<String> {
    let root = TempDir::new("scan-stat");
    let sv = root.path().join("sv");
    service(&sv.join("looplog"), SLEEPER);
    symlink("log", sv.join("looplog/log")).expect("symlink looplog/log");
    service(&sv.join("danglinglog"), SLEEPER);
    symlink("nowhere", sv.join("danglinglog/log")).expect("symlink danglinglog/log");
    symlink("selfloop", sv.join("selfloop")).expect("symlink selfloop");
    symlink("nowhere", sv.join("dangling")).expect("symlink dangling");
    let mut lab = Lab::start(side, root, ".", &["sv"]);
    lab.await_running("sv/danglinglog");
    lab.full_scan();
    lab.await_view(
        &[
            "./sv: svscan sv",
            "./sv/danglinglog: supervise danglinglog",
            "./sv/danglinglog: sleep 100000",
        ],
        |_| false,
    );
    let pid = status_pid(&lab.path("sv/danglinglog")).expect("danglinglog runs");
    lab.note(format!(
        "danglinglog's stdout is svscan's: {}",
        descriptor(pid, 1) == descriptor(lab.group.pid() as i32, 1)
    ));
    lab.svstat(&["sv/looplog", "sv/danglinglog"]);
    lab.note(format!("messages {:?}", lab.messages()));
    let text = lab.stderr_text();
    let count = |line: &str| text.lines().filter(|l| *l == line).count();
    let scans = count(BARRIER);
    for line in lab.messages() {
        // Retried at every scan: as often as the barrier, give or take the
        // scan under way.
        assert!(
            count(&line).abs_diff(scans) <= 1,
            "{}: {line:?} {} times in {scans} scans",
            side.name(),
            count(&line)
        );
    }
    lab.notes
}

//= spec/svscan.md#scan-3
//= spec/svscan.md#scan-6
#[test]
fn names_and_logs_that_cannot_be_stat_ed_are_warned_about_at_every_scan() {
    let notes = assert_same_transcripts(unstattable);
    let messages =
        "messages {\"svscan: warning: unable to stat looplog/log: symbolic link loop\", \
                    \"svscan: warning: unable to stat selfloop: symbolic link loop\"}";
    assert!(notes.iter().any(|l| l == messages), "{notes:#?}");
}

/// svscan with a PATH in which there is no supervise.
fn no_supervise(side: Side) -> Vec<String> {
    let root = TempDir::new("scan-path");
    let sv = root.path().join("sv");
    service(&sv.join("a"), SLEEPER);
    service(&sv.join("b"), SLEEPER);
    service(&sv.join("b/log"), SLEEPER);
    symlink("nowhere", sv.join("dangling")).expect("symlink dangling");
    let empty = root.path().join("empty");
    fs::create_dir(&empty).expect("mkdir empty");
    let mut lab = Lab::start_with_path(side, root, ".", &["sv"], empty.into_os_string());
    lab.full_scan();
    lab.full_scan();
    lab.await_view(&["./sv: svscan sv"], |_| false);
    lab.svstat(&["sv/a", "sv/b", "sv/b/log"]);
    lab.note(format!("messages {:?}", lab.messages()));
    lab.note(format!("stdout {:?}", lab.stdout_text()));
    lab.notes
}

//= spec/svscan.md#scan-7
#[test]
fn a_supervise_that_cannot_be_run_is_warned_about_by_the_child_at_every_scan() {
    let notes = assert_same_transcripts(no_supervise);
    let messages =
        "messages {\"svscan: warning: unable to start supervise a: file does not exist\", \
                    \"svscan: warning: unable to start supervise b/log: file does not exist\", \
                    \"svscan: warning: unable to start supervise b: file does not exist\"}";
    assert!(notes.iter().any(|l| l == messages), "{notes:#?}");
}

// ---------------------------------------------------------------------------
// SCAN-5: a thousand services at most

fn too_many(side: Side) -> Vec<String> {
    let root = TempDir::new("scan-many");
    let sv = root.path().join("sv");
    for i in 0..1001 {
        let dir = sv.join(format!("s{i:04}"));
        service(&dir, SLEEPER);
        fs::write(dir.join("down"), b"").expect("write down");
    }
    let mut lab = Lab::start(side, root, ".", &["sv"]);
    let refused = wait::until_or_panic("the too-many warning", || {
        let text = lab.stderr_text();
        let (line, _) = text.split_once('\n')?;
        Some(line.to_owned())
    });
    let name = refused
        .strip_prefix("svscan: warning: unable to start ")
        .and_then(|rest| rest.strip_suffix(": running too many services"))
        .unwrap_or_else(|| panic!("{}: unexpected message {refused:?}", side.name()))
        .to_owned();
    // The refused one is retried (and refused) at every scan.
    wait::until_or_panic("the warning again", || {
        (lab.stderr_text().lines().count() >= 2).then_some(())
    });
    let count = wait::until_or_panic("a thousand supervise processes", || {
        let n = group_processes(lab.group.pid())
            .iter()
            .filter(|p| p.argv.first().map(String::as_str) == Some("supervise"))
            .count();
        (n == 1000).then_some(n)
    });
    lab.note(format!("supervise processes: {count}"));
    let text = lab.stderr_text().replace(&name, "<name>");
    let lines: BTreeSet<&str> = text.lines().collect();
    lab.note(format!("messages {lines:?}"));
    lab.note(format!(
        "the refused one has no supervise: {}",
        lab.find(&format!("sv/{name}"), &format!("supervise {name}"))
            .is_none()
    ));
    lab.notes
}

//= spec/svscan.md#scan-5
#[test]
fn a_thousand_and_first_service_is_refused_at_every_scan() {
    let notes = assert_same_transcripts(too_many);
    assert!(notes.contains(&"supervise processes: 1000".to_owned()));
}

// ---------------------------------------------------------------------------
// Failures of the system: no descriptors, no processes, no reading

/// Wait until svscan has printed `line` at least `times` times.
fn await_message(lab: &Lab, line: &str, times: usize) {
    wait::until_or_panic(
        &format!("{line:?} {times} times ({})", lab.side.name()),
        || {
            let text = lab.stderr_text();
            (text.lines().filter(|l| *l == line).count() >= times).then_some(())
        },
    );
}

/// How many supervise processes run in the lab's group.
fn supervise_count(lab: &Lab) -> usize {
    group_processes(lab.group.pid())
        .iter()
        .filter(|p| p.argv.first().map(String::as_str) == Some("supervise"))
        .count()
}

/// A logged service under a descriptor limit too low for its pipe.
fn no_descriptors(side: Side) -> Vec<String> {
    let root = TempDir::new("scan-nofile");
    let sv = root.path().join("sv");
    service(&sv.join("b"), SLEEPER);
    service(&sv.join("b/log"), SLEEPER);
    // Standard input, output and error leave one descriptor: no pipe.
    let lab = Lab::start_restricted(side, root, "ulimit -S -n 4", None);
    first_warning_twice(lab)
}

/// Wait until svscan's first warning has come at two scans; the messages
/// and how many supervise processes run.
fn first_warning_twice(mut lab: Lab) -> Vec<String> {
    let first = wait::until_or_panic("a warning", || {
        let text = lab.stderr_text();
        Some(text.split_once('\n')?.0.to_owned())
    });
    await_message(&lab, &first, 2);
    lab.note(format!("messages {:?}", lab.messages()));
    lab.note(format!("supervise processes: {}", supervise_count(&lab)));
    lab.notes
}

//= spec/svscan.md#scan-6
#[test]
fn a_pipe_that_cannot_be_made_is_warned_about_at_every_scan() {
    let notes = assert_same_transcripts(no_descriptors);
    assert!(
        notes
            .iter()
            .any(|l| l.starts_with("messages {\"svscan: warning: unable to create pipe for b: ")),
        "{notes:#?}"
    );
    assert!(notes.contains(&"supervise processes: 0".to_owned()));
}

/// Whether the tests that switch users can run; says so when not.
fn running_as_root(test: &str) -> bool {
    // /proc/self belongs to the process's effective user.
    let root =
        fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0);
    if !root {
        eprintln!("{test}: skipped: switching to another user needs root");
    }
    root
}

/// A logged service with one descriptor more than a pipe needs once
/// standard input, output and error are open (DEV-11).
fn one_descriptor_to_spare(side: Side) -> Vec<String> {
    let root = TempDir::new("scan-nofile5");
    let sv = root.path().join("sv");
    service(&sv.join("b"), SLEEPER);
    service(&sv.join("b/log"), SLEEPER);
    let mut lab = Lab::start_restricted(side, root, "ulimit -S -n 5", None);
    // 0.76 repeats its pipe warning at each scan; ours makes the pipe, and
    // the two supervise processes then fail for lack of descriptors.
    wait::until_or_panic(&format!("two messages ({})", side.name()), || {
        (lab.stderr_text().lines().count() >= 2).then_some(())
    });
    lab.note(format!("messages {:?}", lab.messages()));
    lab.notes
}

//= spec/deviations.md#dev-11
#[test]
fn with_a_descriptor_to_spare_ours_makes_the_pipe_where_0_76_cannot() {
    let (reference, ours) = both(one_descriptor_to_spare);
    let pipe = "svscan: warning: unable to create pipe for b: process cannot open more files";
    assert!(
        reference.iter().any(|l| l.contains(pipe)),
        "0.76: {reference:#?}"
    );
    assert!(!ours.iter().any(|l| l.contains(pipe)), "ours: {ours:#?}");
}

/// A service under a user that may not have another process.
fn no_processes(side: Side) -> Vec<String> {
    let root = TempDir::new("scan-nproc");
    service(&root.path().join("sv/a"), SLEEPER);
    // A user of its own (the unreadable-directory test runs as nobody at
    // the same time), so that svscan is its only process.
    let lab = Lab::start_restricted(side, root, "ulimit -S -p 1", Some("daemon"));
    first_warning_twice(lab)
}

//= spec/svscan.md#scan-7
#[test]
fn a_fork_that_fails_is_warned_about_at_every_scan() {
    if !running_as_root("a_fork_that_fails_is_warned_about_at_every_scan") {
        return;
    }
    // One side after the other: both as one user would count each
    // other's processes.
    let reference = no_processes(Side::Reference);
    let notes = no_processes(Side::Ours);
    assert_eq!(reference, notes, "0.76's transcript, then ours");
    assert!(
        notes
            .iter()
            .any(|l| l.starts_with("messages {\"svscan: warning: unable to fork for a: ")),
        "{notes:#?}"
    );
    assert!(notes.contains(&"supervise processes: 0".to_owned()));
}

/// A scan directory svscan may enter but not read.
fn unreadable(side: Side) -> Vec<String> {
    let root = TempDir::new("scan-unreadable");
    let sv = root.path().join("sv");
    service(&sv.join("a"), SLEEPER);
    fs::set_permissions(&sv, fs::Permissions::from_mode(0o311)).expect("chmod sv");
    let mut lab = Lab::start_restricted(side, root, "true", Some("nobody"));
    let line = "svscan: warning: unable to read directory: access denied";
    await_message(&lab, line, 2);
    lab.note(format!("messages {:?}", lab.messages()));
    lab.note(format!("supervise processes: {}", supervise_count(&lab)));
    // Let the TempDir clean up.
    fs::set_permissions(&sv, fs::Permissions::from_mode(0o755)).expect("chmod sv back");
    lab.notes
}

//= spec/svscan.md#scan-8
#[test]
fn a_directory_that_cannot_be_read_is_warned_about_at_every_scan() {
    if !running_as_root("a_directory_that_cannot_be_read_is_warned_about_at_every_scan") {
        return;
    }
    let notes = assert_same_transcripts(unreadable);
    assert!(notes.contains(&"supervise processes: 0".to_owned()));
}

// ---------------------------------------------------------------------------
// TITLE-1: readproctitle

//= spec/svscan.md#title-1
#[test]
fn readproctitle_exits_as_0_76_does() {
    let dots = ".".repeat(20);
    let cases: [(Vec<&str>, Scenario); 4] = [
        (vec![], Scenario::new("readproctitle").stdin(b"x\n")),
        (vec!["abcd"], Scenario::new("readproctitle").stdin(b"x\n")),
        (
            vec!["service", "errors:", &dots],
            Scenario::new("readproctitle").stdin(b"some error\n\0more\n"),
        ),
        (
            vec![&dots],
            Scenario::new("readproctitle")
                .dir("d", 0o755)
                .stdin_from("d"),
        ),
    ];
    let expected = [100, 100, 0, 111];
    for ((args, scenario), code) in cases.into_iter().zip(expected) {
        let pair = scenario.args(args).run_both();
        pair.assert_same();
        for outcome in pair.sides() {
            assert_eq!(outcome.status, Status::Exited(code), "{:?}", outcome.side);
            assert!(outcome.stdout.is_empty() && outcome.stderr.is_empty());
        }
    }
}

/// The arguments after argv[0] of `pid`, each as bytes.
fn arguments(pid: u32) -> Vec<Vec<u8>> {
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let cmdline = cmdline.strip_suffix(&[0]).unwrap_or(&cmdline);
    cmdline
        .split(|&b| b == 0)
        .skip(1)
        .map(<[u8]>::to_vec)
        .collect()
}

/// What readproctitle's last argument of `len` bytes shows after `input`.
fn title(len: usize, input: &[u8]) -> Vec<u8> {
    let mut shown = vec![b'.'; len];
    for &byte in input.iter().filter(|&&b| b != 0) {
        shown.remove(3);
        shown.push(byte);
    }
    shown
}

fn proctitle(side: Side) -> Vec<String> {
    let mut command = Command::new(side.program("readproctitle"));
    command
        .args(["service", "errors:", &".".repeat(20)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut group = Group::spawn(&mut command).expect("start readproctitle");
    let (stdin, stdout, stderr) = group.take_pipes();
    let (stdout, stderr) = (Collector::start(stdout), Collector::start(stderr));
    let mut stdin = stdin.expect("stdin");
    let mut notes = Vec::new();
    let mut fed = Vec::new();
    for chunk in [
        &b"ab"[..],
        b"cdefghijklmnopqrstuvwxyz\n",
        b"\0\0with NULs\0 and\ttabs\n",
    ] {
        stdin.write_all(chunk).expect("feed readproctitle");
        fed.extend_from_slice(chunk);
        let want = title(20, &fed);
        let mut last = Vec::new();
        let seen = wait::until(Instant::now() + wait::GENEROUS, || {
            last = arguments(group.pid());
            (last.last() == Some(&want)).then_some(())
        });
        assert!(
            seen.is_some(),
            "{}: after {fed:?} the title is {last:?}, not {want:?}",
            side.name()
        );
        notes.push(format!("after {fed:?}: {last:?}"));
    }
    drop(stdin);
    wait::until_or_panic("readproctitle to exit", || group.has_exited().then_some(()));
    let status = group.reap().expect("reap readproctitle");
    notes.push(format!(
        "exit {:?}, stdout {:?}, stderr {:?}",
        status.code(),
        stdout.contents(),
        stderr.contents()
    ));
    notes
}

//= spec/svscan.md#title-1
#[test]
fn readproctitle_shows_the_latest_input_in_its_last_argument() {
    let (reference, ours) = both(proctitle);
    assert_eq!(reference, ours);
    assert_eq!(
        ours.last().map(String::as_str),
        Some("exit Some(0), stdout [], stderr []")
    );
}

// ---------------------------------------------------------------------------
// BOOT-1: svscanboot (ours only)

/// 0.76's svscanboot is a script that hard-codes `/etc/service` and a PATH
/// without the reference's directory, so it cannot be run on a test
/// directory: ours alone is checked against the spec.
//= spec/svscan.md#boot-1
#[test]
fn svscanboot_stops_leftovers_and_runs_svscan_into_readproctitle() {
    let root = TempDir::new("boot");
    let sv = root.path().join("sv");
    service(
        &sv.join("a"),
        "#!/bin/sh\nenv > ../../env\nexec sleep 100000\n",
    );
    symlink("nowhere", sv.join("dangling")).expect("symlink dangling");

    // A supervise left over from an earlier boot, which svc -dx must stop.
    let mut leftover_command = Command::new(Side::Ours.program("supervise"));
    leftover_command
        .arg("a")
        .env_clear()
        .env("PATH", search_path(Side::Ours))
        .current_dir(&sv)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut leftover = Group::spawn(&mut leftover_command).expect("start a leftover supervise");
    wait::until_or_panic("the leftover service", || status_pid(&sv.join("a")));

    let mut command = Command::new(Side::Ours.program("svscanboot"));
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("SVSCANDIR", &sv)
        .env("MARKER", "not passed on")
        .current_dir(root.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut boot = Group::spawn(&mut command).expect("start svscanboot");
    let (_, stdout, stderr) = boot.take_pipes();
    let (stdout, stderr) = (Collector::start(stdout), Collector::start(stderr));

    // svc -dx stopped the leftover.
    wait::until_or_panic("the leftover supervise to exit", || {
        leftover.has_exited().then_some(())
    });
    assert_eq!(leftover.reap().expect("reap").code(), Some(0));

    // svscan's messages end up in readproctitle's title.
    let procs = || group_processes(boot.pid());
    let find = |procs: &[Proc], program: &str| -> Option<Proc> {
        procs
            .iter()
            .find(|p| p.argv.first().map(String::as_str) == Some(program))
            .cloned()
    };
    let (svscan, readproctitle) = wait::until_or_panic("svscan and readproctitle", || {
        let procs = procs();
        let svscan = find(&procs, "svscan")?;
        let title = find(&procs, "readproctitle")?;
        title
            .argv
            .last()
            .is_some_and(|t| t.ends_with(&format!("{BARRIER}\n")))
            .then_some((svscan, title))
    });
    assert_eq!(svscan.argv, ["svscan", &sv.display().to_string()]);
    assert_eq!(
        &readproctitle.argv[..3],
        ["readproctitle", "service", "errors:"]
    );
    let shown = &readproctitle.argv[3];
    assert_eq!(shown.len(), 400);
    assert!(shown.starts_with("..."), "{shown:?}");

    // svscan: environment PATH only; stdin /dev/null; stdout and stderr
    // the pipe readproctitle reads.
    let environ = fs::read(format!("/proc/{}/environ", svscan.pid)).expect("svscan's environ");
    let environ: Vec<&[u8]> = environ
        .split(|&b| b == 0)
        .filter(|v| !v.is_empty())
        .collect();
    let path = format!(
        "PATH=/command:{}:/usr/local/bin:/usr/local/sbin:/bin:/sbin:/usr/bin:/usr/sbin:/usr/X11R6/bin",
        Side::Ours.bin_dir().display()
    );
    assert_eq!(environ, [path.as_bytes()]);
    assert_eq!(descriptor(svscan.pid, 0), "/dev/null");
    let pipe = descriptor(svscan.pid, 1);
    assert!(pipe.starts_with("pipe:"), "{pipe}");
    assert_eq!(descriptor(svscan.pid, 2), pipe);
    assert_eq!(descriptor(readproctitle.pid, 0), pipe);
    // The script's shell stays as their parent, with /dev/null for all three.
    let shell = boot.pid() as i32;
    for fd in 0..3 {
        assert_eq!(descriptor(shell, fd), "/dev/null");
    }

    // The service started by the new svscan sees only PATH (and what sh
    // adds); the leftover one wrote its own environment first.
    let env = wait::until_or_panic("the service's environment", || {
        let env = fs::read_to_string(root.path().join("env")).ok()?;
        env.lines().any(|l| l == path).then_some(env)
    });
    assert!(!env.contains("MARKER"), "{env}");
    assert!(!env.contains("SVSCANDIR"), "{env}");
    assert!(stdout.contents().is_empty() && stderr.contents().is_empty());
}
