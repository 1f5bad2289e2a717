#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-copy.sh: bulk copies through nbdkit aoe.
#
# nbdcopy 256 MiB of random data into the export with 4 connections and 64
# requests in flight on each, compare the image file vblade serves byte for
# byte, then copy the export back out the same way and compare again.
# Finally one 40 MiB write and read at an odd offset (split by the plugin
# into 32 MiB commands, partial sectors at both ends).
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires nbdcopy --version
requires cmp --version

plugin_target 256M
src=$TB_DIR/source.img
out=$TB_DIR/out.img
head -c 256M /dev/urandom > "$src"

# In: multi-conn, 64 requests per connection.
start=$(date +%s%N)
plugin_run --run "nbdcopy -C 4 -R 64 --flush $(printf '%q' "$src") \"\$uri\""
end=$(date +%s%N)
echo "copy in: $(( 256 * 1000000000 / (end - start + 1) )) MiB/s"
cmp "$src" "$PLUGIN_IMAGE"

# Out: the same, into a fresh file.
start=$(date +%s%N)
plugin_run --run "nbdcopy -C 4 -R 64 \"\$uri\" $(printf '%q' "$out")"
end=$(date +%s%N)
echo "copy out: $(( 256 * 1000000000 / (end - start + 1) )) MiB/s"
cmp "$src" "$out"

# Requests larger than 32 MiB (split by the plugin) and not aligned at
# either end, checked against the image file.
requires_nbdsh
export IMAGE=$PLUGIN_IMAGE SOURCE=$src
plugin_run --run 'nbdsh -u "$uri" -c -' <<'PY'
import os
size = 40 * 1024 * 1024 + 777
offset = 12345
data = os.urandom(size)
h.set_strict_mode(h.get_strict_mode() & ~nbd.STRICT_ALIGN)
h.pwrite(data, offset)
h.flush()
assert h.pread(size, offset) == data, "read back differs"
with open(os.environ["IMAGE"], "rb") as image, \
     open(os.environ["SOURCE"], "rb") as source:
    image.seek(offset)
    assert image.read(size) == data, "image differs"
    image.seek(0)
    assert image.read(offset) == source.read(offset), "bytes before changed"
    image.seek(offset + size)
    source.seek(offset + size)
    assert image.read(4096) == source.read(4096), "bytes after changed"
PY
echo "test-plugin-copy.sh: ok"
