#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-tool-stat-list.sh: aoectl stat without a target lists every
# target, one line each, as aoetools' aoe-stat does.
#
# Three vblades of different sizes: e0.1 (64 MiB) on both paths (two
# ports), e0.2 (1.5 MiB) and e1.0 (2 GiB, sparse) on the first path.
# Text: one line per target in shelf.slot order with the right human
# size, state, port count and interfaces; --bytes: exact sizes; --json:
# the same as an array; no target answering: exit 1 and one line on
# stderr.
set -euo pipefail
. "$AOE_SRCDIR/tests/tool-functions.sh"
tool_requires aoectl
aoectl=$(tool_bin aoectl)

tb_setup --mtu 9000
tb_add_path
tb_image "$TB_DIR/a.img" 64M
tb_image "$TB_DIR/b.img" 1536K
tb_image "$TB_DIR/c.img" 2G
tb_vblade 0 1 "$TB_DIR/a.img"
tb_vblade --path 2 0 1 "$TB_DIR/a.img"
vblade_path2=$TB_VBLADE_PID
tb_vblade 0 2 "$TB_DIR/b.img"
tb_vblade 1 0 "$TB_DIR/c.img"
both=$TB_IFACE,$TB_IFACE2
[ "$TB_IFACE" \< "$TB_IFACE2" ] || both=$TB_IFACE2,$TB_IFACE
ifaces=(-i "$TB_IFACE" -i "$TB_IFACE2")

# line_of TARGET: TARGET's line of the last output.
line_of ()
{
  grep -E "^$(tool_re "$1") " "$TOOL_OUT" || tool_fail "no line for $1"
}

# check_line TARGET SIZE STATE PORTS IFACES: the fields of TARGET's line
# (the interfaces in either order).
check_line ()
{
  local line fields got_ifaces
  line=$(line_of "$1")
  read -r -a fields <<<"$line"
  [ "${fields[1]}" = "$2" ] || tool_fail "$1: size '${fields[1]}', expected '$2'"
  [ "${fields[2]}" = "$3" ] || tool_fail "$1: state '${fields[2]}', expected '$3'"
  [ "${fields[3]}" = "$4" ] || tool_fail "$1: ports '${fields[3]}', expected '$4'"
  got_ifaces=$(tr ',' '\n' <<<"${fields[4]}" | sort | paste -sd,)
  [ "$got_ifaces" = "$5" ] ||
    tool_fail "$1: interfaces '${fields[4]}', expected '$5'"
  [[ $line = *"Coraid EtherDrive vblade"* ]] ||
    tool_fail "$1: no model in '$line'"
}

# ---- text ----
tool_expect 0 tb_init_exec "$aoectl" stat "${ifaces[@]}"
[ "$(wc -l < "$TOOL_OUT")" -eq 3 ] || tool_fail "not 3 lines"
[ "$(cut -d' ' -f1 "$TOOL_OUT" | paste -sd' ')" = "e0.1 e0.2 e1.0" ] ||
  tool_fail "targets not listed in shelf.slot order"
[ ! -s "$TOOL_ERR" ] || tool_fail "stderr not empty"
check_line e0.1 64.000MiB up 2 "$both"
check_line e0.2 1.500MiB up 1 "$TB_IFACE"
check_line e1.0 2.000GiB up 1 "$TB_IFACE"

# ---- --bytes, and options on one interface ----
tool_expect 0 tb_init_exec "$aoectl" stat --bytes -i "$TB_IFACE" --timeout 500
check_line e0.1 $((64 << 20)) up 1 "$TB_IFACE"
check_line e0.2 $((1536 << 10)) up 1 "$TB_IFACE"
check_line e1.0 $((2 << 30)) up 1 "$TB_IFACE"

# ---- --json ----
tool_expect 0 tb_init_exec "$aoectl" stat "${ifaces[@]}" --json
jq -e 'length == 3' "$TOOL_OUT" > /dev/null || tool_fail "--json: not 3 targets"
for want in "e0.1 $((64 << 20)) 64.000MiB 2" "e0.2 $((1536 << 10)) 1.500MiB 1" \
            "e1.0 $((2 << 30)) 2.000GiB 1"; do
  read -r name size human ports <<<"$want"
  jq -e --arg n "$name" --argjson s "$size" --arg h "$human" \
     --argjson p "$ports" \
     '.[] | select(.target == $n) | .size == $s and .size_human == $h
      and .ports == $p and .state == "up" and (.macs | length) == $p
      and .model == "Coraid EtherDrive vblade"' "$TOOL_OUT" > /dev/null ||
    tool_fail "--json: $name is not $want"
done
jq -e --arg a "$TB_IFACE" --arg b "$TB_IFACE2" \
   '.[0].interfaces | sort == ([$a, $b] | sort)' "$TOOL_OUT" > /dev/null ||
  tool_fail "--json: e0.1's interfaces"

# ---- nothing answers (on the second path, once its vblade is gone) ----
tb_vblade_stop "$vblade_path2"
tool_expect_error 1 "^aoectl stat: no AoE target answered within 300 ms$" \
  tb_init_exec "$aoectl" stat -i "$TB_IFACE2" -t 300
echo "test-tool-stat-list.sh: ok"
