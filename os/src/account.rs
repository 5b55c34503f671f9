//! Accounts in the password database, and giving up privileges to one, for
//! setuidgid and envuidgid.

use crate::errno::from_nix;
use dt_core::Errno;
use nix::unistd::{setgid, setgroups, setuid, Gid, Uid, User};

/// The ids of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    /// The user id.
    pub uid: u32,
    /// The primary group id.
    pub gid: u32,
}

/// Look `name` up in the password database (`getpwnam`). Any failure,
/// including a name that is not UTF-8 (which nix cannot pass), reads as
/// "no such account", as a null `getpwnam` does in 0.76.
pub fn lookup(name: &[u8]) -> Option<Account> {
    let name = std::str::from_utf8(name).ok()?;
    let user = User::from_name(name).ok()??;
    Some(Account {
        uid: user.uid.as_raw(),
        gid: user.gid.as_raw(),
    })
}

/// Which step of giving up privileges failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropError {
    /// Setting the supplementary groups or the group id.
    Group(Errno),
    /// Setting the user id.
    User(Errno),
}

/// Become `account`: supplementary groups := just its group, then the group
/// id, then the user id, in that order (0.76's `prot_gid`, `prot_uid`).
//= spec/tools.md#setuidgid-2
pub fn become_account(account: Account) -> Result<(), DropError> {
    let gid = Gid::from_raw(account.gid);
    setgroups(&[gid]).map_err(|e| DropError::Group(from_nix(e)))?;
    setgid(gid).map_err(|e| DropError::Group(from_nix(e)))?;
    setuid(Uid::from_raw(account.uid)).map_err(|e| DropError::User(from_nix(e)))
}
