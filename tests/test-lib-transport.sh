#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-transport.sh [MTU [TRANSPORT]]: one transport (packet,
# the raw AF_PACKET socket and the default; or pcap, libpcap), chosen with
# LIBAOE_TRANSPORT and aoe_set_transport, against vblade: the
# whole-disk write and read of lib-rw (private thread and caller's loop)
# compared with the image, the parallel shadow-copy stress of
# lib-parallel, scattered I/O through aoe_set_transport ("packet" and
# "pcap", each checked in the debug log), EPERM naming CAP_NET_RAW without
# the capability, and a bad LIBAOE_TRANSPORT refused with one clear line.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

mtu=${1:-9000}
tr=${2:-packet}
lib_target "$mtu" 64M random
rw=$(lib_prog lib-rw)
transport=$(lib_prog lib-transport)

# The environment variable picks the transport: the debug log says so.
LIBAOE_TRANSPORT=$tr LIBAOE_DEBUG=1 \
  tb_init_exec "$rw" "$TB_IFACE" 0 1 write "$TB_DIR/written" \
  2> "$TB_DIR/debug.log"
grep -q "opened $TB_IFACE ($tr, MTU $mtu" "$TB_DIR/debug.log" ||
  lib_fail "LIBAOE_TRANSPORT=$tr did not open $TB_IFACE with the $tr transport: $(grep opened "$TB_DIR/debug.log")"
cmp "$TB_DIR/written" "$LIB_IMAGE"
LIBAOE_TRANSPORT=$tr tb_init_exec "$rw" "$TB_IFACE" 0 1 read "$TB_DIR/read"
cmp "$TB_DIR/read" "$LIB_IMAGE"

# The same on a caller's libev loop, after scrambling the image.
dd if=/dev/urandom of="$LIB_IMAGE" bs=1M count=64 conv=notrunc status=none
cmp -s "$TB_DIR/written" "$LIB_IMAGE" && lib_fail "the image did not change"
LIBAOE_TRANSPORT=$tr \
  tb_init_exec "$rw" --loop "$TB_IFACE" 0 1 write "$TB_DIR/written-loop"
cmp "$TB_DIR/written-loop" "$LIB_IMAGE"
LIBAOE_TRANSPORT=$tr \
  tb_init_exec "$rw" --loop "$TB_IFACE" 0 1 read "$TB_DIR/read-loop"
cmp "$TB_DIR/read-loop" "$LIB_IMAGE"

# Many threads, random reads and writes, checked against a shadow copy.
LIBAOE_TRANSPORT=$tr \
  tb_init_exec "$(lib_prog lib-parallel)" "$TB_IFACE" 0 1 "$LIB_IMAGE" 8 4

# The setter, for both transports.
tb_init_exec "$transport" "$TB_IFACE" 0 1 packet
tb_init_exec "$transport" "$TB_IFACE" 0 1 pcap

# Without CAP_NET_RAW: EPERM naming the capability.
if setpriv --version >/dev/null 2>&1; then
  LIBAOE_TRANSPORT=$tr tb_init_exec setpriv --reuid=65534 \
    --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
    "$(lib_prog lib-api-errors)" eperm "$TB_IFACE"
fi

# A bad value: one clear line, no I/O.
if LIBAOE_TRANSPORT=raw tb_init_exec "$rw" "$TB_IFACE" 0 1 read \
     "$TB_DIR/never" 2> "$TB_DIR/bad.log"; then
  lib_fail "LIBAOE_TRANSPORT=raw was accepted"
fi
grep -q "LIBAOE_TRANSPORT=raw: unknown transport (expected pcap or packet)" \
  "$TB_DIR/bad.log" || lib_fail "unclear error: $(cat "$TB_DIR/bad.log")"
echo "test-lib-transport.sh $mtu $tr: ok"
