//! `scripts/build-deb.sh` makes a Debian package that can replace Debian's
//! daemontools: this test builds one from the binaries cargo built for it
//! (`--profile debug --bin-dir`, so nothing is compiled again), checks its
//! fields and its contents with `dpkg-deb`, unpacks it with `dpkg -x` into a
//! scratch root and runs the unpacked programs: a filter pipeline, usage
//! and "not running" answers, and a service's life under the unpacked
//! supervise. Without dpkg-deb the test fails with the reason: this project
//! is built on Debian, where it is always there.

mod common;

use common::{bin_dir, has_interpreter, workspace_root, Scratch, PROGRAMS};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn run(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Output {
    let program = program.as_ref();
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program:?}: {e}"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Build the package into `out` and return its path.
fn build(out: &Path) -> PathBuf {
    let probe = Command::new("dpkg-deb").arg("--version").output();
    assert!(
        probe.is_ok_and(|o| o.status.success()),
        "dpkg-deb is needed to build and check the Debian package and is not installed \
         here (it is part of dpkg, on every Debian system)"
    );
    let script = workspace_root().join("scripts/build-deb.sh");
    let output = Command::new("bash")
        .arg(&script)
        .args(["--profile", "debug", "--bin-dir"])
        .arg(bin_dir())
        .arg(out)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "build-deb.sh failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = stdout(&output);
    let deb = PathBuf::from(printed.trim());
    assert!(
        deb.is_file(),
        "build-deb.sh printed {printed:?}, which is not a file"
    );
    deb
}

/// The workspace version, as the script reads it.
fn workspace_version() -> String {
    let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("cannot read Cargo.toml: {e}"));
    let section = manifest
        .split("[workspace.package]")
        .nth(1)
        .unwrap_or_else(|| panic!("Cargo.toml has no [workspace.package]"));
    section
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no version in [workspace.package]"))
        .to_owned()
}

/// The value of `field` in `dpkg-deb --field` output.
fn field(deb: &Path, name: &str) -> String {
    let output = run("dpkg-deb", &["--field", &deb.to_string_lossy(), name]);
    assert!(output.status.success(), "dpkg-deb --field {name} failed");
    stdout(&output).trim().to_owned()
}

/// Wait for `probe` to hold, polling, with a generous deadline.
fn wait_for(what: &str, mut probe: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut pause = Duration::from_millis(1);
    while !probe() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

#[test]
fn the_debian_package_replaces_daemontools_and_its_programs_work() {
    let scratch = Scratch::new("deb");
    let deb = build(&scratch.path().join("out"));
    let name = deb
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let arch = stdout(&run("dpkg", &["--print-architecture"]))
        .trim()
        .to_owned();
    let version = workspace_version();
    assert_eq!(name, format!("daemontools-rs_{version}_{arch}.deb"));

    // The control fields.
    assert_eq!(field(&deb, "Package"), "daemontools-rs");
    assert_eq!(field(&deb, "Version"), version);
    assert_eq!(field(&deb, "Architecture"), arch);
    let list = |f: &str| -> Vec<String> {
        field(&deb, f)
            .split(',')
            .map(|s| s.trim().to_owned())
            .collect()
    };
    assert!(list("Provides").contains(&"daemontools".to_owned()));
    assert!(list("Conflicts").contains(&"daemontools".to_owned()));
    assert!(list("Conflicts").contains(&"daemontools-run".to_owned()));
    assert!(list("Replaces").contains(&"daemontools".to_owned()));
    let depends = field(&deb, "Depends");
    assert!(depends.starts_with("libc6 (>= 2."), "Depends: {depends}");
    // Programs with packed relocations (bins/build.rs) need glibc 2.36,
    // though no symbol of theirs says so.
    let svc = std::fs::read(bin_dir().join("svc")).expect("the svc the package holds");
    if svc
        .windows(b"GLIBC_ABI_DT_RELR".len())
        .any(|w| w == b"GLIBC_ABI_DT_RELR")
    {
        let minor: u32 = depends
            .trim_start_matches("libc6 (>= 2.")
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(minor >= 36, "packed relocations need glibc 2.36: {depends}");
    }
    // A statically linked supervise (bins/link-cc.sh) names the glibc it
    // carries.
    let supervise =
        std::fs::read(bin_dir().join("supervise")).expect("the supervise the package holds");
    if !has_interpreter(&supervise) {
        let built_using = field(&deb, "Built-Using");
        assert!(
            built_using.starts_with("glibc (= 2."),
            "Built-Using: {built_using}"
        );
    }
    for f in [
        "Maintainer",
        "Description",
        "Installed-Size",
        "Section",
        "Priority",
    ] {
        assert!(!field(&deb, f).is_empty(), "the package has no {f} field");
    }
    let info = run("dpkg-deb", &["--info", &deb.to_string_lossy()]);
    assert!(info.status.success(), "dpkg-deb --info failed");

    // The contents: every program, every man page, the unit, the scan
    // directory and the copyright, owned by root.
    let contents = run("dpkg-deb", &["--contents", &deb.to_string_lossy()]);
    assert!(contents.status.success(), "dpkg-deb --contents failed");
    let listing = stdout(&contents);
    let entry = |path: &str| -> Option<String> {
        listing
            .lines()
            .find(|l| l.split_whitespace().last() == Some(path))
            .map(str::to_owned)
    };
    let expect = |path: &str, mode: &str| {
        let line = entry(path).unwrap_or_else(|| panic!("the package lacks {path}:\n{listing}"));
        assert!(line.starts_with(mode), "{path} should be {mode}: {line}");
        assert!(
            line.contains(" root/root "),
            "{path} should belong to root: {line}"
        );
    };
    for (program, _) in PROGRAMS {
        expect(&format!("./usr/bin/{program}"), "-rwxr-xr-x");
        expect(
            &format!("./usr/share/man/man8/{program}.8.gz"),
            "-rw-r--r--",
        );
    }
    expect("./lib/systemd/system/daemontools-rs.service", "-rw-r--r--");
    expect("./etc/service/", "drwxr-xr-x");
    expect("./usr/share/doc/daemontools-rs/copyright", "-rw-r--r--");
    expect(
        "./usr/share/doc/daemontools-rs/examples/inittab.txt",
        "-rw-r--r--",
    );
    let examples = "./usr/share/doc/daemontools-rs/examples/service/demo";
    expect(&format!("{examples}/run"), "-rwxr-xr-x");
    expect(&format!("{examples}/log/run"), "-rwxr-xr-x");
    let programs_in_bin = listing
        .lines()
        .filter(|l| l.contains(" ./usr/bin/") && !l.ends_with('/'))
        .count();
    assert_eq!(
        programs_in_bin,
        PROGRAMS.len(),
        "exactly the 19 programs in /usr/bin:\n{listing}"
    );

    // Unpack into a scratch root.
    let root = scratch.path().join("root");
    let unpack = run(
        "dpkg",
        &["-x", &deb.to_string_lossy(), &root.to_string_lossy()],
    );
    assert!(
        unpack.status.success(),
        "dpkg -x failed: {}",
        String::from_utf8_lossy(&unpack.stderr)
    );
    let bin = root.join("usr/bin");
    for (program, _) in PROGRAMS {
        let packed = root.join(format!("usr/share/man/man8/{program}.8.gz"));
        let page = run("gzip", &["-dc", &packed.to_string_lossy()]);
        let source = std::fs::read(workspace_root().join(format!("man/{program}.8")))
            .unwrap_or_else(|e| panic!("cannot read man/{program}.8: {e}"));
        assert!(
            page.status.success() && page.stdout == source,
            "{program}.8.gz is not man/{program}.8"
        );
    }
    let unit = std::fs::read(root.join("lib/systemd/system/daemontools-rs.service"))
        .unwrap_or_else(|e| panic!("the unit was not unpacked: {e}"));
    let source = std::fs::read(workspace_root().join("packaging/daemontools-rs.service"))
        .unwrap_or_else(|e| panic!("cannot read the unit: {e}"));
    assert_eq!(
        unit, source,
        "the packaged unit is packaging/daemontools-rs.service"
    );

    smoke(&bin, scratch.path());
}

/// Run the unpacked programs.
fn smoke(bin: &Path, scratch: &Path) {
    // tai64n | tai64nlocal: a local date, nanoseconds, then the line.
    let mut tai64n = Command::new(bin.join("tai64n"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the unpacked tai64n: {e}"));
    let labelled = tai64n
        .stdout
        .take()
        .unwrap_or_else(|| panic!("tai64n's stdout is piped"));
    let local = Command::new(bin.join("tai64nlocal"))
        .stdin(labelled)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the unpacked tai64nlocal: {e}"));
    {
        let mut input = tai64n
            .stdin
            .take()
            .unwrap_or_else(|| panic!("tai64n's stdin is piped"));
        input
            .write_all(b"x\n")
            .unwrap_or_else(|e| panic!("cannot feed tai64n: {e}"));
    }
    let local = local
        .wait_with_output()
        .unwrap_or_else(|e| panic!("tai64nlocal: {e}"));
    let status = tai64n.wait().unwrap_or_else(|e| panic!("tai64n: {e}"));
    assert!(status.success() && local.status.success());
    let line = stdout(&local);
    let shape: String = line
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    assert!(
        shape.starts_with("9999-99-99 99:99:99.999999999 x\n") && shape.len() == 32,
        "echo x | tai64n | tai64nlocal gave {line:?}"
    );

    // svok on a directory no supervise ever ran in: 100, silently.
    let plain = scratch.join("not-a-service");
    std::fs::create_dir(&plain).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let svok = run(bin.join("svok"), &[&plain.to_string_lossy()]);
    assert_eq!(svok.status.code(), Some(100), "svok on a plain directory");
    assert!(svok.stdout.is_empty() && svok.stderr.is_empty());

    // svc with a bad option: 100 and its options line.
    let svc = run(bin.join("svc"), &["-Z", &plain.to_string_lossy()]);
    assert_eq!(svc.status.code(), Some(100), "svc -Z");
    assert_eq!(
        String::from_utf8_lossy(&svc.stderr),
        "svc: illegal option -- Z\nsvc options: u up, d down, o once, x exit, p pause, \
         c continue, h hup, a alarm, i interrupt, t term, k kill\n"
    );

    // A service under the unpacked supervise: up, then down and gone.
    let service = scratch.join("service");
    std::fs::create_dir(&service).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let run_file = service.join("run");
    std::fs::write(&run_file, "#!/bin/sh\nexec sleep 1000\n")
        .unwrap_or_else(|e| panic!("write run: {e}"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&run_file, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("chmod run: {e}"));
    let dir = service.to_string_lossy().into_owned();
    let supervise = Command::new(bin.join("supervise"))
        .arg(&service)
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the unpacked supervise: {e}"));
    let mut supervise = Stopper {
        child: supervise,
        svc: bin.join("svc"),
        dir: dir.clone(),
    };
    let svstat = || stdout(&run(bin.join("svstat"), &[&dir]));
    wait_for("svstat to show the service up", || {
        svstat().contains(": up (pid ")
    });
    assert_eq!(
        run(bin.join("svok"), &[&dir]).status.code(),
        Some(0),
        "svok while supervise runs"
    );
    let down = run(bin.join("svc"), &["-dx", &dir]);
    assert!(
        down.status.success() && down.stderr.is_empty(),
        "svc -dx: {down:?}"
    );
    let mut ended = None;
    wait_for("supervise to exit after svc -dx", || {
        ended = supervise
            .child
            .try_wait()
            .unwrap_or_else(|e| panic!("wait: {e}"));
        ended.is_some()
    });
    assert_eq!(
        ended.and_then(|s| s.code()),
        Some(0),
        "supervise exits 0 after svc -dx"
    );
    assert!(
        svstat().contains(": supervise not running"),
        "svstat after the exit: {}",
        svstat()
    );
}

/// A supervise that is stopped (`svc -dx`, then SIGKILL) if the test ends
/// before it has exited, so that neither it nor its service outlives the
/// test.
struct Stopper {
    child: std::process::Child,
    svc: PathBuf,
    dir: String,
}

impl Drop for Stopper {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new(&self.svc).args(["-dx", &self.dir]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
