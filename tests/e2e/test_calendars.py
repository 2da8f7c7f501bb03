"""Acceptance tests of the calendars plugin: iCalendar feeds built from the
events data by the real bot, served over its real HTTP server and written to
disk, read back by independent parsers (python3-icalendar, python3-vobject,
ical.js, node-ical), by a real subscription (vdirsyncer + khal), and by our
own byte-level check (icscheck.py).

One server and one bot serve the whole module; the events every test reads
are made once (see `world`), and tests that change things make their own
events or come last."""

import configparser
import datetime
import email.utils
import html.parser
import http.client
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

import pytest

import harness
import icscheck
from harness import Bot, ask as cmd, from_bot, irc_lower, t

BOT = "convene"
ORG = "calorg"
MEMBER = "calmember"
INTEROP = harness.REPO / "tests" / "interop"
NODE = shutil.which("node") or "/usr/bin/node"
ICS_TYPE = "text/calendar; charset=utf-8"

OVERRIDES = {
    "bot": {"owners": "%s!*@*" % ORG, "command_burst": 100, "command_rate": 100},
    "irc": {"flood_burst": 50, "flood_rate": 50, "channels": "#events, #other"},
    "events": {"timezone": "Europe/Paris"},
}

# Texts in many languages with everything TEXT escaping must survive.
T1 = 'Café, ☕ émoji 😀 \\ "quote"; semi, comma 日本語のテキスト — Réunion à Montréal'
# The host's tokenizer takes at most 32 words a line: long words instead.
D1 = ("Une réunion très intéressante; avec des virgules, des points-virgules; "
      "et \\ barres \\n pas-une-nouvelle-ligne. Ελληνικά,русский-текст,العربية,עברית,हिन्दी "
      "🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉 " + "\\\\\\\\;;;;,,,," * 4 + " fin")
L1 = "Salle 2; étage 3, Montréal \\ QC"
U1 = "https://example.org/events/1?a=1&b=2"
J1 = "https://meet.example.org/secret-room-one"
T2 = "Atelier: vie privée & chiffrement <b>not html</b> 'quoted'"
J2 = "https://meet.example.org/secret-room-two"
T3 = "Ελληνικά русский العربية עברית हिन्दी 中文 한국어"
T4 = "Annulé; cancelled, sorry \\ really"
T5 = "Not registered by the member"
SECRETS = (J1, J2, "secret-room")


def future(days):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=days)).isoformat()


def one(lines, regex):
    found = [m for m in (re.search(regex, l) for l in lines) if m]
    assert found, "no answer matched %r in %r" % (regex, lines)
    return found[0]


def create(org, date, time_, rest):
    return int(one(cmd(org, "event add %s %s %s" % (date, time_, rest)), r"^Created #(\d+)").group(1))


def request(bot, path, method="GET", headers=None):
    """A real HTTP request with the path sent exactly as given."""
    c = http.client.HTTPConnection("127.0.0.1", bot.http_port, timeout=t(10))
    c.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    c.endheaders()
    r = c.getresponse()
    body = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, body


def get_ok(bot, path):
    status, hdrs, body = request(bot, path)
    assert status == 200, "GET %s: %d %r" % (path, status, body[:200])
    return hdrs, body


def db_events(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    con.row_factory = sqlite3.Row
    try:
        return {r["id"]: dict(r) for r in con.execute("SELECT * FROM events")}
    finally:
        con.close()


def utc_stamp(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class World:
    """The module's server, bot, organiser and member, and the events they made."""

    def __init__(self, tmp):
        self.ircd = harness.Ngircd(tmp / "ircd")
        self.ircd.start()
        self.bot = Bot(tmp / "bot", self.ircd.port, overrides=OVERRIDES)
        self.bot.start()
        self.org = self.ircd.client(ORG)
        self.org.join("#events")
        harness.wait_in_channel(self.org, "#events", BOT, t(15))
        self.member = self.ircd.client(MEMBER)
        self.db = self.bot.dir / "convene.db"
        self.files = self.bot.dir / "calendars"
        self.ids = {}

    def make_events(self):
        org, member, ids = self.org, self.member, self.ids
        # The IRC formatting (bold, colour) is stripped on the way in.
        ids[1] = create(org, future(30), "18:30", "America/Toronto 90m \x02" + T1.replace("Réunion", "\x0304Réunion\x03"))
        for field, value in (("description", D1), ("location", L1), ("url", U1),
                             ("join", J1), ("capacity", "1")):
            one(cmd(org, "event set %d %s %s" % (ids[1], field, value)), r"set")
        ids[2] = create(org, future(31), "10:00", "Europe/Paris 2h " + T2)
        one(cmd(org, "event set %d join %s" % (ids[2], J2)), r"set")
        one(cmd(org, "event set %d channel #Other" % ids[2]), r"set")
        ids[3] = create(org, future(32), "09:15", "+05:30 30m " + T3)
        ids[4] = create(org, future(33), "12:00", "UTC 45m " + T4)
        ids[5] = create(org, future(34), "20:00", "Asia/Tokyo " + T5)
        # The member: confirmed on 2, maybe on 3, waitlisted on 1, registered on 4.
        one(cmd(org, "rsvp %d yes" % ids[1]), r"confirmed")
        one(cmd(member, "rsvp %d yes" % ids[1]), r"waitlist, position 1")
        one(cmd(member, "rsvp %d yes" % ids[2]), r"confirmed")
        one(cmd(member, "rsvp %d maybe" % ids[3]), r"maybe")
        one(cmd(member, "rsvp %d yes" % ids[4]), r"confirmed")
        one(cmd(org, "event cancel %d the speaker; is ill, sorry" % ids[4]), r"Cancelled")

    def personal_url(self, client):
        m = one(cmd(client, "feed"), r"(http://\S+/calendars/me/([A-Za-z0-9_-]+)\.ics)")
        return m.group(1), m.group(2)

    def close(self):
        problems = []
        for c in (self.org, self.member):
            c.quit()
        problems += self.bot.finish()
        self.ircd.stop()
        return problems


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from harness.lent(World(tmp_path_factory.mktemp("calendars")), World.make_events)


def feed_paths(w):
    return ["/calendars/all.ics", "/calendars/channel/events.ics",
            "/calendars/channel/other.ics"] + [
        "/calendars/event/%d.ics" % i for i in sorted(w.ids.values())]


def expected_summary(row):
    return ("Cancelled: " if row["status"] == "cancelled" else "") + row["title"]


# ---------------------------------------------------------------- public feeds

def test_public_feeds_are_clean_and_complete(world):
    """Every public feed passes the byte-level check, holds the right events
    with their text intact, and names no attendee and no join link."""
    rows = db_events(world.db)
    assert rows[world.ids[1]]["title"] == T1, "the events plugin stored another title"
    uids = {rows[i]["uid"]: i for i in rows}
    want = {
        "/calendars/all.ics": set(world.ids.values()),
        "/calendars/channel/events.ics": set(world.ids.values()) - {world.ids[2]},
        "/calendars/channel/other.ics": {world.ids[2]},
    }
    for i in world.ids.values():
        want["/calendars/event/%d.ics" % i] = {i}
    for path in feed_paths(world):
        hdrs, body = get_ok(world.bot, path)
        assert hdrs["content-type"] == ICS_TYPE
        cal = icscheck.assert_clean(body, path)
        got = {uids[ev.get("UID").value] for ev in cal.components("VEVENT")}
        assert got == want[path], path
        text = body.decode("utf-8")
        for secret in SECRETS + (ORG, MEMBER, "n:cal"):
            assert secret not in text, "%s holds %r" % (path, secret)
        assert "METHOD" not in text
        for ev in cal.components("VEVENT"):
            row = rows[uids[ev.get("UID").value]]
            assert ev.get("SUMMARY").text() == expected_summary(row)
            assert int(ev.get("SEQUENCE").value) == row["sequence"]
            assert ev.get("DTSTAMP").value == utc_stamp(row["updated_at"])
            assert ev.get("STATUS").value == ("CANCELLED" if row["status"] == "cancelled" else "CONFIRMED")
            if row["description"]:
                assert row["description"] in ev.get("DESCRIPTION").text()
            if row["location"]:
                assert ev.get("LOCATION").text() == row["location"]
            zone = row["tz"]
            if "/" in zone:
                assert ev.get("DTSTART").params["TZID"] == zone
            else:	# UTC and fixed offsets: in UTC
                assert ev.get("DTSTART").value.endswith("Z")
    # The cancelled event's reason reaches subscribers.
    cal = icscheck.parse(get_ok(world.bot, "/calendars/event/%d.ics" % world.ids[4])[1])
    assert "the speaker; is ill, sorry" in cal.components("VEVENT")[0].get("DESCRIPTION").text()
    # Zones: one VTIMEZONE per zone used, plain names.
    cal = icscheck.parse(get_ok(world.bot, "/calendars/all.ics")[1])
    assert sorted(z.get("TZID").value for z in cal.components("VTIMEZONE")) == [
        "America/Toronto", "Asia/Tokyo", "Europe/Paris"]
    assert cal.get("X-WR-CALNAME").value and cal.get("REFRESH-INTERVAL").value == "PT1H"


def test_uids_are_random_and_stable(world):
    rows = db_events(world.db)
    before = {ev.get("UID").value for ev in icscheck.parse(
        get_ok(world.bot, "/calendars/all.ics")[1]).components("VEVENT")}
    assert before == {r["uid"] for r in rows.values()}
    for uid in before:
        assert re.fullmatch(r"[0-9a-f]{32}", uid), uid
    assert len(before) == len(rows)


def test_files_on_disk_match_and_are_world_readable(world):
    d = world.files
    for path in feed_paths(world):
        body = get_ok(world.bot, path)[1]
        f = d / path[len("/calendars/"):]
        assert f.read_bytes() == body, f
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f
    for sub in (d, d / "channel", d / "event"):
        assert stat.S_IMODE(sub.stat().st_mode) & 0o005 == 0o005, sub
    names = sorted(str(p.relative_to(d)) for p in d.rglob("*"))
    # No personal feed, no temporary file.
    assert not any(n.startswith("me") or ".tmp" in n for n in names), names
    assert not any("secret" in p.read_text() for p in d.rglob("*.ics"))


def python_icalendar(body):
    import icalendar
    cal = icalendar.Calendar.from_ical(body)
    out = {}
    for ev in cal.walk("VEVENT"):
        out[str(ev["UID"])] = {
            "summary": str(ev["SUMMARY"]),
            "description": str(ev.get("DESCRIPTION", "")) or None,
            "location": str(ev.get("LOCATION", "")) or None,
            "start": int(ev.decoded("DTSTART").timestamp()),
            "end": int(ev.decoded("DTEND").timestamp()),
        }
    return out


def python_vobject(body):
    import vobject
    cal = vobject.readOne(body.decode("utf-8"), validate=True)
    out = {}
    for ev in cal.vevent_list:
        c = ev.contents
        out[ev.uid.value] = {
            "summary": ev.summary.value,
            "description": c["description"][0].value if "description" in c else None,
            "location": c["location"][0].value if "location" in c else None,
            "start": int(ev.dtstart.value.timestamp()),
            "end": int(ev.dtend.value.timestamp()),
        }
    return out


def node_parser(name, path):
    if not (INTEROP / "node_modules" / "ical.js").is_dir():
        pytest.fail("the npm parsers are not installed: run tests/interop/install")
    r = subprocess.run([NODE, str(INTEROP / "parse.js"), name, str(path)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=t(60))
    assert r.returncode == 0, "%s failed on %s:\n%s" % (name, path, r.stderr)
    data = json.loads(r.stdout)
    return {e["uid"]: {k: e[k] for k in ("summary", "description", "location", "start", "end")}
            for e in data["events"]}


# A backslash before n, N, comma or semicolon in the text: bookworm's
# python3-icalendar 4.0.3 and node-ical 0.22.1 (the last for Node 18) unescape
# TEXT with chained replacements, so such a backslash comes back doubled or as
# a line break (fixed upstream in icalendar 5). For them, such a text must
# come back with every other character intact and in order.
ICALENDAR_BUG = re.compile(r"\\\\[nN,;]")
CHAINED_UNESCAPE = ("python3-icalendar", "node-ical")


def without_backslashes(s):
    return re.sub(r"[\\\n]", "", s.replace("\\n", "\n"))


def cal_prop(cal, uid, name):
    for ev in cal.components("VEVENT"):
        if ev.get("UID").value == uid:
            return ev.get(name).value
    return None


def test_parsers_agree_on_events_times_and_text(world, tmp_path):
    """python3-icalendar, vobject, ical.js and node-ical read the same events,
    instants and texts from every feed the bot serves, personal one included."""
    rows = db_events(world.db)
    by_uid = {r["uid"]: r for r in rows.values()}
    personal, _ = world.personal_url(world.member)
    paths = ["/calendars/all.ics", "/calendars/channel/other.ics",
             "/calendars/event/%d.ics" % world.ids[1], personal[personal.index("/calendars/"):]]
    for n, path in enumerate(paths):
        body = get_ok(world.bot, path)[1]
        cal = icscheck.assert_clean(body, path)
        f = tmp_path / ("feed%d.ics" % n)
        f.write_bytes(body)
        ours = {}
        for ev in cal.components("VEVENT"):
            row = by_uid[ev.get("UID").value]
            ours[row["uid"]] = {
                "summary": expected_summary(row),
                "description": ev.get("DESCRIPTION").text() if ev.get("DESCRIPTION") else None,
                "location": row["location"],
                "start": row["start_utc"],
                "end": row["start_utc"] + 60 * row["duration_min"],
            }
        results = {
            "python3-icalendar": python_icalendar(body),
            "python3-vobject": python_vobject(body),
            "ical.js": node_parser("ical.js", f),
            "node-ical": node_parser("node-ical", f),
        }
        for parser in CHAINED_UNESCAPE:
            for uid, ev in results[parser].items():
                for field in ("summary", "description", "location"):
                    if ICALENDAR_BUG.search(ours[uid][field] or ""):
                        assert without_backslashes(ev[field]) == \
                            without_backslashes(ours[uid][field]), (parser, field)
                        ev[field] = ours[uid][field]
        for parser, got in results.items():
            assert got == ours, "%s reads %s differently:\n%r\n!=\n%r" % (parser, path, got, ours)


# ---------------------------------------------------------------- personal feeds

def test_personal_feed_has_my_registrations_and_join_link(world):
    url, token = world.personal_url(world.member)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token), token
    path = url[url.index("/calendars/"):]
    hdrs, body = get_ok(world.bot, path)
    assert hdrs["content-type"] == ICS_TYPE and hdrs["etag"].startswith('"')
    # Issue 12 item 19: no shared cache (a proxy's) may keep one person's feed.
    assert hdrs["cache-control"] == "private, no-store"
    for m in ("GET", "HEAD"):
        s, h, _ = request(world.bot, path, method=m, headers={"If-None-Match": hdrs["etag"]})
        assert (s, h["cache-control"]) == (304, "private, no-store")
    cal = icscheck.assert_clean(body, "personal feed")
    rows = db_events(world.db)
    by_uid = {r["uid"]: i for i, r in rows.items()}
    evs = {by_uid[e.get("UID").value]: e for e in cal.components("VEVENT")}
    ids = world.ids
    assert set(evs) == {ids[1], ids[2], ids[3], ids[4]}
    d = {i: e.get("DESCRIPTION").text() for i, e in evs.items()}
    assert J2 in d[ids[2]] and "confirmed" in d[ids[2]]
    assert evs[ids[2]].get("STATUS").value == "CONFIRMED"
    assert J1 not in d[ids[1]] and "waitlist, position 1" in d[ids[1]]
    assert evs[ids[1]].get("STATUS").value == "TENTATIVE"
    assert "maybe" in d[ids[3]] and evs[ids[3]].get("STATUS").value == "TENTATIVE"
    assert evs[ids[4]].get("STATUS").value == "CANCELLED"
    # The same token again: the feed is kept, not made anew.
    assert world.personal_url(world.member)[1] == token
    # Never on disk.
    assert not any("me" == p.name or (p.is_file() and token in p.read_text(errors="replace"))
                   for p in world.files.rglob("*"))
    assert token not in world.bot.log_text()


def test_personal_feed_follows_changes(world):
    url, token = world.personal_url(world.member)
    path = url[url.index("/calendars/"):]
    hdrs, body = get_ok(world.bot, path)
    assert T5.encode() not in body
    one(cmd(world.member, "rsvp %d yes" % world.ids[5]), r"confirmed")
    status, hdrs2, body2 = request(world.bot, path, headers={"If-None-Match": hdrs["etag"]})
    assert status == 200 and hdrs2["etag"] != hdrs["etag"]
    assert T5 in icscheck.assert_clean(body2).components("VEVENT")[-1].get("SUMMARY").text()
    one(cmd(world.member, "rsvp %d no" % world.ids[5]), r"withdrawn")


def test_feed_reset_replaces_the_token(world):
    client = world.ircd.client("calreset")
    url, old = world.personal_url(client)
    old_path = url[url.index("/calendars/"):]
    get_ok(world.bot, old_path)
    lines = cmd(client, "feed reset")
    m = one(lines, r"http://\S+/calendars/me/([A-Za-z0-9_-]{43})\.ics")
    new = m.group(1)
    assert new != old
    status, _, gone = request(world.bot, old_path)
    assert status == 404
    # No hint: the same answer as a token that never existed, or any unknown path.
    _, _, never = request(world.bot, "/calendars/me/%s.ics" % ("A" * 43))
    _, _, other = request(world.bot, "/calendars/nothing-here.ics")
    assert gone == never == other
    get_ok(world.bot, "/calendars/me/%s.ics" % new)
    assert world.personal_url(client)[1] == new
    client.quit()


# ---------------------------------------------------------------- HTTP

def test_validators_304_and_head(world):
    bot = world.bot
    for path in ("/calendars/all.ics", "/calendars/event/%d.ics" % world.ids[3]):
        hdrs, body = get_ok(bot, path)
        etag, lm = hdrs["etag"], hdrs["last-modified"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag), etag	# strong
        assert email.utils.parsedate_to_datetime(lm)
        s, h, b = request(bot, path, headers={"If-None-Match": etag})
        assert (s, b, h["etag"]) == (304, b"", etag)
        s, h, b = request(bot, path, headers={"If-Modified-Since": lm})
        assert (s, b) == (304, b"")
        s, h, b = request(bot, path, headers={"If-None-Match": '"other"'})
        assert (s, b) == (200, body)
        earlier = email.utils.format_datetime(
            email.utils.parsedate_to_datetime(lm) - datetime.timedelta(seconds=5), usegmt=True)
        s, h, b = request(bot, path, headers={"If-Modified-Since": earlier})
        assert (s, b) == (200, body)
        s, h, b = request(bot, path, method="HEAD")
        assert (s, b, h["etag"], h["content-type"]) == (200, b"", etag, ICS_TYPE)
        assert int(h["content-length"]) == len(body)
        assert h["cache-control"] == "no-cache"
    # A change: the old validators no longer match, even within the same second.
    path = "/calendars/event/%d.ics" % world.ids[3]
    hdrs, body = get_ok(bot, path)
    seq = int(icscheck.parse(body).components("VEVENT")[0].get("SEQUENCE").value)
    one(cmd(world.org, "event set %d location Online, of course; \\o/" % world.ids[3]), r"set")
    s, h, b = request(bot, path, headers={"If-None-Match": hdrs["etag"]})
    assert s == 200 and h["etag"] != hdrs["etag"]
    s, h2, b2 = request(bot, path, headers={"If-Modified-Since": hdrs["last-modified"]})
    assert s == 200 and b2 == b
    ev = icscheck.assert_clean(b).components("VEVENT")[0]
    assert int(ev.get("SEQUENCE").value) > seq
    assert ev.get("LOCATION").text() == "Online, of course; \\o/"
    row = db_events(world.db)[world.ids[3]]
    assert ev.get("DTSTAMP").value == utc_stamp(row["updated_at"])


UNKNOWN = [
    "/calendars/", "/calendars/all", "/calendars/all.ics/", "/calendars/all.ics.bak",
    "/calendars/ALL.ics", "/calendars/event/999999.ics", "/calendars/event/abc.ics",
    "/calendars/event/.ics", "/calendars/channel/nochannel.ics", "/calendars/channel/.ics",
    "/calendars/me/short.ics", "/calendars/me/%s.ics" % ("x" * 44),
    "/calendars/me/%s.ics" % ("b" * 43), "/calendars/me/%s" % ("b" * 43),
    "/calendars/me/../all.ics", "/calendars/../convene.db", "/calendars/%2e%2e/convene.db",
    "/calendars/channel/..%2f..%2fconvene.db.ics", "/calendars/channel/%2e%2e.ics",
    "/calendars/channel/a%2fb.ics", "/calendars/event/1.ics%00", "/calendars//all.ics",
    "/calendars/channel/..%5call.ics", "/index.html", "/calendars.ics", "/nope",
]


def test_unknown_paths_and_traversal_get_404(world):
    bodies = set()
    for path in UNKNOWN:
        s, h, b = request(world.bot, path)
        assert s == 404, "%s: %d" % (path, s)
        assert "etag" not in h
        bodies.add(b)
        s, h, b = request(world.bot, path, method="HEAD")
        assert s == 404, "HEAD %s: %d" % (path, s)
    assert len(bodies) == 1, bodies
    # Channel names are folded the way the network folds them.
    assert get_ok(world.bot, "/calendars/channel/OTHER.ics")[1] == \
        get_ok(world.bot, "/calendars/channel/other.ics")[1]
    s, _, _ = request(world.bot, "/calendars/all.ics", method="POST")
    assert s == 405


class _Page(html.parser.HTMLParser):
    VOID = {"meta", "br", "link", "img", "input", "hr"}

    def __init__(self):
        super().__init__()
        self.stack, self.links, self.text, self.errors, self.tags = [], [], [], [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes %s" % (tag, self.stack[-1:] or "nothing"))
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_page(world):
    hdrs, body = get_ok(world.bot, "/")
    assert hdrs["content-type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    p = _Page()
    p.feed(page)
    p.close()
    assert not p.errors and not p.stack, (p.errors, p.stack)
    assert "script" not in p.tags
    text = "".join(p.text)
    base = "127.0.0.1:%d" % world.bot.http_port
    web = "webcal://%s/calendars/all.ics" % base
    assert web in p.links
    assert "https://calendar.google.com/calendar/r?cid=" + web in p.links
    assert "webcal://%s/calendars/channel/other.ics" % base in p.links
    for key, i in world.ids.items():
        assert "http://%s/calendars/event/%d.ics" % (base, i) in p.links
        if key != 4:	# cancelled: nothing to add
            assert "webcal://%s/calendars/event/%d.ics" % (base, i) in p.links
    # Escaped, and back intact once unescaped.
    assert "&lt;b&gt;not html&lt;/b&gt;" in page and "<b>not html" not in page
    for title in (T1, T2, T3, T5):
        assert title in text, title
    assert U1 in p.links
    for secret in SECRETS + (ORG, MEMBER):
        assert secret not in page
    # What a newcomer acts on: numbers, the command with the bot's nick, places.
    for key, i in world.ids.items():
        assert "http://%s/event/%d" % (base, i) in p.links
        assert "#%d" % i in text
        if key != 4:
            assert "/msg %s rsvp %d" % (BOT, i) in text
    assert "/msg %s rsvp %d" % (BOT, world.ids[4]) not in text
    assert "Full, waitlist open" in text	# 1: capacity 1, the organiser confirmed
    assert "irc://127.0.0.1:%d/events" % world.ircd.port in p.links
    # One event's page: its texts escaped, never a name nor a join link.
    ehdrs, body = get_ok(world.bot, "/event/%d" % world.ids[2])
    assert ehdrs["content-type"] == "text/html; charset=utf-8"
    one_page = body.decode("utf-8")
    q = _Page()
    q.feed(one_page)
    q.close()
    assert not q.errors and not q.stack, (q.errors, q.stack)
    assert "script" not in q.tags
    assert T2 in "".join(q.text) and "<b>not html" not in one_page
    assert "irc://127.0.0.1:%d/Other" % world.ircd.port in q.links
    for secret in SECRETS + (ORG, MEMBER):
        assert secret not in one_page
    s, h, b = request(world.bot, "/", headers={"If-None-Match": hdrs["etag"]})
    assert s == 304


def feed_renders(bot):
    """How many iCalendar documents the bot rendered (its /metrics summary)."""
    _, _, text = request(bot, "/metrics")
    m = re.search(rb"^convene_feed_render_seconds_count(?:\{\})? (\S+)$", text, re.M)
    assert m, text[:500]
    return float(m.group(1))


def test_registration_renders_the_page_only(world):
    """Issue 17: no feed shows registration counts, so a registration
    renders no feed: all.ics, the channel feeds and the event's feed keep
    their bytes and validators; the page, which shows places left, changes."""
    i = world.ids[5]
    one(cmd(world.org, "event set %d capacity 10" % i), r"set")
    paths = ["/calendars/all.ics", "/calendars/channel/events.ics",
             "/calendars/event/%d.ics" % i]
    before = {p: get_ok(world.bot, p) for p in paths}
    page_hdrs, page = get_ok(world.bot, "/")
    assert "10 places left" in page.decode()
    renders = feed_renders(world.bot)
    client = world.ircd.client("calcount")
    one(cmd(client, "rsvp %d yes" % i), r"confirmed")
    s, h, page2 = request(world.bot, "/", headers={"If-None-Match": page_hdrs["etag"]})
    assert s == 200 and h["etag"] != page_hdrs["etag"]
    assert "9 places left" in page2.decode()
    for p in paths:
        hdrs, body = get_ok(world.bot, p)
        assert (hdrs["etag"], hdrs["last-modified"], body) == \
            (before[p][0]["etag"], before[p][0]["last-modified"], before[p][1]), p
    assert feed_renders(world.bot) == renders, "a registration rendered a feed"
    one(cmd(client, "rsvp %d no" % i), r"withdrawn")
    assert "10 places left" in get_ok(world.bot, "/")[1].decode()
    assert feed_renders(world.bot) == renders
    client.quit()


# ---------------------------------------------------------------- a real subscription

def khal_events(cfg, day):
    r = subprocess.run(["khal", "-c", str(cfg), "list", "--format",
                        "{start-date} {start-time}-{end-time} {title}", "--day-format", "",
                        day, "2d"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=t(60), env=dict(os.environ, TZ="Asia/Tokyo"))
    assert r.returncode == 0, r.stdout
    return [l for l in r.stdout.splitlines() if l.strip()]


def vdirsyncer(cfg):
    for args in (["discover"], ["sync"]):
        r = subprocess.run(["vdirsyncer", "-c", str(cfg)] + args, input="y\n" * 4,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=t(120))
        assert r.returncode == 0, "vdirsyncer %s:\n%s" % (args, r.stdout)


@pytest.mark.deadline(180)
def test_vdirsyncer_and_khal_subscription(world, tmp_path):
    """vdirsyncer subscribes to the served channel feed; khal shows the event
    at the right local time in another zone; again after the start moves."""
    ident = create(world.org, future(40), "19:00", "America/Toronto 1h Subscribed: café & co")
    one(cmd(world.org, "event set %d channel #khal" % ident), r"set")
    url = "http://127.0.0.1:%d/calendars/channel/khal.ics" % world.bot.http_port
    store = tmp_path / "store"
    (store / "feed").mkdir(parents=True)
    vcfg = tmp_path / "vdirsyncer.conf"
    vcfg.write_text(
        "[general]\nstatus_path = \"%s/status/\"\n\n"
        "[pair feed]\na = \"remote\"\nb = \"local\"\ncollections = null\n"
        "conflict_resolution = \"a wins\"\n\n"
        "[storage remote]\ntype = \"http\"\nurl = \"%s\"\n\n"
        "[storage local]\ntype = \"filesystem\"\npath = \"%s/feed/\"\nfileext = \".ics\"\n"
        % (tmp_path, url, store))
    kcfg = tmp_path / "khal.conf"
    kcfg.write_text(
        "[calendars]\n[[feed]]\npath = %s/feed/\n\n"
        "[locale]\nlocal_timezone = Asia/Tokyo\ndefault_timezone = Asia/Tokyo\n"
        "timeformat = %%H:%%M\ndateformat = %%Y-%%m-%%d\nlongdateformat = %%Y-%%m-%%d\n"
        "datetimeformat = %%Y-%%m-%%d %%H:%%M\nlongdatetimeformat = %%Y-%%m-%%d %%H:%%M\n"
        "\n[default]\ndefault_calendar = feed\n"
        # khal's cache, by default one per user: tests in parallel would mix.
        "\n[sqlite]\npath = %s/khal.db\n" % (store, tmp_path))

    def tokyo(seconds):
        return datetime.datetime.fromtimestamp(seconds, datetime.timezone(datetime.timedelta(hours=9)))

    for move in (None, "%s 07:45 Europe/Paris" % future(41)):
        if move:
            one(cmd(world.org, "event set %d start %s" % (ident, move)), r"set")
        row = db_events(world.db)[ident]
        start = tokyo(row["start_utc"])
        end = tokyo(row["start_utc"] + 60 * row["duration_min"])
        vdirsyncer(vcfg)
        lines = khal_events(kcfg, start.strftime("%Y-%m-%d"))
        want = "%s %s-%s Subscribed: café & co" % (
            start.strftime("%Y-%m-%d"), start.strftime("%H:%M"), end.strftime("%H:%M"))
        assert lines == [want], "khal shows %r, expected %r" % (lines, want)


# ---------------------------------------------------------------- restart (last: it restarts the bot)

def wait_served(bot, path, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return get_ok(bot, path)
        except (OSError, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_restart_keeps_validators_and_files(world):
    """The feeds of single events are not rendered again nor rewritten at a
    start when their event did not change: the same ETag and Last-Modified
    (a client's If-None-Match / If-Modified-Since still match), the same file."""
    paths = ["/calendars/event/%d.ics" % i for i in sorted(world.ids.values())]
    before = {p: get_ok(world.bot, p) for p in paths}
    files = {p: (world.files / p[len("/calendars/"):]).stat() for p in paths}
    world.bot.restart()
    for p in paths:
        hdrs, body = wait_served(world.bot, p, t(15))
        old_hdrs, old_body = before[p]
        assert body == old_body, p
        assert (hdrs["etag"], hdrs["last-modified"]) == \
            (old_hdrs["etag"], old_hdrs["last-modified"]), p
        s, _, _ = request(world.bot, p, headers={"If-None-Match": old_hdrs["etag"]})
        assert s == 304, p
        st = (world.files / p[len("/calendars/"):]).stat()
        assert (st.st_ino, st.st_mtime_ns) == (files[p].st_ino, files[p].st_mtime_ns), \
            "%s was written again" % p
