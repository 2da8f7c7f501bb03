#!/usr/bin/python3
"""A crowd answered: 100 people send `rsvp 1` within one second to an event
with 50 places, the bot at its default pacing (issue 17).

Two servers:
  ngircd   a real ngircd 26.1 with its flood penalties on (MaxPenaltyTime
           unset, as on a real network) and 100 real client connections;
           ngircd announces no TARGMAX, so every answer is its own line.
  scripted tests/e2e/hostile.py's peer announcing TARGMAX=NOTICE:4 (as
           Libera.Chat's Solanum does), playing the 100 people itself; it
           sees every line the bot sends, so it counts them, and it replays
           them through Solanum's flood rule (5 lines, then 2 a second, each
           second; "Excess Flood" above 20 lines waiting) to report the most
           lines that would have waited there.

Printed per server: seconds from the first rsvp to the last person's answer,
the JOIN's delay after the server's welcome (scripted only: it answers at once),
the NOTICE lines the bot sent for the 100 answers (scripted only), and
whether the bot was disconnected. `--bin` runs another build (a before
figure); `--pacing B,R` overrides flood_burst/flood_rate (default: the
build's own defaults)."""

import argparse
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
import harness  # noqa: E402
from hostile import HostilePeer  # noqa: E402

PEOPLE, PLACES = 100, 50


def future_day():
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 10 * 86400))


def overrides(pacing):
    burst, rate = pacing if pacing else (None, None)	# None: the build's defaults
    return {"irc": {"flood_burst": burst, "flood_rate": rate},
            "bot": {"plugins": "admin events", "owners": "owner*!*@*"}}


def solanum_max_waiting(times, burst=5, per_second=2):
    """Replay line arrival times through Solanum's rule: a burst of 5 lines
    parsed at once, then sent_parsed drops by 2 once a second; returns the
    most lines that waited unparsed at once (Excess Flood above 20)."""
    if not times:
        return 0
    t0 = times[0]
    waiting, budget, worst, tick, i = 0, burst, 0, t0 + 1.0, 0
    while i < len(times) or waiting:
        if i < len(times) and times[i] < tick:
            waiting += 1
            i += 1
        else:
            budget = min(burst, budget + per_second)
            tick += 1.0
        take = min(waiting, budget)
        waiting -= take
        budget -= take
        worst = max(worst, waiting)
    return worst


def run_ngircd(binary, pacing, tmp):
    ircd = harness.Ngircd(Path(tmp) / "ircd", penalties=True)
    ircd.start()
    bot = harness.Bot(Path(tmp) / "bot", ircd.port, binary=binary, overrides=overrides(pacing))
    people = []
    try:
        obs = harness.IrcClient(ircd.port, "observer")
        obs.join("#events")
        bot.start()
        harness.wait_in_channel(obs, "#events", bot.nick, harness.t(20))
        org = harness.IrcClient(ircd.port, "owner1")
        org.privmsg(bot.nick, "event add %s 18:00 UTC 1h Crowd" % future_day())
        line = org.wait_for(command="NOTICE", nick=bot.nick, text=re.compile(r"#\d+"),
                            timeout=harness.t(20))
        n = int(re.search(r"#(\d+)", line.text).group(1))
        org.privmsg(bot.nick, "event set %d capacity %d" % (n, PLACES))
        org.wait_for(command="NOTICE", nick=bot.nick, text=re.compile("capacity"),
                     timeout=harness.t(20))
        people = [harness.IrcClient(ircd.port, "p%03d" % i) for i in range(PEOPLE)]
        answered = {}

        def wait(p):
            try:
                p.wait_for(command="NOTICE", nick=bot.nick, text=re.compile("#%d" % n),
                           timeout=600)
                answered[p.nick] = time.monotonic()
            except AssertionError:
                pass
        threads = [threading.Thread(target=wait, args=(p,), daemon=True) for p in people]
        for th in threads:
            th.start()
        start = time.monotonic()
        for p in people:
            p.privmsg(bot.nick, "rsvp %d" % n)
        sent_in = time.monotonic() - start
        for th in threads:
            th.join(660)
        log = bot.log_text()
        quits = [l for l in obs.collect(command="QUIT", nick=bot.nick, duration=0.5)]
        return {
            "sent_in": sent_in,
            "answered": len(answered),
            "last": max(answered.values()) - start if answered else None,
            "lines": None,
            "disconnected": bool(quits) or "disconnected" in log or not bot.running,
        }
    finally:
        for p in people:
            p.close()
        if bot.running:
            bot.stop()
        ircd.stop()


def run_scripted(binary, pacing, tmp):
    peer = HostilePeer()
    bot = harness.Bot(Path(tmp) / "bot2", peer.port, binary=binary, overrides=overrides(pacing))
    try:
        bot.start()
        peer.accept()
        peer.register(isupport="TARGMAX=NAMES:1,LIST:1,KICK:1,WHOIS:1,PRIVMSG:4,NOTICE:4")
        peer.expect_join()
        joined = time.monotonic() - peer.welcomed
        peer.say_as("owner1", "event add %s 18:00 UTC 1h Crowd" % future_day())
        line = peer.wait_for(lambda l: l.command == "NOTICE" and l.params[0] == "owner1",
                             harness.t(20), "event add answer")
        n = int(re.search(r"#(\d+)", line.text).group(1))
        peer.say_as("owner1", "event set %d capacity %d" % (n, PLACES))
        peer.wait_for(lambda l: l.command == "NOTICE" and l.params[0] == "owner1",
                      harness.t(20), "event set answer")
        time.sleep(3)	# let the bucket refill, as after a quiet minute
        start = time.monotonic()
        for i in range(PEOPLE):
            peer.say_as("p%03d" % i, "rsvp %d" % n)
        sent_in = time.monotonic() - start
        got = peer.notices(PEOPLE, timeout=600)
        times = [tm for tm, _ in got]
        return {
            "sent_in": sent_in,
            "join_ms": joined * 1000,
            "answered": sum(len(l.params[0].split(",")) for _, l in got),
            "last": times[-1] - start,
            "lines": len(got),
            "packed": sum(1 for _, l in got if "," in l.params[0]),
            "solanum_waiting": solanum_max_waiting(times),
            "disconnected": not bot.running or peer.connections != 1 or
            peer.extra_connections() > 0,
        }
    finally:
        if bot.running:
            bot.stop()
        peer.close()


def show(label, r):
    extra = ""
    if r.get("join_ms") is not None:
        extra += ", JOIN %.0f ms after the welcome" % r["join_ms"]
    if r.get("lines") is not None:
        extra += ", %d NOTICE lines (%d packed), Solanum model: at most %d lines waiting " \
                "(Excess Flood above 20)" % (r["lines"], r["packed"], r["solanum_waiting"])
    print("%-44s %3d/%d answered, last after %6.1f s%s; disconnected: %s"
          % (label + ":", r["answered"], PEOPLE, r["last"] or -1, extra,
             "YES" if r["disconnected"] else "no"), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.environ.get("CONVENE_BIN") or
                    str(harness.REPO / "build" / "convene"))
    ap.add_argument("--pacing", help="flood_burst,flood_rate (default: the build's)")
    ap.add_argument("--only", choices=("ngircd", "scripted"))
    args = ap.parse_args()
    pacing = None
    if args.pacing:
        b, r = args.pacing.split(",")
        pacing = (int(b), float(r))
    what = "pacing %s" % (args.pacing or "default")
    with tempfile.TemporaryDirectory(prefix="convene-crowd-") as tmp:
        if args.only in (None, "ngircd"):
            show("ngircd 26.1, penalties on, %s" % what, run_ngircd(args.bin, pacing, tmp))
        if args.only in (None, "scripted"):
            show("scripted, TARGMAX=NOTICE:4, %s" % what, run_scripted(args.bin, pacing, tmp))


if __name__ == "__main__":
    main()
