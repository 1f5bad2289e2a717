#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-parallel.sh [MTU [THREADS [SECONDS]]]: many threads doing
# blocking random reads and writes at once on one handle, every read
# checked against a shadow copy, the final disk and image compared with it.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

mtu=${1:-9000}
threads=${2:-8}
seconds=${3:-5}
lib_target "$mtu" 64M random
tb_init_exec "$(lib_prog lib-parallel)" "$TB_IFACE" 0 1 "$LIB_IMAGE" \
  "$threads" "$seconds"
echo "test-lib-parallel.sh $mtu $threads $seconds: ok"
