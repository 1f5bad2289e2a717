#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/test-vm-powercut.sh MODE: power cuts under nbdkit aoe + the
# kernel's NBD client, in a VM (tests/vm/); nothing acknowledged may be
# lost.
#
# vblade serves e0.1 (64 MiB, ext4 made here) and e0.2 (64 MiB raw).  In
# the guest (tests/vm/guest-powercut.sh) one writer appends records to a
# file on e0.1 with fsync after each, another writes records to e0.2 with
# O_DIRECT | O_DSYNC (FUA writes); every acknowledged record is printed on
# the serial console, which qemu writes to a file here as it comes.
#
#   qemu    AOE_VM_CUTS boots; each is killed (kill -9 qemu) at a random
#           moment once both writers have acknowledged records.
#   nbdkit  one boot: the guest kills both nbdkit processes at random
#           moments AOE_VM_CUTS times, serves and mounts again and writes
#           on; then qemu is killed.
#   vblade  one boot: vblade is killed (kill -9) and restarted
#           AOE_VM_CUTS times while the writers run (they must go on
#           without an error); then qemu is killed.
#
# After every qemu kill, in a copy of e0.1's image: the journal is
# replayed (e2fsck -E journal_only), then e2fsck -fn must find it clean,
# and the file must hold every record acknowledged on any boot so far;
# e0.2's image must hold every raw record acknowledged (of the last
# cuts, whose regions were not written again since).  AOE_VM_CUTS
# defaults to 3.  AOE_VM_NBDKIT_FILTER (tests/vm/guest-functions.sh)
# puts an nbdkit filter in the guest's nbdkit: "cache cache=unsafe" must
# make this test fail.
set -euo pipefail
. "$AOE_SRCDIR/tests/functions.sh"
. "$AOE_SRCDIR/tests/vm/functions.sh"
. "$AOE_SRCDIR/tests/vm/x86_64.sh"

mode=${1:-}
[[ "$mode" =~ ^(qemu|nbdkit|vblade)$ ]] ||
  fail "usage: test-vm-powercut.sh qemu|nbdkit|vblade"
cuts=${AOE_VM_CUTS:-3}
[[ "$cuts" =~ ^[1-9][0-9]*$ ]] || fail "AOE_VM_CUTS must be a positive number, got '$cuts'"
requires_root
requires test -n "${AOE_PLUGIN:-}"
requires command -v nbd-client
requires command -v debugfs
VM_WRITER=$AOE_BUILDDIR/tests/vm-writer
[ -x "$VM_WRITER" ] || fail "no $VM_WRITER (build the tests first)"
export VM_WRITER
VM_EXPORT="VM_WRITER AOE_VM_NBDKIT_FILTER"

tb_setup --mtu 9000
fs=$TB_DIR/fs.img raw=$TB_DIR/raw.img
tb_image "$fs" 64M
mkfs.ext4 -q -F "$fs"
tb_image "$raw" 64M
# Start (again) vblade for both images; their pids in vblade_pids.
serve ()
{
  tb_vblade 0 2 "$raw"
  vblade_pids=("$TB_VBLADE_PID")
  tb_vblade 0 1 "$fs"
  vblade_pids+=("$TB_VBLADE_PID")
}
serve
vm_prepare
vm_net_join

# Every ACK line seen on any console so far (cuts accumulate).
acks=$TB_DIR/acks
: > "$acks"
# Raw regions are reused every 4 cuts (tests/vm/vm-writer.c).
raw_regions=4

# Start the guest for MODE from cut $1 (with $2 nbdkit cuts).
boot ()
{
  vm_start --timeout 280 "$AOE_SRCDIR/tests/vm/guest-powercut.sh" "$mode" "$@"
}

# Wait until both writers have acknowledged a record since console line
# count $1 (0: the whole console).
wait_acks ()
{
  local from=$1 deadline=$(( $(date +%s) + 120 ))
  until [ "$(tail -n +"$(( from + 1 ))" "$VM_CONSOLE" | tr -d '\r' |
               grep -cE '^ACK (f [0-9]+ 1|r [0-9]+ 1)$')" -ge 2 ]; do
    _tb_alive "$VM_PID" || vm_fail "the guest ended before both writers wrote"
    [ "$(date +%s)" -lt "$deadline" ] ||
      vm_fail "the writers acknowledged nothing within 120 s"
    sleep 0.2
  done
}

# Kill qemu (the power cut) and check vblade's images against every
# acknowledgement seen so far.
cut_and_check ()
{
  local last copy=$TB_DIR/check.img out=$TB_DIR/log n_f n_r
  vm_kill
  tr -d '\r' < "$VM_CONSOLE" | grep -E '^ACK [fr] [0-9]+ [0-9]+$' >> "$acks" || true
  cp --sparse=always "$fs" "$copy"
  local status=0
  e2fsck -E journal_only -y "$copy" > "$TB_DIR/replay.log" 2>&1 || status=$?
  [ "$status" -le 1 ] || { cat "$TB_DIR/replay.log"; vm_fail "journal replay failed ($status)"; }
  e2fsck -fn "$copy" > "$TB_DIR/fsck.log" 2>&1 ||
    { cat "$TB_DIR/fsck.log"; vm_fail "e2fsck -fn after the journal's replay found errors"; }
  debugfs -R "dump /log $out" "$copy" > /dev/null 2>&1 && [ -f "$out" ] ||
    vm_fail "no /log in the file system after the cut"
  "$VM_WRITER" check-lines "$out" < "$acks" > "$TB_DIR/check-f" ||
    { cat "$TB_DIR/check-f"; vm_fail "acknowledged fsync'd records are missing"; }
  last=$(awk '{ if ($3 > m) m = $3 } END { print m + 0 }' "$acks")
  awk -v last="$last" -v regions="$raw_regions" \
    '$2 == "r" && $3 > last - regions' "$acks" |
    "$VM_WRITER" check-raw "$raw" > "$TB_DIR/check-r" ||
    { cat "$TB_DIR/check-r"; vm_fail "acknowledged FUA records are missing"; }
  n_f=$(grep -c '^ACK f' "$acks" || true)
  n_r=$(grep -c '^ACK r' "$acks" || true)
  echo "cut: $(sed 's/,.*//' "$TB_DIR/check-f") (fsync); raw: $(sed 's/,.*//' "$TB_DIR/check-r") (FUA); none lost, fsck clean"
  total_f=$n_f total_r=$n_r
}

# The number of ACK lines of writer $1 (f or r) on the console.
count_acks ()
{
  tr -d '\r' < "$VM_CONSOLE" | grep -c "^ACK $1 " || true
}

# A random pause of 1 to 5.9 s.
pause ()
{
  sleep "$(( RANDOM % 5 + 1 )).$(( RANDOM % 10 ))"
}

case $mode in
  qemu)
    for (( c = 1; c <= cuts; c++ )); do
      boot "$c"
      wait_acks 0
      pause
      cut_and_check
    done ;;
  nbdkit)
    boot 1 "$cuts"
    vm_console_wait 240 "guest: .* writing, cut $(( cuts + 1 ))" ||
      vm_fail "the guest did not serve and write again after $cuts nbdkit kills"
    wait_acks "$(grep -n "writing, cut $(( cuts + 1 ))" "$VM_CONSOLE" | cut -d: -f1)"
    pause
    cut_and_check ;;
  vblade)
    boot 1
    wait_acks 0
    for (( c = 1; c <= cuts; c++ )); do
      pause
      kill -KILL "${vblade_pids[@]}"
      wait "${vblade_pids[@]}" 2>/dev/null || true
      before_f=$(count_acks f)
      before_r=$(count_acks r)
      sleep 1
      serve
      # Writes resume: new acknowledgements within 60 s from both writers
      # (the raw one unless it has filled its region).
      deadline=$(( $(date +%s) + 60 ))
      until [ "$(count_acks f)" -gt "$before_f" ] &&
            { [ "$(count_acks r)" -gt "$before_r" ] ||
              tr -d '\r' < "$VM_CONSOLE" | grep -qx 'ACK r 1 4095'; }; do
        _tb_alive "$VM_PID" || vm_fail "the guest ended after vblade's restart $c"
        [ "$(date +%s)" -lt "$deadline" ] ||
          vm_fail "writes did not resume within 60 s of vblade's restart $c"
        sleep 0.2
      done
      echo "vblade restart $c: writes resumed"
    done
    cut_and_check ;;
esac
grep -q 'guest: FAIL' "$VM_CONSOLE" && vm_fail "the guest reported a failure"
case $mode in
  qemu) what="$cuts power cuts" ;;
  nbdkit) what="$cuts nbdkit kills, then a power cut" ;;
  vblade) what="$cuts vblade kills and restarts, then a power cut" ;;
esac
echo "test-vm-powercut.sh $mode: ok ($what; $total_f fsync'd and $total_r FUA records acknowledged, none lost)"
