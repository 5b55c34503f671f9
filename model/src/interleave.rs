//! Interleaving models of what crosses processes, where loom cannot look:
//! the `supervise/status` file protocol (a writer replacing the record
//! while readers read it) and svscan's log pipe across restarts of the
//! service and of its logger.
//!
//! Each model is a small transition system whose steps are the system
//! calls of the processes involved, each taken as one atomic step (a write
//! or read that the kernel may cut short is modelled as two steps, cut at
//! every possible byte). [`explore`] visits every interleaving up to the
//! model's bounds, breadth-first, checking an invariant in every state
//! reached; a violation comes back with the shortest sequence of steps
//! leading to it. Each model also has a broken variant that the
//! exploration must catch, so that a model too weak to fail is noticed.
//!
//! Bounds, state counts and what is assumed are in `spec/models.md`.

use std::collections::{HashMap, VecDeque};
use std::fmt::Debug;
use std::hash::Hash;

/// What an exploration covered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Distinct states reached (each checked against the invariant).
    pub states: usize,
    /// Transitions taken.
    pub transitions: usize,
    /// States with no transition (every process finished or blocked).
    pub terminal: usize,
    /// The length of the longest shortest path to a state.
    pub depth: usize,
}

/// An invariant that failed, with the steps that lead there from the start.
#[derive(Clone, Debug)]
pub struct Violation {
    /// What failed.
    pub problem: String,
    /// The steps, in order.
    pub trace: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.problem)?;
        for (i, step) in self.trace.iter().enumerate() {
            writeln!(f, "  {:>3}. {step}", i + 1)?;
        }
        Ok(())
    }
}

/// A transition system.
pub trait Model {
    /// A state: everything the processes and the kernel hold.
    type State: Clone + Eq + Hash + Debug;
    /// The initial state.
    fn init(&self) -> Self::State;
    /// Every step possible from `state`, each with a description.
    fn next(&self, state: &Self::State) -> Vec<(String, Self::State)>;
    /// The invariant, checked in every state; `terminal` says whether
    /// `state` has no successor (where end-of-run properties are checked).
    fn check(&self, state: &Self::State, terminal: bool) -> Result<(), String>;
}

/// Visit every state reachable from `model.init()`, breadth-first, and
/// check the invariant in each.
pub fn explore<M: Model>(model: &M) -> Result<Stats, Violation> {
    let mut stats = Stats::default();
    let mut index: HashMap<M::State, usize> = HashMap::new();
    // Per state: its parent and the step that led there.
    let mut parents: Vec<(Option<usize>, String)> = Vec::new();
    let mut queue: VecDeque<(M::State, usize, usize)> = VecDeque::new();
    let init = model.init();
    index.insert(init.clone(), 0);
    parents.push((None, String::new()));
    queue.push_back((init, 0, 0));
    let trace_to = |parents: &[(Option<usize>, String)], mut id: usize| {
        let mut trace = Vec::new();
        while let (Some(parent), step) = &parents[id] {
            trace.push(step.clone());
            id = *parent;
        }
        trace.reverse();
        trace
    };
    while let Some((state, id, depth)) = queue.pop_front() {
        stats.depth = stats.depth.max(depth);
        let next = model.next(&state);
        if let Err(problem) = model.check(&state, next.is_empty()) {
            return Err(Violation {
                problem: format!("{problem}\n  in {state:?}"),
                trace: trace_to(&parents, id),
            });
        }
        if next.is_empty() {
            stats.terminal += 1;
        }
        for (step, after) in next {
            stats.transitions += 1;
            if !index.contains_key(&after) {
                let new_id = parents.len();
                parents.push((Some(id), step));
                index.insert(after.clone(), new_id);
                queue.push_back((after, new_id, depth + 1));
            }
        }
    }
    stats.states = index.len();
    Ok(stats)
}

// ---------------------------------------------------------------------
// The status file.
// ---------------------------------------------------------------------

/// The length of a status record (`supervise/status`).
pub const RECORD: usize = 18;

/// How the writer replaces the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WriterProtocol {
    /// supervise's: `open("status.new", O_WRONLY|O_CREAT|O_TRUNC)`, write
    /// the 18 bytes, `close`, `rename("status.new", "status")`.
    RenameOver,
    /// Broken: `open("status", O_WRONLY|O_TRUNC)` and write in place.
    InPlaceTruncate,
    /// Broken: `open("status", O_WRONLY)` and overwrite in place (no
    /// truncation: the old bytes stay until overwritten).
    InPlaceOverwrite,
}

/// The bounds of the status-file model.
#[derive(Clone, Copy, Debug)]
pub struct StatusBounds {
    /// How many records the writer writes, one after another.
    pub records: u8,
    /// How many times the writer may be killed (and start its current
    /// record again, as a restarted supervise writes a new one).
    pub writer_kills: u8,
    /// How many times the reader reads (each an open, reads, a close).
    pub reads: u8,
}

/// The status-file protocol: one writer replacing the record `records`
/// times, one reader reading it `reads` times, every interleaving, every
/// cut of a write or read into two. The filesystem is a map from names to
/// inodes and from inodes to bytes; an unlinked inode lives on while open.
#[derive(Clone, Copy, Debug)]
pub struct StatusFileModel {
    /// How the writer writes.
    pub protocol: WriterProtocol,
    /// How far to look.
    pub bounds: StatusBounds,
}

/// The writer's program counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum WriterPc {
    /// About to open (for record `n`).
    Open,
    /// Writing: `written` bytes of the record so far.
    Write { inode: u8, written: u8 },
    /// About to close.
    Close { inode: u8 },
    /// About to rename.
    Rename,
    /// Every record written.
    Done,
}

/// The reader's program counter.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ReaderPc {
    /// About to open `status`.
    Open,
    /// Reading: what it got so far, and whether one read came back short
    /// already (then the next read is its last).
    Read { inode: u8, got: Vec<u8>, reads: u8 },
    /// Done with all its reads.
    Done,
}

/// One state of the status-file model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StatusState {
    /// `status` and `status.new`: which inode each names, if any.
    status: Option<u8>,
    status_new: Option<u8>,
    /// The inodes' contents (an inode is never reused).
    inodes: Vec<Vec<u8>>,
    /// The record the writer is on (1-based), and where it is.
    record: u8,
    writer: WriterPc,
    kills: u8,
    reader: ReaderPc,
    /// Reads finished.
    reads_done: u8,
    /// The record `status` named when the reader opened it.
    expected: Option<u8>,
    /// What each finished read saw: a record number, or `None` for no file.
    seen: Vec<Option<u8>>,
    /// A read that went wrong: its bytes.
    torn: Option<Vec<u8>>,
}

/// Record `n`'s bytes: distinct from every other record's in every
/// position, so that any mixture or cut shows.
pub fn record_bytes(n: u8) -> [u8; RECORD] {
    let mut bytes = [0u8; RECORD];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = n.wrapping_mul(32).wrapping_add(i as u8);
    }
    bytes
}

impl StatusFileModel {
    fn record_of(bytes: &[u8]) -> Option<u8> {
        (0..=u8::MAX / 32).find(|&n| bytes == record_bytes(n))
    }

    fn writer_steps(&self, s: &StatusState, out: &mut Vec<(String, StatusState)>) {
        let record = record_bytes(s.record);
        match s.writer {
            WriterPc::Open => {
                let mut t = s.clone();
                let inode = match self.protocol {
                    WriterProtocol::RenameOver => match t.status_new {
                        Some(inode) => {
                            t.inodes[usize::from(inode)].clear();
                            inode
                        }
                        None => {
                            t.inodes.push(Vec::new());
                            let inode = (t.inodes.len() - 1) as u8;
                            t.status_new = Some(inode);
                            inode
                        }
                    },
                    WriterProtocol::InPlaceTruncate | WriterProtocol::InPlaceOverwrite => {
                        let inode = t.status.unwrap_or(0);
                        if self.protocol == WriterProtocol::InPlaceTruncate {
                            t.inodes[usize::from(inode)].clear();
                        }
                        inode
                    }
                };
                t.writer = WriterPc::Write { inode, written: 0 };
                let name = if self.protocol == WriterProtocol::RenameOver {
                    "status.new"
                } else {
                    "status"
                };
                out.push((format!("writer: open {name} for record {}", s.record), t));
            }
            WriterPc::Write { inode, written } => {
                // The whole rest, or a short write of any length.
                let from = usize::from(written);
                for to in from + 1..=RECORD {
                    let mut t = s.clone();
                    let data = &mut t.inodes[usize::from(inode)];
                    if data.len() < to {
                        data.resize(to, 0);
                    }
                    data[from..to].copy_from_slice(&record[from..to]);
                    t.writer = if to == RECORD {
                        WriterPc::Close { inode }
                    } else {
                        WriterPc::Write {
                            inode,
                            written: to as u8,
                        }
                    };
                    out.push((format!("writer: write bytes {from}..{to}"), t));
                }
            }
            WriterPc::Close { .. } => {
                let mut t = s.clone();
                t.writer = match self.protocol {
                    WriterProtocol::RenameOver => WriterPc::Rename,
                    _ => Self::next_record(&mut t, self.bounds.records),
                };
                out.push(("writer: close".to_string(), t));
            }
            WriterPc::Rename => {
                let mut t = s.clone();
                t.status = t.status_new.take();
                t.writer = Self::next_record(&mut t, self.bounds.records);
                out.push(("writer: rename status.new status".to_string(), t));
            }
            WriterPc::Done => {}
        }
        // A SIGKILL anywhere before the end: a new supervise writes a new
        // record from the start (its open descriptors are closed).
        if s.writer != WriterPc::Done && s.kills < self.bounds.writer_kills {
            let mut t = s.clone();
            t.kills += 1;
            t.writer = WriterPc::Open;
            out.push(("writer: killed, restarted".to_string(), t));
        }
    }

    fn next_record(t: &mut StatusState, records: u8) -> WriterPc {
        if t.record >= records {
            WriterPc::Done
        } else {
            t.record += 1;
            WriterPc::Open
        }
    }

    fn reader_steps(&self, s: &StatusState, out: &mut Vec<(String, StatusState)>) {
        match &s.reader {
            ReaderPc::Open => {
                let mut t = s.clone();
                match t.status {
                    None => {
                        t.seen.push(None);
                        t.reads_done += 1;
                        t.reader = self.reader_after(t.reads_done);
                        out.push(("reader: open status: no such file".to_string(), t));
                    }
                    Some(inode) => {
                        t.expected = Self::record_of(&t.inodes[usize::from(inode)]);
                        t.reader = ReaderPc::Read {
                            inode,
                            got: Vec::new(),
                            reads: 0,
                        };
                        out.push(("reader: open status".to_string(), t));
                    }
                }
            }
            ReaderPc::Read { inode, got, reads } => {
                let data = &s.inodes[usize::from(*inode)];
                let offset = got.len();
                let available = data.len().saturating_sub(offset).min(RECORD - offset);
                // A read returns what is there, or (the first time) any
                // shorter count, as if interrupted.
                let counts: Vec<usize> = if *reads == 0 && available > 0 {
                    (1..=available).collect()
                } else {
                    vec![available]
                };
                for n in counts {
                    let mut t = s.clone();
                    let mut got = got.clone();
                    got.extend_from_slice(&data[offset..offset + n]);
                    let last = *reads == 1 || n == available;
                    if last {
                        // svstat and svok want all 18 bytes; fewer is "bad
                        // format", which a reader of a whole file never sees.
                        let record = Self::record_of(&got);
                        if record.is_none() || record != t.expected {
                            t.torn = Some(got.clone());
                        }
                        t.seen.push(record);
                        t.reads_done += 1;
                        t.reader = self.reader_after(t.reads_done);
                    } else {
                        t.reader = ReaderPc::Read {
                            inode: *inode,
                            got,
                            reads: reads + 1,
                        };
                    }
                    out.push((format!("reader: read {n} bytes at {offset}"), t));
                }
            }
            ReaderPc::Done => {}
        }
    }

    fn reader_after(&self, done: u8) -> ReaderPc {
        if done >= self.bounds.reads {
            ReaderPc::Done
        } else {
            ReaderPc::Open
        }
    }
}

impl Model for StatusFileModel {
    type State = StatusState;

    fn init(&self) -> StatusState {
        // Record 0 is in place (an earlier supervise wrote it), inode 0.
        StatusState {
            status: Some(0),
            status_new: None,
            inodes: vec![record_bytes(0).to_vec()],
            record: 1,
            writer: WriterPc::Open,
            kills: 0,
            reader: ReaderPc::Open,
            reads_done: 0,
            expected: None,
            seen: Vec::new(),
            torn: None,
        }
    }

    fn next(&self, s: &StatusState) -> Vec<(String, StatusState)> {
        let mut out = Vec::new();
        if s.torn.is_some() {
            return out;
        }
        self.writer_steps(s, &mut out);
        self.reader_steps(s, &mut out);
        out
    }

    fn check(&self, s: &StatusState, terminal: bool) -> Result<(), String> {
        if let Some(bytes) = &s.torn {
            return Err(format!(
                "torn read: {} bytes {bytes:?}, expected record {:?}",
                bytes.len(),
                s.expected
            ));
        }
        // `status` always names a whole record.
        if let Some(inode) = s.status {
            if Self::record_of(&s.inodes[usize::from(inode)]).is_none()
                && self.protocol == WriterProtocol::RenameOver
            {
                return Err("status names an incomplete record".to_string());
            }
        }
        // The records seen never go backwards.
        let seen: Vec<u8> = s.seen.iter().flatten().copied().collect();
        if seen.windows(2).any(|w| w[0] > w[1]) {
            return Err(format!("records seen out of order: {seen:?}"));
        }
        if terminal && (s.writer != WriterPc::Done || s.reader != ReaderPc::Done) {
            return Err("a process is stuck".to_string());
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------
// svscan's log pipe.
// ---------------------------------------------------------------------

/// A byte in the pipe model: line `line`'s byte `pos`; the last byte of a
/// line is its newline. Unique, so that every byte can be followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token {
    /// The line (numbered from 0 in the order the service produces them).
    pub line: u8,
    /// The position in the line.
    pub pos: u8,
}

/// Who keeps the pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PipeKeeping {
    /// svscan (0.76): it made the pipe and holds both ends for as long as
    /// the service exists, so the pipe and its contents outlive both the
    /// service and the logger.
    Svscan,
    /// Broken: a new pipe for each new logger (nobody keeps the old one),
    /// so what was in the old pipe is gone.
    RecreatedOnRestart,
}

/// The bounds of the pipe model.
#[derive(Clone, Copy, Debug)]
pub struct PipeBounds {
    /// Lines the service (in all its lives) tries to write.
    pub lines: u8,
    /// Bytes per line, newline included.
    pub line_len: u8,
    /// The pipe's capacity in bytes (at least `line_len`: a line is one
    /// write of at most PIPE_BUF bytes, so it goes in whole or waits).
    pub capacity: u8,
    /// The most a logger's read takes.
    pub read_max: u8,
    /// How many times the service may be killed (and restarted).
    pub service_kills: u8,
    /// How many times the logger may be killed (and restarted).
    pub logger_kills: u8,
}

/// The svscan log pipe across restarts: a service writing lines into the
/// pipe (each line one write, whole or not at all), a logger reading any
/// amount and appending the whole lines it holds to its file, each of them
/// killed at any step (up to a bound) and restarted by its supervise.
#[derive(Clone, Copy, Debug)]
pub struct LogPipeModel {
    /// Who keeps the pipe.
    pub keeping: PipeKeeping,
    /// How far to look.
    pub bounds: PipeBounds,
}

/// One state of the pipe model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PipeState {
    /// What the pipe holds, oldest first.
    pipe: VecDeque<Token>,
    /// The next line the service will write; whether it is alive.
    next_line: u8,
    service_alive: bool,
    service_kills: u8,
    /// Every byte the pipe accepted, in order (the accepted stream).
    accepted: Vec<Token>,
    /// What the logger read and has not written yet; whether it is alive.
    held: Vec<Token>,
    logger_alive: bool,
    logger_kills: u8,
    /// The log file.
    log: Vec<Token>,
    /// Bytes a dying logger held (read, not written): lost, as allowed.
    dropped: Vec<Token>,
    /// Bytes that were in a pipe nobody kept: lost, which is not allowed.
    vanished: Vec<Token>,
}

impl LogPipeModel {
    fn line(&self, line: u8) -> Vec<Token> {
        (0..self.bounds.line_len)
            .map(|pos| Token { line, pos })
            .collect()
    }

    fn is_newline(&self, t: Token) -> bool {
        t.pos + 1 == self.bounds.line_len
    }
}

impl Model for LogPipeModel {
    type State = PipeState;

    fn init(&self) -> PipeState {
        PipeState {
            pipe: VecDeque::new(),
            next_line: 0,
            service_alive: true,
            service_kills: 0,
            accepted: Vec::new(),
            held: Vec::new(),
            logger_alive: true,
            logger_kills: 0,
            log: Vec::new(),
            dropped: Vec::new(),
            vanished: Vec::new(),
        }
    }

    fn next(&self, s: &PipeState) -> Vec<(String, PipeState)> {
        let b = self.bounds;
        let mut out = Vec::new();
        // The service.
        if s.service_alive {
            let free = usize::from(b.capacity) - s.pipe.len();
            if s.next_line < b.lines && free >= usize::from(b.line_len) {
                let mut t = s.clone();
                let line = self.line(t.next_line);
                t.pipe.extend(line.iter().copied());
                t.accepted.extend(line);
                t.next_line += 1;
                out.push((format!("service: write line {}", s.next_line), t));
            }
            if s.next_line < b.lines && s.service_kills < b.service_kills {
                // Killed before (or while blocked in) the write of its next
                // line: that line is never written; the restarted service
                // goes on with new lines.
                let mut t = s.clone();
                t.service_alive = false;
                t.service_kills += 1;
                t.next_line += 1;
                out.push(("service: killed".to_string(), t));
            }
        } else {
            let mut t = s.clone();
            t.service_alive = true;
            out.push(("service: restarted by supervise".to_string(), t));
        }
        // The logger.
        if s.logger_alive {
            for n in 1..=usize::from(b.read_max).min(s.pipe.len()) {
                let mut t = s.clone();
                let bytes: Vec<Token> = t.pipe.drain(..n).collect();
                t.held.extend(bytes);
                out.push((format!("logger: read {n} bytes"), t));
            }
            if let Some(end) = s.held.iter().rposition(|&t| self.is_newline(t)) {
                let mut t = s.clone();
                let lines: Vec<Token> = t.held.drain(..=end).collect();
                t.log.extend(lines);
                out.push(("logger: append the whole lines it holds".to_string(), t));
            }
            if s.logger_kills < b.logger_kills {
                let mut t = s.clone();
                t.logger_alive = false;
                t.logger_kills += 1;
                let held = std::mem::take(&mut t.held);
                t.dropped.extend(held);
                out.push(("logger: killed".to_string(), t));
            }
        } else {
            let mut t = s.clone();
            t.logger_alive = true;
            if self.keeping == PipeKeeping::RecreatedOnRestart {
                let old: Vec<Token> = t.pipe.drain(..).collect();
                t.vanished.extend(old);
            }
            out.push(("logger: restarted by supervise".to_string(), t));
        }
        out
    }

    fn check(&self, s: &PipeState, terminal: bool) -> Result<(), String> {
        // Whole lines only enter the pipe: the accepted stream is whole
        // lines, each once, in the order written.
        for chunk in s.accepted.chunks(usize::from(self.bounds.line_len)) {
            if chunk.len() != usize::from(self.bounds.line_len)
                || chunk.iter().any(|t| t.line != chunk[0].line)
                || chunk
                    .iter()
                    .enumerate()
                    .any(|(i, t)| usize::from(t.pos) != i)
            {
                return Err(format!("a torn line entered the pipe: {chunk:?}"));
            }
        }
        if s.accepted.windows(2).any(|w| w[0] >= w[1]) {
            return Err("lines out of order in the pipe".to_string());
        }
        // Every accepted byte is in exactly one place: the log, the bytes a
        // dead logger held, the live logger's hands, the pipe — or gone
        // with a pipe nobody kept, which is the failure.
        if !s.vanished.is_empty() {
            return Err(format!(
                "{} bytes that were in the pipe are lost: {:?}",
                s.vanished.len(),
                s.vanished
            ));
        }
        let mut places: Vec<Token> = s
            .log
            .iter()
            .chain(&s.dropped)
            .chain(&s.held)
            .chain(&s.pipe)
            .copied()
            .collect();
        places.sort();
        if places != s.accepted {
            return Err(format!(
                "bytes lost or duplicated: accepted {:?}, found {places:?}",
                s.accepted
            ));
        }
        // The log is the accepted stream in order, less what dead loggers
        // held: no duplicate, no reordering.
        if s.log.windows(2).any(|w| w[0] >= w[1]) {
            return Err(format!("the log is out of order or repeats: {:?}", s.log));
        }
        // The pipe holds the newest bytes, in order.
        let tail: Vec<Token> = s.pipe.iter().copied().collect();
        if !s.accepted.ends_with(&tail) {
            return Err("the pipe is not the end of the stream".to_string());
        }
        // The log is whole lines: each log line is one producer line, whole,
        // or the tail of one whose head a dead logger held (LOG-26), and it
        // never ends in the middle of a line.
        if s.log.last().is_some_and(|&t| !self.is_newline(t)) {
            return Err("the log ends in the middle of a line".to_string());
        }
        for line in s.log.split_inclusive(|&t| self.is_newline(t)) {
            let id = line[0].line;
            if line.iter().any(|t| t.line != id) {
                return Err(format!("a log line mixes lines: {line:?}"));
            }
            let head_lost =
                (0..line[0].pos).all(|pos| s.dropped.contains(&Token { line: id, pos }));
            if !head_lost {
                return Err(format!("a log line lost its head: {line:?}"));
            }
        }
        if terminal {
            // Everything settles: the pipe is drained and the logger holds
            // nothing but the start of a line nobody finished (none here).
            if !s.pipe.is_empty() || !s.held.is_empty() {
                return Err("stuck with bytes in the pipe".to_string());
            }
        }
        Ok(())
    }
}
