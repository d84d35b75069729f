# Shared by scripts/setup.sh and scripts/test.sh (sourced, not run): the Debian packages bt86
# needs, how to install the missing ones, and how to configure + build a build tree.

# Everything bt86 builds and tests with, from Debian 12's archive.
BT86_PACKAGES=(
  cmake ninja-build g++ gcc-multilib g++-multilib pkg-config nasm
  libzydis-dev libasmjit-dev libcapstone-dev libsdl2-dev libpng-dev doctest-dev
  seabios vgabios
  isolinux syslinux syslinux-common xorriso dosfstools mtools fdisk python3  # boot tests
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

# configure_and_build DIR BUILD_TYPE [extra cmake arguments...]
configure_and_build() {
  local dir="$1" type="$2"
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "$@"
  cmake --build "$dir" -j2
}
