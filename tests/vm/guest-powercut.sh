# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/vm/guest-powercut.sh MODE FIRST_CUT [CUTS]: run inside the guest
# by tests/test-vm-powercut.sh.
#
# Two writers (tests/vm/vm-writer.c, $VM_WRITER) run at once, each on its
# own nbdkit aoe + nbd-client: records appended with fsync to /tmp/mnt/log
# on ext4 on /dev/nbd0 (e0.1), and records written O_DIRECT | O_DSYNC
# (FUA) to the raw /dev/nbd1 (e0.2).  Each acknowledged record is an
# "ACK ..." line on the console, which the host reads after the cut.
#
# MODE qemu or vblade: write until the host cuts the power (kills qemu);
# in vblade mode the host kills and restarts vblade meanwhile, and a
# writer's error fails the run (writes must resume).
# MODE nbdkit: CUTS times, after a random 1 to 4 s, kill -9 both nbdkit
# processes ("CUT N" on the console), disconnect (failing what was in
# flight), unmount, serve and connect again, mount (the journal replays)
# and write on as the next cut; then write until the host cuts the power.
set -euo pipefail
. "$AOE_SRCDIR/tests/vm/guest-functions.sh"

mode=$1 cut=$2 cuts=${3:-0}
mnt=/tmp/mnt
mkdir -p "$mnt"

# Serve both disks, mount the file system, start both writers as cut $cut;
# their pids in writer_pids.
start ()
{
  g_nbd_up 0 0.1
  g_nbd_up 1 0.2
  mount /dev/nbd0 "$mnt" || g_fail "mount /dev/nbd0 failed"
  "$VM_WRITER" append "$mnt/log" "$cut" &
  writer_pids=("$!")
  "$VM_WRITER" raw /dev/nbd1 "$cut" &
  writer_pids+=("$!")
  g_say "writing, cut $cut"
}

start
if [ "$mode" = nbdkit ]; then
  for (( i = 0; i < cuts; i++ )); do
    sleep "$(( RANDOM % 4 + 1 )).$(( RANDOM % 10 ))"
    kill -KILL "$(cat /tmp/nbd0.pid)" "$(cat /tmp/nbd1.pid)"
    g_say "CUT $cut: nbdkit killed"
    # Without nbd-client -t, a request in flight to a dead server waits
    # for ever: disconnecting fails it, so the writers end on an error.
    nbd-client -d /dev/nbd0 >/dev/null 2>&1 || true
    nbd-client -d /dev/nbd1 >/dev/null 2>&1 || true
    wait "${writer_pids[@]}" || true
    umount "$mnt" || g_fail "umount after nbdkit's death failed"
    cut=$(( cut + 1 ))
    start
  done
fi
# Until the power cut: a writer that stops with an error fails the run.
for pid in "${writer_pids[@]}"; do
  wait "$pid" || g_fail "a writer failed (pid $pid), cut $cut"
done
g_say "both writers ended without a cut"
sleep 600
