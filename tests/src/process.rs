//! A started program in its own process group, killed with its whole group
//! when dropped, so that no test leaves a process behind, even when it fails.

use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use nix::sys::signal::{kill, killpg, Signal};
use nix::sys::wait::{waitid, Id, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

/// A child process leading its own process group.
///
/// The leader is reaped only by [`Group::reap`] or on drop, and only after
/// the whole group has been killed: until then its pid (and so the group id)
/// cannot be reused, so signalling it can never hit an unrelated process.
#[derive(Debug)]
pub struct Group {
    child: Child,
    reaped: bool,
}

impl Group {
    /// Start `command` as the leader of a new process group.
    pub fn spawn(command: &mut Command) -> io::Result<Group> {
        let child = command.process_group(0).spawn()?;
        Ok(Group {
            child,
            reaped: false,
        })
    }

    /// The leader's pid (also the group id).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn nix_pid(&self) -> Pid {
        Pid::from_raw(i32::try_from(self.child.id()).unwrap_or(i32::MAX))
    }

    /// The leader's stdin, stdout and stderr pipes, taken out.
    pub fn take_pipes(
        &mut self,
    ) -> (
        Option<std::process::ChildStdin>,
        Option<std::process::ChildStdout>,
        Option<std::process::ChildStderr>,
    ) {
        (
            self.child.stdin.take(),
            self.child.stdout.take(),
            self.child.stderr.take(),
        )
    }

    /// Has the leader exited? (Checked without reaping it.)
    pub fn has_exited(&self) -> bool {
        if self.reaped {
            return true;
        }
        let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
        !matches!(
            waitid(Id::Pid(self.nix_pid()), flags),
            Ok(WaitStatus::StillAlive)
        )
    }

    /// Send `sig` to the leader.
    pub fn signal(&self, sig: Signal) -> nix::Result<()> {
        if self.reaped {
            return Err(nix::errno::Errno::ESRCH);
        }
        kill(self.nix_pid(), sig)
    }

    fn kill_group(&self) {
        if !self.reaped {
            // ESRCH only means the group is gone already.
            let _ = killpg(self.nix_pid(), Signal::SIGKILL);
        }
    }

    /// Kill what is left of the group, then reap the leader and return how
    /// it ended (SIGKILL if it was still running).
    pub fn reap(&mut self) -> io::Result<ExitStatus> {
        self.kill_group();
        let status = self.child.wait();
        self.reaped = true;
        status
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if !self.reaped {
            self.kill_group();
            let _ = self.child.wait();
            self.reaped = true;
        }
    }
}

/// A thread that copies everything from a pipe into a shared buffer.
#[derive(Debug)]
pub struct Collector {
    buffer: Arc<Mutex<Vec<u8>>>,
    thread: JoinHandle<()>,
}

impl Collector {
    /// Start copying from `pipe` (or collect nothing if there is none).
    pub fn start(pipe: Option<impl Read + Send + 'static>) -> Collector {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buffer);
        let thread = std::thread::spawn(move || {
            let Some(mut pipe) = pipe else {
                return;
            };
            let mut chunk = vec![0; 65536];
            loop {
                match pipe.read(&mut chunk) {
                    Ok(0) => return,
                    Ok(n) => lock(&sink).extend_from_slice(&chunk[..n]),
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => return,
                }
            }
        });
        Collector { buffer, thread }
    }

    /// Everything collected so far.
    pub fn contents(&self) -> Vec<u8> {
        lock(&self.buffer).clone()
    }

    /// Call `f` on everything collected so far.
    pub fn with<T>(&self, f: impl FnOnce(&[u8]) -> T) -> T {
        f(&lock(&self.buffer))
    }

    /// Has the pipe reached end of file (every writer closed it)?
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }
}

fn lock(buffer: &Mutex<Vec<u8>>) -> std::sync::MutexGuard<'_, Vec<u8>> {
    // A collector thread cannot panic while holding the lock; recover anyway.
    buffer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A thread that writes chunks to the program's stdin in order, so that the
/// scenario can keep its deadline even if the program stops reading.
#[derive(Debug)]
pub struct Feeder {
    sender: Option<mpsc::Sender<Vec<u8>>>,
    written: Arc<AtomicUsize>,
    sent: usize,
    thread: JoinHandle<()>,
}

impl Feeder {
    /// Start a writer for `stdin` (a feeder with no pipe discards everything).
    pub fn start(stdin: Option<std::process::ChildStdin>) -> Feeder {
        let (sender, receiver) = mpsc::channel::<Vec<u8>>();
        let written = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&written);
        let thread = std::thread::spawn(move || {
            let mut stdin = stdin;
            for chunk in receiver {
                if let Some(pipe) = stdin.as_mut() {
                    // A program that exits or closes stdin early makes this
                    // fail with EPIPE: the bytes are then simply not read.
                    if pipe.write_all(&chunk).is_err() {
                        stdin = None;
                    }
                }
                count.fetch_add(1, Ordering::SeqCst);
            }
            // The sender is gone: dropping `stdin` closes the pipe.
        });
        Feeder {
            sender: Some(sender),
            written,
            sent: 0,
            thread,
        }
    }

    /// Queue `bytes`; [`Feeder::caught_up`] tells when they are written.
    pub fn send(&mut self, bytes: Vec<u8>) {
        if let Some(sender) = &self.sender {
            if sender.send(bytes).is_ok() {
                self.sent += 1;
            }
        }
    }

    /// Has everything queued been written (or refused by a closed pipe)?
    pub fn caught_up(&self) -> bool {
        self.written.load(Ordering::SeqCst) >= self.sent || self.thread.is_finished()
    }

    /// Close stdin once everything queued is written.
    pub fn close(&mut self) {
        self.sender = None;
    }

    /// Is stdin closed?
    pub fn is_closed(&self) -> bool {
        self.thread.is_finished()
    }
}

/// What a program run to its end did.
#[derive(Debug, PartialEq, Eq)]
pub struct Finished {
    /// Its exit code (`None` if a signal ended it).
    pub code: Option<i32>,
    /// Its standard output, lossily as UTF-8.
    pub stdout: String,
    /// Its standard error, lossily as UTF-8.
    pub stderr: String,
}

/// Run `command` to its end as the leader of its own process group, with
/// standard input null and both outputs collected.
pub fn run_to_end(command: &mut Command) -> Finished {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut group = Group::spawn(command).expect("start the program");
    let (_, out, err) = group.take_pipes();
    let (out, err) = (Collector::start(out), Collector::start(err));
    crate::wait::until_or_panic("the program to end", || {
        (out.is_finished() && err.is_finished()).then_some(())
    });
    let code = group.reap().expect("reap the program").code();
    let text = |c: &Collector| String::from_utf8_lossy(&c.contents()).into_owned();
    Finished {
        code,
        stdout: text(&out),
        stderr: text(&err),
    }
}

/// `supervise s` from `side`, to run in `dir` (which holds the service
/// `s`): standard input and output null, standard error piped.
pub fn supervise_command(side: crate::Side, dir: &Path) -> Command {
    let mut command = Command::new(side.program("supervise"));
    command
        .arg("s")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}
