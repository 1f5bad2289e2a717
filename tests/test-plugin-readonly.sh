#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-readonly.sh: a read-only AoE target (vblade -r) at
# MTU 1500.  Reads work (aligned and not), every write fails with EPERM
# (the errno reaches the NBD client intact, and nbdkit logs the reason),
# the image is untouched, and the preferred block size at MTU 1500 (2
# sectors per frame) is the 4096 floor.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires_nbdsh
requires nbdinfo --version
requires jq --version

PLUGIN_MTU=1500 plugin_target 16M random -r
cp "$PLUGIN_IMAGE" "$TB_DIR/before.img"

preferred=$(plugin_run --run 'nbdinfo --json "$uri"' |
              jq -r '.exports[0].block_size_preferred')
if [ "$preferred" != 4096 ]; then
  fail "preferred block size $preferred at MTU 1500"
fi

log=$TB_DIR/nbdkit.log
export IMAGE=$PLUGIN_IMAGE
plugin_run --run 'nbdsh -u "$uri" -c -' 2> "$log" <<'PY'
import os
h.set_strict_mode(h.get_strict_mode() & ~nbd.STRICT_ALIGN)
with open(os.environ["IMAGE"], "rb") as f:
    disk = f.read()

# Reads: aligned, unaligned, crossing many frames.
for offset, count in [(0, 512), (1000, 3), (511, 2), (4096, 65536),
                      (12345, 1000000), (len(disk) - 7, 7)]:
    assert h.pread(count, offset) == disk[offset:offset + count], \
        "read of %d at %d differs" % (count, offset)

# Writes: aligned and unaligned (read-modify-write) must fail with EPERM.
for offset, count in [(0, 512), (4096, 65536), (100, 10), (1000, 5000)]:
    try:
        h.pwrite(b"\xa5" * count, offset)
    except nbd.Error as ex:
        assert ex.errno == "EPERM", "write errno %s: %s" % (ex.errno, ex)
    else:
        raise AssertionError("write of %d at %d succeeded" % (count, offset))
PY
cat "$log"
grep -Eiq 'error: .*write of [0-9]+ bytes at offset 0.*(refused|read-only|not permitted)' "$log" || {
  fail "nbdkit logged no write error"
}
cmp "$TB_DIR/before.img" "$PLUGIN_IMAGE"
echo "test-plugin-readonly.sh: ok"
