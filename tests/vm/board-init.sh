#!/bin/busybox sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/vm/board-init.sh: /init of the emulated ARM926 board (busybox sh,
# PID 1; tests/vm/arm926.sh packs it).
#
# The initramfs is the board's whole root file system.  This installs
# busybox's applets, mounts /proc, /sys, /dev (devtmpfs), /run and /tmp,
# indexes the kernel's modules (depmod, so that `modprobe nbd` works as
# on a board), brings lo and eth0 up, and runs /run.sh with dash (the
# board's /bin/sh, which finds programs on PATH as a board does) and the
# arguments listed in /run.args under the time limit board.timeout=N
# (kernel command line, seconds).  Its exit status goes to the console as
# "BOARD-EXIT: N"; then the board resets (qemu runs with -no-reboot, so
# it exits).
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for d in /run /tmp; do
  mount -t tmpfs tmpfs "$d"
done
depmod

timeout=300
for word in $(cat /proc/cmdline); do
  case "$word" in
    board.timeout=*) timeout=${word#board.timeout=} ;;
  esac
done

ip link set lo up
ip link set eth0 up || echo "board-init: cannot bring up eth0"

echo "board-init: running /run.sh (limit ${timeout}s)"
status=0
set --
while IFS= read -r arg; do
  set -- "$@" "$arg"
done < /run.args
timeout -s KILL "$timeout" dash /run.sh "$@" </dev/console >/dev/console 2>&1 ||
  status=$?
echo "BOARD-EXIT: $status"
sync
reboot -f
