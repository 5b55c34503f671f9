#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this script).
#   - formatting and lints must be clean;
#   - every test in the workspace runs, including the differential tests,
#     which fetch Debian's daemontools 0.76 into target/reference themselves
#     (set DT_REFERENCE_BIN=/path/to/usr/bin to use binaries you already have).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# The quick mutation subset (status record, control bytes): every viable
# mutant must be caught. The full run is `scripts/mutants.sh` (README).
scripts/mutants.sh --quick
