//! Where the two implementations' programs are.
//!
//! Ours are the ones cargo built next to the running test
//! (`target/<profile>/deps/<test>` → `target/<profile>/<program>`); `cargo
//! test --workspace` builds them first because `dt-bins` has an integration
//! test. The reference is Debian's daemontools 0.76: the directory in
//! `DT_REFERENCE_BIN` if set, else what `scripts/fetch-reference.sh`
//! unpacks into `<workspace>/target/reference`, fetched at most once per
//! process (a `OnceLock`) and once across processes (an `flock` on
//! `target/reference.lock`). If neither works, every differential test fails
//! with the reason: they are never skipped.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use nix::fcntl::{Flock, FlockArg};

/// Which implementation a program comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// Debian's daemontools 0.76.
    Reference,
    /// This workspace's binaries.
    Ours,
}

impl Side {
    /// Both sides, the reference first.
    pub const BOTH: [Side; 2] = [Side::Reference, Side::Ours];

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Side::Reference => "reference (0.76)",
            Side::Ours => "ours",
        }
    }

    /// The directory holding this side's programs; panics with a clear
    /// message if it cannot be found.
    pub fn bin_dir(self) -> PathBuf {
        match self {
            Side::Reference => reference_dir(),
            Side::Ours => our_dir(),
        }
    }

    /// The path of program `name` on this side; panics with a clear message
    /// if it is missing.
    pub fn program(self, name: &str) -> PathBuf {
        let dir = self.bin_dir();
        let path = dir.join(name);
        if !path.is_file() {
            let hint = match self {
                Side::Ours => {
                    "build it first: `cargo test --workspace` does, or `cargo build -p dt-bins` \
                     (with the same profile as the tests)"
                }
                Side::Reference => "the reference directory does not hold this program",
            };
            panic!(
                "{} program `{name}` not found at {}: {hint}",
                self.name(),
                path.display()
            );
        }
        path
    }
}

/// The workspace root (the parent of this package).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `target/<profile>/` of the running test executable.
fn our_dir() -> PathBuf {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => panic!("cannot find the running test executable: {err}"),
    };
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    // Integration tests live in target/<profile>/deps; binaries one level up.
    if dir.file_name().is_some_and(|name| name == "deps") {
        dir.pop();
    }
    dir
}

/// The reference bin directory, fetched once; panics with the reason if it
/// cannot be had.
fn reference_dir() -> PathBuf {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match DIR.get_or_init(find_reference) {
        Ok(dir) => dir.clone(),
        Err(reason) => panic!(
            "differential tests need Debian's daemontools 0.76 binaries and could not get them: \
             {reason}\n\
             Set DT_REFERENCE_BIN=/path/to/usr/bin to binaries you already have, or make \
             `scripts/fetch-reference.sh DIR` work (it needs `apt-get download`)."
        ),
    }
}

fn find_reference() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("DT_REFERENCE_BIN") {
        let dir = PathBuf::from(dir);
        return check_reference(dir, "DT_REFERENCE_BIN");
    }
    let root = workspace_root();
    let target = root.join("target");
    fs::create_dir_all(&target).map_err(|e| format!("cannot create {}: {e}", target.display()))?;
    let lock_path = target.join("reference.lock");
    let lock_file = File::create(&lock_path)
        .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    // Held until the end of this function: other test processes wait here
    // while one of them fetches.
    let _lock = Flock::lock(lock_file, FlockArg::LockExclusive)
        .map_err(|(_, e)| format!("cannot lock {}: {e}", lock_path.display()))?;
    let script = root.join("scripts/fetch-reference.sh");
    let output = Command::new("bash")
        .arg(&script)
        .arg(target.join("reference"))
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let Some(line) = stdout.lines().rev().find(|line| !line.trim().is_empty()) else {
        return Err(format!("{} printed no directory", script.display()));
    };
    check_reference(PathBuf::from(line.trim()), "scripts/fetch-reference.sh")
}

fn check_reference(dir: PathBuf, source: &str) -> Result<PathBuf, String> {
    if dir.join("tai64n").is_file() {
        Ok(dir)
    } else {
        Err(format!(
            "{source} gave {}, which holds no `tai64n`",
            dir.display()
        ))
    }
}
