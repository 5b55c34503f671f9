#!/usr/bin/env bash
# Build the programs and show them at work on sample input.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p dt-bins
bin=target/release
echo "== tai64n: a TAI64N label in front of every line"
printf 'first line\nsecond line\nlast line without newline' | "$bin/tai64n" | tee target/demo.log
echo
echo "== tai64nlocal: the same lines in local time (TZ=${TZ:-system default})"
"$bin/tai64nlocal" < target/demo.log
echo
echo "== tai64nlocal in UTC and in New York"
TZ=UTC "$bin/tai64nlocal" < target/demo.log
echo
TZ=America/New_York "$bin/tai64nlocal" < target/demo.log
echo
