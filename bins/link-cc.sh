#!/bin/sh
# The C compiler as the linker of this workspace (.cargo/config.toml names
# this script for x86_64 Linux). It links every program as rustc asks,
# except supervise, multilog and svstat, which it links statically, as
# static PIEs, with the link line rustc itself uses for
# `-C target-feature=+crt-static` (which cargo cannot ask for one program
# alone).
#
# Why supervise: a thousand supervise processes run under one svscan, and
# each paid for the dynamic loader: ~16 KiB of the loader's and ~48 KiB of
# the C library's private pages, plus 8 KiB of our own relocated data.
# Static, a supervise keeps ~72 KiB private instead of ~104 (0.76: ~88),
# and bins/libc-order-supervise.txt puts the C library code it runs beside
# our own hot code, so a lone supervise maps less of its file than 0.76's
# maps of the shared C library.
#
# Why multilog: it runs once per logged service, beside its supervise. With
# its own list (bins/libc-order-multilog.txt), an idle multilog after 300
# lines (bench-multilog) has a PSS of ~374 KiB instead of ~401 and ~146 KiB
# of anonymous memory instead of 176 (0.76: 275 and 104).
#
# Why svstat: monitors run it over many services every few seconds, and
# the dynamic loader's start-up was a few per cent of its time over 1000
# directories (0.98-1.04x of 0.76's before, 0.95-0.96x static).
#
# Position independence, RELRO and `-z now` stay as they are. Programs
# that look users up (setuidgid, envuidgid) need the shared C library's
# NSS and stay dynamic, as do the others, which gain nothing measurable.
#
# Where the static C library is missing (`cc -print-file-name=libc.a`
# finds none), these three are linked dynamically too;
# DT_STATIC_LINK=0 does that anyway.

# rustc's own choice of linker, which this script stands in for.
cc=cc
out=
previous=
test_harness=no
for argument do
    [ "$previous" = -o ] && out=$argument
    case $argument in
    */libtest-*.rlib) test_harness=yes ;;
    esac
    previous=$argument
done

# The programs, not tests of those names (tests/tests/supervise.rs, or the
# unit tests of bins/src/bin/supervise.rs), which link libtest.
case ${out##*/} in
supervise-* | svstat-* | multilog-*) [ $test_harness = no ] || exec "$cc" "$@" ;;
*) exec "$cc" "$@" ;;
esac
[ "${DT_STATIC_LINK:-1}" = 0 ] && exec "$cc" "$@"
libc_a=$("$cc" -print-file-name=libc.a 2>/dev/null)
[ -f "$libc_a" ] || exec "$cc" "$@"

# rustc's dynamic line is `-Wl,-Bstatic -lgcc_eh -Wl,-Bdynamic -lgcc_s
# -lutil ... -lc ... -pie`; its static one drops `-Wl,-Bdynamic -lgcc_s`,
# ends the libraries with `-lgcc_eh -lgcc -lc` and says `-static-pie`.
for argument do
    shift
    case $argument in
    -Wl,-Bdynamic | -lgcc_s) ;;
    -pie) set -- "$@" -static-pie ;;
    -lc) set -- "$@" -lc -lgcc_eh -lgcc -lc ;;
    *) set -- "$@" "$argument" ;;
    esac
done
exec "$cc" "$@"
