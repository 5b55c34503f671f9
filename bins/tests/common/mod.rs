//! What the packaging tests share: the 17 programs of daemontools 0.76 and
//! the 2 added beyond it (svstatus, svwait), the paths cargo built them at,
//! a scratch directory, and the workspace root.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Every program, in byte order of names, with the path of the binary
/// cargo built for this test: daemontools 0.76's 17 and the 2 added beyond
/// it. `env!` makes a missing bin target a compile error, so this list is
/// also the proof that `cargo install --path bins` installs all of them.
pub(crate) const PROGRAMS: [(&str, &str); 19] = [
    ("envdir", env!("CARGO_BIN_EXE_envdir")),
    ("envuidgid", env!("CARGO_BIN_EXE_envuidgid")),
    ("fghack", env!("CARGO_BIN_EXE_fghack")),
    ("multilog", env!("CARGO_BIN_EXE_multilog")),
    ("pgrphack", env!("CARGO_BIN_EXE_pgrphack")),
    ("readproctitle", env!("CARGO_BIN_EXE_readproctitle")),
    ("setlock", env!("CARGO_BIN_EXE_setlock")),
    ("setuidgid", env!("CARGO_BIN_EXE_setuidgid")),
    ("softlimit", env!("CARGO_BIN_EXE_softlimit")),
    ("supervise", env!("CARGO_BIN_EXE_supervise")),
    ("svc", env!("CARGO_BIN_EXE_svc")),
    ("svok", env!("CARGO_BIN_EXE_svok")),
    ("svscan", env!("CARGO_BIN_EXE_svscan")),
    ("svscanboot", env!("CARGO_BIN_EXE_svscanboot")),
    ("svstat", env!("CARGO_BIN_EXE_svstat")),
    // Beyond 0.76 (spec/status-json.md, spec/svwait.md).
    ("svstatus", env!("CARGO_BIN_EXE_svstatus")),
    ("svwait", env!("CARGO_BIN_EXE_svwait")),
    ("tai64n", env!("CARGO_BIN_EXE_tai64n")),
    ("tai64nlocal", env!("CARGO_BIN_EXE_tai64nlocal")),
];

/// The path of one program's binary.
pub(crate) fn program(name: &str) -> &'static Path {
    match PROGRAMS.iter().find(|(n, _)| *n == name) {
        Some((_, path)) => Path::new(path),
        None => panic!("`{name}` is not one of the programs"),
    }
}

/// The directory holding the built binaries (all are side by side).
pub(crate) fn bin_dir() -> PathBuf {
    let svc = program("svc");
    match svc.parent() {
        Some(dir) => dir.to_path_buf(),
        None => panic!("{} has no parent directory", svc.display()),
    }
}

/// The workspace root (the parent of `bins/`).
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// A fresh directory under the system temp dir, removed when dropped
/// (kept if `DT_KEEP_TMP` is set, to look at after a failure).
pub(crate) struct Scratch {
    path: PathBuf,
}

impl Scratch {
    pub(crate) fn new(tag: &str) -> Scratch {
        use std::sync::atomic::{AtomicU32, Ordering};
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path =
                std::env::temp_dir().join(format!("dt-packaging-{}-{n}-{tag}", std::process::id()));
            match std::fs::create_dir(&path) {
                Ok(()) => return Scratch { path },
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("cannot create {}: {e}", path.display()),
            }
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("DT_KEEP_TMP").is_none() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// The types of an ELF64 program's program headers (`PT_INTERP` is 3,
/// `PT_GNU_RELRO` 0x6474e552), read from the file's bytes.
pub(crate) fn program_header_types(elf: &[u8]) -> Vec<u32> {
    let number = |at: usize, width: usize| -> usize {
        elf.get(at..at + width).map_or(0, |bytes| {
            bytes
                .iter()
                .rev()
                .fold(0, |value, &byte| (value << 8) | usize::from(byte))
        })
    };
    let (table, entry_size, entries) = (number(0x20, 8), number(0x36, 2), number(0x38, 2));
    (0..entries)
        .map(|i| u32::try_from(number(table + i * entry_size, 4)).unwrap_or(0))
        .collect()
}

/// Whether an ELF64 program names a dynamic loader (`PT_INTERP`), that
/// is, is not linked statically.
pub(crate) fn has_interpreter(elf: &[u8]) -> bool {
    program_header_types(elf).contains(&3)
}
