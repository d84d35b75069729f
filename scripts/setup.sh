#!/usr/bin/env bash
# Sets bt86 up on a Debian 12 machine and runs its main job. Safe to run again.
#   1. installs the missing Debian packages (apt-get; sudo when not root) and lets apt fetch
#      i386 packages (for the Linux guest),
#   2. configures and builds a Release build in build/ (BT86_BUILD_DIR overrides),
#   3. runs the main job: fetches the default Linux guest (scripts/fetch_guest.sh: Debian's i386
#      kernel and busybox, into <build>/guest) and boots it headless with its serial console on
#      this terminal (scripts/run_guest.sh; `poweroff -f` or Ctrl-A x ends it). Without a
#      terminal (CI, pipes) it boots to the shell prompt, runs uname, powers off and exits 0.
# Usage: scripts/setup.sh [--deps-only]     (--deps-only: step 1 only, as CI uses it)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/common.sh

deps_only=0
for arg in "$@"; do
  case "$arg" in
    --deps-only) deps_only=1 ;;
    *) echo "usage: scripts/setup.sh [--deps-only]" >&2; exit 1 ;;
  esac
done

install_missing_packages
enable_i386_packages  # so that fetching the Linux guest (here or in the tests) needs no root
[ "$deps_only" -eq 1 ] && exit 0

build_dir="${BT86_BUILD_DIR:-build}"
configure_and_build "$build_dir" Release

scripts/fetch_guest.sh --dir "$build_dir/guest"
if [ -t 0 ] && [ -t 1 ]; then
  echo "bt86: booting Linux: $build_dir/bt86 -m 256 -kernel $build_dir/guest/vmlinuz" \
       "-initrd $build_dir/guest/initrd.gz -append console=ttyS0 -nographic"
  echo "bt86: the shell prompt is 'bt86:/# ' (about 25 s); 'poweroff -f' or Ctrl-A x ends the run"
  BT86_BUILD_DIR="$build_dir" exec scripts/run_guest.sh
fi
echo "bt86: no terminal: booting Linux to its shell prompt and powering it off"
exec python3 tests/linux/run_linux.py --bt86 "$build_dir/bt86" --guest-dir "$build_dir/guest" \
  --work-dir "$build_dir/guest/setup-run" shell
