#!/bin/sh
# Regenerate bins/symbol-order.txt, the functions an idle supervise runs,
# and bins/symbol-order-multilog.txt, those a multilog runs between lines,
# in the order they first run, for the linker to place in a code segment of
# their own at the front of multilog's code (its list) and of every other
# program's (supervise's list; bins/layout.ld, bins/build.rs).
#
#   scripts/symbol-order.sh
#
# Why: the kernel maps a program's code 64 KiB around each page it touches
# ("fault-around"), so code that runs at start-up and in the idle loop,
# scattered over a 300 KiB binary, made all of it resident in every lone
# supervise (and every multilog: one per logged service). Placed together
# it fits in well under one such window.
#
# How: supervise runs under valgrind's callgrind on a scratch service whose
# ./run sleeps, and `svc -t` restarts it once; then multilog logs 200 lines
# (rotating once) and waits for more. Each is profiled up to that idle
# moment (a callgrind dump), so what runs only as they exit is left out.
# The functions callgrind saw that are the binary's own text symbols are
# written, mangled, one per line. A stale list only orders less: a name
# found nowhere is skipped, and the hash at the end of a legacy-mangled name
# is matched with a wildcard, so a change in a dependency's features does
# not make the list stale. Needs valgrind. Check the result with
# bench-supervise, which warns when cold code is resident.
set -eu
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "symbol-order.sh: needs valgrind" >&2; exit 111; }
cargo build --release --locked -p dt-bins
bin=$PWD/target/release
work=$(mktemp -d /tmp/dt-symbol-order.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/s"
printf '#!/bin/sh\nexec sleep 1000\n' > "$work/s/run"
chmod +x "$work/s/run"

valgrind --tool=callgrind --callgrind-out-file="$work/profile" \
    --compress-strings=no --compress-pos=no --demangle=no \
    "$bin/supervise" "$work/s" </dev/null >/dev/null 2>"$work/valgrind.log" &
supervisor=$!
profiled=$supervisor
# Poll with a deadline for each step (valgrind is slow to start).
wait_for() {
    tries=0
    until "$@"; do
        tries=$((tries + 1))
        [ $tries -lt 600 ] || { echo "symbol-order.sh: timed out" >&2; kill $profiled; exit 111; }
        sleep 0.1
    done
}
running() { "$bin/svstat" "$work/s" | grep -q ': up (pid'; }
wait_for running
first=$("$bin/svstat" "$work/s")
"$bin/svc" -t "$work/s"
restarted() { running && [ "$("$bin/svstat" "$work/s" | cut -d' ' -f4)" != "$(echo "$first" | cut -d' ' -f4)" ]; }
wait_for restarted
# What has run by now is what an idle supervise has mapped; what runs only
# as it exits (std's clean-up) would only take room in the hot segment.
# The dump goes to "$work/profile.1"; the rest, at exit, to "$work/profile".
callgrind_control --dump=idle $supervisor >/dev/null
wait_for test -s "$work/profile.1"
"$bin/svc" -dx "$work/s"
wait $supervisor

# Then multilog, as a logger of every service runs it: lines arrive (some
# with a rotation), then it waits for more.
mkfifo "$work/input"
valgrind --tool=callgrind --callgrind-out-file="$work/logger" \
    --compress-strings=no --compress-pos=no --demangle=no \
    "$bin/multilog" t s4096 n3 "$work/log" <"$work/input" >/dev/null 2>>"$work/valgrind.log" &
profiled=$!
exec 3>"$work/input"
i=0
while [ $i -lt 200 ]; do
    echo "line $i of what a service says on its standard output" >&3
    i=$((i + 1))
done
rotated() { ls "$work/log" | grep -q '^@.*\.s$'; }
wait_for rotated
logged() { grep -q 'line 199 ' "$work/log/current"; }
wait_for logged
callgrind_control --dump=idle $profiled >/dev/null
wait_for test -s "$work/logger.1"
exec 3>&-
wait $profiled

# The binary's own text symbols (Rust's and `main`: a statically linked
# supervise also holds the C library's, which scripts/libc-order.sh lists),
# then callgrind's functions in first-seen order: multilog's list is its own
# (bins/build.rs links it with it), every other program is linked with
# supervise's.
functions() {
    nm "$1" | awk '$2 ~ /^[tTwW]$/ && $3 ~ /^(_ZN|_R|main$)/ { print $3 }' | sort -u > "$work/text"
    sed -n 's/^fn=\(([0-9]*) \)\{0,1\}//p' "$2" |
        awk 'NR == FNR { text[$0] = 1; next } ($0 in text) && !seen[$0]++' "$work/text" - > "$3"
    echo "$3: $(wc -l < "$3") functions"
}
functions "$bin/supervise" "$work/profile.1" bins/symbol-order.txt
functions "$bin/multilog" "$work/logger.1" bins/symbol-order-multilog.txt

# A statically linked multilog (bins/link-cc.sh) also runs parts of the C
# library: the libc.a members that define a function callgrind saw.
# build.rs adds those of supervise's list (scripts/libc-order.sh), which
# cover the same start-up and the string-function variants this CPU picks
# natively (under valgrind glibc picks others).
if [ -f "$(cc -print-file-name=libc.a)" ]; then
    grep -v '^#' bins/libc-order-supervise.txt > "$work/supervise-members" || true
    {
        echo "# The members of glibc's libc.a whose code a statically linked multilog"
        echo "# runs as it logs, rotates and waits, beyond those in"
        echo "# libc-order-supervise.txt, which build.rs adds (bins/link-cc.sh,"
        echo "# bins/layout.ld). Made by scripts/symbol-order.sh; names that match"
        echo "# nothing are ignored."
        sed -n 's/^fn=\(([0-9]*) \)\{0,1\}//p' "$work/logger.1" |
            scripts/libc-members.sh | grep -vxF -f "$work/supervise-members" || true
    } > bins/libc-order-multilog.txt
    echo "bins/libc-order-multilog.txt: $(grep -vc '^#' bins/libc-order-multilog.txt) members"
fi
