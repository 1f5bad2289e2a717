#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-tool-all-ifaces.sh: the interface name "all" (aoectl -i all,
# nbdkit aoe iface=all, aoe_add_interface (h, "all")).
#
# The only tests that do not name their interfaces: they run solely
# inside namespaces they created.  In the initiator namespace of a test
# bed with two paths to vblade e0.1, plus a veth left down and a tun
# device that is up (not Ethernet): -i all finds e0.1 over both paths and
# uses neither the down veth nor the tun nor lo (the connect error of an
# absent target lists the interfaces used); the plugin serves e0.1 with
# iface=all.  In a namespace with only the loopback: one clear error line
# from the tools and from the plugin; with ten Ethernet interfaces up,
# more than libaoe's 8, a clear refusal.  And "all" mixed with a named
# interface, in either order: one error line.  Then, on a bed of two
# initiator interfaces bridged to one vblade: aoectl reserve set -i all
# and the plugin's reserve=true with iface=all reserve for both of this
# host's MACs (every interface "all" found, not one), so that I/O
# through both paths is allowed.
set -euo pipefail
AOE_SRCDIR=${AOE_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
. "$AOE_SRCDIR/tests/tool-functions.sh"

tool_requires aoectl
requires test -n "${AOE_PLUGIN:-}"
requires test -f "$AOE_PLUGIN"
requires command -v nbdkit
requires command -v nbdinfo
aoectl=$(tool_bin aoectl)

tb_setup --mtu 9000
tb_add_path
tb_image "$TB_DIR/disk.img" 8M
tb_vblade 0 1 "$TB_DIR/disk.img"
tb_vblade --path 2 0 1 "$TB_DIR/disk.img"
# Not to be used by "all": a veth pair left down, a tun device up.
down=ai${TB_ID}dn
tun=ai${TB_ID}tu
tb_init_exec ip link add "$down" type veth peer name "ai${TB_ID}dp" ||
  tool_fail "cannot create veth $down"
tb_init_exec ip tuntap add mode tun name "$tun" ||
  tool_fail "cannot create tun $tun"
tb_init_exec ip link set "$tun" up
tb_init_exec ip -o link show dev "$tun" | grep -q 'state UNKNOWN\|,UP' ||
  tool_fail "$tun is not up"
[ "$(tb_init_exec cat "/sys/class/net/$tun/type")" != 1 ] ||
  tool_fail "$tun has an Ethernet link layer"

# discover: e0.1 answers on both paths, on nothing else.
tool_expect 0 tb_init_exec "$aoectl" discover -i all --json
got=$(jq -r '[.[] | select(.target == "e0.1") | .interface] | sort | join(" ")' \
        "$TOOL_OUT")
want=$(printf '%s\n' "$TB_IFACE" "$TB_IFACE2" | sort | tr '\n' ' ')
[ "$got " = "$want" ] ||
  tool_fail "-i all: e0.1 answered on '$got', expected '$want'"
[ "$(jq length "$TOOL_OUT")" -eq 2 ] ||
  tool_fail "-i all: not 2 answers: $(cat "$TOOL_OUT")"

# stat connects over both paths (2 ports).
tool_expect 0 tb_init_exec "$aoectl" stat -i all e0.1 --json
[ "$(jq .ports "$TOOL_OUT")" -eq 2 ] || tool_fail "stat -i all: not 2 ports"

# The interfaces "all" took, as the connect error lists them: exactly
# the two paths, in either order.
tool_expect_error 2 "no AoE target e9.9 answered on " \
  tb_init_exec "$aoectl" stat -i all e9.9
used=$(sed -n 's/.* answered on \(.*\) within .*/\1/p' "$TOOL_ERR" |
         tr -d ' ' | tr ',' '\n' | sort | tr '\n' ' ')
[ "$used" = "$want" ] ||
  tool_fail "-i all used '$used', expected '$want' (not lo, $down, $tun)"

# copy reads the disk through "all" byte-exact.
tool_expect 0 tb_init_exec "$aoectl" copy -i all e0.1 "$TB_DIR/read.img"
cmp "$TB_DIR/read.img" "$TB_DIR/disk.img" ||
  tool_fail "copy -i all: the disk read differs"

# "all" beside a named interface, either order: one line, exit 2.
mixed='interface "all" cannot be combined with other interfaces'
tool_expect_error 2 "$(tool_re "$mixed")" \
  tb_init_exec "$aoectl" discover -i all -i "$TB_IFACE"
tool_expect_error 2 "$(tool_re "$mixed")" \
  tb_init_exec "$aoectl" discover -i "$TB_IFACE" -i all

# The plugin: iface=all serves e0.1, mixing is refused at startup.
tool_expect 0 tb_init_exec nbdkit -U - "$AOE_PLUGIN" iface=all e0.1 \
  --run 'nbdinfo --size "$uri"'
[ "$(cat "$TOOL_OUT")" -eq $((8 * 1024 * 1024)) ] ||
  tool_fail "iface=all: size $(cat "$TOOL_OUT")"
tool_expect 1 tb_init_exec nbdkit -U - "$AOE_PLUGIN" iface="$TB_IFACE" \
  iface=all e0.1 --run true
grep -q "iface=all: .*$(tool_re "$mixed")" "$TOOL_ERR" ||
  tool_fail "iface=IFACE iface=all: no clear error"

# A namespace of our own with only the loopback (up): nothing qualifies.
none='interface "all": no interface is up with an Ethernet link and a MAC'
tool_expect_error 2 "$(tool_re "$none")" \
  unshare -n sh -c 'ip link set lo up && exec "$0" discover -i all' "$aoectl"
tool_expect 1 unshare -n sh -c \
  'ip link set lo up && exec nbdkit -U - "$0" iface=all e0.1 --run true' \
  "$AOE_PLUGIN"
[ "$(grep -c . "$TOOL_ERR")" -eq 1 ] && grep -q "iface=all: .*$(tool_re "$none")" "$TOOL_ERR" ||
  tool_fail "nbdkit iface=all without interfaces: not one clear line"

# More than libaoe's 8 interfaces qualify (five veth pairs, both ends
# up, in a namespace of our own): refused, naming them is the way out.
tool_expect_error 2 "$(tool_re 'interface "all": 10 interfaces qualify, at most 8 can be used: name them instead')" \
  unshare -n sh -c 'for i in 1 2 3 4 5; do
      ip link add ifa$i type veth peer name ifb$i &&
        ip link set ifa$i up && ip link set ifb$i up || exit 9
    done; exec "$0" discover -i all' "$aoectl"

# ---- reservations: every MAC "all" found ----
tb_teardown
unset TOOL_OUT TOOL_ERR   # they were in the old bed's directory
tool_two_initiators 8M random
both_macs=$(printf '%s\n' "$TB_MAC_INIT" "$TB_MAC_INIT2" | sort | tr '\n' ' ')
# reserved_by_us: the target's reserve list is exactly our two MACs.
reserved_by_us ()
{
  tool_expect 0 tb_init_exec "$aoectl" reserve read -i "$TB_IFACE" e0.1
  [ "$(sort "$TOOL_OUT" | tr '\n' ' ')" = "$both_macs" ] ||
    tool_fail "$1: reserved for '$(cat "$TOOL_OUT")', expected '$both_macs'"
}
tool_expect 0 tb_init_exec "$aoectl" reserve set -i all e0.1
reserved_by_us "aoectl reserve set -i all"
tool_expect 0 tb_init_exec "$aoectl" reserve release -i all e0.1
tool_expect 0 tb_init_exec nbdkit -U - "$AOE_PLUGIN" iface=all e0.1 \
  reserve=true --run "$(printf '%q ' "$aoectl" reserve read -i "$TB_IFACE" e0.1)"
[ "$(sort "$TOOL_OUT" | tr '\n' ' ')" = "$both_macs" ] ||
  tool_fail "iface=all reserve=true: reserved for '$(cat "$TOOL_OUT")'"

echo "test-tool-all-ifaces.sh: ok"
