#!/usr/bin/python3
"""paired.py ROUNDS -- CMD1 -- CMD2 ...: run the commands in turn, ROUNDS
times, so that each round meets the same disk (on a shared machine fsync
times drift by several times within a minute). Prints each run's last line,
then per command the median rsvp_per_s and cpu_us, and the median of each
round's rate as a share of the first command's."""
import statistics
import subprocess
import sys

rounds = int(sys.argv[1])
cmds, cur = [], None
for a in sys.argv[2:]:
    if a == "--":
        cur = []
        cmds.append(cur)
    else:
        cur.append(a)
rates = [[] for _ in cmds]
cpus = [[] for _ in cmds]
for r in range(rounds):
    for i, cmd in enumerate(cmds):
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
        last = out.strip().splitlines()[-1]
        print("  round %d: %s" % (r + 1, last))
        kv = dict(x.split("=", 1) for x in last.split() if "=" in x)
        rates[i].append(float(kv["rsvp_per_s"]))
        if "cpu_us" in kv:
            cpus[i].append(float(kv["cpu_us"]))
for i, cmd in enumerate(cmds):
    share = statistics.median(rates[i][k] / rates[0][k] for k in range(rounds))
    print("%s: median rsvp_per_s %.0f, cpu_us %s, share of the first %.0f%%" % (
        " ".join(cmd[1:]), statistics.median(rates[i]),
        "%.1f" % statistics.median(cpus[i]) if cpus[i] else "-", 100 * share))
