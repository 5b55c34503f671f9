//! The filesystem sequences of a log directory, one step per action:
//! start-up recovery (LOG-12..14), rotation (LOG-15, LOG-17), archiving and
//! trimming (LOG-16, LOG-25) and the clean exit (LOG-20).
//!
//! Each sequence is a small machine: `start` names the next action, and
//! `advance` takes its answer and moves on, asks for a retry after a pause,
//! or gives up.

use super::action::{Action, Cause, Failure, FileName, OpenMode, Problem};
use super::event::{Done, FileInfo, FileKind};
use super::script::DirConfig;
use super::writer::Writer;
use crate::label::{self, LABEL_LEN};
use crate::process::ExitKind;
use crate::{Errno, Tai64, Tai64N};

/// The answer to the action a sequence is waiting for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// It succeeded.
    Done(Done),
    /// It failed.
    Failed(Errno),
    /// The processor ended.
    Exited(ExitKind),
}

/// What a sequence wants next.
#[derive(Debug)]
pub(crate) enum Step {
    /// Carry out this action and answer it.
    Act(Action),
    /// Carry out this action, which has no answer; the sequence has moved on.
    Fire(Action),
    /// Warn and pause, then ask again (`processor failed`, which follows the
    /// crash pause).
    Pause(Failure),
    /// The sequence is complete.
    Done,
}

/// What an answer leads to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Ask `start` for the next step.
    Continue,
    /// Warn, pause, then ask `start` again.
    Retry(Failure),
    /// Give up: the program ends with exit code 111.
    Fatal(Failure),
    /// The sequence is complete.
    Done,
}

/// A log directory's state besides its configuration.
#[derive(Clone, Debug)]
pub(crate) struct DirState {
    /// Where its files are cut.
    pub(crate) writer: Writer,
    /// The highest label among its archives, as a 96-bit number.
    pub(crate) newest: Option<u128>,
}

/// What a sequence may look at and change.
pub(crate) struct Ctx<'a> {
    pub(crate) index: usize,
    pub(crate) config: &'a DirConfig,
    pub(crate) state: &'a mut DirState,
    pub(crate) wall: Tai64N,
}

impl Ctx<'_> {
    fn path(&self) -> Vec<u8> {
        self.config.path.clone()
    }

    fn failure(&self, problem: impl FnOnce(Vec<u8>) -> Problem, cause: Cause) -> Failure {
        Failure {
            problem: problem(self.path()),
            cause,
        }
    }
}

fn errno_cause(answer: &Answer) -> Cause {
    match answer {
        Answer::Failed(e) => Cause::Errno(*e),
        // An answer of the wrong kind: the driver broke its contract. Treat
        // it as an I/O error, which pauses and retries.
        _ => Cause::Errno(Errno::EIO),
    }
}

fn stamp_value(stamp: &Tai64N) -> u128 {
    (u128::from(stamp.0 .0) << 32) | u128::from(stamp.1)
}

fn stamp_of(value: u128) -> Tai64N {
    Tai64N(Tai64((value >> 32) as u64), value as u32)
}

/// The label value of an archive name, if its first 25 bytes are a label.
pub(crate) fn name_value(name: &[u8]) -> Option<u128> {
    let head = name.get(..LABEL_LEN)?;
    label::parse(head).ok().map(|s| stamp_value(&s))
}

/// The name for a new archive: the wall clock's label, unless that would
/// not sort after `newest`, in which case `newest` plus one nanosecond.
//= spec/multilog.md#log-16
//= spec/multilog.md#log-25
pub(crate) fn archive_name(wall: Tai64N, newest: Option<u128>, code: u8) -> Vec<u8> {
    let mut value = stamp_value(&wall);
    if let Some(newest) = newest {
        if value <= newest {
            value = (newest + 1).min((1u128 << 96) - 1);
        }
    }
    let mut name = label::encode(&stamp_of(value)).to_vec();
    name.push(b'.');
    name.push(code);
    name
}

/// Whether a listed name counts as an archive: `@` and at least 25 bytes.
pub fn is_archive(name: &[u8]) -> bool {
    name.first() == Some(&b'@') && name.len() >= LABEL_LEN
}

/// Archive a file (LOG-16): stat, link, unlink, trim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Finish {
    file: FileName,
    code: u8,
    /// At start-up a file that is not regular is fatal (LOG-24).
    startup: bool,
    stage: FinishStage,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum FinishStage {
    Stat,
    Link(Vec<u8>),
    Unlink,
    List,
    Remove(Vec<u8>),
}

impl Finish {
    pub(crate) fn new(file: FileName, code: u8, startup: bool) -> Finish {
        Finish {
            file,
            code,
            startup,
            stage: FinishStage::Stat,
        }
    }

    pub(crate) fn start(&mut self, ctx: &mut Ctx<'_>) -> Step {
        let dir = ctx.index;
        Step::Act(match &mut self.stage {
            FinishStage::Stat => Action::Stat {
                dir,
                file: self.file.clone(),
            },
            FinishStage::Link(name) => {
                *name = archive_name(ctx.wall, ctx.state.newest, self.code);
                Action::Link {
                    dir,
                    from: self.file.clone(),
                    to: FileName::Archive(name.clone()),
                }
            }
            FinishStage::Unlink => Action::Unlink {
                dir,
                file: self.file.clone(),
            },
            FinishStage::List => Action::List { dir },
            FinishStage::Remove(name) => Action::Unlink {
                dir,
                file: FileName::Archive(name.clone()),
            },
        })
    }

    //= spec/multilog.md#log-16
    pub(crate) fn advance(&mut self, answer: Answer, ctx: &mut Ctx<'_>) -> Next {
        let file = self.file.clone();
        match (&self.stage, &answer) {
            (FinishStage::Stat, Answer::Done(Done::Stat(None)))
            | (FinishStage::Stat, Answer::Failed(Errno::ENOENT)) => Next::Done,
            (FinishStage::Stat, Answer::Done(Done::Stat(Some(info)))) => {
                if info.kind != FileKind::Regular {
                    let failure = ctx.failure(|dir| Problem::Use { dir, file }, Cause::NotRegular);
                    return if self.startup {
                        Next::Fatal(failure)
                    } else {
                        Next::Retry(failure)
                    };
                }
                self.stage = if info.nlink == 1 {
                    FinishStage::Link(Vec::new())
                } else {
                    FinishStage::Unlink
                };
                Next::Continue
            }
            (FinishStage::Stat, _) => {
                Next::Retry(ctx.failure(|dir| Problem::Stat { dir, file }, errno_cause(&answer)))
            }
            (FinishStage::Link(name), Answer::Done(_)) => {
                if let Some(value) = name_value(name) {
                    ctx.state.newest = Some(ctx.state.newest.map_or(value, |n| n.max(value)));
                }
                self.stage = FinishStage::Unlink;
                Next::Continue
            }
            (FinishStage::Link(name), _) => {
                let name = name.clone();
                Next::Retry(ctx.failure(|dir| Problem::Link { dir, name }, errno_cause(&answer)))
            }
            (FinishStage::Unlink, Answer::Done(_) | Answer::Failed(Errno::ENOENT)) => {
                self.stage = FinishStage::List;
                Next::Continue
            }
            (FinishStage::Unlink, _) => {
                Next::Retry(ctx.failure(|dir| Problem::Remove { dir, file }, errno_cause(&answer)))
            }
            (FinishStage::List, Answer::Done(Done::Listed(names))) => {
                let archives: Vec<&Vec<u8>> = names.iter().filter(|n| is_archive(n)).collect();
                for name in &archives {
                    if let Some(value) = name_value(name) {
                        ctx.state.newest = Some(ctx.state.newest.map_or(value, |n| n.max(value)));
                    }
                }
                if (archives.len() as u64) < ctx.config.num {
                    return Next::Done;
                }
                let oldest = archives
                    .iter()
                    .min_by(|a, b| a[..LABEL_LEN].cmp(&b[..LABEL_LEN]).then(a.cmp(b)));
                match oldest {
                    Some(name) => {
                        self.stage = FinishStage::Remove((*name).clone());
                        Next::Continue
                    }
                    None => Next::Done,
                }
            }
            (FinishStage::List, _) => {
                Next::Retry(ctx.failure(|dir| Problem::ReadDir { dir }, errno_cause(&answer)))
            }
            (FinishStage::Remove(_), Answer::Done(_) | Answer::Failed(Errno::ENOENT)) => {
                self.stage = FinishStage::List;
                Next::Continue
            }
            (FinishStage::Remove(name), _) => {
                let file = FileName::Archive(name.clone());
                Next::Retry(ctx.failure(|dir| Problem::Remove { dir, file }, errno_cause(&answer)))
            }
        }
    }
}

/// Start-up of a log directory (LOG-12..LOG-14).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Start {
    OpenDir,
    LockDir,
    List,
    StatCurrent,
    AppendCurrent,
    ModeAppended,
    UnlinkState,
    UnlinkNewState,
    StatProcessed,
    UnlinkPrevious,
    UnlinkProcessed,
    FinishFirst(Finish),
    FinishCurrent(Finish),
    CreateState,
    CloseState,
    OpenCurrent,
    ModeCurrent,
    Complete,
}

fn is_ok(answer: &Answer) -> bool {
    matches!(answer, Answer::Done(_))
}

impl Start {
    pub(crate) fn start(&mut self, ctx: &mut Ctx<'_>) -> Step {
        let dir = ctx.index;
        match self {
            Start::OpenDir => Step::Act(Action::OpenDir {
                dir,
                path: ctx.path(),
            }),
            Start::LockDir => Step::Act(Action::LockDir { dir }),
            Start::List => Step::Act(Action::List { dir }),
            Start::StatCurrent => stat(dir, FileName::Current),
            Start::AppendCurrent | Start::OpenCurrent => {
                open(dir, FileName::Current, OpenMode::Append)
            }
            Start::ModeAppended | Start::ModeCurrent => fchmod(dir, FileName::Current, 0o644),
            Start::UnlinkState => unlink(dir, FileName::State),
            Start::UnlinkNewState => unlink(dir, FileName::NewState),
            Start::StatProcessed => stat(dir, FileName::Processed),
            Start::UnlinkPrevious => unlink(dir, FileName::Previous),
            Start::UnlinkProcessed => unlink(dir, FileName::Processed),
            Start::FinishFirst(finish) | Start::FinishCurrent(finish) => finish.start(ctx),
            Start::CreateState => open(dir, FileName::State, OpenMode::Truncate),
            Start::CloseState => {
                *self = Start::OpenCurrent;
                Step::Fire(Action::Close {
                    dir,
                    file: FileName::State,
                })
            }
            Start::Complete => Step::Done,
        }
    }

    //= spec/multilog.md#log-12
    //= spec/multilog.md#log-13
    //= spec/multilog.md#log-14
    //= spec/multilog.md#log-22
    pub(crate) fn advance(&mut self, answer: Answer, ctx: &mut Ctx<'_>) -> Next {
        let fatal = |ctx: &Ctx<'_>, problem: fn(Vec<u8>) -> Problem| {
            Next::Fatal(ctx.failure(problem, errno_cause(&answer)))
        };
        let next = match self {
            Start::OpenDir if is_ok(&answer) => Start::LockDir,
            Start::OpenDir => return fatal(ctx, |dir| Problem::OpenDir { dir }),
            Start::LockDir if is_ok(&answer) => Start::List,
            Start::LockDir => return fatal(ctx, |dir| Problem::LockDir { dir }),
            Start::List => match answer {
                Answer::Done(Done::Listed(ref names)) => {
                    ctx.state.newest = names
                        .iter()
                        .filter(|n| is_archive(n))
                        .filter_map(|n| name_value(n))
                        .max();
                    Start::StatCurrent
                }
                _ => {
                    return Next::Retry(
                        ctx.failure(|dir| Problem::ReadDir { dir }, errno_cause(&answer)),
                    )
                }
            },
            Start::StatCurrent => match answer {
                Answer::Done(Done::Stat(Some(info))) => {
                    if let Some(next) = refuse(&info, FileName::Current, ctx) {
                        return next;
                    }
                    if info.finished() {
                        ctx.state.writer.set_bytes(info.size);
                        Start::AppendCurrent
                    } else {
                        Start::UnlinkState
                    }
                }
                Answer::Done(Done::Stat(None)) | Answer::Failed(Errno::ENOENT) => {
                    Start::UnlinkState
                }
                _ => {
                    return fatal(ctx, |dir| Problem::Stat {
                        dir,
                        file: FileName::Current,
                    })
                }
            },
            Start::AppendCurrent if is_ok(&answer) => Start::ModeAppended,
            Start::AppendCurrent => return fatal(ctx, |dir| Problem::AppendCurrent { dir }),
            Start::ModeAppended | Start::ModeCurrent if is_ok(&answer) => Start::Complete,
            Start::ModeAppended | Start::ModeCurrent => {
                return fatal(ctx, |dir| Problem::SetMode {
                    dir,
                    file: FileName::Current,
                })
            }
            Start::UnlinkState => Start::UnlinkNewState,
            Start::UnlinkNewState => Start::StatProcessed,
            Start::StatProcessed => match answer {
                Answer::Done(Done::Stat(Some(info))) => {
                    if let Some(next) = refuse(&info, FileName::Processed, ctx) {
                        return next;
                    }
                    if info.finished() {
                        Start::UnlinkPrevious
                    } else {
                        Start::UnlinkProcessed
                    }
                }
                Answer::Done(Done::Stat(None)) | Answer::Failed(Errno::ENOENT) => {
                    Start::UnlinkProcessed
                }
                _ => {
                    return fatal(ctx, |dir| Problem::Stat {
                        dir,
                        file: FileName::Processed,
                    })
                }
            },
            Start::UnlinkPrevious => {
                Start::FinishFirst(Finish::new(FileName::Processed, b's', true))
            }
            Start::UnlinkProcessed => {
                Start::FinishFirst(Finish::new(FileName::Previous, b'u', true))
            }
            Start::FinishFirst(finish) => match finish.advance(answer, ctx) {
                Next::Done => Start::FinishCurrent(Finish::new(FileName::Current, b'u', true)),
                other => return other,
            },
            Start::FinishCurrent(finish) => match finish.advance(answer, ctx) {
                Next::Done => Start::CreateState,
                other => return other,
            },
            Start::CreateState if is_ok(&answer) => Start::CloseState,
            Start::CreateState => {
                return fatal(ctx, |dir| Problem::WriteTo {
                    dir,
                    file: FileName::State,
                })
            }
            Start::OpenCurrent if is_ok(&answer) => {
                ctx.state.writer.set_bytes(0);
                Start::ModeCurrent
            }
            Start::OpenCurrent => {
                return fatal(ctx, |dir| Problem::WriteTo {
                    dir,
                    file: FileName::Current,
                })
            }
            Start::CloseState | Start::Complete => return Next::Continue,
        };
        *self = next;
        Next::Continue
    }
}

/// At start-up, a `current`, `previous` or `processed` that is not a regular
/// file is refused (LOG-24).
//= spec/multilog.md#log-24
fn refuse(info: &FileInfo, file: FileName, ctx: &Ctx<'_>) -> Option<Next> {
    (info.kind != FileKind::Regular)
        .then(|| Next::Fatal(ctx.failure(|dir| Problem::Use { dir, file }, Cause::NotRegular)))
}

fn stat(dir: usize, file: FileName) -> Step {
    Step::Act(Action::Stat { dir, file })
}

fn unlink(dir: usize, file: FileName) -> Step {
    Step::Act(Action::Unlink { dir, file })
}

fn open(dir: usize, file: FileName, mode: OpenMode) -> Step {
    Step::Act(Action::Open { dir, file, mode })
}

fn fchmod(dir: usize, file: FileName, mode: u32) -> Step {
    Step::Act(Action::Fchmod { dir, file, mode })
}

fn fsync(dir: usize, file: FileName) -> Step {
    Step::Act(Action::Fsync { dir, file })
}

/// Rotation of a full `current` (LOG-15, LOG-17).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Rotate {
    Sync,
    Close,
    Rename,
    Open,
    Mode,
    ModePrevious,
    Spawn,
    FailedNotice,
    OpenProcessed,
    SyncProcessed,
    ModeProcessed,
    CloseProcessed,
    OpenNewState,
    SyncNewState,
    CloseNewState,
    RemovePrevious,
    RenameNewState,
    Finish(Finish),
}

impl Rotate {
    pub(crate) fn start(&mut self, ctx: &mut Ctx<'_>) -> Step {
        let dir = ctx.index;
        match self {
            Rotate::Sync => fsync(dir, FileName::Current),
            Rotate::Close => {
                *self = Rotate::Rename;
                Step::Fire(Action::Close {
                    dir,
                    file: FileName::Current,
                })
            }
            Rotate::Rename => Step::Act(Action::Rename {
                dir,
                from: FileName::Current,
                to: FileName::Previous,
            }),
            Rotate::Open => open(dir, FileName::Current, OpenMode::Append),
            Rotate::Mode => fchmod(dir, FileName::Current, 0o644),
            Rotate::ModePrevious => Step::Act(Action::Chmod {
                dir,
                file: FileName::Previous,
                mode: 0o744,
            }),
            Rotate::Spawn => Step::Act(Action::SpawnProcessor {
                dir,
                processor: ctx.config.processor.clone().unwrap_or_default(),
            }),
            Rotate::FailedNotice => {
                *self = Rotate::Spawn;
                Step::Pause(ctx.failure(|dir| Problem::ProcessorFailed { dir }, Cause::Unspecified))
            }
            Rotate::OpenProcessed => open(dir, FileName::Processed, OpenMode::Append),
            Rotate::SyncProcessed => fsync(dir, FileName::Processed),
            Rotate::ModeProcessed => fchmod(dir, FileName::Processed, 0o744),
            Rotate::CloseProcessed => {
                *self = Rotate::OpenNewState;
                Step::Fire(Action::Close {
                    dir,
                    file: FileName::Processed,
                })
            }
            Rotate::OpenNewState => open(dir, FileName::NewState, OpenMode::Append),
            Rotate::SyncNewState => fsync(dir, FileName::NewState),
            Rotate::CloseNewState => {
                *self = Rotate::RemovePrevious;
                Step::Fire(Action::Close {
                    dir,
                    file: FileName::NewState,
                })
            }
            Rotate::RemovePrevious => unlink(dir, FileName::Previous),
            Rotate::RenameNewState => Step::Act(Action::Rename {
                dir,
                from: FileName::NewState,
                to: FileName::State,
            }),
            Rotate::Finish(finish) => finish.start(ctx),
        }
    }

    //= spec/multilog.md#log-15
    //= spec/multilog.md#log-17
    //= spec/multilog.md#log-21
    pub(crate) fn advance(&mut self, answer: Answer, ctx: &mut Ctx<'_>) -> Next {
        let ok = is_ok(&answer);
        let cause = errno_cause(&answer);
        let retry = |_: &Ctx<'_>, problem: Problem| Next::Retry(Failure { problem, cause });
        let path = ctx.path();
        let next = match self {
            Rotate::Sync if ok => Rotate::Close,
            Rotate::Sync => {
                return retry(
                    ctx,
                    Problem::Sync {
                        dir: path,
                        file: FileName::Current,
                    },
                )
            }
            Rotate::Rename if ok => Rotate::Open,
            Rotate::Rename => return retry(ctx, Problem::RenameCurrent { dir: path }),
            Rotate::Open if ok => Rotate::Mode,
            Rotate::Open => {
                return retry(
                    ctx,
                    Problem::Create {
                        dir: path,
                        file: FileName::Current,
                    },
                )
            }
            Rotate::Mode if ok => Rotate::ModePrevious,
            Rotate::Mode => {
                return retry(
                    ctx,
                    Problem::SetMode {
                        dir: path,
                        file: FileName::Current,
                    },
                )
            }
            Rotate::ModePrevious if ok => match ctx.config.processor {
                Some(_) => Rotate::Spawn,
                None => Rotate::Finish(Finish::new(FileName::Previous, b's', false)),
            },
            Rotate::ModePrevious => {
                return retry(
                    ctx,
                    Problem::SetMode {
                        dir: path,
                        file: FileName::Previous,
                    },
                )
            }
            Rotate::Spawn => match answer {
                Answer::Exited(ExitKind::Exited(0)) => Rotate::OpenProcessed,
                Answer::Exited(ExitKind::Exited(_)) => {
                    return Next::Retry(Failure {
                        problem: Problem::ProcessorFailed { dir: path },
                        cause: Cause::Unspecified,
                    })
                }
                Answer::Exited(ExitKind::Signaled(signal)) => {
                    *self = Rotate::FailedNotice;
                    return Next::Retry(Failure {
                        problem: Problem::ProcessorCrashed { dir: path },
                        cause: Cause::Signal(signal),
                    });
                }
                _ => return retry(ctx, Problem::Fork { dir: path }),
            },
            Rotate::OpenProcessed if ok => Rotate::SyncProcessed,
            Rotate::OpenProcessed => {
                return retry(
                    ctx,
                    Problem::Create {
                        dir: path,
                        file: FileName::Processed,
                    },
                )
            }
            Rotate::SyncProcessed if ok => Rotate::ModeProcessed,
            Rotate::SyncProcessed => {
                return retry(
                    ctx,
                    Problem::Sync {
                        dir: path,
                        file: FileName::Processed,
                    },
                )
            }
            Rotate::ModeProcessed if ok => Rotate::CloseProcessed,
            Rotate::ModeProcessed => {
                return retry(
                    ctx,
                    Problem::SetMode {
                        dir: path,
                        file: FileName::Processed,
                    },
                )
            }
            Rotate::OpenNewState if ok => Rotate::SyncNewState,
            Rotate::OpenNewState => {
                return retry(
                    ctx,
                    Problem::Create {
                        dir: path,
                        file: FileName::NewState,
                    },
                )
            }
            Rotate::SyncNewState if ok => Rotate::CloseNewState,
            Rotate::SyncNewState => {
                return retry(
                    ctx,
                    Problem::Sync {
                        dir: path,
                        file: FileName::NewState,
                    },
                )
            }
            Rotate::RemovePrevious if ok || answer == Answer::Failed(Errno::ENOENT) => {
                Rotate::RenameNewState
            }
            Rotate::RemovePrevious => {
                return retry(
                    ctx,
                    Problem::Remove {
                        dir: path,
                        file: FileName::Previous,
                    },
                )
            }
            Rotate::RenameNewState if ok => {
                Rotate::Finish(Finish::new(FileName::Processed, b's', false))
            }
            Rotate::RenameNewState => return retry(ctx, Problem::RenameNewState { dir: path }),
            Rotate::Finish(finish) => return finish.advance(answer, ctx),
            Rotate::Close
            | Rotate::FailedNotice
            | Rotate::CloseProcessed
            | Rotate::CloseNewState => return Next::Continue,
        };
        *self = next;
        Next::Continue
    }
}

/// The clean exit of a directory (LOG-20): fsync `current`, mode 0744.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quit {
    Sync,
    Mode,
    Complete,
}

impl Quit {
    pub(crate) fn start(&mut self, ctx: &mut Ctx<'_>) -> Step {
        match self {
            Quit::Sync => fsync(ctx.index, FileName::Current),
            Quit::Mode => fchmod(ctx.index, FileName::Current, 0o744),
            Quit::Complete => Step::Done,
        }
    }

    //= spec/multilog.md#log-20
    pub(crate) fn advance(&mut self, answer: Answer, ctx: &mut Ctx<'_>) -> Next {
        let ok = is_ok(&answer);
        let (next, problem) = match self {
            Quit::Sync if ok => (Quit::Mode, None),
            Quit::Sync => (
                Quit::Sync,
                Some(Problem::Sync {
                    dir: ctx.path(),
                    file: FileName::Current,
                }),
            ),
            Quit::Mode if ok => (Quit::Complete, None),
            Quit::Mode => (
                Quit::Mode,
                Some(Problem::SetMode {
                    dir: ctx.path(),
                    file: FileName::Current,
                }),
            ),
            Quit::Complete => (Quit::Complete, None),
        };
        *self = next;
        match problem {
            Some(problem) => Next::Retry(Failure {
                problem,
                cause: errno_cause(&answer),
            }),
            None => Next::Continue,
        }
    }
}
