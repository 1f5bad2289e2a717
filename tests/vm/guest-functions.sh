# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/vm/guest-functions.sh: helpers for scripts run inside the guest
# (by vm_run / vm_start, tests/vm/functions.sh).  The guest runs the
# host's programs in a chroot of the host's root; its environment names
# the build (AOE_SRCDIR, AOE_BUILDDIR, AOE_PLUGIN), the share (VM_SHARE),
# eth0's MTU (VM_MTU) and, for loading modules later, the unpacked
# kernel's module tree (VM_MODDIR) and a static busybox (VM_BUSYBOX: the
# host has no kmod).
#
#   g_say MESSAGE...         progress on the console ("guest: ...")
#   g_fail MESSAGE...        "guest: FAIL: ..." and exit 1
#   g_insmod NAME [PARAM...] load module NAME from VM_MODDIR
#   g_rmmod NAME             unload it
#   g_nbd_up N SHELF.SLOT [OPT...]
#                            nbdkit aoe for eSHELF.SLOT on eth0 and
#                            nbd-client [OPT...] on /dev/nbdN (socket
#                            /tmp/nbdN.sock, nbdkit's pid in /tmp/nbdN.pid)
#   g_nbd_client N [OPT...]  nbd-client [OPT...] on /dev/nbdN for the
#                            nbdkit serving /tmp/nbdN.sock
#   g_nbd_down N             disconnect /dev/nbdN and stop its nbdkit
#   g_drop_caches            sync and drop the page cache

# Print MESSAGE on the console, after the guest's uptime in seconds.
g_say ()
{
  local up
  read -r up _ < /proc/uptime
  echo "guest: [$up] $*"
}

# Print a failure on the console and exit 1.
g_fail ()
{
  echo "guest: FAIL: $*"
  exit 1
}

# g_insmod NAME [PARAM...]: load NAME.ko from the unpacked kernel.
g_insmod ()
{
  local name=$1 path
  shift
  path=$(find "$VM_MODDIR/kernel" -name "$name.ko" -print -quit)
  [ -n "$path" ] || g_fail "no module $name in $VM_MODDIR"
  "$VM_BUSYBOX" insmod "$path" "$@" || g_fail "insmod $name $* failed"
}

# g_rmmod NAME: unload module NAME.
g_rmmod ()
{
  "$VM_BUSYBOX" rmmod "$1" || g_fail "rmmod $1 failed"
}

# True if /dev/nbdN is connected (the kernel gives it a size).
g_nbd_connected ()
{
  [ "$(cat "/sys/block/nbd$1/size" 2>/dev/null || echo 0)" != 0 ]
}

# g_nbd_up N SHELF.SLOT [OPT...]: serve AoE target eSHELF.SLOT with the
# build's plugin and connect /dev/nbdN to it, with nbd-client's options
# OPT (e.g. -C 4).  AOE_VM_NBDKIT_FILTER="NAME
# [KEY=VALUE...]" puts an nbdkit filter in front (e.g. "cache
# cache=unsafe", which acknowledges flushes it never does, to see that
# the power-cut test catches a server losing acknowledged writes).
g_nbd_up ()
{
  local n=$1 target=$2 filter=() params=()
  shift 2
  if [ -n "${AOE_VM_NBDKIT_FILTER:-}" ]; then
    read -r -a params <<< "$AOE_VM_NBDKIT_FILTER"
    filter=("--filter=${params[0]}")
    params=("${params[@]:1}")
  fi
  rm -f "/tmp/nbd$n.sock" "/tmp/nbd$n.pid"
  nbdkit -P "/tmp/nbd$n.pid" -U "/tmp/nbd$n.sock" "${filter[@]}" \
    "$AOE_PLUGIN" iface=eth0 "e$target" "${params[@]}" ||
    g_fail "nbdkit aoe e$target did not start"
  g_nbd_client "$n" "$@"
}

# g_nbd_client N [OPT...]: connect /dev/nbdN to the nbdkit serving
# /tmp/nbdN.sock, with nbd-client's options OPT, and wait for its size.
g_nbd_client ()
{
  local n=$1 i
  shift
  nbd-client "$@" -unix "/tmp/nbd$n.sock" "/dev/nbd$n" > "/tmp/nbd$n.log" 2>&1 ||
    g_fail "nbd-client -unix /tmp/nbd$n.sock /dev/nbd$n failed: $(tail -n 2 "/tmp/nbd$n.log")"
  for (( i = 0; i < 100; i++ )); do
    g_nbd_connected "$n" && return 0
    sleep 0.1
  done
  g_fail "/dev/nbd$n has no size after nbd-client"
}

# g_nbd_down N: disconnect /dev/nbdN and stop its nbdkit (waiting for it).
g_nbd_down ()
{
  local n=$1 pid i
  nbd-client -d "/dev/nbd$n" >/dev/null 2>&1 || true
  pid=$(cat "/tmp/nbd$n.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  for (( i = 0; i < 100; i++ )); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  g_fail "nbdkit (pid $pid) did not exit"
}

# g_drop_caches: write back and drop the page cache, so reads go to the
# disk again.
g_drop_caches ()
{
  sync
  echo 3 > /proc/sys/vm/drop_caches
}
