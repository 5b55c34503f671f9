//! The process vocabulary shared by the machines: pids, the signals
//! daemontools sends, and how a child ended. `dt-os` converts these to and
//! from the kernel's values, so core never depends on nix.

/// A process id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Pid(pub i32);

/// The signals daemontools sends to services.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Sig {
    /// SIGTERM.
    Term,
    /// SIGCONT.
    Cont,
    /// SIGSTOP.
    Stop,
    /// SIGHUP.
    Hup,
    /// SIGALRM.
    Alrm,
    /// SIGINT.
    Int,
    /// SIGKILL.
    Kill,
}

/// How a child process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ExitKind {
    /// It exited with this code.
    Exited(u8),
    /// A signal (by number) killed it.
    Signaled(i32),
}
