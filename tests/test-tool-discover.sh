#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-tool-discover.sh: aoectl discover against vblade.
#
# Three vblades: e0.1 (64 MiB, config string with a quote and a byte that
# is not UTF-8) and e1.2 (-b 8) on path 1 (MTU 9000), e0.3 on path 2
# (MTU 1500).  Checks the text and JSON output field by field, searching
# one and two interfaces, exit 1 when nothing answers, and the usage and
# failure errors (exit 2, one line on stderr).
set -euo pipefail
AOE_SRCDIR=${AOE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
AOE_BUILDDIR=${AOE_BUILDDIR:-$AOE_SRCDIR/build}
. "$AOE_SRCDIR/tests/functions.sh"

requires_root
requires command -v vblade
requires command -v jq
requires test -x "$AOE_BUILDDIR/examples/aoectl"
discover=("$AOE_BUILDDIR/examples/aoectl" discover)

# expect_status WANT CMD...: run CMD (stdout to $out, stderr to $err) and
# check its exit status.
expect_status ()
{
  local want=$1 status=0
  shift
  "$@" > "$out" 2> "$err" || status=$?
  [ "$status" -eq "$want" ] ||
    fail "'$*' exited $status, expected $want; stderr: $(cat "$err")"
}

# expect_usage_error CMD...: exit 2 and exactly one line on stderr.
expect_usage_error ()
{
  expect_status 2 "$@"
  [ "$(wc -l < "$err")" -eq 1 ] || fail "'$*': not one error line: $(cat "$err")"
  [ ! -s "$out" ] || fail "'$*': printed to stdout on error"
}

tb_setup --mtu 9000
tb_add_path --mtu 1500
out=$TB_DIR/out
err=$TB_DIR/err

tb_image "$TB_DIR/a.img" 64M
tb_image "$TB_DIR/b.img" 1M
tb_vblade 0 1 "$TB_DIR/a.img"
vblade_01=$TB_VBLADE_PID
tb_vblade 1 2 "$TB_DIR/b.img" -b 8
tb_vblade --path 2 0 3 "$TB_DIR/b.img"
vblade_03=$TB_VBLADE_PID
# A config string JSON must escape: a quote and the byte 0xe9 (alone, not
# UTF-8: \u00e9 in JSON, \xe9 in text).
tb_init_exec "$TB_PYTHON" "$AOE_SRCDIR/tests/tb-aoe.py" config \
  --set 'libaoe "test" \xe9' "$TB_IFACE" 0 1 5 > /dev/null
# And one in valid UTF-8, which both outputs keep as it is.
tb_init_exec "$TB_PYTHON" "$AOE_SRCDIR/tests/tb-aoe.py" config \
  --set 'caf\xc3\xa9' "$TB_IFACE" 1 2 5 > /dev/null

# ---- text output, path 1 only ----
expect_status 0 tb_init_exec "${discover[@]}" -i "$TB_IFACE" --timeout 500
cat "$out"
grep -q '^e0\.1$' "$out" && grep -q '^e1\.2$' "$out" || fail "e0.1 or e1.2 not listed"
if grep -q '^e0\.3$' "$out"; then
  fail "e0.3 (path 2 only) listed when searching path 1"
fi
[ "$(grep -n '^e' "$out" | cut -d: -f2 | tr '\n' ' ')" = "e0.1 e1.2 " ] ||
  fail "targets not sorted by shelf and slot"
block=$(sed -n '/^e0\.1$/,/^$/p' "$out")
for want in "mac:               $TB_MAC_TARGET" \
            "interface:         $TB_IFACE" \
            "capacity:          67108864 bytes (131072 sectors, LBA48)" \
            "model:             Coraid EtherDrive vblade" \
            "serial:            0.1:" \
            "firmware:          V25" \
            "buffer count:      16" \
            "sectors per frame: 17" \
            "firmware version:  0x4019" \
            'config string:     "libaoe "test" \xe9"'; do
  grep -qF -- "$want" <<< "$block" || fail "e0.1: no line '$want' in: $block"
done
block=$(sed -n '/^e1\.2$/,/^$/p' "$out")
grep -qF "buffer count:      8" <<< "$block" || fail "e1.2: buffer count is not 8"
grep -qF 'config string:     "café"' <<< "$block" ||
  fail "e1.2: the UTF-8 config string is not shown as it is: $block"

# ---- JSON output, both paths ----
expect_status 0 tb_init_exec "${discover[@]}" -i "$TB_IFACE" -i "$TB_IFACE2" \
  --timeout 500 --json
cat "$out"
jq -e 'length == 3' "$out" >/dev/null || fail "JSON: not 3 targets"
jq -e --arg mac "$TB_MAC_TARGET" --arg ifc "$TB_IFACE" '.[0] |
  .target == "e0.1" and .shelf == 0 and .slot == 1 and .mac == $mac
  and .interface == $ifc and .identified == true and .size == 67108864
  and .lba48 == true and .model == "Coraid EtherDrive vblade"
  and (.serial | startswith("0.1:")) and .firmware == "V25"
  and .buffer_count == 16 and .sectors_per_frame == 17
  and .firmware_version == 16409
  and .config == "libaoe \"test\" \u00e9"' "$out" >/dev/null ||
  fail "JSON: e0.1 is wrong"
jq -e --arg mac "$TB_MAC_TARGET2" --arg ifc "$TB_IFACE2" '.[1] |
  .target == "e0.3" and .mac == $mac and .interface == $ifc
  and .size == 1048576 and .sectors_per_frame == 2' "$out" >/dev/null ||
  fail "JSON: e0.3 is wrong (MTU 1500 path)"
jq -e '.[2] | .target == "e1.2" and .buffer_count == 8 and .config == "café"' \
  "$out" >/dev/null || fail "JSON: e1.2 is wrong"
grep -qF '"config": "café"' "$out" || fail "JSON: café is escaped, not kept as UTF-8"

# ---- usage errors and failures: exit 2, one line ----
expect_usage_error "${discover[@]}"
expect_usage_error "${discover[@]}" -i "$TB_IFACE" --timeout abc
expect_usage_error "${discover[@]}" -i "$TB_IFACE" --timeout 0
expect_usage_error "${discover[@]}" -i "$TB_IFACE" --timeout 99999999999999999999
expect_usage_error "${discover[@]}" -i "$TB_IFACE" --bogus
expect_usage_error "${discover[@]}" -i "$TB_IFACE" -x
expect_usage_error "${discover[@]}" -i "$TB_IFACE" extra
expect_usage_error "${discover[@]}" -i
expect_usage_error "${discover[@]}" -i ''
expect_usage_error tb_init_exec "${discover[@]}" -i nosuch0
grep -q nosuch0 "$err" || fail "the error does not name the interface: $(cat "$err")"
if command -v setpriv >/dev/null; then
  expect_usage_error tb_init_exec setpriv --reuid=nobody --regid=nogroup \
    --clear-groups "${discover[@]}" -i "$TB_IFACE"
  echo "as nobody: $(cat "$err")"
fi
expect_status 0 "${discover[@]}" --help
grep -q '^Exit status' "$out" || fail "--help does not document the exit status"
expect_status 0 "${discover[@]}" --version
grep -qE '^aoectl [0-9]+\.[0-9]+\.[0-9]+' "$out" || fail "--version: $(cat "$out")"

# ---- a target stopped is gone; nothing answering is exit 1 ----
tb_vblade_stop "$vblade_01"
expect_status 0 tb_init_exec "${discover[@]}" -i "$TB_IFACE" --timeout 300 --json
jq -e 'length == 1 and .[0].target == "e1.2"' "$out" >/dev/null ||
  fail "after stopping e0.1 the list should hold only e1.2: $(cat "$out")"
tb_vblade_stop "$vblade_03"
expect_status 1 tb_init_exec "${discover[@]}" -i "$TB_IFACE2" -t 300 --json
jq -e 'length == 0' "$out" >/dev/null || fail "no targets: not an empty JSON array"
expect_status 1 tb_init_exec "${discover[@]}" -i "$TB_IFACE2" -t 300
[ ! -s "$out" ] && [ "$(wc -l < "$err")" -eq 1 ] ||
  fail "no targets: expected one line on stderr and nothing on stdout"

echo "test-tool-discover.sh: PASS"
