#!/bin/sh
# Judge the survivors of a cargo-mutants run again, with other tests.
#
#   scripts/mutants-judge.sh OUTPUT_DIR -- TEST COMMAND...
#
# cargo-mutants 27 runs the tests of the mutated package only (here
# dt-core's); the model comparisons in model/ and the fuzz corpora are
# slower and live in other packages. This applies each missed mutant's diff
# from OUTPUT_DIR/mutants.out (MissedMutant outcomes) to a scratch git
# worktree of HEAD, runs the test command there (for example
# `cargo test -p dt-model --test multilog --test interleave`), and prints
# one line per mutant: `caught` if the command failed, `missed` if it passed.
# The worktree (target/mutants-judge) keeps its build between runs. Set
# MUTANTS_JUDGE_ONLY to a regular expression to judge only the mutants whose
# names match it.
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 3 ] && [ "$2" = "--" ] || {
    echo "usage: scripts/mutants-judge.sh OUTPUT_DIR -- TEST COMMAND..." >&2
    exit 100
}
out=$(cd "$1" && pwd)/mutants.out
shift 2
command -v jq >/dev/null || { echo "mutants-judge: needs jq" >&2; exit 111; }

scratch=target/mutants-judge
if [ ! -d "$scratch" ]; then
    git worktree add --detach "$scratch" HEAD >/dev/null
fi
git -C "$scratch" checkout --quiet --detach HEAD 2>/dev/null || true
git -C "$scratch" reset --quiet --hard "$(git rev-parse HEAD)"

jq -r --arg only "${MUTANTS_JUDGE_ONLY:-}" \
    '.outcomes[] | select(.summary == "MissedMutant")
     | select(.scenario.Mutant.name | test($only))
     | [.diff_path, .scenario.Mutant.name] | @tsv' "$out/outcomes.json" |
while IFS="$(printf '\t')" read -r diff name; do
    # The diff's `+++` line names the mutation, not a file: patch the
    # file its `---` line names.
    file=$(sed -n '1s/^--- //p' "$out/$diff")
    (cd "$scratch" && patch --quiet "$file" <"$out/$diff")
    if (cd "$scratch" && "$@") >/dev/null 2>&1; then
        echo "missed  $name"
    else
        echo "caught  $name"
    fi
    git -C "$scratch" checkout --quiet -- .
done
