//! The control bytes that `svc` writes into `supervise/control`.
//!
//! One byte is one command; supervise ignores bytes it does not know.

/// A command understood by daemontools 0.76 supervise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Command {
    /// `u`: want up; start the service if it is not running.
    Up,
    /// `d`: want down; if running, send TERM then CONT.
    Down,
    /// `o`: run once; start if not running, never restart.
    Once,
    /// `x`: exit once the service is down (does not stop it).
    Exit,
    /// `p`: pause (send STOP).
    Pause,
    /// `c`: continue (send CONT).
    Continue,
    /// `h`: send HUP.
    Hangup,
    /// `a`: send ALRM.
    Alarm,
    /// `i`: send INT.
    Interrupt,
    /// `t`: send TERM.
    Term,
    /// `k`: send KILL.
    Kill,
}

impl Command {
    /// Every command, in the order `svc`'s usage line lists them.
    pub const ALL: [Command; 11] = [
        Command::Up,
        Command::Down,
        Command::Once,
        Command::Exit,
        Command::Pause,
        Command::Continue,
        Command::Hangup,
        Command::Alarm,
        Command::Interrupt,
        Command::Term,
        Command::Kill,
    ];

    /// The byte that carries this command.
    //= spec/control.md#ctl-1
    pub fn byte(self) -> u8 {
        match self {
            Command::Up => b'u',
            Command::Down => b'd',
            Command::Once => b'o',
            Command::Exit => b'x',
            Command::Pause => b'p',
            Command::Continue => b'c',
            Command::Hangup => b'h',
            Command::Alarm => b'a',
            Command::Interrupt => b'i',
            Command::Term => b't',
            Command::Kill => b'k',
        }
    }

    /// The command a byte carries, or `None` for a byte supervise ignores.
    //= spec/control.md#ctl-1
    //= spec/control.md#ctl-2
    pub fn from_byte(byte: u8) -> Option<Self> {
        Command::ALL
            .into_iter()
            .find(|command| command.byte() == byte)
    }
}

/// Split the bytes read from the control FIFO into commands, in order,
/// dropping the bytes supervise ignores.
//= spec/control.md#ctl-2
pub fn parse(bytes: &[u8]) -> impl Iterator<Item = Command> + '_ {
    bytes.iter().filter_map(|&byte| Command::from_byte(byte))
}

/// The bytes `svc` writes for its option letters: each letter once, in the
/// order first seen, at most 20 (0.76's buffer; there are only 11 letters).
//= spec/control.md#ctl-3
pub fn svc_bytes(letters: impl IntoIterator<Item = u8>) -> Vec<u8> {
    let mut bytes = Vec::new();
    for letter in letters {
        if bytes.len() < 20 && !bytes.contains(&letter) {
            bytes.push(letter);
        }
    }
    bytes
}

/// What became of `svc`'s commands for one directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SvcOutcome {
    /// Written (or nothing to write).
    Sent,
    /// `chdir(dir)` failed: `unable to chdir to <dir>: <error>`.
    ChdirFailed(crate::Errno),
    /// Opening `supervise/control` gave ENXIO: `unable to control <dir>:
    /// supervise not running`.
    NotRunning,
    /// Opening it failed otherwise: `unable to control <dir>: <error>`.
    OpenFailed(crate::Errno),
    /// Writing failed: `error writing commands to <dir>: <error>`.
    WriteFailed(crate::Errno),
}

/// The usage line svc prints (after sgetopt's complaint), exit 100.
pub const SVC_USAGE: &str = "svc options: u up, d down, o once, x exit, p pause, c continue, h hup, a alarm, i interrupt, t term, k kill";

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    //= spec/control.md#ctl-1
    #[test]
    fn the_eleven_letters_of_0_76() {
        let letters: Vec<u8> = Command::ALL.iter().map(|c| c.byte()).collect();
        assert_eq!(letters, b"udoxpchaitk");
    }

    //= spec/control.md#ctl-2
    #[test]
    fn later_letters_are_not_commands() {
        for byte in [b'q', b'1', b'2', b'w', b'+', b'=', b'U', 0u8, b'\n'] {
            assert_eq!(Command::from_byte(byte), None);
        }
    }

    //= spec/control.md#ctl-3
    #[test]
    fn svc_sends_each_letter_once_in_first_seen_order() {
        assert_eq!(svc_bytes(*b"uduxdkk"), b"udxk");
        assert!(svc_bytes([]).is_empty());
    }

    proptest! {
        //= spec/control.md#ctl-3
        #[test]
        fn svc_bytes_are_distinct_and_bounded(letters: Vec<u8>) {
            let bytes = svc_bytes(letters.iter().copied());
            prop_assert!(bytes.len() <= 20);
            for (i, b) in bytes.iter().enumerate() {
                prop_assert!(!bytes[..i].contains(b));
                prop_assert!(letters.contains(b));
            }
        }

        //= spec/control.md#ctl-1
        #[test]
        fn from_byte_inverts_byte(index in 0usize..11) {
            let command = Command::ALL[index];
            prop_assert_eq!(Command::from_byte(command.byte()), Some(command));
        }

        //= spec/control.md#ctl-2
        #[test]
        fn parse_keeps_known_bytes_in_order(bytes: Vec<u8>) {
            let kept: Vec<u8> = parse(&bytes).map(Command::byte).collect();
            let expected: Vec<u8> =
                bytes.iter().copied().filter(|b| b"udoxpchaitk".contains(b)).collect();
            prop_assert_eq!(kept, expected);
        }
    }
}
