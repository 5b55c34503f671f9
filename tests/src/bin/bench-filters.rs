//! Benchmark: tai64n and tai64nlocal, ours against Debian's 0.76, on the same
//! input in the same run. Prints lines per second and the ratio.
//!
//! Run with `scripts/bench.sh` (it builds the release binaries first).
//! Arguments: `[lines]` (default 1 000 000).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn main() {
    let lines: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let ours = root.join("target/release");
    let reference = dt_tests::Side::Reference.bin_dir();
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work).expect("target/bench");

    let plain = work.join("plain.txt");
    write_input(&plain, lines, |i, out| writeln!(out, "{}", text_line(i)));
    // Labelled lines a millisecond apart: a thousand lines share a second,
    // as in a busy log.
    let labelled = work.join("labelled.txt");
    write_input(&labelled, lines, |i, out| {
        writeln!(
            out,
            "{} {}",
            label(1_764_000_000_000 + i as u64),
            text_line(i)
        )
    });
    // Worst case for any per-second cache: every line a different second.
    let sparse = work.join("sparse.txt");
    write_input(&sparse, lines, |i, out| {
        writeln!(
            out,
            "{} {}",
            label(1_764_000_000_000 + 1000 * i as u64),
            text_line(i)
        )
    });

    println!("| program | input | ours lines/s | 0.76 lines/s | ratio |");
    println!("|---|---|---|---|---|");
    for (program, input, name) in [
        ("tai64n", &plain, "100-byte lines"),
        ("tai64nlocal", &labelled, "labelled, 1000 lines/s"),
        ("tai64nlocal", &sparse, "labelled, 1 line/s"),
    ] {
        let ours_time = best_of(&ours.join(program), input);
        let ref_time = best_of(&reference.join(program), input);
        let rate = |t: Duration| lines as f64 / t.as_secs_f64();
        println!(
            "| {program} | {name} | {:.0} | {:.0} | {:.1}x |",
            rate(ours_time),
            rate(ref_time),
            ref_time.as_secs_f64() / ours_time.as_secs_f64()
        );
    }
}

fn text_line(i: usize) -> String {
    format!(
        "{i:08} the quick brown fox jumps over the lazy dog; status=ok latency_ms=12 path=/srv/a/b"
    )
}

fn label(millis: u64) -> String {
    let secs = (1u64 << 62) + 10 + millis / 1000;
    let nanos = (millis % 1000) * 1_000_000 + 500;
    format!("@{secs:016x}{nanos:08x}")
}

fn write_input(
    path: &Path,
    lines: usize,
    mut line: impl FnMut(usize, &mut BufWriter<File>) -> std::io::Result<()>,
) {
    let mut out = BufWriter::new(File::create(path).expect("create bench input"));
    for i in 0..lines {
        line(i, &mut out).expect("write bench input");
    }
    out.flush().expect("flush bench input");
}

/// The fastest of several runs, the output going to /dev/null.
fn best_of(program: &Path, input: &Path) -> Duration {
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new(program)
                .stdin(File::open(input).expect("bench input"))
                .stdout(Stdio::null())
                .env("TZ", "Europe/Berlin")
                .status()
                .expect("run benchmark program");
            let elapsed = start.elapsed();
            assert!(status.success(), "{} failed: {status}", program.display());
            elapsed
        })
        .min()
        .expect("at least one run")
}
