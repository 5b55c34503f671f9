//! How daemontools 0.76 starts a program by name (`pathexec_run`) and
//! builds the environment it passes (`pathexec_env`), as pure functions.
//!
//! The driver (`dt_os::exec`) reads `environ`, asks [`search_path`] and
//! [`candidates`] which files to try, calls `execve` on each in turn and
//! feeds every failure to [`ExecFailures::failed`], which says whether to
//! try the next candidate; when the candidates run out,
//! [`ExecFailures::finish`] names the error to report.

use crate::Errno;

/// The search path when `PATH` is not in the environment.
pub const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

/// The value of variable `name` in `environ`: the part after `name=` of the
/// first entry that starts so (0.76's `env_get`).
pub fn env_get<'a>(environ: &'a [Vec<u8>], name: &[u8]) -> Option<&'a [u8]> {
    environ.iter().find_map(|entry| {
        entry
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(b"="))
    })
}

/// The search path to use: `PATH` from the environment the program started
/// with (not any environment it builds for the child), else
/// [`DEFAULT_PATH`].
//= spec/tools.md#exec-2
pub fn search_path(environ: &[Vec<u8>]) -> &[u8] {
    env_get(environ, b"PATH").unwrap_or(DEFAULT_PATH)
}

/// The files to hand to `execve`, in order, for a program called `name`.
///
/// A name containing `/` is the one candidate. Otherwise every element of
/// `path` (split at each `:`) in turn gives `<element>/<name>`, an empty
/// element standing for `.`.
//= spec/tools.md#exec-1
pub fn candidates(name: &[u8], path: &[u8]) -> Vec<Vec<u8>> {
    if name.contains(&b'/') {
        return vec![name.to_vec()];
    }
    path.split(|&b| b == b':')
        .map(|dir| {
            let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
            let mut file = Vec::with_capacity(dir.len() + 1 + name.len());
            file.extend_from_slice(dir);
            file.push(b'/');
            file.extend_from_slice(name);
            file
        })
        .collect()
}

/// What to do after one `execve` failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Try the next candidate, if there is one.
    TryNext,
    /// Give up now and report this error.
    Stop(Errno),
}

/// The errors of the `execve` calls so far, folded as 0.76 folds them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecFailures {
    /// The latest error other than "file does not exist", if any.
    remembered: Option<Errno>,
    /// The latest error of all.
    last: Option<Errno>,
}

impl ExecFailures {
    /// No attempt yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// One `execve` failed with `errno`.
    ///
    /// "File does not exist" moves on to the next candidate silently.
    /// "Access denied", "permission denied" and "is a directory" are
    /// remembered, and the search goes on. Any other error ends the search.
    //= spec/tools.md#exec-3
    pub fn failed(&mut self, errno: Errno) -> Next {
        self.last = Some(errno);
        if errno == Errno::ENOENT {
            return Next::TryNext;
        }
        self.remembered = Some(errno);
        if matches!(errno, Errno::EACCES | Errno::EPERM | Errno::EISDIR) {
            Next::TryNext
        } else {
            Next::Stop(errno)
        }
    }

    /// Every candidate failed: the error to report is the latest remembered
    /// one, else the latest of all (else, with no attempt at all, "file does
    /// not exist").
    //= spec/tools.md#exec-3
    pub fn finish(self) -> Errno {
        self.remembered.or(self.last).unwrap_or(Errno::ENOENT)
    }
}

/// One change a program makes to the environment it passes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvChange {
    /// Set `name` to `value`.
    Set {
        /// The variable's name.
        name: Vec<u8>,
        /// Its new value.
        value: Vec<u8>,
    },
    /// Remove `name`.
    Unset {
        /// The variable's name.
        name: Vec<u8>,
    },
}

impl EnvChange {
    /// `name=value` for a set, `name` alone for an unset: 0.76's entry in
    /// its list of pending changes.
    fn entry(&self) -> Vec<u8> {
        match self {
            EnvChange::Set { name, value } => {
                let mut entry = Vec::with_capacity(name.len() + 1 + value.len());
                entry.extend_from_slice(name);
                entry.push(b'=');
                entry.extend_from_slice(value);
                entry
            }
            EnvChange::Unset { name } => name.clone(),
        }
    }
}

/// The environment to pass on: `environ` with `changes` applied in order,
/// exactly as 0.76 builds it, so that the child sees its entries in the same
/// order.
///
/// For each change, the variable's name is its entry up to the first `=`.
/// The first entry of that name is removed by moving the last entry into its
/// place; then a set appends `name=value` at the end.
//= spec/tools.md#exec-4
pub fn apply_changes(environ: &[Vec<u8>], changes: &[EnvChange]) -> Vec<Vec<u8>> {
    let mut env = environ.to_vec();
    for change in changes {
        let entry = change.entry();
        let split = entry.iter().position(|&b| b == b'=');
        let name = &entry[..split.unwrap_or(entry.len())];
        let found = env
            .iter()
            .position(|e| e.len() > name.len() && e.starts_with(name) && e[name.len()] == b'=');
        if let Some(at) = found {
            env.swap_remove(at);
        }
        if split.is_some() {
            env.push(entry);
        }
    }
    env
}

#[cfg(test)]
mod tests;
