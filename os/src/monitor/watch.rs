//! Change notification on service directories, with inotify.
//!
//! supervise replaces `supervise/status` by renaming `status.new` over it,
//! so the file itself cannot be watched (the watch would stay on the old
//! inode): the directory `supervise/` is, for names created, renamed in,
//! closed and removed in it. The service directory is watched too, for
//! `supervise/` appearing when a supervise starts there for the first time.
//! Which of the reported changes matter is core's decision
//! ([`dt_core::report::wait::worth_a_look`]); this module only reports them.

use crate::clock;
use crate::errno::from_nix;
use dt_core::report::wait::{Change, Place};
use dt_core::{Errno, Mono};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, InotifyEvent, WatchDescriptor};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;

/// An inotify instance and what each of its watches is on.
#[derive(Debug)]
pub struct Watcher {
    inotify: Inotify,
    places: HashMap<WatchDescriptor, Place>,
}

/// A watch that could not be set: the path and the error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchError {
    /// What was to be watched.
    pub path: Vec<u8>,
    /// Why it could not be.
    pub errno: Errno,
}

fn service_mask() -> AddWatchFlags {
    AddWatchFlags::IN_CREATE
        | AddWatchFlags::IN_MOVED_TO
        | AddWatchFlags::IN_DELETE_SELF
        | AddWatchFlags::IN_MOVE_SELF
        | AddWatchFlags::IN_ONLYDIR
}

fn supervise_mask() -> AddWatchFlags {
    service_mask()
        | AddWatchFlags::IN_CLOSE_WRITE
        | AddWatchFlags::IN_CLOSE_NOWRITE
        | AddWatchFlags::IN_DELETE
        | AddWatchFlags::IN_MOVED_FROM
}

impl Watcher {
    /// A new inotify instance (non-blocking, closed on exec).
    pub fn new() -> Result<Self, Errno> {
        let inotify =
            Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC).map_err(from_nix)?;
        Ok(Watcher {
            inotify,
            places: HashMap::new(),
        })
    }

    fn add(&mut self, path: &[u8], mask: AddWatchFlags, place: Place) -> Result<(), WatchError> {
        match self.inotify.add_watch(OsStr::from_bytes(path), mask) {
            Ok(wd) => {
                self.places.insert(wd, place);
                Ok(())
            }
            // Not there (yet): the look says what that means.
            Err(nix::errno::Errno::ENOENT | nix::errno::Errno::ENOTDIR) => Ok(()),
            Err(e) => Err(WatchError {
                path: path.to_vec(),
                errno: from_nix(e),
            }),
        }
    }

    /// Watch `dir` (relative to the current directory) and its
    /// `supervise/`, each if it exists. Watching again what is watched
    /// already changes nothing, so the driver calls this before every look:
    /// a `supervise/` made since the last one gets its watch.
    //= spec/svwait.md#wait-5
    pub fn watch(&mut self, dir: &[u8]) -> Result<(), WatchError> {
        self.add(dir, service_mask(), Place::Service)?;
        let mut supervise = dir.to_vec();
        supervise.extend_from_slice(b"/supervise");
        self.add(&supervise, supervise_mask(), Place::Supervise)
    }

    /// Block until changes are reported or the monotonic clock reaches
    /// `until`; every change read, in order (none if the time came or a
    /// signal interrupted the wait).
    pub fn wait(&mut self, until: Mono) -> Result<Vec<(Place, Vec<u8>, Change)>, Errno> {
        let left = until.0.saturating_sub(clock::mono().0);
        // Round up so that the deadline has passed when poll returns.
        let millis = left.div_ceil(1_000_000);
        let timeout = PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(self.inotify.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Ok(0) | Err(nix::errno::Errno::EINTR) => return Ok(Vec::new()),
            Ok(_) => {}
            Err(e) => return Err(from_nix(e)),
        }
        let mut changes = Vec::new();
        loop {
            match self.inotify.read_events() {
                Ok(events) if events.is_empty() => break,
                Ok(events) => {
                    for event in events {
                        changes.extend(self.translate(&event));
                    }
                }
                Err(nix::errno::Errno::EAGAIN) => break,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(from_nix(e)),
            }
        }
        Ok(changes)
    }

    fn translate(&mut self, event: &InotifyEvent) -> Option<(Place, Vec<u8>, Change)> {
        let mask = event.mask;
        let place = self
            .places
            .get(&event.wd)
            .copied()
            .unwrap_or(Place::Service);
        let change = if mask.contains(AddWatchFlags::IN_Q_OVERFLOW) {
            Change::Overflow
        } else if mask.intersects(
            AddWatchFlags::IN_IGNORED
                | AddWatchFlags::IN_DELETE_SELF
                | AddWatchFlags::IN_MOVE_SELF
                | AddWatchFlags::IN_UNMOUNT,
        ) {
            if mask.contains(AddWatchFlags::IN_IGNORED) {
                self.places.remove(&event.wd);
            }
            Change::WatchGone
        } else if mask.contains(AddWatchFlags::IN_CREATE) {
            Change::Created
        } else if mask.contains(AddWatchFlags::IN_MOVED_TO) {
            Change::MovedIn
        } else if mask.contains(AddWatchFlags::IN_CLOSE_WRITE) {
            Change::ClosedWrite
        } else if mask.contains(AddWatchFlags::IN_CLOSE_NOWRITE) {
            Change::ClosedRead
        } else if mask.intersects(AddWatchFlags::IN_DELETE | AddWatchFlags::IN_MOVED_FROM) {
            Change::Removed
        } else {
            return None;
        };
        let name = event
            .name
            .as_ref()
            .map(|n| n.as_bytes().to_vec())
            .unwrap_or_default();
        Some((place, name, change))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    /// A rename over `supervise/status` is reported as a name moved in, and
    /// `supervise/` appearing as a name created in the service directory.
    #[test]
    fn a_status_rename_and_a_new_supervise_directory_are_reported() {
        let root = std::env::temp_dir().join(format!("dt-os-watch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir(&root).expect("mkdir");
        let dir = root.as_os_str().as_bytes().to_vec();
        let mut watcher = Watcher::new().expect("inotify");
        watcher.watch(&dir).expect("watch");
        std::fs::create_dir(root.join("supervise")).expect("mkdir supervise");
        let seen = watcher.wait(clock::mono().after_secs(60)).expect("wait");
        assert!(
            seen.contains(&(Place::Service, b"supervise".to_vec(), Change::Created)),
            "{seen:?}"
        );
        watcher.watch(&dir).expect("watch again");
        std::fs::write(root.join("supervise/status.new"), [0u8; 18]).expect("write");
        std::fs::rename(
            root.join("supervise/status.new"),
            root.join("supervise/status"),
        )
        .expect("rename");
        let mut all = Vec::new();
        while !all.contains(&(Place::Supervise, b"status".to_vec(), Change::MovedIn)) {
            let seen = watcher.wait(clock::mono().after_secs(60)).expect("wait");
            assert!(!seen.is_empty(), "no rename reported: {all:?}");
            all.extend(seen);
        }
        let _ = std::fs::remove_dir_all(&root);
    }
}
