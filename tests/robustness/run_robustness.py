#!/usr/bin/env python3
"""Robustness tests of the bt86 process against bad input and hostile surroundings (ctest label
"robustness", a few seconds each). Each case prints ROBUSTNESS-TEST-OK when everything held.

  bad_files  every file option given /dev/zero, a FIFO and a directory (and outputs a FIFO no one
             reads, a directory): bt86 must end at once with exit code 1 and one line on stderr
             naming the option and the file, never read forever or block in open().

The guests are made here: a 64 KiB ROM whose reset vector jumps to itself (a guest that runs
forever), and a minimal bzImage header for -kernel (enough to reach the -initrd checks)."""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

START_LIMIT_S = 5  # a startup error must come well within this


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def write_loop_rom(path):
    """64 KiB ROM: at the reset vector (offset 0xFFF0, F000:FFF0) `jmp $` (EB FE)."""
    rom = bytearray(64 * 1024)
    rom[0xFFF0:0xFFF2] = b"\xEB\xFE"
    with open(path, "wb") as f:
        f.write(rom)


def write_fake_bzimage(path):
    """A bzImage as far as bt86's loader checks it before reading -initrd: setup header with
    "HdrS", protocol 2.15, LOADED_HIGH, code32_start 1 MiB, one setup sector, a 512-byte payload."""
    img = bytearray(1024)
    img[0x1F1] = 1                                   # setup_sects
    img[0x1FE:0x200] = (0xAA55).to_bytes(2, "little")
    img[0x200], img[0x201] = 0xEB, 0x66
    img[0x202:0x206] = b"HdrS"
    img[0x206:0x208] = (0x020F).to_bytes(2, "little")
    img[0x211] = 0x01
    img[0x214:0x218] = (0x100000).to_bytes(4, "little")
    img[0x22C:0x230] = (0x7FFFFFFF).to_bytes(4, "little")
    img[0x238:0x23C] = (2047).to_bytes(4, "little")
    img += bytes([0xEB, 0xFE]) + bytes(510)          # payload: jmp $
    with open(path, "wb") as f:
        f.write(img)


def limit_memory():
    # If a file were read without a limit (as /dev/zero once was), fail fast instead of
    # exhausting the host: 2 GiB of address space is plenty for bt86 -m 32.
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def run_startup_error(bt86, args, expect_in_message):
    """Runs bt86 with args; it must exit 1 within START_LIMIT_S with exactly one stderr line
    that starts with "bt86: " and contains each string of expect_in_message."""
    cmd = [bt86] + args
    start = time.monotonic()
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=START_LIMIT_S,
                           preexec_fn=limit_memory)
    except subprocess.TimeoutExpired:
        fail(f"{' '.join(cmd)}: still running after {START_LIMIT_S} s (blocked or reading forever)")
    took = time.monotonic() - start
    err = r.stderr.decode(errors="replace")
    lines = err.splitlines()
    print(f"  exit {r.returncode} in {took:.2f} s: {err.strip()}")
    if r.returncode != 1:
        fail(f"{' '.join(cmd)}: exit code {r.returncode}, expected 1; stderr: {err!r}")
    if len(lines) != 1 or not lines[0].startswith("bt86: "):
        fail(f"{' '.join(cmd)}: expected one 'bt86: ...' line on stderr, got {err!r}")
    for text in expect_in_message:
        if text not in lines[0]:
            fail(f"{' '.join(cmd)}: message {lines[0]!r} does not contain {text!r}")


def case_bad_files(bt86, tmp):
    rom = os.path.join(tmp, "loop.rom")
    kernel = os.path.join(tmp, "bzImage")
    write_loop_rom(rom)
    write_fake_bzimage(kernel)
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    directory = os.path.join(tmp, "dir")
    os.mkdir(directory)
    base = ["-m", "32", "-display", "none", "-serial", "none", "-debugcon", "none", "-timeout", "3"]
    # How each input option is given the bad file; the -kernel cases need no other option.
    inputs = {
        "-bios": lambda bad: ["-vga", "none", "-bios", bad],
        "-vga-bios": lambda bad: ["-bios", rom, "-vga-bios", bad],
        "-kernel": lambda bad: ["-vga", "none", "-kernel", bad],
        "-initrd": lambda bad: ["-vga", "none", "-kernel", kernel, "-initrd", bad],
        "-hda": lambda bad: ["-vga", "none", "-bios", rom, "-hda", bad],
        "-hdb": lambda bad: ["-vga", "none", "-bios", rom, "-hdb", bad],
        "-hdc": lambda bad: ["-vga", "none", "-bios", rom, "-hdc", bad],
        "-hdd": lambda bad: ["-vga", "none", "-bios", rom, "-hdd", bad],
        "-cdrom": lambda bad: ["-vga", "none", "-bios", rom, "-cdrom", bad],
    }
    kinds = {"/dev/zero": "character device", fifo: "FIFO", directory: "directory"}
    for option, make_args in inputs.items():
        for bad, kind in kinds.items():
            print(f"{option} {bad}")
            opt_name = option if option not in ("-bios", "-vga-bios") else ("BIOS" if option == "-bios" else "VGA BIOS")
            run_startup_error(bt86, base + make_args(bad), [opt_name, f"'{bad}'", kind])
    # Outputs: a FIFO that no process reads and a directory.
    outputs = {
        "-D": lambda bad: ["-D", bad],
        "-debugcon": lambda bad: ["-debugcon", "file:" + bad],
        "-serial": lambda bad: ["-serial", "file:" + bad],
    }
    base_out = ["-m", "32", "-display", "none", "-vga", "none", "-bios", rom, "-timeout", "3"]
    for option, make_args in outputs.items():
        for bad, kind in ((fifo, "FIFO"), (directory, "directory")):
            print(f"{option} {bad}")
            args = base_out + make_args(bad)
            if option != "-debugcon":
                args += ["-debugcon", "none"]
            run_startup_error(bt86, args, [option, f"'{bad}'", kind])


CASES = {"bad_files": case_bad_files}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bt86", required=True)
    parser.add_argument("case", choices=sorted(CASES))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bt86_robust_") as tmp:
        CASES[args.case](os.path.abspath(args.bt86), tmp)
    print("ROBUSTNESS-TEST-OK")


if __name__ == "__main__":
    main()
