#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/bench/nbd-cost.sh: what one GiB through an nbdkit server costs, with
# a client that issues requests the way the kernel's NBD driver does (fio,
# fixed-size requests, many in flight).  scripts/bench --cost runs it on the
# test bed; it needs no test bed of its own, so it also runs inside a guest.
#
#   nbd-cost.sh [OPTIONS] -- NBDKIT_PLUGIN_ARGS...
#
#   --rw read|write    direction (default write)
#   --bs SIZE          request size, fio syntax (default 128k: nbd-client's
#                      default max_sectors_kb)
#   --iodepth N        requests in flight (default 16)
#   --size SIZE        bytes to transfer, fio syntax (default 256m)
#   --iface IFACE      count the frames and bytes this interface sent and
#                      received meanwhile (/sys/class/net/IFACE/statistics;
#                      run in the namespace that holds IFACE)
#   --target-pid PID   also count the CPU of process PID meanwhile (vblade)
#   --device DEV       connect DEV with nbd-client and run fio on it with
#                      O_DIRECT (the kernel's path); default: fio's nbd engine
#   --strace           count nbdkit's system calls (strace -c -f; slows it)
#   --nbdkit PROG      the nbdkit to run (default nbdkit)
#
# Prints one JSON object: bytes, seconds, MB/s, the server's CPU seconds
# (utime + stime of all its threads, /proc/PID/stat) and context switches
# (voluntary + involuntary, every thread's /proc/PID/task/TID/status,
# sampled while it runs: threads that exit between two samples lose at
# most one interval) and minor page faults, the client's CPU seconds,
# and, per GiB: the same
# figures, frames sent and received and their mean size (with --iface),
# the target's CPU (--target-pid), system calls by name (--strace).
# Exit status 1 with a one-line error if a step fails.
set -euo pipefail

prog=nbd-cost

# Print a one-line error and exit 1 (the exit trap stops the server).
die ()
{
  echo "$prog: error: $*" >&2
  exit 1
}

rw=write bs=128k iodepth=16 size=256m iface= target_pid= device= strace=
nbdkit=nbdkit
while [ $# -gt 0 ]; do
  case "$1" in
    --rw) rw=${2:-}; shift ;;
    --bs) bs=${2:-}; shift ;;
    --iodepth) iodepth=${2:-}; shift ;;
    --size) size=${2:-}; shift ;;
    --iface) iface=${2:-}; shift ;;
    --target-pid) target_pid=${2:-}; shift ;;
    --device) device=${2:-}; shift ;;
    --nbdkit) nbdkit=${2:-}; shift ;;
    --strace) strace=1 ;;
    --) shift; break ;;
    *) die "unknown argument '$1' (usage: see the head of $0)" ;;
  esac
  shift
done
[ $# -gt 0 ] || die "no nbdkit plugin arguments after --"
case "$rw" in read|write) ;; *) die "--rw must be read or write, got '$rw'" ;; esac
[[ "$iodepth" =~ ^[1-9][0-9]*$ ]] || die "--iodepth must be a positive number, got '$iodepth'"
[ -z "$iface" ] || [ -d "/sys/class/net/$iface" ] || die "no interface $iface here"
[ -z "$target_pid" ] || [ -r "/proc/$target_pid/stat" ] || die "no process $target_pid"
command -v fio >/dev/null || die "fio not found (scripts/install-deps installs it)"
[ -z "$strace" ] || command -v strace >/dev/null || die "strace not found"

work=$(mktemp -d "${TMPDIR:-/tmp}/nbd-cost.XXXXXX")
server=
strace_pid=
# Stop what was started and remove the scratch directory.
cleanup ()
{
  if [ -n "$device" ] && [ -e "$work/connected" ]; then
    nbd-client -d "$device" >/dev/null 2>&1 || true
  fi
  [ -z "$strace_pid" ] || kill "$strace_pid" 2>/dev/null || true
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

hz=$(getconf CLK_TCK)

# utime + stime of process $1 in clock ticks (fields 14 and 15 of
# /proc/PID/stat, counted after the parenthesised command name).
cpu_ticks ()
{
  local stat fields
  stat=$(< "/proc/$1/stat") || die "cannot read /proc/$1/stat"
  read -r -a fields <<<"${stat##*) }"
  echo $(( fields[11] + fields[12] ))
}

# Minor page faults of process $1, all its threads (field 10 of
# /proc/PID/stat): fresh pages the kernel zeroed and mapped for it.
minor_faults ()
{
  local stat fields
  stat=$(< "/proc/$1/stat") || die "cannot read /proc/$1/stat"
  read -r -a fields <<<"${stat##*) }"
  echo "${fields[7]}"
}

# Print "TID SWITCHES" for every thread of process $1 now.
thread_switches ()
{
  awk '/^Pid:/ { tid = $2 }
       /^(non)?voluntary_ctxt_switches:/ { n[tid] += $2 }
       END { for (t in n) print t, n[t] }' /proc/"$1"/task/*/status 2>/dev/null || true
}

# Counter $2 (tx_packets, rx_bytes, ...) of interface $1.
iface_counter ()
{
  cat "/sys/class/net/$1/statistics/$2"
}

# $2 - $1, or null if nothing was counted (an option not given).
delta ()
{
  if [ -n "$2" ]; then echo $(( $2 - $1 )); else echo null; fi
}

# ---- the server ----

sock=$work/nbd.sock
"$nbdkit" -f -U "$sock" -P "$work/pid" "$@" 2> "$work/nbdkit.log" &
server=$!
for _ in $(seq 100); do
  [ -S "$sock" ] && [ -s "$work/pid" ] && break
  kill -0 "$server" 2>/dev/null || die "nbdkit exited: $(tail -1 "$work/nbdkit.log")"
  sleep 0.1
done
[ -S "$sock" ] || die "nbdkit did not open $sock"

# ---- the client ----

fio_args=(--name=cost --rw="$rw" --bs="$bs" --iodepth="$iodepth"
          --size="$size" --output-format=json --output="$work/fio.json")
if [ -n "$device" ]; then
  command -v nbd-client >/dev/null || die "nbd-client not found"
  nbd-client -unix "$sock" "$device" >/dev/null || die "nbd-client -unix $sock $device failed"
  : > "$work/connected"
  fio_args+=(--filename="$device" --ioengine=libaio --direct=1)
else
  fio_args+=(--ioengine=nbd --uri="nbd+unix:///?socket=$sock")
fi

if [ -n "$strace" ]; then
  strace -c -f -p "$server" -o "$work/strace.out" 2>/dev/null &
  strace_pid=$!
  sleep 0.5
fi

# Read the counters into variables suffixed $1 (0 before the run, 1
# after): t and f (nbdkit's CPU ticks and minor faults), v (the target's
# ticks), tx, rx, txb, rxb (the interface's frames and bytes).
snapshot ()
{
  printf -v "t$1" %s "$(cpu_ticks "$server")"
  printf -v "f$1" %s "$(minor_faults "$server")"
  [ -z "$target_pid" ] || printf -v "v$1" %s "$(cpu_ticks "$target_pid")"
  [ -n "$iface" ] || return 0
  printf -v "tx$1" %s "$(iface_counter "$iface" tx_packets)"
  printf -v "rx$1" %s "$(iface_counter "$iface" rx_packets)"
  printf -v "txb$1" %s "$(iface_counter "$iface" tx_bytes)"
  printf -v "rxb$1" %s "$(iface_counter "$iface" rx_bytes)"
}

# Latest context switch count of every nbdkit thread seen so far.
declare -A seen=()

# Update seen from the threads alive now.
sample_switches ()
{
  local tid n
  while read -r tid n; do seen[$tid]=$n; done < <(thread_switches "$server")
}

snapshot 0
sample_switches
declare -A base=()
for tid in "${!seen[@]}"; do base[$tid]=${seen[$tid]}; done

start=$(date +%s%N)
fio "${fio_args[@]}" > "$work/fio.out" 2>&1 &
client=$!
while kill -0 "$client" 2>/dev/null; do
  sample_switches
  sleep 0.05
done
wait "$client" || die "fio failed: $(tail -1 "$work/fio.out")"
end=$(date +%s%N)
sample_switches
snapshot 1
switches=0
for tid in "${!seen[@]}"; do
  switches=$(( switches + seen[$tid] - ${base[$tid]:-0} ))
done

syscalls='{}'
if [ -n "$strace" ]; then
  kill -INT "$strace_pid"
  wait "$strace_pid" 2>/dev/null || true
  strace_pid=
  syscalls=$(awk '$NF ~ /^[a-z_0-9]+$/ && $(NF-1) ~ /^[0-9]+$/ && $NF != "total" {
                    printf "%s\"%s\":%s", sep, $NF, $4; sep = "," }
                  BEGIN { printf "{" } END { print "}" }' "$work/strace.out")
fi

# fio's own figures: bytes moved and the client's CPU (usr + sys, ms).
job=$(jq -c --arg rw "$rw" '.jobs[0] | {bytes: .[$rw].io_bytes,
        client_cpu_seconds: ((.usr_cpu + .sys_cpu) / 100 * .elapsed)}' \
      "$work/fio.json") || die "cannot read fio's report"
# (fio reports usr_cpu/sys_cpu as percentages of its run time.)
jq -n -c --argjson job "$job" --argjson ns $(( end - start )) \
   --argjson ticks $(( t1 - t0 )) --argjson hz "$hz" \
   --argjson switches "$switches" --argjson faults $(( f1 - f0 )) \
   --argjson target "$(delta "${v0:-}" "${v1:-}")" \
   --argjson tx "$(delta "${tx0:-}" "${tx1:-}")" \
   --argjson rx "$(delta "${rx0:-}" "${rx1:-}")" \
   --argjson txb "$(delta "${txb0:-}" "${txb1:-}")" \
   --argjson rxb "$(delta "${rxb0:-}" "${rxb1:-}")" \
   --argjson syscalls "$syscalls" \
   --arg rw "$rw" --arg bs "$bs" --argjson iodepth "$iodepth" '
  ($job.bytes / 1073741824) as $gib |
  def per_gib(x): if x == null then null else (x / $gib * 1000 | round) / 1000 end;
  {rw: $rw, bs: $bs, iodepth: $iodepth, bytes: $job.bytes,
   seconds: ($ns / 1e9), mb_per_s: (($job.bytes / ($ns / 1e9) / 1e5 | round) / 10),
   cpu_seconds: ($ticks / $hz), client_cpu_seconds: $job.client_cpu_seconds,
   context_switches: $switches,
   cpu_s_per_gib: per_gib($ticks / $hz),
   client_cpu_s_per_gib: per_gib($job.client_cpu_seconds),
   switches_per_gib: per_gib($switches), faults_per_gib: per_gib($faults),
   target_cpu_s_per_gib: per_gib(if $target == null then null else $target / $hz end),
   frames_tx_per_gib: per_gib($tx), frames_rx_per_gib: per_gib($rx),
   bytes_per_tx_frame: (if $tx == null or $tx == 0 then null else ($txb / $tx | round) end),
   bytes_per_rx_frame: (if $rx == null or $rx == 0 then null else ($rxb / $rx | round) end),
   syscalls_per_gib: ($syscalls | map_values(per_gib(.)))}'
