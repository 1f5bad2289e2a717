#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-corrupt.sh: damaged replies.
#
# nftables on the wire in front of vblade rewrites bytes of 3% of the
# replies each, in separate ways: the tag (bit 31 set; the generation
# zeroed), the shelf, the slot, the AoE command code; and it cuts the
# length of 10% of the replies to reads, by rewriting the sector count of
# the read request to 1 (vblade then answers with one sector of data).
# Write requests are left alone: a write that covers fewer sectors than
# asked is acknowledged like a full one, and AoE has no checksum that
# could tell.  The library must ignore every damaged reply and count it
# (dropped_foreign, dropped_malformed), retransmit, and keep the data
# exact: asynchronous reads and writes against a shadow copy (fault-aio),
# then a copy in and out through nbdkit aoe.
set -euo pipefail
. "$AOE_SRCDIR/tests/fault-functions.sh"
requires_fault_tools

fault_wire_target 16M random
# mangle NAME RULE: damage 3% of the replies with RULE.
mangle ()
{
  fault_nft "$TB_NS_TARGET" "$(fault_chain "$1" "$FAULT_WIRE_IFACE" ingress \
    "numgen random mod 100 < 3 counter $2")"
}
mangle bad_tag_bit31 '@ll,160,8 set 0x80'
mangle bad_tag_gen '@ll,161,15 set 0'
mangle bad_shelf '@ll,128,16 set 0x1234'
mangle bad_slot '@ll,144,8 set 0x77'
mangle bad_command '@ll,152,8 set 0x01'
fault_nft "$TB_NS_TARGET" "$(fault_chain short_reads "$TB_TIFACE" ingress \
  '@ll,216,8 0x24 numgen random mod 100 < 10 counter @ll,208,8 set 1')"

fault_aio 4
damaged=0
for t in bad_tag_bit31 bad_tag_gen bad_shelf bad_slot bad_command short_reads; do
  n=$(fault_packets "$TB_NS_TARGET" "$t")
  echo "$t: $n frames"
  [ "$n" -gt 0 ] || lib_fail "nothing matched $t"
  damaged=$(( damaged + n ))
done
foreign=$(fault_aio_stat dropped_foreign)
malformed=$(fault_aio_stat dropped_malformed)
echo "damaged $damaged frames; library: foreign $foreign, malformed $malformed"
[ "$foreign" -gt 0 ] || lib_fail "no damaged reply was counted as foreign"
[ "$malformed" -gt 0 ] || lib_fail "no short reply was counted as malformed"
[ "$(fault_aio_stat timeouts)" -eq 0 ] || lib_fail "a command timed out"
[ "$(fault_aio_stat aoe_errors)" -eq 0 ] || lib_fail "AoE errors appeared"

fault_nbdkit_start
fault_round_trip 16M
fault_nbdkit_stop
fault_expect_no_errors
echo "nbdkit: foreign $(fault_stat foreign), malformed $(fault_stat malformed)"
[ "$(fault_stat foreign)" -gt 0 ] && [ "$(fault_stat malformed)" -gt 0 ] ||
  lib_fail "nbdkit did not count the damaged replies"
echo "test-fault-corrupt.sh: ok"
