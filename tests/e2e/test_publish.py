"""Acceptance tests of publishing ([calendars] publish_*): the real bot keeps
copies of its calendars on a real Radicale (Debian's radicale package),
started by this module from a config file in a tmp folder, with htpasswd
authentication on a free loopback port.

caldav: each event is its own resource in a CalDAV collection (made here
with MKCALENDAR): created, changed, cancelled, deleted when purged; the
server going down and coming back (also across a restart of the bot); a
change made on the server meanwhile is a conflict, never overwritten; a
series is one resource with its RRULE, EXDATE and overrides.

webdav: the public feed files are PUT under a plain WebDAV folder. Radicale
takes a whole calendar PUT to a path under a plain collection and keeps it
as a calendar of its own (its rights file here allows plain collections, so
the bot can MKCOL channel/ and event/); it serves the events back
re-serialised, so the tests compare events, not bytes."""

import datetime
import http.client
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import icalendar
import pytest

import harness
from harness import Bot, ask as cmd, from_bot, irc_lower, t

BOT = "convene"
ORG = "puborg"
USER = "convene"
PASSWORD = "Pa55-publish-s3cret"
RADICALE = shutil.which("radicale") or "/usr/bin/radicale"


def future(days):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=days)).isoformat()


class Radicale:
    """Radicale 3 from Debian, as a subprocess, storage in a tmp folder."""

    def __init__(self, workdir):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = harness.free_port()
        (self.dir / "users").write_text("%s:%s\n" % (USER, PASSWORD))
        (self.dir / "rights").write_text(
            "[all]\nuser: .+\ncollection: .*\npermissions: RrWw\n")
        self.conf = self.dir / "radicale.conf"
        self.conf.write_text(
            "[server]\nhosts = 127.0.0.1:%d\n"
            "[auth]\ntype = htpasswd\nhtpasswd_filename = %s\nhtpasswd_encryption = plain\n"
            "[rights]\ntype = from_file\nfile = %s\n"
            "[storage]\nfilesystem_folder = %s\n"
            "[logging]\nlevel = warning\nmask_passwords = True\n"
            % (self.port, self.dir / "users", self.dir / "rights", self.dir / "store"))
        self.log = self.dir / "radicale.log"
        self.proc = None

    def start(self):
        deadline = time.monotonic() + t(10)
        while not harness.port_is_free(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([RADICALE, "--config", str(self.conf)], stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if not harness.wait_port(self.port, t(15), proc=self.proc):
            raise RuntimeError("radicale did not start:\n" + self.log.read_text()[-2000:])

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(t(10))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=t(10))
        import base64
        h = {"Authorization": "Basic " + base64.b64encode(
            ("%s:%s" % (USER, PASSWORD)).encode()).decode()}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, data

    def get(self, path):
        return self.request("GET", path)


def one(lines, regex):
    found = [m for m in (re.search(regex, l) for l in lines) if m]
    assert found, "no answer matched %r in %r" % (regex, lines)
    return found[0]


def create(org, days, rest, bot=BOT):
    return int(one(cmd(org, "event add %s 18:00 %s" % (future(days), rest), bot),
                   r"^Created #(\d+)").group(1))


def uid_of(bot, n):
    import sqlite3
    con = sqlite3.connect("file:%s?mode=ro" % (bot.dir / "convene.db"), uri=True)
    try:
        return con.execute("SELECT uid FROM events WHERE id = ?", (n,)).fetchone()[0]
    finally:
        con.close()


def events_of(body):
    cal = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def wait_until(fn, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.2)


COLL = "/%s/events/" % USER


class World:
    def __init__(self, tmp):
        self.radicale = Radicale(tmp / "radicale")
        self.radicale.start()
        status, _, body = self.radicale.request("MKCALENDAR", COLL)
        assert status == 201, (status, body)
        self.ircd = harness.Ngircd(tmp / "ircd")
        self.ircd.start()
        pw = tmp / "publish-password"
        pw.write_text(PASSWORD + "\n")
        self.clock = tmp / "clock"
        self.clock.write_text("0\n")
        self.bot = Bot(tmp / "bot", self.ircd.port, env={"CONVENE_TIME_OFFSET_FILE": str(self.clock)},
                       overrides={
                           "bot": {"owners": "%s!*@*" % ORG, "command_burst": 100,
                                   "command_rate": 100},
                           "irc": {"flood_burst": 50, "flood_rate": 50},
                           "calendars": {
                               "publish_url": "http://127.0.0.1:%d%s" % (self.radicale.port, COLL),
                               "publish_mode": "caldav",
                               "publish_user": USER,
                               "publish_password_file": str(pw),
                               "report_to": ORG,
                           }})
        self.pwfile = pw
        self.bot.start()
        self.org = self.ircd.client(ORG)
        self.org.join("#events")
        harness.wait_in_channel(self.org, "#events", BOT, t(15))

    def resource(self, n):
        """The server's copy of event #n: (status, etag, VEVENT or None)."""
        status, hdrs, body = self.radicale.get(COLL + uid_of(self.bot, n) + ".ics")
        if status != 200:
            return status, None, None
        return status, hdrs.get("etag"), events_of(body).get(uid_of(self.bot, n))

    def wait_resource(self, n, pred, what, timeout=15):
        def check():
            status, etag, ev = self.resource(n)
            return ev is not None and pred(ev) and ev
        return wait_until(check, t(timeout), what)

    def close(self):
        self.org.quit()
        problems = self.bot.finish()
        self.ircd.stop()
        self.radicale.stop()
        return problems


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World(tmp_path_factory.mktemp("publish"))
    yield w
    problems = w.close()
    # The password never reaches the bot's log.
    log = w.bot.log_text()
    if PASSWORD in log:
        problems.append("the publishing password is in the bot's log")
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


# ---------------------------------------------------------------- caldav

def test_create_change_cancel(world):
    n = create(world.org, 5, "UTC 90m Digital rights clinic")
    ev = world.wait_resource(n, lambda e: True, "the event on the server")
    assert str(ev["SUMMARY"]) == "Digital rights clinic"
    assert ev.decoded("DTSTART") == datetime.datetime.fromisoformat(
        future(5) + "T18:00:00+00:00")
    assert ev.decoded("DTEND") - ev.decoded("DTSTART") == datetime.timedelta(minutes=90)
    seq = int(ev["SEQUENCE"])
    # The resource is ours alone: one event, no calendar-level names, no METHOD.
    _, _, body = world.radicale.get(COLL + uid_of(world.bot, n) + ".ics")
    assert b"METHOD:" not in body

    one(cmd(world.org, "event set %d title Digital rights clinic (room 2)" % n), r"set")
    ev = world.wait_resource(n, lambda e: str(e["SUMMARY"]) == "Digital rights clinic (room 2)",
                             "the change on the server")
    assert int(ev["SEQUENCE"]) > seq
    seq = int(ev["SEQUENCE"])

    one(cmd(world.org, "event cancel %d speaker ill" % n), r"Cancelled")
    ev = world.wait_resource(n, lambda e: str(e.get("STATUS")) == "CANCELLED",
                             "the cancellation on the server")
    assert int(ev["SEQUENCE"]) > seq
    assert str(ev["SUMMARY"]).startswith("Cancelled: ")
    # Still a resource: subscribers must see the cancellation.
    assert world.resource(n)[0] == 200


def test_server_down_and_back(world):
    a = create(world.org, 6, "UTC Before the outage")
    world.wait_resource(a, lambda e: True, "the first event")
    world.radicale.stop()
    mark = len(world.bot.log_text())
    b = create(world.org, 7, "UTC Made while the server is down")
    one(cmd(world.org, "event set %d title Changed while the server is down" % a), r"set")
    wait_until(lambda: re.search(r"publishing \S+: .*retrying in \d+ s \(failure [2-9]",
                                 world.bot.log_text()[mark:]),
               t(15), "retries with backoff in the log")
    delays = [int(d) for d in re.findall(r"retrying in (\d+) s", world.bot.log_text()[mark:])]
    assert delays == sorted(delays) and delays[-1] > delays[0], delays
    status = cmd(world.org, "publish")
    assert re.search(r"Publishing \(caldav\): \d+ on the server, [2-9] waiting, 0 conflicts", status[0]), status
    # curl's words stay in the log: people read a sentence of the bot's, in their language.
    assert re.match(r"^Last failure: the server could not be reached \(\d+ in a row\); next "
                    r"try in \d+ s\.$", status[1]), status
    assert cmd(world.org, "lang fr") == ["Désormais, je vous réponds en français."]
    status = cmd(world.org, "publish")
    cmd(world.org, "lang en")
    assert re.match("^Dernier échec\u00a0: le serveur est injoignable \\(\\d+ de suite\\); "
                    "prochain essai dans \\d+\u00a0s\\.$", status[1]), status
    # The bot still answers at once: it never blocks on the network.
    t0 = time.monotonic()
    cmd(world.org, "events")
    assert time.monotonic() - t0 < t(2)

    world.radicale.start()
    world.wait_resource(b, lambda e: str(e["SUMMARY"]) == "Made while the server is down",
                        "the event made during the outage", timeout=40)
    world.wait_resource(a, lambda e: str(e["SUMMARY"]) == "Changed while the server is down",
                        "the change made during the outage", timeout=40)
    world.bot.wait_log(r"publishing works again")


def test_nothing_lost_across_a_restart(world):
    world.radicale.stop()
    c = create(world.org, 8, "UTC Made before the restart")
    world.bot.wait_log(r"publishing %s\.ics: .*retrying" % uid_of(world.bot, c))
    world.bot.restart()
    harness.wait_in_channel(world.org, "#events", BOT, t(15))
    world.radicale.start()
    world.wait_resource(c, lambda e: str(e["SUMMARY"]) == "Made before the restart",
                        "the event after the restart", timeout=40)


def edit_on_server(radicale, path, old, new):
    """Change the server's copy at path as another calendar client would:
    old replaced by new, written with If-Match."""
    _, hdrs, body = radicale.get(path)
    theirs = body.replace(old, new)
    assert theirs != body
    st, _, _ = radicale.request("PUT", path, theirs, {
        "Content-Type": "text/calendar; charset=utf-8", "If-Match": hdrs["etag"]})
    assert st in (201, 204), st


def test_conflict_is_reported_not_overwritten(world):
    n = create(world.org, 9, "UTC Conflict target")
    world.wait_resource(n, lambda e: True, "the event")
    edit_on_server(world.radicale, COLL + uid_of(world.bot, n) + ".ics",
                   b"SUMMARY:Conflict target", b"SUMMARY:Edited on the server")

    world.org.privmsg(BOT, "event set %d title Changed in Convene" % n)
    report = world.org.wait_for(lambda l: from_bot(l, ORG) and "conflict" in l.text.lower(),
                                timeout=t(15))
    assert "%s.ics" % uid_of(world.bot, n) in report.text
    assert "publish overwrite" in report.text
    world.org.wait_for(lambda l: from_bot(l, ORG) and l.text.endswith("title set."))
    world.bot.wait_log(r"Publishing conflict: %s\.ics" % uid_of(world.bot, n))
    # The server's copy stays as it was edited there.
    time.sleep(1)
    assert str(world.resource(n)[2]["SUMMARY"]) == "Edited on the server"
    status = cmd(world.org, "publish")
    assert re.search(r"1 conflict: %s\.ics" % uid_of(world.bot, n), status[0]), status
    # Other changes still go out.
    other = create(world.org, 10, "UTC After the conflict")
    world.wait_resource(other, lambda e: True, "an event after the conflict")
    assert str(world.resource(n)[2]["SUMMARY"]) == "Edited on the server"

    # An owner decides: Convene's version replaces it.
    one(cmd(world.org, "publish overwrite"), r"replaces the server's copy of 1 resource")
    world.wait_resource(n, lambda e: str(e["SUMMARY"]) == "Changed in Convene",
                        "the overwrite")
    assert re.search(r" 0 conflicts", cmd(world.org, "publish")[0])


def test_cancellation_goes_through_a_conflict(world):
    """A copy edited on the server holds other writes back, but not a
    cancellation: it is applied to the server's copy, which keeps the edit,
    and the owners are told."""
    n = create(world.org, 11, "UTC Cancel through a conflict")
    world.wait_resource(n, lambda e: True, "the event")
    seq = int(world.resource(n)[2]["SEQUENCE"])
    uid = uid_of(world.bot, n)
    path = COLL + uid + ".ics"
    edit_on_server(world.radicale, path, b"SUMMARY:Cancel through a conflict",
                   b"SUMMARY:Moved to room 7\r\nLOCATION:Room 7")

    world.org.privmsg(BOT, "event cancel %d speaker ill" % n)
    world.org.wait_for(lambda l: from_bot(l, ORG) and l.text.startswith("Cancelled"))
    ev = world.wait_resource(n, lambda e: str(e.get("STATUS")) == "CANCELLED",
                             "the cancellation on the server's copy")
    # Their edit stays; the cancellation is news to calendar apps.
    assert str(ev["SUMMARY"]) == "Moved to room 7"
    assert str(ev["LOCATION"]) == "Room 7"
    assert int(ev["SEQUENCE"]) > seq
    report = world.org.wait_for(lambda l: from_bot(l, ORG) and "conflict" in l.text.lower(),
                                timeout=t(15))
    assert "%s.ics" % uid in report.text and "cancellation" in report.text, report.text
    # It is still a conflict: the owners decide about the rest.
    assert re.search(r"1 conflict: %s\.ics" % uid, cmd(world.org, "publish")[0])
    one(cmd(world.org, "publish overwrite"), r"replaces the server's copy of 1 resource")
    world.wait_resource(n, lambda e: str(e["SUMMARY"]).startswith("Cancelled: "),
                        "the overwrite")


def test_report_never_goes_to_a_nick_that_does_not_match(world, tmp_path):
    """Without report_to, a conflict is only logged: in particular it never
    goes to whoever holds the nick of an owner mask without matching it."""
    coll = "/%s/owners/" % USER
    status, _, body = world.radicale.request("MKCALENDAR", coll)
    assert status == 201, (status, body)
    other = Bot(tmp_path / "bot", world.ircd.port, nick="convene3", overrides={
        "bot": {"owners": "%s!*@*, pubowner!*@owner.invalid" % ORG,
                "command_burst": 100, "command_rate": 100},
        "calendars": {
            "publish_url": "http://127.0.0.1:%d%s" % (world.radicale.port, coll),
            "publish_mode": "caldav",
            "publish_user": USER,
            "publish_password_file": str(world.pwfile),
        }})
    other.start()
    impostor = world.ircd.client("pubowner")
    try:
        impostor.join("#events")
        harness.wait_in_channel(world.org, "#events", "convene3", t(15))
        harness.wait_in_channel(impostor, "#events", "convene3", t(15))
        n = create(world.org, 12, "UTC Owners only", bot="convene3")
        path = coll + uid_of(other, n) + ".ics"
        wait_until(lambda: world.radicale.get(path)[0] == 200, t(15), "the event on the server")
        edit_on_server(world.radicale, path, b"SUMMARY:Owners only", b"SUMMARY:Edited there")
        one(cmd(world.org, "event set %d title Edited here" % n, bot="convene3"), r"set")
        other.wait_log(r"Publishing conflict: %s\.ics" % uid_of(other, n))
        time.sleep(1)
        told = [l.text for l in impostor.collect(duration=1.0)
                if l.command == "NOTICE" and irc_lower(l.nick) == "convene3"]
        assert told == [], told
    finally:
        impostor.quit()
        problems = other.finish()
    assert not problems, problems


def test_conflict_report_in_the_language_of_report_to(world, tmp_path):
    """Issue 15: the report goes to report_to in its language ([bot] language
    for a nick); the log keeps the English."""
    coll = "/%s/rapport/" % USER
    status, _, body = world.radicale.request("MKCALENDAR", coll)
    assert status == 201, (status, body)
    other = Bot(tmp_path / "bot", world.ircd.port, nick="convene4", overrides={
        "bot": {"owners": "%s!*@*" % ORG, "language": "fr",
                "command_burst": 100, "command_rate": 100},
        "calendars": {
            "publish_url": "http://127.0.0.1:%d%s" % (world.radicale.port, coll),
            "publish_mode": "caldav",
            "publish_user": USER,
            "publish_password_file": str(world.pwfile),
            "report_to": "pubrapport",
        }})
    other.start()
    reader = world.ircd.client("pubrapport")
    try:
        reader.join("#events")
        harness.wait_in_channel(world.org, "#events", "convene4", t(15))
        assert cmd(world.org, "lang en", bot="convene4") == ["From now on I answer you in English."]
        n = create(world.org, 13, "UTC Rapport", bot="convene4")
        path = coll + uid_of(other, n) + ".ics"
        wait_until(lambda: world.radicale.get(path)[0] == 200, t(15), "the event on the server")
        edit_on_server(world.radicale, path, b"SUMMARY:Rapport", b"SUMMARY:Edited there")
        one(cmd(world.org, "event set %d title Changed here" % n, bot="convene4"), r"set")
        report = reader.wait_for(lambda l: l.command == "NOTICE"
                                 and irc_lower(l.nick) == "convene4", timeout=t(15))
        assert report.text == (
            "Conflit de publication\u00a0: %s.ics a été modifié sur le serveur, donc Convene "
            "ne l’a pas remplacé. Vérifiez la copie du serveur; «\u00a0publish overwrite\u00a0» "
            "la remplace par celle de Convene." % uid_of(other, n)), report.text
        other.wait_log(r"Publishing conflict: %s\.ics was changed on the server, so Convene "
                       r"did not replace it\." % uid_of(other, n))
    finally:
        reader.quit()
        problems = other.finish()
    assert not problems, problems


def test_members_cannot_see_or_overwrite(world):
    member = world.ircd.client("pubmember")
    try:
        for c in ("publish", "publish overwrite"):
            lines = cmd(member, c)
            assert lines and "owner" in lines[0].lower(), lines
    finally:
        member.quit()


def db_rows(bot, sql, args=()):
    import sqlite3
    con = sqlite3.connect("file:%s?mode=ro" % (bot.dir / "convene.db"), uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def listed_resources(world):
    """The names of the .ics resources in the collection (PROPFIND Depth 1)."""
    status, _, body = world.radicale.request("PROPFIND", COLL, headers={"Depth": "1"})
    assert status == 207, (status, body[:500])
    return sorted(set(re.findall(r"%s([^<>/\s]+\.ics)" % re.escape(COLL), body.decode())))


def test_series_is_one_resource(world):
    """A series with a cancelled and a moved occurrence is ONE resource on the
    CalDAV server: its RRULE, an EXDATE and a RECURRENCE-ID override under its
    UID; what a client expands from the copy the server holds is the bot's
    own list of occurrences, instant for instant."""
    import recurring_ical_events
    n = create(world.org, 2, "Europe/Paris 1h Published series")
    one(cmd(world.org, "event set %d repeat weekly times 8" % n), r"repeats every")
    kids = db_rows(world.bot, "SELECT occ_date FROM events WHERE series_id = ?"
                   " ORDER BY occ_date", (n,))
    assert len(kids) == 8, kids
    gone, moved = kids[2][0], kids[4][0]
    one(cmd(world.org, "event cancel %d@%s" % (n, gone)), r"(?i)cancelled")
    one(cmd(world.org, "event set %d@%s start %s 20:15" % (n, moved, moved)), r"start set")
    uid = uid_of(world.bot, n)
    path = COLL + uid + ".ics"

    def holds_all():
        status, _, body = world.radicale.get(path)
        text = body.decode(errors="replace").replace("\r\n ", "")
        return status == 200 and "EXDATE" in text and "RECURRENCE-ID" in text and text

    text = wait_until(holds_all, t(20), "the series with its exceptions on the server")
    cal = icalendar.Calendar.from_ical(text)
    vevents = cal.walk("VEVENT")
    assert {str(e["UID"]) for e in vevents} == {uid}, text
    masters = [e for e in vevents if "RRULE" in e]
    overrides = [e for e in vevents if "RECURRENCE-ID" in e]
    assert len(masters) == 1 and len(overrides) == 1 and len(vevents) == 2, text
    assert masters[0]["RRULE"]["FREQ"] == ["WEEKLY"] and masters[0]["RRULE"]["COUNT"] == [8]
    exdates = [d.dt for x in (masters[0]["EXDATE"] if isinstance(masters[0]["EXDATE"], list)
                              else [masters[0]["EXDATE"]]) for d in x.dts]
    assert [d.date().isoformat() for d in exdates] == [gone], exdates
    assert overrides[0].decoded("RECURRENCE-ID").date().isoformat() == moved
    assert overrides[0].decoded("DTSTART").strftime("%H:%M") == "20:15"

    # ONE resource for the series: none for its occurrences.
    def settled():
        names = listed_resources(world)
        return [r for r in names if r.startswith(uid)] == [uid + ".ics"] and names
    names = wait_until(settled, t(20), "one resource for the series")
    assert not [r for r in names if r.startswith(uid + "-")], names
    status, _, body = world.radicale.request(
        "REPORT", COLL, headers={"Depth": "1", "Content-Type": "application/xml"},
        body='<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:"'
        ' xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop>'
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
        '<C:prop-filter name="UID"><C:text-match collation="i;octet">%s</C:text-match>'
        '</C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>' % uid)
    assert status == 207 and body.decode().count("<D:href>") + body.decode().count(
        "<href>") == 1, body.decode()[:3000]

    # A client's expansion of the server's copy is the bot's list.
    rows = db_rows(world.bot, "SELECT start_utc, status FROM events WHERE series_id = ?"
                   " ORDER BY start_utc", (n,))
    want = [s for s, st in rows if st == "active"]
    at = lambda s: datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    got = sorted(int(e["DTSTART"].dt.timestamp()) for e in
                 recurring_ical_events.of(cal).between(at(rows[0][0] - 60), at(rows[-1][0] + 60))
                 if str(e.get("STATUS", "")) != "CANCELLED")
    assert got == want and len(want) == 7, (got, want)


def test_series_moved_from_now_on(world):
    """A series whose start was changed from now on, after two occurrences,
    is still ONE resource: its new DTSTART, the two held as RDATEs; what a
    client expands from the server's copy is the bot's list."""
    import recurring_ical_events
    n = create(world.org, 2, "Europe/Paris 1h Moved series")
    one(cmd(world.org, "event set %d repeat weekly times 6" % n), r"repeats every")
    world.clock.write_text("%d\n" % (10 * 86400))
    try:
        one(cmd(world.org, "event set %d start %s 20:30" % (n, future(13))),
            r"start set from now on")
        uid = uid_of(world.bot, n)

        def moved():
            status, _, body = world.radicale.get(COLL + uid + ".ics")
            text = body.decode(errors="replace").replace("\r\n ", "")
            return status == 200 and text.count("RDATE") == 2 and "T203000" in text and text

        text = wait_until(moved, t(20), "the moved series on the server")
        cal = icalendar.Calendar.from_ical(text)
        assert {str(e["UID"]) for e in cal.walk("VEVENT")} == {uid}, text
        rows = db_rows(world.bot, "SELECT start_utc FROM events WHERE series_id = ?"
                       " AND status = 'active' ORDER BY start_utc", (n,))
        want = [s for s, in rows]
        at = lambda s: datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
        got = sorted(int(e["DTSTART"].dt.timestamp()) for e in
                     recurring_ical_events.of(cal).between(at(want[0] - 60), at(want[-1] + 60)))
        assert got == want and len(want) == 6, (got, want)
        assert [r for r in listed_resources(world) if r.startswith(uid)] == [uid + ".ics"]
    finally:
        world.clock.write_text("0\n")


def test_purged_events_are_deleted(world):
    """Last: moves the bot's clock 60 days on. Ended events are purged
    (retention) and leave the feeds: their resources are deleted."""
    n = create(world.org, 3, "UTC Soon over")
    world.wait_resource(n, lambda e: True, "the event")
    path = COLL + uid_of(world.bot, n) + ".ics"
    world.clock.write_text("%d\n" % (60 * 86400))
    world.bot.wait_log(r"retention: registrations of \d+ ended event", timeout=t(15))
    wait_until(lambda: world.radicale.get(path)[0] == 404, t(15), "the resource deleted")
    # Every event made here has ended by then: the collection is empty (the
    # deletes go one request at a time, so the others may still be on their way).
    def listing():
        return world.radicale.request("PROPFIND", COLL, headers={"Depth": "1"})

    wait_until(lambda: b".ics" not in listing()[2], t(15), "the collection emptied")
    status, _, body = listing()
    assert status == 207
    assert b".ics" not in body, body[:2000]


# ---------------------------------------------------------------- webdav

def test_webdav_feed_files(world, tmp_path):
    feeds = "/%s/feeds/" % USER
    other = Bot(tmp_path / "bot", world.ircd.port, nick="convene2", overrides={
        "bot": {"owners": "%s!*@*" % ORG, "command_burst": 100, "command_rate": 100},
        "calendars": {
            "publish_url": "http://127.0.0.1:%d%s" % (world.radicale.port, feeds),
            "publish_mode": "webdav",
            "publish_user": USER,
            "publish_password_file": str(world.pwfile),
        }})
    other.start()
    try:
        harness.wait_in_channel(world.org, "#events", "convene2", t(15))
        n = create(world.org, 4, "UTC WebDAV event", bot="convene2")
        uid = uid_of(other, n)

        def has(path, pred=lambda e: True):
            status, _, body = world.radicale.get(feeds + path)
            return status == 200 and uid in events_of(body) and pred(events_of(body)[uid])

        for path in ("all.ics", "channel/events.ics", "event/%d.ics" % n):
            wait_until(lambda: has(path), t(15), "%s on the server" % path)
        one(cmd(world.org, "event cancel %d" % n, bot="convene2"), r"Cancelled")
        wait_until(lambda: has("all.ics", lambda e: str(e.get("STATUS")) == "CANCELLED"),
                   t(15), "the cancellation in all.ics")
        wait_until(lambda: re.search(r"Publishing \(webdav\): 3 on the server, 0 waiting, "
                                     r"0 conflicts", cmd(world.org, "publish", bot="convene2")[0]),
                   t(15), "every feed file written")
        for path in ("channel/events.ics", "event/%d.ics" % n):
            assert has(path, lambda e: str(e.get("STATUS")) == "CANCELLED"), path
    finally:
        problems = other.finish()
    assert not problems, problems
    assert PASSWORD not in other.log_text()
