#!/usr/bin/env python3
"""Guest workloads in the default Linux guest, timed by the host: bt86 vs qemu-system-i386 TCG vs native.

Both emulators boot the same kernel and initramfs (-m 256, console=ttyS0,115200, -nographic; bt86
also with -stats). The console runs at 115200 baud (the kernel's default is 9600, where a
receiver holding less than its FIFO trigger level interrupts only after four character times,
4 ms), and the console driver answers ash's cursor position query as a terminal does
(tests/linux/guest_console.py); unanswered, ash sleeps 20 ms after every line. At the shell
prompt the script defines one shell function per workload, generates a data file in the guest's
/tmp (awk, not timed) and prints its sha256, then types, per workload and
run, `w_NAME; echo BENCH-$((N))-$?-DONE` and takes the host's wall time from sending the line to
the marker BENCH-N-STATUS-DONE in the output (the shell's echo of the line shows the unexpanded
$((N)), so it never matches). Nothing is subtracted; the `true` row is that round trip for an
empty command (typing, echo, the shell, the console). Native runs the very same static i386
busybox on the host: `busybox sh -c BODY` with PATH holding only busybox applet links, data in
/dev/shm, timed from process start to exit.

Workloads (sizes are options):
  gzip       gzip -c DATA >/dev/null              (checked: md5 of the gzip output, untimed)
  sha256     sha256sum <DATA, --hash-passes times (prints the data's hash: checked)
  md5        md5sum <DATA, --hash-passes times
  sort       /bin/busybox sort DATA >/dev/null     (exec'd; checked: md5 of the sorted output, untimed)
  awk-int    awk loop of integer-valued arithmetic (an interpreter: tree-walking awk)
  sh-arith   the shell's own $((...)) while loop (an interpreter: ash)
  awk-float  awk Mandelbrot (x87 floating point; this busybox awk has no sqrt/sin/exp)
  fork-exec  a shell loop running /bin/true N times (fork + exec of busybox)
Every printed result is compared between engines (native is the reference); mismatches are
flagged in the table. A workload that does not finish within --timeout is reported with the
console tail, interrupted with Ctrl-C, and the run goes on (or stops, if the shell is gone).

Writes OUT/workloads.md (table), .json (raw times and outputs), .png (times / native, log scale),
workloads-bt86-stats.txt (bt86's -stats, whole session incl. boot) and workloads-ENGINE.log (the
serial console of each emulator run).

Usage: workloads.py [--bt86 build/bt86] [--engine translator|interpreter] [--qemu PATH]
                    [--kernel K] [--initrd I] [--busybox B] [-m 256] [--runs 1] [--pick best]
                    [--only gzip,sort] [--no-qemu] [--no-native] [--rounds 1] [--out-dir bench/results]
"""
import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "linux"))
sys.path.insert(0, HERE)
from guest_console import ConsoleError, GuestConsole  # noqa: E402
import pngchart  # noqa: E402

# Data: LINES lines like "75628535 eltaepsi line-1 1c5983f7" from a 32-bit LCG (exact in doubles).
GENERATE = ("awk 'BEGIN{x=1; for(i=0;i<@LINES@;i++){x=(x*69069+1)%4294967296; "
            "printf \"%08d %s line-%d %x\\n\", x%100000000, "
            "substr(\"alphabetagammadeltaepsilonzetaetatheta\", x%30+1, 8), i, x}}' >@DATA@")
# name -> (timed body, untimed check body or None); @X@ are filled in from the options.
WORKLOADS = {
    "true": ("true", None),
    "gzip": ("gzip -c @DATA@ >/dev/null", "gzip -c @DATA@ | md5sum"),
    "sha256": ("for k in @PASSES@; do sha256sum <@DATA@; done", None),
    "md5": ("for k in @PASSES@; do md5sum <@DATA@; done", None),
    # sort as a program of its own (exec): an applet the guest's interactive shell only forks
    # inherits the shell's stdout set up for the console, a terminal, and so line-buffered, and
    # writes each of the 100,000 lines with its own write() (natively, under `sh -c` without a
    # terminal, 924 writes).
    "sort": ("@BIN@/busybox sort @DATA@ >/dev/null", "sort @DATA@ | md5sum"),
    "awk-int": ("awk 'BEGIN{s=0; for(i=0;i<@AWK_ITERS@;i++){s=(s*31+i)%1000003; "
                "if(i%7==3)s+=i%13}; print s}'", None),
    "sh-arith": ("i=0; s=0; while [ $i -lt @SH_ITERS@ ]; do s=$(((s*31+i)%1000003)); "
                 "i=$((i+1)); done; echo $s", None),
    "awk-float": ("awk 'BEGIN{n=0; m=0; for(y=0;y<@GRID@;y++) for(x=0;x<@GRID@;x++){"
                  "cr=x*3.0/@GRID@-2; ci=y*2.4/@GRID@-1.2; zr=0; zi=0; "
                  "for(k=0;k<64 && zr*zr+zi*zi<4;k++){t=zr*zr-zi*zi+cr; zi=2*zr*zi+ci; zr=t}; "
                  "n+=k; m+=zr*zi}; printf \"%d %.9e\\n\", n, m}'", None),
    "fork-exec": ("i=0; while [ $i -lt @PROCS@ ]; do @BIN@/true; i=$((i+1)); done; echo $i", None),
}
COLORS = {"bt86": (214, 96, 40), "qemu": (60, 110, 200), "native": (90, 160, 80)}


def fill(body, values):
    for key, value in values.items():
        body = body.replace("@%s@" % key, str(value))
    return body


def run_emulator(name, cmd, bodies, args, log_path, stats_path=None):
    """Boots cmd, runs every workload args.runs times; returns {workload: result dict}."""
    results = {w: {"times": [], "outputs": [], "check": None, "error": None} for w in bodies}
    con = GuestConsole(cmd, deadline=time.monotonic() + 1e9)
    seq = [0]

    def send(line, limit):
        """Types `line; echo marker`; returns (seconds to the marker, exit status, output).
        The output is read after the line's echo, so it is only right for lines that do not wrap
        (prompt + line under 80 columns): the workloads are typed as short function calls."""
        seq[0] += 1
        n = seq[0]
        con.wait_for(r"\Z", "")  # consume everything so far: the marker must come after the send
        t0 = time.monotonic()
        con.type("%s; echo BENCH-$((%d))-$?-DONE\n" % (line, n))
        m = con.wait_for(r"BENCH-%d-(\d+)-DONE\n" % n, "the end of %r" % line, limit)
        seconds = time.monotonic() - t0
        text = con.log
        start = text.rfind("BENCH-$((%d))" % n, 0, m.start())
        output = text[text.find("\n", start) + 1 if start >= 0 else m.start():m.start()]
        con.wait_prompt(30)
        output = re.sub(r"(?m)^\[ *\d+\.\d+\] .*\n?", "", output)  # kernel messages anyway
        return seconds, int(m.group(1)), output.strip()

    alive = True
    try:
        con.wait_prompt(args.boot_timeout)
        send("dmesg -n 1", 30)  # no kernel messages on the console in the middle of outputs
        print("  %s: prompt after %.1f s" % (name, con.elapsed()), flush=True)
        for w, (body, check) in bodies.items():
            send("w_%s() { %s; }" % (w.replace("-", "_"), body), 30)
            if check:
                send("c_%s() { %s; }" % (w.replace("-", "_"), check), 30)
        s, _, _ = send(GENERATE.replace("@DATA@", "/tmp/bench.txt"), args.boot_timeout)
        send("c_data() { sha256sum </tmp/bench.txt; wc -c </tmp/bench.txt; }", 30)
        _, _, data_sum = send("c_data", args.boot_timeout)
        print("  %s: data generated in %.1f s: %s" % (name, s, " ".join(data_sum.split())), flush=True)
        results["_data"] = data_sum
        for run in range(args.runs):
            for w in bodies:
                r = results[w]
                if r["error"] or not alive:
                    continue
                try:
                    s, status, out = send("w_" + w.replace("-", "_"), args.timeout)
                    r["times"].append(s)
                    r["outputs"].append(out)
                    if status:
                        r["error"] = "exit status %d: %s" % (status, out[-300:])
                    print("  %s run %d %-9s %8.3f s  %s" % (name, run + 1, w, s, out.split("\n")[0][:70]), flush=True)
                    if bodies[w][1] and r["check"] is None and not args.no_check:
                        r["check"] = send("c_" + w.replace("-", "_"), args.timeout)[2]
                except ConsoleError as e:
                    r["error"] = "`w_%s` (%s): %s; console tail:\n%s" % (
                        w.replace("-", "_"), bodies[w][0], e, con.log[-600:])
                    print("  %s %s FAILED: %s" % (name, w, r["error"]), flush=True)
                    if con.proc.poll() is not None:
                        alive = False
                        continue
                    con.type("\x03")  # Ctrl-C, then the shell must come back
                    try:
                        con.wait_prompt(20)
                    except ConsoleError:
                        alive = False
        if alive:
            con.type("poweroff -f\n")
            con.wait_exit(60)
    except ConsoleError as e:
        alive = False
        results["_error"] = "%s; console tail:\n%s" % (e, con.log[-600:])
        print("  %s FAILED: %s" % (name, results["_error"]), flush=True)
    finally:
        con.kill()
        with open(log_path, "w") as f:
            f.write(con.log)
        if stats_path:
            with open(stats_path, "w") as f:
                f.write(con.stderr)
    if not alive:
        for r in results.values():
            if isinstance(r, dict) and not r["times"] and not r["error"]:
                r["error"] = "not run: an earlier failure (see above) ended the session"
    return results


def merge(results, engine, got):
    """Adds one round's results of `engine` to `results` (times and outputs appended; the first
    check, data sum and error kept)."""
    have = results.setdefault(engine, got)
    if have is got:
        return
    for w, r in got.items():
        if not isinstance(r, dict) or w not in have or not isinstance(have[w], dict):
            have.setdefault(w, r)
            continue
        have[w]["times"] += r["times"]
        have[w]["outputs"] += r["outputs"]
        for k in ("check", "error"):
            if have[w].get(k) is None:
                have[w][k] = r.get(k)


def run_native(bodies, args):
    results = {w: {"times": [], "outputs": [], "check": None, "error": None} for w in bodies}
    tmp = tempfile.mkdtemp(prefix="bt86-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        bb = os.path.abspath(args.busybox)
        applets = subprocess.run([bb, "--list"], capture_output=True, text=True, check=True).stdout
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        for applet in applets.split():
            os.symlink(bb, os.path.join(bindir, applet))
        env = {"PATH": bindir, "LC_ALL": "C", "HOME": tmp}
        data = os.path.join(tmp, "bench.txt")

        def sh(body, limit=args.timeout):
            body = body.replace("@DATA@", data).replace("@BIN@", bindir)
            t0 = time.monotonic()
            try:
                p = subprocess.run([bb, "sh", "-c", body], env=env, cwd=tmp, capture_output=True,
                                   text=True, timeout=limit)
            except subprocess.TimeoutExpired:
                return None, -1, "timed out after %g s" % limit
            return time.monotonic() - t0, p.returncode, (p.stdout + p.stderr).strip()

        sh(GENERATE, args.boot_timeout)
        results["_data"] = sh("sha256sum <@DATA@; wc -c <@DATA@", args.boot_timeout)[2]
        print("  native: data %s" % " ".join(results["_data"].split()), flush=True)
        for run in range(args.runs):
            for w, (body, check) in bodies.items():
                r = results[w]
                if r["error"]:
                    continue
                s, status, out = sh(body)
                if status:
                    r["error"] = "exit status %d: %s" % (status, out[-300:])
                    continue
                r["times"].append(s)
                r["outputs"].append(out)
                print("  native run %d %-9s %8.3f s  %s" % (run + 1, w, s, out.split("\n")[0][:70]), flush=True)
                if check and r["check"] is None and not args.no_check:
                    r["check"] = sh(check)[2]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def pick(times, how):
    if not times:
        return None
    return min(times) if how == "best" else statistics.median(times)


def geomean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def report(all_results, names, args):
    """Returns the markdown text; fills in the picked seconds and mismatches."""
    cols = [e for e in ("bt86", "qemu", "native") if e in all_results]
    label = {"bt86": "bt86 (%s)" % args.engine, "qemu": "QEMU TCG", "native": "native"}
    sec = {e: {w: pick(all_results[e][w]["times"], args.pick) for w in names} for e in cols}
    ref = "native" if "native" in cols else cols[0]
    notes, mismatch = [], set()
    for e in cols:
        if all_results[e].get("_error"):
            notes.append("%s: %s" % (label[e], all_results[e]["_error"]))
        if all_results[e].get("_data") != all_results[ref].get("_data"):
            mismatch.add("data")
            notes.append("data file differs: %s %r vs %s %r" % (e, all_results[e].get("_data"),
                                                                 ref, all_results[ref].get("_data")))
        for w in names:
            r, rr = all_results[e][w], all_results[ref][w]
            if r["error"]:
                notes.append("%s %s: %s" % (label[e], w, r["error"]))
            got = set(r["outputs"]) | ({r["check"]} if r["check"] else set())
            want = set(rr["outputs"]) | ({rr["check"]} if rr["check"] else set())
            if r["outputs"] and rr["outputs"] and got != want:
                mismatch.add(w)
                notes.append("output mismatch in %s: %s %r vs %s %r" % (w, label[e], sorted(got),
                                                                        ref, sorted(want)))
    fmt = lambda v, f="%.3f": "-" if v is None else f % v
    head = ["workload"] + ["%s s" % label[e] for e in cols]
    if "qemu" in cols and "bt86" in cols:
        head.append("bt86 speed-up vs QEMU")
    if "native" in cols and "bt86" in cols:
        head.append("bt86 slowdown vs native")
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    speedups, slowdowns = [], []
    for w in names:
        row = [w + (" (round trip)" if w == "true" else "") + (" **MISMATCH**" if w in mismatch else "")]
        row += [fmt(sec[e][w]) + (" FAILED" if all_results[e][w]["error"] else "") for e in cols]
        b, q, n = (sec.get(e, {}).get(w) for e in ("bt86", "qemu", "native"))
        if "qemu" in cols and "bt86" in cols:
            row.append(fmt(q / b if q and b else None, "%.2fx"))
            if w != "true" and q and b:
                speedups.append(q / b)
        if "native" in cols and "bt86" in cols:
            row.append(fmt(b / n if b and n else None, "%.1fx"))
            if w != "true" and b and n:
                slowdowns.append(b / n)
        lines.append("| " + " | ".join(row) + " |")
    if speedups or slowdowns:
        row = ["**geometric mean** (without `true`)"] + [""] * len(cols)
        if "qemu" in cols and "bt86" in cols:
            row.append(fmt(geomean(speedups), "**%.2fx**"))
        if "native" in cols and "bt86" in cols:
            row.append(fmt(geomean(slowdowns), "**%.1fx**"))
        lines.append("| " + " | ".join(row) + " |")
    sizes = ("data %d lines, hash passes %d, awk-int %d, sh-arith %d, awk-float grid %d, "
             "fork-exec %d" % (args.lines, args.hash_passes, args.awk_iters, args.sh_iters,
                               args.grid, args.procs))
    text = ["# Guest workloads: bt86 vs QEMU TCG vs native", "",
            "Generated by `bench/linux/workloads.py` on %s; %s of %d run(s)%s; %s." % (
                time.strftime("%Y-%m-%d %H:%M"), args.pick, args.runs * args.rounds,
                " (%d rounds alternating the engines, %d runs each)" % (args.rounds, args.runs)
                if args.rounds > 1 else "", sizes),
            "bt86: %s. QEMU: %s. Host load average %s at the start, %s at the end." % (
                args.bt86_version, args.qemu_version, args.load[0], args.load[1]),
            "Seconds are host wall time from typing the line to the marker; `true` is the console "
            "round trip (native: starting `busybox sh -c true`). Nothing is subtracted.", ""]
    if notes:
        text += lines + ["", "Notes:", ""] + ["- " + n.replace("\n", "\n  ") for n in notes] + [""]
    else:
        text += lines + ["", "All printed results match between engines (%s is the reference)."
                         % label[ref] if len(cols) > 1 else "Only one engine ran: nothing compared."]
    return "\n".join(text) + "\n", sec, cols, label


def describe_bt86(path):
    """The binary's build time and the commit its source tree is at now (+ changes if modified)."""
    git = lambda *a: subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(path))] + list(a),
                                    capture_output=True, text=True).stdout.strip()
    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except OSError:
        commit, dirty = "", ""
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(path)))
    return "%s, built %s; its source tree is at %s%s" % (path, built, commit or "?",
                                                          " + changes" if dirty else "")


def first_line(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.split("\n")[0].strip()
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = lambda *p: os.path.join(ROOT, *p)
    ap.add_argument("--bt86", default=g("build", "bt86"))
    ap.add_argument("--engine", default="translator", help="bt86's -engine (translator|interpreter)")
    ap.add_argument("--qemu", default=shutil.which("qemu-system-i386") or "qemu-system-i386")
    ap.add_argument("--kernel", default=g("build", "guest", "vmlinuz"))
    ap.add_argument("--initrd", default=g("build", "guest", "initrd.gz"))
    ap.add_argument("--busybox", default=g("build", "guest", "root", "bin", "busybox"))
    ap.add_argument("-m", dest="mem", default="256")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--pick", choices=("best", "median"), default="best")
    ap.add_argument("--only", help="comma-separated workloads (%s)" % ",".join(WORKLOADS))
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--no-native", action="store_true")
    ap.add_argument("--no-bt86", action="store_true")
    ap.add_argument("--no-check", action="store_true", help="skip the untimed output checks")
    ap.add_argument("--out-dir", default=g("bench", "results"))
    ap.add_argument("--timeout", type=float, default=300, help="seconds per workload command")
    ap.add_argument("--boot-timeout", type=float, default=300,
                    help="seconds to the prompt, and for generating the data")
    ap.add_argument("--lines", type=int, default=100000, help="data file lines (~38 bytes each)")
    ap.add_argument("--awk-iters", type=int, default=40000)
    ap.add_argument("--sh-iters", type=int, default=20000)
    ap.add_argument("--grid", type=int, default=36, help="awk-float: GRID x GRID points")
    ap.add_argument("--procs", type=int, default=500, help="fork-exec: processes")
    ap.add_argument("--rounds", type=int, default=1,
                    help="boot each emulator this many times, alternating (each round runs every "
                         "workload --runs times); the pick is over all runs")
    ap.add_argument("--hash-passes", type=int, default=6, help="sha256, md5: passes over the data")
    args = ap.parse_args()

    names = list(WORKLOADS)
    if args.only:
        names = ["true"] + [w for w in args.only.split(",") if w != "true"]
        for w in names:
            if w not in WORKLOADS:
                sys.exit("workloads: unknown workload %r (have %s)" % (w, ", ".join(WORKLOADS)))
    sizes = {"LINES": args.lines, "AWK_ITERS": args.awk_iters, "SH_ITERS": args.sh_iters,
             "GRID": args.grid, "PROCS": args.procs,
             "PASSES": " ".join(str(k) for k in range(1, args.hash_passes + 1))}
    global GENERATE
    GENERATE = fill(GENERATE, sizes)
    guest = {w: tuple(fill(b, dict(sizes, DATA="/tmp/bench.txt", BIN="/bin")) if b else None
                      for b in WORKLOADS[w]) for w in names}
    native = {w: tuple(fill(b, sizes) if b else None for b in WORKLOADS[w]) for w in names}
    for path in (args.kernel, args.initrd, args.busybox) + (() if args.no_bt86 else (args.bt86,)):
        if not os.path.exists(path):
            sys.exit("workloads: %s not found (build bt86 and run scripts/fetch_guest.sh)" % path)
    os.makedirs(args.out_dir, exist_ok=True)
    args.bt86_version = "-" if args.no_bt86 else describe_bt86(args.bt86)
    args.qemu_version = "-" if args.no_qemu else first_line([args.qemu, "--version"])
    load = ["%.1f" % os.getloadavg()[0]]
    out = lambda name: os.path.join(args.out_dir, name)
    common = ["-m", args.mem, "-kernel", args.kernel, "-initrd", args.initrd,
              "-append", "console=ttyS0,115200", "-nographic"]
    results = {}
    if not args.no_qemu and not shutil.which(args.qemu):
        print("workloads: %s not found, skipping QEMU" % args.qemu, file=sys.stderr)
        args.no_qemu = True
    # Rounds alternate the engines (bt86, QEMU, native, bt86, ...): on a host whose speed drifts
    # from minute to minute each engine's best run then comes from the same stretches of time.
    for rnd in range(args.rounds):
        tag = " (round %d of %d)" % (rnd + 1, args.rounds) if args.rounds > 1 else ""
        if not args.no_bt86:
            print("bt86 (%s)%s:" % (args.engine, tag), flush=True)
            merge(results, "bt86", run_emulator("bt86", [args.bt86, "-engine", args.engine, "-stats"] + common,
                                                guest, args, out("workloads-bt86.log"),
                                                out("workloads-bt86-stats.txt")))
        if not args.no_qemu:
            print("qemu%s:" % tag, flush=True)
            merge(results, "qemu", run_emulator("qemu", [args.qemu, "-accel", "tcg", "-no-reboot",
                                                         "-monitor", "none"] + common,
                                                guest, args, out("workloads-qemu.log")))
        if not args.no_native:
            print("native%s:" % tag, flush=True)
            merge(results, "native", run_native(native, args))
    if not results:
        sys.exit("workloads: nothing to run")
    args.load = load + ["%.1f" % os.getloadavg()[0]]

    text, sec, cols, label = report(results, names, args)
    print("\n" + text)
    with open(out("workloads.md"), "w") as f:
        f.write(text)
    with open(out("workloads.json"), "w") as f:
        json.dump({"args": vars(args), "commands": {w: guest[w] for w in names},
                   "generate": GENERATE, "seconds": sec, "results": results}, f, indent=1)
    if "native" in cols:
        plotted = [w for w in names if w != "true"]
        values = [[sec[e][w] / sec["native"][w] if sec[e][w] and sec["native"][w] else None
                   for e in cols] for w in plotted]
        pngchart.bar_chart(out("workloads.png"), "Guest workloads: wall time / native (log scale)",
                           plotted, [(label[e], COLORS[e]) for e in cols], values)
    print("wrote %s/workloads.{md,json%s}" % (args.out_dir, ",png" if "native" in cols else ""))


if __name__ == "__main__":
    main()
