#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-fork.sh: aoe_connect, fork, I/O in the child (nbdkit
# connects in get_ready and forks afterwards).
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

lib_target 9000 16M random
tb_init_exec "$(lib_prog lib-fork)" "$TB_IFACE" 0 1 "$LIB_IMAGE"
echo "test-lib-fork.sh: ok"
