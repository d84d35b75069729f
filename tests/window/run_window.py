#!/usr/bin/env python3
"""Window test (ctest label "window"): the default Linux guest in bt86's SDL window under Xvfb,
driven with real X input events. Two scenarios, one per console the guest shows in the window:
  text   VGA text mode 3 (vgacon), read back with the VGA BIOS font in 9x16 cells, 720x400;
  fbcon  the VESA framebuffer console (vga=0x317: vesafb, 1024x768x16), read back with the
         kernel's own 8x16 font (found in the bzImage) in 8x16 cells, 128x48.

1. Starts Xvfb on a free display and bt86 with `-display sdl`, the guest's kernel messages on
   both consoles (console=ttyS0 console=tty0: the shell runs on the window's console, tty0), COM1
   on a pipe, and -screenshot-at-exit.
2. Waits for /init on serial and for the window at the console's size, then reads the window's
   pixels (xwd) back as text (screen_text.py) until the shell prompt shows.
3. Types a command into the window with `xdotool type` (X key events -> SDL -> PS/2 scancodes)
   whose output goes to the serial port, checks it there, recalls it with the Up arrow (an E0
   key) and checks the second run; checks the command line on the screen, the title (state and
   MIPS), and keeps the window picture as WORK/window-shell.png.
4. text only: mouse: a click grabs it (the title shows the Ctrl+Alt+G hint), relative motion
   raises the guest's IRQ 12 count, Ctrl+Alt+G releases it.
5. Closes the window as a window manager does (WM_DELETE_WINDOW): bt86 must exit with code 0
   and leave WORK/window-exit.png of the console's size.
Prints WINDOW-TEST-OK at the end; any failure prints the serial log and bt86's stderr.
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "linux"))
from guest_console import ConsoleError, GuestConsole  # noqa: E402
import screen_text  # noqa: E402
import x_screen  # noqa: E402

TYPED = "echo $((6*7)) typed-in-window > /dev/ttyS0"
ANSWER = "42 typed-in-window"


def start_xvfb():
    """An Xvfb on a display it picks itself (-displayfd: no race between tests run in parallel);
    returns (process, ":N")."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1920x1200x24",
                             "-nolisten", "tcp"], pass_fds=(write_end,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as numbers:
        number = numbers.readline().strip()  # written once the server accepts connections
    if not number.isdigit():
        proc.kill()
        raise RuntimeError("could not start Xvfb")
    return proc, f":{number}"


def wm_name(display, window):
    out = subprocess.run(["xprop", "-display", display, "-id", window, "WM_NAME"], capture_output=True,
                         text=True).stdout
    return out


def wait_until(what, check, deadline, step=0.5):
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(step)
    raise ConsoleError(f"no {what}")


class Console:
    """How a scenario's console looks in the window."""

    def __init__(self, append, size, cols, rows, cell_w, font):
        self.append, self.size, self.cols, self.rows, self.cell_w, self.font = append, size, cols, rows, cell_w, font

    def read(self, image):
        return screen_text.read_text(image, self.font, self.cols, self.rows, self.cell_w)


def console_for(scenario, guest_dir):
    if scenario == "text":
        return Console("console=ttyS0 console=tty0", (720, 400), 80, 25, screen_text.TEXT_CELL_W,
                       screen_text.load_font())
    return Console("console=ttyS0 console=tty0 vga=0x317", (1024, 768), 128, 48, screen_text.FBCON_CELL_W,
                   screen_text.load_kernel_font(os.path.join(guest_dir, "vmlinuz")))


def check_typing(console, display, window, screen, shell_png):
    """Types a command, recalls it with Up, checks serial and the screen, keeps the picture."""
    x_screen.xdotool(display, "windowfocus", "--sync", window)
    x_screen.xdotool(display, "type", "--delay", "40", TYPED)
    x_screen.xdotool(display, "key", "Return")
    console.wait_for(re.escape(ANSWER), "the typed command's output on serial", 30)
    x_screen.xdotool(display, "key", "Up", "Return")  # history: an E0-prefixed key
    console.wait_for(re.escape(ANSWER), "the recalled command's output on serial", 30)
    last_screen = []

    def typed_twice_on_screen():
        last_screen[:] = screen()
        # The first line may be cut by a late kernel message; the recalled one is whole.
        return ("bt86:/# " + TYPED in last_screen and
                sum(1 for line in last_screen if line.endswith(TYPED)) >= 2)

    try:
        wait_until("the typed and the recalled command on the screen", typed_twice_on_screen,
                   time.monotonic() + 10)
    finally:
        print("screen after typing:\n  " + "\n  ".join(l for l in last_screen if l), flush=True)
    x_screen.grab_root(display, x_screen.window_geometry(display, window)).write_png(shell_png)


def check_mouse(console, display, window):
    """Grab with a click, move, count IRQ 12 in the guest, release with Ctrl+Alt+G."""
    irq12 = "awk '$1 == \"12:\" {print \"irq12=\" $2}' /proc/interrupts > /dev/ttyS0"
    x_screen.xdotool(display, "type", "--delay", "40", irq12)
    x_screen.xdotool(display, "key", "Return")
    before = int(console.wait_for(r"irq12=(\d+)", "IRQ 12 count", 30).group(1))
    x, y, w, h = x_screen.window_geometry(display, window)
    deadline = time.monotonic() + 30
    x_screen.xdotool(display, "mousemove", str(x + w // 2), str(y + h // 2), "click", "1")
    wait_until("grab hint in the title", lambda: "Ctrl+Alt+G" in wm_name(display, window), deadline, 0.2)
    for _ in range(10):
        x_screen.xdotool(display, "mousemove_relative", "--", "7", "-5")
        time.sleep(0.05)
    x_screen.xdotool(display, "key", "ctrl+alt+g")
    wait_until("grab released", lambda: "Ctrl+Alt+G" not in wm_name(display, window), deadline, 0.2)
    x_screen.xdotool(display, "key", "Up", "Return")
    after = int(console.wait_for(r"irq12=(\d+)", "IRQ 12 count after moving the mouse", 30).group(1))
    print(f"IRQ 12: {before} before, {after} after moving the grabbed mouse", flush=True)
    if after <= before:
        raise ConsoleError("the grabbed mouse's motion raised no IRQ 12 in the guest")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bt86", required=True)
    ap.add_argument("--guest-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--limit", type=float, default=150)
    ap.add_argument("scenario", nargs="?", choices=("text", "fbcon"), default="text")
    args = ap.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    shell_png = os.path.join(args.work_dir, "window-shell.png")
    exit_png = os.path.join(args.work_dir, "window-exit.png")
    for stale in (shell_png, exit_png):
        if os.path.exists(stale):
            os.remove(stale)

    look = console_for(args.scenario, args.guest_dir)
    deadline = time.monotonic() + args.limit
    xvfb, display = start_xvfb()
    os.environ["DISPLAY"] = display
    os.environ.pop("WAYLAND_DISPLAY", None)
    cmd = [args.bt86, "-m", "256", "-kernel", os.path.join(args.guest_dir, "vmlinuz"),
           "-initrd", os.path.join(args.guest_dir, "initrd.gz"), "-append", look.append,
           "-serial", "stdio", "-display", "sdl", "-screenshot-at-exit", exit_png]
    console = GuestConsole(cmd, deadline)
    try:
        console.wait_for(r"Run /init as init process", "/init on serial")
        window = wait_until("bt86 window", lambda: x_screen.find_window(display), deadline)

        def console_geometry():
            geometry = x_screen.window_geometry(display, window)
            return geometry if geometry[2:] == look.size else None

        geometry = wait_until(f"the window at {look.size}", console_geometry, deadline)
        print(f"window {window} at {geometry}", flush=True)

        def screen():
            return look.read(x_screen.grab_root(display, geometry))

        wait_until("shell prompt on the screen",
                   lambda: any(line.startswith("bt86:/#") for line in screen()), deadline, 1.0)
        print(f"prompt on screen after {console.elapsed():.1f} s", flush=True)
        check_typing(console, display, window, screen, shell_png)

        title = wm_name(display, window)
        if "MIPS" not in title or not re.search(r"running|halted", title):
            raise ConsoleError(f"window title without state and speed: {title!r}")
        if args.scenario == "text":
            check_mouse(console, display, window)

        x_screen.close_window(display, window)
        code = console.wait_exit(20)
        if code != 0 or "window closed" not in console.stderr:
            raise ConsoleError(f"closing the window: exit code {code}, stderr {console.stderr!r}")
        if not os.path.exists(exit_png):
            raise ConsoleError(f"no {exit_png}")
        with open(exit_png, "rb") as f:
            size = struct.unpack(">II", f.read(24)[16:24])
        if size != look.size:
            raise ConsoleError(f"{exit_png} is {size}, expected {look.size}")
    except (ConsoleError, subprocess.CalledProcessError, RuntimeError) as e:
        console.kill()
        print(f"FAILED: {e}\n--- serial ---\n{console.log[-3000:]}\n--- stderr ---\n{console.stderr}")
        return 1
    finally:
        console.kill()
        xvfb.kill()
        xvfb.wait()
    print(f"screenshots: {shell_png} {exit_png}")
    print("WINDOW-TEST-OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
