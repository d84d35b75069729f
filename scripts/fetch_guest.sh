#!/usr/bin/env bash
# Fetches bt86's default Linux guest from Debian's archive with apt's own tools and builds its
# initramfs:
#   1. makes apt able to fetch i386 packages (dpkg --add-architecture i386 + apt-get update, as
#      root or through sudo, only when needed; see scripts/common.sh),
#   2. downloads the metapackage linux-image-686:i386, reads which linux-image-*-686 package it
#      depends on (no version is pinned here: whatever Debian's metapackage points at today),
#      downloads that and busybox-static:i386, and unpacks both with dpkg-deb -x into DIR/root,
#   3. builds DIR/initrd.gz with scripts/make_initramfs.py (busybox, guest/init.sh, the modules
#      below and their dependencies).
# Results, under stable names: DIR/vmlinuz and DIR/initrd.gz. DIR defaults to build/guest
# (BT86_GUEST_DIR or --dir override). Step 2 runs once (DIR/packages.stamp records what was
# fetched; --update fetches again); step 3 runs again only when its inputs change
# (DIR/initrd.stamp), so reruns take a moment and need no network. Runs on one DIR take turns
# (flock on DIR/.fetch_guest.lock): a second run waits for the first, then finds its results,
# instead of deleting the first one's downloads.
# Usage: scripts/fetch_guest.sh [--dir DIR] [--update]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/common.sh"

# Drivers the guest loads at boot: IDE (PIIX and generic), disks, CD-ROMs, ISO 9660 and ext4 (its
# metadata checksums need the crc32c algorithm; without SSE4.2 that is crc32c_generic), pvpanic.
GUEST_MODULES=(ata_piix ata_generic sd_mod sr_mod isofs ext4 crc32c_generic pvpanic_mmio psmouse)
# Loaded by /init only with "bt86.fbcon" on the kernel command line: the Bochs VBE DRM driver,
# which gives Linux a framebuffer console on the VGA's linear framebuffer.
GUEST_OPTIONAL_MODULES=(bochs)

dir="${BT86_GUEST_DIR:-$repo/build/guest}"
update=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --update) update=1; shift ;;
    *) echo "usage: scripts/fetch_guest.sh [--dir DIR] [--update]" >&2; exit 1 ;;
  esac
done
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

fail() { echo "fetch_guest: $*" >&2; exit 1; }

# One run at a time per directory: the lock lives on fd 9 until this script exits. The lock file
# stays (removing it would let a third run lock a different file).
exec 9>>"$dir/.fetch_guest.lock" || fail "cannot create $dir/.fetch_guest.lock"
if ! flock -n 9; then
  echo "fetch_guest: another fetch_guest.sh is working on $dir; waiting for it" >&2
  flock 9 || fail "cannot lock $dir/.fetch_guest.lock"
fi

# Half-done work never survives a failed run (after a successful one these are gone already).
trap 'rm -rf "$dir/download.tmp" "$dir/root.new" "$dir/packages.new" "$dir/initrd.gz.new"' EXIT

# apt_download PACKAGE: downloads PACKAGE's .deb into the current directory.
apt_download() {
  local sandbox=()
  # As root, apt hands the download to the _apt user, which cannot write into our directory.
  [ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
  apt-get "${sandbox[@]}" -q download "$1" ||
    fail "apt-get download $1 failed: is Debian's archive reachable, and are the package lists current (apt-get update)?"
}

fetch_packages() {
  enable_i386_packages
  local work="$dir/download.tmp"
  rm -rf "$work" "$dir/root.new"
  mkdir -p "$work" "$dir/root.new"
  (
    cd "$work"
    apt_download linux-image-686:i386
    local meta kernel_pkg
    meta="$(ls linux-image-686_*.deb)"
    kernel_pkg="$(dpkg-deb -f "$meta" Depends | grep -o 'linux-image-[0-9][^ ,(]*-686' | head -n1)" ||
      fail "$meta depends on no linux-image-*-686 package (Depends: $(dpkg-deb -f "$meta" Depends))"
    echo "fetch_guest: linux-image-686 depends on $kernel_pkg"
    apt_download "$kernel_pkg:i386"
    apt_download busybox-static:i386
    for deb in "$kernel_pkg"_*.deb busybox-static_*.deb; do
      echo "fetch_guest: unpacking $deb"
      dpkg-deb -x "$deb" "$dir/root.new"
    done
    for deb in *.deb; do dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"; done > "$dir/packages.new"
  )
  rm -rf "$dir/root" "$work"
  mv "$dir/root.new" "$dir/root"
  mv "$dir/packages.new" "$dir/packages.stamp"
}

build_initrd() {
  local modules_dir
  modules_dir="$(ls -d "$dir"/root/lib/modules/*/ | head -n1)"
  python3 "$repo/scripts/make_initramfs.py" --busybox "$dir/root/bin/busybox" \
    --init "$repo/guest/init.sh" --modules-dir "$modules_dir" --out "$dir/initrd.gz.new" \
    "${GUEST_OPTIONAL_MODULES[@]/#/--optional=}" "${GUEST_MODULES[@]}"
  mv "$dir/initrd.gz.new" "$dir/initrd.gz"
}

if [ "$update" -eq 1 ] || [ ! -f "$dir/packages.stamp" ] || [ ! -d "$dir/root" ]; then
  fetch_packages
fi

kernel="$(ls "$dir"/root/boot/vmlinuz-* 2>/dev/null | head -n1)"
[ -n "$kernel" ] || fail "no kernel in $dir/root/boot (run with --update)"
ln -sfn "${kernel#"$dir/"}" "$dir/vmlinuz"

# The initrd depends on the packages, the builder, /init and the module list.
inputs="$( { cat "$dir/packages.stamp" "$repo/scripts/make_initramfs.py" "$repo/guest/init.sh"
             echo "${GUEST_MODULES[*]} / ${GUEST_OPTIONAL_MODULES[*]}"; } | sha256sum | cut -d' ' -f1)"
if [ ! -f "$dir/initrd.gz" ] || [ "$(cat "$dir/initrd.stamp" 2>/dev/null)" != "$inputs" ]; then
  build_initrd
  echo "$inputs" > "$dir/initrd.stamp"
fi

echo "fetch_guest: ready: $dir/vmlinuz -> $(readlink "$dir/vmlinuz"), $dir/initrd.gz ($(paste -sd, "$dir/packages.stamp" | sed "s/,/, /g"))"
