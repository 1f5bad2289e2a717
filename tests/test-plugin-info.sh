#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-info.sh: what nbdkit aoe advertises (nbdinfo --json):
# the export size equals the image, flush and multi-conn are offered, the
# block sizes are those documented in nbdkit-aoe-plugin(1) for MTU 9000
# (17 sectors per frame: preferred 16384), `nbdkit -r` is read-only,
# target=e0.1 and the bare name e0.1 serve the same export as shelf=0
# slot=1, and the debug flags -Daoe.stats=1 and -Daoe.frames=1 log what
# they should.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires nbdinfo --version
requires jq --version

# An odd size (not a power of two, not a multiple of 4 KiB).
plugin_target 65539K random
json=$TB_DIR/info.json
plugin_run --run "nbdinfo --json \"\$uri\" > $(printf '%q' "$json")"
cat "$json"

# expect JQ_FILTER VALUE: the first export's field must equal VALUE.
expect ()
{
  local got
  got=$(jq -r ".exports[0].$1" "$json")
  [ "$got" = "$2" ] || fail "$1 is $got, expected $2"
}

expect '"export-size"' "$(stat -c %s "$PLUGIN_IMAGE")"
expect '"export-size"' $(( 65539 * 1024 ))
expect is_read_only false
expect can_flush true
expect can_fua true
expect can_multi_conn true
expect can_trim false
expect block_size_minimum 512
expect block_size_preferred 16384
expect block_size_maximum 33554432

# nbdkit -r: a read-only export whose data still reads.
plugin_run -r --run "nbdinfo --json \"\$uri\" > $(printf '%q' "$json")"
expect is_read_only true
expect '"export-size"' $(( 65539 * 1024 ))
plugin_run -r --run "nbdcopy \"\$uri\" $(printf '%q' "$TB_DIR/copy.img")"
cmp "$PLUGIN_IMAGE" "$TB_DIR/copy.img"

# By name, as target=e0.1 and as the bare name e0.1 (nbdkit's magic key):
# the same export, byte for byte.
by_name=$TB_DIR/by-name.json
tb_init_exec nbdkit -U - "$AOE_PLUGIN" iface="$TB_IFACE" target=e0.1 \
  --run "nbdinfo --json \"\$uri\" > $(printf '%q' "$by_name")"
plugin_run --run "nbdinfo --json \"\$uri\" > $(printf '%q' "$json")"
# (Everything but the URI, whose socket differs.)
exports='.exports | map(del(.uri))'
[ "$(jq -S "$exports" "$json")" = "$(jq -S "$exports" "$by_name")" ] ||
  fail "target=e0.1 advertises another export than shelf=0 slot=1"
rm -f "$TB_DIR/copy.img"
tb_init_exec nbdkit -U - "$AOE_PLUGIN" e0.1 iface="$TB_IFACE" \
  --run "nbdcopy \"\$uri\" $(printf '%q' "$TB_DIR/copy.img")"
cmp "$PLUGIN_IMAGE" "$TB_DIR/copy.img"

# Debug flags (printed with -v only): -Daoe.stats=1 logs the counters at
# connection close and exit; -Daoe.frames=1 adds a line per frame.
# frames_sent LOG: the "frames sent" figure of the exit statistics.
frames_sent ()
{
  sed -n 's/.*stats (exit): frames sent \([0-9]*\).*/\1/p' "$1"
}
plugin_run -v -Daoe.stats=1 --run 'nbdcopy "$uri" null:' 2> "$TB_DIR/stats.log"
plugin_run -v -Daoe.stats=1 -Daoe.frames=1 --run 'nbdcopy "$uri" null:' \
  2> "$TB_DIR/frames.log"
grep -q 'stats (connection closed): frames sent [1-9]' "$TB_DIR/stats.log" ||
  fail "-Daoe.stats=1 logged no statistics at connection close"
sent=$(frames_sent "$TB_DIR/frames.log")
extra=$(( $(wc -l < "$TB_DIR/frames.log") - $(wc -l < "$TB_DIR/stats.log") ))
echo "frames sent: $(frames_sent "$TB_DIR/stats.log"), $sent; extra lines with aoe.frames: $extra"
[ -n "$sent" ] && [ "$sent" -gt 1000 ] || fail "-Daoe.stats=1: frames sent '$sent'"
[ "$extra" -ge "$sent" ] || fail "-Daoe.frames=1 logged only $extra more lines"
echo "test-plugin-info.sh: ok"
