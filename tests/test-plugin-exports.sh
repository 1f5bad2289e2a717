#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-exports.sh: nbdkit aoe without a target serves every
# target on the segment, one export each named eSHELF.SLOT.  Three vblade
# targets of different sizes (e0.1, e0.2, e1.0) in one target namespace:
#  1. nbdinfo --list --json shows the three, in (shelf, slot) order, with
#     their sizes and descriptions (model, serial); the default export
#     (a client asking for "") is e0.1, the first;
#  2. nbdcopy round trips through e0.2 and e1.0 at once are byte-exact,
#     reading and writing;
#  3. bad export names (not eSHELF.SLOT, or no such target) refuse the
#     client with one error line in nbdkit's log;
#  4. a fourth target (e1.5) started while nbdkit runs is listed and
#     served without a restart;
#  5. a target killed (e0.2) fails its I/O after timeout= and is no
#     longer listed; restarted, it is listed again and serves again;
#  6. nbdkit aoe e0.2 (a target given) serves only e0.2: listed alone,
#     the default, and other names refused.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
requires_plugin
requires nbdinfo --version
requires nbdcopy --version
requires jq --version

# e0.1 (plugin_target), then e0.2 and e1.0, each of its own size.
plugin_target 3M random
img02=$TB_DIR/e0.2.img img10=$TB_DIR/e1.0.img img15=$TB_DIR/e1.5.img
tb_image "$img02" 5M random
tb_image "$img10" 2M random
tb_image "$img15" 1M random
tb_vblade 0 2 "$img02"
pid02=$TB_VBLADE_PID
tb_vblade 1 0 "$img10"

sock=$TB_DIR/nbd.sock
tb_init_bg nbdkit -f -U "$sock" "$AOE_PLUGIN" iface="$TB_IFACE" \
  discover-timeout=1 timeout=3
log=$TB_BG_LOG
tb_wait_for 20 test -S "$sock" || fail "nbdkit did not start: $(cat "$log")"

# uri [NAME]: the URI of export NAME ("" the default).
uri ()
{
  echo "nbd+unix:///${1:-}?socket=$sock"
}

# exports: the export names listed, one line, in order.
exports ()
{
  tb_init_exec nbdinfo --list --json "$(uri)" |
    jq -r '[.exports[]."export-name"] | join(" ")'
}

# size_of NAME: the size nbdinfo reports for export NAME.
size_of ()
{
  tb_init_exec nbdinfo --size "$(uri "$1")"
}

# ---- 1. the listing ----
list=$(tb_init_exec nbdinfo --list --json "$(uri)")
echo "$list" | jq -c '.exports[] | [."export-name", ."export-size", .description]'
[ "$(jq -r '[.exports[]."export-name"] | join(" ")' <<< "$list")" = "e0.1 e0.2 e1.0" ] ||
  fail "listing: $(jq -c '[.exports[]."export-name"]' <<< "$list")"
for e in "e0.1 3145728" "e0.2 5242880" "e1.0 2097152"; do
  read -r name size <<< "$e"
  got=$(jq -r --arg n "$name" '.exports[] | select(."export-name" == $n) | ."export-size"' <<< "$list")
  [ "$got" = "$size" ] || fail "$name: listed size $got, expected $size"
  desc=$(jq -r --arg n "$name" '.exports[] | select(."export-name" == $n) | .description' <<< "$list")
  # The model and the serial number vblade's IDENTIFY gives (vblade's
  # serial is SHELF.SLOT:HOST: this target's own).
  [[ "$desc" == *?", serial ${name#e}:"?* ]] ||
    fail "$name: description '$desc'"
done
[ "$(size_of "")" = 3145728 ] || fail "the default export is not e0.1"

# ---- 2. two exports at once, byte-exact ----
# copy_two SRC1 DST1 SRC2 DST2: two nbdcopy at once, both must succeed.
copy_two ()
{
  local pid1 pid2
  tb_init_exec nbdcopy "$1" "$2" &
  pid1=$!
  tb_init_exec nbdcopy "$3" "$4" &
  pid2=$!
  wait "$pid1" || fail "nbdcopy $1 $2 failed"
  wait "$pid2" || fail "nbdcopy $3 $4 failed"
}
copy_two "$(uri e0.2)" "$TB_DIR/copy02" "$(uri e1.0)" "$TB_DIR/copy10"
cmp "$img02" "$TB_DIR/copy02" || fail "e0.2 read differs"
cmp "$img10" "$TB_DIR/copy10" || fail "e1.0 read differs"
tb_image "$TB_DIR/new02" 5M random
tb_image "$TB_DIR/new10" 2M random
copy_two "$TB_DIR/new02" "$(uri e0.2)" "$TB_DIR/new10" "$(uri e1.0)"
cmp "$img02" "$TB_DIR/new02" || fail "e0.2 write differs"
cmp "$img10" "$TB_DIR/new10" || fail "e1.0 write differs"
cmp "$PLUGIN_IMAGE" <(tb_init_exec nbdcopy "$(uri e0.1)" -) ||
  fail "e0.1 read differs"
echo "two exports at once: byte-exact both ways"

# ---- 3. bad names: one error line each ----
# bad_name NAME PATTERN: the client is refused, and nbdkit logs exactly
# one new error line, matching PATTERN.
bad_name ()
{
  local before after
  before=$(grep -c 'error' "$log" || true)
  if tb_init_exec nbdinfo --size "$(uri "$1")" > /dev/null 2>&1; then
    fail "export '$1' was served"
  fi
  after=$(grep -c 'error' "$log" || true)
  grep 'error' "$log" | tail -n $(( after - before )) | sed "s/^/export '$1': /"
  [ $(( after - before )) -eq 1 ] ||
    fail "export '$1': $(( after - before )) error lines"
  grep 'error' "$log" | tail -n 1 | grep -Eq -- "$2" ||
    fail "export '$1': no error matching '$2'"
}
bad_name foo "error: export 'foo': not an AoE target name: expected eSHELF\.SLOT"
bad_name e0.01 "error: export 'e0\.01': not an AoE target name"
bad_name e9.9 "error: export 'e9\.9': no AoE target e9\.9 answers"

# ---- 4. a target appearing while nbdkit runs ----
tb_vblade 1 5 "$img15"
# Rediscovery runs at most every 2 s: the last one was for e9.9 just now.
sleep 2.2
start=$(date +%s%N)
listed=$(exports)
ms_scan=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$listed" = "e0.1 e0.2 e1.0 e1.5" ] || fail "e1.5 not listed: $listed"
start=$(date +%s%N)
listed=$(exports)
ms_cached=$(( ($(date +%s%N) - start) / 1000000 ))
echo "listing: $ms_scan ms with a rediscovery, $ms_cached ms within 2 s of it"
cmp "$img15" <(tb_init_exec nbdcopy "$(uri e1.5)" -) || fail "e1.5 read differs"
echo "e1.5, started later, is listed and served"

# ---- 5. a target going away and coming back ----
tb_vblade_stop "$pid02"
start=$(date +%s%N)
# One request at a time: nbdcopy hangs up at its first error, and with
# replies still queued nbdkit 1.32 (Debian 12) can abort on the closed
# socket (its bug, fixed upstream in 1.33.10: README, "Known problems").
if tb_init_exec nbdcopy --connections=1 --requests=1 "$(uri e0.2)" "$TB_DIR/gone02" \
     2> "$TB_DIR/gone.err"; then
  fail "e0.2 read succeeded with its target stopped"
fi
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "e0.2 stopped: read failed after $ms ms: $(head -n 1 "$TB_DIR/gone.err")"
[ "$ms" -ge 2500 ] || fail "e0.2 failed after $ms ms, before timeout=3"
sleep 2.2
[ "$(exports)" = "e0.1 e1.0 e1.5" ] || fail "e0.2 still listed: $(exports)"
tb_vblade 0 2 "$img02"
sleep 2.2
[ "$(exports)" = "e0.1 e0.2 e1.0 e1.5" ] || fail "e0.2 not listed again: $(exports)"
cmp "$img02" <(tb_init_exec nbdcopy "$(uri e0.2)" -) || fail "e0.2 read differs"
echo "e0.2 went away (I/O failed, unlisted) and came back (listed, served)"

# ---- 6. one target given: only it ----
one=(tb_init_exec nbdkit -U - "$AOE_PLUGIN" e0.2 iface="$TB_IFACE")
"${one[@]}" --run 'nbdinfo --list --json "$uri"' > "$TB_DIR/one.json"
[ "$(jq -r '[.exports[]."export-name"] | join(" ")' "$TB_DIR/one.json")" = e0.2 ] ||
  fail "nbdkit aoe e0.2 lists $(jq -c '[.exports[]."export-name"]' "$TB_DIR/one.json")"
[ "$(jq -r '.exports[0]."export-size"' "$TB_DIR/one.json")" = 5242880 ] ||
  fail "nbdkit aoe e0.2: listed size"
[ "$("${one[@]}" --run 'nbdinfo --size "$uri"')" = 5242880 ] ||
  fail "nbdkit aoe e0.2: the default export is not e0.2"
plugin_expect_error "e0.1 from nbdkit aoe e0.2" \
  "error: export 'e0\.1': this server serves AoE target e0\.2 only" \
  "${one[@]}" --run 'nbdinfo --size "nbd+unix:///e0.1?socket=$unixsocket"'
echo "test-plugin-exports.sh: ok"
