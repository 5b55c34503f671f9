//! README's first command, `scripts/demo.sh`, run on the binaries cargo
//! built for this test (`--bin-dir`, so nothing is compiled again): it must
//! end with exit 0 after showing the demo service and its logger up, the log
//! through tai64nlocal, and `svc -d` / `svc -u` taking effect, and leave no
//! scratch directory behind.

mod common;

use common::{bin_dir, workspace_root};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn the_demo_runs_the_example_service_and_cleans_up() {
    let script = workspace_root().join("scripts/demo.sh");
    let mut child = Command::new("bash")
        .arg(&script)
        .arg("--bin-dir")
        .arg(bin_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so that everything it started can be
        // killed if it hangs.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let pgid = child.id();
    let mut out = child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("stdout is piped"));
    let mut err = child
        .stderr
        .take()
        .unwrap_or_else(|| panic!("stderr is piped"));
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });

    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{pgid}")])
                    .status();
                let _ = child.wait();
                panic!("scripts/demo.sh did not end within 180 s");
            }
        }
    };
    let stdout = reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    assert!(
        status.success(),
        "scripts/demo.sh failed ({status}):\n{stdout}\n{stderr}"
    );

    let has_line = |start: &str| stdout.lines().any(|l| l.starts_with(start));
    assert!(
        has_line("service/demo: up (pid "),
        "the service is shown up:\n{stdout}"
    );
    assert!(
        has_line("service/demo/log: up (pid "),
        "its logger is shown up:\n{stdout}"
    );
    assert!(
        has_line("service/demo: down "),
        "svc -d is shown taking effect:\n{stdout}"
    );
    // tai64nlocal's lines: `YYYY-MM-DD HH:MM:SS.NNNNNNNNN demo: line N`.
    let logged = stdout
        .lines()
        .filter(|l| l.len() > 30 && l.as_bytes()[..4].iter().all(u8::is_ascii_digit))
        .filter(|l| {
            l.get(29..)
                .is_some_and(|rest| rest.starts_with(" demo: line "))
        })
        .count();
    assert!(
        logged >= 2,
        "the log is shown through tai64nlocal:\n{stdout}"
    );
    assert!(
        stdout.lines().last() == Some("done"),
        "the demo stops cleanly:\n{stdout}"
    );

    // The scratch copy it announced is gone.
    let first = stdout.lines().next().unwrap_or_default();
    let scratch = first
        .strip_prefix("== svscan ")
        .and_then(|rest| rest.split(", with").next())
        .and_then(|service| service.strip_suffix("/service"))
        .unwrap_or_else(|| panic!("the demo does not say where it runs: {first:?}"));
    assert!(
        !std::path::Path::new(scratch).exists(),
        "the demo left {scratch} behind"
    );
    assert!(
        !scratch.starts_with(&*workspace_root().to_string_lossy()),
        "the demo ran inside the checkout: {scratch}"
    );
}
