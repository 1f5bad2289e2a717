#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-mtu.sh: the path MTU shrinks under a copy.
#
# At MTU 9000 the engine sends 17-sector frames.  While nbdcopy writes 256
# MiB through nbdkit aoe (one connection, held to about 100 MB/s by
# nbdkit's rate filter, so that the copy is surely still running), once a
# quarter has reached the image, the target side's veth MTU is set to
# 1500: the large write frames now vanish on the path.  The engine must fall back to
# 2-sector frames and carry on: the copy completes without an error and
# the image equals the source.  Then the same for reads: with the MTU back
# at 9000 and a fresh nbdkit, the export is copied out and the MTU lowered
# again a quarter of the way.  vblade 25 exits on the first read reply
# that no longer fits ("write to network: Message too long"), so it is
# restarted, as its supervisor would; it now allows 2-sector frames only
# (announced, and AoE error 2 for larger ones) and the copy completes.
set -euo pipefail
. "$AOE_SRCDIR/tests/fault-functions.sh"
requires_fault_tools

plugin_target 256M
src=$TB_DIR/source.img
out=$TB_DIR/out.img
head -c 256M /dev/urandom > "$src"

# check_fallback WHAT: nbdkit (stopped) fell back to 2-sector frames, with
# no error and no command timed out.
check_fallback ()
{
  grep -E 'falling back from 17 to 2 sectors|port 0 .*, 2 sectors per frame' \
    "$FAULT_NBDKIT_LOG" || lib_fail "$1: no fallback to 2-sector frames"
  fault_expect_no_errors
  [ "$(fault_stat timeouts)" -eq 0 ] || lib_fail "$1: a command timed out"
  echo "$1: retransmits $(fault_stat retransmits), aoe-errors $(fault_stat aoe-errors)"
}

# Writes.
fault_nbdkit_start --filter=rate -- rate=800M
fault_copy_start "$src" "$FAULT_URI" -C 1 -R 8
fault_wait_allocated "$PLUGIN_IMAGE" $(( 64 << 20 )) 60
ip -n "$TB_NS_TARGET" link set "$TB_TIFACE" mtu 1500
echo "MTU 1500 with $(( $(fault_allocated "$PLUGIN_IMAGE") >> 20 )) MiB written"
_tb_alive "$FAULT_COPY_PID" || lib_fail "the copy ended before the MTU changed"
fault_copy_finish
cmp "$src" "$PLUGIN_IMAGE" || lib_fail "the image differs from the source"
fault_nbdkit_stop
check_fallback writes

# Reads.
ip -n "$TB_NS_TARGET" link set "$TB_TIFACE" mtu 9000
fault_nbdkit_start --filter=rate -- rate=800M
grep -q '17 sectors per frame' "$FAULT_NBDKIT_LOG" ||
  lib_fail "the fresh nbdkit does not use 17-sector frames"
fault_copy_start "$FAULT_URI" "$out" -C 1 -R 8
fault_wait_allocated "$out" $(( 64 << 20 )) 60
ip -n "$TB_NS_TARGET" link set "$TB_TIFACE" mtu 1500
echo "MTU 1500 with $(( $(fault_allocated "$out") >> 20 )) MiB read"
_tb_alive "$FAULT_COPY_PID" || lib_fail "the copy ended before the MTU changed"
tb_wait_for 10 eval '! _tb_alive "$TB_VBLADE_PID"' ||
  lib_fail "vblade survived a reply larger than its MTU (retest the read case)"
echo "vblade exited: $(tr '\n' ' ' < "$TB_VBLADE_LOG")"
tb_vblade 0 1 "$PLUGIN_IMAGE"
fault_copy_finish
cmp "$src" "$out" || lib_fail "the copy read out differs from the source"
fault_nbdkit_stop
check_fallback reads
echo "test-fault-mtu.sh: ok"
