//! The files a scenario starts with, and the fresh directory it runs in.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// One thing to create in the scenario's directory before the program
/// starts. Paths are relative to that directory; parents must come first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A regular file with these contents and permission bits.
    File {
        /// Where, relative to the scenario directory.
        path: PathBuf,
        /// The bytes in it.
        contents: Vec<u8>,
        /// Permission bits (e.g. `0o644`), set exactly (the umask does not apply).
        mode: u32,
    },
    /// A directory with these permission bits.
    Dir {
        /// Where, relative to the scenario directory.
        path: PathBuf,
        /// Permission bits, set exactly.
        mode: u32,
    },
    /// A symbolic link holding `target` (which need not exist).
    Symlink {
        /// Where, relative to the scenario directory.
        path: PathBuf,
        /// What the link says.
        target: PathBuf,
    },
}

impl Entry {
    fn create(&self, root: &Path) -> std::io::Result<()> {
        match self {
            Entry::File {
                path,
                contents,
                mode,
            } => {
                let path = root.join(path);
                fs::write(&path, contents)?;
                fs::set_permissions(&path, fs::Permissions::from_mode(*mode))
            }
            Entry::Dir { path, mode } => {
                let path = root.join(path);
                fs::create_dir(&path)?;
                fs::set_permissions(&path, fs::Permissions::from_mode(*mode))
            }
            Entry::Symlink { path, target } => symlink(target, root.join(path)),
        }
    }
}

/// A fresh, uniquely named directory under the system temp dir, removed
/// when dropped (kept if `DT_KEEP_TMP` is set, for debugging).
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Create an empty directory whose name mentions `tag`.
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = base.join(format!("dt-tests-{}-{n}-{tag}", std::process::id()));
            match fs::create_dir(&path) {
                Ok(()) => {
                    // Canonical, so the path programs print matches ours.
                    let path = fs::canonicalize(&path).unwrap_or(path);
                    return TempDir { path };
                }
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(err) => panic!("cannot create a temp dir in {}: {err}", base.display()),
            }
        }
    }

    /// Create a fresh directory and populate it with `entries`.
    pub fn with_entries(tag: &str, entries: &[Entry]) -> TempDir {
        let dir = TempDir::new(tag);
        for entry in entries {
            if let Err(err) = entry.create(&dir.path) {
                panic!(
                    "cannot create fixture {entry:?} in {}: {err}",
                    dir.path.display()
                );
            }
        }
        dir
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("DT_KEEP_TMP").is_some() {
            return;
        }
        // A scenario may leave directories without write or search
        // permission; open them up so that removal works.
        make_removable(&self.path);
        let _ = fs::remove_dir_all(&self.path);
    }
}

fn make_removable(dir: &Path) {
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            make_removable(&entry.path());
        }
    }
}
