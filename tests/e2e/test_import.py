"""Acceptance tests of `event import URL`: the real bot fetches calendars from
a real local HTTP server this module starts (Python's http.server in a
thread), over real sockets, and creates events in its real SQLite file.

The server serves a good calendar, oversized ones (with a Content-Length,
and chunked without one), a malformed one, one with unusable values, an
HTML page, a slow answer, redirects to other schemes, and a calendar whose
texts hold escaped newlines and IRC control codes. The module's bot may
fetch from 127.0.0.1 ([events] import_allow_private = yes); a second bot
with the default shows that private addresses are refused."""

import datetime
import http.server
import re
import sqlite3
import ssl
import threading
import time
import zoneinfo
from pathlib import Path

import pytest

import harness
from harness import Bot, answers as sync, ask as cmd, from_bot, irc_lower, t

BOT = "convene"
ORG = "imporg"
ANSWER = re.compile(r"^(Imported|Import failed)")
CAP = 1024 * 1024

OVERRIDES = {
    "bot": {"owners": "%s!*@*" % ORG, "command_burst": 100, "command_rate": 100},
    "irc": {"flood_burst": 50, "flood_rate": 50},
    "events": {"timezone": "Europe/Paris", "import_allow_private": "yes", "import_timeout": "2"},
}

NOW = datetime.datetime.now(datetime.timezone.utc)


def day(n):
    """A date n days from now, at midnight, as a naive datetime."""
    d = (NOW + datetime.timedelta(days=n)).date()
    return datetime.datetime(d.year, d.month, d.day)


def stamp(dt):
    return dt.strftime("%Y%m%dT%H%M%S")


def vevent(uid, summary, start, extra=(), end=None):
    lines = ["BEGIN:VEVENT"]
    if uid is not None:
        lines.append("UID:" + uid)
    lines += ["DTSTAMP:20260101T000000Z", start]
    if end:
        lines.append(end)
    lines.append("SUMMARY:" + summary)
    lines += list(extra)
    lines.append("END:VEVENT")
    return lines


def calendar(*events):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Import//EN"]
    for e in events:
        lines += e
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


A_START = day(10).replace(hour=17, minute=0)
B_START = day(11).replace(hour=9, minute=30)
C_START = day(12).replace(hour=14, minute=0)
D_START = day(13).replace(hour=19, minute=15)

GOOD = calendar(
    # UTC, with texts to escape and a link.
    vevent("good-a@test", "Privacy workshop\\, part 1", "DTSTART:%sZ" % stamp(A_START),
           ["DESCRIPTION:Bring a laptop.\\nWe install Tor.", "LOCATION:Room 1\\; floor 2",
            "URL:https://example.org/a"], end="DTEND:%sZ" % stamp(A_START + datetime.timedelta(minutes=90))),
    # A known zone, with a DURATION.
    vevent("good-b@test", "Encryption clinic", "DTSTART;TZID=America/New_York:%s" % stamp(B_START),
           ["DURATION:PT2H"]),
    # Floating: the [events] timezone. No end: an hour.
    vevent("good-c@test", "Floating meetup", "DTSTART:%s" % stamp(C_START)),
    # A TZID with a generator's prefix.
    vevent("good-d@test", "Berlin talk",
           "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/Berlin:%s" % stamp(D_START),
           end="DTEND;TZID=/freeassociation.sourceforge.net/Europe/Berlin:%s"
           % stamp(D_START + datetime.timedelta(minutes=45))),
    # What Convene cannot hold yet.
    # An override of one occurrence alone (series: test_series.py).
    vevent("rec@test", "Weekly", "DTSTART:%sZ" % stamp(A_START),
           ["RECURRENCE-ID:%sZ" % stamp(A_START)]),
    vevent("allday@test", "Holiday", "DTSTART;VALUE=DATE:%s" % day(14).strftime("%Y%m%d")),
    vevent("long@test", "Long camp", "DTSTART:%sZ" % stamp(A_START),
           end="DTEND:%sZ" % stamp(A_START + datetime.timedelta(days=8))),
    vevent("past@test", "Gone", "DTSTART:%sZ" % stamp(day(-3).replace(hour=10))),
    vevent("cancel@test", "Called off", "DTSTART:%sZ" % stamp(A_START), ["STATUS:CANCELLED"]),
    vevent(None, "No UID", "DTSTART:%sZ" % stamp(A_START)),
)
GOOD_ANSWER = ("skipped 0 already imported, 1 recurring, 1 all-day, 1 too long, 1 past, "
               "1 cancelled, 1 invalid. Invalid: event 10 (\"No UID\"): it has no UID.")

BAD_VALUES = calendar(
    vevent("bad-1@test", "Bad start", "DTSTART:notadate"),
    vevent("bad-2@test", "Bad end", "DTSTART:%sZ" % stamp(A_START), end="DTEND:20261301T250000Z"),
)

# Escaped newlines (\n, \N), a raw CR in the value, IRC bold, colour, underline, reset.
HOSTILE_TITLE = ("Evil\\nPRIVMSG #events :pwned\\N\x02bold\x02 \x0304,01red\x03 "
                 "\x1funder\x0f end\\nQUIT :bye")
HOSTILE = calendar(
    vevent("hostile@test", HOSTILE_TITLE, "DTSTART:%sZ" % stamp(day(15).replace(hour=12)),
           ["DESCRIPTION:one\\ntwo\\r\\nNOTICE #events :\x02hi\x02"]),
)

# A custom zone that changes every minute: libical expanded it in the main
# loop for minutes, at about 1 MB/s (issue 12, item 13). Under 500 bytes.
EVIL_ZONE = ("\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//evil//EN",
    "BEGIN:VTIMEZONE", "TZID:Evil/Minutely",
    "BEGIN:STANDARD", "DTSTART:19700101T000000", "RRULE:FREQ=MINUTELY",
    "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000", "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:19700101T000030", "RRULE:FREQ=MINUTELY",
    "TZOFFSETFROM:+0000", "TZOFFSETTO:+0100", "END:DAYLIGHT", "END:VTIMEZONE",
    "BEGIN:VEVENT", "UID:evil@example.org", "DTSTAMP:20260101T000000Z",
    "DTSTART;TZID=Evil/Minutely:%s" % stamp(day(20).replace(hour=10)), "SUMMARY:Evil",
    "END:VEVENT", "END:VCALENDAR"]) + "\r\n").encode()
EVIL_ANSWER = ("Import failed: the time zone \"Evil/Minutely\" has a rule that is not yearly "
               "(RRULE FREQ=MINUTELY); Convene accepts only yearly rules in a VTIMEZONE.")

# The SUMMARY of a real calendar (ical.js samples/long_summary.ics), 393
# characters folded over 6 lines: it was cut at 200, mid-word.
LONG_TITLE = ("Really long event name thing " + "Really long event name thing" * 13)
LONG = calendar(
    vevent("long-title@test", LONG_TITLE, "DTSTART:%sZ" % stamp(day(16).replace(hour=18))),
    # Past every limit: shortened after a whole word, and the answer says so.
    vevent("longer@test", "Talk " + "about everything " * 40, "DTSTART:%sZ"
           % stamp(day(16).replace(hour=19)), ["LOCATION:" + "Hall " * 120]),
)

# A property after END:VCALENDAR (Podio's export), blank lines, a BOM, a
# TAB-folded line: read as RFC 5545 means, and each refusal explained.
SLOPPY = (b"\xef\xbb\xbf" + calendar(
    vevent("sloppy-1@test", "Folded\r\n\twith a tab", "DTSTART:%sZ" % stamp(day(17).replace(hour=9))),
    ["", ""],
    vevent("sloppy-2@test", "Nowhere", "DTSTART;TZID=FOO:%s" % stamp(day(17).replace(hour=10))),
    vevent("sloppy-3@test", "No start", "DTSTAMP:20260101T000000Z"),
) + b"X-STRAY-LINE:after the end\r\n\r\n")
SLOPPY_ANSWER = ("Imported 1 event (#%d); skipped 0 already imported, 0 recurring, 0 all-day, "
                 "0 too long, 0 past, 0 cancelled, 2 invalid. Invalid: event 2 (\"Nowhere\"): "
                 "its start is in the unknown time zone \"FOO\" (no VTIMEZONE for it in the "
                 "file); event 3 (\"No start\"): it has no start (DTSTART).")

# As much as one file may hold: 500 events in 20 zones of the file's own,
# each with Outlook's two rules from 1601, and 10,000 lines in all.
MAX_ZONES = 20
MAX = calendar(*(
    ["BEGIN:VTIMEZONE", "TZID:Own %d" % z,
     "BEGIN:STANDARD", "DTSTART:16011028T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
     "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD",
     "BEGIN:DAYLIGHT", "DTSTART:16010325T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
     "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "END:DAYLIGHT", "END:VTIMEZONE"]
    for z in range(MAX_ZONES)), *(
    vevent("max-%d@test" % i, "Event %d" % i, "DTSTART;TZID=Own %d:%s"
           % (i % MAX_ZONES, stamp(day(30 + 365 * (i % 9)).replace(hour=10))),
           ["DESCRIPTION:" + "word " * 100, "LOCATION:Room %d" % i])
    for i in range(500)), ["X-FILLER:" + "y" * 70] * (10000 - 3 - 1 - 15 * MAX_ZONES - 8 * 500))

BIG = calendar(vevent("big@test", "Big", "DTSTART:%sZ" % stamp(A_START),
                      ["DESCRIPTION:" + "x" * (2 * CAP)]))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TestCal/1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="text/calendar; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        self.server.hits.append(path)
        try:
            self.route(path)
        except (BrokenPipeError, ConnectionResetError):
            self.server.cut.append(path)

    def do_PUT(self):
        """A WebDAV folder that takes every file (a bot publishing here)."""
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.puts.append(self.path)
        self.send(201, b"", "text/plain", headers=[("ETag", '"%d"' % len(body))])

    def route(self, path):
        if path == "/good.ics":
            self.send(200, GOOD)
        elif path == "/bad-values.ics":
            self.send(200, BAD_VALUES)
        elif path == "/hostile.ics":
            self.send(200, HOSTILE)
        elif path == "/evil.ics":
            self.send(200, EVIL_ZONE)
        elif path == "/max.ics":
            self.send(200, MAX)
        elif path == "/long.ics":
            self.send(200, LONG)
        elif path == "/sloppy.ics":
            self.send(200, SLOPPY)
        elif path == "/big.ics":
            self.send(200, BIG)
        elif path == "/chunked.ics":
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"X-FILLER:" + b"y" * (64 * 1024 - 11) + b"\r\n"
            self.wfile.write(b"%x\r\nBEGIN:VCALENDAR\r\n\r\n" % 17)
            for _ in range(32 * 16):	# 32 MiB if nobody hangs up
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            self.server.completed.append(path)
        elif path == "/truncated.ics":
            self.send(200, GOOD[:len(GOOD) // 2])
        elif path == "/page.html":
            self.send(200, b"<!doctype html><html><body><h1>Events</h1></body></html>\n",
                      "text/html; charset=utf-8")
        elif path == "/missing.ics":
            self.send(404, b"not here\n", "text/plain")
        elif path == "/slow.ics":
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD[:20])
            self.wfile.flush()
            time.sleep(6)
            self.wfile.write(GOOD[20:])
        elif path == "/to-ftp.ics":
            self.send(302, b"", headers=[("Location", "ftp://127.0.0.1/cal.ics")])
        elif path == "/to-file.ics":
            self.send(301, b"", headers=[("Location", "file:///etc/passwd")])
        elif path == "/to-good.ics":
            self.send(302, b"", headers=[("Location", "/good.ics")])
        else:
            self.send(404, b"", "text/plain")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.hits, self.cut, self.completed, self.puts = [], [], [], []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def handle_error(self, request, client_address):
        pass	# clients hanging up (the bot at the size cap) are expected

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.server_address[1], path)

    def close(self):
        self.shutdown()
        self.server_close()


def do_import(client, url, timeout=10, lines=1):
    """`event import URL`: the one answer (a notice the bot may have had to
    send as several lines: at most `lines`), after checking that nothing came
    before it or after it."""
    client.privmsg(BOT, "event import " + url)
    l = client.wait_for(lambda l: from_bot(l, client.nick), timeout=t(timeout))
    assert ANSWER.search(l.text), "unexpected answer %r" % l.text
    rest = sync(client)
    assert len(rest) <= lines - 1, "more than %d answer lines: %r then %r" % (lines, l.text, rest)
    return "".join([l.text] + rest)


def db_rows(bot, where="1", args=()):
    con = sqlite3.connect("file:%s?mode=ro" % (bot.dir / "convene.db"), uri=True)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM events WHERE %s ORDER BY id" % where,
                                              args)]
    finally:
        con.close()


def utc_seconds(local, zone):
    return int(local.replace(tzinfo=zoneinfo.ZoneInfo(zone)).timestamp())


class World:
    def __init__(self, tmp):
        self.http = Server()
        self.ircd = harness.Ngircd(tmp / "ircd")
        self.ircd.start()
        self.bot = Bot(tmp / "bot", self.ircd.port, overrides=OVERRIDES)
        self.bot.start()
        self.org = self.ircd.client(ORG)
        self.org.join("#events")
        harness.wait_in_channel(self.org, "#events", BOT, t(15))

    def close(self):
        self.org.quit()
        problems = self.bot.finish()
        self.ircd.stop()
        self.http.close()
        return problems


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from harness.lent(World(tmp_path_factory.mktemp("import")))


# ---------------------------------------------------------------- a good calendar

def test_good_calendar_then_again(world):
    answer = do_import(world.org, world.http.url("/good.ics"))
    m = re.match(r"^Imported 4 events \(#(\d+)-#(\d+)\); (.*)$", answer)
    assert m, answer
    assert m.group(3) == GOOD_ANSWER, answer
    first, last = int(m.group(1)), int(m.group(2))
    assert last - first == 3
    rows = {r["source_uid"]: r for r in db_rows(world.bot, "source_uid IS NOT NULL")}
    assert sorted(rows) == ["good-a@test", "good-b@test", "good-c@test", "good-d@test"]
    for r in rows.values():
        # Our own UIDs, the source's kept apart; where it came from, no query.
        assert re.fullmatch(r"[0-9a-f]{32}", r["uid"]), r
        assert r["source_url"] == world.http.url("/good.ics")
        assert r["created_by"] == "n:" + ORG
        assert r["channel"] == "#events"
        assert first <= r["id"] <= last
    a, b, c, d = (rows["good-%s@test" % k] for k in "abcd")
    assert (a["title"], a["tz"], a["start_utc"], a["duration_min"]) == (
        "Privacy workshop, part 1", "UTC", utc_seconds(A_START, "UTC"), 90)
    # Newlines in imported text become spaces: one line in chat.
    assert a["description"] == "Bring a laptop. We install Tor."
    assert a["location"] == "Room 1; floor 2"
    assert a["url"] == "https://example.org/a"
    assert (b["tz"], b["local_date"], b["local_time"], b["start_utc"], b["duration_min"]) == (
        "America/New_York", B_START.strftime("%Y-%m-%d"), "09:30",
        utc_seconds(B_START, "America/New_York"), 120)
    assert (c["tz"], c["start_utc"], c["duration_min"]) == (
        "Europe/Paris", utc_seconds(C_START, "Europe/Paris"), 60)
    assert (d["tz"], d["start_utc"], d["duration_min"]) == (
        "Europe/Berlin", utc_seconds(D_START, "Europe/Berlin"), 45)
    # The events are real: listed like any other.
    lines = cmd(world.org, "event %d" % a["id"])
    assert lines[0] == "#%d Privacy workshop, part 1" % a["id"], lines

    # The same calendar again, through a redirect: nothing new.
    again = do_import(world.org, world.http.url("/to-good.ics"))
    assert again == ("Imported 0 events; skipped 4 already imported, 1 recurring, 1 all-day, "
                     "1 too long, 1 past, 1 cancelled, 1 invalid. Invalid: event 10 "
                     "(\"No UID\"): it has no UID."), again
    assert len(db_rows(world.bot, "source_uid IS NOT NULL")) == 4


# ---------------------------------------------------------------- limits

def test_oversized_with_length(world):
    before = len(db_rows(world.bot))
    answer = do_import(world.org, world.http.url("/big.ics"))
    assert answer == "Import failed: the answer is larger than allowed.", answer
    assert len(db_rows(world.bot)) == before


def test_oversized_chunked_is_cut_while_reading(world):
    before = len(db_rows(world.bot))
    answer = do_import(world.org, world.http.url("/chunked.ics"), timeout=15)
    assert answer == "Import failed: the answer is larger than allowed.", answer
    assert len(db_rows(world.bot)) == before
    # The bot hung up: the server never got to send its 32 MiB.
    deadline = time.monotonic() + t(10)
    while "/chunked.ics" not in world.http.cut and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "/chunked.ics" in world.http.cut
    assert "/chunked.ics" not in world.http.completed


def test_slow_answer_times_out(world):
    started = time.monotonic()
    answer = do_import(world.org, world.http.url("/slow.ics"), timeout=15)
    assert answer == "Import failed: the server took too long.", answer
    # import_timeout = 2: not the server's 6 seconds.
    assert time.monotonic() - started < t(5.5)
    # The bot kept answering meanwhile: it never blocks on the network.
    world.org.privmsg(BOT, "event import " + world.http.url("/slow.ics"))
    t0 = time.monotonic()
    assert sync(world.org) == []
    assert time.monotonic() - t0 < t(1.5)
    l = world.org.wait_for(lambda l: from_bot(l, world.org.nick), timeout=t(10))
    assert l.text == "Import failed: the server took too long."


# ---------------------------------------------------------------- bad content

def test_malformed_calendar(world):
    answer = do_import(world.org, world.http.url("/truncated.ics"))
    assert answer == ("Import failed: the calendar is cut short: it has no END:VCALENDAR "
                      "line."), answer
    answer = do_import(world.org, world.http.url("/bad-values.ics"))
    assert answer == ("Imported 0 events; skipped 0 already imported, 0 recurring, 0 all-day, "
                      "0 too long, 0 past, 0 cancelled, 2 invalid. Invalid: event 1 "
                      "(\"Bad start\"): its DTSTART cannot be read as a DATE-TIME "
                      "value; event 2 (\"Bad end\"): its end is not a real "
                      "date between 1970 and 2199."), answer


def test_evil_time_zone_does_not_freeze_the_bot(world):
    """Issue 12, item 13: the bot keeps answering others while it reads the
    file, and refuses it with a sentence saying what is wrong."""
    other = world.ircd.client("impother")
    try:
        assert cmd(other, "tz") != []
        world.org.privmsg(BOT, "event import " + world.http.url("/evil.ics"))
        # Until the file has been served, then a little more: the bot reads it now.
        deadline = time.monotonic() + t(5)
        while "/evil.ics" not in world.http.hits and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "/evil.ics" in world.http.hits
        time.sleep(0.1)
        t0 = time.monotonic()
        lines = cmd(other, "tz", timeout=t(3))
        assert lines and "display zone" in lines[0], lines
        assert time.monotonic() - t0 < t(1.5)
        l = world.org.wait_for(lambda l: from_bot(l, world.org.nick), timeout=t(5))
        assert l.text == EVIL_ANSWER, l.text
        assert sync(world.org) == []
        assert not db_rows(world.bot, "source_uid = ?", ("evil@example.org",))
    finally:
        other.quit()
    assert world.bot.running


def test_largest_calendar_keeps_the_bot_answering(world):
    """At every limit at once (500 events, 10,000 lines, 40 rules of the
    file's own zones from 1601): read and stored in well under a second, and
    others are answered meanwhile."""
    assert MAX.count(b"\r\n") == 10000
    other = world.ircd.client("impother2")
    try:
        assert cmd(other, "tz") != []
        hits = len(world.http.hits)
        world.org.privmsg(BOT, "event import " + world.http.url("/max.ics"))
        deadline = time.monotonic() + t(5)
        while len(world.http.hits) == hits and time.monotonic() < deadline:
            time.sleep(0.01)
        t0 = time.monotonic()
        lines = cmd(other, "tz", timeout=t(3))
        assert lines and "display zone" in lines[0], lines
        l = world.org.wait_for(lambda l: from_bot(l, world.org.nick), timeout=t(5))
        took = time.monotonic() - t0
        assert l.text.startswith("Imported 500 events (#"), l.text
        # Under ASan our code runs about ten times slower.
        slow = 10 if b"__asan_init" in Path(world.bot.binary).read_bytes() else 1
        assert took < t(1.5) * slow, took
        assert sync(world.org) == []
        rows = db_rows(world.bot, "source_uid LIKE 'max-%'")
        assert len(rows) == 500
        # Own zone, summer: UTC+2. Kept as UTC.
        r = [r for r in rows if r["source_uid"] == "max-0@test"][0]
        local = day(30).replace(hour=10)
        off = 2 if zoneinfo.ZoneInfo("Europe/Paris").utcoffset(local).seconds == 7200 else 1
        assert r["start_utc"] == utc_seconds(local, "UTC") - off * 3600, r
    finally:
        other.quit()


def test_long_texts_are_kept_whole_or_said_shortened(world):
    """Issue 12, item 16."""
    answer = do_import(world.org, world.http.url("/long.ics"))
    m = re.match(r"^Imported 2 events \(#(\d+)-#(\d+)\); skipped 0 already imported, 0 recurring, "
                 r"0 all-day, 0 too long, 0 past, 0 cancelled, 0 invalid\. Shortened to fit: "
                 r"#(\d+) \(title, location\)\.$", answer)
    assert m, answer
    whole = db_rows(world.bot, "source_uid = ?", ("long-title@test",))[0]
    assert len(LONG_TITLE) == 393
    assert whole["title"] == LONG_TITLE
    cut = db_rows(world.bot, "source_uid = ?", ("longer@test",))[0]
    assert int(m.group(3)) == cut["id"]
    assert len(cut["title"]) <= 500 and cut["title"].endswith("everything\u2026"), cut["title"]
    assert ("Talk " + "about everything " * 40).startswith(cut["title"][:-1])
    assert len(cut["location"]) <= 500 and cut["location"].endswith("Hall\u2026")
    lines = cmd(world.org, "event %d" % whole["id"])
    assert "".join(lines).startswith("#%d %s" % (whole["id"], LONG_TITLE)), lines


def test_sloppy_but_clear_calendar_is_read(world):
    """Issue 12, item 17: a stray line after the end, blank lines, a BOM and
    TAB folding; each refused event named with its reason."""
    answer = do_import(world.org, world.http.url("/sloppy.ics"), lines=2)
    row = db_rows(world.bot, "source_uid = ?", ("sloppy-1@test",))[0]
    assert row["title"] == "Foldedwith a tab", row
    assert answer == SLOPPY_ANSWER % row["id"], answer


def test_not_a_calendar(world):
    answer = do_import(world.org, world.http.url("/page.html"))
    assert answer == "Import failed: that is not an iCalendar (.ics) file.", answer
    answer = do_import(world.org, world.http.url("/missing.ics"))
    assert answer == "Import failed: the server answered HTTP 404.", answer


# ---------------------------------------------------------------- schemes

def test_redirects_to_other_schemes_are_refused(world):
    for path in ("/to-ftp.ics", "/to-file.ics"):
        answer = do_import(world.org, world.http.url(path))
        assert answer == "Import failed: only http and https are allowed.", (path, answer)
    # Other schemes typed directly never start a download.
    hits = len(world.http.hits)
    for url in ("ftp://127.0.0.1/cal.ics", "file:///etc/passwd", "webcal://127.0.0.1/x.ics"):
        lines = cmd(world.org, "event import " + url)
        assert lines == ["Give one http:// or https:// link to an .ics file. "
                         "Usage: event import URL"], lines
    assert len(world.http.hits) == hits


class TlsServer(Server):
    """Server over TLS with a certificate from make_tls()'s private CA;
    handshakes counts the connections that reached it."""

    def __init__(self, tls):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(tls["cert"], tls["key"])
        self.handshakes = 0
        super().__init__()

    def get_request(self):
        sock, addr = super().get_request()
        self.handshakes += 1
        return self.ctx.wrap_socket(sock, server_side=True), addr

    def url(self, path):
        return "https://127.0.0.1:%d%s" % (self.server_address[1], path)


def test_https_from_an_unknown_authority_is_refused(world, tmp_path):
    """Fetches check the server's certificate against the system's
    authorities: one from a private CA is refused before any request."""
    srv = TlsServer(harness.make_tls(tmp_path / "tls"))
    try:
        answer = do_import(world.org, srv.url("/good.ics"))
        assert answer.startswith("Import failed:") and "certificate" in answer, answer
        assert srv.handshakes >= 1 and srv.hits == [], (srv.handshakes, srv.hits)
    finally:
        srv.close()


def test_members_cannot_import(world):
    member = world.ircd.client("impmember")
    try:
        hits = len(world.http.hits)
        lines = cmd(member, "event import " + world.http.url("/good.ics"))
        assert lines and "organi" in lines[0].lower(), lines
        assert len(world.http.hits) == hits
    finally:
        member.quit()


# ---------------------------------------------------------------- hostile text

def test_hostile_summary_stays_one_clean_line(world):
    watcher = world.ircd.client("impwatch")
    watcher.join("#events")
    try:
        answer = do_import(world.org, world.http.url("/hostile.ics"))
        m = re.match(r"^Imported 1 event \(#(\d+)\); skipped 0 already", answer)
        assert m, answer
        n = int(m.group(1))
        row = db_rows(world.bot, "id = ?", (n,))[0]
        assert row["title"] == ("Evil PRIVMSG #events :pwned bold red under end QUIT :bye"), row
        assert row["description"] == "one two NOTICE #events :hi", row
        for text in (row["title"], row["description"]):
            assert not re.search(r"[\x00-\x1f\x7f]", text), repr(text)
        lines = cmd(world.org, "event %d" % n)
        assert lines[0] == "#%d %s" % (n, row["title"]), lines
        assert lines[1].startswith("When: "), lines
        listed = [l for l in cmd(world.org, "events") if l.startswith("#%d " % n)]
        assert len(listed) == 1 and "pwned" in listed[0], listed
        for l in lines + listed:
            assert not re.search(r"[\x00-\x1f\x7f]", l), repr(l)
        # Nothing reached the channel: no injected PRIVMSG, NOTICE or QUIT.
        watcher.sync()
        assert not [l for l in watcher.collect(duration=0.5)
                    if l.command in ("PRIVMSG", "NOTICE", "QUIT") and l.nick == BOT]
        assert world.bot.running
    finally:
        watcher.quit()
    # Nothing of the calendar's texts went to the log.
    assert "pwned" not in world.bot.log_text()


# ---------------------------------------------------------------- private addresses

def test_private_address_refused_by_default(world, tmp_path):
    other = Bot(tmp_path / "bot", world.ircd.port, nick="convene2",
                overrides={"bot": {"owners": "%s!*@*" % ORG},
                           "events": {"import_allow_private": None}})
    other.start()
    try:
        harness.wait_in_channel(world.org, "#events", "convene2", t(15))
        hits = len(world.http.hits)
        world.org.privmsg("convene2", "event import " + world.http.url("/good.ics"))
        l = world.org.wait_for(lambda l: l.command == "NOTICE" and l.nick == "convene2"
                               and ANSWER.search(l.text), timeout=t(10))
        assert l.text == "Import failed: the address is private or local, which is not allowed.", l.text
        assert len(world.http.hits) == hits
        # A name that resolves to loopback is refused the same way.
        world.org.privmsg("convene2", "event import http://localhost:%d/good.ics"
                          % world.http.server_address[1])
        l = world.org.wait_for(lambda l: l.command == "NOTICE" and l.nick == "convene2"
                               and ANSWER.search(l.text), timeout=t(10))
        assert l.text == "Import failed: the address is private or local, which is not allowed.", l.text
        assert len(world.http.hits) == hits
    finally:
        problems = other.finish()
    assert not problems, problems


def test_old_import_key_names_still_work_with_a_warning(world, tmp_path):
    """The import keys moved from [calendars] to [events]: until the next
    release the old name still takes effect, with a warning in the log;
    when both are set, [events] wins."""
    old = Bot(tmp_path / "old", world.ircd.port, nick="convene4",
              overrides={"bot": {"owners": "%s!*@*" % ORG},
                         "events": {"import_allow_private": None},
                         "calendars": {"import_allow_private": "yes"}})
    old.start()
    try:
        old.wait_log(r"warn events: \[calendars\] import_allow_private is now \[events\] "
                     r"import_allow_private; the old name works until the next release")
        harness.wait_in_channel(world.org, "#events", "convene4", t(15))
        world.org.privmsg("convene4", "event import " + world.http.url("/good.ics"))
        l = world.org.wait_for(lambda l: l.command == "NOTICE" and l.nick == "convene4"
                               and ANSWER.search(l.text), timeout=t(10))
        assert l.text.startswith("Imported"), l.text
    finally:
        problems = old.finish()
    assert not problems, problems

    both = Bot(tmp_path / "both", world.ircd.port, nick="convene5",
               overrides={"bot": {"owners": "%s!*@*" % ORG},
                          "events": {"import_allow_private": "no"},
                          "calendars": {"import_allow_private": "yes"}})
    both.start()
    try:
        both.wait_log(r"warn events: \[calendars\] import_allow_private is now \[events\] "
                      r"import_allow_private.*both set: \[events\] wins")
        harness.wait_in_channel(world.org, "#events", "convene5", t(15))
        hits = len(world.http.hits)
        world.org.privmsg("convene5", "event import " + world.http.url("/good.ics"))
        l = world.org.wait_for(lambda l: l.command == "NOTICE" and l.nick == "convene5"
                               and ANSWER.search(l.text), timeout=t(10))
        assert l.text == "Import failed: the address is private or local, which is not allowed.", l.text
        assert len(world.http.hits) == hits
    finally:
        problems = both.finish()
    assert not problems, problems


def test_private_address_refused_on_a_reused_connection(world, tmp_path):
    """Publishing may reach private addresses; importing may not. A bot that
    published to this server a moment ago (curl keeps the connection open)
    still refuses to import from the same address and port."""
    other = Bot(tmp_path / "bot", world.ircd.port, nick="convene3",
                overrides={"bot": {"owners": "%s!*@*" % ORG},
                           "events": {"import_allow_private": None},
                           "calendars": {"publish_url": world.http.url("/pub/"),
                                         "publish_mode": "webdav"}})
    other.start()
    try:
        harness.wait_in_channel(world.org, "#events", "convene3", t(15))
        puts = len(world.http.puts)
        world.org.privmsg("convene3", "event add %s 18:00 UTC Published first"
                          % day(20).date().isoformat())
        deadline = time.monotonic() + t(15)
        while len(world.http.puts) < puts + 2:
            assert time.monotonic() < deadline, "the feed files were not published"
            time.sleep(0.1)
        time.sleep(0.5)	# the last PUT's answer read: its connection idle in curl's pool
        hits = len(world.http.hits)
        world.org.privmsg("convene3", "event import " + world.http.url("/good.ics"))
        l = world.org.wait_for(lambda l: l.command == "NOTICE" and l.nick == "convene3"
                               and ANSWER.search(l.text), timeout=t(10))
        assert l.text == "Import failed: the address is private or local, which is not allowed.", l.text
        assert world.http.hits[hits:] == []
    finally:
        problems = other.finish()
    assert not problems, problems
