#!/usr/bin/python3
"""Lines on the wire for one reminder to 100 confirmed people.

ngircd 26.1 announces neither TARGMAX nor MAXTARGETS in its 005 lines, so
against it the host sends one NOTICE per person. To see the packing, the
bot is connected to a scripted server (tests/e2e/hostile.py's peer) that
announces what a network would, puts 100 people in #events with the bot,
relays their `rsvp` lines, and counts the bot's reminder NOTICE lines after
the bot's clock (CONVENE_TIME_OFFSET_FILE) is moved to the reminder time."""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
import harness  # noqa: E402
from hostile import SERVER, HostilePeer  # noqa: E402

PEOPLE = 100


class Server(HostilePeer):
    def __init__(self, isupport):
        super().__init__()
        self.isupport = isupport

    def register(self, timeout=None):
        super().register(timeout)
        if self.isupport:
            self.send(":%s 005 %s %s :are supported by this server"
                      % (SERVER, self.nick, self.isupport))

    def join_with_people(self, nicks):
        self.wait_for(lambda l: l.command == "JOIN", what="JOIN")
        self.send(":%s!convene@127.0.0.1 JOIN :#events" % self.nick)
        for i in range(0, len(nicks), 20):
            self.send(":%s 353 %s = #events :%s" % (SERVER, self.nick, " ".join(nicks[i:i + 20])))
        self.send(":%s 366 %s #events :End of NAMES list" % (SERVER, self.nick))

    def say(self, who, text):
        self.send(":%s!u@people.example PRIVMSG %s :%s" % (who, self.nick, text))

    def wait_answer(self, who, regex):
        import re
        rx = re.compile(regex)
        return self.wait_for(lambda l: l.command == "NOTICE" and l.target == who
                             and rx.search(l.text), what="answer to %s" % who)


def run(isupport):
    with tempfile.TemporaryDirectory(prefix="convene-bench-") as tmp:
        offset = Path(tmp) / "offset"
        offset.write_text("0\n")
        peer = Server(isupport)
        bot = harness.Bot(Path(tmp) / "bot", peer.port, env={
            "CONVENE_TIME_OFFSET_FILE": str(offset)}, overrides={
            "irc": {"flood_burst": 100, "flood_rate": 100},
            "bot": {"plugins": "admin events"}})
        bot.start()
        try:
            peer.accept()
            peer.register()
            nicks = ["p%d" % i for i in range(PEOPLE)]
            peer.join_with_people(nicks + ["owner"])
            start = int(time.time()) + 3 * 86400
            start -= start % 60
            day = time.strftime("%Y-%m-%d %H:%M", time.gmtime(start))
            peer.say("owner", "event add %s UTC Bench webinar" % day)
            peer.wait_answer("owner", r"Created #1")
            peer.say("owner", "event set 1 join https://meet.example.org/bench")
            peer.wait_answer("owner", r"join set")
            for n in nicks:
                peer.say(n, "rsvp 1")
            for n in nicks:
                peer.wait_answer(n, r"confirmed")
            offset.write_text("%d\n" % (start - 3600 + 5 - int(time.time())))
            lines, targets = 0, set()
            while len(targets) < PEOPLE:
                l = peer.wait_for(lambda l: l.command == "NOTICE"
                                  and l.text.startswith("Reminder: #1 "),
                                  timeout=harness.t(20), what="reminder")
                lines += 1
                targets.update(l.target.split(","))
            return lines, len(targets)
        finally:
            bot.stop()
            peer.close()


def main():
    for label, isupport in (("no TARGMAX (as ngircd 26.1)", ""),
                            ("TARGMAX=NOTICE:4", "TARGMAX=PRIVMSG:4,NOTICE:4"),
                            ("TARGMAX=NOTICE: (no limit given)", "TARGMAX=NOTICE:"),
                            ("TARGMAX=NOTICE:50", "TARGMAX=NOTICE:50")):
        lines, n = run(isupport)
        print("%-34s %3d NOTICE lines for %d people" % (label + ":", lines, n))


if __name__ == "__main__":
    main()
