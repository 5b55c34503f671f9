#!/bin/sh
# Lists the members of the static C library (libc.a) whose functions a
# statically linked supervise runs, natively, from its first instruction to
# an idle moment after one restart (with an empty environment, and with
# LD_LIBRARY_PATH set), and writes them to
# bins/libc-order-supervise.txt (see bins/build.rs and bins/link-cc.sh).
#
# Native, not under valgrind: glibc picks its string functions' variants by
# what the CPU says it can do, and valgrind's emulated CPU says less. Each
# function of the C library gets a one-shot breakpoint in gdb.
#
# usage: scripts/libc-order.sh   (needs gdb; builds target/release first)
set -eu
cd "$(dirname "$0")/.."
command -v gdb >/dev/null || { echo "libc-order.sh: needs gdb" >&2; exit 100; }
cargo build --release -q -p dt-bins
bin=$PWD/target/release/supervise
file "$bin" | grep -q static-pie || {
    echo "libc-order.sh: $bin is not linked statically (see bins/link-cc.sh)" >&2
    exit 100
}
libc_a=$(${CC:-cc} -print-file-name=libc.a)
work=$(mktemp -d)
trap 'pkill -f "$work/s" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir "$work/s"
printf '#!/bin/sh\nexec sleep 100000\n' >"$work/s/run"
chmod +x "$work/s/run"

cat >"$work/trace.py" <<'EOF'
import gdb, os, subprocess
binary, service, svc, out, paths = (
    os.environ[k] for k in ("BIN", "SERVICE", "SVC", "OUT", "LIBRARY_PATH")
)
gdb.execute("set pagination off")
gdb.execute("set startup-with-shell off")
gdb.execute("unset environment")
if paths:
    gdb.execute("set environment LD_LIBRARY_PATH=" + paths)
gdb.execute("starti", to_string=True)
pid = gdb.selected_inferior().pid
base = next(int(line.split("-")[0], 16) for line in open("/proc/%d/maps" % pid) if binary in line)
hits = set()

class Once(gdb.Breakpoint):
    def stop(self):
        hits.add(self.symbol)
        self.enabled = False
        return False

names = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True).stdout
placed = set()
for line in names.splitlines():
    fields = line.split()
    # Rust's own functions are listed by scripts/symbol-order.sh.
    if len(fields) != 3 or fields[1] not in "tTWi" or fields[2].startswith(("_ZN", "_R")):
        continue
    address = int(fields[0], 16)
    if address not in placed:
        placed.add(address)
        Once("*0x%x" % (base + address), internal=True).symbol = fields[2]

gdb.execute("catch syscall poll", to_string=True)

def until_idle():
    # supervise waits without a deadline (an hour) only when idle. The
    # catchpoint stops at each poll's entry ($rax is -ENOSYS there) and its
    # return.
    for _ in range(200):
        gdb.execute("continue", to_string=True)
        entry = int(gdb.parse_and_eval("$rax")) == -38
        if entry and int(gdb.parse_and_eval("$rdx")) > 100000:
            return
    raise SystemExit("supervise never became idle")

until_idle()
subprocess.run([svc, "-t", service], check=True)
until_idle()
open(out, "w").write("\n".join(sorted(hits)) + "\n")
gdb.execute("kill")
EOF

# Twice: with an empty environment, and with LD_LIBRARY_PATH set, which a
# static program's start-up also reads (and `cargo run` sets).
for paths in "" /usr/local/lib:/usr/lib; do
    BIN=$bin SERVICE=$work/s SVC=$PWD/target/release/svc OUT=$work/hits.${paths:+paths} \
        LIBRARY_PATH=$paths \
        timeout 600 gdb -q -batch -x "$work/trace.py" --args "$bin" "$work/s" >"$work/gdb.log" 2>&1 || {
        cat "$work/gdb.log" >&2
        exit 111
    }
done
cat "$work/hits." "$work/hits.paths" >"$work/hits"

scripts/libc-members.sh <"$work/hits" >"$work/members"

{
    cat <<'EOF'
# The members of glibc's libc.a whose code a statically linked supervise
# runs, from its start to an idle moment after one restart (with and
# without LD_LIBRARY_PATH), on the machine that made this list
# (bins/link-cc.sh links supervise so): build.rs puts their code and
# constants beside supervise's own hot code (layout.ld), and beside
# multilog's, whose start-up is the same.
# Names that match nothing are ignored: a list made with another glibc only
# gathers less, and a dynamically linked supervise ignores it. The variants
# of the string functions for other CPUs are in libc-variants.txt.
#
# Made by scripts/libc-order.sh.
EOF
    cat "$work/members"
} >bins/libc-order-supervise.txt
echo "libc-order.sh: $(wc -l <"$work/members") members in bins/libc-order-supervise.txt"
