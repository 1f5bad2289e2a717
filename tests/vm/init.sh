#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/vm/init.sh: /init of the test bed's initramfs (busybox sh, PID 1).
#
# Generic (no architecture in here): it loads the modules packed under
# /modules in file-name order (the host sorted them, dependencies first),
# mounts the host's root read-only (9p tag "hostroot") at /host and the
# run's read-write share (9p tag "vmshare") at the path the host gave, the
# same path as on the host, then chroots into /host and runs the share's
# run.sh under a time limit.  Its exit status goes to the share's file
# "status" and to the console as "VM-EXIT: N"; then the guest resets
# (qemu runs with -no-reboot, so it exits).
#
# Kernel command line words read here: vm.share=PATH (where the share is
# mounted, required), vm.mtu=N (eth0's MTU, default 1500), vm.timeout=N
# (seconds for run.sh, default 300), vm.keep=PATH (repeatable: a host
# directory under /tmp, /run or /var/tmp that stays visible over the
# guest's own tmpfs there, such as a source or build tree cloned in /tmp).
export PATH=/bin

# Print MESSAGE on the console, prefixed so the host can tell it apart
# from the kernel's own messages.
say ()
{
  echo "vm-init: $*"
}

# Report status $1 (console and share), flush, and reset the guest.
finish ()
{
  say "VM-EXIT: $1"
  if [ -n "$share" ] && [ -d "/host$share" ]; then
    echo "$1" > "/host$share/status"
  fi
  sync
  reboot -f
  sleep 5
  echo b > /proc/sysrq-trigger
}

# keep_binds out|back: bind every vm.keep= tree from /host to /keep/N
# (out), or from /keep/N back to its path under /host (back).
keep_binds ()
{
  n=0
  for d in $keep; do
    n=$((n + 1))
    if [ "$1" = out ]; then
      from=/host$d to=/keep/$n
    else
      from=/keep/$n to=/host$d
    fi
    mkdir -p "$to" && mount -o bind "$from" "$to" ||
      { say "cannot bind $from on $to"; finish 125; }
  done
}

mkdir -p /proc /sys /dev /host /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

share= mtu=1500 timeout=300 keep=
for word in $(cat /proc/cmdline); do
  case "$word" in
    vm.keep=*) keep="$keep ${word#vm.keep=}" ;;
    vm.share=*) share=${word#vm.share=} ;;
    vm.mtu=*) mtu=${word#vm.mtu=} ;;
    vm.timeout=*) timeout=${word#vm.timeout=} ;;
  esac
done
[ -n "$share" ] || { say "no vm.share= on the kernel command line"; finish 125; }

for ko in /modules/*.ko; do
  insmod "$ko" || { say "insmod $ko failed"; finish 125; }
done

mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose,ro hostroot /host ||
  { say "cannot mount the host's root"; finish 125; }
# The host's root is read-only: the guest's own /dev, /proc, /sys and
# tmpfs for /tmp, /run and /var/tmp go over it, then the share (whose
# path, usually under /tmp, is created in that tmpfs).
mount -o bind /dev /host/dev
mount -t devpts devpts /host/dev/pts 2>/dev/null
mount -t tmpfs tmpfs /host/dev/shm 2>/dev/null
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
# The kept trees are held by a bind mount outside /host (/keep/N) while
# the tmpfs goes over their parent, then put back at their own paths.
keep_binds out
for d in /tmp /run /var/tmp; do
  mount -t tmpfs tmpfs "/host$d"
done
keep_binds back
mkdir -p "/host$share" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,cache=none vmshare "/host$share" ||
  { say "cannot mount the share at $share"; finish 125; }

ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
  ip link set eth0 mtu "$mtu" && ip link set eth0 up ||
    { say "cannot bring up eth0 with MTU $mtu"; finish 125; }
fi

say "running $share/run.sh (limit ${timeout}s)"
status=0
timeout -s KILL "$timeout" chroot /host /bin/sh "$share/run.sh" \
  </dev/console >/dev/console 2>&1 || status=$?
finish "$status"
