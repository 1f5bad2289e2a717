#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-vm-nbd.sh MTU: the kernel's NBD client on nbdkit aoe, in a
# VM (tests/vm/), at MTU 1500 or 9000.
#
# vblade serves a 32 MiB image; the guest (Debian's kernel, the host's
# programs) runs tests/vm/guest-nbd.sh: what /sys/block/nbd0/queue shows
# against the plugin's advertisement, ext4 through /dev/nbd0 (files,
# remount, checksums, fsck), fio verify, and (at MTU 9000) the kernel's
# aoe driver reading what libaoe wrote and writing what libaoe then reads.  Here
# the image itself must hold what the guest last read through nbd.
set -euo pipefail
. "$AOE_SRCDIR/tests/functions.sh"
. "$AOE_SRCDIR/tests/vm/functions.sh"
. "$AOE_SRCDIR/tests/vm/x86_64.sh"

mtu=${1:-}
[[ "$mtu" =~ ^(1500|9000)$ ]] || fail "usage: test-vm-nbd.sh 1500|9000"
requires_root
requires test -n "${AOE_PLUGIN:-}"
requires command -v nbd-client
requires command -v fio
requires command -v jq
requires command -v nbdinfo

tb_setup --mtu "$mtu"
tb_image "$TB_DIR/disk.img" 32M
tb_vblade 0 1 "$TB_DIR/disk.img"
vm_prepare
vm_net_join
# The kernel's aoe driver at MTU 9000 only (the suite's time).
steps=()
[ "$mtu" = 1500 ] || steps=(kernel-aoe)
vm_run 300 "$AOE_SRCDIR/tests/vm/guest-nbd.sh" "${steps[@]}"

sed 's/^/queue: /' "$VM_SHARE/queue.txt"
[ "$(md5sum < "$TB_DIR/disk.img" | cut -d' ' -f1)" = "$(cat "$VM_SHARE/nbd.md5")" ] ||
  vm_fail "vblade's image differs from what the guest read through /dev/nbd0"
grep "guest: \[" "$VM_CONSOLE"
echo "test-vm-nbd.sh $mtu: ok (ext4, fio verify${steps:+, kernel aoe cross-check}; image matches)"
