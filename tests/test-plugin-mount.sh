#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-plugin-mount.sh: a file system on an AoE disk without the nbd
# kernel module.  nbdkit aoe serves e0.1 on a Unix socket; nbdfuse shows
# it as a file; a loop device on that file gets an ext4 file system; a tree
# of files is copied in; after unmounting, fsck -n finds it clean; after
# remounting, every file compares equal; the image file behind the
# target is itself a clean file system.  FUSE, loop and mount are torn
# down at exit, also on failure.
#
# The FUSE and ext4 mounts live in a private mount namespace (this script
# runs itself again under `unshare -m` for that part): the host's mount
# namespace has private propagation here, so any namespace another process
# creates meanwhile (every `ip netns exec` does) would otherwise keep a
# copy of our mounts alive after we unmount them, holding the loop device
# busy.
set -euo pipefail
. "$AOE_SRCDIR/tests/plugin-functions.sh"

# Unmount DIR if something is mounted there.
unmount_if_mounted ()
{
  if mountpoint -q "$1"; then
    umount "$1" || umount -l "$1"
  fi
}

# Detach the loop device named in file $1 if it is still backed by file $2
# (and so not reused by someone else since).
detach_loop ()
{
  local dev
  dev=$(cat "$1" 2>/dev/null) || return 0
  if [ "$(losetup -n -O BACK-FILE "$dev" 2>/dev/null | sed 's/ *$//')" = "$2" ]; then
    losetup -d "$dev"
  fi
}

# Stop the nbdfuse whose pid is in file $1 (unmounting FUSE dir $2 first,
# which makes it exit by itself), if it still runs.
stop_nbdfuse ()
{
  local pid i
  pid=$(cat "$1" 2>/dev/null) || return 0
  if mountpoint -q "$2"; then
    fusermount3 -u "$2" || fusermount3 -u -z "$2"
  fi
  for (( i = 0; i < 50; i++ )); do
    grep -qs nbdfuse "/proc/$pid/cmdline" || return 0
    sleep 0.1
  done
  kill -TERM "$pid"
}

# The file system part, in a private mount namespace.  $1 is the Unix
# socket of nbdkit, $2 the working directory (the test bed's $TB_DIR).
in_private_mounts ()
{
  local sock=$1 dir=$2
  local fusedir=$dir/fuse mnt=$dir/mnt tree=$dir/tree loop i
  local disk=$fusedir/disk
  mkdir "$fusedir" "$mnt"

  nbdfuse "$disk" --unix "$sock" &
  echo $! > "$dir/nbdfuse.pid"
  cleanup_fn stop_nbdfuse "$dir/nbdfuse.pid" "$fusedir"
  tb_wait_for 20 test -s "$disk" || fail "nbdfuse did not show $disk"
  [ "$(stat -c %s "$disk")" -eq $(( 128 << 20 )) ] ||
    fail "wrong size of $disk"

  loop=$(losetup -f --show "$disk")
  echo "$loop" > "$dir/loopdev"
  cleanup_fn detach_loop "$dir/loopdev" "$disk"
  mkfs.ext4 -q -F "$loop"
  mount "$loop" "$mnt"
  cleanup_fn unmount_if_mounted "$mnt"

  # A tree of files: empty, tiny, sector-sized, odd-sized and a few MiB,
  # nested directories, a symlink.
  mkdir -p "$tree/a/b/c" "$tree/d" "$tree/empty-dir"
  : > "$tree/empty"
  echo hello > "$tree/a/hello.txt"
  head -c 512 /dev/urandom > "$tree/a/sector"
  head -c 4 /dev/urandom > "$tree/a/b/tiny"
  for i in $(seq 1 60); do
    head -c $(( (i * 7919) % 300000 + 1 )) /dev/urandom > "$tree/a/b/c/f$i"
  done
  for i in 1 2 3; do
    head -c $(( i * 3 << 20 )) /dev/urandom > "$tree/d/big$i"
  done
  ln -s ../a/hello.txt "$tree/d/link"

  cp -a "$tree" "$mnt/tree"
  umount "$mnt"
  e2fsck -fn "$loop" || fail "fsck found errors"

  mount "$loop" "$mnt"
  diff -r --no-dereference "$tree" "$mnt/tree" ||
    fail "files differ after remount"
  [ "$(cd "$tree" && find . | sort | md5sum)" = \
    "$(cd "$mnt/tree" && find . | sort | md5sum)" ] || fail "file lists differ"
  umount "$mnt"
  losetup -d "$loop"
  fusermount3 -u "$fusedir"
}

if [ "${1:-}" = --in-private-mounts ]; then
  in_private_mounts "$2" "$3"
  exit 0
fi

requires_fuse_mount
requires mountpoint --version

plugin_target 128M
sock=$TB_DIR/nbd.sock

# nbdkit in the initiator namespace; the Unix socket is reachable from here.
tb_init_bg nbdkit -f -U "$sock" "$AOE_PLUGIN" iface="$TB_IFACE" shelf=0 slot=1
tb_wait_for 20 test -S "$sock" || fail "nbdkit did not start"

# Should the inner part die without its own cleanup, release what it left.
cleanup_fn stop_nbdfuse "$TB_DIR/nbdfuse.pid" "$TB_DIR/fuse"
cleanup_fn detach_loop "$TB_DIR/loopdev" "$TB_DIR/fuse/disk"

unshare -m --propagation private "$0" --in-private-mounts "$sock" "$TB_DIR"

# The data reached the target: the image vblade serves is the file system.
e2fsck -fn "$PLUGIN_IMAGE" || fail "fsck of the target's image found errors"
echo "test-plugin-mount.sh: ok"
