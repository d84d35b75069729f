#!/usr/bin/env python3
"""Robustness tests of the bt86 process against bad input and hostile surroundings (ctest label
"robustness", a few seconds each). Each case prints ROBUSTNESS-TEST-OK when everything held.

  bad_files  every file option given /dev/zero, a FIFO and a directory (and outputs a FIFO no one
             reads, a directory): bt86 must end at once with exit code 1 and one line on stderr
             naming the option and the file, never read forever or block in open().
  signals    SIGTERM, SIGINT and SIGHUP to a guest that loops forever: bt86 ends quickly with exit
             code 0 and QEMU's message "terminating on signal N from pid P (NAME)", with the
             debug console file and the -D trace flushed.
  terminal   the same on a pseudo-terminal with COM1 on stdio (raw mode): the terminal settings
             are restored.
  locks      disk images are locked as QEMU locks them: the same image twice on one command line,
             or read-write in a second process (also -cdrom/-snapshot against a writer), is exit
             code 1 with 'failed to get "write" lock'; readers (-cdrom, -snapshot) share.
  write_errors  -D, -debugcon file: and -serial file: on /dev/full: each write error is reported
             once ("bt86: -D '/dev/full': write failed: No space left on device") and the run goes
             on (here until -timeout, exit code 124).

The guests are made here: a 64 KiB ROM whose reset vector jumps to itself (a guest that runs
forever), and a minimal bzImage header for -kernel (enough to reach the -initrd checks)."""
import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import termios
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


def write_hello_loop_rom(path):
    """64 KiB ROM: at the reset vector `mov al,'h'; out 0xE9,al; mov al,'i'; out 0xE9,al; jmp $`.
    "hi" has no newline, so it stays in the debug console's buffer until bt86 flushes at exit."""
    rom = bytearray(64 * 1024)
    rom[0xFFF0:0xFFFA] = b"\xB0\x68\xE6\xE9\xB0\x69\xE6\xE9\xEB\xFE"
    with open(path, "wb") as f:
        f.write(rom)


def write_chatty_rom(path):
    """64 KiB ROM that writes "x\\n" to port 0xE9 and to COM1's THR (0x3F8) forever: from the reset
    vector `jmp F000:E000`, at E000 `mov al,'x'; out 0xE9,al; mov dx,0x3F8; out dx,al;
    mov al,10; out 0xE9,al; out dx,al; jmp E000`."""
    rom = bytearray(64 * 1024)
    rom[0xFFF0:0xFFF5] = b"\xEA\x00\xE0\x00\xF0"
    rom[0xE000:0xE00F] = b"\xB0\x78\xE6\xE9\xBA\xF8\x03\xEE\xB0\x0A\xE6\xE9\xEE\xEB\xF1"
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


def own_command_name():
    """argv[0] of this process as bt86 reads it from /proc/PID/cmdline (QEMU's wording)."""
    with open("/proc/self/cmdline", "rb") as f:
        return f.read().split(b"\0")[0].decode()


def signal_and_wait(proc, sig, settle_s=1.0):
    """Lets bt86 get into its run loop, sends sig, returns (stderr text, seconds to exit)."""
    time.sleep(settle_s)
    if proc.poll() is not None:
        fail(f"bt86 ended before the signal: exit {proc.returncode}, stderr {proc.stderr.read()!r}")
    start = time.monotonic()
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        fail(f"bt86 still running 5 s after signal {sig}")
    return err.decode(errors="replace"), time.monotonic() - start


def check_terminated(proc, sig, err, took):
    expected = f"bt86: terminating on signal {int(sig)} from pid {os.getpid()} ({own_command_name()})"
    print(f"  signal {int(sig)}: exit {proc.returncode} in {took:.2f} s; stderr {err.strip()!r}")
    if proc.returncode != 0:
        fail(f"signal {int(sig)}: exit code {proc.returncode}, expected 0 (as QEMU)")
    if err.strip().splitlines() != [expected]:
        fail(f"signal {int(sig)}: stderr {err!r}, expected the one line {expected!r}")
    if took > 2:
        fail(f"signal {int(sig)}: took {took:.2f} s to end")


def case_signals(bt86, tmp):
    rom = os.path.join(tmp, "hello_loop.rom")
    write_hello_loop_rom(rom)
    console = os.path.join(tmp, "console.txt")
    trace = os.path.join(tmp, "trace.txt")
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        print(f"signal {sig.name}")
        proc = subprocess.Popen([bt86, "-m", "32", "-display", "none", "-vga", "none", "-serial", "none",
                                 "-bios", rom, "-debugcon", "file:" + console, "-d", "in_asm", "-D", trace],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err, took = signal_and_wait(proc, sig)
        check_terminated(proc, sig, err, took)
        with open(console) as f:
            text = f.read()
        if text != "hi":
            fail(f"signal {sig.name}: the debug console file holds {text!r}, expected 'hi' (flushed at exit)")
        with open(trace) as f:
            text = f.read()
        if "jmp" not in text:
            fail(f"signal {sig.name}: the -D trace was not flushed at exit: {text!r}")


def case_terminal(bt86, tmp):
    rom = os.path.join(tmp, "loop.rom")
    write_loop_rom(rom)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        print(f"signal {sig.name} on a pseudo-terminal")
        master, slave = os.openpty()
        try:
            before = termios.tcgetattr(slave)
            if not before[3] & termios.ICANON:
                fail("the new pseudo-terminal is not in canonical mode")
            proc = subprocess.Popen([bt86, "-m", "32", "-display", "none", "-vga", "none", "-nographic",
                                     "-debugcon", "none", "-bios", rom],
                                    stdin=slave, stdout=slave, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 5
            while termios.tcgetattr(slave) == before:  # wait for raw mode
                if time.monotonic() > deadline or proc.poll() is not None:
                    proc.kill()
                    fail("bt86 did not put the terminal into raw mode")
                time.sleep(0.02)
            raw = termios.tcgetattr(slave)
            if raw[3] & (termios.ICANON | termios.ECHO | termios.ISIG):
                fail("raw mode left ICANON, ECHO or ISIG on")
            err, took = signal_and_wait(proc, sig, settle_s=0.3)
            check_terminated(proc, sig, err, took)
            after = termios.tcgetattr(slave)
            if after != before:
                fail(f"signal {sig.name}: terminal settings not restored: {after} != {before}")
        finally:
            os.close(master)
            os.close(slave)


def run_briefly(bt86, args):
    """bt86 with a guest that loops forever and -timeout 1: must run (exit 124: it got past
    start-up) rather than fail."""
    cmd = [bt86, "-timeout", "1"] + args
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    print(f"  exit {r.returncode}: {r.stderr.decode(errors='replace').strip()}")
    if r.returncode != 124:
        fail(f"{' '.join(cmd)}: exit {r.returncode}, expected to run until -timeout (124)")


def case_locks(bt86, tmp):
    rom = os.path.join(tmp, "loop.rom")
    write_loop_rom(rom)
    disk, cd = os.path.join(tmp, "disk.img"), os.path.join(tmp, "cd.iso")
    for path in (disk, cd):
        with open(path, "wb") as f:
            f.truncate(1 << 20)
    base = ["-m", "32", "-display", "none", "-vga", "none", "-serial", "none", "-debugcon", "none", "-bios", rom]
    write_lock = 'failed to get "write" lock'
    shared_lock = 'failed to get shared "write" lock'

    print("one command line: the same image twice")
    run_startup_error(bt86, base + ["-hda", disk, "-hdb", disk], ["-hdb", f"'{disk}'", write_lock])
    run_startup_error(bt86, base + ["-hda", disk, "-cdrom", disk], ["-cdrom", f"'{disk}'", shared_lock])
    run_briefly(bt86, base + ["-snapshot", "-hda", disk, "-hdb", disk])  # two readers share

    print("two processes: a writer holds the image")
    writer = subprocess.Popen([bt86] + base + ["-hda", disk], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        if writer.poll() is not None:
            fail(f"the first bt86 ended early: exit {writer.returncode}, {writer.stderr.read()!r}")
        run_startup_error(bt86, base + ["-hda", disk], ["-hda", f"'{disk}'", write_lock, "another process"])
        run_startup_error(bt86, base + ["-hdd", disk], ["-hdd", f"'{disk}'", write_lock])
        run_startup_error(bt86, base + ["-cdrom", disk], ["-cdrom", f"'{disk}'", shared_lock])
        run_startup_error(bt86, base + ["-snapshot", "-hda", disk], ["-hda", f"'{disk}'", shared_lock])
    finally:
        writer.terminate()
        writer.wait(timeout=10)
    print("the writer has ended: its lock is gone")
    run_briefly(bt86, base + ["-hda", disk])

    print("two processes sharing a read-only CD (and a -snapshot disk)")
    reader = subprocess.Popen([bt86] + base + ["-cdrom", cd, "-snapshot", "-hda", disk], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        if reader.poll() is not None:
            fail(f"the first bt86 ended early: exit {reader.returncode}, {reader.stderr.read()!r}")
        run_briefly(bt86, base + ["-cdrom", cd, "-snapshot", "-hda", disk])
        run_startup_error(bt86, base + ["-hda", cd], ["-hda", f"'{cd}'", write_lock])
        run_startup_error(bt86, base + ["-hda", disk], ["-hda", f"'{disk}'", write_lock])
    finally:
        reader.terminate()
        reader.wait(timeout=10)


def case_write_errors(bt86, tmp):
    rom = os.path.join(tmp, "chatty.rom")
    write_chatty_rom(rom)
    base = [bt86, "-m", "32", "-display", "none", "-vga", "none", "-bios", rom, "-timeout", "1"]
    cases = {
        "-debugcon": ["-serial", "none", "-debugcon", "file:/dev/full"],
        "-serial": ["-debugcon", "none", "-serial", "file:/dev/full"],
        "-D": ["-serial", "none", "-debugcon", "none", "-d", "exec", "-D", "/dev/full"],
    }
    for option, args in cases.items():
        print(f"{option} /dev/full")
        r = subprocess.run(base + args, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
        lines = r.stderr.decode(errors="replace").splitlines()
        print(f"  exit {r.returncode}; stderr {lines}")
        expected = f"bt86: {option} '/dev/full': write failed: No space left on device"
        if r.returncode != 124:
            fail(f"{option} /dev/full: exit {r.returncode}, expected the run to go on until -timeout (124)")
        if lines.count(expected) != 1:
            fail(f"{option} /dev/full: expected the line {expected!r} exactly once on stderr, got {lines}")
        if len(lines) != 2 or not lines[1].startswith("bt86: timeout"):
            fail(f"{option} /dev/full: expected only the write error and the timeout on stderr, got {lines}")


CASES = {"bad_files": case_bad_files, "signals": case_signals, "terminal": case_terminal,
         "locks": case_locks, "write_errors": case_write_errors}


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
