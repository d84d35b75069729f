#!/usr/bin/env bash
# Boots bt86's default Linux guest (Debian's i386 kernel + busybox initramfs) headless with its
# console on this terminal: the guest's shell prompt is "bt86:/# ". `poweroff -f` in the guest
# or Ctrl-A x ends the run. Fetches the guest first if needed (scripts/fetch_guest.sh; fast and
# offline once fetched). Extra arguments go to bt86, e.g. -hda disk.img, -cdrom cd.iso, -m 512.
# Environment: BT86_BUILD_DIR (default build; bt86 and the guest in <dir>/guest),
# BT86_GUEST_APPEND (kernel command line, default "console=ttyS0").
# Usage: scripts/run_guest.sh [bt86 options...]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BT86_BUILD_DIR:-build}"
case "$build_dir" in /*) ;; *) build_dir="$repo/$build_dir" ;; esac
guest="$build_dir/guest"

[ -x "$build_dir/bt86" ] || { echo "run_guest: no $build_dir/bt86: run scripts/setup.sh first" >&2; exit 1; }
"$repo/scripts/fetch_guest.sh" --dir "$guest" >&2
exec "$build_dir/bt86" -m 256 -kernel "$guest/vmlinuz" -initrd "$guest/initrd.gz" \
  -append "${BT86_GUEST_APPEND:-console=ttyS0}" -nographic "$@"
