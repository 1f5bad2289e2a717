#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-loss.sh: 5% of the frames lost in each direction.
#
# 256 MiB of random data are written through nbdkit aoe and read back on a
# clean link, then again (fresh data) with nftables dropping 5% of the AoE
# frames at random in each direction on the wire in front of vblade
# (fault_wire_target).  Every copy must complete without an error and
# match byte for byte; the test log shows the throughput under loss
# relative to the clean link.
set -euo pipefail
. "$AOE_SRCDIR/tests/fault-functions.sh"
requires_fault_tools

fault_wire_target 256M
fault_nbdkit_start

fault_round_trip 256M clean
clean_in=$FAULT_IN_MIBS clean_out=$FAULT_OUT_MIBS

fault_nft "$TB_NS_TARGET" "$(fault_chain loss_in "$TB_TIFACE" ingress 'numgen random mod 100 < 5 counter drop')"
fault_nft "$TB_NS_TARGET" "$(fault_chain loss_out "$FAULT_WIRE_IFACE" ingress 'numgen random mod 100 < 5 counter drop')"
fault_round_trip 256M loss
dropped_requests=$(fault_packets "$TB_NS_TARGET" loss_in)
dropped_replies=$(fault_packets "$TB_NS_TARGET" loss_out)
fault_nbdkit_stop
fault_expect_no_errors

echo "dropped: $dropped_requests requests, $dropped_replies replies;" \
     "retransmits $(fault_stat retransmits), timeouts $(fault_stat timeouts)"
[ "$dropped_requests" -gt 100 ] && [ "$dropped_replies" -gt 100 ] ||
  lib_fail "too few frames were dropped for a meaningful test"
[ "$(fault_stat timeouts)" -eq 0 ] || lib_fail "a command timed out"
echo "throughput, 5% loss each way vs clean: write $FAULT_IN_MIBS/$clean_in MiB/s" \
     "($(( FAULT_IN_MIBS * 100 / (clean_in + 1) ))%), read $FAULT_OUT_MIBS/$clean_out MiB/s" \
     "($(( FAULT_OUT_MIBS * 100 / (clean_out + 1) ))%)"
echo "test-fault-loss.sh: ok"
