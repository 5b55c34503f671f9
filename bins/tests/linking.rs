//! How the programs are linked (bins/link-cc.sh): supervise and multilog,
//! which run once per service, and svstat, which monitors run over many
//! services, statically, where the C compiler has a static C library; every other
//! program dynamically, as rustc links it. Static or not, they stay
//! position-independent with read-only relocations.

mod common;

use common::{has_interpreter, program, program_header_types, PROGRAMS};
use std::process::Command;

const ET_DYN: u16 = 3;
const PT_GNU_RELRO: u32 = 0x6474_e552;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(program(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
}

/// Whether `cc` finds a static C library (it echoes the bare name when not).
fn static_c_library_exists() -> bool {
    Command::new("cc")
        .arg("-print-file-name=libc.a")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .is_some_and(|path| std::path::Path::new(path.trim()).is_absolute())
}

/// The programs linked statically.
const STATIC: [&str; 3] = ["multilog", "supervise", "svstat"];

#[test]
fn supervise_multilog_and_svstat_are_static_pies_with_relro_where_libc_a_exists() {
    let linux_x86_64 = cfg!(all(
        target_os = "linux",
        target_arch = "x86_64",
        target_env = "gnu"
    ));
    if !linux_x86_64
        || !static_c_library_exists()
        || std::env::var_os("DT_STATIC_LINK").is_some_and(|v| v == "0")
    {
        eprintln!("skipped: supervise is linked dynamically here");
        return;
    }
    let supervise = read("supervise");
    assert!(
        !has_interpreter(&supervise),
        "supervise names a dynamic loader"
    );
    let kind = u16::from_le_bytes([supervise[0x10], supervise[0x11]]);
    assert_eq!(kind, ET_DYN, "supervise is not position-independent");
    assert!(
        program_header_types(&supervise).contains(&PT_GNU_RELRO),
        "supervise has no read-only relocations segment"
    );
}

#[test]
fn every_other_program_uses_the_shared_c_library() {
    // setuidgid and envuidgid look users up through NSS, which needs it.
    for (name, _) in PROGRAMS.iter().filter(|(name, _)| !STATIC.contains(name)) {
        assert!(has_interpreter(&read(name)), "{name} is linked statically");
    }
}
