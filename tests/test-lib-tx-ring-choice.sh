#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-tx-ring-choice.sh: which interfaces the packet transport
# sends through its transmit ring (lib/transport-packet.c, want_tx_ring),
# as the LIBAOE_DEBUG line "opened IFACE (..., sends ...)" reports it:
#   the test bed's veth            sendmmsg (the driver copies frames anyway)
#   a macvlan on it                the transmit ring
#   LIBAOE_TX_RING=1 on the veth   the ring; LIBAOE_TX_RING=0 on the
#                                  macvlan: sendmmsg
# aoectl discover only opens the interfaces here (its broadcast stays in
# the test bed's namespace; no target needs to answer).
set -euo pipefail
AOE_SRCDIR=${AOE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$AOE_SRCDIR/tests/tool-functions.sh"

tool_requires aoectl
aoectl=$(tool_bin aoectl)

tb_setup --mtu 1500
mv=tr${TB_ID}mv
tb_init_exec ip link add "$mv" link "$TB_IFACE" type macvlan mode bridge ||
  tool_fail "cannot create macvlan $mv"
tb_init_exec ip link set "$mv" up

# send_path IFACE [VAR=VALUE]: the send path libaoe reports for IFACE.
send_path ()
{
  local iface=$1 line
  shift
  tb_init_exec env LIBAOE_DEBUG=1 "$@" "$aoectl" discover -i "$iface" \
    > /dev/null 2> "$TB_DIR/discover.err" || true
  line=$(grep "opened $iface " "$TB_DIR/discover.err") ||
    tool_fail "no 'opened $iface' line: $(head -n 3 "$TB_DIR/discover.err")"
  echo "${line##*sends }"
}

# expect IFACE WANT [VAR=VALUE]: fail unless IFACE sends WANT.
expect ()
{
  local iface=$1 want=$2 got
  shift 2
  got=$(send_path "$iface" "$@")
  [ "$got" = "$want)" ] ||
    tool_fail "$iface ${*:-(defaults)}: sends $got, expected $want"
  echo "$iface ${*:-(defaults)}: sends $want"
}

expect "$TB_IFACE" "with sendmmsg"
expect "$mv" "through a transmit ring"
expect "$TB_IFACE" "through a transmit ring" LIBAOE_TX_RING=1
expect "$mv" "with sendmmsg" LIBAOE_TX_RING=0
echo "test-lib-tx-ring-choice.sh: ok"
