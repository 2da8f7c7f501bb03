#!/usr/bin/python3
"""Resident memory of the bot after joining a channel on a real ngircd:
VmRSS, RssAnon (heap and other private anonymous pages) and RssFile, with an
empty database and with 10,000 events and 100,000 registrations (filled as
bench/startup.py does), every shipped plugin and the HTTP server on, as the
example configuration runs it.

Measured 3 s after the bot's JOIN reached the channel (the first reminder and
retention scan and the start-up render of every feed are done), then again
after every feed of the feed index was fetched once over HTTP (what a running
bot keeps for its readers). --libs prints the resident pages of each mapped
file (from /proc/PID/smaps: the library's code and data read from disk, plus
the private anonymous pages of its data and bss) for the last run. --tls
links the bot over TLS (ngircd's TLS port, a certificate of a throwaway CA
given as tls_ca_file); --tls=system trusts the system's authorities, as the
example configuration does: the test server's certificate is refused, so
the figures are read 3 s after the first refused handshake ("joined" then
means "refused")."""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
import harness  # noqa: E402
import startup  # noqa: E402

BIN = os.environ.get("CONVENE_BIN") or str(harness.REPO / "build" / "convene")


def status(pid):
    out = {}
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
            out[k] = int(v.split()[0])
    return out


def per_file(pid):
    """KiB resident per mapped path (anonymous pages of a file's private
    writable mapping count with the file); '[heap]' and '[anon]' apart."""
    res, cur = {}, None
    for line in Path("/proc/%d/smaps" % pid).read_text().splitlines():
        f = line.split()
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            cur = f[5] if len(f) > 5 else "[anon]"
            cur = os.path.basename(cur) if cur.startswith("/") else cur
        elif f and f[0] == "Rss:":
            res.setdefault(cur, [0, 0])[0] += int(f[1])
        elif f and f[0] == "Anonymous:":
            res.setdefault(cur, [0, 0])[1] += int(f[1])
    return res


def fetch_feeds(port):
    base = "http://127.0.0.1:%d" % port
    try:
        idx = urllib.request.urlopen(base + "/", timeout=30).read().decode()
    except urllib.error.HTTPError:
        return 0, 0		# no calendars plugin
    paths = sorted(set(["/calendars/all.ics"] + re.findall(r'(/calendars/channel/[^"/]+\.ics)"', idx)))
    total = 0
    for p in paths:
        total += len(urllib.request.urlopen(base + p, timeout=30).read())
    return len(paths), total


def measure(workdir, ircd, events, per_event, runs, plugins, tls):
    over = {"events": {"retention_days": 3650}}
    if plugins:
        over["bot"] = {"plugins": plugins}
    if tls:
        over["irc"] = {"server": "127.0.0.1", "port": ircd.tls_port, "tls": "yes"}
        if tls != "system":
            over["irc"]["tls_ca_file"] = ircd.tls["ca"]
    bot = harness.Bot(workdir, ircd.port, binary=BIN, overrides=over)
    watcher = ircd.client("watcher")
    watcher.join("#events")

    def up(timeout):
        if tls == "system":
            bot.wait_log(r"disconnected \(SSL peer certificate", timeout)
        else:
            watcher.wait_for(command="JOIN", nick=bot.nick, timeout=timeout)

    bot.start()
    up(harness.t(30))
    time.sleep(1)
    bot.stop()
    if events:
        startup.fill(bot.config["store"]["path"], events, per_event)
    rows = []
    for _ in range(runs):
        watcher.drain()
        bot.logfile.unlink()
        bot.start()
        up(harness.t(120))
        time.sleep(3)
        joined = status(bot.proc.pid)
        libs = per_file(bot.proc.pid)
        nfeeds, nbytes = fetch_feeds(bot.http_port)
        time.sleep(0.5)
        served = status(bot.proc.pid)
        rows.append((joined, served, nfeeds, nbytes))
        assert bot.stop() == 0, bot.log_tail()
    watcher.close()
    return rows, libs


def med(rows, which, key):
    return statistics.median(r[which][key] for r in rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--per-event", type=int, default=10)
    ap.add_argument("--plugins", default="", help="[bot] plugins (default: every one)")
    ap.add_argument("--libs", action="store_true", help="resident KiB per mapped file")
    ap.add_argument("--only-empty", action="store_true")
    ap.add_argument("--tls", nargs="?", const="ca_file", choices=("ca_file", "system"),
                    help="link over TLS: tls_ca_file (default) or the system's authorities")
    a = ap.parse_args()
    print("binary: %s; plugins: %s%s" % (BIN, a.plugins or "every shipped plugin",
                                       "; TLS link (%s)" % a.tls if a.tls else ""))
    with tempfile.TemporaryDirectory(prefix="convene-mem-") as tmp:
        ircd = harness.Ngircd(Path(tmp) / "ircd", tls=bool(a.tls))
        ircd.start()
        try:
            sets = [("empty database", 0)]
            if not a.only_empty:
                sets.append(("%d events, %d registrations" % (a.events, a.events * a.per_event),
                             a.events))
            for label, ev in sets:
                rows, libs = measure(Path(tmp) / ("db%d" % ev), ircd, ev, a.per_event,
                                     a.runs, a.plugins, a.tls)
                print("%s (median of %d, KiB):" % (label, a.runs))
                print("  joined:       VmRSS %6d  RssAnon %6d  RssFile %6d"
                      % (med(rows, 0, "VmRSS"), med(rows, 0, "RssAnon"),
                         med(rows, 0, "RssFile")))
                print("  feeds served: VmRSS %6d  RssAnon %6d  RssFile %6d"
                      "  (%d feeds, %d bytes)"
                      % (med(rows, 1, "VmRSS"), med(rows, 1, "RssAnon"),
                         med(rows, 1, "RssFile"), rows[-1][2], rows[-1][3]))
                print("  runs VmRSS joined: %s" % ", ".join(str(r[0]["VmRSS"]) for r in rows))
                if a.libs:
                    print("  resident per mapping after joining (KiB: total, of it anonymous):")
                    for name, (rss, anon) in sorted(libs.items(), key=lambda kv: -kv[1][0]):
                        if rss:
                            print("    %-28s %6d %6d" % (name, rss, anon))
        finally:
            ircd.stop()


if __name__ == "__main__":
    main()
