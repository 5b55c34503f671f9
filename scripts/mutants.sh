#!/bin/sh
# Mutation testing of core/ with cargo-mutants (configuration in
# .cargo/mutants.toml).
#
#   scripts/mutants.sh            every mutant in core/ (hours on 2 cores)
#   scripts/mutants.sh --quick    the subset CI runs: the status record and
#                                 the control bytes, judged by core's tests
#   scripts/mutants.sh -- ARGS    extra arguments for cargo mutants
#                                 (e.g. -- --file core/src/scan/machine.rs)
#
# cargo-mutants is installed into target/tools if it is not on PATH.
# Results land in target/mutants/mutants.out (caught.txt, missed.txt, ...).
set -eu
cd "$(dirname "$0")/.."

quick=no
if [ "${1:-}" = "--quick" ]; then quick=yes; shift; fi
if [ "${1:-}" = "--" ]; then shift; fi

if ! command -v cargo-mutants >/dev/null 2>&1; then
    if [ ! -x target/tools/bin/cargo-mutants ]; then
        echo "mutants.sh: installing cargo-mutants into target/tools" >&2
        cargo install --quiet --locked --debug --root target/tools cargo-mutants@27.1.0
    fi
    PATH="$PWD/target/tools/bin:$PATH"
    export PATH
fi

# Results go to target/mutants unless the arguments say otherwise.
case " $* " in
    *" --output "* | *" -o "*) output= ;;
    *) output="--output target/mutants" ;;
esac
mkdir -p target/mutants
if [ "$quick" = yes ]; then
    # Survivors here mean a test is missing: fail.
    exec cargo mutants --no-shuffle -p dt-core --test-package dt-core \
        --file core/src/status.rs --file core/src/control.rs \
        $output "$@"
fi
exec cargo mutants --no-shuffle -p dt-core $output "$@"
