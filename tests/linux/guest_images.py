"""Host-side disk and CD images for the Linux boot tests, made fresh in a work directory with known
content, plus the host-side readers that check what the guest did to them.

- raw disk: random bytes from a fixed seed (no file system), read whole by the guest;
- ext4 disk: a file system made by mke2fs -d (Debian's e2fsprogs) holding one known file; files
  the guest writes are read back on the host with debugfs;
- CD: an ISO 9660 image (Rock Ridge + Joliet) made by xorriso holding one known file.
"""
import hashlib
import os
import random
import shutil
import subprocess

SECTOR = 512


def md5(data):
    return hashlib.md5(data).hexdigest()


def file_md5(path):
    with open(path, "rb") as f:
        return md5(f.read())


def known_bytes(size, seed):
    return random.Random(seed).randbytes(size)


def tool(name, package):
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not path:
        raise RuntimeError(f"{name} not found (Debian package {package}; run scripts/setup.sh)")
    return path


def run_tool(args):
    """Runs a host tool quietly; its output becomes the error message if it fails."""
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({r.returncode}): {r.stdout}{r.stderr}")


def stage_files(path, files):
    """Writes files {name: bytes} into a fresh directory PATH.d (returned) and removes PATH."""
    root = path + ".d"
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    if os.path.exists(path):
        os.remove(path)
    return root


def make_raw_disk(path, mib, seed):
    """A raw image of mib MiB of seeded random bytes; returns its MD5."""
    data = known_bytes(mib << 20, seed)
    with open(path, "wb") as f:
        f.write(data)
    return md5(data)


def make_ext4_disk(path, mib, files):
    """An ext4 image (whole disk, no partition table) of mib MiB containing files {name: bytes}."""
    root = stage_files(path, files)
    run_tool([tool("mke2fs", "e2fsprogs"), "-q", "-F", "-t", "ext4", "-L", "BT86EXT4",
              "-d", root, path, f"{mib}M"])
    shutil.rmtree(root)


def ext4_read_file(image, name):
    """The bytes of /name in an ext4 image, read on the host with debugfs (None if absent)."""
    r = subprocess.run([tool("debugfs", "e2fsprogs"), "-R", f"cat /{name}", image],
                       capture_output=True, check=True)
    return None if b"not found" in r.stderr else r.stdout


def make_iso(path, files):
    """An ISO 9660 image (Rock Ridge, Joliet, volume id BT86CD) containing files {name: bytes}."""
    root = stage_files(path, files)
    run_tool([tool("xorriso", "xorriso"), "-as", "mkisofs", "-quiet", "-R", "-J",
              "-V", "BT86CD", "-o", path, root])
    shutil.rmtree(root)
