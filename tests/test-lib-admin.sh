#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-admin.sh: the administration calls of libaoe as a
# program uses them (tests/lib-admin.c): argument errors, no thread before
# the first I/O (a forked child uses the handle), calls from several
# threads alongside reads, and on the program's own libev loop; the MAC
# aoe_get_interface_mac reports is the interface's.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

lib_target 9000 16M random
prog=$(lib_prog lib-admin)
tb_init_exec "$prog" "$TB_IFACE" 0 1 | tee "$TB_DIR/out"
grep -qx "mac=$TB_MAC_INIT" "$TB_DIR/out" ||
  lib_fail "aoe_get_interface_mac did not report $TB_MAC_INIT"
grep -qx 'lib-admin: PASS' "$TB_DIR/out" || lib_fail "lib-admin did not pass"
tb_init_exec "$prog" loop "$TB_IFACE" 0 1 | tee "$TB_DIR/out"
grep -qx 'lib-admin: PASS' "$TB_DIR/out" || lib_fail "lib-admin loop did not pass"
echo "test-lib-admin.sh: ok"
