//! The opt-in extension files of a service directory (`spec/extensions.md`),
//! turned from the bytes the driver read into an [`Extensions`] value. The
//! driver reads the files each time the machine asks ([`Order::ReadConfig`],
//! before every start of `./run`) and hands the result back with
//! [`Event::Configured`]; the defaults and what counts as "off" live here.
//!
//! [`Order::ReadConfig`]: super::Order::ReadConfig
//! [`Event::Configured`]: super::Event::Configured

use super::backoff::Backoff;

/// What the extension files say for one run of `./run`. The default (every
/// file absent) is 0.76's behaviour exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Extensions {
    /// `timeout-kill`: seconds after a `d` before SIGKILL; `None` = never.
    pub timeout_kill: Option<u32>,
    /// `stop-group`: `./run` leads a process group of its own, and signals go
    /// to the whole group.
    pub stop_group: bool,
    /// `finish` is an executable file: run it after `./run` ends.
    pub finish: bool,
    /// `timeout-finish`: seconds `./finish` may take before SIGKILL; `None` =
    /// no limit. [`DEFAULT_TIMEOUT_FINISH`] unless the file says otherwise.
    pub timeout_finish: Option<u32>,
    /// `backoff`: delays between restarts of a service that keeps dying.
    pub backoff: Option<Backoff>,
    /// `notification-fd`: `./run` gets the write end of a pipe as this
    /// descriptor and says it is ready with a newline on it (EXT-11).
    pub notification_fd: Option<u32>,
    /// `notify`: `./run` gets `$NOTIFY_SOCKET` and says it is ready, and
    /// what it does, in systemd's datagrams (EXT-13).
    pub notify: bool,
    /// `watchdog` (with `notify`): seconds `./run` may go without
    /// `WATCHDOG=1` before it is stopped; `None` = no watchdog (EXT-14).
    pub watchdog: Option<u32>,
}

/// How long `./finish` may run when `timeout-finish` does not say (s6's
/// default).
pub const DEFAULT_TIMEOUT_FINISH: u32 = 5;

/// The extension files as the driver found them: `None` for a file that does
/// not exist (any other failure to read it is reported by the driver as
/// [`ConfigProblem`]-like warning and passed here as `None` too).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigFiles {
    /// The contents of `timeout-kill`.
    pub timeout_kill: Option<Vec<u8>>,
    /// `stop-group` exists (of any type, as `down`).
    pub stop_group: bool,
    /// `finish` is a regular file supervise may execute.
    pub finish: bool,
    /// The contents of `timeout-finish`.
    pub timeout_finish: Option<Vec<u8>>,
    /// The contents of `backoff`.
    pub backoff: Option<Vec<u8>>,
    /// The contents of `notification-fd`.
    pub notification_fd: Option<Vec<u8>>,
    /// `notify` exists (of any type, as `down`).
    pub notify: bool,
    /// The contents of `watchdog` (read only with `notify`).
    pub watchdog: Option<Vec<u8>>,
}

/// Which extension file a problem concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigFile {
    /// `timeout-kill`.
    TimeoutKill,
    /// `timeout-finish`.
    TimeoutFinish,
    /// `backoff`.
    Backoff,
    /// `notification-fd`.
    NotificationFd,
    /// `watchdog`.
    Watchdog,
}

impl ConfigFile {
    /// The file's name in the service directory.
    pub fn name(self) -> &'static str {
        match self {
            ConfigFile::TimeoutKill => "timeout-kill",
            ConfigFile::TimeoutFinish => "timeout-finish",
            ConfigFile::Backoff => "backoff",
            ConfigFile::NotificationFd => "notification-fd",
            ConfigFile::Watchdog => "watchdog",
        }
    }
}

/// An extension file whose contents are not what the spec allows; it is
/// ignored (as if absent) and the driver prints a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConfigProblem {
    /// The file.
    pub file: ConfigFile,
}

/// The largest number of seconds any file may give (about 136 years; the
/// arithmetic on deadlines saturates anyway).
pub const MAX_SECS: u32 = u32::MAX;

/// The highest descriptor `notification-fd` may name (`FD_SETSIZE - 1`, the
/// classic limit of a process's descriptors); 0, 1 and 2 are standard input,
/// output and error and are refused.
pub const MAX_NOTIFICATION_FD: u32 = 1023;

/// The numbers of a file: decimal digits separated and optionally surrounded
/// by blanks (space, tab, newline); anything else, or a number above
/// [`MAX_SECS`], is `None`.
//= spec/extensions.md#ext-2
// Kept out of line: only a service directory that asks for an extension
// runs it, and inlined it would sit in the code every supervise maps.
#[inline(never)]
pub fn parse_numbers(bytes: &[u8]) -> Option<Vec<u32>> {
    let mut numbers = Vec::new();
    for word in bytes
        .split(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .filter(|w| !w.is_empty())
    {
        if !word.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut value: u32 = 0;
        for &digit in word {
            value = value
                .checked_mul(10)?
                .checked_add(u32::from(digit - b'0'))?;
        }
        numbers.push(value);
    }
    Some(numbers)
}

/// One number of seconds, 0 meaning off.
#[inline(never)]
fn seconds(bytes: &[u8]) -> Result<Option<u32>, ()> {
    match parse_numbers(bytes).as_deref() {
        Some([0]) => Ok(None),
        Some([n]) => Ok(Some(*n)),
        _ => Err(()),
    }
}

/// The extensions the files ask for, and the files that were ignored.
//= spec/extensions.md#ext-2
//= spec/extensions.md#ext-3
pub fn configure(files: &ConfigFiles) -> (Extensions, Vec<ConfigProblem>) {
    let mut ext = Extensions {
        //= spec/extensions.md#ext-4
        stop_group: files.stop_group,
        //= spec/extensions.md#ext-13
        notify: files.notify,
        ..Extensions::default()
    };
    let mut problems = Vec::new();
    if let Some(bytes) = &files.timeout_kill {
        match seconds(bytes) {
            Ok(value) => ext.timeout_kill = value,
            Err(()) => problems.push(ConfigProblem {
                file: ConfigFile::TimeoutKill,
            }),
        }
    }
    //= spec/extensions.md#ext-5
    //= spec/extensions.md#ext-6
    if files.finish {
        ext.finish = true;
        ext.timeout_finish = Some(DEFAULT_TIMEOUT_FINISH);
        if let Some(bytes) = &files.timeout_finish {
            match seconds(bytes) {
                Ok(value) => ext.timeout_finish = value,
                Err(()) => problems.push(ConfigProblem {
                    file: ConfigFile::TimeoutFinish,
                }),
            }
        }
    }
    //= spec/extensions.md#ext-9
    if let Some(bytes) = &files.backoff {
        match parse_numbers(bytes)
            .as_deref()
            .and_then(Backoff::from_numbers)
        {
            Some(backoff) => ext.backoff = Some(backoff),
            None => problems.push(ConfigProblem {
                file: ConfigFile::Backoff,
            }),
        }
    }
    //= spec/extensions.md#ext-11
    if let Some(bytes) = &files.notification_fd {
        match parse_numbers(bytes).as_deref() {
            Some([fd @ 3..=MAX_NOTIFICATION_FD]) => ext.notification_fd = Some(*fd),
            _ => problems.push(ConfigProblem {
                file: ConfigFile::NotificationFd,
            }),
        }
    }
    //= spec/extensions.md#ext-14
    if let (true, Some(bytes)) = (files.notify, &files.watchdog) {
        match seconds(bytes) {
            Ok(value) => ext.watchdog = value,
            Err(()) => problems.push(ConfigProblem {
                file: ConfigFile::Watchdog,
            }),
        }
    }
    (ext, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_are_named_as_spec_extensions_says() {
        let names = [
            ConfigFile::TimeoutKill,
            ConfigFile::TimeoutFinish,
            ConfigFile::Backoff,
            ConfigFile::NotificationFd,
            ConfigFile::Watchdog,
        ]
        .map(ConfigFile::name);
        assert_eq!(
            names,
            [
                "timeout-kill",
                "timeout-finish",
                "backoff",
                "notification-fd",
                "watchdog"
            ]
        );
    }

    /// `notification-fd` holds one descriptor from 3 to 1023.
    //= spec/extensions.md#ext-11
    #[test]
    fn notification_fd_is_one_descriptor_above_stderr() {
        let fd = |bytes: &[u8]| {
            configure(&ConfigFiles {
                notification_fd: Some(bytes.to_vec()),
                ..ConfigFiles::default()
            })
        };
        for (bytes, want) in [(&b"3"[..], 3), (b"\t5\n", 5), (b"1023", 1023)] {
            assert_eq!(
                fd(bytes),
                (
                    Extensions {
                        notification_fd: Some(want),
                        ..Extensions::default()
                    },
                    vec![]
                ),
                "{bytes:?}"
            );
        }
        for bad in [
            &b""[..],
            b"0",
            b"1",
            b"2",
            b"1024",
            b"3 4",
            b"x",
            b"-3",
            b"4294967296",
        ] {
            assert_eq!(
                fd(bad),
                (
                    Extensions::default(),
                    vec![ConfigProblem {
                        file: ConfigFile::NotificationFd
                    }]
                ),
                "{bad:?}"
            );
        }
    }

    /// `watchdog` holds one number of seconds (0: none) and is read only
    /// with `notify`.
    //= spec/extensions.md#ext-14
    #[test]
    fn watchdog_is_seconds_and_needs_notify() {
        let read = |notify: bool, bytes: &[u8]| {
            configure(&ConfigFiles {
                notify,
                watchdog: Some(bytes.to_vec()),
                ..ConfigFiles::default()
            })
        };
        assert_eq!(read(true, b"5\n").0.watchdog, Some(5));
        assert_eq!(read(true, b"0").0.watchdog, None);
        assert_eq!(read(false, b"5").0.watchdog, None);
        assert_eq!(read(false, b"x").1, vec![]);
        assert_eq!(
            read(true, b"5 6").1,
            vec![ConfigProblem {
                file: ConfigFile::Watchdog
            }]
        );
    }
}
