#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-fault-dead.sh: the target goes away for good, then comes back.
#
# nbdkit aoe with timeout=5 serves e0.1; vblade is stopped.  A read and a
# write must each fail with EIO within 5 to 7 s (measured), nbdkit must
# stay up and keep answering (nbdinfo), and once vblade serves the image
# again, new reads and writes through the same nbdkit succeed.
set -euo pipefail
. "$AOE_SRCDIR/tests/fault-functions.sh"
requires_fault_tools
requires_nbdsh
requires nbdinfo --version

plugin_target 16M random

# The test bed's background log holds everything the process printed,
# from its first byte on (the child opens it under its final name).
tb_bg sh -c 'echo first-line'
wait "$TB_BG_PID"
grep -q '^first-line$' "$TB_BG_LOG" || lib_fail "tb_bg lost the output"

fault_nbdkit_start -- timeout=5
export IMAGE=$PLUGIN_IMAGE

tb_init_exec nbdsh -u "$FAULT_URI" -c \
  'import os; assert h.pread(4096, 0) == open(os.environ["IMAGE"], "rb").read(4096)'
tb_vblade_stop

# Both a read and a write fail with EIO between 5 and 7 s.
tb_init_exec nbdsh -u "$FAULT_URI" -c - <<'PY'
import time
h.set_strict_mode(h.get_strict_mode() & ~nbd.STRICT_ALIGN)
for what, call in [("read", lambda: h.pread(65536, 8192)),
                   ("write", lambda: h.pwrite(b"x" * 65536, 8192))]:
    start = time.monotonic()
    try:
        call()
    except nbd.Error as ex:
        elapsed = time.monotonic() - start
        print("%s failed after %.2f s: %s" % (what, elapsed, ex))
        assert ex.errno == "EIO", "%s: errno %s, expected EIO" % (what, ex.errno)
        assert 5.0 <= elapsed <= 7.0, "%s: timeout=5 took %.2f s" % (what, elapsed)
    else:
        raise AssertionError("%s succeeded with the target gone" % what)
PY

# nbdkit is still up and answers.
_tb_alive "$FAULT_NBDKIT_PID" || lib_fail "nbdkit exited"
tb_init_exec nbdinfo --size "$FAULT_URI" | grep -qx $(( 16 << 20 )) ||
  lib_fail "nbdinfo did not report the size"

# The target comes back: new I/O through the same nbdkit succeeds.
tb_vblade 0 1 "$PLUGIN_IMAGE"
tb_init_exec nbdsh -u "$FAULT_URI" -c - <<'PY'
import os
data = os.urandom(1 << 20)
h.pwrite(data, 4 << 20)
h.flush()
assert h.pread(1 << 20, 4 << 20) == data, "read back differs"
with open(os.environ["IMAGE"], "rb") as f:
    f.seek(4 << 20)
    assert f.read(1 << 20) == data, "the image differs"
print("I/O after the target came back: ok")
PY
fault_nbdkit_stop
[ "$(grep -c 'error: ' "$FAULT_NBDKIT_LOG")" -ge 2 ] ||
  lib_fail "nbdkit did not log the failed read and write"
echo "test-fault-dead.sh: ok"
