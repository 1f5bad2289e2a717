#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-io-errors.sh: I/O error paths.  With the target up: wrong
# state and bad arguments, aio submitted from callbacks, aoe_close with
# commands in flight.  Then vblade is stopped: a read fails with EIO after
# the command timeout, and a command without timeout fails with ESHUTDOWN
# at aoe_close.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

lib_target 9000 64M
fifo=$TB_DIR/go
mkfifo "$fifo"
# Our own log file, opened before the program starts (not tb_init_bg's,
# which is renamed after the start).
log=$TB_DIR/io-errors.log
tb_init_bg bash -c 'exec "$@" > "$0" 2>&1' "$log" \
  "$(lib_prog lib-io-errors)" "$TB_IFACE" 0 1 "$fifo"
pid=$TB_BG_PID
if ! tb_wait_for 60 grep -q '^ready$' "$log"; then
  cat "$log"
  lib_fail "lib-io-errors did not reach the dead-target phase"
fi
tb_vblade_stop
echo go > "$fifo"
status=0
wait "$pid" || status=$?
cat "$log"
[ "$status" -eq 0 ] || lib_fail "lib-io-errors exited with status $status"
grep -q '^lib-io-errors: ok$' "$log" || lib_fail "lib-io-errors did not finish"
echo "test-lib-io-errors.sh: ok"
