"""wrk on loopback against the bot's feed server and nginx serving the same
file, in the same run: requests per second for the public feed of 1,000
events (200) and for its 304 answer. Prints a Markdown table.

Run by `make -C bench/calendars`; needs build/convene, wrk and nginx."""

import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT = os.environ.get("CONVENE_BIN") or str(ROOT / "build" / "convene")
EVENTS = 1000
DURATION = os.environ.get("BENCH_SECONDS", "5")
ROUNDS = int(os.environ.get("RUNS", "3"))
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=2)
        except OSError:
            time.sleep(0.1)
    sys.exit("no answer from %s" % url)


def start_bot(d, conf):
    log = open(d / "bot.log", "ab")
    return subprocess.Popen([BOT, "-c", str(conf)], cwd=d, stdout=log, stderr=subprocess.STDOUT)


def stop(p):
    p.send_signal(signal.SIGTERM)
    p.wait(10)


def wrk(url, header=None):
    cmd = ["wrk", "-t1", "-c" + CONNECTIONS, "-d" + DURATION + "s"]
    if header:
        cmd += ["-H", header]
    out = subprocess.run(cmd + [url], stdout=subprocess.PIPE, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        sys.exit("wrk saw %s errors on %s" % (bad.group(1), url))
    return rps


def main():
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None and not Path("/usr/sbin/" + tool).exists():
            sys.exit("%s is not installed (apt-get install %s)" % (tool, tool))
    d = Path(tempfile.mkdtemp(prefix="convene-bench-"))
    os.chmod(d, 0o755)	# nginx's worker runs as nobody and reads the feed files here
    procs = []
    http_port, nginx_port = free_port(), free_port()
    conf = d / "convene.ini"
    conf.write_text(
        "[irc]\nserver = 127.0.0.1\nport = %d\ntls = no\nnick = bench\nchannels = #bench\n"
        "[store]\npath = %s/convene.db\n[http]\nlisten = 127.0.0.1\nport = %d\n"
        % (free_port(), d, http_port))
    base = "http://127.0.0.1:%d" % http_port
    try:
        bot = start_bot(d, conf)	# once, to create the tables
        procs.append(bot)
        wait_http(base + "/calendars/all.ics")
        stop(bot)
        db = sqlite3.connect(d / "convene.db")
        start = int(time.time()) + 86400
        zones = ["Europe/Paris", "America/Toronto", "Asia/Tokyo", "UTC", "+05:30"]
        db.executemany(
            "INSERT INTO events (uid, title, description, location, url, channel, local_date,"
            " local_time, tz, start_utc, duration_min, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, '2030-01-01', '10:00', ?, ?, 90, ?, ?)",
            [("%032x" % i, "Atelier %d: vie privée, chiffrement; ☕ et 😀" % i,
              "Une réunion; avec des virgules, et des textes en Ελληνικά, 日本語.",
              "Online", "https://example.org/e/%d" % i, "#bench%d" % (i % 10), zones[i % 5],
              start + 3600 * i, start, start) for i in range(EVENTS)])
        db.commit()
        db.close()
        bot = start_bot(d, conf)
        procs.append(bot)
        body = wait_http(base + "/calendars/all.ics").read()
        assert body.count(b"BEGIN:VEVENT") == EVENTS, "the feed lacks events"
        etag = urllib.request.urlopen(base + "/calendars/all.ics").headers["ETag"]

        nconf = d / "nginx.conf"
        nconf.write_text(
            "daemon off;\nworker_processes 1;\npid %s/nginx.pid;\nerror_log %s/nginx.err;\n"
            "events { worker_connections 256; }\n"
            "http { access_log off; types { text/calendar ics; } charset utf-8;"
            " charset_types text/calendar;\n"
            " server { listen 127.0.0.1:%d; root %s; etag on;"
            " location / { add_header Cache-Control no-cache; } } }\n"
            % (d, d, nginx_port, d / "calendars"))
        nginx = subprocess.Popen(["nginx", "-p", str(d), "-c", str(nconf)])
        procs.append(nginx)
        nbase = "http://127.0.0.1:%d" % nginx_port
        nbody = wait_http(nbase + "/all.ics").read()
        assert nbody == body, "nginx serves another file than the bot"
        netag = urllib.request.urlopen(nbase + "/all.ics").headers["ETag"]

        # Rounds of the four runs, so that the machine's load at one moment
        # weighs on both servers alike; medians of the rounds are printed.
        runs = [("convene, 200", base + "/calendars/all.ics", None),
                ("convene, 304 (If-None-Match)", base + "/calendars/all.ics",
                 "If-None-Match: " + etag),
                ("nginx, 200", nbase + "/all.ics", None),
                ("nginx, 304 (If-None-Match)", nbase + "/all.ics", "If-None-Match: " + netag)]
        got = [[] for _ in runs]
        for _ in range(ROUNDS):
            for i, (_, url, header) in enumerate(runs):
                got[i].append(wrk(url, header))
        print("\nfeed: %d events, %d bytes; wrk -t1 -c%s -d%ss on 127.0.0.1, %d round(s)\n"
              % (EVENTS, len(body), CONNECTIONS, DURATION, ROUNDS))
        print("| server | requests/s (median) | rounds |\n|---|---|---|")
        for (name, _, _), v in zip(runs, got):
            print("| %s | %.0f | %s |" % (name, statistics.median(v),
                                         ", ".join("%.0f" % x for x in v)))
        # The bar: 200s at least 1.0x nginx's, 304s at least 0.5x.
        r200 = [a / b for a, b in zip(got[0], got[2])]
        r304 = [a / b for a, b in zip(got[1], got[3])]
        print("\nconvene / nginx, median of the rounds' ratios: 200 %.2fx (%s), 304 %.2fx (%s)"
              % (statistics.median(r200), ", ".join("%.2f" % x for x in r200),
                 statistics.median(r304), ", ".join("%.2f" % x for x in r304)))
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
