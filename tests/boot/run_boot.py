#!/usr/bin/env python3
"""Boot-test driver: runs bt86 and watches its output (stdout, or a file such as a -debugcon
log) until every expected string has appeared, in the order given; then stops bt86 and prints
BOOT-TEST-OK with the wall time from start to the last expected string. Fails (exit 1) when bt86
ends first or the time limit passes, showing what was seen.

usage: run_boot.py [--watch FILE] [--limit SECONDS] --expect STR [--expect STR ...] -- bt86 ARGS...
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--expect", action="append", required=True, help="string to wait for")
    p.add_argument("--watch", help="file to watch instead of bt86's stdout")
    p.add_argument("--limit", type=float, default=30.0, help="wall seconds before failing")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    if a.command and a.command[0] == "--":
        a.command = a.command[1:]
    if not a.command:
        p.error("no bt86 command given")
    return a


def first_missing(text, expected):
    """Index of the first expected string not found in order in text, or len(expected)."""
    pos = 0
    for i, s in enumerate(expected):
        found = text.find(s, pos)
        if found < 0:
            return i
        pos = found + len(s)
    return len(expected)


def main():
    a = parse_args()
    # stdout goes to a file we poll: no pipe to fill up, and the same loop serves --watch.
    with tempfile.TemporaryFile() as stdout_file:
        start = time.monotonic()
        proc = subprocess.Popen(a.command, stdout=stdout_file, stderr=subprocess.PIPE)
        watched = a.watch
        text, done = "", 0
        try:
            while True:
                if watched is None:
                    stdout_file.seek(0)
                    text = stdout_file.read().decode("latin-1")
                elif os.path.exists(watched):
                    with open(watched, "rb") as f:
                        text = f.read().decode("latin-1")
                done = first_missing(text, a.expect)
                if done == len(a.expect):
                    elapsed = time.monotonic() - start
                    print(text)
                    print(f"BOOT-TEST-OK: all {done} expected strings after {elapsed:.2f} s")
                    return 0
                if proc.poll() is not None:
                    why = f"bt86 exited with code {proc.returncode}"
                    break
                if time.monotonic() - start > a.limit:
                    why = f"not done after {a.limit} s"
                    break
                time.sleep(0.01)
        finally:
            if proc.poll() is None:
                proc.kill()
            _, err = proc.communicate()
        print(text)
        sys.stderr.write(err.decode("latin-1")[-2000:])
        print(f"BOOT-TEST-FAIL: {why}; missing {a.expect[done]!r} "
              f"(expected in order: {a.expect})")
        return 1


if __name__ == "__main__":
    sys.exit(main())
