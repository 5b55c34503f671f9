//! An in-memory filesystem that carries out a [`Logger`]'s actions, with
//! injected failures, short writes and crashes: the test double that the
//! property tests, the exhaustive crash exploration, the snapshots and the
//! fuzz targets share.
//!
//! Pure code like the rest of core: no real file is touched. It models what
//! matters to multilog: directory entries, inodes with link counts, modes
//! and contents, open files, locks, symbolic links (never followed) and a
//! processor given as a function. A crash drops open files and locks and
//! keeps everything else, as a SIGKILL does.

use super::action::{Action, Failure, Fatal, FileName, OpenMode};
use super::event::{Done, Event, FileInfo, FileKind};
use super::rotate::is_archive;
use super::{Logger, ReadSize, Script};
use crate::process::ExitKind;
use crate::{label, Errno, Mono, Now};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A processor: from `previous` and `state` to `processed` and `newstate`,
/// or the way it failed.
pub type Processor = Box<dyn FnMut(&[u8], &[u8]) -> Result<(Vec<u8>, Vec<u8>), ExitKind>>;

/// What an injected fault does to the action it hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The action fails with this error and changes nothing.
    Fail(Errno),
    /// A write writes only this many bytes (other actions are unaffected).
    Short(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inode {
    data: Vec<u8>,
    mode: u32,
    nlink: u64,
    kind: FileKind,
}

/// A file as a test sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its contents (a symbolic link's target).
    pub data: Vec<u8>,
    /// Its permission bits.
    pub mode: u32,
    /// Its type.
    pub kind: FileKind,
    /// Its link count.
    pub nlink: u64,
}

/// The in-memory filesystem. See the module documentation.
pub struct MemFs {
    dirs: BTreeMap<Vec<u8>, BTreeMap<Vec<u8>, usize>>,
    inodes: Vec<Inode>,
    /// `=` files, by path.
    status_files: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Process state, lost in a crash.
    open_dirs: BTreeMap<usize, Vec<u8>>,
    locks: BTreeSet<Vec<u8>>,
    handles: BTreeMap<(usize, Vec<u8>), usize>,
    status_open: BTreeMap<usize, Vec<u8>>,
    processor: Option<Processor>,
    faults: BTreeMap<u64, Fault>,
    faults_on: bool,
    fault_clock: u64,
    /// Actions that needed an answer, so far.
    pub steps: u64,
    /// Everything written to standard error.
    pub stderr: Vec<u8>,
    /// Every warning printed.
    pub warnings: Vec<Failure>,
    /// The fatal message, if any.
    pub fatal: Option<Fatal>,
}

impl Default for MemFs {
    fn default() -> Self {
        MemFs::new()
    }
}

impl MemFs {
    /// An empty filesystem with no processor (a `SpawnProcessor` fails).
    pub fn new() -> MemFs {
        MemFs {
            dirs: BTreeMap::new(),
            inodes: Vec::new(),
            status_files: BTreeMap::new(),
            open_dirs: BTreeMap::new(),
            locks: BTreeSet::new(),
            handles: BTreeMap::new(),
            status_open: BTreeMap::new(),
            processor: None,
            faults: BTreeMap::new(),
            faults_on: true,
            fault_clock: 0,
            steps: 0,
            stderr: Vec::new(),
            warnings: Vec::new(),
            fatal: None,
        }
    }

    /// Use `processor` for `SpawnProcessor`.
    pub fn set_processor(&mut self, processor: Processor) {
        self.processor = Some(processor);
    }

    /// Make the action answered as step number `step` suffer `fault`.
    /// Steps are counted from 0 over the life of this filesystem, leaving
    /// out those taken while faults are off.
    pub fn inject(&mut self, step: u64, fault: Fault) {
        self.faults.insert(step, fault);
    }

    /// Turn injected faults on or off (to let a start-up through, whose
    /// failures are fatal by design).
    pub fn set_faults(&mut self, on: bool) {
        self.faults_on = on;
    }

    /// A SIGKILL: open files and locks are gone, files stay.
    pub fn crash(&mut self) {
        self.open_dirs.clear();
        self.locks.clear();
        self.handles.clear();
        self.status_open.clear();
    }

    /// Put a file into a directory (creating the directory).
    pub fn put(&mut self, dir: &[u8], name: &[u8], data: &[u8], mode: u32) {
        self.place(dir, name, data, mode, FileKind::Regular);
    }

    /// Give an existing file a second name in its directory.
    pub fn link(&mut self, dir: &[u8], name: &[u8], new_name: &[u8]) {
        let Some(entries) = self.dirs.get_mut(dir) else {
            return;
        };
        if let Some(&ino) = entries.get(name) {
            entries.insert(new_name.to_vec(), ino);
            self.inodes[ino].nlink += 1;
        }
    }

    /// Put a symbolic link to `target` into a directory.
    pub fn symlink(&mut self, dir: &[u8], name: &[u8], target: &[u8]) {
        self.place(dir, name, target, 0o777, FileKind::Symlink);
    }

    fn place(&mut self, dir: &[u8], name: &[u8], data: &[u8], mode: u32, kind: FileKind) {
        let ino = self.new_inode(data.to_vec(), mode, kind);
        let old = self
            .dirs
            .entry(dir.to_vec())
            .or_default()
            .insert(name.to_vec(), ino);
        if let Some(old) = old {
            self.inodes[old].nlink -= 1;
        }
    }

    fn new_inode(&mut self, data: Vec<u8>, mode: u32, kind: FileKind) -> usize {
        self.inodes.push(Inode {
            data,
            mode,
            nlink: 1,
            kind,
        });
        self.inodes.len() - 1
    }

    /// The files of a directory, by name.
    pub fn listing(&self, dir: &[u8]) -> BTreeMap<Vec<u8>, Entry> {
        self.dirs
            .get(dir)
            .map(|entries| {
                entries
                    .iter()
                    .map(|(name, &ino)| {
                        let inode = &self.inodes[ino];
                        let entry = Entry {
                            data: inode.data.clone(),
                            mode: inode.mode,
                            kind: inode.kind,
                            nlink: inode.nlink,
                        };
                        (name.clone(), entry)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The contents of a `=` file.
    pub fn status_file(&self, path: &[u8]) -> Option<&[u8]> {
        self.status_files.get(path).map(Vec::as_slice)
    }

    /// The contents of a directory's archives in name order, then of its
    /// `current` (empty if there is none).
    pub fn files(&self, dir: &[u8]) -> Vec<Vec<u8>> {
        let listing = self.listing(dir);
        let mut files: Vec<Vec<u8>> = listing
            .iter()
            .filter(|(name, _)| is_archive(name))
            .map(|(_, entry)| entry.data.clone())
            .collect();
        files.push(
            listing
                .get(&b"current"[..])
                .map(|entry| entry.data.clone())
                .unwrap_or_default(),
        );
        files
    }

    /// The archives and `current` of a directory, concatenated in name order.
    pub fn logged(&self, dir: &[u8]) -> Vec<u8> {
        self.files(dir).concat()
    }

    /// What a restart will recover of a directory, in order: archives,
    /// then `processed` if the processor finished (else `previous`) unless
    /// it is already linked as an archive, then `current`.
    pub fn recoverable(&self, dir: &[u8]) -> Vec<u8> {
        let listing = self.listing(dir);
        let mut all = Vec::new();
        for (name, entry) in &listing {
            if is_archive(name) {
                all.extend_from_slice(&entry.data);
            }
        }
        let get = |name: &[u8]| listing.get(name);
        let pending = match (get(b"processed"), get(b"previous")) {
            (Some(p), _) if p.mode & 0o100 != 0 => Some(p),
            (_, previous) => previous,
        };
        if let Some(file) = pending.filter(|f| f.nlink == 1) {
            all.extend_from_slice(&file.data);
        }
        if let Some(current) = get(b"current") {
            all.extend_from_slice(&current.data);
        }
        all
    }

    fn dir_path(&self, dir: usize) -> Result<Vec<u8>, Errno> {
        self.open_dirs.get(&dir).cloned().ok_or(Errno::EBADF)
    }

    fn lookup(&self, dir: usize, name: &[u8]) -> Result<usize, Errno> {
        let path = self.dir_path(dir)?;
        self.dirs
            .get(&path)
            .and_then(|entries| entries.get(name))
            .copied()
            .ok_or(Errno::ENOENT)
    }

    fn handle(&self, dir: usize, file: &FileName) -> Result<usize, Errno> {
        self.handles
            .get(&(dir, file.as_bytes().to_vec()))
            .copied()
            .ok_or(Errno::EBADF)
    }

    fn entries(&mut self, dir: usize) -> Result<&mut BTreeMap<Vec<u8>, usize>, Errno> {
        let path = self.dir_path(dir)?;
        Ok(self.dirs.entry(path).or_default())
    }

    fn remove_entry(&mut self, dir: usize, name: &[u8]) -> Result<(), Errno> {
        let ino = self.entries(dir)?.remove(name).ok_or(Errno::ENOENT)?;
        self.inodes[ino].nlink -= 1;
        Ok(())
    }

    /// Open (creating if missing, never through a symbolic link).
    fn open_file(&mut self, dir: usize, name: &[u8], mode: OpenMode) -> Result<usize, Errno> {
        match self.lookup(dir, name) {
            Ok(ino) => {
                if self.inodes[ino].kind != FileKind::Regular {
                    return Err(Errno::ELOOP);
                }
                if mode == OpenMode::Truncate {
                    self.inodes[ino].data.clear();
                }
                Ok(ino)
            }
            Err(Errno::ENOENT) => {
                let perm = match mode {
                    OpenMode::Append => 0o600,
                    OpenMode::Truncate => 0o644,
                };
                let ino = self.new_inode(Vec::new(), perm, FileKind::Regular);
                self.entries(dir)?.insert(name.to_vec(), ino);
                Ok(ino)
            }
            Err(e) => Err(e),
        }
    }

    /// Carry out one action; its answer, if it has one.
    pub fn execute(&mut self, action: &Action) -> Option<Event<'static>> {
        let answered = is_answered(action);
        let fault = if answered && self.faults_on {
            let fault = self.faults.remove(&self.fault_clock);
            self.fault_clock += 1;
            fault
        } else {
            None
        };
        if answered {
            self.steps += 1;
        }
        if let Some(Fault::Fail(errno)) = fault {
            return Some(Event::StepFailed(errno));
        }
        let short = match fault {
            Some(Fault::Short(n)) => Some(n),
            _ => None,
        };
        let result = self.carry_out(action, short);
        if !answered {
            return None;
        }
        Some(match result {
            Ok(Answer::Done(done)) => Event::StepDone(done),
            Ok(Answer::Exited(status)) => Event::ProcessorExited { status },
            Err(errno) => Event::StepFailed(errno),
        })
    }

    fn carry_out(&mut self, action: &Action, short: Option<usize>) -> Result<Answer, Errno> {
        let ok = Ok(Answer::Done(Done::Ok));
        match action {
            Action::CreateStatusFile { path, .. } => {
                self.status_files.entry(path.clone()).or_default();
                ok
            }
            Action::OpenStatusFile { file, path } => {
                if !self.status_files.contains_key(path) {
                    return Err(Errno::ENOENT);
                }
                self.status_open.insert(*file, path.clone());
                ok
            }
            Action::SeekStatusFile { file } => {
                self.status_open.get(file).ok_or(Errno::EBADF)?;
                ok
            }
            Action::WriteStatusFile { file, bytes } => {
                let path = self.status_open.get(file).ok_or(Errno::EBADF)?;
                let n = short.unwrap_or(bytes.len()).min(bytes.len());
                let data = self.status_files.entry(path.clone()).or_default();
                if data.len() < n {
                    data.resize(n, 0);
                }
                data[..n].copy_from_slice(&bytes[..n]);
                Ok(Answer::Done(Done::Written(n)))
            }
            Action::OpenDir { dir, path } => {
                self.dirs.entry(path.clone()).or_default();
                self.open_dirs.insert(*dir, path.clone());
                ok
            }
            Action::LockDir { dir } => {
                let path = self.dir_path(*dir)?;
                if !self.locks.insert(path) {
                    return Err(Errno::EAGAIN);
                }
                ok
            }
            Action::List { dir } => {
                let path = self.dir_path(*dir)?;
                let names = self
                    .dirs
                    .get(&path)
                    .map(|entries| entries.keys().filter(|n| is_archive(n)).cloned().collect())
                    .unwrap_or_default();
                Ok(Answer::Done(Done::Listed(names)))
            }
            Action::Stat { dir, file } => match self.lookup(*dir, file.as_bytes()) {
                Ok(ino) => {
                    let inode = &self.inodes[ino];
                    Ok(Answer::Done(Done::Stat(Some(FileInfo {
                        kind: inode.kind,
                        mode: inode.mode,
                        nlink: inode.nlink,
                        size: inode.data.len() as u64,
                    }))))
                }
                Err(Errno::ENOENT) => Ok(Answer::Done(Done::Stat(None))),
                Err(e) => Err(e),
            },
            Action::Unlink { dir, file } => {
                self.remove_entry(*dir, file.as_bytes())?;
                ok
            }
            Action::Rename { dir, from, to } => {
                let ino = self.lookup(*dir, from.as_bytes())?;
                self.entries(*dir)?.remove(from.as_bytes());
                if let Some(old) = self.entries(*dir)?.insert(to.as_bytes().to_vec(), ino) {
                    self.inodes[old].nlink -= 1;
                }
                ok
            }
            Action::Link { dir, from, to } => {
                let ino = self.lookup(*dir, from.as_bytes())?;
                if self.lookup(*dir, to.as_bytes()).is_ok() {
                    return Err(Errno::EEXIST);
                }
                self.entries(*dir)?.insert(to.as_bytes().to_vec(), ino);
                self.inodes[ino].nlink += 1;
                ok
            }
            Action::Chmod { dir, file, mode } => {
                let ino = self.lookup(*dir, file.as_bytes())?;
                if self.inodes[ino].kind != FileKind::Regular {
                    return Err(Errno::ELOOP);
                }
                self.inodes[ino].mode = *mode;
                ok
            }
            Action::Open { dir, file, mode } => {
                let ino = self.open_file(*dir, file.as_bytes(), *mode)?;
                self.handles.insert((*dir, file.as_bytes().to_vec()), ino);
                ok
            }
            Action::Fsync { dir, file } => {
                self.handle(*dir, file)?;
                ok
            }
            Action::Fchmod { dir, file, mode } => {
                let ino = self.handle(*dir, file)?;
                self.inodes[ino].mode = *mode;
                ok
            }
            Action::Close { dir, file } => {
                self.handles.remove(&(*dir, file.as_bytes().to_vec()));
                ok
            }
            Action::Append { dir, bytes } => {
                // The machine never asks for a write of nothing (a real
                // write of 0 bytes would look like a failed one).
                assert!(!bytes.is_empty(), "an empty append");
                let ino = self.handle(*dir, &FileName::Current)?;
                let n = short.unwrap_or(bytes.len()).min(bytes.len());
                self.inodes[ino].data.extend_from_slice(&bytes[..n]);
                Ok(Answer::Done(Done::Written(n)))
            }
            Action::SpawnProcessor { dir, .. } => self.run_processor(*dir),
            Action::Stderr(bytes) => {
                self.stderr.extend_from_slice(bytes);
                ok
            }
            Action::Warn(failure) => {
                self.warnings.push(failure.clone());
                ok
            }
            Action::Fatal(fatal) => {
                self.fatal = Some(fatal.clone());
                ok
            }
            Action::Exit(_) => {
                self.crash();
                ok
            }
        }
    }

    /// The child's set-up (`previous`, `state` read; `processed` and
    /// `newstate` created empty), then the processor function.
    fn run_processor(&mut self, dir: usize) -> Result<Answer, Errno> {
        let read = |fs: &MemFs, name: &[u8]| -> Option<Vec<u8>> {
            let ino = fs.lookup(dir, name).ok()?;
            (fs.inodes[ino].kind == FileKind::Regular).then(|| fs.inodes[ino].data.clone())
        };
        let child_fails = Err(ExitKind::Exited(111));
        let result = match (read(self, b"previous"), read(self, b"state")) {
            (Some(previous), Some(state)) => {
                let processed = self.open_file(dir, b"processed", OpenMode::Truncate);
                let newstate = self.open_file(dir, b"newstate", OpenMode::Truncate);
                match (processed, newstate, self.processor.as_mut()) {
                    (Ok(p), Ok(n), Some(processor)) => match processor(&previous, &state) {
                        Ok((out, new)) => {
                            self.inodes[p].data = out;
                            self.inodes[n].data = new;
                            Ok(())
                        }
                        Err(status) => Err(status),
                    },
                    _ => child_fails,
                }
            }
            _ => child_fails,
        };
        Ok(Answer::Exited(match result {
            Ok(()) => ExitKind::Exited(0),
            Err(status) => status,
        }))
    }
}

enum Answer {
    Done(Done),
    Exited(ExitKind),
}

/// Whether the driver answers `action` with an event (so a fault can hit
/// it): every action but closing, messages and the exit.
pub fn is_answered(action: &Action) -> bool {
    !matches!(
        action,
        Action::Close { .. }
            | Action::Stderr(_)
            | Action::Warn(_)
            | Action::Fatal(_)
            | Action::Exit(_)
    )
}

/// A logger running on a [`MemFs`] with a simulated clock: what the real
/// driver does, without processes, signals or waiting.
pub struct Run {
    /// The machine.
    pub logger: Logger,
    /// The clocks as the machine sees them.
    pub now: Now,
    /// Every action carried out, in order.
    pub log: Vec<Action>,
    /// The exit code, once the logger has exited.
    pub exit: Option<i32>,
    pending: VecDeque<Action>,
}

impl Run {
    /// A logger for `script` at `now`, its start-up actions pending.
    pub fn new(script: Script, now: Now) -> Run {
        let (logger, actions) = Logger::new(script, now);
        Run {
            logger,
            now,
            log: Vec::new(),
            exit: None,
            pending: actions.into(),
        }
    }

    /// Start a logger for `script` at `now`, carrying out its start-up.
    pub fn start(script: Script, fs: &mut MemFs, now: Now) -> Run {
        let mut run = Run::new(script, now);
        run.settle(fs);
        run
    }

    /// Carry out one pending action, feeding back its answer. Whether there
    /// was one.
    pub fn step(&mut self, fs: &mut MemFs) -> bool {
        let Some(action) = self.pending.pop_front() else {
            return false;
        };
        if let Action::Exit(code) = action {
            self.exit = Some(code);
        }
        let answer = fs.execute(&action);
        self.log.push(action);
        if let Some(event) = answer {
            let more = self.logger.handle(self.now, event);
            for (i, next) in more.into_iter().enumerate() {
                self.pending.insert(i, next);
            }
        }
        true
    }

    /// Whether actions are waiting to be carried out.
    pub fn busy(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Carry out actions, sleeping through pauses (the clock jumps to each
    /// deadline), until the logger wants input or has exited.
    pub fn settle(&mut self, fs: &mut MemFs) {
        loop {
            while self.step(fs) {}
            if self.exit.is_some() || self.logger.wants_input().is_some() {
                return;
            }
            match self.logger.next_deadline() {
                Some(_) if fs.warnings.len() > 1000 => {
                    let names: Vec<String> = fs
                        .dirs
                        .values()
                        .flat_map(|d| d.keys())
                        .map(|k| String::from_utf8_lossy(k).into_owned())
                        .collect();
                    panic!(
                        "the logger keeps failing: {:?} {names:?}",
                        fs.warnings.last()
                    );
                }
                Some(deadline) => {
                    self.advance_to(deadline);
                    self.send(Event::Tick);
                }
                None => return,
            }
        }
    }

    /// Move both clocks forward to `deadline`.
    pub fn advance_to(&mut self, deadline: Mono) {
        let delta = deadline.0.saturating_sub(self.now.mono.0);
        self.now.mono = deadline;
        let nanos = u64::from(self.now.wall.1) + delta;
        let wall_secs = label::unix_secs(self.now.wall.0) + (nanos / Mono::SECOND) as i64;
        self.now.wall = label::from_unix(wall_secs, (nanos % Mono::SECOND) as u32);
    }

    /// Hand an event to the logger and queue its actions.
    pub fn send(&mut self, event: Event<'_>) {
        let more = self.logger.handle(self.now, event);
        self.pending.extend(more);
    }

    /// Feed input the way the driver does, in reads of at most `read` bytes
    /// (one byte after TERM), settling after each.
    pub fn feed(&mut self, fs: &mut MemFs, mut input: &[u8], read: usize) {
        while !input.is_empty() && self.exit.is_none() {
            let max = match self.logger.wants_input() {
                Some(ReadSize::Chunk) => read.max(1),
                Some(ReadSize::OneByte) => 1,
                None => return,
            };
            let take = input.len().min(max);
            self.send(Event::Input(&input[..take]));
            input = &input[take..];
            self.settle(fs);
        }
    }

    /// End of input, then settle to the exit.
    pub fn eof(&mut self, fs: &mut MemFs) {
        if self.exit.is_none() {
            self.send(Event::Eof);
            self.settle(fs);
        }
    }
}
