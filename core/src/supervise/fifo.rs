//! Whether supervise may use the file it finds at `supervise/control` or
//! `supervise/ok` (DEV-12).
//!
//! 0.76 makes each FIFO with mode 0600, ignores "already exists" and opens
//! whatever is there. A regular file left by `echo u > supervise/control`
//! while no supervise ran makes it spin for ever; a FIFO someone else owns,
//! or one other users may open, lets them send commands (or, for `ok`, make
//! `svok` say a dead supervise is alive). Here the driver describes what it
//! found and this says what is wrong with it; the driver then replaces the
//! file with a fresh FIFO of its own.

/// What `lstat` (or `fstat` of what was opened) says about the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FoundFile {
    /// It is a named pipe (not a symbolic link, regular file, ...).
    pub is_fifo: bool,
    /// Its owner's user id.
    pub owner: u32,
    /// Its permission bits (`st_mode & 0o7777`).
    pub mode: u32,
}

/// Which of supervise's FIFOs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FifoName {
    /// `supervise/control`: whoever can write it commands the service.
    Control,
    /// `supervise/ok`: whoever holds it open for reading makes `svok` and
    /// `svstat` see a supervise running.
    Ok,
}

impl FifoName {
    /// The name inside the `supervise` directory.
    pub fn file_name(self) -> &'static str {
        match self {
            FifoName::Control => "control",
            FifoName::Ok => "ok",
        }
    }

    /// The permission bits other users must not have: none at all on
    /// `control`; on `ok` only read, since writing it only asks whether
    /// supervise runs (administrators make it writable so that others may
    /// run `svstat`). Group bits are the administrator's to give.
    fn closed_to_others(self) -> u32 {
        match self {
            FifoName::Control => 0o007,
            FifoName::Ok => 0o004,
        }
    }
}

/// Why a file cannot serve as one of supervise's FIFOs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FifoProblem {
    /// Not a named pipe (a symbolic link is not followed, so it is this too).
    NotFifo,
    /// Owned by a user other than the one supervise runs as.
    OtherOwner,
    /// Other users have access they must not have.
    OpenToOthers,
}

/// What is wrong with `found` as supervise's `name` FIFO when supervise
/// runs as effective user `euid`; `None` when it may be used.
//= spec/deviations.md#dev-12
pub fn judge_fifo(name: FifoName, found: FoundFile, euid: u32) -> Option<FifoProblem> {
    if !found.is_fifo {
        Some(FifoProblem::NotFifo)
    } else if found.owner != euid {
        Some(FifoProblem::OtherOwner)
    } else if found.mode & name.closed_to_others() != 0 {
        Some(FifoProblem::OpenToOthers)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fifo(owner: u32, mode: u32) -> FoundFile {
        FoundFile {
            is_fifo: true,
            owner,
            mode,
        }
    }

    //= spec/deviations.md#dev-12
    #[test]
    fn what_0_76_makes_is_used_as_it_is() {
        for name in [FifoName::Control, FifoName::Ok] {
            assert_eq!(judge_fifo(name, fifo(0, 0o600), 0), None);
            assert_eq!(judge_fifo(name, fifo(1000, 0o600), 1000), None);
            // A group the administrator gave access to.
            assert_eq!(judge_fifo(name, fifo(0, 0o660), 0), None);
        }
    }

    //= spec/deviations.md#dev-12
    #[test]
    fn anything_but_a_fifo_is_refused_first() {
        let file = FoundFile {
            is_fifo: false,
            owner: 7,
            mode: 0o666,
        };
        assert_eq!(
            judge_fifo(FifoName::Control, file, 0),
            Some(FifoProblem::NotFifo)
        );
    }

    //= spec/deviations.md#dev-12
    #[test]
    fn another_owner_is_refused_even_with_a_private_mode() {
        assert_eq!(
            judge_fifo(FifoName::Control, fifo(65534, 0o600), 0),
            Some(FifoProblem::OtherOwner)
        );
        assert_eq!(
            judge_fifo(FifoName::Ok, fifo(0, 0o600), 1000),
            Some(FifoProblem::OtherOwner)
        );
    }

    //= spec/deviations.md#dev-12
    #[test]
    fn others_may_not_touch_control_and_may_only_write_ok() {
        for mode in [0o601, 0o602, 0o604, 0o666] {
            assert_eq!(
                judge_fifo(FifoName::Control, fifo(0, mode), 0),
                Some(FifoProblem::OpenToOthers),
                "{mode:o}"
            );
        }
        assert_eq!(judge_fifo(FifoName::Ok, fifo(0, 0o622), 0), None);
        assert_eq!(
            judge_fifo(FifoName::Ok, fifo(0, 0o644), 0),
            Some(FifoProblem::OpenToOthers)
        );
    }
}
