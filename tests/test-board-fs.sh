#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-board-fs.sh: ext4 through libaoe on the emulated ARM926
# board (tests/vm/arm926.sh), as README's board guide does it.
#
# vblade serves a 64 MiB image on the host side of the test bed.  The
# board (qemu-system-arm -M versatilepb -cpu arm926, its SMC91C111 NIC on
# a tap bridged with the test bed's veth) runs Debian's armel nbdkit with
# the project's armel plugin and libaoe, the kernel's NBD client and
# nbdfuse: tests/board-guest-fs.sh formats e0.1, then runs README's
# serve and stop blocks, taken from README.md (tests/board-functions.sh:
# only the other variant's lines left out), first with nbd-client
# (/dev/nbd0) and then with nbdfuse (a loop device), each for PASSES
# passes of writing files, overwriting old ones, remounting with dropped
# caches and verifying every checksum, and fscks the disk.  Afterwards
# the host checks the image itself: e2fsck -fn clean, and every file the
# board wrote reads back here (debugfs) with the sum the board printed.
#
# Usage: test-board-fs.sh [PASSES]   (default 3)
set -euo pipefail
. "$AOE_SRCDIR/tests/functions.sh"
. "$AOE_SRCDIR/tests/vm/arm926.sh"
. "$AOE_SRCDIR/tests/board-functions.sh"

passes=${1:-3}
[[ "$passes" =~ ^[1-9][0-9]*$ ]] || fail "PASSES must be a positive number, got '$passes'"

board_blocks

requires command -v vblade
requires command -v debugfs
tb_setup --mtu 1500
image=$TB_DIR/disk.img
tb_image "$image" 64M
tb_vblade 0 1 "$image"
board_prepare
board_net_join

# The guest's script: README's blocks for each mode as functions, then
# the workload.
guest=$BOARD_DIR/guest-fs.sh
{
  echo "set -eu"
  for mode in nbd fuse; do
    echo "serve_$mode () {"
    board_adapt "$board_serve" "$mode" eth0 aoe
    echo "}"
    echo "stop_$mode () {"
    board_adapt "$board_stop" "$mode" eth0 aoe
    echo "}"
  done
  cat "$AOE_SRCDIR/tests/board-guest-fs.sh"
  echo 'main "$@"'
} > "$guest"
echo "README's board guide as the board runs it:"
sed -n '/^serve_nbd/,/^}$/p; /^stop_fuse/,/^}$/p' "$guest" | sed 's/^/  | /'

board_run 1500 "$guest" "$passes" nbd fuse
sed -n 's/^board-fs: /  board: /p' "$VM_CONSOLE" | tr -d '\r'
grep -q '^board-fs: ok' "$VM_CONSOLE" || vm_fail "the board's workload did not report ok"

# The image as vblade wrote it: clean, and holding what the board wrote.
tb_vblade_stop
e2fsck -fn "$image" > "$TB_DIR/fsck.log" 2>&1 || {
  cat "$TB_DIR/fsck.log"
  fail "e2fsck on the host found errors in the board's file system"
}
files=0
while read -r sum path; do
  rm -f "$TB_DIR/out"
  debugfs -R "dump $path $TB_DIR/out" "$image" >/dev/null 2>&1
  [ "$(sha256sum < "$TB_DIR/out" 2>/dev/null | cut -d' ' -f1)" = "$sum" ] ||
    fail "$path in the image differs from what the board wrote"
  files=$((files + 1))
done < <(board_results BOARD-SUM)
[ "$files" -eq $(( passes * 2 * 10 )) ] ||
  fail "the board reported $files files' sums, expected $(( passes * 2 * 10 ))"
echo "the image holds all $files files byte for byte"
echo "test-board-fs.sh: ok ($passes passes each with nbd-client and nbdfuse on the ARM926 board)"
