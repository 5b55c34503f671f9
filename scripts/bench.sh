#!/usr/bin/env bash
# Benchmarks against Debian's daemontools 0.76 in the same run; prints ratios.
#   scripts/bench.sh [lines]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p dt-bins
cargo run --release --locked -p dt-tests --bin bench-filters -- "$@"
