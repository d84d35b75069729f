#!/usr/bin/env python3
"""Linux boot tests (ctest label "linux"): boots the default guest (Debian's i386 kernel and a
busybox initramfs, fetched by scripts/fetch_guest.sh) under bt86 with the serial console on
pipes, runs commands at the guest's shell and checks what the guest reports. One scenario per
run; each boots once (or ends bt86 early on purpose) and prints one line per check, then
LINUX-TEST-OK, or LINUX-TEST-FAIL with the whole console log and bt86's stderr.

usage: run_linux.py --bt86 BT86 --guest-dir DIR --work-dir DIR [--limit S] SCENARIO [ARG]
scenarios: default | shell | processes | memory MIB | storage | snapshot | panic | timeout | cdboot | fbcon | vesafb
           | determinism [SHIFT] | lockstep
(see docs/linux-tests.md)
"""
import argparse
import difflib
import hashlib
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "monitor"))
import guest_images as img  # noqa: E402
import linux_checks as chk  # noqa: E402
from guest_console import ConsoleError, GuestConsole  # noqa: E402
from png_reader import read_png  # noqa: E402  (tests/monitor)

RAW_DISK_SEED = 4
RAW_DISK_MIB = 8
WRITE_SECTOR = 1234  # where the guest writes its token on the raw disk
CONSOLE = "console=ttyS0"  # the kernel command line's console, the serial port


class Context:
    def __init__(self, args):
        self.args = args
        self.report = chk.Report()
        self.deadline = time.monotonic() + args.limit
        self.console = None
        os.makedirs(args.work_dir, exist_ok=True)

    def path(self, name):
        return os.path.join(self.args.work_dir, name)

    def guest_file(self, name):
        path = os.path.join(self.args.guest_dir, name)
        if not os.path.exists(path):
            raise ConsoleError(f"no {path}: run scripts/fetch_guest.sh --dir {self.args.guest_dir}")
        return path

    def start(self, mib, extra=(), append=CONSOLE, direct_kernel=True):
        """Starts bt86 on the default guest; bt86's own -timeout backs up our deadline. With
        direct_kernel=False, `extra` says what to boot (e.g. a CD through SeaBIOS)."""
        boot = []
        if direct_kernel:
            boot = ["-kernel", self.guest_file("vmlinuz"), "-initrd", self.guest_file("initrd.gz"),
                    "-append", append]
        cmd = [self.args.bt86, "-m", str(mib), *boot, "-nographic",
               "-timeout", str(int(self.args.limit) + 10), *extra]
        print("running:", " ".join(cmd), flush=True)
        self.console = GuestConsole(cmd, self.deadline)
        return self.console

    def boot(self, mib, extra=(), append=CONSOLE, direct_kernel=True):
        """Boots to the shell prompt; quiets kernel messages on the console from then on (dmesg
        keeps them), so that they do not mix with command output."""
        con = self.start(mib, extra, append, direct_kernel)
        con.wait_for(r"bt86-guest: ready", "guest /init's ready line")
        con.wait_prompt()
        self.report.check("boot.shell", True, f"shell prompt after {con.elapsed():.1f} s wall")
        con.check_output("dmesg -n 1")
        return con

    def expect_exit(self, name, want, limit=30, stderr_has=None):
        code = self.console.wait_exit(limit)
        self.report.check(name, code == want, f"bt86 exit code {code} (expected {want})")
        if stderr_has is not None:
            self.report.check(name + "_message", stderr_has in self.console.stderr,
                              f"stderr has {stderr_has!r}")
        return code


def scenario_default(ctx, _arg):
    """One boot, -m 256: shell, memory, clock, RTC, serial, keyboard, PCI, clean log, poweroff."""
    con = ctx.boot(256)
    dmesg = con.check_output("dmesg")
    chk.check_memory(con, ctx.report, 256)
    chk.check_clock(con, ctx.report)
    chk.check_tsc(con, ctx.report, dmesg)
    chk.check_rtc(con, ctx.report)
    chk.check_serial(con, ctx.report, dmesg)
    chk.check_keyboard(con, ctx.report, dmesg)
    chk.check_pci(con, ctx.report)
    chk.check_log_hygiene(ctx.report, "dmesg", dmesg)
    con.type("poweroff -f\n")
    ctx.expect_exit("exit.poweroff", 0)
    chk.check_log_hygiene(ctx.report, "console", con.log)
    chk.check_log_hygiene(ctx.report, "bt86_stderr", con.stderr)


def scenario_shell(ctx, _arg):
    """Boot to the shell, show the kernel's name, poweroff -f (scripts/setup.sh without a terminal)."""
    con = ctx.boot(256)
    out = con.check_output("uname -a")
    ctx.report.check("shell.uname", "Linux" in out and "i686" in out, out.strip())
    con.type("poweroff -f\n")
    ctx.expect_exit("exit.poweroff", 0)
    print("----- console log -----\n" + con.log)


def scenario_processes(ctx, _arg):
    """A shell loop that starts 2,000 processes (a subshell and /bin/sh in each round), each
    computing one term of a sum: new address spaces one after the other (fork, exec, exit, the
    translator's user views and their CR3 switches), and every result must be right."""
    con = ctx.boot(256)
    con.check_output("t() { A=$1 /bin/sh -c 'echo $((A * 3 + 1))'; }")
    out = con.check_output("i=0; s=0; while [ $i -lt 2000 ]; do s=$((s + $(t $i))); i=$((i+1)); done; echo $i $s",
                           limit=120)
    # sum over i < 2000 of 3i + 1 = 3 * 1999000 + 2000
    ctx.report.check("processes.sum", out.split() == ["2000", "5999000"], out.strip())
    con.type("poweroff -f\n")
    ctx.expect_exit("exit.poweroff", 0)


def scenario_traced(ctx, _arg):
    """The processes loop (500 rounds) with page-table write tracing (-shadow-trace): every result
    right, and the statistics show the traced writes, the user views coming back without
    revalidation and the kernel's page-table stores retranslated as callouts."""
    con = ctx.boot(256, extra=("-shadow-trace", "-stats"))
    con.check_output("t() { A=$1 /bin/sh -c 'echo $((A * 3 + 1))'; }")
    out = con.check_output("i=0; s=0; while [ $i -lt 500 ]; do s=$((s + $(t $i))); i=$((i+1)); done; echo $i $s",
                           limit=120)
    ctx.report.check("traced.sum", out.split() == ["500", "374750"], out.strip())  # 3 * 124750 + 500
    con.type("poweroff -f\n")
    ctx.expect_exit("exit.poweroff", 0)
    counts = {}
    for line in con.stderr.splitlines():
        m = re.match(r"\s*(page-table tracing: [^0-9]*?|callouts: page-table writer)\s+(\d+)$", line)
        if m:
            counts[m.group(1).strip()] = int(m.group(2))
    for key in ("page-table tracing: guest writes to them", "page-table tracing: user pages dropped by them",
                "page-table tracing: returns without revalidation", "callouts: page-table writer"):
        ctx.report.check("traced." + key.split(": ")[1].replace(" ", "_"), counts.get(key, 0) > 0,
                         f"{key}: {counts.get(key)}")


def scenario_memory(ctx, arg):
    """One boot with -m ARG: the RAM the kernel finds and MemTotal."""
    con = ctx.boot(int(arg))
    chk.check_memory(con, ctx.report, int(arg))
    con.type("poweroff -f\n")
    con.wait_exit(30)


def guest_md5(con, cmd):
    out = con.check_output(f"{cmd} | md5sum", limit=90)
    return out.split()[0] if out.split() else ""


def wait_block_devices(ctx, names):
    """sd and sr attach drives asynchronously: gives them up to 10 s after the prompt. The rest
    of a scenario needs them, so it ends here if they are missing."""
    present = " -a ".join(f"-e /sys/block/{n}" for n in names)
    found = ctx.console.check_output(f"for i in $(seq 100); do [ {present} ] && break; sleep 0.1; done; "
                                     "ls /sys/block").split()
    if not ctx.report.check("disk.found", found == names, f"/sys/block: {found} (expected {names})"):
        raise ConsoleError("the guest has not found the drives")


def disk_by_position(ctx, scsi_address):
    """The /dev name of the disk at a SCSI address (host:channel:target:lun; for PATA, target 0
    is the master and 1 the slave). sd numbers disks in the order their probes finish, which is
    not fixed, so the tests never assume sda/sdb."""
    out = ctx.console.check_output(
        "for b in /sys/block/sd*; do echo ${b##*/} $(basename $(readlink -f $b/device)); done")
    names = {addr: name for name, addr in (l.split() for l in out.splitlines() if len(l.split()) == 2)}
    if scsi_address not in names:
        raise ConsoleError(f"no disk at SCSI address {scsi_address}: {names}")
    return "/dev/" + names[scsi_address]


def write_token(con, device, token):
    """Writes token at WRITE_SECTOR of a block device, through to the drive."""
    con.check_output(f"[ -b {device} ] && echo -n {token} | dd of={device} bs=512 seek={WRITE_SECTOR} "
                     "conv=notrunc,fsync 2>/dev/null && sync")


def scenario_storage(ctx, _arg):
    """-m 512 with an ext4 disk (-hda), a raw disk (-hdb) and a CD (-cdrom): the guest reads all
    three and compares checksums; writes a file on ext4 and a token into a raw sector; the host
    then finds both in the image files."""
    r = ctx.report
    known = img.known_bytes(300 * 1024 + 123, seed=1)
    cd_file = img.known_bytes(700 * 1024 + 77, seed=2)
    ext4, raw, iso = ctx.path("disk.ext4"), ctx.path("disk.raw"), ctx.path("cd.iso")
    img.make_ext4_disk(ext4, 32, {"known.bin": known})
    raw_md5 = img.make_raw_disk(raw, RAW_DISK_MIB, RAW_DISK_SEED)
    img.make_iso(iso, {"known.bin": cd_file})
    with open(raw, "rb") as f:
        raw_before = f.read()

    con = ctx.boot(512, ["-hda", ext4, "-hdb", raw, "-cdrom", iso])
    chk.check_memory(con, r, 512)
    wait_block_devices(ctx, ["sda", "sdb", "sr0"])
    ext4_dev, raw_dev = disk_by_position(ctx, "0:0:0:0"), disk_by_position(ctx, "0:0:1:0")  # -hda, -hdb

    sectors = con.check_output(f"cat /sys/block/{raw_dev[5:]}/size").strip()
    r.check("disk.raw_size", sectors == str(RAW_DISK_MIB * 2048), f"/sys/block/{raw_dev[5:]}/size {sectors}")
    md5 = guest_md5(con, f"dd if={raw_dev} bs=64k 2>/dev/null")
    r.check("disk.raw_read", md5 == raw_md5, f"guest md5 of {raw_dev} {md5}, host {raw_md5}")

    con.check_output("mkdir -p /cdrom && mount -t iso9660 -o ro /dev/sr0 /cdrom")
    md5 = guest_md5(con, "cat /cdrom/known.bin")
    r.check("cdrom.file", md5 == img.md5(cd_file), f"guest md5 of /cdrom/known.bin {md5}, host {img.md5(cd_file)}")
    md5 = guest_md5(con, "dd if=/dev/sr0 bs=2048 2>/dev/null")
    iso_md5 = img.file_md5(iso)
    r.check("cdrom.raw_read", md5 == iso_md5, f"guest md5 of /dev/sr0 {md5}, host {iso_md5}")

    status, out = con.run(f"mount -t ext4 {ext4_dev} /mnt")
    r.check("disk.ext4_mount", status == 0, f"mount -t ext4 {ext4_dev} /mnt: status {status} {out.strip()}")
    md5 = guest_md5(con, "cat /mnt/known.bin")
    r.check("disk.ext4_read", md5 == img.md5(known), f"guest md5 of /mnt/known.bin {md5}, host {img.md5(known)}")
    con.check_output("cp /cdrom/known.bin /mnt/fromcd.bin && umount /mnt && umount /cdrom")

    token = f"bt86-linux-test-{os.getpid()}-{int(time.time())}"
    write_token(con, raw_dev, token)
    chk.check_ide(con, r, {d: "XFER_MW_DMA_2" for d in ("dev1.0", "dev1.1", "dev2.0")})
    con.type("poweroff -f\n")
    ctx.expect_exit("exit.poweroff", 0)

    chk.check_log_hygiene(r, "console", con.log)
    copied = img.ext4_read_file(ext4, "fromcd.bin")
    r.check("disk.ext4_write", copied == cd_file,
            f"host reads fromcd.bin from the ext4 image: {len(copied) if copied is not None else 'missing'} bytes, "
            f"md5 {img.md5(copied) if copied is not None else '-'} (CD file {img.md5(cd_file)})")
    off = WRITE_SECTOR * img.SECTOR
    expected = raw_before[:off] + token.encode() + raw_before[off + len(token):]
    after = open(raw, "rb").read()
    r.check("disk.raw_write", after == expected,
            f"raw image {'has' if after == expected else 'lacks'} exactly the guest's token at sector {WRITE_SECTOR}"
            f" (md5 {img.md5(after)}, expected {img.md5(expected)})")


def scenario_snapshot(ctx, _arg):
    """-snapshot -no-reboot, and libata.dma=0 so that the disk and the CD use PIO transfers: the
    guest reads the raw disk and the CD whole (checksums), writes a sector and reads it back
    (from the overlay); then reboot -f ends bt86 with 0 and the image file is unchanged."""
    r = ctx.report
    raw, iso = ctx.path("snapshot.raw"), ctx.path("cd.iso")
    raw_md5 = img.make_raw_disk(raw, RAW_DISK_MIB, RAW_DISK_SEED)
    img.make_iso(iso, {"known.bin": img.known_bytes(300 * 1024, seed=3)})
    con = ctx.boot(256, ["-hda", raw, "-cdrom", iso, "-snapshot", "-no-reboot"],
                   append=CONSOLE + " libata.dma=0")
    wait_block_devices(ctx, ["sda", "sr0"])
    md5 = guest_md5(con, "dd if=/dev/sda bs=64k 2>/dev/null")
    r.check("pio.disk_read", md5 == raw_md5, f"guest md5 of /dev/sda {md5}, host {raw_md5}")
    md5 = guest_md5(con, "dd if=/dev/sr0 bs=2048 2>/dev/null")
    r.check("pio.cdrom_read", md5 == img.file_md5(iso), f"guest md5 of /dev/sr0 {md5}, host {img.file_md5(iso)}")
    token = f"bt86-snapshot-{os.getpid()}"
    write_token(con, "/dev/sda", token)
    con.check_output("echo 3 > /proc/sys/vm/drop_caches")
    back = con.check_output(f"dd if=/dev/sda bs=512 skip={WRITE_SECTOR} count=1 2>/dev/null | head -c {len(token)}")
    r.check("snapshot.read_back", back == token, f"guest reads back {back!r} (wrote {token!r})")
    chk.check_ide(con, r, {"dev1.0": "XFER_PIO_4", "dev2.0": "XFER_PIO_4"})
    con.type("reboot -f\n")
    ctx.expect_exit("exit.reboot", 0, stderr_has="with -no-reboot: ending the run")
    md5 = img.file_md5(raw)
    r.check("snapshot.image_unchanged", md5 == raw_md5, f"image md5 {md5}, before {raw_md5}")


def scenario_panic(ctx, _arg):
    """A kernel panic (sysrq c) with panic=-1 -no-reboot: pvpanic ends bt86 with exit code 4."""
    con = ctx.boot(256, ["-no-reboot"], append=CONSOLE + " panic=-1")
    con.check_output("dmesg -n 7")
    con.type("echo c > /proc/sysrq-trigger\n")
    con.wait_for(r"Kernel panic - not syncing", "kernel panic message")
    ctx.report.check("panic.message", True, "Kernel panic - not syncing")
    ctx.expect_exit("exit.panic", 4, stderr_has="guest kernel panicked (pvpanic)")


def scenario_cdboot(ctx, _arg):
    """The same kernel and initramfs on an ISOLINUX CD, booted through SeaBIOS (no -kernel): the
    shell comes up, the kernel found SeaBIOS's e820 map and the ACPI tables SeaBIOS installed from
    fw_cfg, the initramfs sees the CD drive it booted from, and poweroff -f ends bt86 with 0."""
    r = ctx.report
    iso = ctx.path("linux.iso")
    make_cd = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "boot", "make_linux_cd.sh")
    subprocess.run([make_cd, iso, ctx.guest_file("vmlinuz"), ctx.guest_file("initrd.gz"), CONSOLE],
                   check=True)
    con = ctx.boot(256, ["-cdrom", iso, "-boot", "d"], direct_kernel=False)
    r.check("cdboot.isolinux", "ISOLINUX" in con.log, "ISOLINUX banner on the serial console")
    dmesg = con.check_output("dmesg")
    m = re.search(r"BIOS-e820: \[mem 0x0000000000100000-(0x[0-9a-f]+)\] usable", dmesg)
    r.check("cdboot.e820", bool(m), m.group(0) if m else "no BIOS-e820 usable range from 1 MiB")
    m = re.search(r"ACPI: RSDP 0x00000000000F[0-9A-F]{4} ", dmesg)
    r.check("cdboot.acpi_rsdp", bool(m), m.group(0) if m else "no ACPI RSDP in the BIOS area (0xF0000-0xFFFFF)")
    r.check("cdboot.acpi_s5", "ACPI: PM: (supports S0 S5)" in dmesg, "ACPI: PM: (supports S0 S5)")
    wait_block_devices(ctx, ["sr0"])
    chk.check_memory(con, r, 256)
    chk.check_log_hygiene(r, "dmesg", dmesg)
    con.type("poweroff -f\n")
    ctx.expect_exit("exit.poweroff", 0)


def png_size(path):
    """Width and height from a PNG file's IHDR chunk."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def scenario_fbcon(ctx, _arg):
    """"bt86.fbcon" makes /init load the bochs DRM driver (and its DRM dependencies): Linux finds
    the Bochs VBE adapter, switches its tty0 console to a 1024x768 framebuffer, and bt86's
    -screenshot-at-exit picture has that size; the shell stays on the serial console."""
    r = ctx.report
    shot = ctx.path("fbcon.png")
    if os.path.exists(shot):
        os.remove(shot)
    con = ctx.boot(256, ["-screenshot-at-exit", shot], append="console=tty0 " + CONSOLE + " bt86.fbcon")
    con.check_output("for i in $(seq 100); do [ -e /dev/fb0 ] && break; sleep 0.1; done")
    fb = con.check_output("cat /proc/fb").strip()
    r.check("fbcon.proc_fb", fb == "0 bochs-drmdrmfb", f"/proc/fb: {fb!r}")
    dmesg = con.check_output("dmesg")
    m = re.search(r"\[drm\] Found bochs VGA, ID 0xb0c\d", dmesg)
    r.check("fbcon.bochs_id", bool(m), m.group(0) if m else "no '[drm] Found bochs VGA' in dmesg")
    r.check("fbcon.console", "Console: switching to colour frame buffer device 128x48" in dmesg,
            "Console: switching to colour frame buffer device 128x48")
    chk.check_log_hygiene(r, "dmesg", dmesg)
    con.type("poweroff -f\n")
    ctx.expect_exit("exit.poweroff", 0)
    size = png_size(shot) if os.path.exists(shot) else None
    r.check("fbcon.screenshot", size == (1024, 768), f"{shot}: {size}")


VESAFB_MARKER = "bt86-vesafb-marker"
FONT_W, FONT_H = 8, 16  # fbcon's font at 1024x768 (VGA 8x16: 128x48 characters)


def check_marker_on_screen(r, shot):
    """The screenshot shows the guest's tty0 as it left it: the marker alone on the first text
    row of a cleared screen (the cursor and the kernel's last "Power down" line, both below it,
    may follow), and nothing drawn further down."""
    _w, _h, rows = read_png(shot)
    lit = [(x, y) for y, row in enumerate(rows) for x, p in enumerate(row) if p != (0, 0, 0)]
    first_row = [x for x, y in lit if y < FONT_H]
    right = max(first_row) + 1 if first_row else 0
    want = len(VESAFB_MARKER) * FONT_W
    r.check("vesafb.marker_drawn", want - FONT_W < right <= want,
            f"{len(lit)} lit pixels; first text row lit up to x={right} ({len(VESAFB_MARKER)} characters: "
            f"{want - FONT_W + 1}-{want})")
    below = [p for p in lit if p[1] >= 3 * FONT_H]
    r.check("vesafb.rest_blank", not below, f"{len(below)} lit pixels below the third text row")


def scenario_vesafb(ctx, _arg):
    """vga=0x317 on -kernel: bt86 sets the VESA mode itself (no BIOS runs) and fills screen_info,
    so Linux's built-in vesafb drives a 1024x768x16 framebuffer console on tty0; the shell stays on
    the serial console (the last console=). A marker written to a cleared tty0 is in bt86's exit
    screenshot, where fbcon draws it."""
    r = ctx.report
    shot = ctx.path("vesafb.png")
    if os.path.exists(shot):
        os.remove(shot)
    con = ctx.boot(256, ["-screenshot-at-exit", shot], append="console=tty0 " + CONSOLE + " vga=0x317")
    fb = con.check_output("cat /proc/fb").strip()
    r.check("vesafb.proc_fb", fb == "0 VESA VGA", f"/proc/fb: {fb!r}")
    dmesg = con.check_output("dmesg")
    for name, line in (("mode", "vesafb: mode is 1024x768x16, linelength=2048, pages=1"),
                       ("lfb_base", "vesafb: framebuffer at 0xfd000000,"),
                       ("console", "Console: switching to colour frame buffer device 128x48"),
                       ("fb0", "fb0: VESA VGA frame buffer device")):
        r.check("vesafb." + name, line in dmesg, line)
    chk.check_log_hygiene(r, "dmesg", dmesg)
    con.check_output(f"printf '\\033[H\\033[2J' > /dev/tty0; echo {VESAFB_MARKER} > /dev/tty0")
    con.type("poweroff -f\n")
    ctx.expect_exit("exit.poweroff", 0)
    chk.check_log_hygiene(r, "bt86_stderr", con.stderr)
    size = png_size(shot) if os.path.exists(shot) else None
    if r.check("vesafb.screenshot", size == (1024, 768), f"{shot}: {size}"):
        check_marker_on_screen(r, shot)


def scenario_timeout(ctx, _arg):
    """-timeout 5 on a guest that would run for longer: exit code 124 after about 5 s."""
    con = ctx.start(256, ["-timeout", "5"])
    code = ctx.expect_exit("exit.timeout", 124, limit=30, stderr_has="timeout")
    ctx.report.check("exit.timeout_wall", 5 <= con.elapsed() <= 8, f"ended after {con.elapsed():.1f} s wall")
    return code


DETERMINISM_RTC = "2006-06-17T16:01:21"
STATS_KEYS = ("guest instructions retired", "virtual nanoseconds", "final registers")


def run_untouched(cmd, limit, hog):
    """Runs bt86 to its end with stdin at EOF (nothing is ever typed), optionally while busy
    processes load every host core; returns (exit code, stdout bytes, stderr text, wall s)."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(os.cpu_count() or 2)] if hog else []
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=limit)
    except subprocess.TimeoutExpired:
        raise ConsoleError(f"bt86 still running after {limit:.0f} s: {' '.join(cmd)}")
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    return p.returncode, p.stdout, p.stderr.decode("latin-1"), time.monotonic() - t0


def stats_of(stderr):
    """The -stats lines that must match between two -icount runs."""
    found = {}
    for line in stderr.splitlines():
        for key in STATS_KEYS:
            if line.strip().startswith(key):
                found[key] = line.strip()[len(key):].strip()
    return found


def scenario_determinism(ctx, arg):
    """-icount: the same command line twice, the second time with every host core busy. The
    guest's /init (bt86.poweroff on the command line) reports its uptime, date and timer interrupt
    count after an idle second and powers off, so nothing is typed; the serial logs must be
    byte-identical and -stats must give the same instruction count, virtual time and final
    registers. ARG is the shift (default 2: 4 ns per instruction, about the interpreter's speed)."""
    r = ctx.report
    shift = arg or "2"
    cmd = [ctx.args.bt86, "-m", "256", "-kernel", ctx.guest_file("vmlinuz"), "-initrd", ctx.guest_file("initrd.gz"),
           "-append", CONSOLE + " bt86.poweroff", "-nographic", "-icount", f"shift={shift}",
           "-rtc", f"base={DETERMINISM_RTC}", "-stats", "-timeout", str(int(ctx.args.limit) + 10)]
    print("running twice (the second time with a CPU hog on every core):", " ".join(cmd), flush=True)
    runs = []
    for hog in (False, True):
        left = ctx.deadline - time.monotonic()
        code, out, err, wall = run_untouched(cmd, left, hog)
        log = out.decode("latin-1").replace("\r\n", "\n")
        digest = hashlib.sha256(out).hexdigest()
        stats = stats_of(err)
        name = "hog" if hog else "quiet"
        runs.append((out, stats))
        r.check(f"determinism.{name}.exit", code == 0, f"exit code {code} after {wall:.1f} s wall")
        r.check(f"determinism.{name}.powered_off", "bt86-guest: powering off" in log and "reboot: Power down" in log,
                "/init reported and powered off")
        m = re.search(r"bt86-guest: uptime ([\d.]+)", log)
        d = re.search(r"bt86-guest: date (\S+ \S+)", log)
        r.check(f"determinism.{name}.rtc", bool(d) and d.group(1).startswith(DETERMINISM_RTC[:10]),
                f"guest date {d.group(1) if d else '?'} (RTC base {DETERMINISM_RTC})")
        r.check(f"determinism.{name}.stats", all(k in stats for k in STATS_KEYS),
                f"serial log sha256 {digest} ({len(out)} bytes), "
                f"{stats.get(STATS_KEYS[0], '?')} instructions, {stats.get(STATS_KEYS[1], '?')} virtual ns, "
                f"guest uptime {m.group(1) if m else '?'} s")
        chk.check_log_hygiene(r, f"{name}_console", log)
        if code != 0 or not r.check(f"determinism.{name}.log", bool(m), "uptime line present"):
            print(f"----- {name} console log -----\n{log}\n----- {name} bt86 stderr -----\n{err}")
    (out_a, stats_a), (out_b, stats_b) = runs
    if not r.check("determinism.serial_log", out_a == out_b,
                   f"sha256 {hashlib.sha256(out_a).hexdigest()} vs {hashlib.sha256(out_b).hexdigest()}"):
        diff = difflib.unified_diff(out_a.decode("latin-1").splitlines(), out_b.decode("latin-1").splitlines(),
                                    "quiet", "hog", lineterm="", n=1)
        print("----- serial log diff -----\n" + "\n".join(list(diff)[:200]))
    for key in STATS_KEYS:
        r.check("determinism." + key.replace(" ", "_"), stats_a.get(key) == stats_b.get(key),
                f"{stats_a.get(key)} vs {stats_b.get(key)}")


def scenario_lockstep(ctx, _arg):
    """-lockstep over a whole Linux boot: the default guest boots under -icount with the
    interpreter checked block by block against a reference machine (the interpreter with one
    instruction per block); /init (bt86.poweroff) reports and powers off. Exit code 0, the
    guest's power-off line, and "0 divergences" in bt86's summary are required."""
    r = ctx.report
    cmd = [ctx.args.bt86, "-m", "256", "-kernel", ctx.guest_file("vmlinuz"), "-initrd", ctx.guest_file("initrd.gz"),
           "-append", CONSOLE + " bt86.poweroff", "-nographic", "-icount", "shift=2",
           "-rtc", f"base={DETERMINISM_RTC}", "-lockstep", "-stats", "-timeout", str(int(ctx.args.limit) + 10)]
    print("running:", " ".join(cmd), flush=True)
    code, out, err, wall = run_untouched(cmd, ctx.deadline - time.monotonic(), False)
    log = out.decode("latin-1").replace("\r\n", "\n")
    summary = [line for line in err.splitlines() if "bt86: lockstep:" in line]
    r.check("lockstep.exit", code == 0, f"exit code {code} after {wall:.1f} s wall")
    r.check("lockstep.powered_off", "bt86-guest: powering off" in log and "reboot: Power down" in log,
            "/init reported and powered off")
    r.check("lockstep.no_divergence", len(summary) == 1 and "0 divergences" in summary[0],
            summary[0] if summary else "no lockstep summary line")
    if code != 0 or not summary or "0 divergences" not in summary[0]:
        print(f"----- console log -----\n{log}\n----- bt86 stderr -----\n{err}")


SCENARIOS = {"determinism": scenario_determinism, "lockstep": scenario_lockstep, "default": scenario_default, "shell": scenario_shell, "processes": scenario_processes, "traced": scenario_traced, "memory": scenario_memory, "storage": scenario_storage,
             "snapshot": scenario_snapshot, "panic": scenario_panic, "timeout": scenario_timeout,
             "cdboot": scenario_cdboot, "fbcon": scenario_fbcon, "vesafb": scenario_vesafb}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bt86", required=True)
    p.add_argument("--guest-dir", required=True)
    p.add_argument("--work-dir", required=True)
    p.add_argument("--limit", type=float, default=150, help="overall wall seconds")
    p.add_argument("scenario", choices=sorted(SCENARIOS))
    p.add_argument("arg", nargs="?")
    args = p.parse_args()
    ctx = Context(args)
    error = None
    try:
        SCENARIOS[args.scenario](ctx, args.arg)
    except (ConsoleError, RuntimeError, OSError) as e:
        error = str(e)
    finally:
        if ctx.console:
            ctx.console.kill()
    total = time.monotonic() - (ctx.deadline - args.limit)
    if error is None and not ctx.report.failed:
        print(f"LINUX-TEST-OK: {args.scenario}: {ctx.report.count} checks passed in {total:.1f} s")
        return 0
    if ctx.console:
        print("----- console log -----")
        print(ctx.console.log)
        print("----- bt86 stderr -----")
        print(ctx.console.stderr)
    why = error or f"failed checks: {' '.join(ctx.report.failed)}"
    print(f"LINUX-TEST-FAIL: {args.scenario}: {why} (after {total:.1f} s; "
          f"{ctx.report.count - len(ctx.report.failed)} of {ctx.report.count} checks passed)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
