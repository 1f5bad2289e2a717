#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-reserve.sh: nbdkit aoe reserve=true.
#
# Two initiators (interfaces $TB_IFACE = A, $TB_IFACE2 = B) bridged to
# one vblade e0.1.  nbdkit on A with reserve=true: while it serves,
# aoectl reserve read shows A's MAC as the reserve list, B cannot write
# (aoectl copy exits 1: reserved) while NBD clients of nbdkit read and write; when
# nbdkit exits (end of --run, or SIGTERM) the reservation is released.
# With B holding the reservation, reserve=true refuses to start with one
# error line naming B's MAC, and leaves B's reservation alone.  Without
# reserve=true nothing is reserved.  A bad value is refused.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
. "$AOE_SRCDIR/tests/tool-functions.sh"
requires_plugin
requires nbdcopy --version
tool_requires aoectl
aoectl=$(tool_bin aoectl)

tool_two_initiators 16M random

# reserve_list IFACE: print e0.1's reserve list asked through IFACE.
reserve_list ()
{
  tb_init_exec "$aoectl" reserve read -i "$1" e0.1
}

nbdkit "$AOE_PLUGIN" --help | grep -q '^reserve=true' ||
  tool_fail "--help does not document reserve=true"

# ---- serving with reserve=true ----
head -c 16M /dev/urandom > "$TB_DIR/src.img"
cat > "$TB_DIR/inside.sh" <<EOF
#!/bin/bash
# Runs as nbdkit's --run command, in the initiator namespace; \$1 is
# the NBD URI.
set -u
'$aoectl' reserve read -i '$TB_IFACE2' e0.1 > '$TB_DIR/list-while-serving'
'$aoectl' copy -i '$TB_IFACE2' -q '$TB_DIR/src.img' e0.1 2> '$TB_DIR/b-write.err'
echo \$? > '$TB_DIR/b-write.status'
nbdcopy '$TB_DIR/src.img' "\$1" && nbdcopy "\$1" '$TB_DIR/out.img'
EOF
chmod +x "$TB_DIR/inside.sh"
plugin_run -v reserve=true --run "'$TB_DIR/inside.sh' \"\$uri\"" \
  2> "$TB_DIR/nbdkit.log" ||
  tool_fail "nbdkit reserve=true failed: $(grep -i error "$TB_DIR/nbdkit.log")"
echo "while serving: $(cat "$TB_DIR/list-while-serving")"
[ "$(cat "$TB_DIR/list-while-serving")" = "$TB_MAC_INIT" ] ||
  tool_fail "while serving the reserve list is not A's MAC $TB_MAC_INIT"
echo "B's write: exit $(cat "$TB_DIR/b-write.status"): $(cat "$TB_DIR/b-write.err")"
[ "$(cat "$TB_DIR/b-write.status")" = 1 ] ||
  tool_fail "B could write to the reserved target"
grep -q 'the target is reserved by another initiator' "$TB_DIR/b-write.err" ||
  tool_fail "B's write failed for another reason"
cmp "$TB_DIR/src.img" "$TOOL_IMAGE"
cmp "$TB_DIR/src.img" "$TB_DIR/out.img"
grep -q 'e0\.1: reserved for this initiator' "$TB_DIR/nbdkit.log" ||
  tool_fail "no debug line about the reservation"
grep -q 'e0\.1: reservation released' "$TB_DIR/nbdkit.log" ||
  tool_fail "no debug line about the release"
[ -z "$(reserve_list "$TB_IFACE2")" ] ||
  tool_fail "the reservation outlived nbdkit"
tool_expect 0 tb_init_exec "$aoectl" copy -i "$TB_IFACE2" -q -l 1M "$TB_DIR/src.img" e0.1

# ---- released on SIGTERM too ----
tb_init_bg nbdkit -f -U "$TB_DIR/sock" "$AOE_PLUGIN" iface="$TB_IFACE" \
  shelf=0 slot=1 reserve=true
nbdkit_pid=$TB_BG_PID
tb_wait_for 20 test -S "$TB_DIR/sock" ||
  tool_fail "nbdkit did not start: $(cat "$TB_BG_LOG")"
[ "$(reserve_list "$TB_IFACE2")" = "$TB_MAC_INIT" ] ||
  tool_fail "background nbdkit did not reserve"
tb_init_exec nbdcopy "nbd+unix:///?socket=$TB_DIR/sock" "$TB_DIR/out2.img"
cmp "$TOOL_IMAGE" "$TB_DIR/out2.img"
kill -TERM "$nbdkit_pid"
tb_wait_for 30 eval '! _tb_alive "$nbdkit_pid"' ||
  tool_fail "nbdkit did not exit within 30 s of SIGTERM: $(tail -5 "$TB_BG_LOG")"
wait "$nbdkit_pid" || :
[ -z "$(reserve_list "$TB_IFACE2")" ] ||
  tool_fail "the reservation outlived nbdkit after SIGTERM: $(cat "$TB_BG_LOG")"

# ---- another initiator holds it: refuse to start ----
tool_expect 0 tb_init_exec "$aoectl" reserve set -i "$TB_IFACE2" e0.1
plugin_expect_error "held by B" \
  "error: reserve=true: cannot reserve AoE target e0\\.1: .*reserved by another initiator \\($TB_MAC_INIT2\\)" \
  plugin_run reserve=true --run 'exit 0'
[ "$(reserve_list "$TB_IFACE")" = "$TB_MAC_INIT2" ] ||
  tool_fail "a refused nbdkit changed B's reservation"
tool_expect 0 tb_init_exec "$aoectl" reserve release -i "$TB_IFACE2" e0.1

# ---- reserve=false (the default) reserves nothing ----
plugin_run reserve=false --run "'$aoectl' reserve read -i '$TB_IFACE2' e0.1 > '$TB_DIR/list-false'"
[ ! -s "$TB_DIR/list-false" ] || tool_fail "reserve=false reserved"
plugin_run --run "'$aoectl' reserve read -i '$TB_IFACE2' e0.1 > '$TB_DIR/list-default'"
[ ! -s "$TB_DIR/list-default" ] || tool_fail "the default reserved"

# ---- a bad value ----
plugin_expect_error "reserve=maybe" \
  "error: reserve=maybe: expected a boolean \\(true or false\\)" \
  plugin_run reserve=maybe --run 'exit 0'
plugin_expect_error "reserve twice" "error: reserve given more than once" \
  plugin_run reserve=true reserve=false --run 'exit 0'
echo "test-plugin-reserve.sh: PASS"
