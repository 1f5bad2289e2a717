#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-eperm.sh: without CAP_NET_RAW, aoe_connect fails with
# EPERM and a message naming the capability.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

requires setpriv --version
lib_target 9000 1M
tb_init_exec setpriv --reuid=65534 --regid=65534 --clear-groups \
  --inh-caps=-all --bounding-set=-all \
  "$(lib_prog lib-api-errors)" eperm "$TB_IFACE"
echo "test-lib-eperm.sh: ok"
