#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-readme-board.sh: the README's board recipe, run as it stands.
#
# README.md's "Running on a board" blocks (tests/board-functions.sh reads
# them from README.md), the variant without the nbd module: nbdfuse and a
# loop device.  The nbd-client lines are listed as not run here (the test
# machines' kernel has no nbd module): tests/test-vm-readme-board.sh runs
# that variant in a VM.  Two words are replaced: the interface eth0 by the
# test bed's, and nbdkit's plugin name aoe by the plugin in the build tree.
#
# vblade serves an ext4 image holding a known file.  In the initiator's
# network namespace and a private mount namespace (a tmpfs over /run, so
# the host's /run is untouched; /mnt is the namespace's own), the serve
# block runs, nbdkit's socket must still be visible (nbdfuse given a
# file in a directory that does not exist mounts over the directory's
# parent: /run itself), the known file is read through /mnt, a tree of files is
# written, then the stop block runs.  Afterwards nbdkit and nbdfuse must
# have exited, and the image must be a clean file system (e2fsck -fn) with
# every written file in it, byte for byte (debugfs).
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"
. "$AOE_SRCDIR/tests/board-functions.sh"

# Undo what the recipe may have left when the script failed half-way:
# the loop device (if still backed by the recipe's file), nbdfuse and
# nbdkit (by the pids the script recorded, if they are still those).
undo_recipe ()
{
  local dev pid
  dev=$(cat "$TB_DIR/loopdev" 2>/dev/null) || dev=
  if [ -n "$dev" ] &&
     losetup -n -O BACK-FILE "$dev" 2>/dev/null | grep -q '/run/aoe/e0.1'; then
    losetup -d "$dev" || true
  fi
  for pid in $(cat "$TB_DIR/nbdfuse.pid" "$TB_DIR/nbdkit.pid" 2>/dev/null); do
    if grep -qsE 'nbdfuse|nbdkit' "/proc/$pid/cmdline"; then
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
}

requires_fuse_mount
requires debugfs -V

board_blocks

requires command -v vblade
tb_setup --mtu 1500
image=$TB_DIR/disk.img
# The tree the test writes through the mount, kept here for comparison.
tree=$TB_DIR/tree
board_image "$image" "$tree"
tb_vblade 0 1 "$image"

cat > "$TB_DIR/recipe.sh" <<EOF
set -eu
mount --make-rprivate /
mount -t tmpfs tmpfs /run
$(board_adapt "$board_serve" fuse "$TB_IFACE")
test -S /run/aoe.sock || { echo "/run/aoe.sock is hidden: did nbdfuse mount over /run?" >&2; exit 1; }
cp /run/aoe.pid "$TB_DIR/nbdkit.pid"
cp /run/aoe-nbdfuse.pid "$TB_DIR/nbdfuse.pid"
losetup -n -O NAME -j /run/aoe/e0.1 > "$TB_DIR/loopdev"
cmp /mnt/known "$tree.known" || { echo "the known file reads back wrong" >&2; exit 1; }
cp -r "$tree/." /mnt/
sync
$(board_adapt "$board_stop" fuse "$TB_IFACE")
EOF

cleanup_fn undo_recipe
echo "running README's board recipe as adapted here (serve, then stop):"
{ board_adapt "$board_serve" fuse "$TB_IFACE"
  board_adapt "$board_stop" fuse "$TB_IFACE"; } | sed 's/^/  | /'
# A time limit: the recipe's wait for nbdfuse would otherwise loop forever
# if nbdfuse failed.
tb_init_exec timeout 120 unshare -m bash "$TB_DIR/recipe.sh" > "$TB_DIR/recipe.log" 2>&1 || {
  cat "$TB_DIR/recipe.log"
  fail "the recipe failed (log above)"
}
sed 's/^/  recipe: /' "$TB_DIR/recipe.log"

# nbdkit (killed by the stop block) and nbdfuse (unmounted) are gone.
for name in nbdkit nbdfuse; do
  pid=$(cat "$TB_DIR/$name.pid")
  tb_wait_for 10 sh -c "! grep -qs $name /proc/$pid/cmdline" ||
    fail "$name (pid $pid) still runs after the stop block"
done
dev=$(cat "$TB_DIR/loopdev")
! losetup -n -O BACK-FILE "$dev" 2>/dev/null | grep -q '/run/aoe/e0.1' ||
  fail "the stop block left $dev attached"

# The image: clean, and holding every file written through the mount.
tb_vblade_stop
board_check_image "$image" "$tree"
echo "test-readme-board.sh: ok (the README's board recipe served, mounted, wrote and stopped cleanly)"
