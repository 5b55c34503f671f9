//! Links libgcc's unwinder statically (`libgcc_eh.a`) instead of through
//! `libgcc_s.so.1`, puts each segment of the programs on pages of its own,
//! and (with rust-lld) places the code an idle supervise or multilog runs
//! at the front, in a segment of its own (`layout.ld`, `symbol-order*.txt`).
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
    // Read by link-cc.sh, which cargo does not watch.
    println!("cargo:rerun-if-env-changed=DT_STATIC_LINK");
    println!("cargo:rerun-if-changed=link-cc.sh");
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

/// Have the linker put the code an idle program runs in a segment of its
/// own at the very front of its code:
///
/// - `layout.ld`, filled in with a list of functions, puts `.init`,
///   `.fini`, `.plt`, the C start-up code and those functions in
///   `.text.hot`, keeps their constants (and every string, literal and
///   switch table) with the symbol tables, moves every other function's
///   constants into a read-only segment between `.text.hot` and `.text`,
///   and the unwinding tables after `.text`;
/// - multilog is linked with its own list (`symbol-order-multilog.txt`),
///   every other program with supervise's (`symbol-order.txt`);
///   `scripts/symbol-order.sh` makes both;
/// - supervise and multilog, which `link-cc.sh` links statically, also get
///   the C library code they run (members of libc.a:
///   `libc-order-supervise.txt`, made by `scripts/libc-order.sh`, for both,
///   and `libc-order-multilog.txt`, multilog's others, made by
///   `scripts/symbol-order.sh`), and the
///   string functions' variants for other CPUs at the start of their cold
///   code (`libc-variants.txt`);
/// - segments are aligned to 64 KiB (`max-page-size`), so the kernel loads
///   the program at a 64 KiB boundary (Linux 5.10 and later) and each
///   segment starts a fault-around window;
/// - where the C library applies them, relocations are packed.
///
/// Why: the kernel maps a file 64 KiB around each page touched
/// ("fault-around"). An idle supervise maps ~60 KiB of our file's code and
/// constants, where the functions scattered over a 300 KiB binary made all
/// of it resident. The price of the alignment is 4 of the 28 bits of
/// address randomisation for the program's own image (libraries, heap and
/// stack keep theirs) and ~250 KiB of padding in each file.
///
/// The lists name functions as the linker sees them. The hash at the end
/// of a legacy-mangled name changes whenever a dependency's features or
/// version do, so it is matched with a wildcard (which may take in other
/// instances of the same generic function: only a few KiB). A name that
/// matches nothing is ignored, so a stale list only gathers less.
///
/// Only rust-lld, the default linker of Rust 1.90 and later on x86_64
/// Linux, is known to take all this: with an older toolchain or a linker
/// of one's own it is left out, and `DT_SYMBOL_ORDER=0` leaves it out
/// anyway (`=1` forces it).
fn order_symbols() {
    println!("cargo:rerun-if-changed=symbol-order.txt");
    println!("cargo:rerun-if-changed=symbol-order-multilog.txt");
    println!("cargo:rerun-if-changed=libc-order-supervise.txt");
    println!("cargo:rerun-if-changed=libc-order-multilog.txt");
    println!("cargo:rerun-if-changed=libc-variants.txt");
    println!("cargo:rerun-if-changed=layout.ld");
    println!("cargo:rerun-if-changed=src/bin");
    println!("cargo:rerun-if-env-changed=DT_SYMBOL_ORDER");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER");
    let wanted = match std::env::var("DT_SYMBOL_ORDER").as_deref() {
        Ok("0") => false,
        Ok("1") => true,
        _ => default_linker_is_rust_lld(),
    };
    let here = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let (Ok(supervise_list), Ok(template)) = (
        std::fs::read_to_string(here.join("symbol-order.txt")),
        std::fs::read_to_string(here.join("layout.ld")),
    ) else {
        return;
    };
    // multilog runs as the logger of every logged service: its own list.
    let multilog_list = std::fs::read_to_string(here.join("symbol-order-multilog.txt"))
        .unwrap_or_else(|_| supervise_list.clone());
    let Some(out_dir) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let programs = program_names(&here.join("src/bin"));
    if !wanted || programs.is_empty() {
        return;
    }
    // What supervise runs of the C library, when it is linked statically
    // (link-cc.sh); a dynamic link has no libc.a for these lines to match.
    let supervise_libc =
        std::fs::read_to_string(here.join("libc-order-supervise.txt")).unwrap_or_default();
    // multilog's start-up is supervise's: its own list has only the rest.
    let multilog_libc = supervise_libc.clone()
        + &std::fs::read_to_string(here.join("libc-order-multilog.txt")).unwrap_or_default();
    let libc_variants = std::fs::read_to_string(here.join("libc-variants.txt")).unwrap_or_default();
    let fill = |list: &str, members: &str, variants: &str, name: &str| -> Option<PathBuf> {
        let hot: String = list.split_whitespace().map(input_sections).collect();
        let hot_rodata: String = list.split_whitespace().map(rodata_sections).collect();
        let members = archive_members(members);
        let hot = hot + &archive_sections(&members, ".text");
        let hot_rodata = hot_rodata + &archive_sections(&members, ".rodata");
        let variants = archive_sections(&archive_members(variants), ".text");
        let script = out_dir.join(name);
        let filled = template
            .replace("@HOT_FUNCTIONS@\n", &hot)
            .replace("@HOT_RODATA@\n", &hot_rodata)
            .replace("@LIBC_VARIANTS@\n", &variants);
        std::fs::write(&script, filled).ok().map(|()| script)
    };
    let (Some(supervise_script), Some(multilog_script)) = (
        fill(
            &supervise_list,
            &supervise_libc,
            &libc_variants,
            "layout.ld",
        ),
        fill(
            &multilog_list,
            &multilog_libc,
            &libc_variants,
            "layout-multilog.ld",
        ),
    ) else {
        return;
    };
    for program in &programs {
        let script = if program == "multilog" {
            &multilog_script
        } else {
            &supervise_script
        };
        println!(
            "cargo:rustc-link-arg-bin={program}=-Wl,-T,{}",
            script.display()
        );
    }
    println!("cargo:rustc-link-arg-bins=-Wl,-z,max-page-size=65536");
    if c_library_reads_relr() {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Whether the C library the programs are linked against applies packed
/// relative relocations (`DT_RELR`, glibc 2.36 and later, which marks this
/// with the version `GLIBC_ABI_DT_RELR`; lld then makes the programs
/// require it). The loader reads a supervise's ~360 relocations at every
/// start: packed, they take 0.3 KiB instead of 8.7, and a lone supervise
/// maps two pages fewer of its file.
fn c_library_reads_relr() -> bool {
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let Ok(found) = std::process::Command::new(cc)
        .arg("-print-file-name=libc.so.6")
        .output()
    else {
        return false;
    };
    let path = String::from_utf8_lossy(&found.stdout).trim().to_owned();
    std::fs::read(path).is_ok_and(|library| {
        library
            .windows(b"GLIBC_ABI_DT_RELR".len())
            .any(|window| window == b"GLIBC_ABI_DT_RELR")
    })
}

/// The programs of this package: `src/bin/<name>.rs` and
/// `src/bin/<name>/main.rs`, as cargo finds them.
fn program_names(dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let name = path.file_stem()?.to_str()?.to_owned();
            let is_program = if path.is_dir() {
                path.join("main.rs").is_file()
            } else {
                path.extension().is_some_and(|e| e == "rs")
            };
            is_program.then_some(name)
        })
        .collect();
    names.sort();
    names
}

/// The input-section line of a linker script that takes function `symbol`,
/// in whichever of LLVM's sections it was put (`.text.unlikely.` for cold
/// functions, ...), with the hash of a legacy-mangled name (`17h` and 16
/// hex digits, then `E`) or of an LLVM-promoted local (`.llvm.` and digits)
/// left open.
fn input_sections(symbol: &str) -> String {
    let name = section_pattern(symbol);
    let sections: Vec<String> = ["", "unlikely.", "hot.", "startup."]
        .iter()
        .map(|kind| format!(".text.{kind}{name}"))
        .collect();
    format!("    *({})\n", sections.join(" "))
}

/// The input-section line of a linker script that takes the constants LLVM
/// made for function `symbol` (its jump tables, `.rodata.<name>`), hash
/// left open as in [`input_sections`]. (Switch tables are all taken
/// anyway: inlining moves their use out of the function they are named
/// after.)
fn rodata_sections(symbol: &str) -> String {
    let name = section_pattern(symbol);
    format!("    *(.rodata.{name} .rodata.unlikely.{name})\n")
}

/// The names in a list of libc.a members (`#` starts a comment line).
fn archive_members(list: &str) -> Vec<&str> {
    list.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// The input-section lines of a linker script that take the `kind`
/// sections (`.text`, `.text.evex`, ...) of these members of the static C
/// library.
fn archive_sections(members: &[&str], kind: &str) -> String {
    members
        .iter()
        .map(|member| format!("    *libc.a:{member}({kind} {kind}.*)\n"))
        .collect()
}

/// `symbol` as a section-name pattern: the hash of a legacy-mangled name
/// and the number of an LLVM-promoted local replaced by wildcards.
fn section_pattern(symbol: &str) -> String {
    let (stem, promoted) = match symbol.find(".llvm.") {
        Some(at) => (&symbol[..at], true),
        None => (symbol, false),
    };
    let mut name = stem.to_owned();
    if let Some(unhashed) = stem.strip_suffix('E') {
        let cut = unhashed.len().saturating_sub(19);
        if let (Some(head), Some(hash)) = (unhashed.get(..cut), unhashed.get(cut..)) {
            let is_hash = hash.len() == 19
                && hash.starts_with("17h")
                && hash[3..].bytes().all(|b| b.is_ascii_hexdigit());
            if is_hash {
                name = format!("{head}17h*");
            }
        }
    }
    if promoted {
        name.push_str(".llvm.*");
    }
    name
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
