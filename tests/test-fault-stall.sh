#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-stall.sh: the initiator stalls, the network does not.
#
# While nbdkit aoe takes a sequential write (one connection, 16 requests
# in flight, as the kernel's NBD client sends them), the whole nbdkit
# process is stopped (SIGSTOP) for longer than the minimum retransmit
# timeout, again and again, and continued: a slow or busy machine (a
# board's one core, a guest under emulation) does this to every
# initiator.  vblade answered every frame long before nbdkit runs again,
# so the replies wait in the socket: none of the frames is lost, and
# resending any of them is wrong (vblade writes the data twice and the
# window shrinks for nothing).  The library must read what is waiting
# before it decides a frame timed out: no retransmits, no duplicates,
# and the image equal to the source.
set -euo pipefail
. "$AOE_SRCDIR/tests/fault-functions.sh"
requires_fault_tools

# Stops: how many, how long each (beyond AOE_RTO_MIN_US) and the gap.
stalls_wanted=30
stall_s=0.06
gap_s=0.02

plugin_target 256M
src=$TB_DIR/source.img
head -c 256M /dev/urandom > "$src"
fault_nbdkit_start
fault_copy_start "$src" "$FAULT_URI" -C 1 -R 16 --request-size=131072
stalls=0
while [ "$stalls" -lt "$stalls_wanted" ] && kill -0 "$FAULT_COPY_PID" 2>/dev/null; do
  sleep "$gap_s"
  kill -STOP "$FAULT_NBDKIT_PID"
  sleep "$stall_s"
  kill -CONT "$FAULT_NBDKIT_PID"
  stalls=$(( stalls + 1 ))
done
fault_copy_finish
fault_nbdkit_stop
fault_expect_no_errors
cmp "$src" "$PLUGIN_IMAGE" || lib_fail "the image differs from the source"
retransmits=$(fault_stat retransmits)
duplicates=$(fault_stat duplicates)
echo "stalls $stalls, retransmits $retransmits, duplicates $duplicates," \
     "late $(fault_stat late)"
[ "$stalls" -ge 10 ] || lib_fail "the copy ended after $stalls stalls (too fast to test)"
# A real loss may happen on a loaded machine (vblade itself starved
# beyond the timeout); one per ten stalls is far below what resending
# every frame found waiting costs.
[ "$retransmits" -le $(( stalls / 10 )) ] ||
  lib_fail "$retransmits frames resent although every reply was waiting"
[ "$duplicates" -le $(( stalls / 10 )) ] ||
  lib_fail "$duplicates duplicate replies: vblade served frames twice"
echo "test-fault-stall.sh: ok"
