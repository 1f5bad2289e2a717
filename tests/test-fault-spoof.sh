#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-spoof.sh: a hostile host answers in the target's place.
#
# A third namespace joins the wire in front of vblade: nftables mirrors
# every request to it, and forwards what it sends to the initiator.  There
# tests/fault-spoof.py answers every ATA request at once, from a foreign
# MAC, with the live tag and junk data.  The library must accept replies
# only from the target's MAC: asynchronous reads and writes (fault-aio)
# and a copy in and out through nbdkit aoe stay exact, and every forged
# reply is counted (as foreign when it came first, while the tag was live;
# as a duplicate when it came after the real one).
set -euo pipefail
. "$AOE_SRCDIR/tests/fault-functions.sh"
requires_fault_tools
requires test -n "$TB_PYTHON"

fault_wire_target 64M random
spoof_ns=aoe-$TB_ID-spoof
spoof_iface=as${TB_ID}
spoof_peer=aw${TB_ID}s
_tb_add_netns "$spoof_ns"
ip -n "$TB_NS_TARGET" link add "$spoof_peer" mtu "$TB_MTU" type veth \
   peer name "$spoof_iface" netns "$spoof_ns" mtu "$TB_MTU" ||
  lib_fail "cannot create the spoofer's veth pair"
ip -n "$TB_NS_TARGET" link set "$spoof_peer" up
ip -n "$spoof_ns" link set "$spoof_iface" up
# Requests also go to the spoofer; its frames go to the initiator.
fault_nft "$TB_NS_TARGET" "$(fault_chain spoof_tap "$TB_TIFACE" ingress \
  "counter dup to \"$spoof_peer\"")"
fault_nft "$TB_NS_TARGET" "$(fault_chain spoofed "$spoof_peer" ingress \
  "counter fwd to \"$TB_TIFACE\"")"

ready=$TB_DIR/spoof.ready
tb_bg ip netns exec "$spoof_ns" "$TB_PYTHON" "$AOE_SRCDIR/tests/fault-spoof.py" \
  --ready-file "$ready" "$spoof_iface" 300
spoof_pid=$TB_BG_PID
spoof_log=$TB_BG_LOG
tb_wait_for 10 test -e "$ready" || lib_fail "fault-spoof.py did not start"

fault_aio 5
forged=$(fault_packets "$TB_NS_TARGET" spoofed)
foreign=$(fault_aio_stat dropped_foreign)
duplicates=$(fault_aio_stat duplicates)
echo "forged replies so far: $forged; library: $foreign foreign" \
     "(came first), $duplicates duplicates (came late)"
[ "$forged" -gt 1000 ] || lib_fail "the spoofer answered too little"
[ "$foreign" -gt 0 ] || lib_fail "no forged reply came first"
[ $(( foreign + duplicates )) -gt $(( forged / 2 )) ] ||
  lib_fail "forged replies were not counted"
[ "$(fault_aio_stat timeouts)" -eq 0 ] || lib_fail "a command timed out"

fault_nbdkit_start
fault_round_trip 64M
fault_nbdkit_stop
fault_expect_no_errors
_tb_kill "$spoof_pid"
echo "spoofer: $(cat "$spoof_log"); nbdkit: foreign $(fault_stat foreign)," \
     "duplicates $(fault_stat duplicates)"
[ "$(fault_stat foreign)" -gt 0 ] || lib_fail "nbdkit counted no forged reply"
echo "test-fault-spoof.sh: ok"
