#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-dup.sh: duplicated frames.
#
# nftables on the wire in front of vblade duplicates 10% of the requests
# (vblade then serves them twice and answers twice) and 10% of the replies.
# Asynchronous reads and writes (fault-aio) must each complete exactly
# once and match the shadow copy and the image; the library must have
# seen and dropped the duplicates.  A copy in and out through nbdkit aoe
# must be byte-exact too.
set -euo pipefail
. "$AOE_SRCDIR/tests/fault-functions.sh"
requires_fault_tools

fault_wire_target 64M random
fault_nft "$TB_NS_TARGET" "$(fault_chain dup_requests "$TB_TIFACE" ingress \
  "numgen random mod 100 < 10 counter dup to \"$FAULT_WIRE_IFACE\"")"
fault_nft "$TB_NS_TARGET" "$(fault_chain dup_replies "$FAULT_WIRE_IFACE" ingress \
  "numgen random mod 100 < 10 counter dup to \"$TB_TIFACE\"")"

fault_aio 5
echo "duplicated: $(fault_packets "$TB_NS_TARGET" dup_requests) requests," \
     "$(fault_packets "$TB_NS_TARGET" dup_replies) replies"
[ "$(fault_aio_stat duplicates)" -gt 100 ] ||
  lib_fail "the library saw too few duplicates"
[ "$(fault_aio_stat timeouts)" -eq 0 ] || lib_fail "a command timed out"

fault_nbdkit_start
fault_round_trip 64M
fault_nbdkit_stop
fault_expect_no_errors
echo "nbdkit: duplicates $(fault_stat duplicates), late $(fault_stat late)"
[ "$(fault_stat duplicates)" -gt 0 ] || lib_fail "nbdkit saw no duplicates"
echo "test-fault-dup.sh: ok"
