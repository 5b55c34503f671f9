//! The logger: input lines in, filesystem steps out, one at a time.

use super::action::{Action, Cause, Failure, Fatal, FileName, Problem};
use super::chunk::Chunk;
use super::event::{Done, Event};
use super::line::{LineCutter, LineSink, HEAD_MAX, STAMP_LEN};
use super::matcher::matches;
use super::rotate::{Answer, Ctx, DirState, Next, Quit, Rotate, Start, Step};
use super::script::{Op, Script};
use super::writer::Writer;
use crate::{label, Errno, Mono, Now};
use std::collections::VecDeque;
use std::sync::Arc;

/// How long multilog pauses after a failed step (LOG-21).
pub const PAUSE_SECS: u64 = 5;
/// 0.76's largest read of input: its cut points are computed as if every
/// read the driver makes had been split into reads of this size (LOG-9).
pub const READ_0_76: usize = 1024;
/// The bytes of a `=` file write.
pub const STATUS_LEN: usize = HEAD_MAX + 1;
/// `e` prints at most this many bytes of a line before `...`.
pub const STDERR_MAX: usize = 200;

/// How much input the logger is ready for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadSize {
    /// As much as the driver likes (ours reads up to 64 KiB).
    Chunk,
    /// One byte: SIGTERM arrived in the middle of a line (LOG-19).
    OneByte,
}

/// One piece of pending work, carried out a step at a time.
#[derive(Clone, Debug)]
enum Job {
    /// Create and open a `=` file.
    OpenStatus { file: usize, created: bool },
    /// Start a log directory.
    Start { dir: usize, stage: Start },
    /// Start-up is complete: input may be read.
    Started,
    /// Write to `current`.
    Append { dir: usize, bytes: Chunk },
    /// Rotate a directory.
    Rotate { dir: usize, stage: Rotate },
    /// Rewrite a `=` file: seek, then write.
    WriteStatus {
        file: usize,
        bytes: Vec<u8>,
        seeked: bool,
    },
    /// Finish a directory at exit.
    Quit { dir: usize, stage: Quit },
    /// Exit.
    Exit(i32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    /// Free to start the next step.
    Ready,
    /// An action needs its answer.
    Answer,
    /// Pausing after a failure until this instant.
    Paused(Mono),
    /// Exited.
    Finished,
}

/// multilog as a machine (see the module documentation for the run loop).
#[derive(Clone, Debug)]
pub struct Logger {
    script: Script,
    has_patterns: bool,
    plain: bool,
    cutter: LineCutter,
    dirs: Vec<DirState>,
    /// Per directory: whether the current line is selected for it.
    selected: Vec<bool>,
    /// Per `=` file: the last selected head of the current read.
    status: Vec<Option<Vec<u8>>>,
    stderr: Vec<u8>,
    scratch: Vec<u8>,
    queue: VecDeque<Job>,
    running: Option<Job>,
    wait: Wait,
    started: bool,
    term: bool,
    alarm: bool,
    ending: bool,
}

impl Logger {
    /// A logger for `script`, and its first actions: the start-up of the
    /// `=` files and of each directory (LOG-6, LOG-12).
    pub fn new(script: Script, now: Now) -> (Logger, Vec<Action>) {
        let mut queue = VecDeque::new();
        for file in 0..script.status_files.len() {
            queue.push_back(Job::OpenStatus {
                file,
                created: false,
            });
        }
        let dirs = script
            .dirs
            .iter()
            .enumerate()
            .map(|(dir, config)| {
                queue.push_back(Job::Start {
                    dir,
                    stage: Start::OpenDir,
                });
                DirState {
                    writer: Writer::new(config.size, 0),
                    newest: None,
                }
            })
            .collect();
        queue.push_back(Job::Started);
        let mut logger = Logger {
            has_patterns: script.has_patterns(),
            plain: script.ops.iter().all(|op| matches!(op, Op::Dir(_))),
            cutter: LineCutter::new(script.timestamp),
            dirs,
            selected: vec![true; script.dirs.len()],
            status: vec![None; script.status_files.len()],
            stderr: Vec::new(),
            scratch: Vec::with_capacity(HEAD_MAX),
            queue,
            running: None,
            wait: Wait::Ready,
            started: false,
            term: false,
            alarm: false,
            ending: false,
            script,
        };
        let mut out = Vec::new();
        logger.pump(now, &mut out);
        (logger, out)
    }

    /// The script the logger runs.
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// Whether the driver should read input now, and how much. Changed by
    /// every event; `None` while a step is under way, during a pause, before
    /// start-up is complete and after the end of input.
    pub fn wants_input(&self) -> Option<ReadSize> {
        let idle = self.wait == Wait::Ready && self.running.is_none() && self.queue.is_empty();
        if !idle || !self.started || self.ending {
            return None;
        }
        Some(if self.term {
            ReadSize::OneByte
        } else {
            ReadSize::Chunk
        })
    }

    /// When the driver must send `Tick`: the end of a pause. Changed by
    /// `StepFailed`, `StepDone` (a short status write), `ProcessorExited`,
    /// `Term` and `Tick`.
    pub fn next_deadline(&self) -> Option<Mono> {
        match self.wait {
            Wait::Paused(until) => Some(until),
            _ => None,
        }
    }

    /// Whether the logger has exited (the last action was `Exit`).
    pub fn finished(&self) -> bool {
        self.wait == Wait::Finished
    }

    /// Bytes read from input that are not yet written to their files.
    pub fn unlogged(&self) -> u64 {
        self.running
            .iter()
            .chain(self.queue.iter())
            .map(|job| match job {
                Job::Append { bytes, .. } => bytes.len() as u64,
                _ => 0,
            })
            .sum()
    }

    /// Take in an event; the actions to carry out, in order.
    #[must_use]
    pub fn handle(&mut self, now: Now, event: Event<'_>) -> Vec<Action> {
        let mut out = Vec::new();
        if self.wait == Wait::Finished {
            return out;
        }
        match event {
            Event::Input(bytes) => {
                if !self.ending && !bytes.is_empty() {
                    self.feed(now, bytes, &mut out);
                }
            }
            Event::Eof => {
                if !self.ending {
                    self.end_of_input(&mut out);
                }
            }
            //= spec/multilog.md#log-23
            Event::Term => {
                self.term = true;
                if let Wait::Paused(_) = self.wait {
                    self.wait = Wait::Ready;
                }
            }
            Event::Alarm => self.alarm = true,
            Event::Tick => {
                if let Wait::Paused(until) = self.wait {
                    if now.mono >= until {
                        self.wait = Wait::Ready;
                    }
                }
            }
            Event::StepDone(done) => self.answer(now, Answer::Done(done), &mut out),
            Event::StepFailed(errno) => self.answer(now, Answer::Failed(errno), &mut out),
            Event::ProcessorExited { status } => self.answer(now, Answer::Exited(status), &mut out),
        }
        self.pump(now, &mut out);
        out
    }

    /// Cut one read into lines and plan its output (LOG-8, LOG-9).
    fn feed(&mut self, now: Now, input: &[u8], out: &mut Vec<Action>) {
        let mut stamp = [b' '; STAMP_LEN];
        stamp[..label::LABEL_LEN].copy_from_slice(&label::encode(&now.wall));
        let mut cutter = std::mem::take(&mut self.cutter);
        {
            let mut sink = self.sink();
            cutter.feed(input, &stamp, &mut sink);
            sink.flush_all();
        }
        self.cutter = cutter;
        self.schedule(out);
    }

    /// End of input (or TERM at a line boundary): complete the last line,
    /// write everything, finish each directory and exit 0 (LOG-20).
    fn end_of_input(&mut self, out: &mut Vec<Action>) {
        self.ending = true;
        let mut cutter = std::mem::take(&mut self.cutter);
        {
            let mut sink = self.sink();
            cutter.finish(&mut sink);
            sink.flush_all();
        }
        self.cutter = cutter;
        self.schedule(out);
        for dir in 0..self.dirs.len() {
            self.queue.push_back(Job::Quit {
                dir,
                stage: Quit::Sync,
            });
        }
        self.queue.push_back(Job::Exit(0));
    }

    fn sink(&mut self) -> Sink<'_> {
        Sink {
            ops: &self.script.ops,
            has_patterns: self.has_patterns,
            plain: self.plain,
            dirs: &mut self.dirs,
            selected: &mut self.selected,
            status: &mut self.status,
            stderr: &mut self.stderr,
            scratch: &mut self.scratch,
            next_read: READ_0_76,
        }
    }

    /// Turn the planned output of a read into jobs.
    fn schedule(&mut self, out: &mut Vec<Action>) {
        if !self.stderr.is_empty() {
            out.push(Action::Stderr(std::mem::take(&mut self.stderr)));
        }
        for (file, line) in self.status.iter_mut().enumerate() {
            if let Some(bytes) = line.take() {
                self.queue.push_back(Job::WriteStatus {
                    file,
                    bytes,
                    seeked: false,
                });
            }
        }
        for (dir, state) in self.dirs.iter_mut().enumerate() {
            let (data, cuts) = state.writer.take();
            if data.is_empty() && cuts.is_empty() {
                continue;
            }
            let len = data.len();
            let data = Arc::new(data);
            let mut start = 0;
            for cut in cuts {
                if cut > start {
                    self.queue.push_back(Job::Append {
                        dir,
                        bytes: Chunk::new(Arc::clone(&data), start..cut),
                    });
                }
                self.queue.push_back(Job::Rotate {
                    dir,
                    stage: Rotate::Sync,
                });
                start = cut;
            }
            if len > start {
                self.queue.push_back(Job::Append {
                    dir,
                    bytes: Chunk::new(data, start..len),
                });
            }
        }
    }

    /// With nothing left to do: act on a pending ALRM or TERM. Whether that
    /// gave more work.
    fn idle(&mut self, out: &mut Vec<Action>) -> bool {
        if !self.started {
            return false;
        }
        //= spec/multilog.md#log-18
        if self.alarm {
            self.alarm = false;
            for (dir, state) in self.dirs.iter_mut().enumerate() {
                if state.writer.bytes() > 0 {
                    state.writer.set_bytes(0);
                    self.queue.push_back(Job::Rotate {
                        dir,
                        stage: Rotate::Sync,
                    });
                }
            }
        }
        //= spec/multilog.md#log-19
        if self.term && !self.ending && !self.cutter.in_line() {
            self.end_of_input(out);
        }
        !self.queue.is_empty()
    }

    /// Start steps until one needs an answer or a pause.
    fn pump(&mut self, now: Now, out: &mut Vec<Action>) {
        while self.wait == Wait::Ready {
            let Some(mut job) = self.running.take().or_else(|| self.queue.pop_front()) else {
                if self.idle(out) {
                    continue;
                }
                return;
            };
            let step = match &mut job {
                Job::Started => {
                    self.started = true;
                    continue;
                }
                Job::Exit(code) => {
                    out.push(Action::Exit(*code));
                    self.wait = Wait::Finished;
                    return;
                }
                Job::OpenStatus { file, created } => {
                    let path = self.script.status_files[*file].clone();
                    Step::Act(if *created {
                        Action::OpenStatusFile { file: *file, path }
                    } else {
                        Action::CreateStatusFile { file: *file, path }
                    })
                }
                Job::Append { dir, bytes } => Step::Act(Action::Append {
                    dir: *dir,
                    bytes: bytes.clone(),
                }),
                Job::WriteStatus {
                    file,
                    bytes,
                    seeked,
                } => Step::Act(if *seeked {
                    Action::WriteStatusFile {
                        file: *file,
                        bytes: bytes.clone(),
                    }
                } else {
                    Action::SeekStatusFile { file: *file }
                }),
                Job::Start { dir, stage } => stage.start(&mut self.ctx(*dir, now)),
                Job::Rotate { dir, stage } => stage.start(&mut self.ctx(*dir, now)),
                Job::Quit { dir, stage } => stage.start(&mut self.ctx(*dir, now)),
            };
            match step {
                Step::Act(action) => {
                    out.push(action);
                    self.running = Some(job);
                    self.wait = Wait::Answer;
                }
                Step::Fire(action) => {
                    out.push(action);
                    self.running = Some(job);
                }
                Step::Pause(failure) => {
                    self.running = Some(job);
                    self.fail(now, failure, out);
                }
                Step::Done => {}
            }
        }
    }

    fn ctx(&mut self, dir: usize, now: Now) -> Ctx<'_> {
        Ctx {
            index: dir,
            config: &self.script.dirs[dir],
            state: &mut self.dirs[dir],
            wall: now.wall,
        }
    }

    /// The answer to the step under way.
    fn answer(&mut self, now: Now, answer: Answer, out: &mut Vec<Action>) {
        if self.wait != Wait::Answer {
            return;
        }
        self.wait = Wait::Ready;
        let Some(mut job) = self.running.take() else {
            return;
        };
        let next = match &mut job {
            Job::OpenStatus { file, created } => {
                let path = self.script.status_files[*file].clone();
                match (&answer, *created) {
                    (Answer::Done(_), false) => {
                        *created = true;
                        Next::Continue
                    }
                    (Answer::Done(_), true) => Next::Done,
                    (_, false) => {
                        Next::Fatal(failure(Problem::CreateStatus { file: path }, &answer))
                    }
                    (_, true) => Next::Fatal(failure(Problem::WriteStatus { file: path }, &answer)),
                }
            }
            //= spec/multilog.md#log-11
            //= spec/multilog.md#log-21
            Job::Append { dir, bytes } => match answer {
                Answer::Done(Done::Written(n)) if n >= bytes.len() => Next::Done,
                Answer::Done(Done::Written(n)) if n > 0 => {
                    bytes.advance(n);
                    Next::Continue
                }
                _ => {
                    let cause = match answer {
                        Answer::Failed(errno) => Cause::Errno(errno),
                        _ => Cause::PartialWrite,
                    };
                    Next::Retry(Failure {
                        problem: Problem::WriteTo {
                            dir: self.script.dirs[*dir].path.clone(),
                            file: FileName::Current,
                        },
                        cause,
                    })
                }
            },
            //= spec/multilog.md#log-6
            Job::WriteStatus {
                file,
                bytes,
                seeked,
            } => {
                let path = self.script.status_files[*file].clone();
                match (answer, *seeked) {
                    (Answer::Done(_), false) => {
                        *seeked = true;
                        Next::Continue
                    }
                    (Answer::Done(Done::Written(n)), true) if n >= bytes.len() => Next::Done,
                    (answer, false) => {
                        Next::Retry(failure(Problem::SeekStatus { file: path }, &answer))
                    }
                    (answer, true) => {
                        *seeked = false;
                        let cause = match answer {
                            Answer::Failed(errno) => Cause::Errno(errno),
                            _ => Cause::PartialWrite,
                        };
                        Next::Retry(Failure {
                            problem: Problem::WriteStatus { file: path },
                            cause,
                        })
                    }
                }
            }
            Job::Start { dir, stage } => {
                let dir = *dir;
                stage.advance(answer, &mut self.ctx(dir, now))
            }
            Job::Rotate { dir, stage } => {
                let dir = *dir;
                stage.advance(answer, &mut self.ctx(dir, now))
            }
            Job::Quit { dir, stage } => {
                let dir = *dir;
                stage.advance(answer, &mut self.ctx(dir, now))
            }
            Job::Started | Job::Exit(_) => Next::Done,
        };
        match next {
            Next::Continue => self.running = Some(job),
            Next::Done => {}
            Next::Retry(f) => {
                self.running = Some(job);
                self.fail(now, f, out);
            }
            //= spec/multilog.md#log-22
            Next::Fatal(f) => {
                out.push(Action::Fatal(Fatal::Failed(f)));
                out.push(Action::Exit(111));
                self.wait = Wait::Finished;
            }
        }
    }

    /// A step failed: warn and pause (LOG-21), or after TERM give up
    /// (LOG-23).
    fn fail(&mut self, now: Now, failure: Failure, out: &mut Vec<Action>) {
        if self.term {
            //= spec/multilog.md#log-23
            out.push(Action::Fatal(Fatal::AfterTerm {
                failure,
                unlogged: self.unlogged(),
            }));
            out.push(Action::Exit(111));
            self.wait = Wait::Finished;
            return;
        }
        out.push(Action::Warn(failure));
        self.wait = Wait::Paused(now.mono.after_secs(PAUSE_SECS));
    }
}

fn failure(problem: Problem, answer: &Answer) -> Failure {
    Failure {
        problem,
        cause: match answer {
            Answer::Failed(errno) => Cause::Errno(*errno),
            _ => Cause::Errno(Errno::EIO),
        },
    }
}

/// Where the cutter's lines go: selection, `e`, `=`, and each directory's
/// writer, with 0.76's buffer flushes at its read boundaries.
struct Sink<'a> {
    ops: &'a [Op],
    has_patterns: bool,
    /// Only directories in the script: every line goes to every one.
    plain: bool,
    dirs: &'a mut [DirState],
    selected: &'a mut [bool],
    status: &'a mut [Option<Vec<u8>>],
    stderr: &'a mut Vec<u8>,
    scratch: &'a mut Vec<u8>,
    /// The offset of the next 0.76 read boundary in the current read.
    next_read: usize,
}

impl Sink<'_> {
    /// 0.76 empties every buffer before each read: do so for every read
    /// boundary up to offset `at`.
    //= spec/multilog.md#log-9
    #[inline]
    fn reads_before(&mut self, at: Option<usize>) {
        match at {
            Some(at) if at >= self.next_read => self.flush_reads(at),
            _ => {}
        }
    }

    #[cold]
    fn flush_reads(&mut self, at: usize) {
        while self.next_read <= at {
            for dir in self.dirs.iter_mut() {
                dir.writer.flush();
            }
            self.next_read += READ_0_76;
        }
    }

    fn flush_all(&mut self) {
        for dir in self.dirs.iter_mut() {
            dir.writer.flush();
        }
    }
}

/// Append the first `max` bytes of the concatenation of `parts` to `out`.
fn copy_prefix(parts: &[&[u8]], max: usize, out: &mut Vec<u8>) {
    let mut left = max;
    for part in parts {
        let take = part.len().min(left);
        out.extend_from_slice(&part[..take]);
        left -= take;
    }
}

impl LineSink for Sink<'_> {
    //= spec/multilog.md#log-3
    //= spec/multilog.md#log-5
    //= spec/multilog.md#log-6
    fn head(&mut self, parts: &[&[u8]], at: Option<usize>) {
        self.reads_before(at);
        self.select(parts);
        for (dir, state) in self.dirs.iter_mut().enumerate() {
            if self.selected[dir] {
                state.writer.put(parts);
            }
        }
    }

    fn whole(&mut self, parts: &[&[u8]], at: usize) {
        self.reads_before(Some(at));
        self.select(parts);
        for (dir, state) in self.dirs.iter_mut().enumerate() {
            if self.selected[dir] {
                state.writer.put_line(parts);
            }
        }
    }

    fn tail(&mut self, mut bytes: &[u8], mut at: usize) {
        while !bytes.is_empty() {
            self.reads_before(Some(at));
            let take = bytes.len().min(self.next_read - at);
            for (dir, state) in self.dirs.iter_mut().enumerate() {
                if self.selected[dir] {
                    state.writer.put_each(&bytes[..take]);
                }
            }
            bytes = &bytes[take..];
            at += take;
        }
    }

    fn end(&mut self, at: Option<usize>) {
        self.reads_before(at);
        for (dir, state) in self.dirs.iter_mut().enumerate() {
            if self.selected[dir] {
                state.writer.put(&[b"\n"]);
            }
        }
    }
}

impl Sink<'_> {
    /// Run the script over a complete head: the selection for each
    /// directory, `e` and `=` (LOG-3, LOG-5, LOG-6).
    #[inline]
    fn select(&mut self, parts: &[&[u8]]) {
        if self.plain {
            return;
        }
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if self.has_patterns {
            self.scratch.clear();
            copy_prefix(parts, HEAD_MAX, self.scratch);
        }
        let mut selected = true;
        for op in self.ops {
            match op {
                Op::Select(pattern) => {
                    if !selected && matches(pattern, self.scratch) {
                        selected = true;
                    }
                }
                Op::Deselect(pattern) => {
                    if selected && matches(pattern, self.scratch) {
                        selected = false;
                    }
                }
                Op::Stderr => {
                    if selected {
                        copy_prefix(parts, STDERR_MAX, self.stderr);
                        if len > STDERR_MAX {
                            self.stderr.extend_from_slice(b"...");
                        }
                        self.stderr.push(b'\n');
                    }
                }
                Op::Status(file) => {
                    if selected {
                        if let Some(slot) = self.status.get_mut(*file) {
                            let bytes = slot.get_or_insert_with(Vec::new);
                            bytes.clear();
                            copy_prefix(parts, HEAD_MAX, bytes);
                            bytes.resize(STATUS_LEN, b'\n');
                        }
                    }
                }
                Op::Dir(dir) => {
                    if let Some(slot) = self.selected.get_mut(*dir) {
                        *slot = selected;
                    }
                }
            }
        }
    }
}
