#!/bin/bash
# Builds a bootable ISOLINUX CD (El Torito, no emulation) for the boot tests: Debian's
# isolinux.bin + ldlinux.c32 and an isolinux.cfg that talks on COM1, prints MARKER and waits at
# the "boot:" prompt. Usage: make_isolinux_cd.sh OUT.iso MARKER
set -euo pipefail
out="$1" marker="$2"

require() {
  [ -e "$1" ] || { echo "make_isolinux_cd: missing $1 (Debian package $2; run scripts/setup.sh)" >&2; exit 2; }
}
require /usr/lib/ISOLINUX/isolinux.bin isolinux
require /usr/lib/syslinux/modules/bios/ldlinux.c32 syslinux-common
command -v xorriso >/dev/null || { echo "make_isolinux_cd: xorriso not found (Debian package xorriso)" >&2; exit 2; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$root/isolinux/"
printf 'SERIAL 0 115200\nSAY %s\nPROMPT 1\nTIMEOUT 0\n' "$marker" > "$root/isolinux/isolinux.cfg"
xorriso -as mkisofs -quiet -o "$out" -R -J -V BT86BOOT \
  -b isolinux/isolinux.bin -c isolinux/boot.cat \
  -no-emul-boot -boot-load-size 4 -boot-info-table "$root"
