#!/usr/bin/python3
"""Convene side by side with eggdrop and Limnoria (both from Debian) on the
same ngircd, set up the same way, and with nginx for feeds.

Each bot gets a fresh folder, the same server (a real ngircd on 127.0.0.1),
one channel (#bench) and one simple command it answers in private:
Convene's `version`, a one-line Tcl `bind msg` for eggdrop (`version`,
answered with putserv, the queue scripts normally use; putnow unpaced), Limnoria's `ping`
(Misc plugin, answers "pong"). Nobody is an owner; the peers' own
per-person flood protection (eggdrop flood-msg, Limnoria
supybot.abuse.flood.command) is off, because all the people come from one
host here; Convene's per-person limit stays at its default (a burst of 5).

Per bot, two runs:

  paced (each bot's default outgoing pacing):
    start to JOIN    exec to the observer seeing the bot's JOIN of #bench
    CPU to JOIN      utime + stime of the process at that moment (/proc/PID/stat)
    RSS, RssAnon     /proc/PID/status, SETTLE seconds after the JOIN
    20 at once       20 people send the command within a few ms; time from
                     the first send until the last answer arrives
  unpaced (each bot's pacing turned off, see PACING below):
    p50 / p95        answer latency, one question at a time, 40 questions
                     from 20 people (each asks twice)

Then bench/calendars/run.py (one round) for Convene's feed next to nginx.
Prints one table. Loopback only; every process is stopped at the end.

    /usr/bin/python3 bench/peers.py [--peers convene,eggdrop,limnoria] [--no-feeds]
"""

import argparse
import os
import pwd
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
import harness  # noqa: E402

CHANNEL = "#bench"
PEOPLE = 20
SETTLE = 2.0
TICK = os.sysconf("SC_CLK_TCK")
CONVENE_BIN = os.environ.get("CONVENE_BIN") or str(harness.REPO / "build" / "convene")

# How each bot's outgoing pacing is turned off for the latency figures.
PACING = {
    "convene": "[irc] flood_burst = 100, flood_rate = 100 (default 5 lines, then 2/s)",
    "eggdrop": "msg-rate 0 and putnow (default: putserv, one queued line every"
               " msg-rate = 2 s; the queue is looked at once a second even at msg-rate 0)",
    "limnoria": "supybot.protocols.irc.throttleTime 0 (default 1.0 s between lines)",
}


def cpu_s(pid):
    fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK	# utime, stime


def status_kb(pid, key):
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return -1


def as_nobody():
    """eggdrop refuses to run as root, Limnoria does too without
    --allow-root: as root, run every bot (Convene too) as nobody."""
    if os.geteuid() != 0:
        return None, []
    pw = pwd.getpwnam("nobody")
    return pw, ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
                "--clear-groups", "--"]


def give(folder, pw):
    if pw is None:
        return
    for root, dirs, files in os.walk(folder):
        for n in [root] + [os.path.join(root, x) for x in dirs + files]:
            os.chown(n, pw.pw_uid, pw.pw_gid)
    harness.make_readable(folder)


# ------------------------------------------------------------------ the bots

class Convene:
    name = "convene"
    nick = "convene"
    ask = "version"

    def version(self):
        out = subprocess.run([CONVENE_BIN, "--version"], capture_output=True, text=True)
        m = re.search(r"convene (\S+)", out.stdout + out.stderr)
        return "convene " + (m.group(1) if m else "?")

    def setup(self, folder, port, unpaced):
        flood = {"flood_burst": 100, "flood_rate": 100} if unpaced else \
            {"flood_burst": None, "flood_rate": None}
        bot = harness.Bot(folder, port, channels=CHANNEL, binary=CONVENE_BIN, overrides={
            "irc": flood,
            "bot": {"plugins": "admin events", "command_burst": None, "command_rate": None}})
        return [CONVENE_BIN, "-c", str(bot.conf)]


class Eggdrop:
    name = "eggdrop"
    nick = "eggdrop"
    ask = "version"

    def version(self):
        out = subprocess.run(["eggdrop", "-v"], capture_output=True, text=True)
        m = re.search(r"Eggdrop v(\S+)", out.stdout + out.stderr)
        return "eggdrop " + (m.group(1) if m else "?")

    def setup(self, folder, port, unpaced):
        conf = folder / "bench.conf"
        (folder / "logs").mkdir()
        conf.write_text("""\
set mod-path "/usr/lib/eggdrop/modules/"
loadmodule blowfish
loadmodule channels
loadmodule server
loadmodule irc
set nick "eggdrop"
set altnick "eggdrop_"
set realname "eggdrop bench bot"
set username "eggdrop"
set admin "bench"
set network "bench"
set servers { 127.0.0.1:%(port)d }
set default-port %(port)d
set userfile "bench.user"
set chanfile "bench.chan"
set help-path "/usr/share/eggdrop/help/"
logfile mco * "logs/eggdrop.log"
set msg-rate %(rate)d
set flood-msg 0:0
set flood-ctcp 0:0
set keep-nick 0
channel add %(chan)s
bind msg - version bench:version
proc bench:version {nick uhost hand text} {
  %(put)s "NOTICE $nick :eggdrop bench bot"
  return 0
}
""" % {"port": port, "rate": 0 if unpaced else 2, "chan": CHANNEL,
              "put": "putnow" if unpaced else "putserv"})
        # -n: stay in the foreground; -m: make the userfile (a fresh
        # folder has none and eggdrop will not start without one).
        return ["eggdrop", "-n", "-m", str(conf)]


class Limnoria:
    name = "limnoria"
    nick = "limnoria"
    ask = "ping"

    def version(self):
        out = subprocess.run(["supybot", "--version"], capture_output=True, text=True)
        m = re.search(r"Limnoria (\S+)", out.stdout + out.stderr)
        return "limnoria " + (m.group(1) if m else "?")

    def setup(self, folder, port, unpaced):
        for d in ("conf", "data", "backup", "logs", "plugins", "tmp", "web"):
            (folder / d).mkdir()
        conf = folder / "bench.conf"
        conf.write_text("""\
supybot.nick: limnoria
supybot.ident: limnoria
supybot.user: limnoria bench bot
supybot.networks: bench
supybot.networks.bench.servers: 127.0.0.1:%(port)d
supybot.networks.bench.channels: %(chan)s
supybot.networks.bench.ssl: False
supybot.directories.conf: %(d)s/conf
supybot.directories.data: %(d)s/data
supybot.directories.data.tmp: %(d)s/tmp
supybot.directories.data.web: %(d)s/web
supybot.directories.backup: %(d)s/backup
supybot.directories.log: %(d)s/logs
supybot.directories.plugins: %(d)s/plugins
supybot.plugins: Admin Misc Owner User Utilities
supybot.plugins.Admin: True
supybot.plugins.Misc: True
supybot.plugins.Owner: True
supybot.plugins.User: True
supybot.plugins.Utilities: True
supybot.abuse.flood.command: False
supybot.abuse.flood.command.invalid: False
supybot.protocols.irc.throttleTime: %(throttle)s
supybot.log.stdout: False
supybot.log.level: WARNING
supybot.reply.whenNotCommand: False
""" % {"port": port, "chan": CHANNEL, "d": folder, "throttle": "0.0" if unpaced else "1.0"})
        return ["supybot", str(conf)]


PEERS = {p.name: p for p in (Convene(), Eggdrop(), Limnoria())}


# ------------------------------------------------------------------ measuring

def from_bot(bot_nick, to):
    return lambda l: (l.command in ("NOTICE", "PRIVMSG") and l.nick
                      and harness.irc_lower(l.nick) == bot_nick
                      and harness.irc_lower(l.target) == harness.irc_lower(to))


class Run:
    """One bot process on the server, with an observer in the channel and
    PEOPLE registered clients that ask it in private."""

    def __init__(self, peer, server, folder, unpaced, people):
        self.peer = peer
        self.people = people
        self.observer = server.client("observer%s" % ("u" if unpaced else "p"))
        self.observer.join(CHANNEL)
        folder.mkdir(parents=True)
        cmd = peer.setup(folder, server.port, unpaced)
        pw, prefix = as_nobody()
        give(folder, pw)
        self.log = open(folder / "stdout.log", "wb")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(prefix + cmd, cwd=folder, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.folder = folder

    def wait_join(self, timeout=60):
        nick = self.peer.nick
        self.observer.wait_for(lambda l: l.command == "JOIN" and l.nick
                               and harness.irc_lower(l.nick) == nick
                               and harness.irc_lower(l.text) == CHANNEL, timeout=timeout)
        return time.monotonic() - self.t0, cpu_s(self.proc.pid)

    def ask_one(self, client, timeout=30):
        t = time.monotonic()
        client.privmsg(self.peer.nick, self.peer.ask)
        client.wait_for(from_bot(self.peer.nick, client.nick), timeout=timeout)
        return time.monotonic() - t

    def crowd(self, timeout=180):
        t = time.monotonic()
        for c in self.people:
            c.privmsg(self.peer.nick, self.peer.ask)
        for c in self.people:
            c.wait_for(from_bot(self.peer.nick, c.nick), timeout=timeout)
        return time.monotonic() - t

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self.observer.close()


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def measure(peer, server, tmp):
    res = {"version": peer.version()}
    people = [server.client("%s%02d" % (peer.name[:3], i)) for i in range(PEOPLE)]
    try:
        run = Run(peer, server, tmp / (peer.name + "-paced"), False, people)
        try:
            res["join_s"], res["cpu_s"] = run.wait_join()
            time.sleep(SETTLE)
            res["rss"] = status_kb(run.proc.pid, "VmRSS")
            res["anon"] = status_kb(run.proc.pid, "RssAnon")
            for c in people:
                c.drain(0.01)
            res["crowd_s"] = run.crowd()
        finally:
            run.stop()
        time.sleep(0.5)		# the server sees the quit before the next run's JOIN
        run = Run(peer, server, tmp / (peer.name + "-unpaced"), True, people)
        try:
            run.wait_join()
            time.sleep(SETTLE)
            lat = [run.ask_one(c) for _ in range(2) for c in people]
            res["p50"], res["p95"] = pct(lat, 50), pct(lat, 95)
        finally:
            run.stop()
    except Exception as e:	# one peer failing still gives the others' rows
        res["error"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0][:200])
        res["log"] = tail(tmp / (peer.name + "-paced")) + tail(tmp / (peer.name + "-unpaced"))
    finally:
        for c in people:
            c.close()
        time.sleep(0.5)
    return res


def tail(folder):
    out = []
    for f in sorted(Path(folder).rglob("*.log")) if Path(folder).exists() else []:
        lines = f.read_text(errors="replace").splitlines()[-8:]
        out.append("  %s:\n    %s" % (f.name, "\n    ".join(lines)))
    return "\n".join(out)


def feeds():
    """bench/calendars/run.py, one round: its table and ratio line."""
    env = dict(os.environ, RUNS=os.environ.get("FEED_RUNS", "1"))
    out = subprocess.run([sys.executable, str(Path(__file__).parent / "calendars" / "run.py")],
                         capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0:
        return None, (out.stdout + out.stderr)[-1500:]
    return out.stdout, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peers", default="convene,eggdrop,limnoria")
    ap.add_argument("--no-feeds", action="store_true")
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="convene-peers-") as tmpname:
        tmp = Path(tmpname)
        harness.make_readable(tmp)
        server = harness.Ngircd(tmp / "ngircd")
        server.start()
        try:
            for name in a.peers.split(","):
                peer = PEERS[name]
                missing = shutil.which(CONVENE_BIN if name == "convene" else
                                       {"eggdrop": "eggdrop", "limnoria": "supybot"}[name])
                if not missing:
                    rows.append((peer, {"error": "not installed (make bench installs it)"}))
                    continue
                rows.append((peer, measure(peer, server, tmp)))
        finally:
            server.stop()
    print("\nngircd %s on 127.0.0.1, one channel, %d people; paced = each bot's default "
          "pacing, unpaced = %s\n" % (ngircd_version(), PEOPLE, "; ".join(
              "%s %s" % (k, v) for k, v in PACING.items())))
    print("| bot | start to JOIN | CPU to JOIN | RSS | RssAnon | p50 / p95 unpaced "
          "| 20 at once, default pacing (last answer) |")
    print("|---|---|---|---|---|---|---|")
    for peer, r in rows:
        if "error" in r:
            print("| %s | failed: %s | | | | | |" % (r.get("version", peer.name), r["error"]))
            continue
        print("| %s | %.0f ms | %.0f ms | %s KiB | %s KiB | %.1f / %.1f ms | %.2f s |"
              % (r["version"], 1000 * r["join_s"], 1000 * r["cpu_s"], f"{r['rss']:,}",
                 f"{r['anon']:,}", 1000 * r["p50"], 1000 * r["p95"], r["crowd_s"]))
    for peer, r in rows:
        if r.get("log"):
            print("\n%s failed; its logs:\n%s" % (peer.name, r["log"]))
    if not a.no_feeds:
        text, err = feeds()
        print("\nFeeds, Convene next to nginx (bench/calendars/run.py, RUNS=%s):"
              % os.environ.get("FEED_RUNS", "1"))
        print(text if text is not None else "feeds failed:\n" + err)


def ngircd_version():
    out = subprocess.run([harness.NGIRCD_BIN, "--version"], capture_output=True, text=True)
    m = re.search(r"ngIRCd (\S+)", out.stdout + out.stderr)
    return m.group(1) if m else "?"


if __name__ == "__main__":
    main()
