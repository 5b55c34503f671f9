//! daemontools' diagnostics: one line on stderr, written in one call.

use dt_core::getopt::{program_name, Opt};
use dt_core::Errno;
use std::io::Write;

/// Exit code for a temporary or system failure.
pub const EXIT_TEMPORARY: i32 = 111;
/// Exit code for a usage error or permanent failure.
pub const EXIT_USAGE: i32 = 100;

/// `prog: fatal: text[: error]`.
pub fn fatal_line(prog: &str, text: &str, errno: Option<Errno>) -> String {
    with_errno(format!("{prog}: fatal: {text}"), errno)
}

/// `prog: warning: text[: error]`.
pub fn warning_line(prog: &str, text: &str, errno: Option<Errno>) -> String {
    with_errno(format!("{prog}: warning: {text}"), errno)
}

/// `prog: usage: synopsis`.
pub fn usage_line(prog: &str, synopsis: &str) -> String {
    format!("{prog}: usage: {synopsis}\n")
}

fn with_errno(mut line: String, errno: Option<Errno>) -> String {
    if let Some(errno) = errno {
        line.push_str(": ");
        line.push_str(errno.describe());
    }
    line.push('\n');
    line
}

/// sgetopt's complaint about an option, `<name>: illegal option -- <c>` or
/// `<name>: option requires an argument -- <c>`, where `<name>` is the
/// basename of `argv[0]`.
//= spec/options.md#opt-2
pub fn complaint_line(argv0: &[u8], problem: &Opt) -> Option<Vec<u8>> {
    let (words, letter): (&[u8], u8) = match *problem {
        Opt::Illegal(c) => (b": illegal option -- ", c),
        Opt::MissingArgument(c) => (b": option requires an argument -- ", c),
        Opt::Flag(..) => return None,
    };
    let mut line = program_name(argv0).to_vec();
    line.extend_from_slice(words);
    line.push(letter);
    line.push(b'\n');
    Some(line)
}

/// Print sgetopt's complaint (see [`complaint_line`]) for `args`.
pub fn complain(args: &[Vec<u8>], problem: &Opt) {
    let argv0 = args.first().map_or(&[][..], Vec::as_slice);
    if let Some(line) = complaint_line(argv0, problem) {
        let _ = std::io::stderr().write_all(&line);
    }
}

/// Write a finished diagnostic to stderr in one call; errors writing it
/// cannot be reported anywhere and are ignored, as in daemontools.
pub fn emit(line: &str) {
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// Print a fatal diagnostic and exit with `code`.
pub fn die(code: i32, line: &str) -> ! {
    emit(line);
    std::process::exit(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/errors.md#err-4
    #[test]
    fn lines_are_worded_as_daemontools_words_them() {
        assert_eq!(
            fatal_line("svok", "unable to chdir to x", Some(Errno::ENOENT)),
            "svok: fatal: unable to chdir to x: file does not exist\n"
        );
        assert_eq!(
            warning_line("svc", "unable to control s", Some(Errno::ENOENT)),
            "svc: warning: unable to control s: file does not exist\n"
        );
        assert_eq!(usage_line("svok", "svok dir"), "svok: usage: svok dir\n");
        assert_eq!(
            fatal_line("fghack", "child crashed", None),
            "fghack: fatal: child crashed\n"
        );
    }
}
