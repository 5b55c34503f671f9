#!/usr/bin/env bash
# Benchmarks against Debian's daemontools 0.76 in the same run; prints ratios.
#   scripts/bench.sh [lines]
# SVSCAN_WINDOW (seconds of idle measurement, default 60) and
# SUPERVISE_RESTARTS (svc -t restarts per side, default 20) shorten the
# svscan and supervise benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p dt-bins
cargo run --release --locked -p dt-tests --bin bench-filters -- "$@"
cargo run --release --locked -p dt-tests --bin bench-svscan -- "${SVSCAN_WINDOW:-60}"
cargo run --release --locked -p dt-tests --bin bench-supervise -- "${SUPERVISE_RESTARTS:-20}"
