//! What the extended supervise machine ([`SuperviseExt`](super::SuperviseExt))
//! asks the driver to do: 0.76's [`Action`]s plus the orders the opt-in
//! extensions of `spec/extensions.md` need.

use super::action::Action;
use super::extra::Extra;
use crate::process::{Pid, Sig};
use crate::status::StatusRecord;
use crate::Errno;

/// Where a signal goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// `kill(pid, sig)`: the process alone, as 0.76 does.
    Pid(Pid),
    /// `kill(-pgid, sig)`: every process in the group `./run` leads
    /// (`stop-group`); the group may outlive its leader.
    Group(Pid),
}

/// An order to the driver, carried out in the order given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Order {
    /// Read the service directory's extension files and answer at once with
    /// [`Event::Configured`](super::Event::Configured), before any other
    /// event. Comes before every start of `./run`.
    ReadConfig,
    /// fork, and in the child exec `./run` (argv `["./run"]`); answer at once
    /// with `SpawnSucceeded` or `SpawnFailed`, before any other event.
    SpawnRun {
        /// Make the child the leader of a new process group (`setpgid` in
        /// the child and in the parent, so no signal can miss the group).
        own_group: bool,
        /// `notification-fd` (EXT-11): make a pipe, give the child its write
        /// end as this descriptor, keep the read end, and send
        /// [`Event::Ready`](super::Event::Ready) for the new pid when a
        /// newline arrives on it.
        notification_fd: Option<u32>,
        /// `notify` (EXT-13): bind a datagram socket at `supervise/notify`
        /// (afresh), start the child with `NOTIFY_SOCKET` naming it, and
        /// send `Ready` and `StatusText` for what the new pid sends there.
        notify_socket: bool,
        /// `watchdog` (EXT-14, only with `notify_socket`): also set
        /// `WATCHDOG_USEC` to this many seconds in microseconds and
        /// `WATCHDOG_PID` to the child's pid, and send
        /// [`Event::Watchdog`](super::Event::Watchdog) for its `WATCHDOG=1`.
        watchdog_secs: Option<u32>,
    },
    /// fork, and in the child exec `./finish <code> <signal>` (EXT-5), as
    /// `SpawnRun` does `./run`; answer at once with `SpawnSucceeded` or
    /// `SpawnFailed`, before any other event.
    SpawnFinish {
        /// `./run`'s exit code, or -1 if a signal ended it.
        code: i32,
        /// The signal that ended `./run`, or 0 if it exited.
        signal: i32,
        /// Make the child the leader of a new process group.
        own_group: bool,
    },
    /// `kill` as the target says; the result is ignored.
    Signal {
        /// The process (or group).
        target: Target,
        /// The signal.
        sig: Sig,
    },
    /// Write this record to `supervise/status.new` and rename it over
    /// `supervise/status`; a failure is only a warning.
    WriteStatus(StatusRecord),
    /// Make these the extension lines after the record in the status file
    /// (EXT-7), written as `WriteStatus` writes; a failure is only a
    /// warning.
    WriteExtra(Extra),
    /// Print `supervise: warning: unable to fork for <dir>, sleeping 60
    /// seconds: <error>`.
    WarnForkFailed {
        /// Why fork failed.
        errno: Errno,
    },
    /// Print `supervise: warning: <dir>/run sent no WATCHDOG=1 for <secs>
    /// seconds, stopping it`; the signals that stop it follow (EXT-14).
    WarnWatchdog {
        /// The `watchdog` seconds that went by.
        secs: u32,
    },
    /// Leave the process with this code, after the orders before it.
    Exit(i32),
}

impl Order {
    /// The 0.76 action this order is, if it is one: what the classic machine
    /// ([`Supervise`](super::Supervise)) emits. `ReadConfig` and the orders
    /// of the extensions have none.
    pub fn classic(self) -> Option<Action> {
        match self {
            Order::SpawnRun {
                own_group: false,
                notification_fd: None,
                notify_socket: false,
                watchdog_secs: None,
            } => Some(Action::Spawn),
            Order::Signal {
                target: Target::Pid(pid),
                sig,
            } => Some(Action::Signal { pid, sig }),
            Order::WriteStatus(record) => Some(Action::WriteStatus(record)),
            Order::WarnForkFailed { errno } => Some(Action::WarnForkFailed { errno }),
            Order::Exit(code) => Some(Action::Exit(code)),
            Order::ReadConfig
            | Order::SpawnFinish { .. }
            | Order::WriteExtra(_)
            | Order::WarnWatchdog { .. }
            | Order::SpawnRun { .. }
            | Order::Signal {
                target: Target::Group(_),
                ..
            } => None,
        }
    }
}

impl From<Action> for Order {
    /// The order that is this 0.76 action.
    fn from(action: Action) -> Order {
        match action {
            Action::Spawn => Order::SpawnRun {
                own_group: false,
                notification_fd: None,
                notify_socket: false,
                watchdog_secs: None,
            },
            Action::Signal { pid, sig } => Order::Signal {
                target: Target::Pid(pid),
                sig,
            },
            Action::WriteStatus(record) => Order::WriteStatus(record),
            Action::WarnForkFailed { errno } => Order::WarnForkFailed { errno },
            Action::Exit(code) => Order::Exit(code),
        }
    }
}
