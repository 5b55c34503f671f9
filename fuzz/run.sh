#!/bin/sh
# Run one libFuzzer target on the stable toolchain (see README.md).
#   fuzz/run.sh <target> [seconds] [extra libFuzzer flags...]
# New inputs go to a scratch corpus ($FUZZ_WORK, default /tmp/dt-fuzz/<target>);
# fuzz/corpus/<target> is only read. Findings land in fuzz/artifacts/<target>/.
set -eu
target=${1:?usage: fuzz/run.sh <target> [seconds] [libFuzzer flags...]}
seconds=${2:-120}
shift
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.."
work=${FUZZ_WORK:-/tmp/dt-fuzz/$target}
mkdir -p "$work"
RUSTC_BOOTSTRAP=1 exec cargo fuzz run --features libfuzzer \
    --target-dir "${CARGO_TARGET_DIR:-target}/fuzz" \
    "$target" "$work" "fuzz/corpus/$target" \
    -- -max_total_time="$seconds" "$@"
