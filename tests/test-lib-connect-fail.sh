#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-connect-fail.sh: aoe_connect fails with ETIMEDOUT within
# its time limit, and a message naming the target, the interface and the
# limit, when the target masks us out (vblade -m with another MAC) and
# when no such target exists.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

lib_target 9000 16M -m 02:00:5e:00:53:01
fail=$(lib_prog lib-connect-fail)
tb_init_exec "$fail" "$TB_IFACE" 0 1 1500
tb_init_exec "$fail" "$TB_IFACE" 0 2 700
echo "test-lib-connect-fail.sh: ok"
