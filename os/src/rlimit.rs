//! Resource limits for softlimit: `getrlimit` and `setrlimit` of the
//! resources `dt_core::softlimit` names.

use crate::errno::from_nix;
use dt_core::softlimit::Resource;
use dt_core::Errno;
use nix::sys::resource::{getrlimit, setrlimit, Resource as Nix};

fn to_nix(resource: Resource) -> Nix {
    match resource {
        Resource::As => Nix::RLIMIT_AS,
        Resource::Core => Nix::RLIMIT_CORE,
        Resource::Cpu => Nix::RLIMIT_CPU,
        Resource::Data => Nix::RLIMIT_DATA,
        Resource::Fsize => Nix::RLIMIT_FSIZE,
        Resource::Memlock => Nix::RLIMIT_MEMLOCK,
        Resource::Nofile => Nix::RLIMIT_NOFILE,
        Resource::Nproc => Nix::RLIMIT_NPROC,
        Resource::Rss => Nix::RLIMIT_RSS,
        Resource::Stack => Nix::RLIMIT_STACK,
    }
}

/// The current `(soft, hard)` limits of `resource`; `u64::MAX` is
/// unlimited.
pub fn get(resource: Resource) -> Result<(u64, u64), Errno> {
    getrlimit(to_nix(resource)).map_err(from_nix)
}

/// Set the limits of `resource`.
pub fn set(resource: Resource, soft: u64, hard: u64) -> Result<(), Errno> {
    setrlimit(to_nix(resource), soft, hard).map_err(from_nix)
}
