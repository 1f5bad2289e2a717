#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-sendbuf.sh: the kernel refuses frames (send buffer full).
#
# A token bucket (tc tbf, 200 Mbit/s) on the initiator's side of the link
# holds frames in its queue, where they still count against the sending
# socket's buffer, and vblade's 64 buffers let libaoe keep more jumbo
# frames in flight than that buffer holds: sends fail with EAGAIN, the
# refused frames wait in order for the socket to drain (lib/io-send.c).
# A 16 MiB write and read back with aoectl copy must be byte-exact, and the
# library's summary (LIBAOE_DEBUG=1) must show that the interface was
# blocked and lost no frame to a send error.
set -euo pipefail
. "$AOE_SRCDIR/tests/tool-functions.sh"
tool_requires aoectl
requires tc -V
copy=("$(tool_bin aoectl)" copy)

tb_setup --mtu 9000
image=$TB_DIR/disk.img
tb_image "$image" 64M
tb_vblade 0 1 "$image" -b 64
tb_init_exec tc qdisc add dev "$TB_IFACE" root tbf rate 200mbit \
  burst 64kb latency 500ms || tool_fail "cannot add the tbf qdisc"

# blocked_count: how often the summary line in $TOOL_ERR says the
# interface was blocked; fails unless it also reports 0 send errors.
blocked_count ()
{
  local line
  line=$(grep -E "^libaoe: interface $TB_IFACE: " "$TOOL_ERR") ||
    tool_fail "no interface summary: $(cat "$TOOL_ERR")"
  [[ "$line" =~ :\ 0\ send\ errors,\ ([0-9]+)\ times\ blocked ]] ||
    tool_fail "unexpected summary: $line"
  echo "${BASH_REMATCH[1]}"
}

# send_path_pass RING: the write and read back with LIBAOE_TX_RING=RING
# (0: sendmmsg, the default on a veth pair; 1: the transmit ring, whose
# refused slots are taken back and resent: lib/packet-tx-ring.c).
send_path_pass ()
{
  local ring=$1 path blocked
  path="with sendmmsg"
  [ "$ring" = 0 ] || path="through a transmit ring"
  # New data each pass, so a pass that wrote nothing cannot pass.
  head -c 16M /dev/urandom > "$TB_DIR/src.img"
  tool_expect 0 tb_init_exec env LIBAOE_DEBUG=1 LIBAOE_TX_RING="$ring" \
    "${copy[@]}" -i "$TB_IFACE" --verify "$TB_DIR/src.img" e0.1
  grep -q "opened $TB_IFACE (.*sends $path)" "$TOOL_ERR" ||
    tool_fail "LIBAOE_TX_RING=$ring did not send $path: $(grep opened "$TOOL_ERR")"
  cmp "$TB_DIR/src.img" <(head -c 16M "$image") ||
    tool_fail "the image differs from what was written (sending $path)"
  blocked=$(blocked_count)
  echo "write $path: send buffer full $blocked times; $(grep 'copied' "$TOOL_ERR")"
  [ "$blocked" -gt 0 ] ||
    tool_fail "the kernel never refused a frame sent $path: the test tests nothing"

  tool_expect 0 tb_init_exec env LIBAOE_DEBUG=1 LIBAOE_TX_RING="$ring" \
    "${copy[@]}" -i "$TB_IFACE" --length 16M e0.1 "$TB_DIR/out.img"
  cmp "$TB_DIR/src.img" "$TB_DIR/out.img" || tool_fail "read back differs (sending $path)"
  blocked_count > /dev/null
}

send_path_pass 0
send_path_pass 1
echo "test-fault-sendbuf.sh: ok"
