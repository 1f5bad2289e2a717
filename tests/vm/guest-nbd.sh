# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/vm/guest-nbd.sh [kernel-aoe]: run inside the guest by
# tests/test-vm-nbd.sh (step 4 only with the argument kernel-aoe).
#
# The users' path through the kernel: nbdkit aoe (the build's plugin) on
# eth0 for e0.1, nbd-client -unix, /dev/nbd0; libaoe sending through its
# transmit ring (checked first).
#  1. What the kernel sees in /sys/block/nbd0/queue against what the
#     plugin advertises (nbdinfo): block sizes, write cache (flush), FUA.
#  2. ext4: mkfs, a tree of files, umount, drop caches, remount, every
#     checksum, umount, e2fsck -fn clean.
#  3. fio: random writes of mixed sizes, O_DIRECT, queue depth 16, then
#     every block verified (crc32c).
#  4. The whole disk's checksum through nbd, then (nbdkit stopped) the
#     kernel's aoe driver reads the same bytes from /dev/etherd/e0.1 and
#     writes a random chunk, which nbdkit aoe then reads back.
# Results for the host in $VM_SHARE: queue.txt (the queue's values),
# nbd.md5 (the disk through nbd at the end).
set -euo pipefail
. "$AOE_SRCDIR/tests/vm/guest-functions.sh"

q=/sys/block/nbd0/queue

# The MD5 of the whole of block device $1, read with O_DIRECT in 4 MiB
# requests (the kernel splits them; no page cache, no readahead).
disk_md5 ()
{
  dd if="$1" bs=4M iflag=direct status=none | md5sum | cut -d' ' -f1
}
mnt=/tmp/mnt
mkdir -p "$mnt"

# virtio-net is a NIC that sends from the frame's own pages: libaoe
# sends through its transmit ring (lib/packet-tx-ring.c), and every step
# below runs on it.
LIBAOE_DEBUG=1 "$AOE_BUILDDIR/examples/aoectl" discover -i eth0 \
  > /tmp/discover.out 2>&1 || g_fail "aoectl discover failed: $(tail -n 3 /tmp/discover.out)"
grep -q "opened eth0 (.*sends through a transmit ring)" /tmp/discover.out ||
  g_fail "libaoe does not send through its transmit ring on virtio-net: $(grep opened /tmp/discover.out)"
g_say "nbdkit aoe + nbd-client at MTU $VM_MTU"
g_nbd_up 0 0.1
g_say "served and connected"
nbdinfo --json "nbd+unix:///?socket=/tmp/nbd0.sock" > "$VM_SHARE/nbdinfo.json" ||
  g_fail "nbdinfo on the plugin's socket failed"

# 1. The queue against the plugin's advertisement.
( cd "$q" && grep -H . logical_block_size physical_block_size minimum_io_size \
    max_sectors_kb max_hw_sectors_kb write_cache fua ) | sed 's/:/=/' > "$VM_SHARE/queue.txt"
sed 's/^/guest: queue: /' "$VM_SHARE/queue.txt"
# The queue's values and the plugin's as shell variables q_NAME, p_NAME.
while IFS== read -r key value; do
  printf -v "q_$key" %s "$value"
done < "$VM_SHARE/queue.txt"
eval "$(jq -r '.exports[0] | "p_size=\(."export-size") p_min=\(.block_size_minimum) p_flush=\(.can_flush) p_fua=\(.can_fua)"' "$VM_SHARE/nbdinfo.json")"
[ "$(( $(cat /sys/block/nbd0/size) * 512 ))" = "$p_size" ] ||
  g_fail "/dev/nbd0 has $(cat /sys/block/nbd0/size) sectors, the plugin $p_size bytes"
[ "$p_min" = 512 ] || g_fail "the plugin's minimum block size is $p_min, not AoE's 512"
# The kernel's block size is nbd-client's choice: a power of two no
# smaller than the plugin's minimum, and at most a page.
lbs=$q_logical_block_size
(( lbs >= p_min && lbs <= 4096 && (lbs & (lbs - 1)) == 0 )) ||
  g_fail "logical_block_size $lbs does not fit the plugin's minimum $p_min"
case "$p_flush/$q_write_cache" in
  true/"write back"|false/"write through") ;;
  *) g_fail "the plugin's can_flush is $p_flush, the kernel's write_cache '$q_write_cache'" ;;
esac
case "$p_fua/$q_fua" in
  true/1|false/0) ;;
  *) g_fail "the plugin's can_fua is $p_fua, the kernel's fua $q_fua" ;;
esac
[ "$p_flush" = true ] ||
  g_fail "vblade offers FLUSH CACHE, yet the plugin advertises no flush"
# Bigger requests can be asked for (up to max_hw_sectors_kb).
echo 1024 > "$q/max_sectors_kb" || g_fail "max_sectors_kb 1024 refused"
[ "$(cat "$q/max_sectors_kb")" = 1024 ] || g_fail "max_sectors_kb did not become 1024"

# 2. ext4 on /dev/nbd0.
g_say "ext4: mkfs, files, remount, verify, fsck"
mkfs.ext4 -q -F /dev/nbd0 || g_fail "mkfs.ext4 /dev/nbd0 failed"
mount /dev/nbd0 "$mnt" || g_fail "mount /dev/nbd0 failed"
for d in 1 2 3 4; do
  mkdir -p "$mnt/d$d/sub"
  for i in $(seq 1 6); do
    head -c $(( (d * 37 + i * 4099) * 13 )) /dev/urandom > "$mnt/d$d/f$i"
    head -c $(( i * 509 )) /dev/urandom > "$mnt/d$d/sub/s$i"
  done
done
head -c 2M /dev/urandom > "$mnt/big"
( cd "$mnt" && find . -type f -print0 | sort -z | xargs -0 sha256sum ) > /tmp/tree.sha256
files=$(wc -l < /tmp/tree.sha256)
umount "$mnt" || g_fail "umount failed"
g_drop_caches
mount /dev/nbd0 "$mnt" || g_fail "remount of /dev/nbd0 failed"
( cd "$mnt" && sha256sum --quiet -c /tmp/tree.sha256 ) ||
  g_fail "files read back differ after the remount"
umount "$mnt" || g_fail "umount failed"
e2fsck -fn /dev/nbd0 > /tmp/fsck.log 2>&1 || {
  cat /tmp/fsck.log
  g_fail "e2fsck -fn /dev/nbd0 found errors"
}
g_say "ext4: $files files verified after remount, fsck clean"

# 3. fio verify (after the file system: it overwrites the first 12 MiB).
g_say "fio: random writes, then verify (crc32c)"
fio --name=verify --filename=/dev/nbd0 --direct=1 --ioengine=libaio \
    --iodepth=16 --rw=randwrite --bsrange=4k-256k --size=12M \
    --verify=crc32c --do_verify=1 --verify_fatal=1 \
    --output=/tmp/fio.log >/dev/null 2>&1 || {
  tail -n 20 /tmp/fio.log
  g_fail "fio verify on /dev/nbd0 failed"
}
grep -q 'err= 0' /tmp/fio.log || { cat /tmp/fio.log; g_fail "fio reports errors"; }
g_say "fio: verify ok"

# 4. The same bytes through the kernel's aoe driver, both ways.
g_say "the whole disk's checksum through nbd"
disk_md5 /dev/nbd0 > "$VM_SHARE/nbd.md5"
g_nbd_down 0
if [ "${1:-}" != kernel-aoe ]; then
  g_say "ok"
  exit 0
fi
g_say "kernel aoe: reading e0.1"
g_insmod aoe aoe_iflist=eth0
for (( i = 0; i < 100; i++ )); do
  [ -b /dev/etherd/e0.1 ] && break
  echo > /dev/etherd/discover 2>/dev/null || true
  sleep 0.2
done
[ -b /dev/etherd/e0.1 ] || g_fail "the kernel's aoe driver found no e0.1"
[ "$(disk_md5 /dev/etherd/e0.1)" = "$(cat "$VM_SHARE/nbd.md5")" ] ||
  g_fail "the kernel's aoe driver reads other bytes than nbdkit aoe wrote"
head -c 8M /dev/urandom > /tmp/chunk
dd if=/tmp/chunk of=/dev/etherd/e0.1 bs=1M seek=20 oflag=direct conv=fsync \
   status=none || g_fail "writing through the kernel's aoe driver failed"
g_rmmod aoe
g_say "kernel aoe: same disk checksum; 8 MiB written, read back by nbdkit aoe"
g_nbd_up 0 0.1
dd if=/dev/nbd0 bs=1M skip=20 count=8 iflag=direct status=none | cmp - /tmp/chunk ||
  g_fail "nbdkit aoe reads other bytes than the kernel's aoe driver wrote"
disk_md5 /dev/nbd0 > "$VM_SHARE/nbd.md5"
g_nbd_down 0
g_say "ok"
