# Shared by scripts/setup.sh and scripts/test.sh (sourced, not run): the Debian packages bt86
# needs, how to install the missing ones, and how to configure + build a build tree.

# Everything bt86 builds and tests with, from Debian 12's archive.
BT86_PACKAGES=(
  cmake ninja-build g++ gcc-multilib g++-multilib pkg-config nasm
  libzydis-dev libasmjit-dev libcapstone-dev libsdl2-dev libpng-dev doctest-dev
  seabios vgabios
  isolinux syslinux syslinux-common xorriso dosfstools mtools fdisk python3  # boot tests
  e2fsprogs  # Linux boot tests (the guest itself comes from scripts/fetch_guest.sh)
  xvfb xdotool x11-apps x11-utils  # window tests: Xvfb, xdotool, xwd, xprop
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# How often and how far apart apt is retried (see apt_update_retrying); overridable for tests.
BT86_APT_TRIES="${BT86_APT_TRIES:-4}"
BT86_APT_PAUSE="${BT86_APT_PAUSE:-15}"

# can_install PACKAGE...: apt could install them all from the package lists in place (a
# simulation: no root needed, nothing changes).
can_install() {
  apt-get install --simulate --no-install-recommends -q "$@" >/dev/null 2>&1
}

# have_candidates PACKAGE...: each has a version apt could fetch (what `apt-get download` needs).
have_candidates() {
  local pkg candidate
  for pkg in "$@"; do
    candidate="$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2; exit }')"
    [ -n "$candidate" ] && [ "$candidate" != "(none)" ] || return 1
  done
}

# apt_update_retrying CHECK PACKAGE...: apt-get update, tried BT86_APT_TRIES times
# BT86_APT_PAUSE seconds apart: while a mirror syncs, one index can briefly have the wrong size
# ("File has unexpected size ... Mirror sync in progress?", exit code 100). If every try fails,
# goes on anyway when `CHECK PACKAGE...` (can_install or have_candidates) says the package lists
# in place are good enough for what we need; fails otherwise.
apt_update_retrying() {
  local check="$1" attempt
  shift
  for ((attempt = 1; attempt <= BT86_APT_TRIES; attempt++)); do
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get update; then return 0; fi
    if [ "$attempt" -lt "$BT86_APT_TRIES" ]; then
      echo "bt86: apt-get update failed (try $attempt of $BT86_APT_TRIES); trying again in $BT86_APT_PAUSE s" >&2
      sleep "$BT86_APT_PAUSE"
    fi
  done
  if [ $# -gt 0 ] && "$check" "$@"; then
    echo "bt86: apt-get update kept failing, but the package lists in place have what is needed ($*): going on" >&2
    return 0
  fi
  echo "bt86: apt-get update failed $BT86_APT_TRIES times and the package lists in place lack some of: $*" >&2
  return 1
}

# Installs whichever of BT86_PACKAGES are missing; refreshes the package lists only then.
install_missing_packages() {
  local missing=() pkg
  for pkg in "${BT86_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "bt86: all build dependencies are installed"
    return
  fi
  echo "bt86: installing ${missing[*]}"
  apt_update_retrying can_install "${missing[@]}"
  local attempt
  for ((attempt = 1; ; attempt++)); do  # a download can meet the same mirror sync: retry too
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" && return 0
    [ "$attempt" -lt "$BT86_APT_TRIES" ] || return 1
    echo "bt86: apt-get install failed (try $attempt of $BT86_APT_TRIES); trying again in $BT86_APT_PAUSE s" >&2
    sleep "$BT86_APT_PAUSE"
  done
}

# The i386 packages scripts/fetch_guest.sh downloads (it also downloads the kernel package that
# linux-image-686 names).
BT86_GUEST_PACKAGES=(linux-image-686:i386 busybox-static:i386)

# Makes apt able to fetch i386 packages (the default Linux guest is Debian's i386 kernel and
# busybox): adds the architecture to dpkg and refreshes the package lists, only when needed.
enable_i386_packages() {
  if ! dpkg --print-foreign-architectures | grep -qx i386 && [ "$(dpkg --print-architecture)" != i386 ]; then
    echo "bt86: adding the i386 architecture to dpkg (for the Linux guest's packages)"
    as_root dpkg --add-architecture i386
    apt_update_retrying have_candidates "${BT86_GUEST_PACKAGES[@]}"
  elif ! apt-cache show linux-image-686:i386 >/dev/null 2>&1; then
    apt_update_retrying have_candidates "${BT86_GUEST_PACKAGES[@]}"
  fi
}

# configure_and_build DIR BUILD_TYPE [extra cmake arguments...]
configure_and_build() {
  local dir="$1" type="$2"
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@"
  cmake --build "$dir" -j2
}
