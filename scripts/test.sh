#!/usr/bin/env bash
# Builds bt86 (Release, in build/; BT86_BUILD_DIR overrides) and runs its test suites with ctest.
# Default: every test not labelled "long" (unit, guest programs, the default difftest run).
# With --long or BT86_LONG=1, also: the "long" suites (e.g. difftest with 1,000,000 sequences)
# and an ASan+UBSan build (build-asan/) running the unit tests.
# Usage: scripts/test.sh [--long] [extra ctest arguments...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/common.sh

long="${BT86_LONG:-0}"
ctest_args=()
for arg in "$@"; do
  case "$arg" in
    --long) long=1 ;;
    *) ctest_args+=("$arg") ;;
  esac
done

build_dir="${BT86_BUILD_DIR:-build}"
configure_and_build "$build_dir" Release
ctest --test-dir "$build_dir" --output-on-failure -j2 -LE long "${ctest_args[@]}"

if [ "$long" = 1 ]; then
  ctest --test-dir "$build_dir" --output-on-failure -j2 -L long "${ctest_args[@]}"
  asan_dir="${build_dir}-asan"
  configure_and_build "$asan_dir" RelWithDebInfo -DBT86_SANITIZE=ON
  ctest --test-dir "$asan_dir" --output-on-failure -j2 -L unit "${ctest_args[@]}"
fi
