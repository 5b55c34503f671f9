//! multilog's messages, worded as 0.76 words them (LOG-21, LOG-22).

use dt_bins::diag::{fatal_line, warning_line};
use dt_bins::show;
use dt_core::multilog::{Cause, Failure, Fatal, Problem};

const PROG: &str = "multilog";

/// The words of a problem, before `, pausing` or `: <cause>`.
fn problem(problem: &Problem) -> String {
    let path = |dir: &[u8], file: &[u8]| format!("{}/{}", show(dir), show(file));
    match problem {
        Problem::CreateStatus { file } => format!("unable to create {}", show(file)),
        Problem::WriteStatus { file } => format!("unable to write {}", show(file)),
        Problem::SeekStatus { file } => format!("unable to move to beginning of {}", show(file)),
        Problem::OpenDir { dir } => format!("unable to open directory {}", show(dir)),
        Problem::LockDir { dir } => format!("unable to lock directory {}", show(dir)),
        Problem::AppendCurrent { dir } => format!("unable to append to {}", path(dir, b"current")),
        Problem::WriteTo { dir, file } => {
            format!("unable to write to {}", path(dir, file.as_bytes()))
        }
        Problem::Use { dir, file } => format!("unable to use {}", path(dir, file.as_bytes())),
        Problem::Stat { dir, file } => format!("unable to stat {}", path(dir, file.as_bytes())),
        Problem::SetMode { dir, file } => {
            format!("unable to set mode of {}", path(dir, file.as_bytes()))
        }
        Problem::Sync { dir, file } => {
            format!("unable to write {} to disk", path(dir, file.as_bytes()))
        }
        Problem::RenameCurrent { dir } => {
            format!(
                "unable to rename current to previous in directory {}",
                show(dir)
            )
        }
        Problem::RenameNewState { dir } => {
            format!(
                "unable to rename newstate to state in directory {}",
                show(dir)
            )
        }
        Problem::Create { dir, file } => format!("unable to create {}", path(dir, file.as_bytes())),
        Problem::Link { dir, name } => format!("unable to link to {}", path(dir, name)),
        Problem::Remove { dir, file } => format!("unable to remove {}", path(dir, file.as_bytes())),
        Problem::ReadDir { dir } => format!("unable to read {}", show(dir)),
        Problem::Fork { dir } => format!("unable to fork for processor in {}", show(dir)),
        Problem::ProcessorCrashed { dir } => format!("processor crashed in {}", show(dir)),
        Problem::ProcessorFailed { dir } => format!("processor failed in {}", show(dir)),
    }
}

/// The words after the last `: `, if any.
fn cause(cause: &Cause) -> Option<String> {
    match cause {
        Cause::Errno(errno) => Some(errno.describe().to_owned()),
        Cause::NotRegular => Some("not a regular file".to_owned()),
        Cause::PartialWrite => Some("partial write".to_owned()),
        //= spec/deviations.md#dev-9
        Cause::Signal(signal) => Some(format!("signal {signal}")),
        Cause::Unspecified => None,
    }
}

/// `multilog: warning: <problem>, pausing[: <cause>]`.
//= spec/multilog.md#log-21
pub(crate) fn warning(failure: &Failure) -> String {
    let text = format!("{}, pausing", problem(&failure.problem));
    match cause(&failure.cause) {
        Some(words) => warning_line(PROG, &format!("{text}: {words}"), None),
        None => warning_line(PROG, &text, None),
    }
}

/// `multilog: fatal: …`.
//= spec/multilog.md#log-22
//= spec/multilog.md#log-23
pub(crate) fn fatal(fatal: &Fatal) -> String {
    let (prefix, failure) = match fatal {
        Fatal::Failed(failure) => (String::new(), failure),
        Fatal::AfterTerm { failure, unlogged } => (
            format!("unable to finish after SIGTERM, {unlogged} bytes not logged: "),
            failure,
        ),
    };
    let mut text = prefix + &problem(&failure.problem);
    if let Some(words) = cause(&failure.cause) {
        text.push_str(": ");
        text.push_str(&words);
    }
    fatal_line(PROG, &text, None)
}

/// What a processor's child prints before the error words.
//= spec/multilog.md#log-17
pub(crate) fn processor_failure(processor: &[u8]) -> Vec<u8> {
    format!("{PROG}: fatal: unable to run {}: ", show(processor)).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dt_core::multilog::FileName;
    use dt_core::Errno;

    fn failure(problem: Problem, cause: Cause) -> Failure {
        Failure { problem, cause }
    }

    //= spec/multilog.md#log-21
    //= spec/multilog.md#log-17
    //= spec/deviations.md#dev-9
    #[test]
    fn warnings_read_as_0_76_words_them() {
        let dir = b"./main".to_vec();
        let lines = [
            failure(
                Problem::WriteTo {
                    dir: dir.clone(),
                    file: FileName::Current,
                },
                Cause::Errno(Errno::ENOSPC),
            ),
            failure(
                Problem::Link {
                    dir: dir.clone(),
                    name: b"@400000006b059d94013f5bdc.s".to_vec(),
                },
                Cause::Errno(Errno::ENOSPC),
            ),
            failure(
                Problem::ProcessorFailed { dir: dir.clone() },
                Cause::Unspecified,
            ),
            failure(
                Problem::ProcessorCrashed { dir: dir.clone() },
                Cause::Signal(9),
            ),
            failure(Problem::RenameCurrent { dir }, Cause::Errno(Errno::EACCES)),
            failure(
                Problem::SeekStatus {
                    file: b"status".to_vec(),
                },
                Cause::Errno(Errno::ESPIPE),
            ),
        ]
        .iter()
        .map(warning)
        .collect::<String>();
        assert_eq!(
            lines,
            "multilog: warning: unable to write to ./main/current, pausing: out of disk space\n\
             multilog: warning: unable to link to ./main/@400000006b059d94013f5bdc.s, pausing: out of disk space\n\
             multilog: warning: processor failed in ./main, pausing\n\
             multilog: warning: processor crashed in ./main, pausing: signal 9\n\
             multilog: warning: unable to rename current to previous in directory ./main, pausing: access denied\n\
             multilog: warning: unable to move to beginning of status, pausing: unseekable descriptor\n"
        );
    }

    //= spec/multilog.md#log-22
    //= spec/multilog.md#log-23
    //= spec/multilog.md#log-24
    #[test]
    fn fatal_messages() {
        let dir = b"./lk".to_vec();
        assert_eq!(
            fatal(&Fatal::Failed(failure(
                Problem::LockDir { dir: dir.clone() },
                Cause::Errno(Errno::EAGAIN)
            ))),
            "multilog: fatal: unable to lock directory ./lk: temporary failure\n"
        );
        assert_eq!(
            fatal(&Fatal::Failed(failure(
                Problem::Use {
                    dir: dir.clone(),
                    file: FileName::Current
                },
                Cause::NotRegular
            ))),
            "multilog: fatal: unable to use ./lk/current: not a regular file\n"
        );
        assert_eq!(
            fatal(&Fatal::AfterTerm {
                failure: failure(
                    Problem::WriteTo {
                        dir,
                        file: FileName::Current
                    },
                    Cause::Errno(Errno::ENOSPC)
                ),
                unlogged: 42,
            }),
            "multilog: fatal: unable to finish after SIGTERM, 42 bytes not logged: \
             unable to write to ./lk/current: out of disk space\n"
        );
        assert_eq!(
            processor_failure(b"gzip"),
            b"multilog: fatal: unable to run gzip: ".to_vec()
        );
    }
}
