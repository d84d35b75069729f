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
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# Makes apt able to fetch i386 packages (the default Linux guest is Debian's i386 kernel and
# busybox): adds the architecture to dpkg and refreshes the package lists, only when needed.
enable_i386_packages() {
  if ! dpkg --print-foreign-architectures | grep -qx i386 && [ "$(dpkg --print-architecture)" != i386 ]; then
    echo "bt86: adding the i386 architecture to dpkg (for the Linux guest's packages)"
    as_root dpkg --add-architecture i386
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  elif ! apt-cache show linux-image-686:i386 >/dev/null 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  fi
}

# configure_and_build DIR BUILD_TYPE [extra cmake arguments...]
configure_and_build() {
  local dir="$1" type="$2"
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@"
  cmake --build "$dir" -j2
}
