#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-rw.sh [MTU]: whole-disk writes and reads through the
# blocking calls, on the private I/O thread and on a caller's libev loop.
# Every byte written is compared with the image file (cmp), every byte
# read with the image.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

mtu=${1:-9000}
lib_target "$mtu" 64M random
rw=$(lib_prog lib-rw)

# Private I/O thread: write random data, compare the image; read it back.
tb_init_exec "$rw" "$TB_IFACE" 0 1 write "$TB_DIR/written"
cmp "$TB_DIR/written" "$LIB_IMAGE"
tb_init_exec "$rw" "$TB_IFACE" 0 1 read "$TB_DIR/read"
cmp "$TB_DIR/read" "$LIB_IMAGE"

# Scramble the image behind vblade's back, then the same on a caller's
# loop: the write must land again for cmp to pass.
dd if=/dev/urandom of="$LIB_IMAGE" bs=1M count=64 conv=notrunc status=none
cmp -s "$TB_DIR/written" "$LIB_IMAGE" && lib_fail "the image did not change"
tb_init_exec "$rw" --loop "$TB_IFACE" 0 1 write "$TB_DIR/written-loop"
cmp "$TB_DIR/written-loop" "$LIB_IMAGE"
tb_init_exec "$rw" --loop "$TB_IFACE" 0 1 read "$TB_DIR/read-loop"
cmp "$TB_DIR/read-loop" "$LIB_IMAGE"
echo "test-lib-rw.sh $mtu: ok"
