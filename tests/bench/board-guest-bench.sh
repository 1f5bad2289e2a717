# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/bench/board-guest-bench.sh: run ON the emulated ARM926 board
# (dash) by scripts/bench --board: the kernel's aoe driver
# (/dev/etherd/e0.1) and nbdkit aoe + nbd-client (/dev/nbd0) reading and
# writing the same target in one boot, interleaved (the order swaps at
# each repetition), never both loaded at once.
#
# Usage (in the guest): main MIB REPS
# Each measurement is `dd bs=1M count=MIB` through the page cache after
# dropping it (read: to /dev/null; write: from /dev/zero with
# conv=fsync), timed with /proc/uptime; the board's CPU time is the busy
# jiffies of /proc/stat's cpu line (all but idle and iowait) over the
# same span.  Each prints one line
#   BOARD-BENCH path=P rw=R rep=N bytes=B seconds=S cpu_seconds=C
# A dd that has not finished after 120 s is reported as
#   BOARD-STALL path=P rw=R rep=N
# and the board resets (the run ends there): the kernel's aoe driver stalls for good now and then
# on this emulated NIC (it stops sending with nothing answered late), and
# a stalled driver cannot be unloaded, so no later measurement would be
# fair.  nbdkit aoe runs first in each repetition for that reason.
set -eu

# Print a progress line on the console.
log ()
{
  echo "board-bench: $*"
}

# Fail the run with MESSAGE.
die ()
{
  echo "board-bench: FAIL: $*"
  exit 1
}

# Hundredths of a second since boot.
now ()
{
  awk '{ printf "%d\n", $1 * 100 }' /proc/uptime
}

# Busy jiffies of all CPUs (user nice system irq softirq steal).
busy ()
{
  awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# measure PATH RW REP DEVICE: one dd of $mib MiB, printed as BOARD-BENCH.
measure ()
{
  path=$1 rw=$2 rep=$3 dev=$4
  sync
  echo 3 > /proc/sys/vm/drop_caches
  t0=$(now) c0=$(busy)
  if [ "$rw" = read ]; then
    set -- if="$dev" of=/dev/null
  else
    set -- if=/dev/zero of="$dev" conv=fsync
  fi
  # The watchdog: a stalled dd cannot be killed (it waits in the block
  # layer), so on a stall the board reports and resets itself.
  (sleep 120
   echo "BOARD-STALL path=$path rw=$rw rep=$rep"
   log "$path $rw stalled (120 s): the run ends here"
   echo "BOARD-EXIT: 0"
   echo b > /proc/sysrq-trigger) &
  watchdog=$!
  dd "$@" bs=1M count="$mib" 2>/dev/null || die "$path: dd $rw failed"
  kill "$watchdog"
  t1=$(now) c1=$(busy)
  hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
  echo "BOARD-BENCH path=$path rw=$rw rep=$rep bytes=$((mib * 1048576))" \
       "seconds=$(( (t1 - t0) / 100 )).$(printf %02d $(( (t1 - t0) % 100 )))" \
       "cpu_seconds=$(awk -v c=$((c1 - c0)) -v hz="$hz" 'BEGIN { printf "%.2f", c / hz }')"
}

# Wait until $1 exists (at most 30 s).
wait_for ()
{
  i=0
  while [ ! -e "$1" ] && [ $i -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  [ -e "$1" ] || die "$1 did not appear"
}

# kernel_aoe REP: the kernel's aoe driver on eth0, read then write.
kernel_aoe ()
{
  modprobe aoe aoe_iflist=eth0 || die "modprobe aoe failed"
  wait_for /dev/etherd/discover
  echo > /dev/etherd/discover
  wait_for /dev/etherd/e0.1
  measure kernel-aoe read "$1" /dev/etherd/e0.1
  measure kernel-aoe write "$1" /dev/etherd/e0.1
  rmmod aoe || die "rmmod aoe failed"
}

# nbd_aoe REP: nbdkit aoe + nbd-client (/dev/nbd0), read then write.
nbd_aoe ()
{
  nbdkit -P /run/aoe.pid --unix /run/aoe.sock aoe iface=eth0 e0.1 ||
    die "nbdkit aoe did not start"
  nbd-client -unix /run/aoe.sock /dev/nbd0 >/dev/null 2>&1 || die "nbd-client failed"
  measure nbd-aoe read "$1" /dev/nbd0
  measure nbd-aoe write "$1" /dev/nbd0
  nbd-client -d /dev/nbd0 >/dev/null 2>&1
  pid=$(cat /run/aoe.pid)
  kill "$pid"
  while [ -d "/proc/$pid" ]; do sleep 0.1; done
}

# main MIB REPS: see the header.
main ()
{
  mib=$1 reps=$2
  modprobe nbd || die "modprobe nbd failed"
  log "$(grep -m1 'model name' /proc/cpuinfo), $mib MiB per measurement, $reps repetitions"
  rep=1
  while [ "$rep" -le "$reps" ]; do
    nbd_aoe "$rep"
    kernel_aoe "$rep"
    log "repetition $rep done"
    rep=$((rep + 1))
  done
  log "ok"
}
