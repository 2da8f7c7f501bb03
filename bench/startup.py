#!/usr/bin/python3
"""Start time and resident memory of the bot with 10,000 events and 100,000
registrations (10 people each; half the events ahead, half past).

Start time: from exec to the log line "plugin events ... loaded" (the store
opened, migrations checked, every event's instant recomputed). Memory:
VmRSS of the process 3 s later, after the first reminder/retention scan.
Compared with an empty database. No IRC server is needed: the bot is
pointed at a closed port and keeps retrying in the background."""

import argparse
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
import harness  # noqa: E402

BIN = os.environ.get("CONVENE_BIN") or str(harness.REPO / "build" / "convene")


def start(bot):
    skip = len(bot.log_text())	# the log accumulates over runs
    t0 = time.monotonic()
    bot.start()
    rx = re.compile(r"plugin events \S+ loaded")
    while not rx.search(bot.log_text()[skip:]):
        if time.monotonic() - t0 > 60 or not bot.running:
            raise RuntimeError("bot did not load events:\n" + bot.log_tail())
        time.sleep(0.002)
    return time.monotonic() - t0


def rss_kb(pid):
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def fill(db, events, per_event):
    con = sqlite3.connect(db)
    now = int(time.time())
    con.execute("BEGIN")
    for i in range(events):
        start = now + (i - events // 2) * 3600	# one an hour, half already past
        d = time.gmtime(start)
        con.execute(
            "INSERT INTO events (uid, title, local_date, local_time, tz, start_utc,"
            " duration_min, capacity, created_by, created_at, updated_at, reminders_from,"
            " channel, join_url) VALUES (?, ?, ?, ?, 'UTC', ?, 60, 0, 'n:org', ?, ?, ?,"
            " '#events', 'https://meet.example.org/x')",
            ("%032x" % i, "Bench event %d" % i, time.strftime("%Y-%m-%d", d),
             time.strftime("%H:%M", d), start, now, now, now))
    eid0 = con.execute("SELECT min(id) FROM events").fetchone()[0]
    rows = ((eid0 + i // per_event, "n:person%d" % (i % 20000), "person%d" % (i % 20000),
             i % per_event, now) for i in range(events * per_event))
    con.executemany("INSERT INTO registrations (event_id, person, nick, status, seq,"
                    " created_at) VALUES (?, ?, ?, 'confirmed', ?, ?)", rows)
    con.execute("COMMIT")
    con.close()


def measure(workdir, events, per_event, runs, plugins):
    port = harness.free_port()	# nobody listens: no IRC server
    bot = harness.Bot(workdir, port, binary=BIN,
                      overrides={"events": {"retention_days": 3650},
                                 "bot": {"plugins": plugins}})
    start(bot)			# migrations
    bot.stop()
    if events:
        fill(bot.config["store"]["path"], events, per_event)
    times, mem = [], []
    for _ in range(runs):
        times.append(start(bot))
        time.sleep(3)
        mem.append(rss_kb(bot.proc.pid))
        assert bot.stop() == 0, bot.log_tail()
    return times, mem


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--per-event", type=int, default=10)
    ap.add_argument("--plugins", default="admin events",
                    help="[bot] plugins; events last, as its load ends the start")
    a = ap.parse_args()
    print("plugins: %s" % a.plugins)
    with tempfile.TemporaryDirectory(prefix="convene-bench-") as tmp:
        for label, ev in (("empty database", 0), ("%d events, %d registrations"
                          % (a.events, a.events * a.per_event), a.events)):
            times, mem = measure(Path(tmp) / ("db%d" % ev), ev, a.per_event, a.runs,
                                 a.plugins)
            print("%s: start %.0f ms (median of %d: %s), RSS %d KiB (median: %s)"
                  % (label, 1000 * statistics.median(times), a.runs,
                     ", ".join("%.0f" % (1000 * x) for x in times),
                     statistics.median(mem), ", ".join(str(m) for m in mem)))


if __name__ == "__main__":
    main()
