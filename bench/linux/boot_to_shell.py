#!/usr/bin/env python3
"""Wall time from process start to the default guest's shell prompt, bt86 vs qemu-system-i386 TCG.

Both engines boot the same kernel and initramfs with the same -m and kernel command line, headless
with the serial console on stdio. The script timestamps milestones as they appear on the console
(the first kernel line, "Run /init", the shell prompt), then types `poweroff -f` and waits for the
process to end (its exit code is reported too). Runs are sequential, so both see the same machine.

Usage: boot_to_shell.py [--bt86 build/bt86] [--kernel build/guest/vmlinuz]
                        [--initrd build/guest/initrd.gz] [-m 256] [--runs 1] [--no-qemu]
"""
import argparse
import os
import select
import shutil
import subprocess
import sys
import time

PROMPT = b"bt86:/# "
MILESTONES = [(b"Linux version", "kernel"), (b"Run /init", "init"), (PROMPT, "prompt")]


def boot_once(cmd, limit_s):
    """Runs cmd, returns ({milestone: seconds}, exit code or None on timeout)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    seen, buf, sent = {}, b"", False
    try:
        while time.monotonic() - t0 < limit_s:
            ready, _, _ = select.select([p.stdout], [], [], 0.5)
            if ready:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                buf = (buf + chunk)[-4096:]
                for text, name in MILESTONES:
                    if name not in seen and text in buf:
                        seen[name] = time.monotonic() - t0
            if "prompt" in seen and not sent:
                p.stdin.write(b"poweroff -f\n")
                p.stdin.flush()
                sent = True
        p.wait(timeout=max(1.0, limit_s - (time.monotonic() - t0)))
        seen["exit"] = time.monotonic() - t0
        return seen, p.returncode
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return seen, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bt86", default="build/bt86")
    ap.add_argument("--kernel", default="build/guest/vmlinuz")
    ap.add_argument("--initrd", default="build/guest/initrd.gz")
    ap.add_argument("-m", dest="mem", default="256")
    ap.add_argument("--append", default="console=ttyS0")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--limit", type=float, default=180)
    ap.add_argument("--no-qemu", action="store_true")
    args = ap.parse_args()

    for path in (args.bt86, args.kernel, args.initrd):
        if not os.path.exists(path):
            sys.exit("boot_to_shell: %s not found (build bt86 and run scripts/fetch_guest.sh)" % path)
    common = ["-m", args.mem, "-kernel", args.kernel, "-initrd", args.initrd,
              "-append", args.append, "-nographic"]
    engines = [("bt86", [args.bt86] + common)]
    qemu = shutil.which("qemu-system-i386")
    if not args.no_qemu:
        if qemu:
            engines.append(("qemu-tcg", [qemu, "-accel", "tcg", "-no-reboot", "-monitor", "none"]
                            + common))
        else:
            print("boot_to_shell: qemu-system-i386 not installed, skipping it", file=sys.stderr)

    print("%-9s %3s %8s %8s %8s %8s %5s" % ("engine", "run", "kernel", "init", "prompt", "exit", "code"))
    for name, cmd in engines:
        for run in range(1, args.runs + 1):
            seen, code = boot_once(cmd, args.limit)
            cell = lambda k: "%8.2f" % seen[k] if k in seen else "%8s" % "-"
            print("%-9s %3d %s %s %s %s %5s" % (name, run, cell("kernel"), cell("init"),
                                                cell("prompt"), cell("exit"),
                                                "timeout" if code is None else code), flush=True)


if __name__ == "__main__":
    main()
