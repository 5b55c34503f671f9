//! Benchmark: multilog, ours against Debian's 0.76, on the same input with
//! `multilog t s16777215 n10 ./dir`, in the same run. Prints lines per
//! second, CPU seconds per GB of input and peak RSS for both, and the ratio.
//! Then the memory of an idle multilog, as the logger of every logged
//! service mostly is: PSS and anonymous (private) memory after 300 lines
//! with `t s4096 n3` (a few rotations), from `/proc/<pid>/smaps_rollup`.
//!
//! Run after `cargo build --release -p dt-bins`:
//! `cargo run --release -p dt-tests --bin bench-multilog -- [megabytes]`
//! (default 100 MB per input). Each figure is the best of several runs.
//!
//! CPU time and peak RSS come from `getrusage(RUSAGE_CHILDREN)` in a helper
//! process (this program run with `--measure`) whose only child is the
//! multilog being measured.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dt_tests::memory::rollup_kib;
use dt_tests::process::Group;
use nix::sys::resource::{getrusage, UsageWho};

const RUNS: usize = 3;
const SCRIPT: [&str; 3] = ["t", "s16777215", "n10"];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--measure") {
        measure(&args[2..]);
        return;
    }
    let megabytes: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let ours = root.join("target/release/multilog");
    assert!(
        ours.is_file(),
        "build ours first: cargo build --release -p dt-bins"
    );
    let reference = dt_tests::Side::Reference.bin_dir().join("multilog");
    let work = root.join("target/bench");
    fs::create_dir_all(&work).expect("target/bench");

    let inputs = [
        ("100-byte lines", work.join("multilog-100.txt"), 100),
        ("20-byte lines", work.join("multilog-20.txt"), 20),
    ];
    println!("`multilog t s16777215 n10 ./dir`, {megabytes} MB of input, best of {RUNS} runs");
    println!();
    println!("| input | program | lines/s | CPU s per GB | peak RSS | lines/s ratio |");
    println!("|---|---|---|---|---|---|");
    for (name, path, width) in &inputs {
        let lines = write_input(path, megabytes * 1_000_000, *width);
        let bytes = fs::metadata(path).map(|m| m.len()).unwrap_or(1) as f64;
        let ref_m = best_of(&reference, path, &work.join("multilog-dir-ref"));
        let our_m = best_of(&ours, path, &work.join("multilog-dir-ours"));
        let rate = |m: &Measured| lines as f64 / m.wall.as_secs_f64();
        let per_gb = |m: &Measured| m.cpu.as_secs_f64() * 1e9 / bytes;
        for (program, m) in [("0.76", &ref_m), ("ours", &our_m)] {
            println!(
                "| {name} | {program} | {:.0} | {:.2} | {} KiB | {} |",
                rate(m),
                per_gb(m),
                m.max_rss_kib,
                if program == "ours" {
                    format!("{:.1}x", rate(&our_m) / rate(&ref_m))
                } else {
                    String::new()
                }
            );
        }
    }
    println!();
    println!("idle multilog after {IDLE_LINES} lines (`t s4096 n3`), best of {RUNS}");
    println!();
    println!("| program | PSS | anonymous | PSS ratio |");
    println!("|---|---|---|---|");
    let idle = |program: &Path, side: &str| {
        (0..RUNS)
            .map(|_| idle_memory(program, &work.join(format!("multilog-idle-{side}"))))
            .min()
            .unwrap_or_default()
    };
    let (ref_idle, our_idle) = (idle(&reference, "ref"), idle(&ours, "ours"));
    for (program, (pss, anonymous)) in [("0.76", ref_idle), ("ours", our_idle)] {
        let ratio = if program == "ours" {
            format!("{:.2}x", pss as f64 / ref_idle.0.max(1) as f64)
        } else {
            String::new()
        };
        println!("| {program} | {pss} KiB | {anonymous} KiB | {ratio} |");
    }
}

/// Lines an idle multilog has logged before it is measured.
const IDLE_LINES: usize = 300;

/// The PSS and anonymous memory, in KiB, of `program` (a multilog) idle
/// after logging [`IDLE_LINES`] lines into `dir` with `t s4096 n3`.
fn idle_memory(program: &Path, dir: &Path) -> (u64, u64) {
    let _ = fs::remove_dir_all(dir);
    let mut command = Command::new(program);
    command
        .args(["t", "s4096", "n3"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let mut group = Group::spawn(&mut command).expect("start multilog");
    let (stdin, _, _) = group.take_pipes();
    let mut stdin = stdin.expect("multilog's stdin");
    for i in 0..IDLE_LINES {
        writeln!(
            stdin,
            "line {i} of what a service says on its standard output"
        )
        .expect("write to multilog");
    }
    // Logged when the last line is in `current` or, if that filled up
    // with it, in the newest rotated file; then it waits for more.
    let last = format!("line {} of", IDLE_LINES - 1);
    let logged = || {
        fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|entry| {
                fs::read_to_string(entry.path()).is_ok_and(|text| text.contains(&last))
            })
        })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !logged() {
        assert!(Instant::now() < deadline, "multilog never logged its input");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = group.pid();
    let measured = (rollup_kib(pid, "Pss"), rollup_kib(pid, "Anonymous"));
    drop(stdin);
    drop(group);
    let _ = fs::remove_dir_all(dir);
    measured
}

/// Numbered lines of exactly `width` bytes (newline included), about
/// `size` bytes in all; the number of lines.
fn write_input(path: &Path, size: usize, width: usize) -> usize {
    let lines = size / width;
    if fs::metadata(path).is_ok_and(|m| m.len() as usize == lines * width) {
        return lines;
    }
    let filler =
        b" the quick brown fox jumps over the lazy dog; status=ok latency_ms=12 path=/srv/a/b/c/d";
    let mut out = BufWriter::new(File::create(path).expect("create bench input"));
    for i in 0..lines {
        let mut line = format!("{:08}", i % 100_000_000).into_bytes();
        line.extend_from_slice(filler);
        line.truncate(width - 1);
        line.push(b'\n');
        out.write_all(&line).expect("write bench input");
    }
    out.flush().expect("flush bench input");
    lines
}

#[derive(Clone, Copy, Debug)]
struct Measured {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: i64,
}

/// The fastest of several runs, each into a fresh directory.
fn best_of(program: &Path, input: &Path, dir: &Path) -> Measured {
    (0..RUNS)
        .map(|_| {
            let _ = fs::remove_dir_all(dir);
            let exe = std::env::current_exe().expect("this program");
            let out = Command::new(exe)
                .arg("--measure")
                .arg(program)
                .arg(input)
                .arg(dir)
                .stderr(Stdio::inherit())
                .output()
                .expect("run the measuring helper");
            assert!(out.status.success(), "{} failed", program.display());
            let text = String::from_utf8_lossy(&out.stdout);
            let mut fields = text
                .split_whitespace()
                .map(|f| f.parse::<f64>().unwrap_or(0.0));
            let mut next = || fields.next().unwrap_or(0.0);
            Measured {
                wall: Duration::from_secs_f64(next()),
                cpu: Duration::from_secs_f64(next()),
                max_rss_kib: next() as i64,
            }
        })
        .min_by_key(|m| m.wall)
        .expect("at least one run")
}

/// Helper: run `program t s16777215 n10 dir < input` and print wall
/// seconds, CPU seconds and peak RSS (KiB) of that one child.
fn measure(args: &[String]) {
    let [program, input, dir] = args else {
        panic!("usage: --measure program input dir");
    };
    let start = Instant::now();
    let status = Command::new(program)
        .args(SCRIPT)
        .arg(dir)
        .stdin(File::open(input).expect("bench input"))
        .stdout(Stdio::null())
        .status()
        .expect("run multilog");
    let wall = start.elapsed();
    assert!(status.success(), "{program} failed: {status}");
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    let cpu = seconds(usage.user_time()) + seconds(usage.system_time());
    println!("{} {cpu} {}", wall.as_secs_f64(), usage.max_rss());
}
