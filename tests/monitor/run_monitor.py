#!/usr/bin/env python3
"""End-to-end monitor test: boot SeaBIOS (no boot device) under bt86 with
-monitor unix:SOCK,server,nowait and -screenshot-at-exit, then over the socket: wait until a
`screendump` PNG shows SeaBIOS's banner in VGA text mode, check `info registers`, `info jit`,
`stop`/`cont`, and `quit` (exit code 0); finally check the picture written at exit.
With --stdio: the same machine with -monitor stdio, commands piped to standard input.

Without a font to compare against, the banner is recognised by the text's structure: in
"SeaBIOS (version", cells 0 and 6 hold the same letter (S), cells 1 and 10 too (e), they differ
from each other, cell 7 (a space) is blank and the letters are not. Prints MONITOR-TEST-OK."""
import argparse
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from png_reader import read_png  # noqa: E402

PROMPT = b"(bt86) "
CELL_W, CELL_H = 9, 16  # mode 3: 80x25 cells of 9x16 pixels = 720x400


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


class MonitorClient:
    def __init__(self, path, timeout_s=10):
        deadline = time.time() + timeout_s
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    fail(f"no monitor socket at {path}")
                time.sleep(0.05)
        self.sock.settimeout(10)
        self.greeting = self._until_prompt()

    def _until_prompt(self):
        data = b""
        while not data.endswith(PROMPT):
            chunk = self.sock.recv(65536)
            if not chunk:
                fail(f"monitor closed the connection; got {data!r}")
            data += chunk
        return data[:-len(PROMPT)].decode()

    def command(self, line):
        self.sock.sendall(line.encode() + b"\n")
        return self._until_prompt()


def cell(rows, col, row):
    return [rows[row * CELL_H + y][col * CELL_W + x] for y in range(CELL_H) for x in range(CELL_W)]


def banner_problem(path):
    """None if the PNG at path shows SeaBIOS's banner in 80x25 text mode, else why not."""
    width, height, rows = read_png(path)
    if (width, height) != (720, 400):
        return f"{width}x{height}, not the 720x400 of 80x25 text mode"
    background = rows[0][CELL_W * 7]
    cells = {c: cell(rows, c, 0) for c in (0, 1, 6, 7, 10)}
    if any(p != background for p in cells[7]):
        return "cell 7 of row 0 (a space) is not blank"
    if all(p == background for p in cells[0]) or all(p == background for p in cells[1]):
        return "no text in row 0"
    if cells[0] != cells[6] or cells[1] != cells[10] or cells[0] == cells[1]:
        return "row 0 does not read like 'SeaBIOS (version'"
    return None


def stdio_test(bt86):
    """-monitor stdio with commands from a pipe: answers and prompts on stdout, quit exits 0."""
    cmd = [bt86, "-m", "16", "-display", "none", "-timeout", "30", "-monitor", "stdio"]
    print("running:", " ".join(cmd))
    run = subprocess.run(cmd, input=b"info status\nsendkey ctrl-alt-delete\nquit\n",
                         capture_output=True, timeout=40)
    out = run.stdout.decode(errors="replace")
    expected = "(bt86) VM status: running\n(bt86) (bt86) (bt86) "
    if run.returncode != 0 or not out.endswith(expected):
        fail(f"exit code {run.returncode}, stdout {out!r}, stderr {run.stderr!r}")
    print("MONITOR-TEST-OK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bt86", required=True)
    ap.add_argument("--workdir")
    ap.add_argument("--stdio", action="store_true", help="test -monitor stdio instead")
    args = ap.parse_args()
    if args.stdio:
        return stdio_test(args.bt86)
    if not args.workdir:
        ap.error("--workdir is needed for the socket test")
    os.makedirs(args.workdir, exist_ok=True)
    sock_path = os.path.join(args.workdir, "monitor.sock")
    dump_path = os.path.join(args.workdir, "seabios_screendump.png")
    exit_path = os.path.join(args.workdir, "seabios_at_exit.png")
    for p in (dump_path, exit_path):
        if os.path.exists(p):
            os.unlink(p)

    cmd = [args.bt86, "-m", "32", "-display", "none", "-timeout", "60",
           "-monitor", f"unix:{sock_path},server,nowait", "-screenshot-at-exit", exit_path]
    print("running:", " ".join(cmd))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        mon = MonitorClient(sock_path)
        if "monitor - type 'help'" not in mon.greeting:
            fail(f"greeting: {mon.greeting!r}")

        deadline, problem = time.time() + 30, "no screendump yet"
        while time.time() < deadline:
            out = mon.command(f"screendump {dump_path}")
            if out:
                fail(f"screendump said: {out!r}")
            problem = banner_problem(dump_path)
            if problem is None:
                break
            time.sleep(0.25)
        if problem:
            fail(f"screendump {dump_path}: {problem}")
        print(f"screendump shows the SeaBIOS banner: {dump_path}")

        regs = mon.command("info registers")
        for field in ("EAX=", "EIP=", "EFL=", "CS =", "GDT=", "IDT=", "CR0="):
            if field not in regs:
                fail(f"info registers lacks {field}: {regs!r}")
        jit = mon.command("info jit")
        if "engine: translator" not in jit or "instructions run translated" not in jit:
            fail(f"info jit: {jit!r}")
        if mon.command("stop") or mon.command("info status").strip() != "VM status: paused":
            fail("stop did not pause the guest")
        if mon.command("cont") or mon.command("info status").strip() != "VM status: running":
            fail("cont did not resume the guest")
        if "unknown command" not in mon.command("no_such_command"):
            fail("an unknown command was not reported")
        mon.sock.sendall(b"quit\n")
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read().decode(errors="replace")
    if code != 0:
        fail(f"bt86 exited with {code} after quit; stderr: {stderr}")
    if "quit (monitor)" not in stderr:
        fail(f"stderr does not say why the run ended: {stderr!r}")
    problem = banner_problem(exit_path)
    if problem:
        fail(f"-screenshot-at-exit {exit_path}: {problem}")
    print(f"-screenshot-at-exit wrote {exit_path}")
    print("MONITOR-TEST-OK")


if __name__ == "__main__":
    main()
