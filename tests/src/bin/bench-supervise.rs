//! Benchmark: supervise and svstat, ours against Debian's 0.76 in the same
//! run, with the ratios:
//!
//! * the memory of an idle supervise with one running service (its PSS from
//!   `/proc/<pid>/smaps_rollup`);
//! * the latency of `svc -t`: from starting the side's `svc -t s` until
//!   `supervise/status` shows the restarted service's new pid, the median of
//!   N restarts. Each restart waits out the one-second pause 0.76's
//!   supervise makes after every start (it reads no command meanwhile), so
//!   that the pause is not measured. Both supervise processes run at once
//!   and take turns;
//! * the wall time of one `svstat` over 1000 service directories (each with
//!   a `supervise/status` file and a `supervise/ok` FIFO that this program
//!   keeps open for reading, as a running supervise would), best of several
//!   runs.
//!
//! Run with `scripts/bench.sh`, or after `cargo build --release -p dt-bins`:
//! `cargo run --release -p dt-tests --bin bench-supervise -- [restarts]`
//! (default 20). Every process runs in a process group killed afterwards;
//! the directories are under `target/bench/supervise-*`.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dt_tests::memory::rollup_kib;
use dt_tests::process::{supervise_command, Group};
use dt_tests::Side;

const SVSTAT_DIRS: usize = 1000;
const SVSTAT_RUNS: usize = 10;

fn main() {
    let restarts: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20)
        .max(1);
    let work = dt_tests::binaries::workspace_root().join("target/bench");
    fs::create_dir_all(&work).expect("target/bench");
    for side in Side::BOTH {
        for program in ["supervise", "svc", "svstat"] {
            side.program(program);
        }
    }

    let idle = Side::BOTH.map(|side| idle_memory(side, &work));
    let pss = idle.map(|m| m.pss_kib);
    let latency = svc_t_latency(&work, restarts);
    let svstat = svstat_time(&work);

    println!("| measure | 0.76 | ours | ours / 0.76 |");
    println!("|---|---|---|---|");
    println!(
        "| idle supervise PSS, one service | {} KiB | {} KiB | {:.2}x |",
        pss[0],
        pss[1],
        pss[1] as f64 / pss[0] as f64
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| `svc -t` to new pid in status, median of {restarts} | {:.2} ms | {:.2} ms | {:.2}x |",
        ms(latency[0]),
        ms(latency[1]),
        ms(latency[1]) / ms(latency[0])
    );
    println!(
        "| `svstat` over {SVSTAT_DIRS} directories, best of {SVSTAT_RUNS} | {:.2} ms | {:.2} ms | {:.2}x |",
        ms(svstat[0]),
        ms(svstat[1]),
        ms(svstat[1]) / ms(svstat[0])
    );
    println!();
    println!(
        "Of the idle supervise's own file, resident: 0.76 {} KiB, ours {} KiB.",
        idle[0].own_file_kib, idle[1].own_file_kib
    );
    if idle[1].cold_code_kib > 0 {
        println!(
            "Ours has {} KiB of code resident outside its hot segment: \
             bins/symbol-order.txt is stale; run scripts/symbol-order.sh.",
            idle[1].cold_code_kib
        );
    }
}

fn side_dir(work: &Path, what: &str, side: Side) -> PathBuf {
    work.join(format!(
        "supervise-{what}-{}",
        match side {
            Side::Reference => "ref",
            Side::Ours => "ours",
        }
    ))
}

/// A fresh directory holding the service `s` (`run` = `exec sleep 100000`).
fn service_tree(dir: &Path) {
    let _ = fs::remove_dir_all(dir);
    let s = dir.join("s");
    fs::create_dir_all(&s).expect("mkdir s");
    let run = s.join("run");
    fs::write(&run, "#!/bin/sh\nexec sleep 100000\n").expect("write run");
    fs::set_permissions(&run, fs::Permissions::from_mode(0o755)).expect("chmod run");
}

/// `supervise s` from `side` in `dir`, in its own process group.
fn start_supervise(side: Side, dir: &Path) -> Group {
    let mut command = supervise_command(side, dir);
    Group::spawn(command.stderr(Stdio::inherit())).expect("start supervise")
}

/// The pid in `<dir>/s/supervise/status`, 0 if none yet.
fn status_pid(dir: &Path) -> u32 {
    fs::read(dir.join("s/supervise/status"))
        .ok()
        .and_then(|b| {
            b.get(12..16)
                .map(|p| u32::from_le_bytes([p[0], p[1], p[2], p[3]]))
        })
        .unwrap_or(0)
}

/// Poll (without pausing: the poll is what is timed) until the status
/// shows a pid other than 0 and `old`; the pid.
fn await_new_pid(dir: &Path, old: u32) -> u32 {
    let start = Instant::now();
    loop {
        let pid = status_pid(dir);
        if pid != 0 && pid != old {
            return pid;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{}: no new pid after 60 s",
            dir.display()
        );
        std::thread::yield_now();
    }
}

/// What an idle supervise with one running service has resident.
#[derive(Clone, Copy)]
struct IdleMemory {
    /// Its PSS.
    pss_kib: u64,
    /// The resident pages of its own program file.
    own_file_kib: u64,
    /// Of those, the pages of code segments other than the first (where
    /// bins/layout.ld puts the functions of bins/symbol-order.txt): none
    /// while the list is up to date.
    cold_code_kib: u64,
}

fn idle_memory(side: Side, work: &Path) -> IdleMemory {
    let dir = side_dir(work, "idle", side);
    service_tree(&dir);
    let group = start_supervise(side, &dir);
    let first = await_new_pid(&dir, 0);
    // A restart (carried out after the pause that follows the start), as
    // the list of hot functions covers one.
    run_svc(side, &dir, "-t");
    await_new_pid(&dir, first);
    // Past the pause after the start, and idle.
    std::thread::sleep(Duration::from_secs(2));
    let pss_kib = rollup_kib(group.pid(), "Pss");
    let (own_file_kib, cold_code_kib) = own_file_kib(group.pid(), &side.program("supervise"));
    drop(group);
    let _ = fs::remove_dir_all(&dir);
    IdleMemory {
        pss_kib,
        own_file_kib,
        cold_code_kib,
    }
}

/// Run `svc option` from `side` on the service in `dir`.
fn run_svc(side: Side, dir: &Path, option: &str) {
    let status = Command::new(side.program("svc"))
        .arg(option)
        .arg(dir.join("s"))
        .status()
        .expect("run svc");
    assert!(status.success(), "svc {option}");
}

/// The resident KiB of `program`'s own mappings in process `pid`, and of
/// those the KiB of executable mappings after the first.
fn own_file_kib(pid: u32, program: &Path) -> (u64, u64) {
    let text = fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let program = fs::canonicalize(program).unwrap_or_else(|_| program.to_path_buf());
    let (mut own, mut cold, mut code_mappings) = (0, 0, 0);
    let mut current: Option<bool> = None; // Some(executable) for our mappings
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() >= 5 && fields[0].contains('-') && !line.ends_with(" kB") {
            let ours = fields.get(5).is_some_and(|path| Path::new(path) == program);
            current = ours.then(|| fields[1].contains('x'));
            if current == Some(true) {
                code_mappings += 1;
            }
        } else if let (Some(executable), Some(kib)) = (current, line.strip_prefix("Rss:")) {
            let kib: u64 = kib
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .unwrap_or(0);
            own += kib;
            if executable && code_mappings > 1 {
                cold += kib;
            }
        }
    }
    (own, cold)
}

/// Median `svc -t` → new pid latency for both sides, the sides taking
/// turns.
fn svc_t_latency(work: &Path, restarts: usize) -> [Duration; 2] {
    let dirs = Side::BOTH.map(|side| side_dir(work, "restart", side));
    for dir in &dirs {
        service_tree(dir);
    }
    let groups = Side::BOTH.map(|side| start_supervise(side, &dirs[side_index(side)]));
    let mut pids = dirs.clone().map(|dir| await_new_pid(&dir, 0));
    let mut started = [Instant::now(); 2];
    let mut samples: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..restarts {
        for side in Side::BOTH {
            let i = side_index(side);
            // Out of the pause that follows every start.
            let quiet = started[i] + Duration::from_millis(1200);
            if let Some(left) = quiet.checked_duration_since(Instant::now()) {
                std::thread::sleep(left);
            }
            let t0 = Instant::now();
            let status = Command::new(side.program("svc"))
                .args(["-t", "s"])
                .current_dir(&dirs[i])
                .stdin(Stdio::null())
                .status()
                .expect("run svc");
            assert!(status.success(), "{}: svc -t failed", side.name());
            pids[i] = await_new_pid(&dirs[i], pids[i]);
            samples[i].push(t0.elapsed());
            started[i] = Instant::now();
        }
    }
    drop(groups);
    for dir in &dirs {
        let _ = fs::remove_dir_all(dir);
    }
    samples.map(|mut s| {
        s.sort();
        s[s.len() / 2]
    })
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Reference => 0,
        Side::Ours => 1,
    }
}

/// Best wall time of `svstat` over `SVSTAT_DIRS` directories, per side.
fn svstat_time(work: &Path) -> [Duration; 2] {
    let dir = work.join("supervise-svstat");
    let _ = fs::remove_dir_all(&dir);
    raise_open_files_limit();
    let names: Vec<String> = (0..SVSTAT_DIRS).map(|i| format!("d{i:04}")).collect();
    let mut readers: Vec<File> = Vec::with_capacity(SVSTAT_DIRS);
    let record = status_record(std::process::id());
    for name in &names {
        let supervise = dir.join(name).join("supervise");
        fs::create_dir_all(&supervise).expect("mkdir supervise");
        fs::write(supervise.join("status"), record).expect("write status");
        let ok = supervise.join("ok");
        nix::unistd::mkfifo(&ok, nix::sys::stat::Mode::from_bits_truncate(0o600))
            .expect("mkfifo ok");
        // A reader on ok, as supervise keeps one.
        readers.push(
            OpenOptions::new()
                .read(true)
                .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
                .open(&ok)
                .expect("open ok for reading"),
        );
    }
    let mut best = [Duration::MAX; 2];
    for _ in 0..SVSTAT_RUNS {
        for side in Side::BOTH {
            let start = Instant::now();
            let out = Command::new(side.program("svstat"))
                .args(&names)
                .current_dir(&dir)
                .stdin(Stdio::null())
                .stderr(Stdio::inherit())
                .output()
                .expect("run svstat");
            let elapsed = start.elapsed();
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(
                text.lines().filter(|l| l.contains(": up (pid ")).count(),
                SVSTAT_DIRS,
                "{}: svstat should report every directory up:\n{}",
                side.name(),
                text.lines().next().unwrap_or("")
            );
            let i = side_index(side);
            best[i] = best[i].min(elapsed);
        }
    }
    drop(readers);
    let _ = fs::remove_dir_all(&dir);
    best
}

/// An 18-byte status record: up since now, with `pid`, not paused, want up.
fn status_record(pid: u32) -> [u8; 18] {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let mut record = [0u8; 18];
    record[..8].copy_from_slice(&((1u64 << 62) + 10 + now.as_secs()).to_be_bytes());
    record[8..12].copy_from_slice(&(now.subsec_micros() * 1000 + 500).to_be_bytes());
    record[12..16].copy_from_slice(&pid.to_le_bytes());
    record[17] = b'u';
    record
}

/// Room for a descriptor per `ok` FIFO.
fn raise_open_files_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        let want = (SVSTAT_DIRS as u64 + 64).min(hard);
        if soft < want {
            let _ = setrlimit(Resource::RLIMIT_NOFILE, want, hard);
        }
    }
}
