#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-multipath.sh: one path of two fails under a copy, and
# random rewrites over two paths.
#
# Two veth pairs, a vblade on each serving the same image as e0.1 (two
# target ports); nbdkit aoe with both interfaces.  While nbdcopy writes
# 256 MiB (one connection, held to about 100 MB/s by nbdkit's rate
# filter, so that the copy is surely still running), the initiator's end
# of the second path is set down halfway: the frames in flight on it are
# lost, the engine must demote that port and finish on the other.  The
# copy, and copies back out with the path still down (the demoted port
# gets a probe frame now and then, whose send fails with ENETDOWN and is
# counted), must be byte-exact; the log's per-port summary must show both
# ports carried frames and the failed one was demoted.  Then, with both paths up again and 3% of the requests
# lost on each, random reads and rewrites of the same sectors over both
# paths (fault-aio) must match a shadow copy: a retransmitted write stays
# on its port, and a newer overlapping write goes behind any copy of an
# older one still queued at a port (lib/engine-ghost.c), so a stale copy
# can never land after a newer write.
set -euo pipefail
. "$AOE_SRCDIR/tests/fault-functions.sh"
requires_fault_tools

plugin_target 256M
tb_add_path
tb_vblade --path 2 0 1 "$PLUGIN_IMAGE"
src=$TB_DIR/source.img
out=$TB_DIR/out.img
head -c 256M /dev/urandom > "$src"

fault_nbdkit_start --filter=rate -- iface="$TB_IFACE2" rate=800M
grep -q '2 port(s)' "$FAULT_NBDKIT_LOG" || lib_fail "nbdkit did not find both ports"
fault_copy_start "$src" "$FAULT_URI" -C 1 -R 8
fault_wait_allocated "$PLUGIN_IMAGE" $(( 128 << 20 )) 60
ip -n "$TB_NS_INIT" link set "$TB_IFACE2" down
echo "$TB_IFACE2 down with $(( $(fault_allocated "$PLUGIN_IMAGE") >> 20 )) MiB written"
_tb_alive "$FAULT_COPY_PID" || lib_fail "the copy ended before the link went down"
fault_copy_finish
cmp "$src" "$PLUGIN_IMAGE" || lib_fail "the image differs from the source"
fault_copy "$FAULT_URI" "$out"
cmp "$src" "$out" || lib_fail "the copy read back differs"
# Once a second has passed, the demoted port gets a probe frame, which
# must fail to go out (the link is down) and be counted, harmlessly.
sleep 1.5
fault_copy "$FAULT_URI" "$out"
cmp "$src" "$out" || lib_fail "the second copy read back differs"
fault_nbdkit_stop
fault_expect_no_errors

grep -E "send on $TB_IFACE2 failed|port [01] .*(demoted|on ai)" \
  "$FAULT_NBDKIT_LOG" | grep -v ' debug: port [01]: ' || :
grep -q "send on $TB_IFACE2 failed: Network is down" "$FAULT_NBDKIT_LOG" ||
  lib_fail "no send error was logged for $TB_IFACE2"
grep -q "port [01] demoted" "$FAULT_NBDKIT_LOG" ||
  lib_fail "the failed port was not demoted"
# The per-port summary: both carried replies, the failed one is demoted.
for iface in "$TB_IFACE" "$TB_IFACE2"; do
  line=$(grep -E "port [01] \(.* on $iface\): " "$FAULT_NBDKIT_LOG" | tail -n 1)
  [ -n "$line" ] || lib_fail "no per-port summary for $iface"
  replies=$(sed -n 's/.*, \([0-9]*\) replies,.*/\1/p' <<< "$line")
  [ "$replies" -gt 1000 ] || lib_fail "the port on $iface carried too little"
done
grep -qE "port [01] \(.* on $TB_IFACE2\): .*, demoted$" "$FAULT_NBDKIT_LOG" ||
  lib_fail "the summary does not show the port on $TB_IFACE2 demoted"
[ "$(fault_stat timeouts)" -eq 0 ] || lib_fail "a command timed out"

# Rewrites over two paths with lost requests.
ip -n "$TB_NS_INIT" link set "$TB_IFACE2" up
tb_wait_for 5 _tb_link_up "$TB_NS_INIT" "$TB_IFACE2" ||
  lib_fail "$TB_IFACE2 did not come back up"
for tiface in "$TB_TIFACE" "$TB_TIFACE2"; do
  fault_nft "$TB_NS_TARGET" "$(fault_chain "loss_$tiface" "$tiface" ingress \
    'numgen random mod 100 < 3 counter drop')"
done
fault_aio 6 "$TB_IFACE,$TB_IFACE2"
[ "$(fault_aio_stat retransmits)" -gt 0 ] || lib_fail "nothing was retransmitted"
[ "$(fault_aio_stat writes)" -gt 100 ] || lib_fail "too few rewrites"
echo "test-fault-multipath.sh: ok"
