#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-tool-admin.sh: aoectl config, mask and reserve against vblade.
#
# Config string read, set (refused with exit 1 when set to something
# else), test and test-prefix (exit 0 match, 1 mismatch, decided within a
# couple of seconds although the target answers a mismatch with
# silence), force-set, a string starting with '-' after '--', options
# after the target, a UTF-8 string (café) kept as UTF-8 in text and JSON;
# the MAC mask list of a vblade started with -m (read only: vblade 25's
# mask edits are broken, see tests/test-engine-admin.c for add/delete
# against the fake target); reserve/release with two initiators: a
# reserved target refuses the other initiator's writes (aoectl copy exits
# 1: reserved) and its reserve set, and accepts them after release;
# force-set and force-release; a request the target never answers
# (nftables drops it): exit 1.
set -euo pipefail
. "$AOE_SRCDIR/tests/tool-functions.sh"
requires test -n "$TB_PYTHON"
tool_requires aoectl
aoectl=$(tool_bin aoectl)
copy=("$aoectl" copy)

tool_two_initiators 16M random
e01_pid=$TB_VBLADE_PID   # e0.1's vblade (a later tb_vblade serves e0.2)
stranger=02:00:00:00:00:77

# a GROUP ACTION [ARGS...]: aoectl GROUP ACTION as initiator A on e0.1.
a ()
{
  tb_init_exec "$aoectl" "$1" "$2" -i "$TB_IFACE" e0.1 "${@:3}"
}

# b GROUP ACTION [ARGS...]: the same as initiator B.
b ()
{
  tb_init_exec "$aoectl" "$1" "$2" -i "$TB_IFACE2" e0.1 "${@:3}"
}

# ---- config string ----
tool_expect 0 a config read
[ "$(cat "$TOOL_OUT")" = "" ] && [ "$(wc -l < "$TOOL_OUT")" -eq 1 ] ||
  tool_fail "a fresh vblade's config string is not empty"
tool_expect 0 a config set 'rack 3, "bay" 7'
[ ! -s "$TOOL_OUT" ] && [ ! -s "$TOOL_ERR" ] || tool_fail "config set printed"
tool_expect 0 b config read
[ "$(cat "$TOOL_OUT")" = 'rack 3, "bay" 7' ] || tool_fail "config read after set"
# The same string again is fine; another is refused, quoting the current.
tool_expect 0 b config set 'rack 3, "bay" 7'
tool_expect_error 1 'already set to "rack 3, "bay" 7"' b config set other
tool_expect 0 a config test 'rack 3, "bay" 7'
start=$(date +%s%N)
tool_expect_error 1 '^aoectl config: e0\.1: the config string does not match "rack 3"$' \
  a config test 'rack 3'
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "mismatch decided in $elapsed_ms ms"
[ "$elapsed_ms" -lt 4000 ] || tool_fail "a config test mismatch took $elapsed_ms ms"
tool_expect 0 a config test-prefix 'rack 3'
tool_expect 0 a config test-prefix ''
tool_expect_error 1 'does not start with "rack 4"' a config test-prefix 'rack 4'
tool_expect_error 1 'does not start with' a config test-prefix \
  'rack 3, "bay" 7 and more'
# A string starting with '-' is an argument after '--' (before it, an
# option: unknown, nothing sent).
tool_expect_error 2 "unknown option '-x'" b config force-set '-x é'
tool_expect 0 b config force-set -- '-x é'
tool_expect 0 a config read
[ "$(cat "$TOOL_OUT")" = '-x é' ] ||
  tool_fail "the string set after '--' is not read back: $(cat "$TOOL_OUT")"
tool_expect 0 a config test -- '-x é'
# Options after the target (and the action) work too.
tool_expect 0 tb_init_exec "$aoectl" config read e0.1 -i "$TB_IFACE"
[ "$(cat "$TOOL_OUT")" = '-x é' ] || tool_fail "config read TARGET -i IFACE"
tool_expect_error 2 "'config test' takes exactly one string" \
  tb_init_exec "$aoectl" config test e0.1 -i "$TB_IFACE" -- '-x é' -i
# The longest string AoE allows.
long=$(head -c 1024 /dev/zero | tr '\0' 'L')
tool_expect 0 a config force-set "$long"
tool_expect 0 a config read
[ "$(cat "$TOOL_OUT")" = "$long" ] || tool_fail "1024-byte string not read back"
tool_expect_error 2 'is 1025 bytes, at most 1024' a config set "${long}L"

# ---- reserve/release between initiators A and B ----
tool_expect 0 a reserve read
[ ! -s "$TOOL_OUT" ] || tool_fail "a fresh vblade is reserved: $(cat "$TOOL_OUT")"
tool_expect 0 a reserve set
tool_expect 0 b reserve read
[ "$(cat "$TOOL_OUT")" = "$TB_MAC_INIT" ] ||
  tool_fail "reserve set did not default to A's MAC $TB_MAC_INIT"
# B is refused: its writes, its reads, its reserve set and release.
head -c 1M /dev/urandom > "$TB_DIR/b.bin"
sha_before=$(sha256sum < "$TOOL_IMAGE")
tool_expect_error 1 'write of .* failed: the target is reserved by another initiator' \
  tb_init_exec "${copy[@]}" -i "$TB_IFACE2" -q "$TB_DIR/b.bin" e0.1
[ "$(sha256sum < "$TOOL_IMAGE")" = "$sha_before" ] ||
  tool_fail "B's refused write changed the target"
tool_expect_error 1 'read of .* failed: the target is reserved' \
  tb_init_exec "${copy[@]}" -i "$TB_IFACE2" -q -l 4096 e0.1 "$TB_DIR/x"
tool_expect_error 1 "e0\\.1 is reserved by another initiator \\($TB_MAC_INIT\\)" \
  b reserve set
tool_expect_error 1 "reserved by another initiator \\($TB_MAC_INIT\\)" \
  b reserve release
# A, the holder, still writes.
tool_expect 0 tb_init_exec "${copy[@]}" -i "$TB_IFACE" -q -o 1M "$TB_DIR/b.bin" e0.1
cmp "$TB_DIR/b.bin" <(tail -c +$((1024 * 1024 + 1)) "$TOOL_IMAGE" | head -c 1M)
# A may list more MACs (itself among them), plain set.
tool_expect 0 a reserve set "$TB_MAC_INIT" "$stranger"
tool_expect 0 a reserve read
[ "$(tr '\n' ' ' < "$TOOL_OUT")" = "$TB_MAC_INIT $stranger " ] ||
  tool_fail "reserve list: $(cat "$TOOL_OUT")"
# A releases: B writes.
tool_expect 0 a reserve release
tool_expect 0 a reserve read
[ ! -s "$TOOL_OUT" ] || tool_fail "still reserved after release"
tool_expect 0 tb_init_exec "${copy[@]}" -i "$TB_IFACE2" -q --verify "$TB_DIR/b.bin" e0.1
cmp "$TB_DIR/b.bin" <(head -c 1M "$TOOL_IMAGE")
# B takes it; A breaks it with force-set (to itself), then force-release.
tool_expect 0 b reserve set
tool_expect_error 1 'reserved by another initiator' \
  tb_init_exec "${copy[@]}" -i "$TB_IFACE" -q "$TB_DIR/b.bin" e0.1
tool_expect 0 a reserve force-set
tool_expect 0 b reserve read
[ "$(cat "$TOOL_OUT")" = "$TB_MAC_INIT" ] || tool_fail "force-set: $(cat "$TOOL_OUT")"
tool_expect 0 b reserve force-release
tool_expect 0 a reserve read
[ ! -s "$TOOL_OUT" ] || tool_fail "still reserved after force-release"
tool_expect 0 tb_init_exec "${copy[@]}" -i "$TB_IFACE2" -q "$TB_DIR/b.bin" e0.1

# ---- the MAC mask list: read only (vblade -m; its edits are broken) ----
tb_image "$TB_DIR/m.img" 1M
tb_vblade 0 2 "$TB_DIR/m.img" -m "$TB_MAC_INIT,$stranger"
tool_expect 0 tb_init_exec "$aoectl" mask read -i "$TB_IFACE" e0.2
[ "$(tr '\n' ' ' < "$TOOL_OUT")" = "$TB_MAC_INIT $stranger " ] ||
  tool_fail "mask read: $(cat "$TOOL_OUT")"
tool_expect 0 tb_init_exec "$aoectl" mask read -i "$TB_IFACE" e0.1
[ ! -s "$TOOL_OUT" ] || tool_fail "e0.1 has a mask: $(cat "$TOOL_OUT")"
# --json: one object.
tool_expect 0 tb_init_exec "$aoectl" mask read --json -i "$TB_IFACE" e0.2
jq -e --arg a "$TB_MAC_INIT" --arg s "$stranger" \
  '. == {target: "e0.2", mask: [$a, $s]}' "$TOOL_OUT" > /dev/null ||
  tool_fail "mask read --json: $(cat "$TOOL_OUT")"
tool_expect 0 tb_init_exec "$aoectl" reserve read -i "$TB_IFACE" e0.2 --json
jq -e '. == {target: "e0.2", reserve: []}' "$TOOL_OUT" > /dev/null ||
  tool_fail "reserve read --json: $(cat "$TOOL_OUT")"
tool_expect_error 2 "--json is for 'config read': 'config set' prints nothing" \
  tb_init_exec "$aoectl" config set --json -i "$TB_IFACE" e0.2 x

# ---- a UTF-8 config string (e0.2's, fresh): kept as UTF-8 ----
# The target stores bytes; text and JSON show valid UTF-8 as it is.
e02=(-i "$TB_IFACE" e0.2)
tool_expect 0 tb_init_exec "$aoectl" config set "${e02[@]}" café
tool_expect 0 tb_init_exec "$aoectl" config read "${e02[@]}"
[ "$(cat "$TOOL_OUT")" = café ] || tool_fail "config read: $(cat "$TOOL_OUT")"
[ "$(od -An -tx1 "$TOOL_OUT" | tr -d ' \n')" = 636166c3a90a ] ||
  tool_fail "config read: not the UTF-8 bytes of café: $(od -An -tx1 "$TOOL_OUT")"
tool_expect 0 tb_init_exec "$aoectl" config read "${e02[@]}" --json
grep -qF '{"target": "e0.2", "config": "café"}' "$TOOL_OUT" ||
  tool_fail "config read --json does not keep café as UTF-8: $(cat "$TOOL_OUT")"
jq -e '. == {target: "e0.2", config: "café"}' "$TOOL_OUT" > /dev/null ||
  tool_fail "config read --json (jq): $(cat "$TOOL_OUT")"
"$TB_PYTHON" - "$TOOL_OUT" <<'PY' || tool_fail "config read --json (python)"
import json, sys
with open(sys.argv[1], "rb") as f:
    raw = f.read()
assert json.loads(raw.decode("utf-8"))["config"] == "caf\u00e9", raw
PY
tool_expect 0 tb_init_exec "$aoectl" config test "${e02[@]}" café
tool_expect 0 tb_init_exec "$aoectl" config test-prefix "${e02[@]}" caf
tool_expect_error 1 'does not match "cafe"' \
  tb_init_exec "$aoectl" config test "${e02[@]}" cafe
tool_expect 0 tb_init_exec "$aoectl" discover -i "$TB_IFACE" -t 300 --json
jq -e '.[] | select(.target == "e0.2") | .config == "café"' "$TOOL_OUT" \
  > /dev/null || tool_fail "aoectl discover --json: $(cat "$TOOL_OUT")"

# B is not on e0.2's mask: the target ignores it entirely.
tool_expect_error 2 'no AoE target e0\.2 answered' \
  tb_init_exec "$aoectl" mask read -i "$TB_IFACE2" e0.2

# ---- a target that stops answering: exit 1, one line ----
# Drop every Reserve/Release request (AoE command 3, byte 5 after the
# Ethernet header) arriving from A: connect still works, the request
# times out.
tb_target_exec nft add table netdev aoetest
tb_target_exec nft add chain netdev aoetest in \
  "{ type filter hook ingress device \"$TOOL_PORT1\" priority 0; }"
tb_target_exec nft add rule netdev aoetest in ether type 0x88a2 @nh,40,8 3 drop
tool_expect_error 1 'e0\.1 \(.*\) did not answer the reserve read request within 3000 ms' \
  a reserve read
tool_expect 0 a config read

# ---- a refusal that carries no string ----
# A target may refuse "set" (AoE error 4) without saying what is set:
# the message must not claim the string is "".
tb_vblade_stop "$e01_pid"
ready=$TB_DIR/refuser.ready
tb_bg ip netns exec "$TB_NS_TARGET" "$TB_PYTHON" "$AOE_SRCDIR/tests/impostor.py" \
  --ready-file "$ready" --refuse-set "$TB_TIFACE" 0 1 60
tb_wait_for 10 test -e "$ready" || tool_fail "impostor.py did not start"
tool_expect_error 1 'already set to another string \(a force set replaces it\)' \
  a config set other
echo "test-tool-admin.sh: PASS"
