//! Links libgcc's unwinder statically (`libgcc_eh.a`) instead of through
//! `libgcc_s.so.1`, puts each segment of the programs on pages of its own,
//! and (with rust-lld) places the code an idle supervise runs at the front
//! (`symbol-order.txt`, `layout.ld`).
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
    order_symbols();
    if let Some(dir) = libgcc_eh_dir() {
        println!("cargo:rustc-link-search=native={}", dir.display());
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    } else {
        println!("cargo:warning=libgcc_eh.a not found; linking libgcc_s dynamically");
    }
}

/// Have the linker put the code a lone supervise runs in one 64 KiB
/// stretch at the very front of every program's code:
///
/// - the functions of `symbol-order.txt` (`scripts/symbol-order.sh` makes
///   the list) come first in `.text`;
/// - `layout.ld` moves `.init`, `.fini` and `.plt` from the end of the
///   code to just before it (the loader runs `_init` in every process), and
///   the unwinding tables (read only for a panic's backtrace) out of the
///   read-only segment the loader reads at every start, into one of their
///   own after the code;
/// - segments are aligned to 64 KiB (`max-page-size`), so the kernel loads
///   the program at a 64 KiB boundary (Linux 5.10 and later).
///
/// Why: the kernel maps code 64 KiB around each page touched
/// ("fault-around"). With all three, an idle supervise maps one such
/// window of our code, where the functions scattered over a 300 KiB
/// binary made all of it resident, and the list alone left two or three
/// windows depending on where address randomisation put the program. The
/// price of the alignment is 4 of the 28 bits of that randomisation for
/// the program's own image (libraries, heap and stack keep theirs) and
/// ~150 KiB of padding in each file.
///
/// Only rust-lld, the default linker of Rust 1.90 and later on x86_64
/// Linux, is known to take all three: with an older toolchain or a linker
/// of one's own they are left out, and `DT_SYMBOL_ORDER=0` leaves them out
/// anyway (`=1` forces them).
fn order_symbols() {
    println!("cargo:rerun-if-changed=symbol-order.txt");
    println!("cargo:rerun-if-changed=layout.ld");
    println!("cargo:rerun-if-env-changed=DT_SYMBOL_ORDER");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER");
    let wanted = match std::env::var("DT_SYMBOL_ORDER").as_deref() {
        Ok("0") => false,
        Ok("1") => true,
        _ => default_linker_is_rust_lld(),
    };
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let list = here.join("symbol-order.txt");
    let script = here.join("layout.ld");
    if !wanted || !list.is_file() || !script.is_file() {
        return;
    }
    println!(
        "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        list.display()
    );
    // A list made before the code last changed names some functions no
    // longer there; they only go unordered.
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
    println!("cargo:rustc-link-arg-bins=-Wl,-z,max-page-size=65536");
}

/// Whether the programs are linked by rust-lld: x86_64 Linux with glibc,
/// Rust 1.90 or later, and no linker named in the environment.
fn default_linker_is_rust_lld() -> bool {
    let x86_64 = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64");
    let own_linker = std::env::var_os("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER").is_some()
        // `-C linker=`, `-C link-self-contained=-linker`, `-Z linker-features`;
        // link arguments of one's own do not change the linker.
        || std::env::var("CARGO_ENCODED_RUSTFLAGS").is_ok_and(|flags| flags.contains("linker"));
    x86_64 && !own_linker && rustc_minor().is_some_and(|minor| minor >= 90)
}

/// The minor version of the rustc that builds us (`1.<minor>.<patch>`).
fn rustc_minor() -> Option<u32> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc).arg("-V").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let version = text.split_whitespace().nth(1)?;
    let mut parts = version.split('.');
    (parts.next()? == "1").then_some(())?;
    parts.next()?.parse().ok()
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
