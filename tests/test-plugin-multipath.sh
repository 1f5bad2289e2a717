#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-multipath.sh: iface= given twice.  The target e0.1 is
# served by two vblades on the same image, one per veth pair (two target
# ports); nbdkit aoe with both interfaces finds both ports and copies data
# in and out intact.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires nbdcopy --version

plugin_target 64M
tb_add_path
tb_vblade --path 2 0 1 "$PLUGIN_IMAGE"
src=$TB_DIR/source.img
head -c 64M /dev/urandom > "$src"

log=$TB_DIR/nbdkit.log
tb_init_exec nbdkit -v -U - "$AOE_PLUGIN" iface="$TB_IFACE" \
  iface="$TB_IFACE2" shelf=0 slot=1 \
  --run "nbdcopy -C 4 $(printf '%q' "$src") \"\$uri\" &&
         nbdcopy -C 4 \"\$uri\" $(printf '%q' "$TB_DIR/out.img")" 2> "$log"
grep -q 'e0\.1: .*, 2 port(s)' "$log" || {
  grep 'port' "$log" >&2 || :
  fail "the plugin did not use both ports"
}
cmp "$src" "$PLUGIN_IMAGE"
cmp "$src" "$TB_DIR/out.img"
echo "test-plugin-multipath.sh: ok"
