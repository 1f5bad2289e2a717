#!/usr/bin/env bash
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
src=$TB_DIR/source.img
out=$TB_DIR/out.img
fault_nbdkit_start

# round NAME: fresh data in, then out; both must match.  Sets IN_MIBS and
# OUT_MIBS.
round ()
{
  head -c 256M /dev/urandom > "$src"
  rm -f "$out"
  fault_copy "$src" "$FAULT_URI"
  IN_MIBS=$FAULT_MIBS
  cmp "$src" "$PLUGIN_IMAGE" || lib_fail "$1: the image differs from the source"
  fault_copy "$FAULT_URI" "$out"
  OUT_MIBS=$FAULT_MIBS
  cmp "$src" "$out" || lib_fail "$1: the copy read back differs"
}

round clean
clean_in=$IN_MIBS clean_out=$OUT_MIBS

fault_nft "$TB_NS_TARGET" "$(fault_chain loss_in "$TB_TIFACE" ingress 'numgen random mod 100 < 5 counter drop')"
fault_nft "$TB_NS_TARGET" "$(fault_chain loss_out "$FAULT_WIRE_IFACE" ingress 'numgen random mod 100 < 5 counter drop')"
round loss
dropped_requests=$(fault_packets "$TB_NS_TARGET" loss_in)
dropped_replies=$(fault_packets "$TB_NS_TARGET" loss_out)
fault_nbdkit_stop
fault_expect_no_errors

echo "dropped: $dropped_requests requests, $dropped_replies replies;" \
     "retransmits $(fault_stat retransmits), timeouts $(fault_stat timeouts)"
[ "$dropped_requests" -gt 100 ] && [ "$dropped_replies" -gt 100 ] ||
  lib_fail "too few frames were dropped for a meaningful test"
[ "$(fault_stat timeouts)" -eq 0 ] || lib_fail "a command timed out"
echo "throughput, 5% loss each way vs clean: write $IN_MIBS/$clean_in MiB/s" \
     "($(( IN_MIBS * 100 / (clean_in + 1) ))%), read $OUT_MIBS/$clean_out MiB/s" \
     "($(( OUT_MIBS * 100 / (clean_out + 1) ))%)"
echo "test-fault-loss.sh: ok"
