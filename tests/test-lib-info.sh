#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-lib-info.sh [MTU]: aoe_connect finds e0.1 and reports what
# vblade 25 says about itself: capacity equal to the image size, IDENTIFY
# strings, buffer count, firmware version, sectors per frame for the MTU
# (1500: 2, 9000: 17).  The debug hook and LIBAOE_DEBUG=1 both log the
# connection; aoe-simple reads the first sector correctly.
set -euo pipefail
. "$AOE_SRCDIR/tests/lib-functions.sh"

mtu=${1:-9000}
case "$mtu" in
  1500) spf=2 ;;
  9000) spf=17 ;;
  *) lib_fail "MTU must be 1500 or 9000" ;;
esac
lib_target "$mtu" 64M random

out=$TB_DIR/info.out
tb_init_exec "$(lib_prog lib-info)" "$TB_IFACE" 0 1 > "$out"
cat "$out"
lib_expect_value "$out" size 67108864
lib_expect_value "$out" info_size 67108864
lib_expect_value "$out" target 0.1
lib_expect_value "$out" lba48 1
lib_expect_value "$out" can_flush 1
lib_expect_value "$out" model "Coraid EtherDrive vblade"
grep -q '^serial=0\.1:' "$out" || lib_fail "serial does not start with 0.1:"
lib_expect_value "$out" firmware V25
lib_expect_value "$out" buffer_count 16
lib_expect_value "$out" firmware_version 0x4019
lib_expect_value "$out" sectors_per_frame "$spf"
lib_expect_value "$out" nmacs 1
lib_expect_value "$out" ninterfaces 1
lib_expect_value "$out" mac0 "$TB_MAC_TARGET"
lib_expect_value "$out" config ""
lib_expect_value "$out" debug_connected 1
lib_expect_value "$out" debug_newline 0
lib_expect_value "$out" in_flight 0

# LIBAOE_DEBUG=1 logs events to stderr; aoe-simple dumps sector 0.
LIBAOE_DEBUG=1 tb_init_exec "$(lib_example aoe-simple)" "$TB_IFACE" 0 1 \
  > "$TB_DIR/simple.out" 2> "$TB_DIR/simple.err"
cat "$TB_DIR/simple.out" "$TB_DIR/simple.err"
grep -q '^libaoe: connected to e0.1: 67108864 bytes' "$TB_DIR/simple.err" ||
  lib_fail "LIBAOE_DEBUG=1 did not log the connection"
expected=$(head -c 64 "$LIB_IMAGE" | od -An -tx1 -v | tr -s ' \n' ' ')
actual=$(sed -n '/^sector 0:/,$p' "$TB_DIR/simple.out" | tail -n +2 | tr -s ' \n' ' ')
[ "$actual" = "$expected" ] ||
  lib_fail "aoe-simple dumped '$actual', the image starts with '$expected'"

# Without LIBAOE_DEBUG the library is silent.
tb_init_exec "$(lib_example aoe-simple)" "$TB_IFACE" 0 1 \
  > /dev/null 2> "$TB_DIR/quiet.err"
[ ! -s "$TB_DIR/quiet.err" ] || lib_fail "output on stderr without LIBAOE_DEBUG"
echo "test-lib-info.sh $mtu: ok"
