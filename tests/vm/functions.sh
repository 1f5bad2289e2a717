# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/vm/functions.sh: the VM test bed, generic part (any architecture).
#
# A guest boots Debian's kernel under qemu with a busybox initramfs, mounts
# the host's root read-only over virtio-9p and chroots there, so it runs
# the host's nbdkit, libaoe build, nbd-client and fio against its own
# kernel (nbd, aoe, ext4 modules the host may lack).  Its NIC is a tap
# inside the test bed's initiator namespace, bridged with the veth toward
# vblade's namespace (tests/functions.sh): no frame ever reaches a real
# interface.  Every resource is registered with cleanup_fn.
#
# Source it after tests/functions.sh and an architecture file, which
# defines the vm_arch_* functions listed below (tests/vm/x86_64.sh):
#
#   . "$AOE_SRCDIR/tests/functions.sh"
#   . "$AOE_SRCDIR/tests/vm/functions.sh"
#   . "$AOE_SRCDIR/tests/vm/x86_64.sh"
#   tb_setup --mtu 9000
#   tb_image "$TB_DIR/disk.img" 64M
#   tb_vblade 0 1 "$TB_DIR/disk.img"
#   vm_prepare                      # kernel, modules, initramfs (cached)
#   vm_net_join                     # bridge + tap in $TB_NS_INIT
#   vm_run 300 --mtu 9000 GUEST_SCRIPT [ARGS...]
#
# A benchmark boots once and runs one script doing all its work there;
# the power-cut tests use vm_start, vm_console_wait and vm_kill instead of
# vm_run.  Functions (see each one's comment):
#   vm_cache_dir                    the cache directory (prints it)
#   vm_apt_show PKG...              versions, Depends (VM_APT_VERSION[PKG])
#   vm_deb PKG                      a Debian package unpacked (VM_DEB_DIR)
#   vm_busybox                      path of a static busybox (VM_BUSYBOX)
#   vm_module_closure MODDIR MOD... modules with their dependencies, in
#                                   load order (prints paths)
#   vm_initramfs MODDIR MOD...      the initramfs (VM_INITRD), cached
#   vm_prepare                      vm_arch_prepare + vm_initramfs
#   vm_net_join                     bridge $TB_IFACE and a new tap (VM_TAP)
#   vm_start [--mtu N] [--timeout S] SCRIPT [ARGS...]
#                                   boot in the background (VM_PID)
#   vm_wait SECONDS                 wait for the guest's end (VM_STATUS)
#   vm_run SECONDS [--mtu N] SCRIPT [ARGS...]
#                                   vm_start + vm_wait, fail unless 0
#   vm_console_wait SECONDS REGEX   wait for a console line
#   vm_kill                         kill -9 the guest (a power cut)
#   vm_fail MESSAGE...              fail, with the console's tail
#
# The architecture file provides:
#   vm_arch_prepare     sets VM_KERNEL (image), VM_MODDIR (lib/modules/V),
#                       VM_KEY (cache key: package versions)
#   VM_MODULES          array: the modules the initramfs loads at boot
#                       (their dependencies are added)
#   VM_ARCH_QEMU_BIN    the qemu program (qemu-system-x86_64, ...)
#   vm_arch_qemu        sets the array VM_QEMU: the qemu command without
#                       the network, shares, console and -append (machine,
#                       CPU, memory, accelerator, -kernel, -initrd)
#   VM_ARCH_NIC         the virtio-net device model (virtio-net-pci, ...)
#   VM_ARCH_9P          the virtio-9p device model
#   VM_ARCH_CONSOLE     the guest's console device (ttyS0, ttyAMA0)
#
# Variables: VM_DIR (this run's files, in $TB_DIR), VM_SHARE (the read-write
# share: the guest sees it at the same path; run.sh, status, results),
# VM_CONSOLE (the console log), VM_PID, VM_STATUS (run.sh's exit status,
# empty if the guest ended without one).
#
# Environment honoured: AOE_VM_CACHE (cache directory; default
# $AOE_BUILDDIR/vm-cache), AOE_VM_LOGDIR (where failed runs' consoles are
# kept; default $AOE_BUILDDIR/meson-logs), AOE_VM_ACCEL (for the
# architecture file: tcg, the default, or kvm), VM_APPEND_EXTRA (words
# added to the kernel's command line).
#
# The guest's NIC offers $TB_MTU (virtio-net host_mtu); vm_start --mtu
# sets eth0's MTU in the guest (at most $TB_MTU).  tb_vblade works before
# and after vm_net_join.
#
# The guest runs SCRIPT with bash, in the share's directory, with
# AOE_SRCDIR, AOE_BUILDDIR, AOE_PLUGIN, VM_SHARE, VM_MTU, VM_MODDIR,
# VM_BUSYBOX and the variables named in VM_EXPORT (space separated)
# exported, under a time limit; it prints progress on its stdout (the
# console) and leaves results in $VM_SHARE.  tests/vm/guest-functions.sh
# has helpers for it (nbdkit aoe + nbd-client, modules).

# Directory of this file (the init script is next to it).
_vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Kernel command line words added by tests (e.g. for debugging).
VM_APPEND_EXTRA=${VM_APPEND_EXTRA:-}

# vm_cache_dir: print the cache directory (created if needed).
vm_cache_dir ()
{
  local dir=${AOE_VM_CACHE:-${AOE_BUILDDIR:-}/vm-cache}
  [ "$dir" != /vm-cache ] ||
    _tb_die "vm_cache_dir: set AOE_VM_CACHE or AOE_BUILDDIR"
  mkdir -p "$dir" || _tb_die "cannot create the cache directory $dir"
  echo "$dir"
}

# Candidate versions and dependencies of packages, from vm_apt_show.
declare -A VM_APT_VERSION=() VM_APT_DEPENDS=()

# vm_apt_show PKG...: one apt-cache call (apt is slow to start) for the
# candidate version (what apt-get download fetches) and Depends line of
# each PKG, into VM_APT_VERSION[PKG] and VM_APT_DEPENDS[PKG].
vm_apt_show ()
{
  local line key value pkg=
  while IFS= read -r line; do
    key=${line%%: *}
    value=${line#*: }
    case $key in
      Package) pkg=$value ;;
      Version) VM_APT_VERSION[$pkg]=$value ;;
      Depends) VM_APT_DEPENDS[$pkg]=$value ;;
    esac
  done < <(apt-cache show --no-all-versions "$@" 2>/dev/null)
}

# The candidate version of package $1.
_vm_pkg_version ()
{
  [ -n "${VM_APT_VERSION[$1]:-}" ] || vm_apt_show "$1"
  echo "${VM_APT_VERSION[$1]:-}"
}

# vm_deb PKG: unpack Debian package PKG (apt-get download + dpkg-deb -x,
# never installed, so no maintainer script runs) into the cache, once per
# version; sets VM_DEB_DIR to the unpacked tree.
vm_deb ()
{
  local pkg=$1 version cache dir tmp
  requires command -v apt-get
  requires command -v dpkg-deb
  version=$(_vm_pkg_version "$pkg")
  [ -n "$version" ] || _tb_skip "vm_deb: apt knows no package $pkg"
  cache=$(vm_cache_dir)
  dir=$cache/deb/${pkg}_${version//:/%3a}
  if [ ! -d "$dir" ]; then
    tmp=$(mktemp -d "$cache/vma-deb.XXXXXX") ||
      _tb_die "cannot create a directory in $cache"
    cleanup_fn rm -rf --one-file-system "$tmp"
    ( cd "$tmp" && apt-get download "$pkg=$version" ) > "$tmp/download.log" 2>&1 ||
      _tb_die "vm_deb: apt-get download $pkg=$version failed: $(tail -n 3 "$tmp/download.log")"
    mkdir "$tmp/tree"
    dpkg-deb -x "$tmp"/*.deb "$tmp/tree" ||
      _tb_die "vm_deb: cannot unpack $pkg"
    mkdir -p "$cache/deb"
    # A concurrent run may have won the race: keep its copy.
    mv -T "$tmp/tree" "$dir" 2>/dev/null || [ -d "$dir" ] ||
      _tb_die "vm_deb: cannot move $pkg into $dir"
  fi
  VM_DEB_DIR=$dir
}

# vm_busybox: set VM_BUSYBOX to a statically linked busybox for the
# guest: busybox-static of the host's architecture unpacked into the
# cache (the host's installed busybox may be the dynamic one).  An
# architecture file for another architecture sets VM_BUSYBOX itself
# (a static busybox for the guest) before vm_prepare; it is kept.
vm_busybox ()
{
  if [ -n "${VM_BUSYBOX:-}" ]; then
    [ -x "$VM_BUSYBOX" ] || _tb_die "VM_BUSYBOX=$VM_BUSYBOX is not an executable"
    return 0
  fi
  vm_deb busybox-static
  VM_BUSYBOX=$VM_DEB_DIR/bin/busybox
  [ -x "$VM_BUSYBOX" ] || _tb_die "vm_busybox: no bin/busybox in busybox-static"
}

# Print the path of module NAME under MODDIR ('-' and '_' are the same in
# module names); nothing if there is none.
_vm_module_path ()
{
  local moddir=$1 name=$2
  find "$moddir/kernel" -name "${name//[-_]/[-_]}.ko" -print -quit
}

# The modules module file $1 depends on (its .modinfo "depends=" line),
# space separated.
_vm_module_depends ()
{
  tr '\0' '\n' < "$1" | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' '
}

# vm_module_closure MODDIR MOD...: print the paths of MODs and everything
# they depend on, dependencies first, each once (the kernel package has no
# modules.dep: depmod would run at install time).
vm_module_closure ()
{
  local moddir=$1
  shift
  local -A seen=()
  local order=()
  # Depth-first: a module after all of its dependencies.
  _vm_visit ()
  {
    local name=${1//-/_} path dep
    [ -z "${seen[$name]:-}" ] || return 0
    seen[$name]=1
    path=$(_vm_module_path "$moddir" "$name")
    [ -n "$path" ] || _tb_die "vm_module_closure: no module $name in $moddir"
    for dep in $(_vm_module_depends "$path"); do
      _vm_visit "$dep"
    done
    order+=("$path")
  }
  local m
  for m in "$@"; do
    _vm_visit "$m"
  done
  printf '%s\n' "${order[@]}"
}

# vm_initramfs MODDIR MOD...: set VM_INITRD to a gzip'd newc initramfs
# with busybox (its applets as links in /bin), tests/vm/init.sh as /init
# and MODs with their dependencies as /modules/NN-name.ko in load order.
# Cached under a hash of $VM_KEY (the kernel package and version),
# busybox's unpacked path (its version), MODs and the init script, so a
# changed input makes a new one.
vm_initramfs ()
{
  local moddir=$1 cache key root i ko applet tmp
  shift
  vm_busybox
  cache=$(vm_cache_dir)
  key=$(printf '%s\n' "$VM_KEY" "$VM_BUSYBOX" "$@" |
          cat - "$_vm_dir/init.sh" | sha256sum | cut -c1-16)
  VM_INITRD=$cache/initramfs-$key.cpio.gz
  [ -f "$VM_INITRD" ] && return 0
  local modules
  modules=$(vm_module_closure "$moddir" "$@") || exit 1
  tmp=$(mktemp -d "$cache/vma-initramfs.XXXXXX") ||
    _tb_die "cannot create a directory in $cache"
  cleanup_fn rm -rf --one-file-system "$tmp"
  root=$tmp/root
  mkdir -p "$root/bin" "$root/modules" "$root/dev" "$root/proc" \
           "$root/sys" "$root/host" "$root/tmp"
  cp "$VM_BUSYBOX" "$root/bin/busybox"
  for applet in $("$VM_BUSYBOX" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  cp "$_vm_dir/init.sh" "$root/init"
  chmod 755 "$root/init"
  i=10
  while IFS= read -r ko; do
    cp "$ko" "$root/modules/$i-$(basename "$ko")"
    i=$(( i + 1 ))
  done <<< "$modules"
  ( cd "$root" && find . | "$VM_BUSYBOX" cpio -o -H newc 2>/dev/null ) |
    gzip -1 > "$tmp/initramfs.cpio.gz" ||
    _tb_die "vm_initramfs: cannot build the initramfs"
  mv "$tmp/initramfs.cpio.gz" "$VM_INITRD"
}

# vm_prepare: the kernel, its modules and the initramfs (all cached).
vm_prepare ()
{
  _tb_need_setup vm_prepare
  requires command -v "${VM_ARCH_QEMU_BIN:?the architecture file sets VM_ARCH_QEMU_BIN}"
  vm_arch_prepare
  vm_initramfs "$VM_MODDIR" "${VM_MODULES[@]}"
  VM_DIR=$TB_DIR/vm
  VM_SHARE=$VM_DIR/share
  mkdir -p "$VM_SHARE"
  export VM_SHARE
}

# Delete link $2 in namespace $1 if it exists.
_vm_del_link ()
{
  ip -n "$1" link show dev "$2" >/dev/null 2>&1 &&
    ip -n "$1" link delete dev "$2" 2>/dev/null
  return 0
}

# vm_net_join: in the initiator namespace, a bridge VM_BRIDGE holding
# $TB_IFACE (the veth toward vblade) and a new tap VM_TAP for the guest's
# NIC, all at $TB_MTU and up.  The host namespace never sees any of them.
# Sets TB_PROBE_IFACE, so tb_vblade works after it too.
vm_net_join ()
{
  _tb_need_setup vm_net_join
  [ -n "${VM_TAP:-}" ] && _tb_die "vm_net_join: already joined ($VM_TAP)"
  local br=vb${TB_ID}
  VM_TAP=vt${TB_ID}
  cleanup_fn _vm_del_link "$TB_NS_INIT" "$br"
  ip -n "$TB_NS_INIT" link add "$br" mtu "$TB_MTU" type bridge \
     forward_delay 0 stp_state 0 ||
    _tb_die "cannot create bridge $br in $TB_NS_INIT"
  cleanup_fn _vm_del_link "$TB_NS_INIT" "$VM_TAP"
  ip -n "$TB_NS_INIT" tuntap add dev "$VM_TAP" mode tap ||
    _tb_die "cannot create tap $VM_TAP in $TB_NS_INIT"
  ip -n "$TB_NS_INIT" link set "$VM_TAP" mtu "$TB_MTU" master "$br" up &&
    ip -n "$TB_NS_INIT" link set "$TB_IFACE" master "$br" &&
    ip -n "$TB_NS_INIT" link set "$br" mtu "$TB_MTU" up ||
    _tb_die "cannot bridge $VM_TAP and $TB_IFACE"
  VM_BRIDGE=$br
  # tb_vblade's readiness probe: frames for $TB_IFACE now arrive here.
  TB_PROBE_IFACE=$br
  export VM_TAP VM_BRIDGE TB_PROBE_IFACE
}

# Write the share's run.sh: the environment, then SCRIPT ARGS... run with
# bash from the share's directory (the chroot's root is the host's).
_vm_write_run ()
{
  local mtu=$1
  shift
  {
    echo "# Generated by tests/vm/functions.sh for one guest run."
    echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    echo "export HOME=/tmp TMPDIR=/tmp LC_ALL=C"
    local v
    for v in AOE_SRCDIR AOE_BUILDDIR AOE_PLUGIN VM_SHARE VM_MODDIR VM_BUSYBOX \
             ${VM_EXPORT:-}; do
      printf 'export %s=%q\n' "$v" "${!v:-}"
    done
    printf 'export VM_MTU=%q\n' "$mtu"
    printf 'cd %q || exit 125\n' "$VM_SHARE"
    printf 'exec bash'
    printf ' %q' "$@"
    echo
  } > "$VM_SHARE/run.sh"
}

# Save the console of a failed run where it outlives $TB_DIR, print its
# tail and the saved path.
_vm_keep_console ()
{
  local dir=${AOE_VM_LOGDIR:-${AOE_BUILDDIR:-${TMPDIR:-/tmp}}/meson-logs} kept
  [ -s "${VM_CONSOLE:-}" ] || return 0
  mkdir -p "$dir" 2>/dev/null
  kept=$dir/vm-console-${_tb_name%.sh}-$TB_ID.log
  cp "$VM_CONSOLE" "$kept" 2>/dev/null || kept=$VM_CONSOLE
  echo "--- last 40 lines of the guest console (whole: $kept) ---" >&2
  tail -n 40 "$VM_CONSOLE" >&2
  echo "--- end of the guest console ---" >&2
}

# vm_fail MESSAGE...: fail the test, first showing the console's tail.
vm_fail ()
{
  _vm_keep_console
  fail "$@"
}

# The init's vm.keep= words (each with a leading space): the source and
# build trees where the guest's own tmpfs would hide them (a clone under
# /tmp, say), so that the guest runs the same files as the host.
_vm_keep_words ()
{
  local d
  for d in "$AOE_SRCDIR" "$AOE_BUILDDIR"; do
    d=$(readlink -f "$d") || continue
    case "$d" in
      /tmp/*|/run/*|/var/tmp/*) printf ' vm.keep=%s' "$d" ;;
    esac
  done
}

# vm_start [--mtu N] [--timeout S] SCRIPT [ARGS...]: boot the guest in the
# background (inside $TB_NS_INIT, on $VM_TAP) to run SCRIPT ARGS... (bash,
# host paths) with eth0 at MTU N (default $TB_MTU) and a guest-side limit
# of S seconds (default 300).  VM_PID is qemu's pid; its console goes to
# VM_CONSOLE.  A guest left running is killed at exit.
vm_start ()
{
  local mtu=$TB_MTU timeout=300
  [ -n "${VM_TAP:-}" ] || _tb_die "vm_start: call vm_net_join first"
  [ -n "${VM_INITRD:-}" ] || _tb_die "vm_start: call vm_prepare first"
  while [ $# -gt 0 ]; do
    case "$1" in
      --mtu) mtu=$2; shift 2 ;;
      --timeout) timeout=$2; shift 2 ;;
      *) break ;;
    esac
  done
  [[ "$mtu" =~ ^[0-9]+$ && "$timeout" =~ ^[0-9]+$ ]] ||
    _tb_die "vm_start: --mtu and --timeout take numbers"
  [ $# -gt 0 ] || _tb_die "usage: vm_start [--mtu N] [--timeout S] SCRIPT [ARGS...]"
  _vm_write_run "$mtu" "$@"
  rm -f "$VM_SHARE/status"
  VM_RUNS=$(( ${VM_RUNS:-0} + 1 ))
  VM_CONSOLE=$VM_DIR/console-$VM_RUNS.log
  : > "$VM_CONSOLE"
  vm_arch_qemu
  local mac keep
  keep=$(_vm_keep_words)
  mac=52:54:00:$(od -An -N3 -tx1 /dev/urandom | sed 's/^ //; s/ /:/g')
  _tb_spawn "$VM_DIR/qemu-$VM_RUNS.log" ip netns exec "$TB_NS_INIT" \
    "${VM_QEMU[@]}" -nodefaults -no-reboot -display none -monitor none \
    -chardev "file,id=con,path=$VM_CONSOLE" -serial chardev:con \
    -fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap" \
    -device "$VM_ARCH_9P,fsdev=hostroot,mount_tag=hostroot" \
    -fsdev "local,id=vmshare,path=$VM_SHARE,security_model=none,multidevs=remap" \
    -device "$VM_ARCH_9P,fsdev=vmshare,mount_tag=vmshare" \
    -netdev "tap,id=net0,ifname=$VM_TAP,script=no,downscript=no" \
    -device "$VM_ARCH_NIC,netdev=net0,mac=$mac,host_mtu=$TB_MTU" \
    -append "console=$VM_ARCH_CONSOLE panic=-1 loglevel=4 vm.share=$VM_SHARE vm.mtu=$mtu vm.timeout=$timeout$keep $VM_APPEND_EXTRA"
  VM_PID=$_tb_last_pid
  VM_STATUS=
}

# vm_wait SECONDS: wait until the guest ends (at most SECONDS, then it is
# killed); VM_STATUS is run.sh's exit status from the share, empty if the
# guest ended without one (killed, crashed, timed out).  Returns 0 if the
# guest ended by itself.
vm_wait ()
{
  local seconds=$1 deadline
  deadline=$(( $(date +%s) + seconds ))
  while _tb_alive "$VM_PID"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "$_tb_name: the guest did not end within ${seconds}s: killed" >&2
      vm_kill
      return 1
    fi
    sleep 0.2
  done
  wait "$VM_PID" 2>/dev/null || true
  VM_STATUS=$(cat "$VM_SHARE/status" 2>/dev/null) || VM_STATUS=
  return 0
}

# vm_run SECONDS [--mtu N] SCRIPT [ARGS...]: boot, run SCRIPT in the guest
# with a limit of SECONDS (the guest's own limit a little shorter, so the
# script's failure is reported from inside when it can be), and fail
# (with the console's tail) unless it exited 0.
vm_run ()
{
  local seconds=$1
  shift
  [[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 30 ] ||
    _tb_die "vm_run: SECONDS must be a number above 30"
  vm_start --timeout $(( seconds - 20 )) "$@"
  vm_wait "$seconds" || vm_fail "the guest timed out after ${seconds}s"
  [ -n "$VM_STATUS" ] || vm_fail "the guest ended without a status (crash?)"
  [ "$VM_STATUS" = 0 ] || vm_fail "the guest's script exited with status $VM_STATUS"
}

# vm_console_wait SECONDS REGEX: wait until a console line matches REGEX
# (grep -E); returns 1 if SECONDS pass first or the guest ends first.
vm_console_wait ()
{
  local seconds=$1 regex=$2 deadline
  deadline=$(( $(date +%s) + seconds ))
  until grep -qE -- "$regex" "$VM_CONSOLE" 2>/dev/null; do
    if ! _tb_alive "$VM_PID" || [ "$(date +%s)" -ge "$deadline" ]; then
      grep -qE -- "$regex" "$VM_CONSOLE" 2>/dev/null && return 0
      return 1
    fi
    sleep 0.2
  done
}

# vm_kill: kill -9 the guest at once (the power cut) and reap it.
vm_kill ()
{
  if _tb_alive "$VM_PID"; then
    kill -KILL "$VM_PID" 2>/dev/null || true
  fi
  wait "$VM_PID" 2>/dev/null || true
}
