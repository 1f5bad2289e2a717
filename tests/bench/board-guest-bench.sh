# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/bench/board-guest-bench.sh: run ON the emulated ARM926 board
# (dash) by scripts/bench --board: the kernel's aoe driver
# (/dev/etherd/e0.1) and nbdkit aoe + nbd-client (/dev/nbd0) reading and
# writing the same target in one boot, interleaved (the order swaps at
# each repetition), never both loaded at once.
#
# Usage (in the guest): main MIB REPS [PROFILE_MIB]
# Each measurement is `dd bs=1M count=MIB` through the page cache after
# dropping it (read: to /dev/null; write: from /dev/zero with
# conv=fsync), timed with /proc/uptime; the board's CPU time is the busy
# jiffies of /proc/stat's cpu line (all but idle and iowait) over the
# same span.  Each prints one line
#   BOARD-BENCH path=P rw=R rep=N bytes=B seconds=S cpu_seconds=C
# With PROFILE_MIB, perf record over one more dd per path and direction
# (the NBD path's before the measurements, the kernel's after them)
# prints the report's lines as
#   BOARD-PROFILE path=P rw=R sort=comm|dso|comm,dso,sym LINE
# After the kernel driver's measurements of each repetition,
#   BOARD-KICKED path=kernel-aoe rep=N kicked=K
# (kicked_report).  A dd that has not finished after 120 s is reported as
#   BOARD-STALL path=P rw=R rep=N
# with the stalled path's state as BOARD-DIAG lines, and the board resets
# (the run ends there): the stock kernel aoe driver stalls for good on
# this board (it stops starting a request it holds, every frame it sent
# answered: tests/vm/board-aoe-kick.patch, which the board's kernel
# carries), and a stalled driver cannot be unloaded, so no later
# measurement would be fair.  nbdkit aoe runs first in each repetition
# for that reason.
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

# dd_prepare RW DEVICE: write back and drop the page cache, and set
# dd_args to dd's operands for RW on DEVICE (read: to /dev/null; write:
# from /dev/zero, fsync'd at the end).
dd_prepare ()
{
  sync
  echo 3 > /proc/sys/vm/drop_caches
  if [ "$1" = read ]; then
    dd_args="if=$2 of=/dev/null"
  else
    dd_args="if=/dev/zero of=$2 conv=fsync"
  fi
}

# Mount debugfs (the kernel aoe driver's state) unless it is mounted.
debugfs_mount ()
{
  [ -d /sys/kernel/debug/aoe ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
}

# stall_state WHEN: what a stalled path's state is, as lines
#   BOARD-DIAG when=WHEN what=SOURCE LINE
# The kernel aoe driver's debugfs file (frames allocated and free, the
# target's outstanding frames, window and buffer count, the skb pool,
# how often it found no frame with none outstanding: "kicked"), the
# disks' requests in flight, and the NIC's and softirqs' counters: enough
# to tell a request the driver never starts from a frame or reply lost.
stall_state ()
{
  debugfs_mount
  for f in /sys/kernel/debug/aoe/e0.1 '/sys/block/etherd!e0.1/state' \
           '/sys/block/etherd!e0.1/inflight' /sys/block/nbd0/inflight \
           /sys/class/net/eth0/statistics/tx_packets /sys/class/net/eth0/statistics/rx_packets \
           /sys/class/net/eth0/statistics/tx_dropped /sys/class/net/eth0/statistics/rx_dropped \
           /proc/net/softnet_stat; do
    [ -r "$f" ] || continue
    sed "s|^|BOARD-DIAG when=$1 what=$f |" "$f" 2>/dev/null || true
  done
}

# watchdog_start PATH RW REP: a stalled dd cannot be killed (it waits in
# the block layer), so after 120 s the board reports the stall and its
# state (stall_state), starts one new one-sector O_DIRECT read of the
# stalled disk, reports the state again 10 s later (whether a new request
# restarts the driver), and resets itself, unless the caller kills
# $watchdog first.
watchdog_start ()
{
  (sleep 120
   echo "BOARD-STALL path=$1 rw=$2 rep=$3"
   log "$1 $2 stalled (120 s): the run ends here"
   stall_state stalled
   dd if="$dev" of=/dev/null bs=512 count=1 skip=1 iflag=direct 2>/dev/null &&
     echo "BOARD-DIAG when=prod what=dd a new one-sector read finished" &
   sleep 10
   stall_state after-prod
   echo "BOARD-EXIT: 0"
   echo b > /proc/sysrq-trigger) &
  watchdog=$!
}

# measure PATH RW REP DEVICE: one dd of $mib MiB, printed as BOARD-BENCH.
measure ()
{
  path=$1 rw=$2 rep=$3 dev=$4
  dd_prepare "$rw" "$dev"
  t0=$(now) c0=$(busy)
  watchdog_start "$path" "$rw" "$rep"
  # shellcheck disable=SC2086 # dd_args holds several words, no spaces in them
  dd $dd_args bs=1M count="$mib" 2>/dev/null || die "$path: dd $rw failed"
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

# profile PATH RW DEVICE: perf's samples of the whole board (every CPU,
# kernel and user) over one dd of $profile_mib MiB,
# printed as BOARD-PROFILE lines: the share of each process, of each
# binary (kernel, nbdkit, libaoe, libc...), and the top symbols.
profile ()
{
  path=$1 rw=$2 dev=$3
  dd_prepare "$rw" "$dev"
  watchdog_start "$path" "$rw" profile
  # shellcheck disable=SC2086 # as in measure
  perf record -q -a -F 250 -e cpu-clock -o /tmp/perf.data -- \
    dd $dd_args bs=1M count="$profile_mib" 2>/dev/null || die "$path: perf record of dd $rw failed"
  kill "$watchdog"
  for sort in comm dso comm,dso,sym; do
    perf report -i /tmp/perf.data --stdio --no-children -g none --sort "$sort" \
        --percent-limit 1 2>/dev/null | grep -v '^#' | grep -v '^ *$' | head -n 40 |
      sed "s/^/BOARD-PROFILE path=$path rw=$rw sort=$sort /"
  done
  rm -f /tmp/perf.data
}

# kicked_report REP: how often the kernel aoe driver found no free frame
# with none outstanding ("kicked" in its debugfs file), as
#   BOARD-KICKED path=kernel-aoe rep=REP kicked=K
# Each kick is a stall of the stock driver unless a new request comes
# (tests/vm/board-aoe-kick.patch lets its timer resume it).
kicked_report ()
{
  debugfs_mount
  kicked=$(sed -n 's/^kicked: //p' /sys/kernel/debug/aoe/e0.1 2>/dev/null)
  echo "BOARD-KICKED path=kernel-aoe rep=$1 kicked=${kicked:-unknown}"
}

# kernel_aoe REP: the kernel's aoe driver on eth0, read then write (with
# REP "profile", the profiles of both instead).
kernel_aoe ()
{
  modprobe aoe aoe_iflist=eth0 || die "modprobe aoe failed"
  wait_for /dev/etherd/discover
  echo > /dev/etherd/discover
  wait_for /dev/etherd/e0.1
  if [ "$1" = profile ]; then
    profile kernel-aoe read /dev/etherd/e0.1
    profile kernel-aoe write /dev/etherd/e0.1
  else
    measure kernel-aoe read "$1" /dev/etherd/e0.1
    measure kernel-aoe write "$1" /dev/etherd/e0.1
  fi
  kicked_report "$1"
  rmmod aoe || die "rmmod aoe failed"
}

# nbd_aoe REP: nbdkit aoe + nbd-client (/dev/nbd0), read then write (with
# REP "profile", the profiles of both instead).
nbd_aoe ()
{
  nbdkit -P /run/aoe.pid --unix /run/aoe.sock aoe iface=eth0 e0.1 ||
    die "nbdkit aoe did not start"
  nbd-client -unix /run/aoe.sock /dev/nbd0 >/dev/null 2>&1 || die "nbd-client failed"
  if [ "$1" = profile ]; then
    profile nbd-aoe read /dev/nbd0
    profile nbd-aoe write /dev/nbd0
  else
    measure nbd-aoe read "$1" /dev/nbd0
    measure nbd-aoe write "$1" /dev/nbd0
  fi
  nbd-client -d /dev/nbd0 >/dev/null 2>&1
  pid=$(cat /run/aoe.pid)
  kill "$pid"
  while [ -d "/proc/$pid" ]; do sleep 0.1; done
  # nbdkit leaves its socket behind, and the next nbdkit would not start.
  rm -f /run/aoe.sock
}

# main MIB REPS [PROFILE_MIB]: see the header; with PROFILE_MIB (not 0),
# the NBD path's profiles first and the kernel driver's last (perf must
# be on the board), so that a stall of the kernel's driver, which ends
# the run, leaves the NBD path's.
main ()
{
  mib=$1 reps=$2 profile_mib=${3:-0}
  modprobe nbd || die "modprobe nbd failed"
  log "$(grep -m1 'model name' /proc/cpuinfo), $mib MiB per measurement, $reps repetitions"
  # How libaoe sends on this NIC (through the transmit ring: the
  # SMC91C111 has no scatter-gather, so the kernel copies each ring frame
  # into one buffer, which still costs less than sendmmsg's per-frame
  # message copies on this CPU).
  LIBAOE_DEBUG=1 aoectl discover -i eth0 2>&1 >/dev/null | grep 'opened eth0' |
    while read -r line; do log "$line"; done
  if [ "$profile_mib" != 0 ]; then
    log "the NBD path's profiles over $profile_mib MiB"
    nbd_aoe profile
  fi
  rep=1
  while [ "$rep" -le "$reps" ]; do
    nbd_aoe "$rep"
    kernel_aoe "$rep"
    log "repetition $rep done"
    rep=$((rep + 1))
  done
  if [ "$profile_mib" != 0 ]; then
    log "the kernel driver's profiles over $profile_mib MiB"
    kernel_aoe profile
  fi
  log "ok"
}
