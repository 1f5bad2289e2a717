#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-multipath.sh: one target reachable on two paths (two
# vblades serving the same image as e0.1, one per veth pair): connect
# finds both MACs; a whole-disk write and read over both paths match the
# image; many threads reading at once over both paths read correct data;
# many threads reading and rewriting the same sectors over both paths
# match a shadow copy (a newer overlapping write goes behind any copy of
# an older write still queued at a port, so no stale copy lands after
# it: lib/engine-ghost.c; test-fault-multipath.sh does the same with lost
# frames).
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

lib_target 9000 64M random
tb_add_path
tb_vblade --path 2 0 1 "$LIB_IMAGE"
ifaces=$TB_IFACE,$TB_IFACE2

out=$TB_DIR/info.out
tb_init_exec "$(lib_prog lib-info)" "$ifaces" 0 1 > "$out"
cat "$out"
lib_expect_value "$out" nmacs 2
lib_expect_value "$out" ninterfaces 2
macs=$(sed -n 's/^mac[01]=//p' "$out" | sort | tr '\n' ' ')
want=$(printf '%s\n' "$TB_MAC_TARGET" "$TB_MAC_TARGET2" | sort | tr '\n' ' ')
[ "$macs" = "$want" ] || lib_fail "MACs '$macs', expected '$want'"

rw=$(lib_prog lib-rw)
tb_init_exec "$rw" "$ifaces" 0 1 write "$TB_DIR/written"
cmp "$TB_DIR/written" "$LIB_IMAGE"
tb_init_exec "$rw" "$ifaces" 0 1 read "$TB_DIR/read"
cmp "$TB_DIR/read" "$LIB_IMAGE"
tb_init_exec "$(lib_prog lib-parallel)" "$ifaces" 0 1 "$LIB_IMAGE" 8 4 reads
tb_init_exec "$(lib_prog lib-parallel)" "$ifaces" 0 1 "$LIB_IMAGE" 8 4
echo "test-lib-multipath.sh: ok"
