# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/board-functions.sh: README's board recipe, for the tests that run
# it (test-readme-board.sh on the host with nbdfuse, test-vm-readme-board.sh
# in a VM with the kernel's NBD client).  Source after tests/functions.sh.
#
# README.md's "Running on a board" has two shell blocks, each after a
# marker line "<!-- board recipe: serve ... -->" and "<!-- board recipe:
# stop ... -->".  They are read from README.md, not copied, so the
# commands a board user types are the commands the tests run.  Each
# block holds two variants: with the nbd module (lines naming modprobe
# nbd, nbd-client or /dev/nbd) and without it (nbdfuse, its directory,
# the loop device, fusermount3); the other lines are common to both.
#
#   board_blocks                       read both blocks (board_serve, board_stop)
#   board_adapt BLOCK VARIANT IFACE [PLUGIN]
#                                      BLOCK as a script for VARIANT (nbd or
#                                      fuse): the other variant's lines
#                                      become notes, eth0 becomes IFACE,
#                                      nbdkit's plugin aoe the build's
#                                      (PLUGIN "aoe": kept as it is, and
#                                      modprobe too, for a root that has
#                                      both, like the emulated ARM926 board)
#   board_image IMAGE TREE             an ext4 image with a known file, and
#                                      a tree of files to write through it
#   board_check_image IMAGE TREE       the image is clean and holds TREE

# The shell block after the README line that contains marker $1.
_board_block ()
{
  awk -v marker="$1" '
    index($0, marker) { found = 1; next }
    found && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$AOE_SRCDIR/README.md"
}

# board_blocks: the serve and stop blocks into board_serve, board_stop.
board_blocks ()
{
  board_serve=$(_board_block 'board recipe: serve')
  board_stop=$(_board_block 'board recipe: stop')
  [ -n "$board_serve" ] || fail "README.md has no block after 'board recipe: serve'"
  [ -n "$board_stop" ] || fail "README.md has no block after 'board recipe: stop'"
}

# The variant line $1 belongs to: nbd, fuse or common.
_board_variant ()
{
  case "$1" in
    *'modprobe nbd'*|*nbd-client*|*/dev/nbd*) echo nbd ;;
    *nbdfuse*|*losetup*|*fusermount*|'mkdir -p /run/aoe') echo fuse ;;
    *) echo common ;;
  esac
}

# board_adapt BLOCK VARIANT IFACE [PLUGIN]: print BLOCK as a script for VARIANT:
# the other variant's lines are echoed as not run, "iface=eth0" names
# IFACE, nbdkit's plugin name aoe is the build's plugin (what the package
# installs in nbdkit's plugin directory), and "modprobe nbd" checks that
# the module is loaded (the VM loads it; its root has no kmod).
board_adapt ()
{
  local block=$1 variant=$2 iface=$3 plugin=${4:-$AOE_PLUGIN} line kind
  while IFS= read -r line; do
    case "$line" in
      '#'*|'') printf '%s\n' "$line"; continue ;;
    esac
    kind=$(_board_variant "$line")
    if [ "$kind" != common ] && [ "$kind" != "$variant" ]; then
      printf 'echo %q\n' "not run here (the $kind variant, see tests/board-functions.sh): $line"
      continue
    fi
    line=${line//iface=eth0/iface=$iface}
    if [[ "$line" == nbdkit\ * ]]; then
      line=$(sed "s| aoe | $plugin |" <<< "$line")
      [[ "$line" == *" $plugin "* ]] ||
        fail "the recipe's nbdkit line names no plugin 'aoe': $line"
    fi
    if [ "$line" = "modprobe nbd" ] && [ "$plugin" != aoe ]; then
      line="test -d /sys/module/nbd  # modprobe nbd: the VM loaded it"
    fi
    printf '%s\n' "$line"
  done <<< "$block"
}

# board_image IMAGE TREE: a 64 MiB ext4 image IMAGE holding /known (a
# copy of TREE/../known), and in directory TREE the files the recipe's
# run writes through the mount.
board_image ()
{
  local image=$1 tree=$2 i
  tb_image "$image" 64M
  mkfs.ext4 -q -F -L board "$image"
  head -c 100000 /dev/urandom > "$tree.known"
  debugfs -w -R "write $tree.known known" "$image" >/dev/null 2>&1
  mkdir -p "$tree/dir"
  for i in 1 2 3 4 5; do
    head -c $(( i * 123457 )) /dev/urandom > "$tree/dir/file$i"
  done
  echo "written on the board" > "$tree/note.txt"
}

# board_check_image IMAGE TREE: IMAGE is a clean file system (e2fsck -fn)
# holding every file of TREE, byte for byte (debugfs).
board_check_image ()
{
  local image=$1 tree=$2 f out=$2.out
  e2fsck -fn "$image" > "$tree.fsck" 2>&1 || {
    cat "$tree.fsck"
    fail "e2fsck found errors in the image after the recipe"
  }
  for f in note.txt dir/file1 dir/file2 dir/file3 dir/file4 dir/file5; do
    debugfs -R "dump /$f $out" "$image" >/dev/null 2>&1
    cmp "$tree/$f" "$out" || fail "/$f differs in the image"
  done
}
