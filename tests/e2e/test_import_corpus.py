"""`event import` on 34 real calendars other programs wrote (Google,
Exchange/Outlook, Apple, Thunderbird, Meetup, TripIt, Nextcloud, WordPress...;
../shared/corpus/ics/, provenance in SOURCES.md), through the real bot on a
real ngircd, each file served by a local HTTP server.

What the bot stored is compared with an independent reading of the same file
by python3-icalendar, with zoneinfo for IANA zones and icalendar's own
VTIMEZONE reader for the others: for every VEVENT the bot should take, the
title, the start instant, the length and the location; for every other one,
the count it is skipped under, and for an invalid one, a reason named in the
answer.

Most files are old: the bot's clock (CONVENE_TIME_OFFSET_FILE, read at every
call) is set to a day before each file's first timed start, so that every
event is judged on what it says rather than skipped as past. Convene keeps
times to the minute: seconds in a file are dropped (wall-clock times)."""

import datetime
import http.server
import math
import re
import sqlite3
import threading
import time
import zoneinfo
from pathlib import Path

import icalendar
import pytest

import harness
from harness import Bot, answers as sync, from_bot, t

CORPUS = Path(__file__).resolve().parents[3] / "shared/corpus/ics"
BOT = "convene"
ORG = "corpusorg"
ZONE = "Europe/Paris"	# [events] timezone: where floating times are
UTC = datetime.timezone.utc
ANSWER = re.compile(r"^(Imported|Import failed)")
COUNTS = re.compile(
    r"^Imported (\d+) events?(?: \(#\d+(?:-#\d+)?\))?; skipped (\d+) already imported, "
    r"(\d+) recurring, (\d+) all-day, (\d+) too long, (\d+) past, (\d+) cancelled, "
    r"(\d+) invalid\.(?: Invalid: (.*?)\.)?(?: Shortened to fit: .*\.)?$")
KINDS = ("take", "already", "recurring", "allday", "too_long", "past", "cancelled", "invalid")
TITLE_MAX, SHORT_MAX = 500, 500


def corpus_files():
    # A missing corpus must fail the run, not shrink it to nothing.
    if not CORPUS.is_dir():
        return ["<missing: %s>" % CORPUS]
    return sorted(p.name for p in CORPUS.glob("*.ics"))


# ---------------------------------------------------------------- an independent reading

def content_lines(data):
    """RFC 5545 3.1: unfold (space or TAB), ignoring a byte-order mark and
    blank lines, which carry no meaning."""
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    lines = []
    for raw in re.split(r"\r?\n", text):
        if raw.strip() == "":
            continue
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def blocks(lines, name):
    """The top-level-in-VCALENDAR components called `name`, each as lines."""
    out, cur, depth = [], None, 0
    for l in lines:
        up = l.upper()
        if cur is None:
            if up == "BEGIN:" + name:
                cur, depth = [l], 1
            continue
        cur.append(l)
        if up.startswith("BEGIN:"):
            depth += 1
        elif up.startswith("END:"):
            depth -= 1
            if depth == 0:
                out.append(cur)
                cur = None
    return out


def read_event(lines, zones):
    """One VEVENT parsed alone by icalendar (with the file's VTIMEZONEs), so
    that one broken event does not hide the others. None when icalendar
    cannot read it."""
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0"] + sum(zones, []) + lines
                       + ["END:VCALENDAR", ""])
    try:
        cal = icalendar.Calendar.from_ical(text)
        return cal.walk("VEVENT")[0], cal
    except Exception:
        return None, None


def iana(tzid):
    """The IANA zone a TZID names, also after a generator's prefix
    (/freeassociation.sourceforge.net/Europe/Paris)."""
    parts = tzid.split("/")
    for i in range(len(parts)):
        name = "/".join(parts[i:])
        if not name or name[0] in "+-":
            continue
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return None


def instant(prop, cal):
    """(aware UTC datetime, is_date) of a DTSTART/DTEND; None when its zone is
    unknown or it cannot be read."""
    raw = prop.to_ical().decode()
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?", raw)
    if not m:
        return None
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    if m[4] is None:
        return datetime.date(y, mo, d), True
    # Convene keeps times to the minute: the seconds of a wall-clock time are dropped.
    wall = datetime.datetime(y, mo, d, int(m[4]), int(m[5]))
    if m[7]:
        return wall.replace(tzinfo=UTC), False
    tzid = prop.params.get("TZID")
    if tzid is None:
        return wall.replace(tzinfo=zoneinfo.ZoneInfo(ZONE)).astimezone(UTC), False
    z = iana(str(tzid))
    if z is not None:
        return wall.replace(tzinfo=z).astimezone(UTC), False
    for vtz in cal.walk("VTIMEZONE"):
        if str(vtz.get("TZID")) == str(tzid):
            return vtz.to_tz().localize(wall).astimezone(UTC), False
    return None


def one_line(s):
    """The bot's cleaning of a text: one line, single spaces."""
    s = re.sub(r"[\x00-\x1f\x7f]", " ", str(s))
    return " ".join(s.split())


def expectations(data, now, stored_uids):
    """What each VEVENT of the file should become, in file order: (kind, what)
    where what, for "take", holds the values the bot should store."""
    lines = content_lines(data)
    zones = blocks(lines, "VTIMEZONE")
    out, seen = [], set()
    for ev_lines in blocks(lines, "VEVENT"):
        ev, cal = read_event(ev_lines, zones)
        out.append(judge(ev, cal, now, seen, stored_uids))
    return out


def judge(ev, cal, now, seen, stored_uids):
    if ev is None:
        return "invalid", "icalendar cannot read it"
    if "RECURRENCE-ID" in ev:
        return "recurring", None
    # A series (issue 16) is judged as any event, then taken when its rule
    # is one `event set N repeat` can express, or refused naming it.
    series = any(k in ev for k in ("RRULE", "RDATE"))
    uid = str(ev.get("UID", "")).strip()
    if not uid:
        return "invalid", "no UID"
    if "DTSTART" not in ev:
        return "invalid", "no DTSTART"
    start = instant(ev["DTSTART"], cal)
    if start is None:
        return "invalid", "start unreadable or in an unknown zone"
    if start[1]:
        return "allday", None
    if str(ev.get("STATUS", "")).upper() == "CANCELLED":
        return "cancelled", None
    start = start[0]
    if "DTEND" in ev:
        end = instant(ev["DTEND"], cal)
        if end is None or end[1]:
            return "invalid", "end unreadable"
        secs = (end[0] - start).total_seconds()
    elif "DURATION" in ev:
        secs = ev.decoded("DURATION").total_seconds()
    else:
        secs = 3600
    if secs <= 0:
        return "invalid", "ends before it starts"
    if secs > 7 * 86400:
        return "too_long", None
    if start.timestamp() <= now:
        return "past", None
    if uid in seen:
        return "already", None
    seen.add(uid)
    if uid in stored_uids:
        return "already", None
    title = one_line(ev.get("SUMMARY", "")) or "Untitled event"
    location = one_line(ev.get("LOCATION", "")) or None
    return "series" if series else "take", {"uid": uid, "title": title, "start_utc": int(start.timestamp()),
                    "duration_min": math.ceil(secs / 60), "location": location}


def first_start(data):
    """The earliest timed start in the file (Unix time), or None."""
    lines = content_lines(data)
    zones = blocks(lines, "VTIMEZONE")
    starts = []
    for ev_lines in blocks(lines, "VEVENT"):
        ev, cal = read_event(ev_lines, zones)
        if ev is not None and "DTSTART" in ev:
            s = instant(ev["DTSTART"], cal)
            if s is not None and not s[1]:
                starts.append(s[0].timestamp())
    return min(starts) if starts else None


# ---------------------------------------------------------------- the world

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        path = CORPUS / self.path.lstrip("/")
        body = path.read_bytes() if path.is_file() else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class World:
    def __init__(self, tmp):
        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.clock = tmp / "offset"
        self.clock.write_text("0\n")
        self.ircd = harness.Ngircd(tmp / "ircd")
        self.ircd.start()
        self.bot = Bot(tmp / "bot", self.ircd.port, env={"CONVENE_TIME_OFFSET_FILE": str(self.clock)},
                       overrides={
                           "bot": {"owners": "%s!*@*" % ORG, "command_burst": 100,
                                   "command_rate": 100},
                           "irc": {"flood_burst": 50, "flood_rate": 50},
                           "events": {"timezone": ZONE, "import_allow_private": "yes",
                                      "import_timeout": "5"}})
        self.bot.start()
        self.org = self.ircd.client(ORG)
        self.org.join("#events")
        harness.wait_in_channel(self.org, "#events", BOT, t(15))

    def set_now(self, when):
        """The bot's wall clock at `when` (Unix time)."""
        self.clock.write_text("%d\n" % int(when - time.time()))

    def rows(self):
        con = sqlite3.connect("file:%s?mode=ro" % (self.bot.dir / "convene.db"), uri=True)
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute(
                "SELECT * FROM events WHERE source_uid IS NOT NULL ORDER BY id")]
        finally:
            con.close()

    def close(self):
        self.org.quit()
        problems = self.bot.finish()
        self.ircd.stop()
        self.http.shutdown()
        self.http.server_close()
        return problems


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from harness.lent(World(tmp_path_factory.mktemp("corpus")))


def do_import(world, name):
    world.org.privmsg(BOT, "event import http://127.0.0.1:%d/%s"
                      % (world.http.server_address[1], name))
    l = world.org.wait_for(lambda l: from_bot(l, ORG), timeout=t(15))
    assert ANSWER.search(l.text), l.text
    # A long answer comes as several lines, cut after a space.
    return "".join([l.text] + sync(world.org))


def test_corpus_is_there():
    assert CORPUS.is_dir(), "the corpus is missing: %s" % CORPUS
    assert len(corpus_files()) == 34, corpus_files()


@pytest.mark.parametrize("name", corpus_files())
def test_corpus_file(world, name):
    assert CORPUS.is_dir(), "the corpus is missing: %s" % CORPUS
    data = (CORPUS / name).read_bytes()
    first = first_start(data)
    now = (first - 86400) if first is not None else time.time()
    world.set_now(now)
    before = world.rows()
    expected = expectations(data, now, {r["source_uid"] for r in before})

    answer = do_import(world, name)
    m = COUNTS.match(answer)
    assert m, "%s: %s" % (name, answer)
    got = dict(zip(KINDS, (int(x) for x in m.groups()[:8])))
    want = {k: sum(1 for kind, _ in expected if kind == k) for k in KINDS}
    # Each series is taken or refused (as invalid, naming its rule).
    nseries = sum(1 for kind, _ in expected if kind == "series")
    taken_series = got["take"] - want["take"]
    assert 0 <= taken_series <= nseries, (name, got, want, answer)
    want["take"] += taken_series
    want["invalid"] += nseries - taken_series
    assert got == want, "%s: the bot counted %r, the file says %r\n%s\n%r" % (
        name, got, want, answer, expected)

    # Each refused-as-invalid event is named with a reason (the first five).
    why = m.group(9) or ""
    invalid = [i + 1 for i, (kind, _) in enumerate(expected) if kind == "invalid"]
    for n in invalid[:5]:
        assert re.search(r"(^|; )event %d( \([^)]*\))?: \S" % n, why), (name, n, answer)

    # Every event taken, as the file means it.
    new = {r["source_uid"]: r for r in world.rows() if r["id"] not in {b["id"] for b in before}}
    takes = [w for kind, w in expected if kind == "take"]
    series = {w["uid"]: w for kind, w in expected if kind == "series"}
    assert sorted(set(new) - set(series)) == sorted(w["uid"] for w in takes), (
        name, sorted(new), takes)
    takes += [series[u] for u in new if u in series]
    for w in takes:
        r = new[w["uid"]]
        assert r["start_utc"] == w["start_utc"], (name, w["uid"], r["start_utc"], w)
        assert r["duration_min"] == w["duration_min"], (name, w["uid"], r, w)
        for field, limit in (("title", TITLE_MAX), ("location", SHORT_MAX)):
            if w[field] is not None and len(w[field]) > limit:
                assert r[field].endswith("\u2026") and w[field].startswith(r[field][:-1]), (
                    name, field, r[field])
            else:
                assert r[field] == w[field], (name, w["uid"], field, r[field], w[field])


# ---------------------------------------------------------------- a series begun

def source_occurrences(name, uid, a, b):
    """What python3-icalendar with recurring_ical_events expands of `uid` in
    the original file in [a, b): the occurrences the source calendar has."""
    import recurring_ical_events
    cal = icalendar.Calendar.from_ical((CORPUS / name).read_bytes())
    at = lambda s: datetime.datetime.fromtimestamp(s, UTC)
    return sorted(int(e.decoded("DTSTART").timestamp())
                  for e in recurring_ical_events.of(cal).between(at(a), at(b))
                  if str(e["UID"]) == uid and e.decoded("DTSTART").timestamp() > a)


def occurrences(world, uid):
    con = sqlite3.connect("file:%s?mode=ro" % (world.bot.dir / "convene.db"), uri=True)
    try:
        return con.execute(
            "SELECT c.occ_date, c.start_utc, c.status FROM events c JOIN events s"
            " ON c.series_id = s.id WHERE s.source_uid = ? ORDER BY c.start_utc",
            (uid,)).fetchall()
    finally:
        con.close()


def test_series_begun(tmp_path):
    """Real calendars whose series began before now: `event import` takes
    the occurrences still to come, exactly the source's (an unbounded monthly
    series; a COUNT series with a cancelled occurrence has fewer left), under
    the series' UID, so that importing again matches it."""
    world = World(tmp_path)
    try:
        # The FabLab's Repair Café, on the first Saturday of each month since
        # January 2018, imported in the middle of that year.
        uid, name = "ai1ec-1887@blog.fablab-cottbus.de", "rie-fablab_cottbus.ics"
        now = datetime.datetime(2018, 7, 20, 12, 0, tzinfo=UTC).timestamp()
        world.set_now(now)
        answer = do_import(world, name)
        assert COUNTS.match(answer), answer
        row = [r for r in world.rows() if r["source_uid"] == uid]
        assert len(row) == 1, (answer, [r["source_uid"] for r in world.rows()])
        row = row[0]
        want = source_occurrences(name, uid, now, now + 150 * 86400)
        assert row["start_utc"] == want[0], (row["start_utc"], want)
        assert row["repeat"] == "monthly" and row["local_time"] == "14:00", row
        occ = occurrences(world, uid)
        made = [s for _, s, st in occ if st == "active"]
        assert len(made) >= 5 and made == [s for s in want if s <= made[-1]], (made, want)
        lines = harness.ask(world.org, "event %d" % row["id"], BOT)
        assert any(re.search(r"a series, every month on the first Saturday\.", l)
                   for l in lines), lines
        # Importing again matches the series by its UID.
        again = do_import(world, name)
        assert len([r for r in world.rows() if r["source_uid"] == uid]) == 1, again

        # ical.js's sample: DAILY;COUNT=4 from 9 June 2024 03:00 UTC, the 11th
        # cancelled (EXDATE;VALUE=DATE); at noon on the 9th, three are left by
        # COUNT and one of them is cancelled.
        uid, name = "123", "icaljs-rdate_exdate.ics"
        now = datetime.datetime(2024, 6, 9, 12, 0, tzinfo=UTC).timestamp()
        world.set_now(now)
        answer = do_import(world, name)
        assert re.match(r"^Imported 1 event", answer), answer
        row = [r for r in world.rows() if r["source_uid"] == uid][0]
        assert row["repeat"] == "daily times 3", row
        assert occurrences(world, uid) == [
            ("2024-06-10", int(datetime.datetime(2024, 6, 10, 3, tzinfo=UTC).timestamp()), "active"),
            ("2024-06-11", int(datetime.datetime(2024, 6, 11, 3, tzinfo=UTC).timestamp()), "cancelled"),
            ("2024-06-12", int(datetime.datetime(2024, 6, 12, 3, tzinfo=UTC).timestamp()), "active")]
        # (recurring_ical_events keeps the 11th: it matches a DATE EXDATE of a
        # DATE-TIME series only at midnight; Convene's import cancels the day named.)
    finally:
        problems = world.close()
    assert not problems, problems
