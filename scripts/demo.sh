#!/usr/bin/env bash
# Build the programs and show them at work: svscan runs the checked-in demo
# service (example/service/demo, a numbered line a second) and its logger
# (multilog t into log/main) in a scratch copy; then svstat, the log through
# tai64nlocal, and svc -d / svc -u, and everything is stopped and removed.
#
#   scripts/demo.sh [--debug | --bin-dir DIR] [--keep]
#
#   --debug        build the debug profile instead of release (quicker)
#   --bin-dir DIR  use the programs already in DIR; build nothing
#   --keep         leave svscan and the service running in the scratch
#                  directory, and print the commands to look at it and stop it
#
# Nothing is written into the checkout: the service tree is copied to a
# fresh directory under ${TMPDIR:-/tmp}. Waits poll with a deadline.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)

profile=release
bin=
keep=false
while (($#)); do
  case $1 in
    --debug) profile=debug ;;
    --bin-dir)
      [[ $# -ge 2 ]] || { echo "demo: --bin-dir needs a directory" >&2; exit 100; }
      bin=$(cd "$2" && pwd)
      shift
      ;;
    --keep) keep=true ;;
    *)
      echo "usage: scripts/demo.sh [--debug | --bin-dir DIR] [--keep]" >&2
      exit 100
      ;;
  esac
  shift
done

if [[ -z $bin ]]; then
  if [[ $profile == release ]]; then
    cargo build --release --locked -p dt-bins
  else
    cargo build --locked -p dt-bins
  fi
  bin=$checkout/target/$profile
fi
for p in svscan supervise svc svstat svok multilog tai64n tai64nlocal; do
  [[ -x $bin/$p ]] || { echo "demo: $bin/$p is missing" >&2; exit 111; }
done
# Our programs first: svscan finds supervise, and log/run finds multilog,
# through PATH.
export PATH="$bin:$PATH"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/daemontools-rs-demo.XXXXXX")
cp -R "$checkout/example/service" "$scratch/service"
cd "$scratch"
svc_dir=service/demo
log_dir=service/demo/log
svscan_pid=

# Poll `command...` until it succeeds, for at most `limit` seconds.
wait_until() {
  local what=$1 limit=$2
  shift 2
  local end=$((SECONDS + limit))
  until "$@"; do
    if ((SECONDS >= end)); then
      echo "demo: gave up after ${limit}s waiting for $what" >&2
      [[ -s svscan.errors ]] && { echo "svscan's messages:" >&2; cat svscan.errors >&2; }
      return 1
    fi
    sleep 0.1
  done
}
both_up() { [[ $(svstat "$svc_dir" "$log_dir" | grep -c ': up (pid ') == 2 ]]; }
logged_lines() { [[ -f $log_dir/main/current ]] && (($(wc -l < "$log_dir/main/current") >= $1)); }
service_is() { svstat "$svc_dir" | grep -q ": $1"; }
both_gone() { ! svok "$svc_dir" && ! svok "$log_dir"; }

# Stop in this order: svscan first (it would start a new supervise for a
# service whose supervise exits), then each supervise with svc -dx, which
# stops the service (TERM) and the logger (multilog finishes its line), and
# makes supervise exit; then remove the scratch copy.
stop_all() {
  cd "$scratch"
  if [[ -n $svscan_pid ]]; then
    kill "$svscan_pid" 2> /dev/null || true
    wait "$svscan_pid" 2> /dev/null || true
    svscan_pid=
  fi
  svc -dx "$svc_dir" "$log_dir" 2> /dev/null || true
  wait_until "both supervise processes to exit" 30 both_gone || true
  cd /
  rm -rf "$scratch"
}
trap stop_all EXIT

echo "== svscan $scratch/service, with $bin first in PATH"
if $keep && command -v setsid > /dev/null; then
  # Its own session, so that it outlives this script's terminal.
  setsid svscan service < /dev/null > /dev/null 2> svscan.errors &
else
  svscan service < /dev/null > /dev/null 2> svscan.errors &
fi
svscan_pid=$!
wait_until "the service and its logger to be up" 30 both_up
wait_until "the log to have 3 lines" 30 logged_lines 3
echo

echo "== svstat $svc_dir $log_dir"
svstat "$svc_dir" "$log_dir"
echo

echo "== tai64nlocal < $log_dir/main/current | tail -n 5"
tai64nlocal < "$log_dir/main/current" | tail -n 5
echo
echo "== the last line in UTC and in New York"
tail -n 1 "$log_dir/main/current" | TZ=UTC tai64nlocal
tail -n 1 "$log_dir/main/current" | TZ=America/New_York tai64nlocal
echo

echo "== svc -d $svc_dir: the service stops and stays down"
svc -d "$svc_dir"
wait_until "the service to be down" 30 service_is "down "
svstat "$svc_dir"
echo
echo "== svc -u $svc_dir: it runs again"
svc -u "$svc_dir"
wait_until "the service to be up" 30 service_is "up (pid "
svstat "$svc_dir"
echo

if $keep; then
  trap - EXIT
  cat << EOF
== left running (svscan pid $svscan_pid) in $scratch
Look at it:
  export PATH="$bin:\$PATH"
  svstat $scratch/$svc_dir $scratch/$log_dir
  tai64nlocal < $scratch/$log_dir/main/current | tail
  svc -d $scratch/$svc_dir; svc -u $scratch/$svc_dir
Stop it and clean up (svscan first, or it would start them again):
  kill $svscan_pid
  svc -dx $scratch/$svc_dir $scratch/$log_dir
  while svok $scratch/$svc_dir || svok $scratch/$log_dir; do sleep 0.1; done
  rm -rf $scratch
EOF
  exit 0
fi

echo "== stopping: kill svscan, svc -dx $svc_dir $log_dir, remove $scratch"
stop_all
trap - EXIT
echo "done"
