#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-readme-board.sh: the README's board recipe, run as it stands.
#
# README.md's "Running on a board" has two shell blocks, each after a
# marker line "<!-- board recipe: serve ... -->" and "<!-- board recipe:
# stop ... -->".  They are read from README.md, not copied here, so the
# commands a board user types are the commands this test runs.  Two words
# are replaced: the interface eth0 by the test bed's, and nbdkit's plugin
# name aoe by the plugin in the build tree (what the installed package
# puts in nbdkit's plugin directory).  Lines that need the nbd kernel
# module (modprobe nbd, nbd-client, /dev/nbd0), which the test machines do
# not have, are not run and are listed as such; every other line runs.
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
. "$AOE_SRCDIR/tests/readme-functions.sh"

# The block $1 as a script for this machine: eth0 and the plugin name
# replaced, lines that need the nbd module turned into a note.
adapt_block ()
{
  local line
  while IFS= read -r line; do
    case "$line" in
      '#'*|'') printf '%s\n' "$line" ;;
      *'modprobe nbd'*|*nbd-client*|*/dev/nbd*)
        printf 'echo %q\n' "not run (needs the nbd kernel module): $line" ;;
      *)
        line=${line//iface=eth0/iface=$TB_IFACE}
        if [[ "$line" == nbdkit\ * ]]; then
          line=$(sed "s| aoe | $AOE_PLUGIN |" <<< "$line")
          [[ "$line" == *" $AOE_PLUGIN "* ]] ||
            fail "the recipe's nbdkit line names no plugin 'aoe': $line"
        fi
        printf '%s\n' "$line" ;;
    esac
  done <<< "$1"
}

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

serve=$(readme_block 'board recipe: serve')
stop=$(readme_block 'board recipe: stop')
[ -n "$serve" ] || fail "README.md has no block after 'board recipe: serve'"
[ -n "$stop" ] || fail "README.md has no block after 'board recipe: stop'"

requires command -v vblade
tb_setup --mtu 1500
image=$TB_DIR/disk.img
tb_image "$image" 64M
mkfs.ext4 -q -F -L board "$image"
head -c 100000 /dev/urandom > "$TB_DIR/known"
debugfs -w -R "write $TB_DIR/known known" "$image" >/dev/null 2>&1
tb_vblade 0 1 "$image"

# The tree the test writes through the mount, kept here for comparison.
tree=$TB_DIR/tree
mkdir -p "$tree/dir"
for i in 1 2 3 4 5; do
  head -c $(( i * 123457 )) /dev/urandom > "$tree/dir/file$i"
done
echo "written on the board" > "$tree/note.txt"

cat > "$TB_DIR/recipe.sh" <<EOF
set -eu
mount --make-rprivate /
mount -t tmpfs tmpfs /run
$(adapt_block "$serve")
test -S /run/aoe.sock || { echo "/run/aoe.sock is hidden: did nbdfuse mount over /run?" >&2; exit 1; }
cp /run/aoe.pid "$TB_DIR/nbdkit.pid"
cp /run/aoe-nbdfuse.pid "$TB_DIR/nbdfuse.pid"
losetup -n -O NAME -j /run/aoe/e0.1 > "$TB_DIR/loopdev"
cmp /mnt/known "$TB_DIR/known" || { echo "the known file reads back wrong" >&2; exit 1; }
cp -r "$tree/." /mnt/
sync
$(adapt_block "$stop")
EOF

cleanup_fn undo_recipe
echo "running README's board recipe as adapted here (serve, then stop):"
{ adapt_block "$serve"; adapt_block "$stop"; } | sed 's/^/  | /'
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
e2fsck -fn "$image" > "$TB_DIR/fsck.log" 2>&1 || {
  cat "$TB_DIR/fsck.log"
  fail "e2fsck found errors in the image after the recipe"
}
for f in note.txt dir/file1 dir/file2 dir/file3 dir/file4 dir/file5; do
  debugfs -R "dump /$f $TB_DIR/out" "$image" >/dev/null 2>&1
  cmp "$tree/$f" "$TB_DIR/out" || fail "/$f differs in the image"
done
echo "test-readme-board.sh: ok (the README's board recipe served, mounted, wrote and stopped cleanly)"
