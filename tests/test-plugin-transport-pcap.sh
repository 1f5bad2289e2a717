#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-transport-pcap.sh: nbdkit aoe transport=pcap (the
# libpcap transport, not the default) copies 128 MiB of random data in and out with
# nbdcopy (4 connections, 64 requests each), compared byte for byte with
# the image vblade serves; nbdkit's debug log must show the interface
# opened with the pcap transport.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires nbdcopy --version
requires cmp --version

plugin_target 128M
src=$TB_DIR/source.img
out=$TB_DIR/out.img
log=$TB_DIR/nbdkit.log
head -c 128M /dev/urandom > "$src"

plugin_run -v transport=pcap \
  --run "nbdcopy -C 4 -R 64 --flush $(printf '%q' "$src") \"\$uri\"" \
  2> "$log" || { cat "$log" >&2; exit 1; }
grep -q "opened $TB_IFACE (pcap, MTU" "$log" || {
  grep -i opened "$log" >&2 || true
  fail "transport=pcap did not open $TB_IFACE with the pcap transport"
}
cmp "$src" "$PLUGIN_IMAGE"

plugin_run transport=pcap \
  --run "nbdcopy -C 4 -R 64 \"\$uri\" $(printf '%q' "$out")"
cmp "$src" "$out"
echo "test-plugin-transport-pcap.sh: ok"
