//! The svscan driver: list the directory, make pipes, fork supervise
//! processes, sleep until the next scan — carrying out what
//! [`dt_core::scan::Scan`] decides, in the order it says.

use crate::clock;
use crate::errno::from_nix;
use crate::process::{fork_child, reap};
use dt_core::scan::{
    Action, Entry, EntryKind, Event, Listing, LogProbe, Role, Scan, ServiceId, Warning,
};
use dt_core::Errno;
use nix::fcntl::OFlag;
use std::collections::{HashMap, VecDeque};
use std::ffi::{CString, OsStr};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

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

/// Run svscan in the current directory forever, reporting warnings through
/// `warn`.
pub fn run(warn: &mut dyn FnMut(&Warning), child_message: ChildMessage<'_>) -> ! {
    let mut machine = Scan::new();
    let mut pipes: HashMap<ServiceId, (OwnedFd, OwnedFd)> = HashMap::new();
    let mut work: VecDeque<Action> = machine.handle(clock::now(), Event::Started).into();
    loop {
        while let Some(action) = work.pop_front() {
            let answer = match action {
                Action::Scan => {
                    while let Some((pid, _)) = reap() {
                        work.extend(machine.handle(clock::now(), Event::ChildExited { pid }));
                    }
                    Some(Event::Scanned(list_directory()))
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
                    let result = spawn_supervise(&name, role, pipe, child_message);
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
            };
            if let Some(event) = answer {
                // Answers come before anything else still queued.
                for (i, next) in machine.handle(clock::now(), event).into_iter().enumerate() {
                    work.insert(i, next);
                }
            }
        }
        if let Some(deadline) = machine.next_deadline() {
            let left = deadline.0.saturating_sub(clock::mono().0);
            std::thread::sleep(std::time::Duration::from_nanos(left));
        }
        work.extend(machine.handle(clock::now(), Event::Tick));
    }
}

/// Read `.` in readdir order, `stat`ing each entry (following symlinks) and,
/// for directories, their `log`.
//= spec/svscan.md#scan-3
fn list_directory() -> Listing {
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
        let name = entry.file_name().as_bytes().to_vec();
        let kind = probe(&name);
        listing.entries.push(Entry { name, kind });
    }
    listing
}

fn probe(name: &[u8]) -> EntryKind {
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
    let log = if name.len() > 255 {
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

/// fork; the child puts the pipe end in place, (for a log) changes into
/// the service directory, and runs `supervise <name>` or `supervise log`
/// through the PATH. A child that fails prints its message and exits 111.
//= spec/svscan.md#scan-7
fn spawn_supervise(
    name: &[u8],
    role: Role,
    pipe: Option<&(OwnedFd, OwnedFd)>,
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
    fork_child(move || {
        let fail = |stage: ChildStage, errno: Errno| -> ! {
            let mut line = messages[stage as usize].clone();
            line.extend_from_slice(errno.describe().as_bytes());
            line.push(b'\n');
            crate::process::child_exit(&line, 111)
        };
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
