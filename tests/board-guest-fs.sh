# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/board-guest-fs.sh: the file-system workload run ON the emulated
# ARM926 board (dash), by tests/test-board-fs.sh.  The host puts
# README's board guide in front of it as the functions serve_nbd,
# stop_nbd, serve_fuse and stop_fuse (tests/board-functions.sh):
# the commands a board user types.
#
# Usage (in the guest): main PASSES MODE...
#   1. format e0.1: nbdkit aoe + nbd-client, mkfs.ext4 on /dev/nbd0
#   2. for each MODE (nbd, fuse: nbdfuse): the guide's serve block (mounted on
#      /mnt), PASSES passes of: write a new tree of files (odd sizes) and
#      read it back at once, overwrite parts of the earlier passes' files
#      in place, sync, umount, drop the caches, mount again, verify every
#      file of every pass so far (sha256sum -c); then the stop block
#   3. e2fsck -fn on /dev/nbd0 (through nbd-client again), and every
#      file's sum printed as "BOARD-SUM SHA256  PATH" for the host
# Every step prints a line "board-fs: ..."; any failure exits non-zero
# (the host runs it under set -e, so a failing line of the guide does).

# Print a progress line on the console.
log ()
{
  echo "board-fs: $*"
}

# Fail the run with MESSAGE.
die ()
{
  echo "board-fs: FAIL: $*"
  exit 1
}

# Wait until process $1 has exited (at most 30 s).
wait_gone ()
{
  i=0
  while [ -d "/proc/$1" ] && [ $i -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  [ ! -d "/proc/$1" ] || die "process $1 did not exit"
}

# Stop the nbdkit of format and fsck_disk, and remove its socket (which
# nbdkit leaves behind).
stop_fmt ()
{
  pid=$(cat /run/fmt.pid)
  kill "$pid"
  wait_gone "$pid"
  rm -f /run/fmt.sock
}

# Serve e0.1 on /run/fmt.sock, format it through /dev/nbd0, stop.
format ()
{
  nbdkit -P /run/fmt.pid --unix /run/fmt.sock aoe iface=eth0 e0.1 ||
    die "nbdkit aoe did not start"
  modprobe nbd || die "modprobe nbd failed"
  nbd-client -unix /run/fmt.sock /dev/nbd0 || die "nbd-client failed"
  log "/dev/nbd0: $(cat /sys/block/nbd0/size) sectors," \
      "max_sectors_kb $(cat /sys/block/nbd0/queue/max_sectors_kb)"
  mkfs.ext4 -q -F -L board /dev/nbd0 || die "mkfs.ext4 /dev/nbd0 failed"
  nbd-client -d /dev/nbd0 || die "nbd-client -d failed"
  stop_fmt
  log "formatted e0.1 (ext4)"
}

# The sizes (bytes) of a pass's files: around the block and page sizes,
# and larger than nbd's 128 KiB requests.
sizes="1 511 4095 4096 4097 65537 131072 300001 1048577 2000003"

# write_pass P: a new tree /mnt/pP (also kept in /tmp/src-P), read back
# at once; its sums in /tmp/sums-P.
write_pass ()
{
  p=$1 src=/tmp/src-$1
  rm -rf "$src"
  mkdir -p "$src/a/b" "$src/c" || die "cannot create $src"
  n=0
  for size in $sizes; do
    n=$((n + 1))
    case $((n % 3)) in
      0) f=$src/f$n ;;
      1) f=$src/a/f$n ;;
      2) f=$src/a/b/f$n ;;
    esac
    head -c "$size" /dev/urandom > "$f"
  done
  ln -s a/f1 "$src/c/link"
  (cd "$src" && find . -type f | sort | xargs sha256sum) > "/tmp/sums-$p"
  cp -a "$src" "/mnt/p$p" || die "cannot write /mnt/p$p"
  (cd "/mnt/p$p" && sha256sum -c -s "/tmp/sums-$p") ||
    die "pass $p: reading back at once differs"
}

# overwrite_old P: in every earlier pass's tree, overwrite 5 sectors in
# the middle of its largest file in place (the same bytes in its /tmp
# copy), and rewrite its smallest file whole.
overwrite_old ()
{
  q=1
  while [ "$q" -lt "$1" ]; do
    head -c 2560 /dev/urandom > /tmp/chunk
    for tree in "/tmp/src-$q" "/mnt/p$q"; do
      dd if=/tmp/chunk of="$tree/a/f10" bs=512 seek=1001 count=5 \
         conv=notrunc 2>/dev/null || die "dd into $tree failed"
    done
    head -c 1 /dev/urandom > "/tmp/src-$q/a/f1"
    cp "/tmp/src-$q/a/f1" "/mnt/p$q/a/f1" || die "cannot rewrite /mnt/p$q/a/f1"
    (cd "/tmp/src-$q" && find . -type f | sort | xargs sha256sum) > "/tmp/sums-$q"
    q=$((q + 1))
  done
}

# cycle: sync, umount, drop the caches, mount the same device again.
cycle ()
{
  dev=$(awk '$2 == "/mnt" { print $1 }' /proc/mounts)
  [ -n "$dev" ] || die "nothing is mounted on /mnt"
  sync
  umount /mnt || die "umount /mnt failed"
  echo 3 > /proc/sys/vm/drop_caches
  mount "$dev" /mnt || die "mount $dev /mnt failed"
}

# verify_all P: every file of passes 1..P matches its sum.
verify_all ()
{
  q=1
  while [ "$q" -le "$1" ]; do
    (cd "/mnt/p$q" && sha256sum -c -s "/tmp/sums-$q") ||
      die "pass $q's files differ after remount"
    [ "$(readlink "/mnt/p$q/c/link")" = a/f1 ] || die "pass $q's link differs"
    q=$((q + 1))
  done
}

# run_mode MODE PASSES FIRST: the guide's serve block for MODE, passes
# FIRST.. FIRST+PASSES-1, the stop block.
run_mode ()
{
  mode=$1 passes=$2 first=$3
  log "$mode: README's serve block"
  "serve_$mode"
  grep -q ' /mnt ' /proc/mounts || die "README's serve block ($mode) mounted nothing on /mnt"
  last=$((first + passes - 1))
  p=$first
  while [ "$p" -le "$last" ]; do
    t0=$(date +%s)
    write_pass "$p"
    overwrite_old "$p"
    cycle
    verify_all "$p"
    log "$mode pass $p: wrote and verified passes 1-$p after remount ($(( $(date +%s) - t0 ))s)"
    p=$((p + 1))
  done
  pid=$(cat /run/aoe.pid)
  log "$mode: README's stop block"
  "stop_$mode"
  wait_gone "$pid"
  ! grep -q ' /mnt ' /proc/mounts || die "README's stop block ($mode) left /mnt mounted"
  log "$mode: $passes passes, stopped cleanly"
}

# fsck_disk: e2fsck -fn on e0.1 through nbd-client.
fsck_disk ()
{
  nbdkit -P /run/fmt.pid --unix /run/fmt.sock aoe iface=eth0 e0.1 ||
    die "nbdkit aoe did not start"
  nbd-client -unix /run/fmt.sock /dev/nbd0 || die "nbd-client failed"
  e2fsck -fn /dev/nbd0 || die "e2fsck found errors"
  nbd-client -d /dev/nbd0
  stop_fmt
  log "e2fsck -fn: clean"
}

# main PASSES MODE...: see the header.
main ()
{
  passes=$1
  shift
  format
  first=1
  for mode in "$@"; do
    run_mode "$mode" "$passes" "$first"
    first=$((first + passes))
  done
  fsck_disk
  # Every file's sum, for the host to check the image against.
  q=1
  while [ "$q" -lt "$first" ]; do
    sed "s|  \./|  /p$q/|; s/^/BOARD-SUM /" "/tmp/sums-$q"
    q=$((q + 1))
  done
  log "ok"
}
