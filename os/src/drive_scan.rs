//! The svscan driver: list the directory, make pipes, fork supervise
//! processes, sleep until the next scan — carrying out what
//! [`dt_core::scan::Scan`] decides, in the order it says.

use crate::clock;
use crate::errno::from_nix;
use crate::process::reap;
use dt_core::scan::{
    descriptors_wanted, Action, Entry, EntryKind, Event, Listing, LogProbe, Role, Scan, ServiceId,
    Warning, MAX_SERVICES,
};
use dt_core::softlimit::Resource;
use dt_core::Errno;
use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use nix::sys::signal::{sigprocmask, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::stat::Mode;
use std::collections::{HashMap, VecDeque};
use std::ffi::{CString, OsStr};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// Where a child failed before `supervise` could run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildStage {
    /// Moving the pipe onto stdin or stdout.
    Descriptors,
    /// Changing into the service directory (log only).
    Chdir,
    /// Running supervise.
    Exec,
}

/// The words a child prints before the error when it fails at `stage` for
/// the service `name` and `role` (the driver appends the error and a newline).
pub type ChildMessage<'a> = &'a dyn Fn(ChildStage, &[u8], Role) -> Vec<u8>;

/// The opt-in stop mode (SCAN-9): SIGTERM or SIGINT stops every service and
/// then svscan, waiting at most `grace_secs`; children are reaped as soon as
/// they exit (what a PID 1 must do for orphans).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StopMode {
    /// How long to wait for the supervise processes before giving up.
    pub grace_secs: u64,
}

/// What svscan's opt-in extensions ask for; the default is 0.76.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Stop everything on SIGTERM or SIGINT (SCAN-9).
    pub stop: Option<StopMode>,
    /// Scan as soon as the directory changes or SIGALRM comes (SCAN-10).
    pub instant: bool,
    /// How many services may run (SCAN-5, SCAN-11).
    pub max_services: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            stop: None,
            instant: false,
            max_services: MAX_SERVICES,
        }
    }
}

/// Why svscan could not set up what its options ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetupError {
    /// Blocking the signals or making their descriptor.
    Signals(Errno),
    /// Watching the directory with inotify.
    Watch(Errno),
}

/// Signals delivered through a descriptor instead of handlers, with the
/// mask to give children back.
struct Signals {
    fd: SignalFd,
    original: SigSet,
}

impl Signals {
    fn new(signals: &[Signal]) -> Result<Signals, Errno> {
        let mut set = SigSet::empty();
        for &sig in signals {
            set.add(sig);
        }
        let mut original = SigSet::empty();
        sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), Some(&mut original)).map_err(from_nix)?;
        let fd = SignalFd::with_flags(&set, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
            .map_err(from_nix)?;
        Ok(Signals { fd, original })
    }
}

/// What woke a waiting svscan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Woken {
    /// SIGTERM or SIGINT.
    stop: bool,
    /// SIGALRM or a change in the directory.
    rescan: bool,
}

/// The descriptors a svscan with extensions waits on between scans.
struct Wakeups {
    signals: Option<Signals>,
    watch: Option<Inotify>,
}

impl Wakeups {
    fn new(options: &Options) -> Result<Option<Wakeups>, SetupError> {
        let mut wanted = Vec::new();
        if options.stop.is_some() {
            wanted.extend([Signal::SIGCHLD, Signal::SIGTERM, Signal::SIGINT]);
        }
        if options.instant {
            wanted.push(Signal::SIGALRM);
        }
        if wanted.is_empty() {
            return Ok(None);
        }
        let signals = Some(Signals::new(&wanted).map_err(SetupError::Signals)?);
        let watch = if options.instant {
            Some(watch_directory().map_err(SetupError::Watch)?)
        } else {
            None
        };
        Ok(Some(Wakeups { signals, watch }))
    }

    /// Wait until a signal or a change in the directory arrives, or
    /// `deadline`; what came.
    fn wait(&self, deadline: Option<dt_core::Mono>) -> Woken {
        let timeout = match deadline {
            None => PollTimeout::NONE,
            Some(deadline) => {
                let left = deadline.0.saturating_sub(clock::mono().0);
                PollTimeout::try_from(left.div_ceil(1_000_000)).unwrap_or(PollTimeout::MAX)
            }
        };
        let mut fds = Vec::with_capacity(2);
        if let Some(signals) = &self.signals {
            fds.push(PollFd::new(signals.fd.as_fd(), PollFlags::POLLIN));
        }
        if let Some(watch) = &self.watch {
            fds.push(PollFd::new(watch.as_fd(), PollFlags::POLLIN));
        }
        let _ = poll(&mut fds, timeout);
        let mut woken = Woken::default();
        if let Some(signals) = &self.signals {
            while let Ok(Some(info)) = signals.fd.read_signal() {
                match i32::try_from(info.ssi_signo).unwrap_or(0) {
                    libc::SIGTERM | libc::SIGINT => woken.stop = true,
                    libc::SIGALRM => woken.rescan = true,
                    _ => {}
                }
            }
        }
        if let Some(watch) = &self.watch {
            // Which entry changed does not matter: the scan looks at all.
            while let Ok(events) = watch.read_events() {
                if events.is_empty() {
                    break;
                }
                woken.rescan = true;
            }
        }
        woken
    }
}

/// An inotify descriptor watching `.` for entries that come and go.
//= spec/svscan.md#scan-10
fn watch_directory() -> Result<Inotify, Errno> {
    let watch = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC).map_err(from_nix)?;
    let changes = AddWatchFlags::IN_CREATE
        | AddWatchFlags::IN_DELETE
        | AddWatchFlags::IN_MOVED_FROM
        | AddWatchFlags::IN_MOVED_TO
        | AddWatchFlags::IN_ONLYDIR;
    watch.add_watch(".", changes).map_err(from_nix)?;
    Ok(watch)
}

/// With more services than 0.76's 1000, svscan may need more descriptors
/// ([`descriptors_wanted`]) than the usual soft limit of 1024: raise it
/// towards the hard limit, and return the limits to give back to children
/// so that services run with the limits they would have had.
//= spec/svscan.md#scan-11
fn raise_descriptor_limit(max_services: usize) -> Option<(u64, u64)> {
    let wanted = descriptors_wanted(max_services)?;
    let (soft, hard) = crate::rlimit::get(Resource::Nofile).ok()?;
    let raised = wanted.min(hard);
    if raised <= soft {
        return None;
    }
    crate::rlimit::set(Resource::Nofile, raised, hard).ok()?;
    Some((soft, hard))
}

/// Run svscan in the current directory forever (or, in the stop mode,
/// until it has stopped every service), reporting warnings through `warn`.
/// Fails only if what `options` ask for cannot be set up.
pub fn run(
    options: Options,
    warn: &mut dyn FnMut(&Warning),
    child_message: ChildMessage<'_>,
) -> Result<std::convert::Infallible, SetupError> {
    let wakeups = Wakeups::new(&options)?;
    let child_setup = ChildSetup {
        mask: wakeups
            .as_ref()
            .and_then(|w| w.signals.as_ref())
            .map(|s| s.original),
        descriptor_limit: raise_descriptor_limit(options.max_services),
    };
    let mut machine = Scan::with_limit(options.max_services);
    let mut pipes: HashMap<ServiceId, (OwnedFd, OwnedFd)> = HashMap::new();
    let mut work: VecDeque<Action> = machine.handle(clock::now(), Event::Started).into();
    loop {
        while let Some(action) = work.pop_front() {
            let answer = match action {
                Action::Scan => {
                    while let Some((pid, _)) = reap() {
                        work.extend(machine.handle(clock::now(), Event::ChildExited { pid }));
                    }
                    // 0.76 looks at `log` only when it meets a new
                    // service: a known one costs a single stat per scan.
                    let known = machine.known_dev_inos();
                    Some(Event::Scanned(list_directory(&known)))
                }
                Action::MakePipe { service } => match nix::unistd::pipe2(OFlag::O_CLOEXEC) {
                    Ok(ends) => {
                        pipes.insert(service, ends);
                        Some(Event::PipeMade { service })
                    }
                    Err(e) => Some(Event::PipeFailed {
                        service,
                        errno: from_nix(e),
                    }),
                },
                Action::SpawnSupervise {
                    service,
                    role,
                    name,
                    logged,
                } => {
                    let pipe = if logged { pipes.get(&service) } else { None };
                    let result = spawn_supervise(&name, role, pipe, child_setup, child_message);
                    Some(match result {
                        Ok(pid) => Event::SpawnSucceeded { service, role, pid },
                        Err(errno) => Event::SpawnFailed {
                            service,
                            role,
                            errno,
                        },
                    })
                }
                Action::ClosePipe { service } => {
                    pipes.remove(&service);
                    None
                }
                Action::Warn(warning) => {
                    warn(&warning);
                    None
                }
                Action::Control { name, role, bytes } => {
                    send_control(&name, role, bytes);
                    None
                }
                Action::Exit(code) => std::process::exit(code),
            };
            if let Some(event) = answer {
                // Answers come before anything else still queued.
                for (i, next) in machine.handle(clock::now(), event).into_iter().enumerate() {
                    work.insert(i, next);
                }
            }
        }
        match &wakeups {
            Some(wakeups) => {
                let deadline = machine.next_deadline();
                let woken = wakeups.wait(deadline);
                if let Some(mode) = options.stop {
                    while let Some((pid, _)) = reap() {
                        work.extend(machine.handle(clock::now(), Event::ChildExited { pid }));
                    }
                    if woken.stop {
                        let event = Event::Stop {
                            grace_secs: mode.grace_secs,
                        };
                        work.extend(machine.handle(clock::now(), event));
                    }
                }
                if woken.rescan {
                    work.extend(machine.handle(clock::now(), Event::Rescan));
                }
                if deadline.is_some_and(|d| clock::mono() >= d) {
                    work.extend(machine.handle(clock::now(), Event::Tick));
                }
            }
            None => {
                // 0.76: sleep until the next scan; children are reaped then.
                if let Some(deadline) = machine.next_deadline() {
                    let left = deadline.0.saturating_sub(clock::mono().0);
                    std::thread::sleep(std::time::Duration::from_nanos(left));
                }
                work.extend(machine.handle(clock::now(), Event::Tick));
            }
        }
    }
}

/// Write `bytes` to a supervise's control FIFO as svc does; failures are
/// ignored because the machine asks again.
//= spec/svscan.md#scan-9
fn send_control(name: &[u8], role: Role, bytes: &[u8]) {
    let mut path = name.to_vec();
    if role == Role::Log {
        path.extend_from_slice(b"/log");
    }
    path.extend_from_slice(b"/supervise/control");
    let flags = OFlag::O_WRONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
    if let Ok(fd) = nix::fcntl::open(OsStr::from_bytes(&path), flags, Mode::empty()) {
        let _ = nix::unistd::write(fd.as_fd(), bytes);
    }
}

/// Read `.` in readdir order, `stat`ing each entry (following symlinks) and,
/// for directories not `known` (by device and inode), their `log`.
//= spec/svscan.md#scan-3
fn list_directory(known: &[(u64, u64)]) -> Listing {
    let mut listing = Listing::default();
    let entries = match std::fs::read_dir(".") {
        Ok(entries) => entries,
        Err(e) => {
            listing.error = Some(Errno(e.raw_os_error().unwrap_or(0)));
            return listing;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                listing.error = Some(Errno(e.raw_os_error().unwrap_or(0)));
                break;
            }
        };
        let name = entry.file_name().into_vec();
        let kind = probe(&name, known);
        listing.entries.push(Entry { name, kind });
    }
    listing
}

/// `known` is sorted.
fn probe(name: &[u8], known: &[(u64, u64)]) -> EntryKind {
    if name.first() == Some(&b'.') {
        return EntryKind::NotDirectory;
    }
    let st = match nix::sys::stat::stat(OsStr::from_bytes(name)) {
        Ok(st) => st,
        Err(e) => return EntryKind::StatFailed(from_nix(e)),
    };
    if st.st_mode & libc::S_IFMT != libc::S_IFDIR {
        return EntryKind::NotDirectory;
    }
    //= spec/svscan.md#scan-6
    let log = if known.binary_search(&(st.st_dev, st.st_ino)).is_ok() {
        // Not looked at: the machine decides a service's log only when it
        // first meets it.
        LogProbe::Missing
    } else if name.len() > 255 {
        LogProbe::NameTooLong
    } else {
        let mut path = name.to_vec();
        path.extend_from_slice(b"/log");
        match nix::sys::stat::stat(OsStr::from_bytes(&path)) {
            Ok(_) => LogProbe::Exists,
            Err(nix::errno::Errno::ENOENT) => LogProbe::Missing,
            Err(e) => LogProbe::Failed(from_nix(e)),
        }
    };
    EntryKind::Directory {
        dev: st.st_dev,
        ino: st.st_ino,
        log,
    }
}

/// What a child of svscan gets back before it runs supervise: the signal
/// mask and descriptor limit svscan had before its extensions changed them.
#[derive(Clone, Copy, Debug)]
struct ChildSetup {
    mask: Option<SigSet>,
    descriptor_limit: Option<(u64, u64)>,
}

/// fork; the child puts the pipe end in place, (for a log) changes into
/// the service directory, and runs `supervise <name>` or `supervise log`
/// through the PATH. A child that fails prints its message and exits 111.
//= spec/svscan.md#scan-7
fn spawn_supervise(
    name: &[u8],
    role: Role,
    pipe: Option<&(OwnedFd, OwnedFd)>,
    setup: ChildSetup,
    child_message: ChildMessage<'_>,
) -> Result<dt_core::process::Pid, Errno> {
    let argument = match role {
        Role::Main => name.to_vec(),
        Role::Log => b"log".to_vec(),
    };
    // Built before fork, so the child only calls execve (0.76's pathexec
    // rules: no shell fallback for scripts without `#!`).
    let program = crate::exec::Program::new(&[b"supervise".to_vec(), argument], &[]);
    let dir = c_string(name);
    let messages = [ChildStage::Descriptors, ChildStage::Chdir, ChildStage::Exec]
        .map(|stage| child_message(stage, name, role));
    // The child shares svscan's memory until it execs: it only makes
    // system calls on what was prepared above (`vfork_child`'s contract).
    crate::process::vfork_child(move || {
        let fail = |stage: ChildStage, errno: Errno| -> ! {
            let words = errno.describe().as_bytes();
            crate::process::child_exit_parts(&[&messages[stage as usize], words, b"\n"], 111)
        };
        if let Some(mask) = setup.mask {
            let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&mask), None);
        }
        if let Some((soft, hard)) = setup.descriptor_limit {
            let _ = crate::rlimit::set(Resource::Nofile, soft, hard);
        }
        if let Some((read, write)) = pipe {
            let moved = match role {
                Role::Main => nix::unistd::dup2_stdout(write.as_fd()),
                Role::Log => nix::unistd::dup2_stdin(read.as_fd()),
            };
            if let Err(e) = moved {
                fail(ChildStage::Descriptors, from_nix(e));
            }
        }
        if role == Role::Log {
            if let Err(e) = nix::unistd::chdir(dir.as_c_str()) {
                fail(ChildStage::Chdir, from_nix(e));
            }
        }
        let errno = match &program {
            Ok(program) => program.exec(),
            Err(e) => *e,
        };
        fail(ChildStage::Exec, errno)
    })
}

fn c_string(bytes: &[u8]) -> CString {
    // Directory entry names cannot hold NUL bytes.
    CString::new(bytes).unwrap_or_default()
}
