#!/usr/bin/env python3
"""One Markdown line on how fast the machine was while bin/perf ran, so that tables from
different days can be compared: the host's steal and the idle share of the CPU time since
STAT_BEFORE (a copy of /proc/stat's first line taken at the start), and a 4 KiB fdatasync
probe in DIR, taken now (after the run, with the servers stopped).
Usage: perf-machine.py STAT_BEFORE DIR"""
import os
import sys
import time


def cpu_line():
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:]]


def main():
    parts = ["Machine: {} CPUs".format(os.cpu_count())]
    try:
        before = [int(x) for x in open(sys.argv[1]).read().split()[1:]]
        delta = [b - a for a, b in zip(before, cpu_line())]
        total = sum(delta) or 1
        # /proc/stat: user nice system idle iowait irq softirq steal ...
        parts.append("over the run, {:.0f}% of the CPU time idle and {:.0f}% stolen by the host"
                     " (`/proc/stat`)".format(100 * delta[3] / total, 100 * delta[7] / total))
    except (OSError, ValueError, IndexError):
        pass
    path = os.path.join(sys.argv[2], "fsync.probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    waits = []
    try:
        for _ in range(1000):
            os.write(fd, b"x" * 4096)
            t = time.perf_counter()
            os.fdatasync(fd)
            waits.append((time.perf_counter() - t) * 1000)
    finally:
        os.close(fd)
        os.remove(path)
    waits.sort()
    parts.append("after it, a 4 KiB `fdatasync` p50 {:.2f} ms, p99 {:.2f} ms (1,000 in a row)"
                 .format(waits[500], waits[990]))
    print("; ".join(parts) + ".")


main()
