#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-libev.sh: the libev example (aio on the program's own
# loop, new reads submitted from completion callbacks) copies the whole
# disk exactly.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

lib_target 9000 64M random
tb_init_exec "$(lib_example aoe-libev)" "$TB_IFACE" 0 1 "$TB_DIR/copy.img"
cmp "$TB_DIR/copy.img" "$LIB_IMAGE"
echo "test-lib-libev.sh: ok"
