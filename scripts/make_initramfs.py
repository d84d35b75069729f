#!/usr/bin/env python3
"""Builds the default guest's initramfs (gzip'd cpio "newc") without root and without cpio(1).

Contents: busybox (from Debian's busybox-static:i386) with its applet links, /init (a shell script
from guest/init.sh), and the kernel modules asked for plus everything they depend on,
taken from the unpacked linux-image package. Dependencies come from each module's own .modinfo
"depends=" field, so no depmod run is needed; /etc/modules.order lists them so that every module
comes after the modules it needs, and /init loads them in that order with insmod.

Modules given with --optional (and their dependencies not already loaded) are listed in
/etc/modules.optional instead; /init loads them only when the kernel command line asks (e.g. the
bochs DRM driver for a framebuffer console, with "bt86.fbcon").

Usage: make_initramfs.py --busybox BIN --init SCRIPT --modules-dir DIR --out FILE.gz
                         [--optional MODULE]... [MODULE...]
"""
import argparse
import gzip
import os
import struct
import sys


def elf_section(data, name):
    """Returns the bytes of the named section of a 32- or 64-bit little-endian ELF file."""
    if data[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    is64 = data[4] == 2
    if is64:
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    else:
        shoff, = struct.unpack_from("<I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)

    def header(i):
        base = shoff + i * shentsize
        if is64:
            sh_name, _, _, _, off, size = struct.unpack_from("<IIQQQQ", data, base)
        else:
            sh_name, _, _, _, off, size = struct.unpack_from("<IIIIII", data, base)
        return sh_name, off, size

    _, stroff, _ = header(shstrndx)
    for i in range(shnum):
        sh_name, off, size = header(i)
        end = data.index(b"\0", stroff + sh_name)
        if data[stroff + sh_name:end].decode() == name:
            return data[off:off + size]
    raise ValueError("no section " + name)


def module_depends(path):
    """The module names listed in the "depends=" field of a .ko file's .modinfo section."""
    with open(path, "rb") as f:
        info = elf_section(f.read(), ".modinfo")
    for field in info.split(b"\0"):
        if field.startswith(b"depends="):
            return [d for d in field[len(b"depends="):].decode().split(",") if d]
    return []


def index_modules(modules_dir):
    """Maps module name (dashes and underscores equal) to its .ko path under modules_dir."""
    index = {}
    for root, _, files in os.walk(modules_dir):
        for name in files:
            if name.endswith(".ko"):
                index[name[:-3].replace("-", "_")] = os.path.join(root, name)
    return index


def load_order(wanted, index):
    """Depth-first: every module after its dependencies, each once."""
    order, seen = [], set()

    def visit(name, chain):
        key = name.replace("-", "_")
        if key in seen:
            return
        if key not in index:
            raise SystemExit("make_initramfs: module %s not found (needed by %s)"
                             % (name, " <- ".join(chain) or "the command line"))
        seen.add(key)
        for dep in module_depends(index[key]):
            visit(dep, chain + [name])
        order.append(key)

    for name in wanted:
        visit(name, [])
    return order


class Cpio:
    """Writer for the "newc" (070701) cpio format the kernel's initramfs unpacker reads."""

    def __init__(self):
        self.parts = []
        self.ino = 1

    def add(self, path, mode, data=b"", rdev=(0, 0)):
        name = path.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name), 0)
        self.ino += 1
        header = b"070701" + b"".join(b"%08X" % v for v in fields)
        self.parts += [header, name, b"\0" * (-(110 + len(name)) % 4), data, b"\0" * (-len(data) % 4)]

    def directory(self, path):
        self.add(path, 0o040755)

    def file(self, path, data, mode=0o644):
        self.add(path, 0o100000 | mode, data)

    def symlink(self, path, target):
        self.add(path, 0o120777, target.encode())

    def char_device(self, path, major, minor):
        self.add(path, 0o020600, rdev=(major, minor))

    def finish(self):
        self.add("TRAILER!!!", 0)
        return b"".join(self.parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busybox", required=True)
    ap.add_argument("--init", required=True)
    ap.add_argument("--modules-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--optional", action="append", default=[])
    ap.add_argument("modules", nargs="*")
    args = ap.parse_args()

    index = index_modules(args.modules_dir)
    order = load_order(args.modules, index)
    optional = [m for m in load_order(args.modules + args.optional, index) if m not in order]

    cpio = Cpio()
    for d in ["bin", "sbin", "dev", "etc", "proc", "sys", "tmp", "mnt", "root",
              "lib", "lib/modules", "usr", "usr/bin", "usr/sbin"]:
        cpio.directory(d)
    cpio.char_device("dev/console", 5, 1)
    cpio.char_device("dev/null", 1, 3)
    with open(args.busybox, "rb") as f:
        cpio.file("bin/busybox", f.read(), 0o755)
    cpio.symlink("bin/sh", "busybox")
    with open(args.init, "rb") as f:
        cpio.file("init", f.read(), 0o755)
    for name in order + optional:
        with open(index[name], "rb") as f:
            cpio.file("lib/modules/%s.ko" % name, f.read())
    cpio.file("etc/modules.order", "".join(n + "\n" for n in order).encode())
    cpio.file("etc/modules.optional", "".join(n + "\n" for n in optional).encode())

    data = gzip.compress(cpio.finish(), compresslevel=6, mtime=0)
    with open(args.out, "wb") as f:
        f.write(data)
    print("make_initramfs: %s (%d KiB, %d modules: %s; optional: %s)"
          % (args.out, len(data) // 1024, len(order), " ".join(order), " ".join(optional) or "-"))


if __name__ == "__main__":
    sys.exit(main())
