#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-timeout.sh: timeout= and the errors clients see when
# the target goes away.  With timeout=2, reads fail with EIO after about 2 s
# once vblade is stopped (not EINVAL, not a hang); after vblade comes back
# on the same interface the same nbdkit serves correct data again.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires_nbdsh

plugin_target 16M random
sock=$TB_DIR/nbd.sock
tb_init_bg nbdkit -f -U "$sock" "$AOE_PLUGIN" iface="$TB_IFACE" shelf=0 \
  slot=1 timeout=2
nbdkit_log=$TB_DIR/bg-$TB_BG_PID.log
tb_wait_for 20 test -S "$sock" || {
  cat "$nbdkit_log"
  fail "nbdkit did not start"
}
export URI="nbd+unix:///?socket=$sock" IMAGE=$PLUGIN_IMAGE

# check_reads: reads through nbdkit equal the image.
check_reads ()
{
  nbdsh -u "$URI" -c - <<'PY'
import os
with open(os.environ["IMAGE"], "rb") as f:
    disk = f.read()
h.set_strict_mode(h.get_strict_mode() & ~nbd.STRICT_ALIGN)
for offset, count in [(0, 4096), (8192, 100000), (len(disk) - 512, 512)]:
    assert h.pread(count, offset) == disk[offset:offset + count]
PY
}

check_reads

tb_vblade_stop
nbdsh -u "$URI" -c - <<'PY'
import time
start = time.monotonic()
try:
    h.pread(4096, 0)
except nbd.Error as ex:
    elapsed = time.monotonic() - start
    print("read failed after %.1f s: %s" % (elapsed, ex))
    assert ex.errno == "EIO", "errno %s, expected EIO" % ex.errno
    assert 1.5 <= elapsed < 8, "timeout=2 took %.1f s" % elapsed
else:
    raise AssertionError("read succeeded with the target stopped")
PY
grep -q 'error: ' "$nbdkit_log" || {
  fail "nbdkit logged no error"
}

tb_vblade 0 1 "$PLUGIN_IMAGE"
check_reads
echo "test-plugin-timeout.sh: ok"
