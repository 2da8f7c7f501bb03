"""The public feeds are kept as mappings of the files the bot writes under
[calendars] dir, not as copies on its heap, and are served from there: with
their validators (ETag, 304), and whole while re-renders rename new files
over them (never a torn or mixed answer)."""

import datetime
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import harness
import icscheck
from harness import Bot, ask, t

ORG = "fforg"
# The plugin's mapping and the host's kept answer's. Valgrind does not
# duplicate a mapping (mremap with old size 0): the host copies instead.
MAPPINGS = 1 if harness.VALGRIND else 2


def etag_of(body):
    """ics_etag(): XXH3's 128 bits, computed here by xxhsum (Debian's xxhash)."""
    out = subprocess.run(["xxhsum", "-H2", "-"], input=body, capture_output=True,
                         check=True).stdout.decode()
    return '"%s"' % out.split()[0]


def maps_of(pid, path):
    """(mappings of the file now at path, mappings of files deleted from path)."""
    ino = os.stat(path).st_ino
    live = deleted = 0
    for line in Path("/proc/%d/maps" % pid).read_text().splitlines():
        f = line.split(None, 5)
        if len(f) < 6 or not f[5].startswith(str(path)):
            continue
        if f[5] == "%s (deleted)" % path:
            deleted += 1
        elif f[5] == str(path) and int(f[4]) == ino:
            live += 1
    return live, deleted


def test_feeds_served_from_their_files_whole_through_rerenders(tmp_path):
    with harness.Ngircd(tmp_path / "ircd") as ircd:
        bot = Bot(tmp_path / "bot", ircd.port, overrides={
            "bot": {"owners": "%s!*@*" % ORG, "command_burst": 100, "command_rate": 100},
            "irc": {"flood_burst": 50, "flood_rate": 50}})
        bot.start()
        org = ircd.client(ORG)
        org.join("#events")
        harness.wait_in_channel(org, "#events", bot.nick, t(15))
        day = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
        ids = []
        for i in range(40):	# a feed of several pages
            m = re.search(r"^Created #(\d+)", "\n".join(ask(org, "event add %s 18:%02d UTC 1h "
                          "Feed file event %d with a longer title to fill pages" % (day, i, i))),
                          re.M)
            assert m
            ids.append(int(m.group(1)))
        files = bot.dir / "calendars"
        path = "/calendars/all.ics"

        s, h, body = harness.http_get(bot.http_port, path)
        assert s == 200 and h["etag"] == etag_of(body)
        assert body == (files / "all.ics").read_bytes()
        assert len(body) > 3 * 4096
        # The plugin's copy is a mapping of the file, and so is the host's kept answer.
        live, deleted = maps_of(bot.proc.pid, files / "all.ics")
        assert (live, deleted) == (MAPPINGS, 0)
        s, h2, b2 = harness.http_get(bot.http_port, path, {"If-None-Match": h["etag"]})
        assert (s, b2, h2["etag"]) == (304, b"", h["etag"])

        # Clients keep asking while every change renames a new all.ics over the old.
        answers, errors, stop = [], [], threading.Event()

        def reader():
            while not stop.is_set():
                try:
                    answers.append(harness.http_get(bot.http_port, path))
                except OSError as e:
                    errors.append(e)

        threads = [threading.Thread(target=reader) for _ in range(3)]
        for th in threads:
            th.start()
        try:
            for n, eid in enumerate(ids[:12]):
                assert any(re.search(r"set", l) for l in ask(
                    org, "event set %d title Renamed %d version %d" % (eid, eid, n)))
                time.sleep(0.05)
            time.sleep(1.5)	# the last change's render
        finally:
            stop.set()
            for th in threads:
                th.join()
        assert not errors, errors[:3]
        etags = set()
        for s, h, b in answers:
            assert s == 200
            # Whole and of one version: the body hashes to its own ETag.
            assert h["etag"] == etag_of(b)
            assert int(h["content-length"]) == len(b)
            assert b.endswith(b"END:VCALENDAR\r\n")
            etags.add(h["etag"])
        assert len(answers) > 12 and len(etags) > 1

        s, h, body = harness.http_get(bot.http_port, path, {"If-None-Match": h["etag"]})
        if s == 304:
            s, h, body = harness.http_get(bot.http_port, path)
        assert s == 200 and body == (files / "all.ics").read_bytes()
        cal = icscheck.assert_clean(body)
        assert len(cal.components("VEVENT")) == 40
        assert b"Renamed %d version 11" % ids[11] in body.replace(b"\r\n ", b"")
        s, h2, _ = harness.http_get(bot.http_port, path, {"If-None-Match": h["etag"]})
        assert s == 304
        # Older versions are let go: no mapping of a replaced all.ics is left.
        live, deleted = maps_of(bot.proc.pid, files / "all.ics")
        assert (live, deleted) == (MAPPINGS, 0)
        org.quit()
        assert bot.stop() == 0, bot.log_tail()
