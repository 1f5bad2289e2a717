#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/bench/nbd-copy-measure.sh: one nbdcopy through an nbdkit server,
# measured from inside the server's --run command (scripts/bench).
#
#   nbdkit -U - PLUGIN ... --run 'nbd-copy-measure.sh "$PPID" read "$uri"'
#   nbdkit -U - PLUGIN ... --run 'nbd-copy-measure.sh "$PPID" write "$uri" SRC'
#
# PID is the parent of the --run shell: the nbdkit process that waits for
# the command, whose other child (forked before the command started) is
# the server.  read copies the export to null:, write copies the file SRC
# into the export.  Prints one JSON object: wall seconds of the copy, the
# server's CPU seconds during it (utime + stime of all its threads, from
# /proc/SERVER/stat), nbdcopy's CPU seconds (the children's times of this
# shell), and the server's peak RSS so far (VmHWM from
# /proc/SERVER/status, KiB).  Exit status 1 with a one-line error if the copy
# fails or nbdkit's /proc entry cannot be read.
set -eu

prog=nbd-copy-measure

# Print a one-line error and exit 1.
die ()
{
  echo "$prog: $*" >&2
  exit 1
}

# utime + stime of process $1 in clock ticks (fields 14 and 15 of
# /proc/PID/stat, counted after the parenthesised command name); with a
# second argument "children", cutime + cstime (fields 16 and 17) instead:
# the CPU of its children that have exited.
cpu_ticks ()
{
  which=${2:-self}
  stat=$(cat "/proc/$1/stat") || die "cannot read /proc/$1/stat"
  # shellcheck disable=SC2086 # split the fields on purpose
  set -- ${stat##*) }
  if [ "$which" = children ]; then
    echo $(( ${14} + ${15} ))
  else
    echo $(( ${12} + ${13} ))
  fi
}

# The pid of the nbdkit child of process $1 (the server), or nothing.
server_of ()
{
  for stat in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null < "$stat" || continue
    comm=${line#*(}
    comm=${comm%%)*}
    set -- "$1" ${line##*) }
    if [ "$3" = "$1" ] && [ "$comm" = nbdkit ]; then
      echo "${line%% *}"
      return
    fi
  done
}

[ $# -ge 3 ] || die "usage: nbd-copy-measure.sh PID read|write URI [SRC]"
pid=$1 rw=$2 uri=$3
case "$rw" in
  read) ;;
  write) [ $# -eq 4 ] && [ -f "$4" ] || die "write needs a source file" ;;
  *) die "second argument must be read or write, got '$rw'" ;;
esac
hz=$(getconf CLK_TCK)
server=$(server_of "$pid")
[ -n "$server" ] || die "no nbdkit server process under pid $pid"
pid=$server

ticks0=$(cpu_ticks "$pid")
children0=$(cpu_ticks $$ children)
start=$(date +%s%N)
if [ "$rw" = read ]; then
  nbdcopy "$uri" null: || die "nbdcopy $uri null: failed"
else
  nbdcopy "$4" "$uri" || die "nbdcopy $4 $uri failed"
fi
end=$(date +%s%N)
ticks1=$(cpu_ticks "$pid")
children1=$(cpu_ticks $$ children)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
[ -n "$hwm" ] || die "no VmHWM in /proc/$pid/status"

awk -v ns=$((end - start)) -v ticks=$((ticks1 - ticks0)) -v hz="$hz" \
    -v client=$((children1 - children0)) -v hwm="$hwm" 'BEGIN {
  printf "{\"seconds\":%.6f,\"cpu_seconds\":%.2f,\"client_cpu_seconds\":%.2f,\"peak_rss_kib\":%d}\n",
         ns / 1e9, ticks / hz, client / hz, hwm
}'
