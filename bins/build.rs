//! Links libgcc's unwinder statically (`libgcc_eh.a`) instead of through
//! `libgcc_s.so.1`, and puts each segment of the programs on pages of its
//! own.
//!
//! std needs `_Unwind_*` only to print a backtrace when it panics, yet the
//! shared library is mapped and relocated by every process at start-up: for
//! an idle `supervise` that was ~90 KiB of its PSS and 8 KiB of private
//! memory, paid again by each of the thousand supervise processes under one
//! svscan. With the static archive ahead of `-lgcc_s` on the link line, the
//! linker's `--as-needed` drops the shared library. Where the archive cannot
//! be found, the build falls back to std's default.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if !linux_gnu {
        return;
    }
    // Every segment starts on a page of its own, so the relocated
    // read-only data (~16 KiB) takes 4 pages rather than 5 and the writable
    // data 1 rather than 2: 8 KiB less private memory in every process (a
    // thousand supervise processes under one svscan), for a few KiB of
    // padding in the file.
    println!("cargo:rustc-link-arg-bins=-Wl,-z,separate-loadable-segments");
    if let Some(dir) = libgcc_eh_dir() {
        println!("cargo:rustc-link-search=native={}", dir.display());
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    } else {
        println!("cargo:warning=libgcc_eh.a not found; linking libgcc_s dynamically");
    }
}

/// The directory of the C compiler's `libgcc_eh.a`, if it has one.
fn libgcc_eh_dir() -> Option<PathBuf> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let output = Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()?;
    let printed = String::from_utf8(output.stdout).ok()?;
    // Without the file the compiler echoes the bare name back.
    let file = PathBuf::from(printed.trim());
    if !output.status.success() || !file.is_absolute() || !file.is_file() {
        return None;
    }
    file.parent().map(PathBuf::from)
}
