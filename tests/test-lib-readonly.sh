#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-readonly.sh: a read-only target (vblade -r): the whole
# disk reads back equal to the image, writes fail with EPERM and a clear
# message, and the image is untouched.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

lib_target 1500 16M random -r
cp "$LIB_IMAGE" "$TB_DIR/before.img"
tb_init_exec "$(lib_prog lib-rw)" "$TB_IFACE" 0 1 readonly "$LIB_IMAGE"
cmp "$TB_DIR/before.img" "$LIB_IMAGE"
echo "test-lib-readonly.sh: ok"
