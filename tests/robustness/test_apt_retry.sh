#!/usr/bin/env bash
# scripts/common.sh's apt handling against a mirror that is briefly inconsistent, with fake
# apt-get, apt-cache, dpkg-query and sudo first on PATH (nothing is installed or fetched):
#   - apt-get update failing twice ("File has unexpected size ... Mirror sync in progress?",
#     exit code 100) and then working: retried, success;
#   - apt-get update failing every time: success when the package lists in place can install
#     (apt-get install --simulate) / offer (apt-cache policy) what is needed, failure otherwise;
#   - install_missing_packages end to end with two failed updates.
# Prints APT-RETRY-TEST-OK when all hold.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fake="$(mktemp -d)"
trap 'rm -rf "$fake"' EXIT

cat > "$fake/apt-get" <<'EOF'
#!/usr/bin/env bash
# update fails while $FAKE_DIR/update_failures > 0; install --simulate obeys FAKE_SIMULATE_OK.
case "$1" in
  update)
    echo update >> "$FAKE_DIR/log"
    left="$(cat "$FAKE_DIR/update_failures")"
    if [ "$left" -gt 0 ]; then
      echo $((left - 1)) > "$FAKE_DIR/update_failures"
      echo "E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/main/binary-i386/Packages.xz  File has unexpected size (123 != 456). Mirror sync in progress? [IP: 1.2.3.4 80]" >&2
      exit 100
    fi
    exit 0 ;;
  install)
    if [ "$2" = --simulate ]; then echo simulate >> "$FAKE_DIR/log"; [ "${FAKE_SIMULATE_OK:-1}" = 1 ]; exit; fi
    echo "install ${*: -1}" >> "$FAKE_DIR/log"; exit 0 ;;
esac
exit 1
EOF
cat > "$fake/apt-cache" <<'EOF'
#!/usr/bin/env bash
[ "$1" = policy ] || exit 1
echo "$2:"; echo "  Installed: (none)"; echo "  Candidate: ${FAKE_CANDIDATE:-1.0}"
EOF
cat > "$fake/dpkg-query" <<'EOF'
#!/usr/bin/env bash
exit 1   # nothing is installed
EOF
cat > "$fake/sudo" <<'EOF'
#!/usr/bin/env bash
exec "$@"
EOF
chmod +x "$fake"/*
export PATH="$fake:$PATH" FAKE_DIR="$fake" BT86_APT_TRIES=4 BT86_APT_PAUSE=0
source "$repo/scripts/common.sh"

failed=0
check() {  # check NAME EXPECTED_STATUS ACTUAL_STATUS EXPECTED_LOG
  local log
  log="$(paste -sd, "$fake/log" 2>/dev/null)"
  if [ "$2" = "$3" ] && [ "$4" = "$log" ]; then
    echo "ok: $1"
  else
    echo "FAIL: $1: status $3 (expected $2), apt calls '$log' (expected '$4')"
    failed=1
  fi
  rm -f "$fake/log"
}

echo 2 > "$fake/update_failures"
apt_update_retrying can_install cmake; check "update fails twice, then works" 0 $? "update,update,update"

echo 99 > "$fake/update_failures"
apt_update_retrying can_install cmake nasm
check "update keeps failing, the packages are installable anyway" 0 $? "update,update,update,update,simulate"

FAKE_SIMULATE_OK=0 apt_update_retrying can_install cmake
check "update keeps failing, the packages are not installable" 1 $? "update,update,update,update,simulate"

apt_update_retrying have_candidates linux-image-686:i386 busybox-static:i386
check "update keeps failing, the guest packages have candidates" 0 $? "update,update,update,update"

FAKE_CANDIDATE="(none)" apt_update_retrying have_candidates linux-image-686:i386
check "update keeps failing, a guest package has no candidate" 1 $? "update,update,update,update"

echo 2 > "$fake/update_failures"
BT86_PACKAGES=(nasm)
(install_missing_packages >/dev/null); check "install_missing_packages rides out two failed updates" 0 $? "update,update,update,install nasm"

[ "$failed" = 0 ] && echo "APT-RETRY-TEST-OK"
exit "$failed"
