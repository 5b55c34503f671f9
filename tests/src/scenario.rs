//! A scenario: one program run, described once and run against both
//! implementations.
//!
//! ```no_run
//! use dt_tests::{Condition, Normaliser, Scenario};
//!
//! let pair = Scenario::new("tai64n")
//!     .stdin(b"one\n")
//!     .wait_for(Condition::stdout_lines(1))
//!     .stdin(b"two")
//!     .normalise(Normaliser::tai64n_labels())
//!     .run_both();
//! pair.assert_same();
//! ```

use std::ffi::{OsStr, OsString};
use std::fs::{File, OpenOptions};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant, SystemTime};

use nix::sys::signal::Signal;

use crate::binaries::Side;
use crate::compare::Pair;
use crate::fixture::{Entry, TempDir};
use crate::normalise::Normaliser;
use crate::outcome::{Outcome, Status};
use crate::process::{Collector, Feeder, Group};
use crate::step::{Condition, Observed, Step};
use crate::tree::Tree;
use crate::wait;

/// Where the program's stdin comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A pipe the scenario's [`Step::Write`]s go to (the default).
    Pipe,
    /// A file opened for reading: relative paths are in the scenario
    /// directory. A directory gives a read error.
    Path(PathBuf),
    /// `/dev/null`.
    Null,
}

/// Where the program's stdout goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// A pipe the harness collects (the default).
    Capture,
    /// A file opened for writing (created if missing): relative paths are in
    /// the scenario directory. `/dev/full` gives a write error.
    Path(PathBuf),
}

/// One program run, described independently of the implementation.
#[derive(Clone, Debug)]
pub struct Scenario {
    program: String,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    entries: Vec<Entry>,
    stdin: Input,
    stdout: Output,
    steps: Vec<Step>,
    timeout: Duration,
    normalisers: Vec<Normaliser>,
}

impl Scenario {
    /// Run `program` (a daemontools program name such as `tai64n`) with no
    /// arguments, an empty stdin, in an empty directory, with an environment
    /// holding only `PATH` (the side's bin directory, then `/usr/bin:/bin`).
    pub fn new(program: &str) -> Scenario {
        Scenario {
            program: program.to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            entries: Vec::new(),
            stdin: Input::Pipe,
            stdout: Output::Capture,
            steps: Vec::new(),
            timeout: wait::GENEROUS,
            normalisers: vec![Normaliser::temp_dir()],
        }
    }

    /// Add one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Scenario {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Add arguments.
    pub fn args<I, S>(mut self, args: I) -> Scenario
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Set an environment variable (e.g. `TZ`); `PATH` may be overridden.
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Scenario {
        self.env
            .push((name.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Create a regular file before the run.
    pub fn file(mut self, path: impl Into<PathBuf>, contents: &[u8], mode: u32) -> Scenario {
        self.entries.push(Entry::File {
            path: path.into(),
            contents: contents.to_vec(),
            mode,
        });
        self
    }

    /// Create a directory before the run.
    pub fn dir(mut self, path: impl Into<PathBuf>, mode: u32) -> Scenario {
        self.entries.push(Entry::Dir {
            path: path.into(),
            mode,
        });
        self
    }

    /// Create a symbolic link before the run.
    pub fn symlink(mut self, path: impl Into<PathBuf>, target: impl Into<PathBuf>) -> Scenario {
        self.entries.push(Entry::Symlink {
            path: path.into(),
            target: target.into(),
        });
        self
    }

    /// Write `bytes` to stdin (a step: it happens after the steps before it).
    pub fn stdin(mut self, bytes: &[u8]) -> Scenario {
        self.steps.push(Step::Write(bytes.to_vec()));
        self
    }

    /// Take stdin from a file instead of a pipe (relative to the scenario
    /// directory, or absolute).
    pub fn stdin_from(mut self, path: impl Into<PathBuf>) -> Scenario {
        self.stdin = Input::Path(path.into());
        self
    }

    /// Take stdin from `/dev/null`.
    pub fn stdin_null(mut self) -> Scenario {
        self.stdin = Input::Null;
        self
    }

    /// Send stdout to a file instead of collecting it (e.g. `/dev/full`).
    pub fn stdout_to(mut self, path: impl Into<PathBuf>) -> Scenario {
        self.stdout = Output::Path(path.into());
        self
    }

    /// Wait until `condition` holds (a step).
    pub fn wait_for(mut self, condition: Condition) -> Scenario {
        self.steps.push(Step::WaitFor(condition));
        self
    }

    /// Send `signal` to the program (a step).
    pub fn signal(mut self, signal: Signal) -> Scenario {
        self.steps.push(Step::Signal(signal));
        self
    }

    /// Close stdin now (a step; stdin is closed after the last step anyway).
    pub fn close_stdin(mut self) -> Scenario {
        self.steps.push(Step::CloseStdin);
        self
    }

    /// Kill the program if it has not ended this long after it started
    /// (default [`wait::GENEROUS`]); the outcome is then [`Status::TimedOut`].
    pub fn timeout(mut self, timeout: Duration) -> Scenario {
        self.timeout = timeout;
        self
    }

    /// Add a normaliser (the temp dir one is always there).
    pub fn normalise(mut self, normaliser: Normaliser) -> Scenario {
        self.normalisers.push(normaliser);
        self
    }

    /// The normalisers, in the order they apply.
    pub fn normalisers(&self) -> &[Normaliser] {
        &self.normalisers
    }

    /// Run against the reference, then against ours.
    pub fn run_both(&self) -> Pair {
        let reference = self.run(Side::Reference);
        let ours = self.run(Side::Ours);
        Pair::new(self.normalisers.clone(), reference, ours)
    }

    /// Run against one side. Panics only if the program cannot be found or
    /// started; everything the program does is recorded in the outcome.
    pub fn run(&self, side: Side) -> Outcome {
        no_core_dumps();
        let program = side.program(&self.program);
        let dir = TempDir::with_entries(
            match side {
                Side::Reference => "ref",
                Side::Ours => "ours",
            },
            &self.entries,
        );
        let mut command = Command::new(&program);
        command
            .arg0(&self.program)
            .args(&self.args)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", search_path(side))
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(match &self.stdin {
                Input::Pipe => Stdio::piped(),
                Input::Null => Stdio::null(),
                Input::Path(path) => Stdio::from(open(File::open(dir.path().join(path)), path)),
            })
            .stdout(match &self.stdout {
                Output::Capture => Stdio::piped(),
                Output::Path(path) => Stdio::from(open(
                    OpenOptions::new()
                        .write(true)
                        .create(true)
                        .truncate(false)
                        .open(dir.path().join(path)),
                    path,
                )),
            })
            .stderr(Stdio::piped());

        let started = SystemTime::now();
        let deadline = Instant::now() + self.timeout;
        let mut group = match Group::spawn(&mut command) {
            Ok(group) => group,
            Err(err) => panic!("cannot start {}: {err}", program.display()),
        };
        let (stdin, stdout, stderr) = group.take_pipes();
        let mut feeder = Feeder::start(stdin);
        let stdout = Collector::start(stdout);
        let stderr = Collector::start(stderr);
        let running = Running {
            group: &group,
            stdout: &stdout,
            stderr: &stderr,
            dir: dir.path().to_path_buf(),
            deadline,
        };

        let mut interrupted = None;
        let mut timed_out = false;
        for (number, step) in self.steps.iter().enumerate() {
            if let Err(stop) = running.step(step, &mut feeder, self.stdin == Input::Pipe) {
                timed_out = stop == Stop::Deadline;
                interrupted = Some(format!("step {} ({step}): {}", number + 1, stop.reason()));
                break;
            }
        }
        feeder.close();
        if !timed_out && wait::until(deadline, || group.has_exited().then_some(())).is_none() {
            timed_out = true;
        }
        let status = match group.reap() {
            Ok(status) => status,
            Err(err) => panic!("cannot reap {}: {err}", program.display()),
        };
        let finished = SystemTime::now();
        // The group is dead, so the pipes are closed unless something left
        // the group holding them.
        let complete = wait::until(Instant::now() + wait::GENEROUS, || {
            (stdout.is_finished() && stderr.is_finished()).then_some(())
        });
        if complete.is_none() && interrupted.is_none() {
            interrupted = Some("output still open after the process group was killed".into());
        }
        let status = if timed_out {
            Status::TimedOut
        } else if let Some(code) = status.code() {
            Status::Exited(code)
        } else {
            let sig = status.signal().and_then(|s| Signal::try_from(s).ok());
            Status::Signaled(sig.unwrap_or(Signal::SIGKILL))
        };
        Outcome {
            side,
            status,
            stdout: stdout.contents(),
            stderr: stderr.contents(),
            tree: Tree::snapshot(dir.path()),
            interrupted,
            dir: dir.path().to_path_buf(),
            pid: group.pid(),
            started,
            finished,
        }
    }
}

/// `PATH` for a side: its own programs first, so that programs which run
/// others (svscan → supervise) stay on their side.
fn search_path(side: Side) -> OsString {
    let mut path = side.bin_dir().into_os_string();
    path.push(":/usr/local/bin:/usr/bin:/bin");
    path
}

fn open(file: std::io::Result<File>, path: &std::path::Path) -> File {
    match file {
        Ok(file) => file,
        Err(err) => panic!("cannot open {} for the scenario: {err}", path.display()),
    }
}

/// A crashing reference must not leave core files in the scenario
/// directory (they would show up in its tree): set RLIMIT_CORE to 0 for
/// this process and so for every program it starts.
fn no_core_dumps() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use nix::sys::resource::{getrlimit, setrlimit, Resource};
        if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_CORE) {
            let _ = setrlimit(Resource::RLIMIT_CORE, 0, hard);
        }
    });
}

/// Why the steps stopped early.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Stop {
    /// The scenario's timeout passed.
    Deadline,
    /// The program ended (and its output is complete) before the condition held.
    Exited,
    /// A signal could not be sent.
    Signal(nix::Error),
}

impl Stop {
    fn reason(&self) -> String {
        match self {
            Stop::Deadline => "the scenario's timeout passed".into(),
            Stop::Exited => "the program ended first".into(),
            Stop::Signal(err) => format!("could not send the signal: {err}"),
        }
    }
}

/// The live state a step works on.
struct Running<'a> {
    group: &'a Group,
    stdout: &'a Collector,
    stderr: &'a Collector,
    dir: PathBuf,
    deadline: Instant,
}

impl Running<'_> {
    fn step(&self, step: &Step, feeder: &mut Feeder, piped: bool) -> Result<(), Stop> {
        match step {
            Step::Write(bytes) => {
                assert!(piped, "a scenario that writes to stdin needs Input::Pipe");
                feeder.send(bytes.clone());
                wait::until(self.deadline, || feeder.caught_up().then_some(()))
                    .ok_or(Stop::Deadline)
            }
            Step::CloseStdin => {
                feeder.close();
                wait::until(self.deadline, || feeder.is_closed().then_some(()))
                    .ok_or(Stop::Deadline)
            }
            Step::Signal(sig) => self.group.signal(*sig).map_err(Stop::Signal),
            Step::WaitFor(condition) => wait::until(self.deadline, || {
                // Read "finished" before testing, so that a false result
                // after the program ended is final.
                let done = self.group.has_exited()
                    && self.stdout.is_finished()
                    && self.stderr.is_finished();
                let holds = self.stdout.with(|stdout| {
                    self.stderr.with(|stderr| {
                        condition.holds(&Observed {
                            stdout,
                            stderr,
                            dir: &self.dir,
                        })
                    })
                });
                if holds {
                    Some(Ok(()))
                } else if done {
                    Some(Err(Stop::Exited))
                } else {
                    None
                }
            })
            .unwrap_or(Err(Stop::Deadline)),
        }
    }
}
