"""Checks run inside a booted Linux guest: each types commands at the guest's shell, reads what the
guest itself printed, compares it with what the host knows (RAM size, wall clock, UTC date,
devices given on the command line) and records the result in a Report.
"""
import datetime
import re
import time

# PCI functions of bt86's i440FX machine (vendor:device): host bridge 00:00.0, PIIX3 ISA bridge
# 00:01.0, PIIX3 IDE 00:01.1, PIIX4 power management (ACPI) 00:01.3, VGA 00:02.0. Keep in step
# with src/machine/machine.cpp.
EXPECTED_PCI = {"8086:1237", "8086:7000", "8086:7010", "8086:7113", "1234:1111"}

NOMINAL_TSC_MHZ = 1000.0  # VirtualClock::kTscHz

# Lines that must never appear in a healthy boot (kernel oopses, BUG()/WARN() reports, and bt86's
# "unimplemented" log for instructions it cannot run).
BAD_LOG_LINE = re.compile(r"Oops|\bBUG\b|Call Trace|unimplemented|WARNING:")


class Report:
    """Collects named check results and prints each as it is made."""

    def __init__(self):
        self.failed = []
        self.count = 0

    def check(self, name, ok, detail):
        self.count += 1
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
        if not ok:
            self.failed.append(name)
        return ok


def check_memory(con, report, mib):
    """-m MIB: the kernel's e820 total and MemTotal.

    The kernel's "Memory: A/BK available" line gives B = the RAM pages it found in the e820 map:
    MIB MiB less the legacy hole at 640 KiB-1 MiB (384 KiB) and page 0 (4 KiB), so B lies within
    1 MiB below the size. MemTotal (/proc/meminfo) is B less what the kernel keeps for itself
    for good (its code and data, about 15 MiB for Debian's 686 kernel, and the struct page array,
    32 bytes per 4 KiB page = 0.8 %), plus nothing else: the bounds are B - 32 MiB - 2 % of RAM
    (generous) and B.
    """
    dmesg = con.check_output("dmesg | grep 'Memory:'")
    m = re.search(r"Memory: (\d+)K/(\d+)K available", dmesg)
    kib = mib * 1024
    total = int(m.group(2)) if m else -1
    report.check(f"memory.e820_{mib}m", kib - 1024 <= total <= kib - 384,
                 f"kernel found {total} KiB of RAM (expected {kib - 1024}..{kib - 384} for -m {mib})")
    meminfo = con.check_output("grep MemTotal /proc/meminfo")
    m = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    memtotal = int(m.group(1)) if m else -1
    low = total - 32 * 1024 - kib // 50
    report.check(f"memory.memtotal_{mib}m", low <= memtotal <= total,
                 f"MemTotal {memtotal} kB (expected {low}..{total})")
    if mib > 1024:
        # The 686 kernel maps at most 896 MiB less its vmalloc area directly (3G/1G split): the
        # rest is high memory, and low + high make up MemTotal.
        m = re.search(r"HighTotal:\s+(\d+) kB.*LowTotal:\s+(\d+) kB", con.check_output("cat /proc/meminfo"), re.S)
        high, low_total = (int(m.group(1)), int(m.group(2))) if m else (-1, -1)
        report.check(f"memory.highmem_{mib}m",
                     high >= (mib - 896) * 1024 and high + low_total == memtotal,
                     f"HighTotal {high} kB + LowTotal {low_total} kB (MemTotal {memtotal} kB)")


def _guest_uptime(con):
    """(guest uptime in s, host monotonic time in the middle of the request)."""
    before = time.monotonic()
    out = con.check_output("cat /proc/uptime")
    after = time.monotonic()
    return float(out.split()[0]), (before + after) / 2


def check_clock(con, report):
    """Guest time against host wall time, 2 s ± 10 %, measured three ways: guest uptime across
    2 host seconds, the host's wall time for a guest `sleep 2`, busybox's `time sleep 2`."""
    up0, host0 = _guest_uptime(con)
    time.sleep(2)
    up1, host1 = _guest_uptime(con)
    ratio = (up1 - up0) / (host1 - host0)
    report.check("clock.uptime_rate", 0.9 <= ratio <= 1.1,
                 f"guest uptime advanced {up1 - up0:.3f} s in {host1 - host0:.3f} host s (ratio {ratio:.3f})")
    t0 = time.monotonic()
    out = con.check_output("time sleep 2 2>&1")
    wall = time.monotonic() - t0
    # The host's figure includes typing the command and reading the answer (a few ms).
    report.check("clock.sleep_wall", 1.8 <= wall <= 2.3, f"guest `sleep 2` took {wall:.3f} host s")
    m = re.search(r"real\s+(\d+)m\s*([\d.]+)s", out)
    real = int(m.group(1)) * 60 + float(m.group(2)) if m else -1
    report.check("clock.time_sleep", 1.8 <= real <= 2.2, f"busybox time: real {real} s")


def check_tsc(con, report, dmesg):
    """The kernel calibrates the TSC against the PIT: it must find our nominal 1000 MHz."""
    m = re.search(r"tsc: Detected ([\d.]+) MHz processor", dmesg)
    mhz = float(m.group(1)) if m else -1
    report.check("clock.tsc_vs_pit", abs(mhz - NOMINAL_TSC_MHZ) <= 0.005 * NOMINAL_TSC_MHZ,
                 f"tsc: Detected {mhz} MHz (nominal {NOMINAL_TSC_MHZ:.0f}, ±0.5 %)")
    out = con.check_output("grep 'cpu MHz' /proc/cpuinfo")
    m = re.search(r"cpu MHz\s*:\s*([\d.]+)", out)
    mhz = float(m.group(1)) if m else -1
    report.check("clock.cpuinfo_mhz", abs(mhz - NOMINAL_TSC_MHZ) <= 0.005 * NOMINAL_TSC_MHZ,
                 f"/proc/cpuinfo cpu MHz {mhz}")
    src = con.check_output("cat /sys/devices/system/clocksource/clocksource0/current_clocksource").strip()
    report.check("clock.clocksource", src == "tsc", f"current clocksource {src!r}")


def check_rtc(con, report):
    """The guest's date (set from the RTC at boot) and the RTC itself against the host's UTC."""
    host_dates = {datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")}
    guest_date = con.check_output("date -u +%Y-%m-%d").strip()
    host_dates.add(datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"))
    report.check("rtc.date", guest_date in host_dates, f"guest UTC date {guest_date}, host {sorted(host_dates)}")
    guest_now = int(con.check_output("date -u +%s"))
    # The RTC counts whole seconds: the guest clock set from it at boot may lag up to 1 s.
    report.check("rtc.system_clock", abs(guest_now - time.time()) <= 3,
                 f"guest clock {guest_now}, host {time.time():.1f}")
    rtc_now = int(con.check_output("cat /sys/class/rtc/rtc0/since_epoch"))
    report.check("rtc.hardware", abs(rtc_now - time.time()) <= 3,
                 f"rtc0 since_epoch {rtc_now}, host {time.time():.1f}")
    status, out = con.run("hwclock -r -u")
    year = str(datetime.datetime.now(datetime.timezone.utc).year)
    report.check("rtc.hwclock", status == 0 and year in out, f"hwclock -r -u: {out.strip()!r}")


def check_serial(con, report, dmesg):
    """COM1 detected as a 16550A at 0x3F8/IRQ 4, and it has carried data both ways."""
    report.check("serial.detected",
                 "ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A" in dmesg,
                 "dmesg: ttyS0 at I/O 0x3f8 (irq = 4) is a 16550A")
    out = con.check_output("cat /proc/tty/driver/serial")
    m = re.search(r"^0: uart:16550A port:000003F8 irq:4 tx:(\d+) rx:(\d+)", out, re.M)
    report.check("serial.driver", bool(m) and int(m.group(1)) > 0 and int(m.group(2)) > 0,
                 f"/proc/tty/driver/serial: {m.group(0) if m else out.strip()!r}")


def check_keyboard(con, report, dmesg):
    """The 8042's ports answer: atkbd registers the AT keyboard on serio0 and psmouse (a module
    in the initramfs) the IntelliMouse Explorer on serio1; /proc/bus/input/devices lists both.
    psmouse probes after /init loads it, so it may register a few seconds after the prompt: wait
    up to 10 s for it, then read dmesg again."""
    con.check_output("for i in $(seq 100); do grep -q 'Explorer Mouse' /proc/bus/input/devices && break; "
                     "sleep 0.1; done")
    dmesg = con.check_output("dmesg")
    m = re.search(r"input: AT Translated Set 2 keyboard as \S+serio0\S*", dmesg)
    report.check("keyboard.atkbd", bool(m), m.group(0) if m else "no 'input: AT Translated Set 2 keyboard' in dmesg")
    m = re.search(r"input: ImExPS/2 \S+ Explorer Mouse as \S+serio1\S*", dmesg)
    report.check("keyboard.psmouse", bool(m), m.group(0) if m else "no 'input: ImExPS/2 ... Explorer Mouse' in dmesg")
    devices = con.check_output("cat /proc/bus/input/devices")
    names = re.findall(r'^N: Name="([^"]*)"', devices, re.M)
    report.check("keyboard.input_devices", "AT Translated Set 2 keyboard" in names and
                 any("Explorer Mouse" in n for n in names), f"/proc/bus/input/devices names: {names}")


def check_pci(con, report):
    """The PCI functions Linux enumerates are exactly the machine's."""
    out = con.check_output("for d in /sys/bus/pci/devices/*; do echo ${d##*/} $(cat $d/vendor $d/device); done")
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            found[parts[0]] = f"{parts[1][2:]}:{parts[2][2:]}"
    ids = set(found.values())
    report.check("pci.devices", ids == EXPECTED_PCI,
                 f"found {sorted(found.items())}; expected ids {sorted(EXPECTED_PCI)}")


# libata and block-layer complaints: failed commands, error handling, resets, I/O errors.
IDE_ERROR_LINE = re.compile(r"ata\d.*(exception|failed|timeout|reset|error)|I/O error", re.I)


def check_ide(con, report, modes_wanted):
    """After the disk and CD work: each drive (libata's name in /sys/class/ata_device, e.g.
    dev1.0 = primary master) runs the transfer mode wanted (XFER_MW_DMA_2 is the fastest that
    PIIX3's ata_piix allows, so reads and writes went through bus-master DMA; XFER_PIO_4 with
    libata.dma=0), and libata logged no error, timeout or reset."""
    out = con.check_output("for d in /sys/class/ata_device/*; do echo ${d##*/} $(cat $d/xfer_mode); done")
    modes = dict(line.split() for line in out.splitlines() if len(line.split()) == 2)
    got = {d: modes.get(d) for d in modes_wanted}
    report.check("ide.modes", got == modes_wanted, f"transfer modes {got}")
    bad = [line for line in con.check_output("dmesg").splitlines() if IDE_ERROR_LINE.search(line)]
    report.check("ide.no_errors", not bad, "no libata errors" if not bad else "\n  " + "\n  ".join(bad[:20]))


def check_log_hygiene(report, name, text):
    bad = [line for line in text.splitlines() if BAD_LOG_LINE.search(line)]
    report.check(f"log.{name}", not bad, "clean" if not bad else "bad lines:\n  " + "\n  ".join(bad[:20]))
