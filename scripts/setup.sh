#!/usr/bin/env bash
# Sets bt86 up on a Debian 12 machine and runs its main job. Safe to run again.
#   1. installs the missing Debian packages (apt-get; sudo when not root),
#   2. configures and builds a Release build in build/ (BT86_BUILD_DIR overrides),
#   3. runs the main job: for now, boots the guest program tests/guest/hello.asm headless.
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
[ "$deps_only" -eq 1 ] && exit 0

build_dir="${BT86_BUILD_DIR:-build}"
configure_and_build "$build_dir" Release

mkdir -p "$build_dir/guest"
nasm -f bin -o "$build_dir/guest/hello.bin" tests/guest/hello.asm
echo "bt86: running $build_dir/bt86 -bios $build_dir/guest/hello.bin -nographic"
status=0
"$build_dir/bt86" -bios "$build_dir/guest/hello.bin" -nographic -timeout 10 || status=$?
echo "bt86: guest exited with code $status"
exit "$status"
