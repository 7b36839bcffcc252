#!/usr/bin/env python3
"""Run a command N times and print its cost as one markdown table row, for scripts/bench.sh.

Usage: bench-measure.py [--runs N] [--warmup N] [--label TEXT] -- COMMAND [ARG...]

Each run's user+sys CPU time and peak RSS come from the kernel's rusage of that one child
(os.wait4), in microseconds, rather than from /usr/bin/time, whose output rounds to 10 ms: too
coarse for a command that takes a few tens of ms. Wall time is measured around the child.
The command's output is discarded; a non-zero exit status of any run is an error.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def run_once(cmd):
    with open(os.devnull, "wb") as null, open(os.devnull, "rb") as nullin:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=nullin, stdout=null, stderr=null)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, (ru.ru_utime + ru.ru_stime) * 1000.0, wall * 1000.0, ru.ru_maxrss


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--label", default="")
    ap.add_argument("--header", action="store_true", help="print the table header first")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd or args.runs < 1:
        ap.error("need a command and --runs >= 1")

    for _ in range(args.warmup):
        run_once(cmd)
    cpu, wall, rss = [], [], []
    for i in range(args.runs):
        code, c, w, r = run_once(cmd)
        if code != 0:
            print("bench-measure: run %d of %s exited %d" % (i + 1, cmd, code), file=sys.stderr)
            return 1
        cpu.append(c)
        wall.append(w)
        rss.append(r)

    if args.header:
        print("| what | runs | user+sys mean (ms) | user+sys median (ms) | user+sys min (ms) "
              "| wall median (ms) | peak RSS (MiB) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
    print("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |" % (
        args.label or " ".join(cmd), args.runs, statistics.mean(cpu), statistics.median(cpu),
        min(cpu), statistics.median(wall), max(rss) / 1024.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
