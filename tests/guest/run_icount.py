#!/usr/bin/env python3
"""-icount determinism test (ctest guest.icount_determinism): runs icount_clock.bin, a guest that
prints every time-dependent reading a PC offers (TSC, RTC, PIT latches, the RTC's periodic flag,
IRQ0s awaited with HLT, busy spins between IRQ0s), several times under bt86:

  A  -icount shift=3,sleep=off -rtc base=2006-06-17T16:01:21
  B  the same while busy processes keep every host core loaded
  C  the same with sleep=on (the host waits out the idle time; the guest must not notice)
  D  -icount shift=0,sleep=off: one instruction per ns
  E, F  host time (no -icount), twice

and checks that A, B and C print byte-identical output and end with the same instruction count,
virtual time and final registers (bt86 -stats), that the readings are the ones -icount defines
(two instructions apart the TSC differs by 2 << shift; the RTC starts at the -rtc date), and that
with host time two runs do differ (the determinism is -icount's doing). Prints ICOUNT-TEST-OK or
ICOUNT-TEST-FAIL with the outputs.

usage: run_icount.py BT86 ICOUNT_CLOCK_BIN
"""
import hashlib
import os
import subprocess
import sys
import time

BASE = ["-m", "32", "-nographic", "-no-reboot", "-timeout", "30", "-stats"]
RTC = ["-rtc", "base=2006-06-17T16:01:21"]
STATS_KEYS = ("guest instructions retired", "virtual nanoseconds", "final registers")


class Run:
    def __init__(self, bt86, image, extra, hog=False):
        self.cmd = [bt86, "-bios", image, *BASE, *extra]
        hogs = []
        if hog:
            for _ in range(os.cpu_count() or 2):
                hogs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
            time.sleep(0.2)  # let them take the cores
        t0 = time.monotonic()
        try:
            p = subprocess.run(self.cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        finally:
            for h in hogs:
                h.kill()
                h.wait()
        self.wall = time.monotonic() - t0
        self.code = p.returncode
        self.out = p.stdout
        self.err = p.stderr.decode("latin-1")
        self.stats = {}
        for line in self.err.splitlines():
            for key in STATS_KEYS:
                if line.strip().startswith(key):
                    self.stats[key] = line.strip()[len(key):].strip()
        self.values = {}
        for line in self.out.decode("latin-1").splitlines():
            label, _, value = line.rpartition(" ")
            if label and len(value) == 8:
                self.values.setdefault(label, value)

    def describe(self, name):
        return (f"{name}: exit {self.code}, {self.wall:.2f} s wall, output md5 "
                f"{hashlib.md5(self.out).hexdigest()}, {self.stats.get(STATS_KEYS[0], '?')} instructions, "
                f"{self.stats.get(STATS_KEYS[1], '?')} virtual ns")


def main():
    bt86, image = sys.argv[1], sys.argv[2]
    ok = True

    def check(name, cond, detail=""):
        nonlocal ok
        print(f"{'ok' if cond else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
        ok = ok and cond

    icount = ["-icount", "shift=3,sleep=off", *RTC]
    runs = {
        "A": Run(bt86, image, icount),
        "B": Run(bt86, image, icount, hog=True),
        "C": Run(bt86, image, ["-icount", "shift=3,sleep=on", *RTC]),
        "D": Run(bt86, image, ["-icount", "shift=0,sleep=off", *RTC]),
        "E": Run(bt86, image, []),
        "F": Run(bt86, image, []),
    }
    for name, r in runs.items():
        print(r.describe(name) + "   " + " ".join(r.cmd[3:]), flush=True)
        check(f"run {name} passes", r.code == 0 and b"PASS icount_clock\n" in r.out,
              f"exit code {r.code}")
        check(f"run {name} stats", all(k in r.stats for k in STATS_KEYS))

    a = runs["A"]
    for name in ("B", "C"):
        r = runs[name]
        check(f"A and {name}: identical output", r.out == a.out,
              f"{len(a.out)} bytes, md5 {hashlib.md5(a.out).hexdigest()}")
        for key in STATS_KEYS:
            check(f"A and {name}: same {key}", r.stats.get(key) == a.stats.get(key), a.stats.get(key, "?"))

    v = a.values
    check("shift=3: TSC 2 instructions apart differs by 16",
          v.get("tsc delta over 2 instructions") == "00000010", v.get("tsc delta over 2 instructions", "?"))
    check("shift=0: TSC 2 instructions apart differs by 2",
          runs["D"].values.get("tsc delta over 2 instructions") == "00000002",
          runs["D"].values.get("tsc delta over 2 instructions", "?"))
    rtc = [v.get(f"rtc {k}", "?")[-2:] for k in ("century", "year", "month", "day", "hours", "minutes", "seconds")]
    check("RTC reads the -rtc base date", rtc == ["20", "06", "06", "17", "16", "01", "21"], " ".join(rtc))
    vns = int(a.stats.get("virtual nanoseconds", "0"))
    insns = int(a.stats.get("guest instructions retired", "0"))
    check("HLT time was skipped forward (virtual ns > instructions << 3)", vns > insns << 3,
          f"{vns} ns, {insns} instructions")

    e, f = runs["E"], runs["F"]
    check("host time: two runs read different times", e.out != f.out,
          f"spins between two irq0s {e.values.get('spins between two irq0s')} vs "
          f"{f.values.get('spins between two irq0s')}")

    if ok:
        print("ICOUNT-TEST-OK")
        return 0
    for name, r in runs.items():
        print(f"----- run {name} stdout -----\n{r.out.decode('latin-1')}----- run {name} stderr -----\n{r.err}")
    print("ICOUNT-TEST-FAIL")
    return 1


if __name__ == "__main__":
    sys.exit(main())
