//! The supervise driver: set up the service directory as 0.76 does, then
//! turn signals, control bytes and deadlines into events for
//! [`dt_core::supervise::Supervise`] and carry out its actions.
//!
//! Run-loop contract: (1) ask the machine for its deadline; (2) poll the
//! SIGCHLD signalfd, the control FIFO and the current run's notification
//! pipe or socket (EXT-11, EXT-13) until then; (3) read what the service
//! said on those (as `Ready`, `StatusText`, `Watchdog`; datagrams only from
//! its own pid), then reap every exited
//! child and hand each to the machine as `ChildExited`, then read at most one
//! control byte and hand it over as `Control` (0.76 reaps before each byte);
//! (4) when the deadline has passed, hand over `Tick`; (5) carry out the
//! orders in order, feeding `ReadConfig` and spawn results back at once.
//! Nothing here decides anything: the extension files of
//! `spec/extensions.md` are read when the machine asks and their bytes go
//! through `dt_core::supervise::configure`.

use crate::clock;
use crate::errno::from_nix;
use crate::process::{child_exit, fork_child, give_fd, reap, signal, to_nix_signal};
use crate::status_file::{StatusFile, StatusWriteError};
use dt_core::control::Command;
use dt_core::process::{Pid, Sig};
use dt_core::supervise::{
    configure, judge_fifo, parse_datagram, Config, ConfigFile, ConfigFiles, Event, Extensions,
    FifoName, FifoProblem, FoundFile, NotifyMessage, Order, SuperviseExt, Target,
};
use dt_core::{Errno, Mono};
use nix::fcntl::{open, openat, AtFlags, Flock, FlockArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{sigprocmask, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::stat::Mode;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::ffi::CString;
use std::ffi::OsStr;
use std::fs::File;
use std::mem::ManuallyDrop;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

/// A start-up step that failed; each is fatal (exit 111).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupError {
    /// Creating the SIGCHLD descriptor (0.76: the self-pipe).
    SignalFd(Errno),
    /// `chdir(dir)`.
    Chdir(Errno),
    /// `stat("down")` failed other than with ENOENT.
    StatDown(Errno),
    /// Reading a `supervise` symlink (Debian's extension).
    Readlink(Errno),
    /// Opening or locking `supervise/lock`.
    Lock(Errno),
    /// Opening `supervise/control` for reading.
    ControlRead(Errno),
    /// Opening `supervise/control` for writing.
    ControlWrite(Errno),
    /// Opening `supervise/ok` for reading.
    OkRead(Errno),
    /// What was opened as `supervise/control` or `supervise/ok` is not a
    /// FIFO supervise can trust, although it was just checked (DEV-12).
    Untrusted(FifoName, FifoProblem),
}

/// Something worth a warning on stderr; supervise goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Writing `supervise/status` failed.
    StatusWrite(StatusWriteError),
    /// fork failed; the machine waits 60 seconds.
    ForkFailed(Errno),
    /// An extension file could not be read (other than not existing); it is
    /// ignored.
    ConfigUnreadable(ConfigFile, Errno),
    /// An extension file holds something the spec does not allow; it is
    /// ignored.
    ConfigBadFormat(ConfigFile),
    /// The service sent no `WATCHDOG=1` for this many seconds; it is being
    /// stopped (EXT-14).
    Watchdog(u32),
    /// What was at `supervise/control` or `supervise/ok` could not be
    /// trusted; it is being replaced with a fresh FIFO (DEV-12).
    Replacing(FifoName, FifoProblem),
}

/// A service directory set up and locked, ready to run.
#[derive(Debug)]
pub struct Prepared {
    machine: SuperviseExt,
    pending: Vec<Order>,
    children: SignalFd,
    control: OwnedFd,
    // Held for their side effects: our own writer keeps the control FIFO
    // from reporting end of file, the ok reader tells svok we are alive,
    // and the lock is ours until we exit.
    _control_writer: OwnedFd,
    _ok: OwnedFd,
    // Never unlocked: the kernel lets go when supervise exits, as with
    // 0.76. (Not dropping it also keeps nix's panic on a failed unlock,
    // and the error tables it formats, out of every supervise.)
    _lock: ManuallyDrop<Flock<File>>,
    run: Program,
    finish: Program,
    /// The read end of the notification pipe of the current `./run`
    /// (`notification-fd`), until a newline or end of file arrives on it,
    /// its process is reaped or another `./run` starts.
    notifier: Option<Notifier>,
    /// The notification socket of the current `./run` (`notify`), until
    /// its process is reaped or another `./run` starts.
    notify: Option<NotifySocket>,
    /// The record and extension lines last written to `supervise/status`.
    status: StatusFile,
}

/// The start of the abstract name `notify` binds its socket at; a random
/// part follows.
const NOTIFY_NAME: &str = "daemontools-rs/supervise/";

/// How many datagrams of the notification socket one turn of the loop
/// reads at most.
const NOTIFY_BATCH: usize = 64;

/// How many reads of the notification pipe empty a full one (64 KiB, in
/// reads of 4 KiB) once its process has exited.
const NOTIFY_READS_AT_EXIT: usize = 16;

/// The notification socket (EXT-13) and the pid whose datagrams count.
/// (Its abstract name goes when it is closed.)
#[derive(Debug)]
struct NotifySocket {
    pid: Pid,
    socket: OwnedFd,
}

/// Bind a fresh datagram socket that is told who sent each datagram, at an
/// abstract name no one can guess (`daemontools-rs/supervise/` and 16
/// random hex digits); the socket and the `NOTIFY_SOCKET=@<name>` entry.
/// An abstract socket has no file: a service that drops its privileges can
/// still reach it, where `supervise/` (mode 0700) would keep it out, and
/// none is left behind. Only the service process's datagrams count.
//= spec/extensions.md#ext-13
// Kept out of line: only a service directory that asks for an extension
// runs it, and inlined it would sit in the code every supervise maps.
#[inline(never)]
fn bind_notify_socket() -> Result<(OwnedFd, CString), Errno> {
    use nix::sys::socket::{bind, setsockopt, socket, sockopt, AddressFamily, SockFlag, SockType};
    use std::os::fd::AsRawFd;
    let mut name = NOTIFY_NAME.as_bytes().to_vec();
    for part in [random(), random()] {
        name.extend_from_slice(format!("{part:08x}").as_bytes());
    }
    let socket = socket(
        AddressFamily::Unix,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
        None,
    )
    .map_err(from_nix)?;
    setsockopt(&socket, sockopt::PassCred, &true).map_err(from_nix)?;
    let address = nix::sys::socket::UnixAddr::new_abstract(&name).map_err(from_nix)?;
    bind(socket.as_raw_fd(), &address).map_err(from_nix)?;
    let mut entry = b"NOTIFY_SOCKET=@".to_vec();
    entry.extend_from_slice(&name);
    let entry = CString::new(entry).map_err(|_| Errno::EINVAL)?;
    Ok((socket, entry))
}

/// supervise's environment without the variables it sets itself, plus
/// `extra`.
//= spec/extensions.md#ext-13
#[inline(never)]
fn environment(extra: Vec<CString>) -> Vec<CString> {
    let mut env: Vec<CString> = std::env::vars_os()
        .filter(|(key, _)| {
            !matches!(
                key.as_bytes(),
                b"NOTIFY_SOCKET" | b"WATCHDOG_USEC" | b"WATCHDOG_PID"
            )
        })
        .filter_map(|(key, value)| {
            let mut entry = key.as_bytes().to_vec();
            entry.push(b'=');
            entry.extend_from_slice(value.as_bytes());
            CString::new(entry).ok()
        })
        .collect();
    env.extend(extra);
    env
}

/// The read end of a notification pipe (EXT-11) and the pid it was made for.
#[derive(Debug)]
struct Notifier {
    pid: Pid,
    pipe: OwnedFd,
}

/// A notification pipe being made for a spawn: the write end goes to the
/// child as descriptor `fd`.
struct NotificationPipe {
    fd: u32,
    read: OwnedFd,
    write: OwnedFd,
}

impl NotificationPipe {
    /// Both ends close-on-exec; only the read end (ours) non-blocking, so
    /// the child's writes behave as on any pipe.
    //= spec/extensions.md#ext-11
    fn new(fd: u32) -> Result<NotificationPipe, Errno> {
        let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(from_nix)?;
        nix::fcntl::fcntl(&read, nix::fcntl::FcntlArg::F_SETFL(OFlag::O_NONBLOCK))
            .map_err(from_nix)?;
        Ok(NotificationPipe { fd, read, write })
    }
}

/// A program supervise starts in the service directory (`./run`), with
/// what its child needs prepared before the fork.
#[derive(Debug)]
struct Program {
    path: CString,
    argv: Vec<CString>,
    /// The signal mask to restore in the child.
    mask: SigSet,
    /// What the child prints before the error words if exec fails (then it
    /// exits 111).
    failure_prefix: Vec<u8>,
}

impl Program {
    fn new(path: &str, mask: SigSet, failure_prefix: Vec<u8>) -> Program {
        let path = CString::new(path).unwrap_or_default();
        Program {
            argv: vec![path.clone()],
            path,
            mask,
            failure_prefix,
        }
    }

    /// fork; the child execs the program with `args` after its name, the
    /// inherited environment, working directory and descriptors, as 0.76's
    /// supervise starts `./run`. With `own_group` the child leads a new
    /// process group (`setpgid` in both, so no signal to the group can come
    /// before the group exists). A failed exec is reported by the child on
    /// stderr and it exits 111, which the parent sees as an ordinary exit.
    //= spec/supervise.md#sup-3
    //= spec/extensions.md#ext-4
    fn spawn(
        &self,
        own_group: bool,
        args: &[String],
        notification: Option<&NotificationPipe>,
        env: Option<&[CString]>,
        watchdog_pid: bool,
    ) -> Result<Pid, Errno> {
        let mut message = Vec::with_capacity(self.failure_prefix.len() + 64);
        message.extend_from_slice(&self.failure_prefix);
        let mut argv = self.argv.clone();
        argv.extend(args.iter().filter_map(|a| CString::new(a.as_str()).ok()));
        let pid = fork_child(|| -> Infallible {
            if own_group {
                let _ = nix::unistd::setpgid(
                    nix::unistd::Pid::from_raw(0),
                    nix::unistd::Pid::from_raw(0),
                );
            }
            let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&self.mask), None);
            //= spec/extensions.md#ext-11
            let given = match notification {
                Some(pipe) => give_fd(pipe.write.as_fd(), i32::try_from(pipe.fd).unwrap_or(-1)),
                None => Ok(()),
            };
            let exec = || match env {
                //= spec/extensions.md#ext-14
                Some(env) if watchdog_pid => {
                    let mut env = env.to_vec();
                    let pid = nix::unistd::getpid().as_raw();
                    env.extend(CString::new(format!("WATCHDOG_PID={pid}")).ok());
                    nix::unistd::execve(&self.path, &argv, &env)
                }
                Some(env) => nix::unistd::execve(&self.path, &argv, env),
                None => nix::unistd::execv(&self.path, &argv),
            };
            let errno = match given.map(|()| exec()) {
                Err(e) => e,
                Ok(Err(e)) => from_nix(e),
                Ok(Ok(never)) => match never {},
            };
            message.extend_from_slice(errno.describe().as_bytes());
            message.push(b'\n');
            child_exit(&message, 111)
        })?;
        if own_group {
            let child = nix::unistd::Pid::from_raw(pid.0);
            let _ = nix::unistd::setpgid(child, child);
        }
        Ok(pid)
    }
}

/// A random number for the machine (core has no randomness): from
/// `/dev/urandom`, or from the clock if that cannot be read.
//= spec/extensions.md#ext-9
#[inline(never)]
fn random() -> u32 {
    use std::io::Read;
    let mut bytes = [0u8; 4];
    match std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)) {
        Ok(()) => u32::from_ne_bytes(bytes),
        Err(_) => (clock::mono().0 % u64::from(u32::MAX)) as u32,
    }
}

/// The answer to a spawn.
fn answer(spawned: Result<Pid, Errno>) -> Event {
    match spawned {
        Ok(pid) => Event::SpawnSucceeded { pid },
        Err(errno) => Event::SpawnFailed { errno },
    }
}

/// Send `sig` where `target` says; failures (nothing left) are of no
/// interest.
//= spec/supervise.md#sup-19
//= spec/extensions.md#ext-4
fn send(target: Target, sig: Sig) {
    match target {
        Target::Pid(pid) => signal(pid, sig),
        Target::Group(pgid) => {
            let _ =
                nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid.0), to_nix_signal(sig));
        }
    }
}

/// What supervise needs to know of a file to judge it as one of its FIFOs.
fn found(stat: &nix::sys::stat::FileStat) -> FoundFile {
    FoundFile {
        is_fifo: stat.st_mode & libc::S_IFMT == libc::S_IFIFO,
        owner: stat.st_uid,
        mode: stat.st_mode & 0o7777,
    }
}

/// Make the FIFO `name` in `dir` as 0.76 does (mode 0600, "already exists"
/// and every other error ignored: the open reports them), then look at what
/// is there without following a symbolic link: what supervise cannot trust
/// is removed, after a notice, and made again, so that no one keeps a
/// descriptor to it. Needs the lock, so that it is no other supervise's.
//= spec/deviations.md#dev-12
fn make_fifo(
    dir: BorrowedFd<'_>,
    name: FifoName,
    euid: u32,
    notice: &mut impl FnMut(Notice),
) -> Result<(), Errno> {
    let path = name.file_name();
    let fifo_mode = Mode::from_bits_truncate(0o600);
    let _ = nix::unistd::mkfifoat(dir, path, fifo_mode);
    let Ok(stat) = nix::sys::stat::fstatat(dir, path, AtFlags::AT_SYMLINK_NOFOLLOW) else {
        return Ok(());
    };
    if let Some(problem) = judge_fifo(name, found(&stat), euid) {
        notice(Notice::Replacing(name, problem));
        nix::unistd::unlinkat(dir, path, nix::unistd::UnlinkatFlags::NoRemoveDir)
            .map_err(from_nix)?;
        let _ = nix::unistd::mkfifoat(dir, path, fifo_mode);
    }
    Ok(())
}

/// Why a FIFO of supervise's could not be opened.
enum FifoError {
    Open(Errno),
    Untrusted(FifoProblem),
}

/// Open the FIFO `name` in `dir` without blocking and without following a
/// symbolic link, and check that it is still one supervise (running as
/// `euid`) can trust.
//= spec/deviations.md#dev-12
fn open_fifo(
    dir: BorrowedFd<'_>,
    name: FifoName,
    euid: u32,
    flags: OFlag,
) -> Result<OwnedFd, FifoError> {
    let fd = openat(
        dir,
        name.file_name(),
        flags | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW | OFlag::O_NOCTTY,
        Mode::empty(),
    )
    .map_err(|e| FifoError::Open(from_nix(e)))?;
    let stat = nix::sys::stat::fstat(&fd).map_err(|e| FifoError::Open(from_nix(e)))?;
    match judge_fifo(name, found(&stat), euid) {
        None => Ok(fd),
        Some(problem) => Err(FifoError::Untrusted(problem)),
    }
}

/// The start-up error for a FIFO that could not be made or opened.
fn fifo_setup_error(
    name: FifoName,
    open_error: fn(Errno) -> SetupError,
) -> impl Fn(FifoError) -> SetupError {
    move |error| match error {
        FifoError::Open(errno) => open_error(errno),
        FifoError::Untrusted(problem) => SetupError::Untrusted(name, problem),
    }
}

/// 0.76's start-up sequence, in its order: SIGCHLD descriptor, chdir, the
/// `down` file, `supervise/` (and Debian's symlink target), the lock, the
/// control FIFO, the first status record (written through `notice` on
/// failure), the ok FIFO.
//= spec/supervise.md#sup-1
pub fn prepare(
    dir: &[u8],
    exec_failure_prefix: Vec<u8>,
    finish_failure_prefix: Vec<u8>,
    notice: &mut impl FnMut(Notice),
) -> Result<Prepared, SetupError> {
    let mut chld = SigSet::empty();
    chld.add(Signal::SIGCHLD);
    let mut original = SigSet::empty();
    nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&chld), Some(&mut original))
        .map_err(|e| SetupError::SignalFd(from_nix(e)))?;
    let children = SignalFd::with_flags(&chld, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
        .map_err(|e| SetupError::SignalFd(from_nix(e)))?;

    nix::unistd::chdir(OsStr::from_bytes(dir)).map_err(|e| SetupError::Chdir(from_nix(e)))?;
    let down_file = match nix::sys::stat::stat("down") {
        Ok(_) => true,
        Err(nix::errno::Errno::ENOENT) => false,
        Err(e) => return Err(SetupError::StatDown(from_nix(e))),
    };
    make_supervise_dir()?;
    // Everything else in `supervise` is made and opened relative to the
    // directory opened here, never through a symbolic link (DEV-12). It
    // fails where 0.76's open of `supervise/lock` fails, and so says so.
    let dir = open(
        "supervise",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| SetupError::Lock(from_nix(e)))?;

    //= spec/deviations.md#dev-12
    let lock_file = openat(
        &dir,
        "lock",
        OFlag::O_WRONLY
            | OFlag::O_NONBLOCK
            | OFlag::O_APPEND
            | OFlag::O_CREAT
            | OFlag::O_CLOEXEC
            | OFlag::O_NOFOLLOW
            | OFlag::O_NOCTTY,
        Mode::from_bits_truncate(0o600),
    )
    .map_err(|e| SetupError::Lock(from_nix(e)))?;
    let lock = Flock::lock(File::from(lock_file), FlockArg::LockExclusiveNonblock)
        .map(ManuallyDrop::new)
        .map_err(|(_, e)| SetupError::Lock(from_nix(e)))?;
    let control_name = FifoName::Control;
    let euid = nix::unistd::geteuid().as_raw();
    make_fifo(dir.as_fd(), control_name, euid, notice).map_err(SetupError::ControlRead)?;
    let control = open_fifo(dir.as_fd(), control_name, euid, OFlag::O_RDONLY)
        .map_err(fifo_setup_error(control_name, SetupError::ControlRead))?;
    let control_writer = open_fifo(dir.as_fd(), control_name, euid, OFlag::O_WRONLY)
        .map_err(fifo_setup_error(control_name, SetupError::ControlWrite))?;

    let (machine, first) = SuperviseExt::new(Config { down_file }, clock::now());
    // The first record also replaces what an earlier supervise's
    // extensions said after its record (EXT-7).
    let mut status = StatusFile::new(dir);
    for order in &first {
        if let Order::WriteStatus(record) = order {
            if let Err(e) = status.write_record(*record) {
                notice(Notice::StatusWrite(e));
            }
        }
    }
    let pending = first
        .into_iter()
        .filter(|o| !matches!(o, Order::WriteStatus(_)))
        .collect();

    make_fifo(status.dir(), FifoName::Ok, euid, notice).map_err(SetupError::OkRead)?;
    let ok = open_fifo(status.dir(), FifoName::Ok, euid, OFlag::O_RDONLY)
        .map_err(fifo_setup_error(FifoName::Ok, SetupError::OkRead))?;

    Ok(Prepared {
        machine,
        pending,
        children,
        control,
        _control_writer: control_writer,
        _ok: ok,
        _lock: lock,
        run: Program::new("./run", original, exec_failure_prefix),
        finish: Program::new("./finish", original, finish_failure_prefix),
        notifier: None,
        notify: None,
        status,
    })
}

/// `mkdir supervise` (mode 0700, errors ignored); where `supervise` is a
/// symlink, Debian's supervise also makes the directory it points to.
//= spec/supervise.md#sup-1
fn make_supervise_dir() -> Result<(), SetupError> {
    if nix::unistd::mkdir("supervise", Mode::from_bits_truncate(0o700)).is_ok() {
        return Ok(());
    }
    match nix::fcntl::readlink("supervise") {
        Ok(target) => {
            let _ = nix::unistd::mkdir(target.as_os_str(), Mode::from_bits_truncate(0o700));
            Ok(())
        }
        Err(nix::errno::Errno::ENOENT | nix::errno::Errno::EINVAL) => Ok(()),
        Err(e) => Err(SetupError::Readlink(from_nix(e))),
    }
}

impl Prepared {
    /// Run until the machine says exit; the exit code. (By reference, so
    /// that the caller's one copy of this ~1.2 KiB value is the only one on
    /// the stack: a copy per frame made an idle supervise touch a stack
    /// page more than 0.76's.)
    pub fn run(&mut self, notice: &mut impl FnMut(Notice)) -> i32 {
        let mut work: VecDeque<Order> = std::mem::take(&mut self.pending).into();
        work.extend(self.machine.handle(clock::now(), Event::Started));
        loop {
            if let Some(code) = self.carry_out(&mut work, notice) {
                return code;
            }
            self.wait(self.machine.next_deadline());
            let mut events = Vec::new();
            // The notification pipe before the reap: a newline written
            // before an exit is seen before that exit (EXT-11).
            events.extend(self.read_notification(1));
            events.extend(self.read_notify_socket());
            while self.children.read_signal().ok().flatten().is_some() {}
            while let Some((pid, status)) = reap() {
                if self.notifier.as_ref().is_some_and(|n| n.pid == pid) {
                    // What it wrote before it exited counts (EXT-11): read
                    // the rest of a full pipe, then be done with it.
                    events.extend(self.read_notification(NOTIFY_READS_AT_EXIT));
                    self.notifier = None;
                }
                if self.notify.as_ref().is_some_and(|n| n.pid == pid) {
                    self.notify = None;
                }
                events.push(Event::ChildExited { pid, status });
            }
            if let Some(command) = self.read_control_byte() {
                events.push(Event::Control(command));
            }
            let deadline_passed = self
                .machine
                .next_deadline()
                .is_some_and(|deadline| clock::mono() >= deadline);
            if deadline_passed {
                events.push(Event::Tick);
            }
            for event in events {
                work.extend(self.machine.handle(clock::now(), event));
            }
        }
    }

    /// Carry out queued orders in order; `Some(code)` on `Exit`.
    fn carry_out(
        &mut self,
        work: &mut VecDeque<Order>,
        notice: &mut impl FnMut(Notice),
    ) -> Option<i32> {
        while let Some(order) = work.pop_front() {
            let answer = match order {
                Order::ReadConfig => {
                    let ext = read_config(notice);
                    // Randomness only where it is used (`backoff`'s jitter).
                    let random = if ext.backoff.is_some() { random() } else { 0 };
                    Some(Event::Configured { ext, random })
                }
                Order::SpawnRun {
                    own_group,
                    notification_fd,
                    notify_socket,
                    watchdog_secs,
                } => Some(answer(self.spawn_run(
                    own_group,
                    notification_fd,
                    notify_socket,
                    watchdog_secs,
                ))),
                Order::SpawnFinish {
                    code,
                    signal,
                    own_group,
                } => Some(answer(self.spawn_finish(code, signal, own_group))),
                Order::WriteExtra(extra) => {
                    if let Err(e) = self.status.write_extra(&extra) {
                        notice(Notice::StatusWrite(e));
                    }
                    None
                }
                Order::Signal { target, sig } => {
                    send(target, sig);
                    None
                }
                Order::WriteStatus(record) => {
                    if let Err(e) = self.status.write_record(record) {
                        notice(Notice::StatusWrite(e));
                    }
                    None
                }
                Order::WarnForkFailed { errno } => {
                    notice(Notice::ForkFailed(errno));
                    None
                }
                Order::WarnWatchdog { secs } => {
                    notice(Notice::Watchdog(secs));
                    None
                }
                Order::Exit(code) => return Some(code),
            };
            if let Some(event) = answer {
                let more = self.machine.handle(clock::now(), event);
                for (i, o) in more.into_iter().enumerate() {
                    work.insert(i, o);
                }
            }
        }
        None
    }

    /// Start `./finish` with the exit code and signal of the run that ended
    /// (EXT-5). Out of line: only a service with a `finish` file runs it.
    #[inline(never)]
    fn spawn_finish(&self, code: i32, signal: i32, own_group: bool) -> Result<Pid, Errno> {
        let args = [code.to_string(), signal.to_string()];
        self.finish.spawn(own_group, &args, None, None, false)
    }

    /// Start `./run`, with a notification pipe if the machine asks for one
    /// (a pipe that cannot be made is answered as a failed fork); the pipe
    /// of an earlier run is dropped.
    //= spec/extensions.md#ext-11
    //= spec/extensions.md#ext-13
    fn spawn_run(
        &mut self,
        own_group: bool,
        notification_fd: Option<u32>,
        notify_socket: bool,
        watchdog_secs: Option<u32>,
    ) -> Result<Pid, Errno> {
        self.notifier = None;
        self.notify = None;
        let pipe = notification_fd.map(NotificationPipe::new).transpose()?;
        let (socket, env) = if notify_socket {
            let (socket, entry) = bind_notify_socket()?;
            let mut extra = vec![entry];
            //= spec/extensions.md#ext-14
            if let Some(secs) = watchdog_secs {
                let usec = u64::from(secs) * 1_000_000;
                extra.extend(CString::new(format!("WATCHDOG_USEC={usec}")).ok());
            }
            (Some(socket), Some(environment(extra)))
        } else {
            (None, None)
        };
        let spawned = self.run.spawn(
            own_group,
            &[],
            pipe.as_ref(),
            env.as_deref(),
            notify_socket && watchdog_secs.is_some(),
        );
        let pid = spawned?;
        self.notifier = pipe.map(|pipe| Notifier {
            pid,
            pipe: pipe.read,
        });
        self.notify = socket.map(|socket| NotifySocket { pid, socket });
        Ok(pid)
    }

    /// The datagrams waiting on the notification socket, as events; those
    /// not sent by the service process itself (as the kernel tells) are
    /// dropped unread.
    //= spec/extensions.md#ext-13
    fn read_notify_socket(&mut self) -> Vec<Event> {
        // Each turn of the loop asks; the buffer's frame is paid for only
        // by a service that has the socket (an idle 0.76-style supervise
        // keeps a smaller stack).
        match self.notify {
            None => Vec::new(),
            Some(_) => self.read_notify_socket_now(),
        }
    }

    #[inline(never)]
    fn read_notify_socket_now(&mut self) -> Vec<Event> {
        use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags, UnixCredentials};
        use std::os::fd::AsRawFd;
        let mut events = Vec::new();
        let Some(notify) = &self.notify else {
            return events;
        };
        let mut buffer = [0u8; 4096];
        // At most this many per turn of the loop: a service that sends
        // faster than supervise reads must not keep it from its control
        // pipe (the socket stays readable, so the rest comes next turn).
        for _ in 0..NOTIFY_BATCH {
            let mut space = nix::cmsg_space!(UnixCredentials);
            let mut iov = [std::io::IoSliceMut::new(&mut buffer)];
            let received = recvmsg::<()>(
                notify.socket.as_raw_fd(),
                &mut iov,
                Some(&mut space),
                MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_CMSG_CLOEXEC,
            );
            let (length, sender) = match received {
                Ok(message) => {
                    let sender = message.cmsgs().ok().and_then(|mut cmsgs| {
                        cmsgs.find_map(|cmsg| match cmsg {
                            ControlMessageOwned::ScmCredentials(creds) => Some(creds.pid()),
                            _ => None,
                        })
                    });
                    (message.bytes, sender)
                }
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => break,
            };
            if sender != Some(notify.pid.0) {
                continue;
            }
            let pid = notify.pid;
            for message in parse_datagram(&buffer[..length.min(buffer.len())]) {
                events.push(match message {
                    NotifyMessage::Ready => Event::Ready { pid },
                    NotifyMessage::Status(text) => Event::StatusText { pid, text },
                    NotifyMessage::Watchdog => Event::Watchdog { pid },
                });
            }
        }
        events
    }

    /// What the notification pipe brings in at most `reads` reads: `Ready`
    /// at the first newline (and the pipe is done with), nothing at end of
    /// file (done with too), nothing yet otherwise. Bounded, as for the
    /// socket: a service writing without end cannot keep supervise from its
    /// control pipe (the pipe stays readable for the next turn).
    //= spec/extensions.md#ext-11
    fn read_notification(&mut self, reads: usize) -> Option<Event> {
        // As for the socket: no buffer on the stack without a pipe.
        match self.notifier {
            None => None,
            Some(_) => self.read_notification_now(reads),
        }
    }

    #[inline(never)]
    fn read_notification_now(&mut self, reads: usize) -> Option<Event> {
        let notifier = self.notifier.as_ref()?;
        // A pipe's atomic size: what a service writes at once comes in one read.
        let mut buffer = [0u8; 4096];
        for _ in 0..reads {
            match nix::unistd::read(notifier.pipe.as_fd(), &mut buffer) {
                Ok(n) if buffer[..n].contains(&b'\n') => {
                    let pid = notifier.pid;
                    self.notifier = None;
                    return Some(Event::Ready { pid });
                }
                Ok(0) => {
                    self.notifier = None;
                    return None;
                }
                Ok(_) | Err(nix::errno::Errno::EINTR) => continue,
                Err(nix::errno::Errno::EAGAIN) => return None,
                // A pipe that cannot be read: done with.
                Err(_) => {
                    self.notifier = None;
                    return None;
                }
            }
        }
        None
    }

    /// Block until a child exits, a control byte arrives or `deadline`.
    fn wait(&self, deadline: Option<Mono>) {
        let timeout = match deadline {
            // 0.76 wakes every hour when idle; nothing depends on it.
            None => PollTimeout::try_from(3_600_000).unwrap_or(PollTimeout::MAX),
            Some(deadline) => {
                let left = deadline.0.saturating_sub(clock::mono().0);
                // Round up so we never wake just before the deadline.
                let millis = left.div_ceil(1_000_000);
                PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX)
            }
        };
        let mut fds = vec![
            PollFd::new(self.children.as_fd(), PollFlags::POLLIN),
            PollFd::new(self.control.as_fd(), PollFlags::POLLIN),
        ];
        if let Some(notifier) = &self.notifier {
            fds.push(PollFd::new(notifier.pipe.as_fd(), PollFlags::POLLIN));
        }
        if let Some(notify) = &self.notify {
            fds.push(PollFd::new(notify.socket.as_fd(), PollFlags::POLLIN));
        }
        let _ = poll(&mut fds, timeout);
    }

    /// One byte from the control FIFO, if one is there and means something.
    fn read_control_byte(&self) -> Option<Command> {
        let mut byte = [0u8; 1];
        loop {
            match nix::unistd::read(self.control.as_fd(), &mut byte) {
                Ok(1) => return Command::from_byte(byte[0]),
                Err(nix::errno::Errno::EINTR) => continue,
                _ => return None,
            }
        }
    }
}

/// The contents of an extension file in the service directory: `None` when
/// it does not exist, or (after a notice) cannot be read.
fn read_file(file: ConfigFile, notice: &mut impl FnMut(Notice)) -> Option<Vec<u8>> {
    match std::fs::read(file.name()) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            let errno = Errno(e.raw_os_error().unwrap_or(0));
            notice(Notice::ConfigUnreadable(file, errno));
            None
        }
    }
}

/// Read the extension files (spec/extensions.md EXT-2) and let core say
/// what they mean; a file core refuses is reported and ignored.
//= spec/extensions.md#ext-2
fn read_config(notice: &mut impl FnMut(Notice)) -> Extensions {
    // A regular file supervise may execute.
    let finish = std::fs::metadata("finish").is_ok_and(|m| m.is_file())
        && nix::unistd::access("finish", nix::unistd::AccessFlags::X_OK).is_ok();
    let notify = nix::sys::stat::stat("notify").is_ok();
    let files = ConfigFiles {
        timeout_kill: read_file(ConfigFile::TimeoutKill, notice),
        // Of any type, as `down` (a dangling symbolic link is absent).
        stop_group: nix::sys::stat::stat("stop-group").is_ok(),
        finish,
        timeout_finish: if finish {
            read_file(ConfigFile::TimeoutFinish, notice)
        } else {
            None
        },
        backoff: read_file(ConfigFile::Backoff, notice),
        notification_fd: read_file(ConfigFile::NotificationFd, notice),
        // Of any type, as `down`.
        notify,
        watchdog: if notify {
            read_file(ConfigFile::Watchdog, notice)
        } else {
            None
        },
    };
    let (ext, problems) = configure(&files);
    for problem in problems {
        notice(Notice::ConfigBadFormat(problem.file));
    }
    ext
}
