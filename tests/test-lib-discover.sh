#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-discover.sh: aoe_discover on the initiator's interface
# finds exactly e0.1 and e1.2, e0.1 first, at vblade's MAC, identified,
# with the image's size; a caller's smaller struct aoe_target_info gets
# the same two (lib-discover checks the element stride).
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

lib_target 9000 16M
tb_image "$TB_DIR/second.img" 1M
tb_vblade 1 2 "$TB_DIR/second.img"
tb_init_exec "$(lib_prog lib-discover)" "$TB_IFACE" 500 2 0 1 \
  "$TB_MAC_TARGET" 16777216
echo "test-lib-discover.sh: ok"
