#!/usr/bin/env python3
"""Both engines, one guest program, under -icount (ctest guest.engines_agree.*): the translator
in its normal mode (chaining, callouts that go on, exceptions delivered in place — none of which
lockstep's one-block runs exercise) and the interpreter must end with the same instruction count,
virtual time and final registers (bt86 -stats), and the translator run must have delivered at
least one guest exception without leaving translated code (the path this test is for). Prints
ENGINES-AGREE-OK or ENGINES-AGREE-FAIL with both statistics.

usage: run_engines_agree.py BT86 IMAGE "PASS line"
"""
import subprocess
import sys

KEYS = ("guest instructions retired", "virtual nanoseconds", "final registers")


def run(bt86, image, engine):
    cmd = [bt86, "-engine", engine, "-icount", "shift=0,sleep=off", "-bios", image, "-m", "32",
           "-nographic", "-no-reboot", "-timeout", "30", "-stats"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    stats = {}
    for line in p.stderr.splitlines():
        for k in KEYS + ("exceptions delivered without leaving",):
            if line.strip().startswith(k):
                stats[k] = line.strip()[len(k):].strip()
    return p.stdout + p.stderr, stats


def main():
    bt86, image, line = sys.argv[1:4]
    out_t, st_t = run(bt86, image, "translator")
    out_i, st_i = run(bt86, image, "interpreter")
    problems = []
    for name, out in (("translator", out_t), ("interpreter", out_i)):
        if line not in out:
            problems.append("%s run did not print %r" % (name, line))
    for k in KEYS:
        if k not in st_t or st_t.get(k) != st_i.get(k):
            problems.append("%s: translator %r, interpreter %r" % (k, st_t.get(k), st_i.get(k)))
    if int(st_t.get("exceptions delivered without leaving", "0") or 0) == 0:
        problems.append("the translator delivered no exception in place")
    if problems:
        print("ENGINES-AGREE-FAIL\n" + "\n".join(problems))
        print("--- translator\n" + out_t[-3000:] + "\n--- interpreter\n" + out_i[-3000:])
        return 1
    print("translator and interpreter: %s instructions, registers %s; %s exceptions delivered in place"
          % (st_t[KEYS[0]], st_t[KEYS[2]], st_t["exceptions delivered without leaving"]))
    print("ENGINES-AGREE-OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
