#!/usr/bin/env python3
"""Host CPU used by bt86 while the default guest sits idle at its shell prompt, per display setup.

Setups (each boots the default guest, waits for the prompt on the serial console, lets it settle,
then reads bt86's user+system CPU time from /proc/PID/stat over --seconds):
  headless    -display none, console=ttyS0
  window-text -display sdl under Xvfb, the shell on the VGA text console (console=tty0)
  window-fb   -display sdl under Xvfb, the shell on the VESA framebuffer console (vga=0x317)
The figure is CPU seconds per wall second in percent of one core. The windowed setups need Xvfb
(scripts/setup.sh installs it).

Usage: idle_cpu.py [--bt86 build/bt86] [--guest-dir build/guest] [--seconds 30] [setup ...]
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "linux"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "window"))
from guest_console import GuestConsole  # noqa: E402
import run_window  # noqa: E402

SETUPS = {
    "headless": ("console=ttyS0", ["-display", "none"]),
    "window-text": ("console=tty0 console=ttyS0", ["-display", "sdl"]),
    "window-fb": ("console=tty0 console=ttyS0 vga=0x317", ["-display", "sdl"]),
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def measure(args, setup):
    append, extra = SETUPS[setup]
    cmd = [args.bt86, "-m", "256", "-kernel", os.path.join(args.guest_dir, "vmlinuz"), "-initrd",
           os.path.join(args.guest_dir, "initrd.gz"), "-append", append, "-serial", "stdio", *extra]
    console = GuestConsole(cmd, time.monotonic() + 120 + args.seconds)
    try:
        console.wait_prompt()  # the shell is on serial (ttyS0 is the last console named)
        time.sleep(5)          # late module probes and kernel messages
        pid = console.proc.pid
        t0, c0 = time.monotonic(), cpu_seconds(pid)
        time.sleep(args.seconds)
        return 100 * (cpu_seconds(pid) - c0) / (time.monotonic() - t0)
    finally:
        console.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bt86", default="build/bt86")
    ap.add_argument("--guest-dir", default="build/guest")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("setups", nargs="*", help=" | ".join(SETUPS) + " (default: all)")
    args = ap.parse_args()
    args.setups = args.setups or list(SETUPS)
    for setup in args.setups:
        if setup not in SETUPS:
            ap.error(f"unknown setup {setup!r}")
    xvfb = None
    if any(s.startswith("window") for s in args.setups):
        xvfb, display = run_window.start_xvfb()
        os.environ["DISPLAY"] = display
    try:
        print("| setup | idle CPU (% of one core) |\n| --- | --- |")
        for setup in args.setups:
            print(f"| {setup} | {measure(args, setup):.1f} |", flush=True)
    finally:
        if xvfb:
            xvfb.kill()
            xvfb.wait()


if __name__ == "__main__":
    main()
