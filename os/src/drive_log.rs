//! The multilog driver: a poll loop over standard input and a signalfd for
//! TERM, ALRM and CHLD, carrying out [`dt_core::multilog::Logger`]'s
//! actions through a [`LogFs`] in the order it gives them.
//!
//! The filesystem effects sit behind the [`LogFs`] trait: [`RealFs`] does
//! them with `openat`/`renameat`/`linkat`/`unlinkat` relative to each log
//! directory's descriptor and never follows a symbolic link (LOG-24);
//! [`Faulty`] wraps any `LogFs` and makes chosen calls fail or write short,
//! for tests.

use crate::clock;
use crate::errno::from_nix;
use crate::process::{child_exit, fork_child};
use dt_core::multilog::{
    Action, Done, Event, Failure, Fatal, FileInfo, FileKind, FileName, Logger, OpenMode, ReadSize,
    Script,
};
use dt_core::process::{ExitKind, Pid};
use dt_core::Errno;
use nix::fcntl::{openat, renameat, Flock, FlockArg, OFlag, AT_FDCWD};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::stat::{fchmod, fstatat, mkdirat, umask, Mode};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fsync, linkat, unlinkat, UnlinkatFlags};
use std::collections::VecDeque;
use std::ffi::{CString, OsStr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;

/// The largest read of standard input (LOG-27): a pipe's default capacity,
/// and a multiple of 0.76's 1024 (LOG-9).
pub const READ_MAX: usize = 64 * 1024;

/// The filesystem effects of multilog, one call per action.
///
/// `dir` is the index of a log directory in the script, `file` a status
/// file's. Files in a log directory are named relative to the descriptor
/// [`LogFs::open_dir`] opened, and none is reached through a symbolic link.
pub trait LogFs {
    /// Create a `=` file (append, 0600) relative to the starting directory,
    /// and close it.
    fn create_status_file(&mut self, file: usize, path: &[u8]) -> Result<(), Errno>;
    /// Open a `=` file write-only and keep it.
    fn open_status_file(&mut self, file: usize, path: &[u8]) -> Result<(), Errno>;
    /// Move to the start of a `=` file.
    fn seek_status_file(&mut self, file: usize) -> Result<(), Errno>;
    /// Write to a `=` file; the count written.
    fn write_status_file(&mut self, file: usize, bytes: &[u8]) -> Result<usize, Errno>;
    /// Create (0700, errors ignored) and open a log directory.
    fn open_dir(&mut self, dir: usize, path: &[u8]) -> Result<(), Errno>;
    /// Open and exclusively lock `lock` without waiting.
    fn lock_dir(&mut self, dir: usize) -> Result<(), Errno>;
    /// The names starting with `@` that are at least 25 bytes long.
    fn list(&mut self, dir: usize) -> Result<Vec<Vec<u8>>, Errno>;
    /// `lstat`; `None` if the file does not exist.
    fn stat(&mut self, dir: usize, file: &FileName) -> Result<Option<FileInfo>, Errno>;
    /// Remove a file.
    fn unlink(&mut self, dir: usize, file: &FileName) -> Result<(), Errno>;
    /// Rename within the directory.
    fn rename(&mut self, dir: usize, from: &FileName, to: &FileName) -> Result<(), Errno>;
    /// Make a hard link within the directory.
    fn link(&mut self, dir: usize, from: &FileName, to: &FileName) -> Result<(), Errno>;
    /// Change a file's mode by name.
    fn chmod(&mut self, dir: usize, file: &FileName, mode: u32) -> Result<(), Errno>;
    /// Open a file and keep it under its name.
    fn open(&mut self, dir: usize, file: &FileName, mode: OpenMode) -> Result<(), Errno>;
    /// fsync a kept file.
    fn fsync(&mut self, dir: usize, file: &FileName) -> Result<(), Errno>;
    /// Change a kept file's mode.
    fn fchmod(&mut self, dir: usize, file: &FileName, mode: u32) -> Result<(), Errno>;
    /// Close a kept file.
    fn close(&mut self, dir: usize, file: &FileName);
    /// Write to the kept `current`; the count written.
    fn append(&mut self, dir: usize, bytes: &[u8]) -> Result<usize, Errno>;
    /// Start the processor (LOG-17); its pid.
    fn spawn_processor(&mut self, dir: usize, processor: &[u8]) -> Result<Pid, Errno>;
}

/// What carrying out one action gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The answer to hand to the machine at once.
    Answer(Event<'static>),
    /// A processor runs; its end is the answer.
    Spawned(Pid),
    /// Nothing to answer (`Close`, and the actions the driver handles
    /// itself: `Stderr`, `Warn`, `Fatal`, `Exit`).
    Nothing,
}

fn answer<T>(result: Result<T, Errno>, done: impl FnOnce(T) -> Done) -> Outcome {
    Outcome::Answer(match result {
        Ok(value) => Event::StepDone(done(value)),
        Err(errno) => Event::StepFailed(errno),
    })
}

/// Carry out one filesystem action through `fs`.
pub fn execute(fs: &mut impl LogFs, action: &Action) -> Outcome {
    let ok = |()| Done::Ok;
    match action {
        Action::CreateStatusFile { file, path } => answer(fs.create_status_file(*file, path), ok),
        Action::OpenStatusFile { file, path } => answer(fs.open_status_file(*file, path), ok),
        Action::SeekStatusFile { file } => answer(fs.seek_status_file(*file), ok),
        Action::WriteStatusFile { file, bytes } => {
            answer(fs.write_status_file(*file, bytes), Done::Written)
        }
        Action::OpenDir { dir, path } => answer(fs.open_dir(*dir, path), ok),
        Action::LockDir { dir } => answer(fs.lock_dir(*dir), ok),
        Action::List { dir } => answer(fs.list(*dir), Done::Listed),
        Action::Stat { dir, file } => answer(fs.stat(*dir, file), Done::Stat),
        Action::Unlink { dir, file } => answer(fs.unlink(*dir, file), ok),
        Action::Rename { dir, from, to } => answer(fs.rename(*dir, from, to), ok),
        Action::Link { dir, from, to } => answer(fs.link(*dir, from, to), ok),
        Action::Chmod { dir, file, mode } => answer(fs.chmod(*dir, file, *mode), ok),
        Action::Open { dir, file, mode } => answer(fs.open(*dir, file, *mode), ok),
        Action::Fsync { dir, file } => answer(fs.fsync(*dir, file), ok),
        Action::Fchmod { dir, file, mode } => answer(fs.fchmod(*dir, file, *mode), ok),
        Action::Close { dir, file } => {
            fs.close(*dir, file);
            Outcome::Nothing
        }
        Action::Append { dir, bytes } => answer(fs.append(*dir, bytes), Done::Written),
        Action::SpawnProcessor { dir, processor } => match fs.spawn_processor(*dir, processor) {
            Ok(pid) => Outcome::Spawned(pid),
            Err(errno) => Outcome::Answer(Event::StepFailed(errno)),
        },
        Action::Stderr(_) | Action::Warn(_) | Action::Fatal(_) | Action::Exit(_) => {
            Outcome::Nothing
        }
    }
}

fn retry<T>(mut call: impl FnMut() -> nix::Result<T>) -> Result<T, Errno> {
    loop {
        match call() {
            Err(nix::errno::Errno::EINTR) => continue,
            other => return other.map_err(from_nix),
        }
    }
}

fn c_name(bytes: &[u8]) -> &OsStr {
    OsStr::from_bytes(bytes)
}

/// Words a processor's failure: what its child prints before the error
/// words when it cannot run `/bin/sh -c <processor>`.
pub type ProcessorMessage = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// A log directory's descriptors.
struct DirFds {
    dir: OwnedFd,
    lock: Option<Flock<OwnedFd>>,
    files: Vec<(FileName, OwnedFd)>,
}

/// The real filesystem.
pub struct RealFs {
    start: OwnedFd,
    dirs: Vec<Option<DirFds>>,
    status: Vec<Option<OwnedFd>>,
    /// What the processor's child prints before the error words when it
    /// cannot run the processor.
    processor_message: ProcessorMessage,
}

const APPEND: OFlag = OFlag::O_WRONLY
    .union(OFlag::O_APPEND)
    .union(OFlag::O_CREAT)
    .union(OFlag::O_NONBLOCK)
    .union(OFlag::O_CLOEXEC);
const TRUNCATE: OFlag = OFlag::O_WRONLY
    .union(OFlag::O_TRUNC)
    .union(OFlag::O_CREAT)
    .union(OFlag::O_NONBLOCK)
    .union(OFlag::O_CLOEXEC);

impl RealFs {
    /// Open the starting directory (`.`), relative to which the script's
    /// paths are read. `processor_message` words a processor's failure.
    pub fn new(processor_message: ProcessorMessage) -> Result<RealFs, Errno> {
        let start = retry(|| {
            openat(
                AT_FDCWD,
                ".",
                OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
        })?;
        Ok(RealFs {
            start,
            dirs: Vec::new(),
            status: Vec::new(),
            processor_message,
        })
    }

    fn dir(&self, dir: usize) -> Result<&DirFds, Errno> {
        self.dirs
            .get(dir)
            .and_then(Option::as_ref)
            .ok_or(Errno::EBADF)
    }

    fn dir_mut(&mut self, dir: usize) -> Result<&mut DirFds, Errno> {
        self.dirs
            .get_mut(dir)
            .and_then(Option::as_mut)
            .ok_or(Errno::EBADF)
    }

    fn kept(&self, dir: usize, file: &FileName) -> Result<BorrowedFd<'_>, Errno> {
        let fds = self.dir(dir)?;
        fds.files
            .iter()
            .find(|(name, _)| name == file)
            .map(|(_, fd)| fd.as_fd())
            .ok_or(Errno::EBADF)
    }

    fn status_fd(&self, file: usize) -> Result<BorrowedFd<'_>, Errno> {
        self.status
            .get(file)
            .and_then(Option::as_ref)
            .map(AsFd::as_fd)
            .ok_or(Errno::EBADF)
    }

    fn set<T>(slots: &mut Vec<Option<T>>, index: usize, value: T) {
        if slots.len() <= index {
            slots.resize_with(index + 1, || None);
        }
        slots[index] = Some(value);
    }
}

fn write_once(fd: BorrowedFd<'_>, bytes: &[u8]) -> Result<usize, Errno> {
    retry(|| nix::unistd::write(fd, bytes))
}

impl LogFs for RealFs {
    //= spec/multilog.md#log-6
    fn create_status_file(&mut self, _file: usize, path: &[u8]) -> Result<(), Errno> {
        let mode = Mode::from_bits_truncate(0o600);
        retry(|| openat(&self.start, c_name(path), APPEND, mode)).map(drop)
    }

    fn open_status_file(&mut self, file: usize, path: &[u8]) -> Result<(), Errno> {
        let flags = OFlag::O_WRONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
        let fd = retry(|| openat(&self.start, c_name(path), flags, Mode::empty()))?;
        RealFs::set(&mut self.status, file, fd);
        Ok(())
    }

    fn seek_status_file(&mut self, file: usize) -> Result<(), Errno> {
        let fd = self.status_fd(file)?;
        retry(|| nix::unistd::lseek(fd, 0, nix::unistd::Whence::SeekSet)).map(drop)
    }

    fn write_status_file(&mut self, file: usize, bytes: &[u8]) -> Result<usize, Errno> {
        write_once(self.status_fd(file)?, bytes)
    }

    //= spec/multilog.md#log-12
    fn open_dir(&mut self, dir: usize, path: &[u8]) -> Result<(), Errno> {
        let _ = mkdirat(&self.start, c_name(path), Mode::from_bits_truncate(0o700));
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
        let fd = retry(|| openat(&self.start, c_name(path), flags, Mode::empty()))?;
        RealFs::set(
            &mut self.dirs,
            dir,
            DirFds {
                dir: fd,
                lock: None,
                files: Vec::new(),
            },
        );
        Ok(())
    }

    fn lock_dir(&mut self, dir: usize) -> Result<(), Errno> {
        let fds = self.dir_mut(dir)?;
        let mode = Mode::from_bits_truncate(0o600);
        let fd = retry(|| openat(&fds.dir, "lock", APPEND | OFlag::O_NOFOLLOW, mode))?;
        let locked =
            Flock::lock(fd, FlockArg::LockExclusiveNonblock).map_err(|(_, e)| from_nix(e))?;
        fds.lock = Some(locked);
        Ok(())
    }

    fn list(&mut self, dir: usize) -> Result<Vec<Vec<u8>>, Errno> {
        let fds = self.dir(dir)?;
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
        let fd = retry(|| openat(&fds.dir, ".", flags, Mode::empty()))?;
        read_names(fd)
    }

    fn stat(&mut self, dir: usize, file: &FileName) -> Result<Option<FileInfo>, Errno> {
        let fds = self.dir(dir)?;
        let flags = nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW;
        match retry(|| fstatat(&fds.dir, c_name(file.as_bytes()), flags)) {
            Ok(st) => Ok(Some(file_info(&st))),
            Err(Errno::ENOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn unlink(&mut self, dir: usize, file: &FileName) -> Result<(), Errno> {
        let fds = self.dir(dir)?;
        let name = c_name(file.as_bytes());
        retry(|| unlinkat(&fds.dir, name, UnlinkatFlags::NoRemoveDir))
    }

    fn rename(&mut self, dir: usize, from: &FileName, to: &FileName) -> Result<(), Errno> {
        let fds = self.dir(dir)?;
        let (from, to) = (c_name(from.as_bytes()), c_name(to.as_bytes()));
        retry(|| renameat(&fds.dir, from, &fds.dir, to))
    }

    fn link(&mut self, dir: usize, from: &FileName, to: &FileName) -> Result<(), Errno> {
        let fds = self.dir(dir)?;
        let (from, to) = (c_name(from.as_bytes()), c_name(to.as_bytes()));
        // No AT_SYMLINK_FOLLOW: a symbolic link is linked as itself.
        retry(|| linkat(&fds.dir, from, &fds.dir, to, nix::fcntl::AtFlags::empty()))
    }

    //= spec/multilog.md#log-24
    fn chmod(&mut self, dir: usize, file: &FileName, mode: u32) -> Result<(), Errno> {
        let fds = self.dir(dir)?;
        let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
        let fd = retry(|| openat(&fds.dir, c_name(file.as_bytes()), flags, Mode::empty()))?;
        retry(|| fchmod(&fd, Mode::from_bits_truncate(mode)))
    }

    //= spec/multilog.md#log-24
    fn open(&mut self, dir: usize, file: &FileName, mode: OpenMode) -> Result<(), Errno> {
        let fds = self.dir_mut(dir)?;
        let (flags, perm) = match mode {
            OpenMode::Append => (APPEND, 0o600),
            OpenMode::Truncate => (TRUNCATE, 0o644),
        };
        let perm = Mode::from_bits_truncate(perm);
        let name = c_name(file.as_bytes());
        let fd = retry(|| openat(&fds.dir, name, flags | OFlag::O_NOFOLLOW, perm))?;
        fds.files.retain(|(kept, _)| kept != file);
        fds.files.push((file.clone(), fd));
        Ok(())
    }

    fn fsync(&mut self, dir: usize, file: &FileName) -> Result<(), Errno> {
        let fd = self.kept(dir, file)?;
        retry(|| fsync(fd))
    }

    fn fchmod(&mut self, dir: usize, file: &FileName, mode: u32) -> Result<(), Errno> {
        let fd = self.kept(dir, file)?;
        retry(|| fchmod(fd, Mode::from_bits_truncate(mode)))
    }

    fn close(&mut self, dir: usize, file: &FileName) {
        if let Ok(fds) = self.dir_mut(dir) {
            fds.files.retain(|(kept, _)| kept != file);
        }
    }

    fn append(&mut self, dir: usize, bytes: &[u8]) -> Result<usize, Errno> {
        write_once(self.kept(dir, &FileName::Current)?, bytes)
    }

    //= spec/multilog.md#log-17
    fn spawn_processor(&mut self, dir: usize, processor: &[u8]) -> Result<Pid, Errno> {
        let dir_fd = self.dir(dir)?.dir.as_raw_fd();
        let mut message = (self.processor_message)(processor);
        message.reserve(64);
        let shell = CString::new("/bin/sh").unwrap_or_default();
        let argv = [
            CString::new("sh").unwrap_or_default(),
            CString::new("-c").unwrap_or_default(),
            // A script argument cannot hold a NUL byte.
            CString::new(processor).unwrap_or_default(),
        ];
        fork_child(move || {
            let errno = match processor_child(dir_fd, &shell, &argv) {
                Err(errno) => errno,
                Ok(never) => match never {},
            };
            message.extend_from_slice(errno.describe().as_bytes());
            message.push(b'\n');
            child_exit(&message, 111)
        })
    }
}

/// In the forked child: descriptors 0, 1, 4, 5 as the processor expects
/// them, signals back to normal, then `/bin/sh -c processor`.
fn processor_child(
    dir_fd: RawFd,
    shell: &CString,
    argv: &[CString],
) -> Result<std::convert::Infallible, Errno> {
    // SAFETY: `dir_fd` is the parent's directory descriptor, open in this
    // copy of the process for as long as it lives.
    let dir = unsafe { BorrowedFd::borrow_raw(dir_fd) };
    retry(|| nix::unistd::fchdir(dir))?;
    let read = OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_NOFOLLOW;
    let trunc = OFlag::O_WRONLY | OFlag::O_TRUNC | OFlag::O_CREAT | OFlag::O_NONBLOCK;
    let trunc = trunc | OFlag::O_NOFOLLOW;
    let perm = Mode::from_bits_truncate(0o644);
    for (name, flags, target) in [
        ("previous", read, 0),
        ("processed", trunc, 1),
        ("state", read, 4),
        ("newstate", trunc, 5),
    ] {
        let fd = retry(|| openat(AT_FDCWD, name, flags, perm))?;
        move_fd(fd, target)?;
    }
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None);
    retry(|| nix::unistd::execv(shell, argv))
}

/// Put `fd` on descriptor `target` (inheritable), as 0.76's `fd_move`.
fn move_fd(fd: OwnedFd, target: RawFd) -> Result<(), Errno> {
    let raw = fd.as_raw_fd();
    if raw == target {
        // Opened without O_CLOEXEC: keep it open across exec.
        std::mem::forget(fd);
        return Ok(());
    }
    // SAFETY: dup2 on a descriptor we own onto a number the child is about
    // to hand to the processor; nothing else in this single-threaded child
    // uses `target`.
    if unsafe { libc::dup2(raw, target) } == -1 {
        return Err(crate::errno::last());
    }
    drop(fd);
    Ok(())
}

fn file_info(st: &nix::sys::stat::FileStat) -> FileInfo {
    let kind = match st.st_mode & libc::S_IFMT {
        libc::S_IFREG => FileKind::Regular,
        libc::S_IFLNK => FileKind::Symlink,
        _ => FileKind::Other,
    };
    FileInfo {
        kind,
        mode: st.st_mode & 0o7777,
        nlink: st.st_nlink,
        size: u64::try_from(st.st_size).unwrap_or(0),
    }
}

/// The archive names in the directory open on `fd` (which is consumed).
fn read_names(fd: OwnedFd) -> Result<Vec<Vec<u8>>, Errno> {
    let raw = std::os::fd::IntoRawFd::into_raw_fd(fd);
    // SAFETY: fdopendir takes ownership of `raw`, a directory descriptor we
    // own; closedir below releases both.
    let stream = unsafe { libc::fdopendir(raw) };
    if stream.is_null() {
        let errno = crate::errno::last();
        // SAFETY: fdopendir failed, so `raw` is still ours to close.
        unsafe { libc::close(raw) };
        return Err(errno);
    }
    let mut names = Vec::new();
    let result = loop {
        nix::errno::Errno::clear();
        // SAFETY: `stream` is a valid open directory stream until closedir.
        let entry = unsafe { libc::readdir(stream) };
        if entry.is_null() {
            let errno = nix::errno::Errno::last_raw();
            break if errno == 0 {
                Ok(())
            } else {
                Err(Errno(errno))
            };
        }
        // SAFETY: readdir returned a valid entry whose d_name is a
        // NUL-terminated string, valid until the next readdir call.
        let name = unsafe { std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()) }.to_bytes();
        if dt_core::multilog::is_archive(name) {
            names.push(name.to_vec());
        }
    };
    // SAFETY: `stream` is open and closed exactly once.
    unsafe { libc::closedir(stream) };
    result.map(|()| names)
}

/// Which calls [`Faulty`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Writes to `current` and to `=` files.
    Write,
    /// fsync.
    Fsync,
    /// rename.
    Rename,
    /// link.
    Link,
    /// open (of files in a log directory).
    Open,
    /// unlink.
    Unlink,
    /// chmod and fchmod.
    Chmod,
    /// Every call.
    Any,
}

/// What [`Faulty`] does to the call it hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Fail with this error, doing nothing.
    Fail(Errno),
    /// (Writes only) write at most this many bytes.
    Short(usize),
}

/// A fault rule: the `nth` call (from 1) of kind `op` suffers `fault`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The kind of call.
    pub op: Op,
    /// Which one, counting from 1.
    pub nth: u64,
    /// What happens to it.
    pub fault: Fault,
}

/// A [`LogFs`] that makes chosen calls of another fail or write short.
pub struct Faulty<F> {
    /// The filesystem underneath.
    pub inner: F,
    rules: Vec<Rule>,
    counts: Vec<(Op, u64)>,
    /// Faults applied so far.
    pub hits: Vec<Rule>,
}

impl<F: LogFs> Faulty<F> {
    /// Wrap `inner` with these rules.
    pub fn new(inner: F, rules: Vec<Rule>) -> Faulty<F> {
        Faulty {
            inner,
            rules,
            counts: Vec::new(),
            hits: Vec::new(),
        }
    }

    fn count(&mut self, op: Op) -> u64 {
        match self.counts.iter_mut().find(|(o, _)| *o == op) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.counts.push((op, 1));
                1
            }
        }
    }

    /// Count a call of kind `op`; the fault that hits it, if any.
    fn check(&mut self, op: Op) -> Option<Fault> {
        let nth = self.count(op);
        let any = self.count(Op::Any);
        let rule = self
            .rules
            .iter()
            .find(|r| (r.op == op && r.nth == nth) || (r.op == Op::Any && r.nth == any))
            .copied()?;
        self.hits.push(rule);
        Some(rule.fault)
    }

    fn guard(&mut self, op: Op) -> Result<(), Errno> {
        match self.check(op) {
            Some(Fault::Fail(errno)) => Err(errno),
            _ => Ok(()),
        }
    }

    fn write_with(
        &mut self,
        bytes: &[u8],
        write: impl FnOnce(&mut F, &[u8]) -> Result<usize, Errno>,
    ) -> Result<usize, Errno> {
        match self.check(Op::Write) {
            Some(Fault::Fail(errno)) => Err(errno),
            Some(Fault::Short(n)) => write(&mut self.inner, &bytes[..n.min(bytes.len())]),
            None => write(&mut self.inner, bytes),
        }
    }
}

impl<F: LogFs> LogFs for Faulty<F> {
    fn create_status_file(&mut self, file: usize, path: &[u8]) -> Result<(), Errno> {
        self.guard(Op::Open)?;
        self.inner.create_status_file(file, path)
    }
    fn open_status_file(&mut self, file: usize, path: &[u8]) -> Result<(), Errno> {
        self.guard(Op::Open)?;
        self.inner.open_status_file(file, path)
    }
    fn seek_status_file(&mut self, file: usize) -> Result<(), Errno> {
        self.guard(Op::Any)?;
        self.inner.seek_status_file(file)
    }
    fn write_status_file(&mut self, file: usize, bytes: &[u8]) -> Result<usize, Errno> {
        self.write_with(bytes, |fs, b| fs.write_status_file(file, b))
    }
    fn open_dir(&mut self, dir: usize, path: &[u8]) -> Result<(), Errno> {
        self.guard(Op::Open)?;
        self.inner.open_dir(dir, path)
    }
    fn lock_dir(&mut self, dir: usize) -> Result<(), Errno> {
        self.guard(Op::Open)?;
        self.inner.lock_dir(dir)
    }
    fn list(&mut self, dir: usize) -> Result<Vec<Vec<u8>>, Errno> {
        self.guard(Op::Any)?;
        self.inner.list(dir)
    }
    fn stat(&mut self, dir: usize, file: &FileName) -> Result<Option<FileInfo>, Errno> {
        self.guard(Op::Any)?;
        self.inner.stat(dir, file)
    }
    fn unlink(&mut self, dir: usize, file: &FileName) -> Result<(), Errno> {
        self.guard(Op::Unlink)?;
        self.inner.unlink(dir, file)
    }
    fn rename(&mut self, dir: usize, from: &FileName, to: &FileName) -> Result<(), Errno> {
        self.guard(Op::Rename)?;
        self.inner.rename(dir, from, to)
    }
    fn link(&mut self, dir: usize, from: &FileName, to: &FileName) -> Result<(), Errno> {
        self.guard(Op::Link)?;
        self.inner.link(dir, from, to)
    }
    fn chmod(&mut self, dir: usize, file: &FileName, mode: u32) -> Result<(), Errno> {
        self.guard(Op::Chmod)?;
        self.inner.chmod(dir, file, mode)
    }
    fn open(&mut self, dir: usize, file: &FileName, mode: OpenMode) -> Result<(), Errno> {
        self.guard(Op::Open)?;
        self.inner.open(dir, file, mode)
    }
    fn fsync(&mut self, dir: usize, file: &FileName) -> Result<(), Errno> {
        self.guard(Op::Fsync)?;
        self.inner.fsync(dir, file)
    }
    fn fchmod(&mut self, dir: usize, file: &FileName, mode: u32) -> Result<(), Errno> {
        self.guard(Op::Chmod)?;
        self.inner.fchmod(dir, file, mode)
    }
    fn close(&mut self, dir: usize, file: &FileName) {
        self.inner.close(dir, file);
    }
    fn append(&mut self, dir: usize, bytes: &[u8]) -> Result<usize, Errno> {
        self.write_with(bytes, |fs, b| fs.append(dir, b))
    }
    fn spawn_processor(&mut self, dir: usize, processor: &[u8]) -> Result<Pid, Errno> {
        self.guard(Op::Any)?;
        self.inner.spawn_processor(dir, processor)
    }
}

/// Wait for a processor to end (blocking; for tests and simple drivers).
pub fn wait_processor(pid: Pid) -> Result<ExitKind, Errno> {
    let pid = nix::unistd::Pid::from_raw(pid.0);
    loop {
        match retry(|| waitpid(pid, None))? {
            WaitStatus::Exited(_, code) => return Ok(ExitKind::Exited(code as u8)),
            WaitStatus::Signaled(_, signal, _) => return Ok(ExitKind::Signaled(signal as i32)),
            _ => continue,
        }
    }
}

/// How the program prints what the machine reports.
pub struct Report<'a> {
    /// A warning (the machine pauses after it).
    pub warn: &'a mut dyn FnMut(&Failure),
    /// A fatal message (an exit follows).
    pub fatal: &'a mut dyn FnMut(&Fatal),
}

/// Why the driver could not start the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriveError {
    /// `.` could not be opened.
    CurrentDir(Errno),
    /// The signal descriptor could not be made.
    Signals(Errno),
}

/// Run multilog in the current directory: read standard input until the
/// machine exits; the exit code.
//= spec/multilog.md#log-19
//= spec/multilog.md#log-21
//= spec/multilog.md#log-27
pub fn run(
    script: Script,
    mut report: Report<'_>,
    processor_message: ProcessorMessage,
) -> Result<i32, DriveError> {
    umask(Mode::from_bits_truncate(0o022));
    let mut fs = RealFs::new(processor_message).map_err(DriveError::CurrentDir)?;
    let mut mask = SigSet::empty();
    for signal in [Signal::SIGTERM, Signal::SIGALRM, Signal::SIGCHLD] {
        mask.add(signal);
    }
    mask.thread_block()
        .map_err(|e| DriveError::Signals(from_nix(e)))?;
    let signals = SignalFd::with_flags(&mask, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
        .map_err(|e| DriveError::Signals(from_nix(e)))?;
    let (mut machine, actions) = Logger::new(script, clock::now());
    let mut driver = Driver {
        pending: actions.into(),
        processor: None,
        // Not zeroed: calloc would write all 64 KiB at start-up, making
        // every idle multilog hold them; unwritten, only the pages input
        // reaches are ever made resident (read_into).
        buf: Vec::with_capacity(READ_MAX),
    };
    loop {
        if let Some(code) = driver.carry_out(&mut machine, &mut fs, &mut report) {
            return Ok(code);
        }
        driver.wait(&mut machine, &signals);
    }
}

/// `read(2)` of at most `max` bytes into the unused capacity of `buf`, which
/// then holds exactly what was read (it is emptied first).
fn read_into(fd: BorrowedFd<'_>, buf: &mut Vec<u8>, max: usize) -> nix::Result<usize> {
    buf.clear();
    let spare = buf.spare_capacity_mut();
    let len = max.min(spare.len());
    // SAFETY: the kernel writes at most `len` bytes at the start of the
    // spare capacity, which `buf` owns; the `n` it reports are then
    // initialised, and only they are made part of `buf`.
    let n = unsafe { libc::read(fd.as_raw_fd(), spare.as_mut_ptr().cast(), len) };
    let n = usize::try_from(nix::errno::Errno::result(n)?).unwrap_or(0);
    // SAFETY: see above; n <= len <= capacity.
    unsafe { buf.set_len(n) };
    Ok(n)
}

struct Driver {
    pending: VecDeque<Action>,
    processor: Option<Pid>,
    buf: Vec<u8>,
}

impl Driver {
    fn feed(&mut self, machine: &mut Logger, event: Event<'_>) {
        let more = machine.handle(clock::now(), event);
        for (i, action) in more.into_iter().enumerate() {
            self.pending.insert(i, action);
        }
    }

    /// Carry out every pending action; `Some(code)` at `Exit`.
    fn carry_out(
        &mut self,
        machine: &mut Logger,
        fs: &mut impl LogFs,
        report: &mut Report<'_>,
    ) -> Option<i32> {
        while let Some(action) = self.pending.pop_front() {
            match &action {
                //= spec/multilog.md#log-5
                Action::Stderr(bytes) => write_stderr(bytes),
                Action::Warn(failure) => (report.warn)(failure),
                Action::Fatal(fatal) => (report.fatal)(fatal),
                Action::Exit(code) => return Some(*code),
                _ => {}
            }
            match execute(fs, &action) {
                Outcome::Answer(event) => self.feed(machine, event),
                Outcome::Spawned(pid) => self.processor = Some(pid),
                Outcome::Nothing => {}
            }
        }
        None
    }

    /// Wait for input, a signal, the processor or the deadline, and hand
    /// what happened to the machine.
    fn wait(&mut self, machine: &mut Logger, signals: &SignalFd) {
        let want = machine.wants_input();
        let deadline = machine.next_deadline();
        let timeout = match deadline {
            None => PollTimeout::NONE,
            Some(deadline) => {
                let left = deadline.0.saturating_sub(clock::mono().0);
                let millis = left.div_ceil(1_000_000).min(i32::MAX as u64);
                PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX)
            }
        };
        let stdin = std::io::stdin();
        let (signal_ready, input_ready) = {
            let mut fds = vec![PollFd::new(signals.as_fd(), PollFlags::POLLIN)];
            if want.is_some() {
                fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
            }
            match poll(&mut fds, timeout) {
                Ok(_) => {
                    let ready = |fd: &PollFd<'_>| fd.revents().is_some_and(|r| !r.is_empty());
                    (ready(&fds[0]), fds.get(1).is_some_and(ready))
                }
                Err(_) => (false, false),
            }
        };
        if signal_ready {
            while let Ok(Some(info)) = signals.read_signal() {
                match Signal::try_from(info.ssi_signo as i32) {
                    Ok(Signal::SIGTERM) => self.feed(machine, Event::Term),
                    Ok(Signal::SIGALRM) => self.feed(machine, Event::Alarm),
                    Ok(Signal::SIGCHLD) => self.reap(machine),
                    _ => {}
                }
            }
        }
        if input_ready && self.pending.is_empty() {
            if let Some(size) = machine.wants_input() {
                let max = match size {
                    ReadSize::Chunk => READ_MAX,
                    ReadSize::OneByte => 1,
                };
                match read_into(stdin.as_fd(), &mut self.buf, max) {
                    Ok(0) => self.feed(machine, Event::Eof),
                    Ok(n) => {
                        let more = machine.handle(clock::now(), Event::Input(&self.buf[..n]));
                        self.pending.extend(more);
                    }
                    Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => {}
                    //= spec/multilog.md#log-20
                    Err(_) => self.feed(machine, Event::Eof),
                }
            }
        }
        if machine.next_deadline().is_some_and(|d| d <= clock::mono()) {
            self.feed(machine, Event::Tick);
        }
    }

    fn reap(&mut self, machine: &mut Logger) {
        let Some(pid) = self.processor else {
            return;
        };
        let status = match waitpid(
            nix::unistd::Pid::from_raw(pid.0),
            Some(WaitPidFlag::WNOHANG),
        ) {
            Ok(WaitStatus::Exited(_, code)) => ExitKind::Exited(code as u8),
            Ok(WaitStatus::Signaled(_, signal, _)) => ExitKind::Signaled(signal as i32),
            _ => return,
        };
        self.processor = None;
        self.feed(machine, Event::ProcessorExited { status });
    }
}

/// Write to standard error, ignoring errors (SIGPIPE keeps its default).
fn write_stderr(mut bytes: &[u8]) {
    let stderr = std::io::stderr();
    while !bytes.is_empty() {
        match nix::unistd::write(stderr.as_fd(), bytes) {
            Ok(0) => return,
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EINTR) => {}
            Err(_) => return,
        }
    }
}
