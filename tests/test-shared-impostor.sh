#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-shared-impostor.sh: strangers claiming the target's address.
#
# vblade serves e0.1 on a bridge; a third namespace joins the bridge:
#   1. an impostor (tests/impostor.py) that announces e0.1 every 0.5 s,
#      answers IDENTIFY as this host's vblade would and reads with junk,
#      appears while nbdkit aoe serves: an nbdcopy write and read back
#      are byte-exact, the impostor gets no write and no read beyond the
#      check's few, and nbdkit logs one error naming both MACs;
#   2. a silent impostor (announces, never answers) present at connect and
#      during a copy: the copy is exact, the impostor gets no data frame;
#      one that answers Query Config but no ATA command does not receive
#      the administration requests (they go to the verified port);
#   3. a second vblade serving the same image (real multipath): verified,
#      used, aoectl discover shows no conflict;
#   4. a second vblade serving another image of the same size as e0.1:
#      aoectl discover marks both as a conflict; connect fails naming both
#      MACs; mac= picks either disk, and reads return that disk's data.
set -euo pipefail
. "$AOE_SRCDIR/tests/tool-functions.sh"
tool_requires aoectl
requires test -n "${AOE_PLUGIN:-}"
requires command -v nbdcopy
requires test -n "$TB_PYTHON"

tool_two_initiators 64M random
# vblade serves the bridge, whose MAC would follow its lowest port's:
# pin it before the stranger's port joins.
target_mac=$(_tb_mac "$TB_NS_TARGET" "$TOOL_BRIDGE")
tb_target_exec ip link set dev "$TOOL_BRIDGE" address "$target_mac"
stranger_ns=aoe-$TB_ID-stranger
stranger_if=ax${TB_ID}s
_tb_add_netns "$stranger_ns"
ip -n "$TB_NS_TARGET" link add "${stranger_if}p" mtu 9000 type veth \
   peer name "$stranger_if" netns "$stranger_ns" mtu 9000 ||
  tool_fail "cannot create the stranger's veth pair"
tb_target_exec ip link set "${stranger_if}p" master "$TOOL_BRIDGE" up
ip -n "$stranger_ns" link set "$stranger_if" up
stranger_mac=$(_tb_mac "$stranger_ns" "$stranger_if")
sock=$TB_DIR/nbd.sock
uri="nbd+unix:///?socket=$sock"

# start_impostor [--silent]: the impostor in the stranger's namespace.
start_impostor ()
{
  local ready=$TB_DIR/impostor-$RANDOM.ready
  tb_bg ip netns exec "$stranger_ns" "$TB_PYTHON" \
    "$AOE_SRCDIR/tests/impostor.py" --ready-file "$ready" "$@" \
    "$stranger_if" 0 1 300
  impostor_pid=$TB_BG_PID
  impostor_log=$TB_BG_LOG
  tb_wait_for 10 test -e "$ready" || tool_fail "impostor.py did not start"
}

# impostor_count NAME: a count the stopped impostor printed.
impostor_count ()
{
  sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" "$impostor_log" | tail -1
}

# start_nbdkit KEY=VALUE...: nbdkit aoe for e0.1 on $TB_IFACE, serving
# $sock in the background (log in $nbdkit_log).
start_nbdkit ()
{
  rm -f "$sock"
  tb_init_bg nbdkit -f -v -U "$sock" "$AOE_PLUGIN" iface="$TB_IFACE" \
    shelf=0 slot=1 "$@"
  nbdkit_pid=$TB_BG_PID
  nbdkit_log=$TB_BG_LOG
  tb_wait_for 20 test -S "$sock" ||
    tool_fail "nbdkit did not start: $(grep -i error "$nbdkit_log" | head -3)"
}

# round_trip: 64 MiB of fresh data in through nbdkit and back out.
round_trip ()
{
  head -c 64M /dev/urandom > "$TB_DIR/src"
  tb_init_exec nbdcopy -C 4 -R 64 "$TB_DIR/src" "$uri"
  cmp "$TB_DIR/src" "$TOOL_IMAGE" || tool_fail "the target holds wrong data"
  tb_init_exec nbdcopy -C 4 -R 64 "$uri" "$TB_DIR/out"
  cmp "$TB_DIR/src" "$TB_DIR/out" || tool_fail "read back wrong data"
}

# ---- 1. an impostor appears mid-session ----
start_nbdkit
start_impostor
sleep 1.5   # a few announcements: the check runs meanwhile
round_trip
_tb_kill "$impostor_pid"
echo "impostor: $(cat "$impostor_log")"
[ "$(impostor_count writes)" -eq 0 ] || tool_fail "the impostor got writes"
[ "$(impostor_count identifies)" -ge 1 ] || tool_fail "the impostor was not checked"
[ "$(impostor_count reads)" -le 8 ] ||
  tool_fail "the impostor got more reads than the check makes"
_tb_kill "$nbdkit_pid"
warnings=$(grep -c "claims the target but is not the disk" "$nbdkit_log" || true)
[ "$warnings" -eq 1 ] || tool_fail "expected one warning, got $warnings"
grep "claims the target" "$nbdkit_log" | grep -q "$stranger_mac" &&
  grep "claims the target" "$nbdkit_log" | grep -q "$target_mac" ||
  tool_fail "the warning does not name both MACs: $(grep claims "$nbdkit_log")"
echo "1. impostor mid-session: copy byte-exact, $(grep -m1 'claims the target' "$nbdkit_log" | sed 's/.*nbdkit: //')"

# ---- 2. a silent impostor, at connect and during a copy ----
start_impostor --silent
sleep 0.7
start_nbdkit
round_trip
_tb_kill "$impostor_pid"
_tb_kill "$nbdkit_pid"
echo "silent impostor: $(cat "$impostor_log")"
[ "$(impostor_count writes)" -eq 0 ] || tool_fail "the silent impostor got writes"
[ "$(impostor_count reads)" -eq 0 ] || tool_fail "the silent impostor got reads"
echo "2. silent impostor: connect and copy byte-exact, no data frame to it"

# ---- 2b. administration goes to the verified port ----
# An impostor that answers Query Config like vblade (empty config string;
# often before vblade does, so it may be the first port found) but no
# other command: each fresh aoectl mask connect must send its request to
# vblade, the port IDENTIFY came from, and get vblade's answer.
start_impostor --silent --refuse-set
for (( i = 0; i < 8; i++ )); do
  tb_init_exec "$(tool_bin aoectl)" mask read -i "$TB_IFACE" e0.1 > /dev/null ||
    tool_fail "mask read $i did not reach vblade"
done
_tb_kill "$impostor_pid"
echo "2b. mask read through 8 fresh connects beside an impostor that" \
     "answers Query Config: all answered by vblade"

# ---- 3. a second port of the same disk: multipath still works ----
discover=("$(tool_bin aoectl)" discover)
_tb_spawn "$TB_DIR/vblade-twin.log" ip netns exec "$stranger_ns" \
  vblade 0 1 "$stranger_if" "$TOOL_IMAGE"
twin_pid=$_tb_last_pid
sleep 1
tb_init_exec "${discover[@]}" -i "$TB_IFACE" --json > "$TB_DIR/discover.json"
jq -e '[.[] | select(.target == "e0.1")] | length == 2 and
       all(.conflict == false)' "$TB_DIR/discover.json" > /dev/null ||
  tool_fail "aoectl discover: two ports of one disk: $(cat "$TB_DIR/discover.json")"
start_nbdkit
round_trip
_tb_kill "$nbdkit_pid"
grep -q "verified: same disk as" "$nbdkit_log" ||
  tool_fail "the second port was not verified"
_tb_kill "$twin_pid"
echo "3. a second vblade on the same image: verified, copy byte-exact," \
     "aoectl discover: no conflict"

# ---- 4. two vblades, two images, one shelf.slot ----
other=$TB_DIR/other.img
tb_image "$other" 64M random
_tb_spawn "$TB_DIR/vblade2.log" ip netns exec "$stranger_ns" \
  vblade 0 1 "$stranger_if" "$other"
sleep 1
tb_init_exec "${discover[@]}" -i "$TB_IFACE" --json > "$TB_DIR/discover.json"
jq -e '[.[] | select(.target == "e0.1")] | length == 2 and
       all(.conflict == true)' "$TB_DIR/discover.json" > /dev/null ||
  tool_fail "aoectl discover: two disks, no conflict: $(cat "$TB_DIR/discover.json")"
tb_init_exec "${discover[@]}" -i "$TB_IFACE" | grep -q "^e0.1  CONFLICT" ||
  tool_fail "aoectl discover's text shows no conflict"
out=$TB_DIR/conflict.err
status=0
tb_init_exec nbdkit -U - "$AOE_PLUGIN" iface="$TB_IFACE" shelf=0 slot=1 \
  --run true 2> "$out" || status=$?
cat "$out"
[ "$status" -ne 0 ] || tool_fail "nbdkit served two disks as one"
grep -q "two different disks answer as e0.1" "$out" &&
  grep "two different disks" "$out" | grep -q "$stranger_mac" &&
  grep "two different disks" "$out" | grep -q "$target_mac" ||
  tool_fail "no clear conflict message naming both MACs"
for pick in "$target_mac|$TOOL_IMAGE" "$stranger_mac|$other"; do
  tb_init_exec nbdkit -U - "$AOE_PLUGIN" iface="$TB_IFACE" shelf=0 slot=1 \
    mac="${pick%%|*}" --run "nbdcopy \"\$uri\" '$TB_DIR/picked'"
  cmp "$TB_DIR/picked" "${pick#*|}" ||
    tool_fail "mac=${pick%%|*} did not serve its own disk"
done
echo "4. two disks as e0.1: aoectl discover marks the conflict; connect refused" \
     "naming both; mac= serves either"
echo "test-shared-impostor.sh: ok"
