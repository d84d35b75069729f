#!/bin/bash
# Builds an ISOLINUX CD (El Torito, no emulation) that boots a Linux kernel and initrd straight
# away through the BIOS (SeaBIOS), talking on COM1: for boot tests of the firmware path (BIOS
# e820, SeaBIOS's ACPI tables) with the same guest as -kernel/-initrd.
# Usage: make_linux_cd.sh OUT.iso KERNEL INITRD "APPEND"
set -euo pipefail
out="$1" kernel="$2" initrd="$3" append="$4"

require() {
  [ -e "$1" ] || { echo "make_linux_cd: missing $1 ($2)" >&2; exit 2; }
}
require /usr/lib/ISOLINUX/isolinux.bin "Debian package isolinux; run scripts/setup.sh"
require /usr/lib/syslinux/modules/bios/ldlinux.c32 "Debian package syslinux-common; run scripts/setup.sh"
require "$kernel" "the kernel"
require "$initrd" "the initrd"
command -v xorriso >/dev/null || { echo "make_linux_cd: xorriso not found (Debian package xorriso)" >&2; exit 2; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$root/isolinux/"
cp "$kernel" "$root/isolinux/vmlinuz"
cp "$initrd" "$root/isolinux/initrd"
printf 'SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd\n  APPEND %s\n' \
  "$append" > "$root/isolinux/isolinux.cfg"
xorriso -as mkisofs -quiet -o "$out" -R -J -V BT86LINUX \
  -b isolinux/isolinux.bin -c isolinux/boot.cat \
  -no-emul-boot -boot-load-size 4 -boot-info-table "$root"
