#!/bin/sh
# Prints, sorted, the members of the C compiler's static C library
# (libc.a) that define the functions named on standard input, one name per
# line. scripts/libc-order.sh and scripts/symbol-order.sh use it to turn
# the functions a program ran into the bins/libc-order-*.txt lists.
set -eu
libc_a=$(cc -print-file-name=libc.a)
[ -f "$libc_a" ] || { echo "libc-members.sh: no libc.a" >&2; exit 111; }
names=$(mktemp)
trap 'rm -f "$names"' EXIT
cat >"$names"
nm -A --defined-only "$libc_a" 2>/dev/null |
    awk -F'[: ]+' 'NR == FNR { wanted[$1] = 1; next } ($5 in wanted) { print $2 }' "$names" - |
    sort -u
