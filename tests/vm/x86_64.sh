# SPDX-License-Identifier: BSD-3-Clause
# Copyright (C) 2026 The libaoe authors
# tests/vm/x86_64.sh: the VM test bed's x86_64 part (Debian's amd64 kernel
# under qemu-system-x86_64).  Source it after tests/vm/functions.sh; it
# defines the vm_arch_* interface described there.
#
# TCG by default (-accel tcg,thread=multi -cpu max): these machines' KVM
# is paravirtual without VT-x/AMD-V, under which the stock kernel crawls.
# AOE_VM_ACCEL=kvm asks for KVM (-cpu host,-arch-capabilities) where it
# really works.

VM_ARCH_QEMU_BIN=qemu-system-x86_64
VM_ARCH_NIC=virtio-net-pci
VM_ARCH_9P=virtio-9p-pci
VM_ARCH_CONSOLE=ttyS0

# The modules the guest loads at boot (their dependencies are found by
# vm_module_closure): PCI virtio, the NIC, 9p for the host's root, ext4
# (crc32c, which it loads by name at mount time) and nbd.  The kernel's
# aoe is not among them: loaded, it is an initiator at once, so a guest
# script loads it (g_insmod) only while no nbdkit aoe runs.
VM_MODULES=(virtio_pci virtio_net 9pnet_virtio 9p crc32c_generic ext4 nbd)

# vm_arch_prepare: Debian's kernel for amd64 (the package that
# linux-image-amd64 depends on, unpacked, never installed); busybox-static's
# version is looked up in the same apt-cache call.
vm_arch_prepare ()
{
  local pkg version
  vm_apt_show linux-image-amd64 busybox-static
  pkg=$(grep -o 'linux-image-[0-9][^ ,]*' <<< "${VM_APT_DEPENDS[linux-image-amd64]:-}" |
          head -n 1)
  [ -n "$pkg" ] || _tb_skip "apt knows no linux-image-amd64 (apt-get update?)"
  # Its exact version, when the meta package pins it (it does).
  version=$(sed -n "s/.*$pkg (= \([^)]*\)).*/\1/p" <<< "${VM_APT_DEPENDS[linux-image-amd64]}")
  [ -z "$version" ] || VM_APT_VERSION[$pkg]=$version
  vm_deb "$pkg"
  version=${pkg#linux-image-}
  VM_KERNEL=$VM_DEB_DIR/boot/vmlinuz-$version
  VM_MODDIR=$VM_DEB_DIR/lib/modules/$version
  [ -f "$VM_KERNEL" ] && [ -d "$VM_MODDIR/kernel" ] ||
    _tb_die "vm_arch_prepare: $pkg has no boot/vmlinuz-$version or modules"
  VM_KEY=$(basename "$VM_DEB_DIR")
}

# vm_arch_qemu: the machine part of qemu's command line in VM_QEMU.
vm_arch_qemu ()
{
  local accel=(-accel tcg,thread=multi -cpu max)
  case "${AOE_VM_ACCEL:-tcg}" in
    tcg) ;;
    kvm) accel=(-accel kvm -cpu host,-arch-capabilities) ;;
    *) _tb_die "AOE_VM_ACCEL must be tcg or kvm, got '$AOE_VM_ACCEL'" ;;
  esac
  VM_QEMU=("$VM_ARCH_QEMU_BIN" -machine q35 "${accel[@]}" -smp 2 -m 1G
           -kernel "$VM_KERNEL" -initrd "$VM_INITRD")
}
