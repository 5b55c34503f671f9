//! The two ways to start svscanboot at boot that the package documents:
//! the systemd unit `packaging/daemontools-rs.service` and the inittab line
//! in `packaging/inittab.txt`. The unit's settings are checked always; the
//! unit is also run through `systemd-analyze verify` when that works here
//! (skipped with a printed reason otherwise).

mod common;

use common::{program, workspace_root, Scratch, PROGRAMS};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn unit_text() -> String {
    let path = workspace_root().join("packaging/daemontools-rs.service");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The `key=value` settings of `[section]`, comments left out.
fn settings(unit: &str, section: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut found = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if line.starts_with('[') {
            inside = line == format!("[{section}]");
            continue;
        }
        if inside {
            if let Some((key, value)) = line.split_once('=') {
                found.push((key.trim().to_owned(), value.trim().to_owned()));
            }
        }
    }
    found
}

#[test]
fn the_unit_runs_svscanboot_and_restarts_it() {
    let unit = unit_text();
    let service = settings(&unit, "Service");
    let get = |key: &str| -> Vec<&str> {
        service
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    assert_eq!(get("ExecStart"), ["/usr/bin/svscanboot"]);
    assert_eq!(get("Restart"), ["always"]);
    assert_eq!(
        get("KillMode"),
        ["control-group"],
        "see the unit's comment for why"
    );
    let install = settings(&unit, "Install");
    assert!(
        install.contains(&("WantedBy".to_owned(), "multi-user.target".to_owned())),
        "the unit can be enabled for the normal boot: {install:?}"
    );
}

#[test]
fn the_inittab_line_respawns_svscanboot() {
    let path = workspace_root().join("packaging/inittab.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let entries: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    assert_eq!(entries, ["SV:123456:respawn:/usr/bin/svscanboot"]);
}

fn analyze(unit: &Path, manpath: &Path) -> std::io::Result<Output> {
    Command::new("systemd-analyze")
        .arg("verify")
        .arg(unit)
        .env("MANPATH", manpath)
        .stdin(Stdio::null())
        .output()
}

/// Lines of `systemd-analyze verify` output that concern `name`: it exits
/// 0 even for unknown keys or bad values, and only says so on stderr.
fn complaints(output: &Output, name: &str) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains(name))
        .map(str::to_owned)
        .collect()
}

#[test]
fn systemd_analyze_verify_accepts_the_unit() {
    let scratch = Scratch::new("unit");
    // Our man pages where `man` looks for them: the unit's Documentation=
    // names svscanboot(8), svscan(8) and supervise(8), and verify checks
    // that they exist.
    let man8 = scratch.path().join("man/man8");
    std::fs::create_dir_all(&man8).unwrap_or_else(|e| panic!("mkdir: {e}"));
    for (name, _) in PROGRAMS {
        let page = format!("{name}.8");
        std::fs::copy(workspace_root().join("man").join(&page), man8.join(&page))
            .unwrap_or_else(|e| panic!("cannot copy {page}: {e}"));
    }
    let manpath = scratch.path().join("man");

    // Does systemd-analyze work here at all? Try it on a unit with nothing
    // to complain about.
    let plain = scratch.path().join("dt-probe.service");
    std::fs::write(&plain, "[Service]\nExecStart=/bin/true\n")
        .unwrap_or_else(|e| panic!("cannot write the probe unit: {e}"));
    match analyze(&plain, &manpath) {
        Err(e) => {
            println!("skipped: systemd-analyze cannot be run here ({e})");
            return;
        }
        Ok(output) if !output.status.success() || !complaints(&output, "dt-probe").is_empty() => {
            println!(
                "skipped: systemd-analyze verify does not work here ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
            return;
        }
        Ok(_) => {}
    }

    // The unit as packaged, except that ExecStart names the svscanboot
    // cargo built (verify insists that the program exists; the package
    // test checks that the package puts it at /usr/bin/svscanboot).
    let built = program("svscanboot").to_string_lossy().into_owned();
    let text = unit_text().replace(
        "ExecStart=/usr/bin/svscanboot",
        &format!("ExecStart={built}"),
    );
    assert!(
        text.contains(&built),
        "the unit's ExecStart was not found to rewrite"
    );
    let unit = scratch.path().join("daemontools-rs.service");
    std::fs::write(&unit, text).unwrap_or_else(|e| panic!("cannot write the unit: {e}"));
    let output = analyze(&unit, &manpath).unwrap_or_else(|e| panic!("systemd-analyze: {e}"));
    let problems = complaints(&output, "daemontools-rs");
    assert!(
        output.status.success() && problems.is_empty(),
        "systemd-analyze verify rejects the unit ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}
