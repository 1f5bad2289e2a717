#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-vm-readme-board.sh: README's board recipe, the variant with
# the nbd module (modprobe nbd, nbd-client, /dev/nbd0), run as it stands
# in a VM (tests/vm/) whose NIC is eth0 as on a board.
#
# tests/board-functions.sh reads the blocks from README.md; only
# nbdkit's plugin name aoe becomes the build's plugin, and "modprobe nbd"
# a check that the module is loaded (the guest's root, the host's, has no
# kmod; the bed loads nbd).  The nbdfuse lines are listed as not run
# (tests/test-readme-board.sh runs them on the host).  vblade serves an
# ext4 image holding a known file; in the guest the serve block runs, the
# known file is read through /mnt, a tree of files is written, the stop
# block runs, and nbdkit must have exited and /dev/nbd0 be disconnected.
# Then the image must be clean (e2fsck -fn) and hold every file.
set -euo pipefail
. "$AOE_SRCDIR/tests/functions.sh"
. "$AOE_SRCDIR/tests/board-functions.sh"
. "$AOE_SRCDIR/tests/vm/functions.sh"
. "$AOE_SRCDIR/tests/vm/x86_64.sh"

requires_root
requires test -n "${AOE_PLUGIN:-}"
requires command -v nbd-client
requires debugfs -V
board_blocks

tb_setup --mtu 1500
vm_prepare
image=$TB_DIR/disk.img
tree=$VM_SHARE/tree
board_image "$image" "$tree"
tb_vblade 0 1 "$image"
vm_net_join

cat > "$VM_SHARE/recipe.sh" <<SCRIPT
set -eu
$(board_adapt "$board_serve" nbd eth0)
test -S /run/aoe.sock
pid=\$(cat /run/aoe.pid)
cmp /mnt/known "$tree.known" || { echo "the known file reads back wrong"; exit 1; }
cp -r "$tree/." /mnt/
sync
$(board_adapt "$board_stop" nbd eth0)
for i in \$(seq 100); do kill -0 "\$pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "\$pid" 2>/dev/null || { echo "nbdkit (pid \$pid) still runs after the stop block"; exit 1; }
[ "\$(cat /sys/block/nbd0/size)" = 0 ] || { echo "the stop block left /dev/nbd0 connected"; exit 1; }
echo "recipe: done"
SCRIPT
echo "running README's board recipe in the VM as adapted here (serve, then stop):"
{ board_adapt "$board_serve" nbd eth0; board_adapt "$board_stop" nbd eth0; } |
  sed 's/^/  | /'
vm_run 150 "$VM_SHARE/recipe.sh"
grep -q '^recipe: done' "$VM_CONSOLE" || vm_fail "the recipe did not finish"
tb_vblade_stop
board_check_image "$image" "$tree"
echo "test-vm-readme-board.sh: ok (the README's board recipe with nbd-client served, mounted, wrote and stopped cleanly)"
