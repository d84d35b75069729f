#!/bin/bash
# Builds a bootable hard-disk image for the boot tests: an MBR (syslinux's mbr.bin) with one
# active FAT16 partition holding SYSLINUX (installed by `syslinux --install` through mtools, no
# mounting) and a syslinux.cfg that talks on COM1, prints MARKER and waits at the "boot:" prompt.
# Usage: make_syslinux_disk.sh OUT.img MARKER
set -euo pipefail
out="$1" marker="$2"
readonly size_mib=16 part_start=2048  # partition from sector 2048 (1 MiB) to the end

require_tool() {
  command -v "$1" >/dev/null || { echo "make_syslinux_disk: $1 not found (Debian package $2; run scripts/setup.sh)" >&2; exit 2; }
}
export PATH="$PATH:/usr/sbin:/sbin"
require_tool syslinux syslinux
require_tool mkfs.vfat dosfstools
require_tool mcopy mtools
require_tool sfdisk fdisk
mbr=/usr/lib/syslinux/mbr/mbr.bin
[ -e "$mbr" ] || { echo "make_syslinux_disk: missing $mbr (Debian package syslinux-common)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
part="$work/part.img"
part_sectors=$(( size_mib * 2048 - part_start ))

# The partition as its own file: FAT16, SYSLINUX installed, the config copied in.
truncate -s $(( part_sectors * 512 )) "$part"
mkfs.vfat -F 16 -n BT86BOOT --offset 0 -h "$part_start" "$part" >/dev/null
syslinux --install "$part"
printf 'SERIAL 0 115200\nSAY %s\nPROMPT 1\nTIMEOUT 0\n' "$marker" > "$work/syslinux.cfg"
mcopy -i "$part" "$work/syslinux.cfg" ::syslinux.cfg

# The disk: MBR boot code, one active FAT16 (LBA) partition, the partition contents.
rm -f "$out"
truncate -s $(( size_mib << 20 )) "$out"
echo "start=$part_start, type=e, bootable" | sfdisk --quiet "$out"
dd if="$mbr" of="$out" bs=440 count=1 conv=notrunc status=none
dd if="$part" of="$out" bs=512 seek="$part_start" conv=notrunc status=none
