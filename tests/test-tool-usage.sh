#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-tool-usage.sh: every bad input of aoe-stat, aoe-copy and
# aoe-admin is one line on stderr, nothing on stdout, exit 2: bad target
# names, bad MACs, bad numbers and sizes, unknown commands and options,
# missing and extra arguments, unknown interfaces, a target that does
# not answer, a range past the end.  --help and --version exit 0.
set -euo pipefail
. "$AOE_SRCDIR/tests/tool-functions.sh"
tool_requires aoe-stat aoe-copy aoe-admin
stat=$(tool_bin aoe-stat)
copy=$(tool_bin aoe-copy)
admin=$(tool_bin aoe-admin)
mac=02:00:00:00:00:01
# Before tb_setup the tools get an interface that does not exist: should
# a bad input slip through parsing, the tool fails at aoe_add_interface
# (a different message, so the test fails) and never sends a frame.

# usage PATTERN CMD...: exit 2, one line matching PATTERN, no stdout.
usage ()
{
  tool_expect_error 2 "$@"
}

# ---- --help and --version ----
for tool in "$stat" "$copy" "$admin"; do
  name=$(basename "$tool")
  tool_expect 0 "$tool" --help
  grep -q "^Usage: $name -i IFACE" "$TOOL_OUT" || tool_fail "$name --help: usage"
  grep -q '^Exit status: 0 ' "$TOOL_OUT" || tool_fail "$name --help: exit status"
  tool_expect 0 "$tool" -h
  tool_expect 0 "$tool" --version
  grep -Eq "^$name [0-9]+\\.[0-9]+\\.[0-9]+ \\(libaoe [0-9.]+\\)$" "$TOOL_OUT" ||
    tool_fail "$name --version: $(cat "$TOOL_OUT")"
done

# ---- target names (every tool parses them the same way) ----
for name in e0 e0. e.1 x0.1 E0.1 e0.1.2 e-1.1 e+1.1 'e0 .1' ' e0.1' e0.1x \
            e0.0x1 0.1 e 'e0.-1'; do
  usage "'$(tool_re "$name")' is not a target name: expected eSHELF\.SLOT" \
    "$stat" -i noif0 "$name"
  usage "'$(tool_re "$name")' is not a target name" \
    "$admin" -i noif0 "$name" config read
done
usage "'e65535\\.1': shelf must be 0-65534 \\(65535 is broadcast\\)" \
  "$stat" -i noif0 e65535.1
usage "shelf must be 0-65534" "$admin" -i noif0 e99999999999999999999.1 mask read
usage "'e0\\.255': slot must be 0-254 \\(255 is broadcast\\)" \
  "$admin" -i noif0 e0.255 mask read
usage "slot must be 0-254" "$copy" -i noif0 e0.300 out

# ---- common options ----
for tool in "$stat" "$copy" "$admin"; do
  usage "no target given|expected SRC and DST" "$tool" -i noif0
  usage "option '-i' needs an argument" "$tool" -i
  usage "-i: empty interface name" "$tool" -i '' e0.1
  usage "unknown option '--bogus'" "$tool" --bogus
  usage "unknown option '-z'" "$tool" -z
done
usage "no interface given: use -i IFACE" "$stat" e0.1
usage "no interface given" "$admin" e0.1 config read
usage "no interface given" "$copy" e0.1 out
usage "too many interfaces \\(at most 8\\)" "$stat" -i a -i b -i c -i d \
  -i e -i f -i g -i h -i i e0.1

# ---- aoe-stat ----
usage "unexpected argument 'more'" "$stat" -i noif0 e0.1 more
for bad in 0 -1 abc 1e9 '' 0.0 100000; do
  usage "--interval: '$bad' is not a number of seconds" \
    "$stat" -i noif0 --interval "$bad" e0.1
done
for bad in 0 -3 abc 1.5 '' 99999999999; do
  usage "--count: '$bad' is not a number from 1 to" \
    "$stat" -i noif0 --count "$bad" e0.1
done

# ---- aoe-copy ----
usage "expected SRC and DST, got 1 argument" "$copy" -i noif0 e0.1
usage "expected SRC and DST, got 3 argument" "$copy" -i noif0 e0.1 a b
usage "neither 'a' nor 'b' is a target eSHELF\\.SLOT" "$copy" -i noif0 a b
usage "both 'e0\\.1' and 'e0\\.2' are targets" "$copy" -i noif0 e0.1 e0.2
usage "empty file name" "$copy" -i noif0 '' e0.1
usage "--offset: 100 is not a multiple of 512 bytes" "$copy" -i noif0 -o 100 e0.1 x
for bad in 1X 1KB abc -1 '' 1.5M 99999999999999999999 17179869184T; do
  usage "--offset: '$bad' is not a size" "$copy" -i noif0 --offset "$bad" e0.1 x
done
usage "--length: '12Q' is not a size" "$copy" -i noif0 --length 12Q e0.1 x
usage "--length: 1000 is not a multiple of 512" "$copy" -i noif0 -l 1000 e0.1 x
for bad in 0 257 abc; do
  usage "--queue-depth: '$bad' is not a number from 1 to 256" \
    "$copy" -i noif0 --queue-depth "$bad" e0.1 x
done
usage "--request-size: 64M is not from 512 to 32M" "$copy" -i noif0 -R 64M e0.1 x
usage "--request-size: 0 is not from 512 to 32M" "$copy" -i noif0 -R 0 e0.1 x
usage "--request-size: 700 is not a multiple of 512" "$copy" -i noif0 -R 700 e0.1 x
usage "--progress and --quiet contradict" "$copy" -i noif0 -p -q e0.1 x

# ---- aoe-admin ----
usage "no command given \\(config, mask or reserve\\)" "$admin" -i noif0 e0.1
usage "unknown command 'status' \\(config, mask or reserve\\)" \
  "$admin" -i noif0 e0.1 status
usage "'config' needs a sub-command" "$admin" -i noif0 e0.1 config
usage "unknown command 'config write'" "$admin" -i noif0 e0.1 config write x
usage "unknown command 'mask set'" "$admin" -i noif0 e0.1 mask set "$mac"
usage "'config read' takes no argument, got 'x'" "$admin" -i noif0 e0.1 config read x
usage "'config set' takes exactly one string" "$admin" -i noif0 e0.1 config set
usage "'config test' takes exactly one string" "$admin" -i noif0 e0.1 config test a b
usage "'mask add' needs at least one MAC" "$admin" -i noif0 e0.1 mask add
usage "'mask delete' needs at least one MAC" "$admin" -i noif0 e0.1 mask delete
usage "'reserve release' takes no argument" "$admin" -i noif0 e0.1 reserve release "$mac"
usage "'mask read' takes no argument" "$admin" -i noif0 e0.1 mask read "$mac"
for bad in zz:00:00:00:00:01 00:11:22:33:44 00:11:22:33:44:55:66 \
           001122334455 0:1:2:3:4:5 00-11-22-33-44-55 '' 00:11:22:33:44:5g \
           ' 00:11:22:33:44:55'; do
  usage "add: '$(tool_re "$bad")' is not a MAC address like aa:bb:cc:dd:ee:ff" \
    "$admin" -i noif0 e0.1 mask add "$mac" "$bad"
  usage "set: '$(tool_re "$bad")' is not a MAC address" \
    "$admin" -i noif0 e0.1 reserve set "$bad"
done
many=()
for i in $(seq 1 65); do many+=("$mac"); done
usage "too many MACs \\(at most 64\\)" "$admin" -i noif0 e0.1 reserve set "${many[@]}"
# Options go before the target: after it, '-i' is a config string.
usage "'config read' takes no argument, got '-i'" \
  "$admin" -i noif0 e0.1 config read -i noif0

# ---- setup errors: unknown interface, silent target, range ----
tb_setup --mtu 9000
tb_image "$TB_DIR/disk.img" 1M
tb_vblade 0 1 "$TB_DIR/disk.img"
usage "nosuch0" tb_init_exec "$stat" -i nosuch0 e0.1
usage "nosuch0" tb_init_exec "$copy" -i nosuch0 e0.1 "$TB_DIR/x"
usage "nosuch0" tb_init_exec "$admin" -i nosuch0 e0.1 reserve read
usage "no AoE target e7\\.7 answered on $TB_IFACE within 5000 ms" \
  tb_init_exec "$admin" -i "$TB_IFACE" e7.7 config read
usage "--offset 2097152 is past the end of e0\\.1 \\(1048576 bytes\\)" \
  tb_init_exec "$copy" -i "$TB_IFACE" -o 2M e0.1 "$TB_DIR/x"
usage "--offset 524288 --length 1048576 ends past the end of e0\\.1" \
  tb_init_exec "$copy" -i "$TB_IFACE" -o 512K -l 1M "$TB_DIR/x" e0.1
[ ! -e "$TB_DIR/x" ] || tool_fail "a refused copy created its destination"
if command -v setpriv > /dev/null; then
  usage "CAP_NET_RAW|Operation not permitted" tb_init_exec setpriv \
    --reuid=nobody --regid=nogroup --clear-groups "$admin" -i "$TB_IFACE" \
    e0.1 config read
fi
echo "test-tool-usage.sh: PASS"
