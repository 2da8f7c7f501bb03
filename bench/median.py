#!/usr/bin/python3
"""median.py RUNS KEY COMMAND...: run COMMAND RUNS times; print each run's
last output line and the median of the KEY=VALUE figure in it."""
import statistics
import subprocess
import sys

runs, key, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
values = []
for _ in range(runs):
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    last = out.splitlines()[-1]
    print("  " + last)
    values.append(float(dict(kv.split("=", 1) for kv in last.split())[key]))
print("%s: median %s = %.0f over %d runs" % (" ".join(cmd[:4]), key, statistics.median(values), runs))
