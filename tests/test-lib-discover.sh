#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-discover.sh: aoe_discover on the initiator's interface
# finds exactly e0.1 at vblade's MAC, identified, with the image's size.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

lib_target 9000 16M
tb_init_exec "$(lib_prog lib-discover)" "$TB_IFACE" 500 0 1 \
  "$TB_MAC_TARGET" 16777216
echo "test-lib-discover.sh: ok"
