# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/vm/arm926.sh: the emulated ARM926 board (qemu-system-arm
# -M versatilepb -cpu arm926: an ARM926EJ-S with an SMC91C111 NIC), the
# board libaoe is for.
#
# Debian ships no versatile kernel, so one is built from linux-source-6.1
# with tests/vm/board-kernel.config merged over versatile_defconfig, and
# cached; tests/vm/board-aoe-kick.patch fixes a stall of its aoe driver
# that the board's single slow CPU brings out.  The board has no virtio
# (its NIC is the SMC91C111, its PCI bus is not used), so its whole root
# file system is the initramfs:
# Debian's armel busybox-static, nbdkit, nbd-client, nbdfuse, fuse3 and
# e2fsprogs with the libraries they load (unpacked, never installed),
# the project's armel build (scripts/cross-check --build-only) where its
# Debian packages put it, the kernel's modules, and tests/vm/board-init.sh
# as /init.  Each run appends a small second archive holding the script
# to run, so the big one is built once.  The guest reports on its
# console (the only channel out): progress, result lines, and at the end
# "BOARD-EXIT: N" (the script's exit status).
#
# Source it after tests/functions.sh (it sources tests/vm/functions.sh,
# the VM test bed's generic part, for the network and the console):
#
#   . "$AOE_SRCDIR/tests/functions.sh"
#   . "$AOE_SRCDIR/tests/vm/arm926.sh"
#   tb_setup --mtu 1500
#   tb_image "$TB_DIR/disk.img" 64M
#   tb_vblade 0 1 "$TB_DIR/disk.img"
#   board_prepare                   # kernel, cross build, initramfs (cached)
#   board_net_join                  # bridge + tap in $TB_NS_INIT
#   board_run 600 GUEST_SCRIPT [ARGS...]
#
# Functions (see each one's comment):
#   board_cache_dir       the cache directory (prints it)
#   board_kernel          build or reuse the kernel (BOARD_KERNEL,
#                         BOARD_DTB, BOARD_MODROOT, BOARD_KVER)
#   board_cross           the project's armel build (BOARD_CROSS_BUILD)
#   board_initramfs       the root file system archive (BOARD_INITRD)
#   board_prepare         the three above
#   board_net_join        vm_net_join (tests/vm/functions.sh: a bridge with
#                         $TB_IFACE and a new tap VM_TAP), learning off
#                         on the tap
#   board_run SECONDS SCRIPT [ARGS...]
#                         boot, run SCRIPT (dash) in the guest, fail
#                         unless it exits 0 within SECONDS
#   board_results TAG     the console's result lines "TAG ..." (prints
#                         them without the tag)
#   vm_fail MESSAGE...    (tests/vm/functions.sh) fail, with the console's tail
#
# Environment honoured: AOE_BOARD_CACHE (cache directory; default
# $AOE_BUILDDIR/board), AOE_CROSS_DIR (scripts/cross-check's), AOE_VM_LOGDIR
# (where failed runs' consoles are kept; default $AOE_BUILDDIR/meson-logs),
# AOE_BOARD_JOBS (make -j for the kernel; default the number of CPUs).

# Directory of this file (the kernel fragment and the init are next to it).
_board_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_board_root=$(cd "$_board_dir/../.." && pwd)
. "$_board_root/scripts/cross/packages.sh"
. "$_board_dir/functions.sh"

# The cross toolchain's triplet, Debian's armel.
BOARD_TRIPLET=arm-linux-gnueabi

# The Debian packages of the board's root file system (dependencies are
# added): what README's board guide installs, busybox for the basic
# commands, Debian's /bin/sh (dash: busybox's own sh would run its
# applets before the real programs, e.g. its losetup without --show)
# and mkfs.
BOARD_PACKAGES=(busybox-static dash nbdkit nbd-client libnbd-bin fuse3 e2fsprogs mount
                libpcap0.8 libev4)

# The programs copied from those packages into the root (with every
# library they load): the rest of the packages is not needed.
BOARD_PROGRAMS=(bin/busybox bin/dash usr/bin/nbdkit sbin/nbd-client usr/bin/nbdfuse
                bin/fusermount3 sbin/losetup sbin/mke2fs sbin/e2fsck)

# board_with_perf: put Debian's armel perf on the board too (before
# board_prepare; scripts/bench --board --profile).  The kernel has perf
# events (board-kernel.config) either way.
board_with_perf ()
{
  BOARD_PACKAGES+=(linux-perf)
  BOARD_PROGRAMS+=(usr/bin/perf)
}

# board_cache_dir: print the cache directory (created if needed).
board_cache_dir ()
{
  local dir=${AOE_BOARD_CACHE:-${AOE_BUILDDIR:-}/board}
  [ "$dir" != /board ] ||
    _tb_die "board_cache_dir: set AOE_BOARD_CACHE or AOE_BUILDDIR"
  mkdir -p "$dir" || _tb_die "cannot create the cache directory $dir"
  echo "$dir"
}

# The installed version of Debian package $1 (empty if not installed).
_board_installed_version ()
{
  dpkg-query -W -f '${Version}' "$1" 2>/dev/null
}

# The patch applied to the kernel source: the kernel aoe driver's stall
# fix (its header says why); empty after board_stock_aoe.
_board_kernel_patch=$_board_dir/board-aoe-kick.patch

# board_stock_aoe: build the board's kernel without the stall fix
# (before board_prepare; scripts/bench --board --stock-aoe, which shows
# the stock driver's stall).  Its source and object trees are its own:
# make, which compares times, would keep the patched objects in a shared
# object tree.
board_stock_aoe ()
{
  _board_kernel_patch=
}

# Unpack /usr/src/linux-source-6.1.tar.xz into directory $1 (without
# Documentation/ but its Kconfig) and apply $_board_kernel_patch (if
# any), once per package version $2 and patch.  Returns 1 if it was
# already there, 0 if it unpacked it now.
_board_kernel_source ()
{
  local src=$1 stamp="$2 stock"
  [ -z "$_board_kernel_patch" ] ||
    stamp="$2 $(sha256sum < "$_board_kernel_patch" | cut -c1-16)"
  if [ "$(cat "$src/.bda-version" 2>/dev/null)" = "$stamp" ]; then
    return 1
  fi
  rm -rf --one-file-system "$src" && mkdir -p "$src" &&
    tar -C "$src" --strip-components=1 -xJf /usr/src/linux-source-6.1.tar.xz \
        --exclude='linux-source-6.1/Documentation' &&
    tar -C "$src" --strip-components=1 -xJf /usr/src/linux-source-6.1.tar.xz \
        linux-source-6.1/Documentation/Kconfig ||
    _tb_die "board_kernel: cannot unpack /usr/src/linux-source-6.1.tar.xz"
  if [ -n "$_board_kernel_patch" ]; then
    patch -d "$src" -p1 --forward --quiet < "$_board_kernel_patch" ||
      _tb_die "board_kernel: $_board_kernel_patch does not apply to linux-source-6.1 $2"
  fi
  echo "$stamp" > "$src/.bda-version"
}

# board_kernel: set BOARD_KERNEL (zImage), BOARD_DTB (versatile-pb.dtb),
# BOARD_MODROOT (a tree holding lib/modules/BOARD_KVER) to a kernel built
# from linux-source-6.1, patched with tests/vm/board-aoe-kick.patch (not
# after board_stock_aoe), with tests/vm/board-kernel.config merged over
# versatile_defconfig.  Cached under a key of the fragment, the patch, the
# source package's and the cross compiler's versions: a changed input
# builds a new one.  make reuses the object tree after a fragment change,
# so only what changed is rebuilt; a freshly unpacked source (a new
# package or patch) starts a new object tree, because make compares
# times and the tarball's files are older than objects built from a
# different source.
board_kernel ()
{
  local cache src obj out key srcver gccver jobs log variant=
  srcver=$(_board_installed_version linux-source-6.1)
  gccver=$(_board_installed_version gcc-$BOARD_TRIPLET)
  [ -n "$srcver" ] && [ -f /usr/src/linux-source-6.1.tar.xz ] ||
    _tb_skip "linux-source-6.1 is not installed (scripts/install-deps board)"
  [ -n "$gccver" ] ||
    _tb_skip "gcc-$BOARD_TRIPLET is not installed (scripts/install-deps board)"
  requires command -v flex
  requires command -v bison
  requires command -v patch
  cache=$(board_cache_dir)
  key=$(printf '%s\n' "$srcver" "$gccver" |
          cat - "$_board_dir/board-kernel.config" \
              ${_board_kernel_patch:+"$_board_kernel_patch"} |
          sha256sum | cut -c1-16)
  out=$cache/kernel-$key
  BOARD_KERNEL=$out/zImage
  BOARD_DTB=$out/versatile-pb.dtb
  BOARD_MODROOT=$out/modules
  if [ ! -f "$out/done" ]; then
    [ -n "$_board_kernel_patch" ] || variant=-stock
    src=$cache/linux-source-6.1$variant
    obj=$cache/kernel-obj$variant
    log=$cache/kernel-build.log
    jobs=${AOE_BOARD_JOBS:-$(nproc)}
    if _board_kernel_source "$src" "$srcver"; then
      rm -rf --one-file-system "$obj"
    fi
    echo "board: building the ARM926 kernel (log: $log)"
    local start=$SECONDS
    {
      mkdir -p "$obj" &&
        make -C "$src" O="$obj" ARCH=arm CROSS_COMPILE=$BOARD_TRIPLET- \
             versatile_defconfig &&
        (cd "$src" && ARCH=arm scripts/kconfig/merge_config.sh -m -O "$obj" \
                        "$obj/.config" "$_board_dir/board-kernel.config") &&
        make -C "$src" O="$obj" ARCH=arm CROSS_COMPILE=$BOARD_TRIPLET- \
             olddefconfig &&
        _board_config_check "$obj/.config" "$_board_dir/board-kernel.config" &&
        make -C "$src" O="$obj" ARCH=arm CROSS_COMPILE=$BOARD_TRIPLET- \
             -j"$jobs" zImage dtbs modules &&
        rm -rf --one-file-system "$out.tmp" && mkdir -p "$out.tmp" &&
        make -C "$src" O="$obj" ARCH=arm CROSS_COMPILE=$BOARD_TRIPLET- \
             INSTALL_MOD_PATH="$out.tmp/modules" INSTALL_MOD_STRIP=1 \
             DEPMOD=true modules_install &&
        cp "$obj/arch/arm/boot/zImage" "$obj/.config" "$out.tmp/" &&
        cp "$obj/arch/arm/boot/dts/versatile-pb.dtb" "$out.tmp/" &&
        cat "$obj/include/config/kernel.release" > "$out.tmp/release" &&
        touch "$out.tmp/done"
    } > "$log" 2>&1 || {
      tail -n 30 "$log" >&2
      _tb_die "board_kernel: the kernel build failed (log: $log)"
    }
    rm -rf --one-file-system "$out" && mv "$out.tmp" "$out" ||
      _tb_die "board_kernel: cannot move the kernel into $out"
    echo "board: kernel built in $(( SECONDS - start ))s"
  fi
  BOARD_KVER=$(cat "$out/release")
}

# _board_config_check CONFIG FRAGMENT: every CONFIG_X=y/m of FRAGMENT
# made it into CONFIG (merge_config.sh only warns when a dependency
# drops one).
_board_config_check ()
{
  local config=$1 fragment=$2 line missing=
  while IFS= read -r line; do
    grep -qx -- "$line" "$config" || missing+=" $line"
  done < <(grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment")
  [ -z "$missing" ] || { echo "not in the kernel's .config:$missing"; return 1; }
}

# board_cross: set BOARD_CROSS_BUILD to the project's armel build
# (scripts/cross-check --build-only armel: its sysroot and build are
# reused, and ninja rebuilds what changed).
board_cross ()
{
  local cross_dir=${AOE_CROSS_DIR:-$_board_root/build-cross} log
  log=$(board_cache_dir)/cross-build.log
  AOE_CROSS_DIR=$cross_dir "$_board_root/scripts/cross-check" --build-only armel \
    > "$log" 2>&1 || {
    tail -n 30 "$log" >&2
    _tb_die "board_cross: scripts/cross-check --build-only armel failed (log: $log)"
  }
  BOARD_CROSS_BUILD=$cross_dir/armel
}

# Print the closure of BOARD_PACKAGES (package names), cached in the
# cache directory until apt's package lists change.
_board_closure ()
{
  local cache file
  cache=$(board_cache_dir)
  file=$cache/closure-$(printf '%s\n' "${BOARD_PACKAGES[@]}" | sha256sum | cut -c1-16)
  if [ ! -s "$file" ] ||
     [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -newer "$file" 2>/dev/null)" ]; then
    debs_closure armel " " "${BOARD_PACKAGES[@]}" > "$file.tmp" &&
      mv "$file.tmp" "$file" || _tb_die "board: cannot resolve the armel packages"
  fi
  cat "$file"
}

# Print the path (relative to a root) of the library named $1 in the
# library directories of trees $2..., the first found.
_board_find_lib ()
{
  local name=$1 tree dir
  shift
  for tree in "$@"; do
    for dir in lib/$BOARD_TRIPLET usr/lib/$BOARD_TRIPLET lib usr/lib; do
      if [ -e "$tree/$dir/$name" ] || [ -L "$tree/$dir/$name" ]; then
        echo "$dir/$name"
        return 0
      fi
    done
  done
  return 1
}

# _board_copy STAGE ROOT REL: copy STAGE/REL to ROOT/REL (a symbolic
# link as a link, and what it points to as well).
_board_copy ()
{
  local stage=$1 root=$2 rel=$3 target
  [ -e "$root/$rel" ] || [ -L "$root/$rel" ] && return 0
  (cd "$stage" && cp -a --parents "$rel" "$root/") ||
    _tb_die "board_initramfs: cannot copy $rel"
  if [ -L "$stage/$rel" ]; then
    target=$(readlink "$stage/$rel")
    case "$target" in
      /*) target=${target#/} ;;
      *) target=$(realpath -m -s --relative-to="$stage" \
                    "$stage/$(dirname "$rel")/$target") ;;
    esac
    _board_copy "$stage" "$root" "$target"
  fi
}

# _board_add_needed STAGE ROOT: copy into ROOT every library that the
# ELF files of ROOT load (DT_NEEDED, recursively) from STAGE, and the
# dynamic loader.
_board_add_needed ()
{
  local stage=$1 root=$2 file lib rel done_list=" " more=yes
  _board_copy "$stage" "$root" lib/ld-linux.so.3
  while [ -n "$more" ]; do
    more=
    while IFS= read -r file; do
      case "$done_list" in *" $file "*) continue ;; esac
      done_list+="$file "
      for lib in $("$BOARD_TRIPLET-readelf" -d "$file" 2>/dev/null |
                     sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        _board_find_lib "$lib" "$root" >/dev/null && continue
        rel=$(_board_find_lib "$lib" "$stage") ||
          _tb_die "board_initramfs: no $lib (needed by ${file#"$root"/}) in the armel packages"
        _board_copy "$stage" "$root" "$rel"
        more=yes
      done
    done < <(find "$root" -type f \( -perm -u+x -o -name '*.so*' \))
  done
}

# Put the project's armel build into ROOT where its Debian packages put
# it: libaoe in the multiarch library directory, the plugin in nbdkit's
# plugin directory (so `nbdkit aoe` finds it), aoectl in /usr/bin.
_board_add_project ()
{
  local root=$1 build=$BOARD_CROSS_BUILD libdir=usr/lib/$BOARD_TRIPLET
  mkdir -p "$root/$libdir/nbdkit/plugins" "$root/usr/bin" &&
    cp -a "$build"/lib/libaoe.so.0 "$build"/lib/libaoe.so.0.*[0-9] "$root/$libdir/" &&
    cp "$build/nbd-plugin/nbdkit-aoe-plugin.so" "$root/$libdir/nbdkit/plugins/" &&
    cp "$build/examples/aoectl" "$root/usr/bin/" ||
    _tb_die "board_initramfs: cannot copy the armel build from $build"
}

# Print a gzip'd newc archive of directory $1 (owned by root) on stdout.
_board_cpio ()
{
  local cpio
  cpio=$(command -v cpio || echo "busybox cpio")
  (cd "$1" && find . | LC_ALL=C sort | $cpio -o -H newc -R 0:0 2>/dev/null) | gzip -6
}

# board_initramfs: set BOARD_INITRD to the board's root file system
# archive (see the header), cached under a key of the packages' file
# names (versions), the armel build's files, the kernel and the init.
board_initramfs ()
{
  local cache key debs stage root prog pkgs tmp
  cache=$(board_cache_dir)
  mapfile -t pkgs < <(_board_closure)
  mapfile -t debs < <(_debs_files armel "${pkgs[@]}")
  [ ${#debs[@]} -eq ${#pkgs[@]} ] ||
    _tb_die "board_initramfs: apt knows only ${#debs[@]} of ${#pkgs[@]} armel packages"
  key=$( { printf '%s\n' "${debs[@]}" "${BOARD_PROGRAMS[@]}" "$BOARD_KERNEL";
           cat "$_board_dir/board-init.sh" "$BOARD_CROSS_BUILD"/lib/libaoe.so.0.*[0-9] \
               "$BOARD_CROSS_BUILD/nbd-plugin/nbdkit-aoe-plugin.so" \
               "$BOARD_CROSS_BUILD/examples/aoectl"; } | sha256sum | cut -c1-16)
  BOARD_INITRD=$cache/initramfs-$key.cpio.gz
  [ -f "$BOARD_INITRD" ] && return 0
  echo "board: making the root file system (${#pkgs[@]} armel packages)"
  tmp=$(mktemp -d "$cache/bda-initramfs.XXXXXX") ||
    _tb_die "cannot create a directory in $cache"
  cleanup_fn rm -rf --one-file-system "$tmp"
  stage=$tmp/stage root=$tmp/root
  debs_unpack armel "$cache/debs" "$stage" "${pkgs[@]}" > "$tmp/unpack.log" 2>&1 || {
    tail -n 5 "$tmp/unpack.log" >&2
    _tb_die "board_initramfs: cannot fetch or unpack the armel packages"
  }
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,mnt,etc,root} ||
    _tb_die "board_initramfs: cannot create $root"
  for prog in "${BOARD_PROGRAMS[@]}"; do
    _board_copy "$stage" "$root" "$prog"
  done
  # The names the guide types for two of them.
  ln -s mke2fs "$root/sbin/mkfs.ext4" && ln -s e2fsck "$root/sbin/fsck.ext4" &&
    cp "$stage/etc/mke2fs.conf" "$root/etc/" ||
    _tb_die "board_initramfs: cannot add mkfs.ext4 and fsck.ext4"
  _board_add_project "$root"
  _board_add_needed "$stage" "$root"
  cp -a "$BOARD_MODROOT/lib" "$root/" ||
    _tb_die "board_initramfs: cannot copy the kernel's modules"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\n' > "$root/etc/group"
  install -m 755 "$_board_dir/board-init.sh" "$root/init" ||
    _tb_die "board_initramfs: cannot install /init"
  _board_cpio "$root" > "$tmp/initramfs.cpio.gz" ||
    _tb_die "board_initramfs: cannot build the archive"
  mv "$tmp/initramfs.cpio.gz" "$BOARD_INITRD" ||
    _tb_die "board_initramfs: cannot move the archive into $cache"
  echo "board: root file system $(du -sh "$root" | cut -f1), archive $(du -h "$BOARD_INITRD" | cut -f1)"
}

# board_prepare: the kernel, the armel build and the initramfs (cached).
board_prepare ()
{
  _tb_need_setup board_prepare
  requires command -v qemu-system-arm
  requires command -v "$BOARD_TRIPLET-readelf"
  board_kernel
  board_cross
  board_initramfs
  BOARD_DIR=$TB_DIR/board
  mkdir -p "$BOARD_DIR" || _tb_die "cannot create $BOARD_DIR"
}

# board_net_join: vm_net_join (the bridge and the tap VM_TAP in the
# initiator namespace), with address learning off on the tap's bridge
# port.  The emulated SMC91C111 now and then sends a frame carrying the
# target's source MAC (seen in the bridge's table: the target's address
# learned on the tap; README says why qemu likely does), after which the
# bridge sent the board's frames for the target back to the tap and both
# initiators stalled until a broadcast taught it again; with learning
# off, that frame teaches the bridge nothing.
board_net_join ()
{
  vm_net_join
  ip -n "$TB_NS_INIT" link set dev "$VM_TAP" type bridge_slave learning off ||
    _tb_die "cannot turn learning off on $VM_TAP"
}

# board_run SECONDS SCRIPT [ARGS...]: boot the board (its NIC on
# $VM_TAP inside $TB_NS_INIT) to run SCRIPT ARGS... with dash
# and a guest-side limit a little shorter than SECONDS; fail with the
# console's tail unless the script exits 0 within SECONDS.  The console
# is VM_CONSOLE; the guest is gone when this returns.
board_run ()
{
  local seconds=$1 script=$2 extra mac pid deadline status arg
  shift 2
  [[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 60 ] ||
    _tb_die "board_run: SECONDS must be a number above 60"
  [ -f "$script" ] || _tb_die "board_run: no script $script"
  [ -n "${VM_TAP:-}" ] || _tb_die "board_run: call board_net_join first"
  [ -n "${BOARD_INITRD:-}" ] || _tb_die "board_run: call board_prepare first"
  BOARD_RUNS=$(( ${BOARD_RUNS:-0} + 1 ))
  VM_CONSOLE=$BOARD_DIR/console-$BOARD_RUNS.log
  : > "$VM_CONSOLE"
  # The run's own archive: /run.sh and its arguments, one a line.
  extra=$BOARD_DIR/run-$BOARD_RUNS
  mkdir -p "$extra" && cp "$script" "$extra/run.sh" || _tb_die "cannot write $extra"
  for arg in "$@"; do
    printf '%s\n' "$arg"
  done > "$extra/run.args"
  _board_cpio "$extra" | cat "$BOARD_INITRD" - > "$extra.cpio.gz" ||
    _tb_die "board_run: cannot build the run's archive"
  mac=52:54:00:$(od -An -N3 -tx1 /dev/urandom | sed 's/^ //; s/ /:/g')
  _tb_spawn "$BOARD_DIR/qemu-$BOARD_RUNS.log" ip netns exec "$TB_NS_INIT" \
    qemu-system-arm -M versatilepb -cpu arm926 -m 256 \
    -kernel "$BOARD_KERNEL" -dtb "$BOARD_DTB" -initrd "$extra.cpio.gz" \
    -nodefaults -no-reboot -display none -monitor none \
    -chardev "file,id=con,path=$VM_CONSOLE" -serial chardev:con \
    -nic "tap,model=smc91c111,ifname=$VM_TAP,script=no,downscript=no,mac=$mac" \
    -append "console=ttyAMA0 panic=-1 loglevel=4 board.timeout=$(( seconds - 20 ))"
  pid=$_tb_last_pid
  deadline=$(( SECONDS + seconds ))
  while _tb_alive "$pid"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      _tb_kill "$pid"
      vm_fail "the board did not end within ${seconds}s: killed"
    fi
    sleep 0.5
  done
  wait "$pid" 2>/dev/null || true
  status=$(sed -n 's/^BOARD-EXIT: \([0-9]*\).*/\1/p' "$VM_CONSOLE" | tail -n 1)
  [ -n "$status" ] || {
    cat "$BOARD_DIR/qemu-$BOARD_RUNS.log" >&2
    vm_fail "the board ended without a status (crash? qemu's log above)"
  }
  [ "$status" = 0 ] || vm_fail "the board's script exited with status $status"
}

# board_results TAG: print the console's lines "TAG REST" as REST.
board_results ()
{
  sed -n "s/^$1 //p" "$VM_CONSOLE" | tr -d '\r'
}
