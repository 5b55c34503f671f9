//! What supervise does with what it finds in `supervise/` (DEV-12): it uses
//! the FIFOs 0.76's supervise makes as they are, replaces any other file at
//! `control` or `ok` with a FIFO of its own, and never follows a symbolic
//! link inside the directory.
//!
//! Each case prepares `s/supervise/` by hand, starts supervise with a
//! `down` file (so no service runs), waits until it answers on `ok`, checks
//! the files, then ends it with `svc -x` and compares everything it wrote
//! on stderr.

use std::fs;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;

use dt_tests::fixture::TempDir;
use dt_tests::process::{run_to_end, supervise_command, Collector, Group};
use dt_tests::{wait, Side};
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

/// A service `s` with a `down` file and an empty `s/supervise/`.
fn service(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let s = dir.path().join("s");
    fs::create_dir_all(s.join("supervise")).expect("mkdir s/supervise");
    fs::write(s.join("run"), "#!/bin/sh\nexec sleep 100000\n").expect("write run");
    fs::set_permissions(s.join("run"), fs::Permissions::from_mode(0o755)).expect("chmod run");
    fs::write(s.join("down"), b"").expect("write down");
    dir
}

fn make_fifo(path: &Path, mode: u32) {
    nix::unistd::mkfifo(path, Mode::from_bits_truncate(0o600)).expect("mkfifo");
    // Past the umask.
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod fifo");
}

/// Run `program args` from `side` in `dir` to its end: exit code, stderr.
fn run(side: Side, dir: &Path, program: &str, args: &[&str]) -> (Option<i32>, String) {
    let mut command = Command::new(side.program(program));
    let finished = run_to_end(command.args(args).current_dir(dir));
    (finished.code, finished.stderr)
}

/// `supervise s` from `side` in `dir`, until it answers on `ok`; `look`
/// sees the directory then; `svc -x` ends it. Its exit code and stderr.
fn supervise_once(side: Side, dir: &Path, look: &mut dyn FnMut(&Path)) -> (Option<i32>, String) {
    let mut group = Group::spawn(&mut supervise_command(side, dir)).expect("start supervise");
    let (_, _, err) = group.take_pipes();
    let err = Collector::start(err);
    // A FIFO at `ok` that answers: a regular file planted there would
    // answer svok before supervise has started.
    let ok = dir.join("s/supervise/ok");
    let answers = || {
        fs::symlink_metadata(&ok).is_ok_and(|m| m.file_type().is_fifo())
            && run(Side::Ours, dir, "svok", &["s"]).0 == Some(0)
    };
    wait::until_or_panic("supervise to answer on ok", || {
        (group.has_exited() || answers()).then_some(())
    });
    if !group.has_exited() {
        look(&dir.join("s/supervise"));
        run(Side::Ours, dir, "svc", &["-x", "s"]);
    }
    wait::until_or_panic("supervise to exit", || {
        (group.has_exited() && err.is_finished()).then_some(())
    });
    let code = group.reap().expect("reap supervise").code();
    (code, String::from_utf8_lossy(&err.contents()).into_owned())
}

/// Our effective user id, as the owner of what we make.
fn euid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

fn inode(path: &Path) -> u64 {
    fs::symlink_metadata(path).expect("lstat").ino()
}

/// A FIFO of supervise's own: owned by us, nothing for other users but
/// what `allowed` leaves them.
fn assert_private_fifo(path: &Path, allowed: u32) {
    let meta = fs::symlink_metadata(path).expect("lstat");
    assert!(meta.file_type().is_fifo(), "{} is a FIFO", path.display());
    assert_eq!(meta.uid(), euid());
    assert_eq!(meta.mode() & 0o007 & !allowed, 0, "{:o}", meta.mode());
}

/// Open `path` for reading and writing, as someone keeping a FIFO open.
fn hold(path: &Path) -> OwnedFd {
    nix::fcntl::open(path, OFlag::O_RDWR | OFlag::O_NONBLOCK, Mode::empty()).expect("hold")
}

/// Every kind of untrusted file at `control` and `ok` is replaced, with a
/// warning, by a fresh private FIFO that works: `svc -x` through it ends
/// supervise. Nothing it pointed to is touched, and a descriptor held on a
/// replaced FIFO no longer reaches supervise.
//= spec/deviations.md#dev-12
#[test]
fn untrusted_files_at_control_and_ok_are_replaced_by_private_fifos() {
    let root = euid() == 0;
    let cases = [
        ("control", "not a named pipe", "regular file"),
        ("control", "not a named pipe", "symbolic link"),
        ("control", "open to other users", "fifo 0666"),
        ("control", "open to other users", "fifo 0604"),
        ("ok", "not a named pipe", "regular file"),
        ("ok", "open to other users", "fifo 0644"),
        ("control", "owned by another user", "fifo of nobody"),
    ];
    for (name, reason, kind) in cases {
        if kind == "fifo of nobody" && !root {
            eprintln!("skipped {kind}: needs root to give a FIFO away");
            continue;
        }
        let dir = service("untrusted");
        let planted = dir.path().join("s/supervise").join(name);
        let target = dir.path().join("target");
        fs::write(&target, b"keep").expect("write target");
        let mut held = None;
        match kind {
            "regular file" => fs::write(&planted, b"u").expect("plant file"),
            "symbolic link" => std::os::unix::fs::symlink(&target, &planted).expect("plant link"),
            "fifo 0666" => make_fifo(&planted, 0o666),
            "fifo 0604" => make_fifo(&planted, 0o604),
            "fifo 0644" => make_fifo(&planted, 0o644),
            _ => {
                make_fifo(&planted, 0o600);
                std::os::unix::fs::chown(&planted, Some(65534), None).expect("chown");
            }
        }
        // (Not on `ok`: a reader there would answer svok for supervise.)
        if name == "control" && kind.starts_with("fifo") {
            held = Some(hold(&planted));
        }
        let old = inode(&planted);
        let mut looked = false;
        let (code, stderr) = supervise_once(Side::Ours, dir.path(), &mut |sup| {
            looked = true;
            let allowed = if name == "ok" { 0o002 } else { 0 };
            assert_private_fifo(&sup.join(name), allowed);
            // (A removed file's inode number may come back at once; a held
            // one cannot.)
            if held.is_some() {
                assert_ne!(inode(&sup.join(name)), old, "{kind}: a new FIFO");
            }
        });
        assert!(looked, "{kind}: supervise ran; stderr: {stderr}");
        assert_eq!(code, Some(0), "{kind}: svc -x through the new FIFO");
        assert_eq!(
            stderr,
            format!("supervise: warning: replacing s/supervise/{name}: {reason}\n"),
            "{kind}"
        );
        assert_eq!(fs::read(&target).expect("target"), b"keep", "{kind}");
        drop(held);
    }
}

/// The FIFOs 0.76's supervise made are used as they are, by inode, and so
/// are those an administrator opened to a group (or, for `ok`, let others
/// write): no warning, and both supervise programs take turns on one
/// directory.
//= spec/deviations.md#dev-12
#[test]
fn fifos_0_76_made_and_group_access_are_kept() {
    let dir = service("trusted");
    let sup = dir.path().join("s/supervise");
    let (code, stderr) = supervise_once(Side::Reference, dir.path(), &mut |_| {});
    assert_eq!((code, stderr.as_str()), (Some(0), ""), "0.76's supervise");
    let made = (inode(&sup.join("control")), inode(&sup.join("ok")));
    let (code, stderr) = supervise_once(Side::Ours, dir.path(), &mut |sup| {
        assert_eq!((inode(&sup.join("control")), inode(&sup.join("ok"))), made);
    });
    assert_eq!(
        (code, stderr.as_str()),
        (Some(0), ""),
        "ours on 0.76's FIFOs"
    );

    fs::set_permissions(sup.join("control"), fs::Permissions::from_mode(0o660)).expect("chmod");
    fs::set_permissions(sup.join("ok"), fs::Permissions::from_mode(0o662)).expect("chmod");
    let (code, stderr) = supervise_once(Side::Ours, dir.path(), &mut |sup| {
        assert_eq!((inode(&sup.join("control")), inode(&sup.join("ok"))), made);
    });
    assert_eq!((code, stderr.as_str()), (Some(0), ""), "group access kept");
    let (code, stderr) = supervise_once(Side::Reference, dir.path(), &mut |_| {});
    assert_eq!((code, stderr.as_str()), (Some(0), ""), "0.76 after ours");
}

/// A symbolic link at `lock` is refused, not followed; a directory at
/// `control` cannot be replaced and is fatal; `supervise` as a regular file
/// fails as with 0.76, and a symbolic link as `supervise` is still
/// followed (Debian's feature).
//= spec/deviations.md#dev-12
#[test]
fn links_and_directories_inside_supervise_are_refused() {
    let dir = service("refused");
    let sup = dir.path().join("s/supervise");
    let elsewhere = dir.path().join("elsewhere");
    std::os::unix::fs::symlink(&elsewhere, sup.join("lock")).expect("plant lock link");
    let (code, stderr) = run(Side::Ours, dir.path(), "supervise", &["s"]);
    assert_eq!(code, Some(111));
    assert_eq!(
        stderr,
        "supervise: fatal: unable to acquire s/supervise/lock: symbolic link loop\n"
    );
    assert!(!elsewhere.exists(), "nothing made through the link");
    fs::remove_file(sup.join("lock")).expect("remove lock link");

    fs::create_dir(sup.join("control")).expect("mkdir control");
    let (code, stderr) = run(Side::Ours, dir.path(), "supervise", &["s"]);
    assert_eq!(code, Some(111));
    assert_eq!(
        stderr,
        "supervise: warning: replacing s/supervise/control: not a named pipe\n\
         supervise: fatal: unable to read s/supervise/control: is a directory\n"
    );
    fs::remove_dir(sup.join("control")).expect("rmdir control");

    fs::remove_dir_all(&sup).expect("remove supervise");
    fs::write(&sup, b"").expect("supervise as a file");
    let ours = run(Side::Ours, dir.path(), "supervise", &["s"]);
    let reference = run(Side::Reference, dir.path(), "supervise", &["s"]);
    assert_eq!(ours, reference);
    assert_eq!(ours.0, Some(111));
    fs::remove_file(&sup).expect("remove the file");

    let real = dir.path().join("real");
    std::os::unix::fs::symlink(&real, &sup).expect("supervise as a link");
    let (code, stderr) = supervise_once(Side::Ours, dir.path(), &mut |_| {
        assert!(real.join("control").exists(), "made where the link points");
    });
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
}
