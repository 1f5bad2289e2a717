#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-restart.sh: the target restarts in the middle of a copy.
#
# nbdcopy writes 256 MiB of random data through nbdkit aoe (one
# connection, held to about 100 MB/s by nbdkit's rate filter, so that the
# copy is surely still running); once a quarter of it has reached the
# image, vblade is killed (by pid) and started again 3 s later on the same
# image.  The copy must complete without an error (frames lost in the
# outage are resent, at once when vblade announces itself), and the image
# must equal the source byte for byte.
set -euo pipefail
. "$AOE_SRCDIR/tests/fault-functions.sh"
requires_fault_tools

plugin_target 256M
src=$TB_DIR/source.img
head -c 256M /dev/urandom > "$src"
fault_nbdkit_start --filter=rate -- rate=800M

fault_copy_start "$src" "$FAULT_URI" -C 1 -R 8
fault_wait_allocated "$PLUGIN_IMAGE" $(( 64 << 20 )) 60

tb_vblade_stop
down_at=$(fault_now_ms)
echo "vblade stopped with $(( $(fault_allocated "$PLUGIN_IMAGE") >> 20 )) MiB written"
_tb_alive "$FAULT_COPY_PID" || lib_fail "the copy ended before the target was stopped"
sleep 3
tb_vblade 0 1 "$PLUGIN_IMAGE"
echo "vblade restarted after $(( $(fault_now_ms) - down_at )) ms"

fault_copy_finish
end=$(fault_now_ms)
echo "copy finished $(( end - down_at )) ms after the target went down"
cmp "$src" "$PLUGIN_IMAGE" || lib_fail "the image differs from the source"

fault_nbdkit_stop
grep -q 'announced itself' "$FAULT_NBDKIT_LOG" ||
  lib_fail "the engine did not notice the restart announcement"
fault_expect_no_errors
echo "retransmits $(fault_stat retransmits), timeouts $(fault_stat timeouts)"
[ "$(fault_stat timeouts)" -eq 0 ] || lib_fail "a command timed out"
echo "test-fault-restart.sh: ok"
