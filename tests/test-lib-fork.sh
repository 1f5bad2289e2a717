#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-fork.sh: aoe_connect, fork, I/O in the child (nbdkit
# connects in get_ready and forks afterwards); then again with I/O in the
# parent before the fork, whose I/O thread the child must replace.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

lib_target 9000 16M random
tb_init_exec "$(lib_prog lib-fork)" "$TB_IFACE" 0 1 "$LIB_IMAGE"
tb_init_exec timeout 60 "$(lib_prog lib-fork)" "$TB_IFACE" 0 1 "$LIB_IMAGE" io-first
echo "test-lib-fork.sh: ok"
