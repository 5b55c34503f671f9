#!/usr/bin/env bash
# Build a Debian package of daemontools-rs with nothing but cargo and dpkg-deb.
#
#   scripts/build-deb.sh [--profile release|debug] [--bin-dir DIR] OUTDIR
#
# Builds the 19 programs (daemontools 0.76's 17, svstatus and svwait) with
# cargo (release by default; --profile debug for a quick package), or takes
# them from DIR with --bin-dir (no build at all), stages the package tree,
# and writes OUTDIR/daemontools-rs_<version>_<arch>.deb, whose path it
# prints on stdout. The package installs:
#   /usr/bin/<the 19 programs>                  (where Debian's daemontools has them)
#   /usr/share/man/man8/<program>.8.gz
#   /lib/systemd/system/daemontools-rs.service  (svscanboot; not enabled on install)
#   /etc/service/                               (the scan directory, empty)
#   /usr/share/doc/daemontools-rs/              (copyright, README.Debian, examples:
#                                                the inittab line, the demo service)
# It provides, conflicts with and replaces Debian's daemontools, and conflicts
# with daemontools-run, whose unit would start a second svscanboot.
set -euo pipefail
umask 022

usage() {
  echo "usage: build-deb.sh [--profile release|debug] [--bin-dir DIR] OUTDIR" >&2
  exit 100
}

profile=release
bin_dir=
while (($#)); do
  case $1 in
    --profile)
      [[ $# -ge 2 ]] || usage
      profile=$2
      shift 2
      ;;
    --bin-dir)
      [[ $# -ge 2 ]] || usage
      bin_dir=$2
      shift 2
      ;;
    -*) usage ;;
    *) break ;;
  esac
done
[[ $# -eq 1 ]] || usage
case $profile in release | debug) ;; *) usage ;; esac
out=$1

die() {
  echo "build-deb: $*" >&2
  exit 111
}

root=$(cd "$(dirname "$0")/.." && pwd)
command -v dpkg-deb >/dev/null || die "dpkg-deb is not installed (it is part of dpkg)"
command -v dpkg >/dev/null || die "dpkg is not installed"

programs=(envdir envuidgid fghack multilog pgrphack readproctitle setlock setuidgid
  softlimit supervise svc svok svscan svscanboot svstat tai64n tai64nlocal
  svstatus svwait)
package=daemontools-rs

# The workspace version: the first `version = "…"` under [workspace.package].
version=$(awk '
  /^\[/ { inside = ($0 == "[workspace.package]") }
  inside && $1 == "version" { gsub(/[" ]/, "", $3); print $3; exit }
' "$root/Cargo.toml")
[[ -n $version ]] || die "no version under [workspace.package] in $root/Cargo.toml"
arch=$(dpkg --print-architecture)

if [[ -z $bin_dir ]]; then
  cargo_profile=$([[ $profile == debug ]] && echo dev || echo release)
  (cd "$root" && cargo build --locked -p dt-bins --profile "$cargo_profile" >&2)
  bin_dir=$root/target/$profile
fi
for p in "${programs[@]}"; do
  [[ -x $bin_dir/$p ]] || die "$bin_dir/$p is missing or not executable"
done

# Reproducible timestamps: the last commit's time unless the caller set one.
if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
  SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
doc=$stage/usr/share/doc/$package
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/man/man8" "$doc" \
  "$stage/lib/systemd/system" "$stage/etc/service"

for p in "${programs[@]}"; do
  install -m 0755 "$bin_dir/$p" "$stage/usr/bin/$p"
  if command -v strip >/dev/null; then
    strip --strip-unneeded "$stage/usr/bin/$p"
  fi
  page=$root/man/$p.8
  [[ -f $page ]] || die "no man page $page"
  gzip -9n < "$page" > "$stage/usr/share/man/man8/$p.8.gz"
done
install -m 0644 "$root/packaging/daemontools-rs.service" "$stage/lib/systemd/system/"

cat > "$doc/copyright" << 'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: daemontools-rs
Comment: A reimplementation in Rust of the programs of daemontools 0.76 by
 D. J. Bernstein; it contains none of daemontools' code or documentation.

Files: *
Copyright: the daemontools-rs contributors
License: MIT or Apache-2.0
 At your option, under the terms of the MIT license or of the Apache
 License, Version 2.0.
 .
 On Debian systems, the complete text of the Apache License, Version 2.0,
 is in /usr/share/common-licenses/Apache-2.0.
 .
 The MIT license:
 .
 Permission is hereby granted, free of charge, to any person obtaining a
 copy of this software and associated documentation files (the "Software"),
 to deal in the Software without restriction, including without limitation
 the rights to use, copy, modify, merge, publish, distribute, sublicense,
 and/or sell copies of the Software, and to permit persons to whom the
 Software is furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
 FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
 DEALINGS IN THE SOFTWARE.
EOF

cat > "$doc/README.Debian" << 'EOF'
daemontools-rs for Debian
=========================

daemontools' 17 programs are in /usr/bin, where Debian's daemontools puts
them, and behave as 0.76 does (see the DEVIATIONS sections of multilog(8),
envdir(8) and tai64nlocal(8) for the few deliberate differences). Two
programs are new: svstatus(8) prints services' state as JSON or as
Prometheus metrics, and svwait(8) waits until services are up or down.

Nothing is started when the package is installed. To run svscan on
/etc/service at boot:

  with systemd:        systemctl enable --now daemontools-rs
  with System V init:  add the line in examples/inittab.txt to /etc/inittab
                       and run "telinit q"

Then add a service by making its directory elsewhere and linking it in.
examples/service/demo is a small one (a numbered line a second, logged by
multilog t into log/main):

  cp -R /usr/share/doc/daemontools-rs/examples/service/demo /srv/demo
  ln -s /srv/demo /etc/service/demo
  svstat /etc/service/demo /etc/service/demo/log
  tai64nlocal < /srv/demo/log/main/current

and remove it again (unlink first, so that svscan does not restart it):

  rm /etc/service/demo
  svc -dx /srv/demo /srv/demo/log
EOF
mkdir -p "$doc/examples"
install -m 0644 "$root/packaging/inittab.txt" "$doc/examples/inittab.txt"
# The demo service of scripts/demo.sh, as an example to copy: run files
# keep their execute bits.
cp -R "$root/example/service" "$doc/examples/service"
# ... without what a run of svscan directly in the checkout would leave.
find "$doc/examples/service" -depth -type d \( -name supervise -o -name main \) -exec rm -rf {} +
chmod -R u=rwX,go=rX "$doc/examples/service"

# Depends: what the binaries link against, from their NEEDED entries, with
# the newest glibc symbol version they use. An unknown library stops the
# build rather than being left out of Depends.
libc_min=$(cat "$stage"/usr/bin/* | grep -aoE 'GLIBC_2\.[0-9]+(\.[0-9]+)?' | sort -uV | tail -n 1)
# Packed relocations (bins/build.rs) need glibc 2.36, which names no
# GLIBC_2.36 symbol version of its own.
if grep -aq GLIBC_ABI_DT_RELR "$stage"/usr/bin/*; then
  libc_min=$(printf '%s\n' "$libc_min" GLIBC_2.36 | sort -V | tail -n 1)
fi
depends="libc6 (>= ${libc_min#GLIBC_})"
if command -v readelf >/dev/null; then
  needed=$(for p in "$stage"/usr/bin/*; do readelf -d "$p"; done |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
  for lib in $needed; do
    case $lib in
      libc.so.6 | ld-linux*.so.* | libm.so.6 | libpthread.so.0 | libdl.so.2 | librt.so.1) ;;
      libgcc_s.so.1) depends+=", libgcc-s1" ;;
      *) die "a binary needs $lib, which this script does not know the package of" ;;
    esac
  done
else
  echo "build-deb: warning: readelf not found; Depends lists libc6 and libgcc-s1 unchecked" >&2
  depends+=", libgcc-s1"
fi

# A program linked statically (bins/link-cc.sh: supervise, multilog,
# svstat) carries the C library it was built with: Built-Using names that
# glibc, as Debian's policy asks, so that a glibc security update can find
# the package to rebuild.
built_using=
if command -v readelf >/dev/null; then
  for p in "$stage"/usr/bin/*; do
    if ! readelf -l "$p" | grep -q INTERP; then
      glibc=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' libc6-dev 2>/dev/null) ||
        die "${p##*/} is linked statically, but dpkg does not know libc6-dev's version"
      built_using="Built-Using: $glibc"
      break
    fi
  done
fi

installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" << EOF
Package: $package
Version: $version
Architecture: $arch
Maintainer: daemontools-rs developers <daemontools-rs@example.invalid>
Installed-Size: $installed_size
Depends: $depends${built_using:+
$built_using}
Provides: daemontools
Conflicts: daemontools, daemontools-run
Replaces: daemontools
Section: admin
Priority: optional
Homepage: https://example.invalid/daemontools-rs
Description: daemontools 0.76 reimplemented in Rust
 svscan, supervise, svc, svstat, svok, multilog, tai64n, tai64nlocal,
 setuidgid, envuidgid, envdir, softlimit, setlock, pgrphack, fghack,
 readproctitle and svscanboot, with the same names, options, messages,
 exit codes and file formats as Debian's daemontools, so that it can
 replace that package; a systemd unit runs svscanboot on /etc/service.
 Beyond 0.76: svstatus (service state as JSON Lines or Prometheus
 metrics) and svwait (wait until services are up or down).
EOF
(cd "$stage" && find usr lib -type f -print0 | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

mkdir -p "$out"
deb=$(cd "$out" && pwd)/${package}_${version}_${arch}.deb
dpkg-deb --root-owner-group --build "$stage" "$deb" >&2
echo "$deb"
