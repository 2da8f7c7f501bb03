"""Series (issue 16): a weekly webinar made a series with `event set N
repeat weekly`, its occurrences named N@YYYY-MM-DD, each with its own
places and registrations, against a real ngircd and the bot's real SQLite
file read back read-only."""

import datetime
import re
import time

import pytest

import harness
from harness import from_bot, t
from test_events import Net, cmd, create, db_rows, nick, none, one

ZONE = "America/Toronto"


def day(days_ahead):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=days_ahead)).isoformat()


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    yield from harness.lent(Net(tmp_path_factory.mktemp("series")))


def children(net, eid):
    return db_rows(net.db, "SELECT id, occ_date, status FROM events WHERE series_id = ?"
                   " ORDER BY occ_date", (eid,))


@pytest.mark.deadline(180)
def test_weekly_webinar(net):
    org = net.org
    alice, bob, carol = (net.client(nick(n)) for n in ("alice", "bob", "carol"))
    first, second = day(3), day(10)
    eid = create(org, "%s 18:00 %s" % (first, ZONE), "Weekly webinar")
    one(cmd(org, "event set %d capacity 2" % eid), r"capacity set")
    one(cmd(alice, "rsvp %d" % eid), r"(?i)confirmed|place")

    # The event becomes a series: occurrences are made ahead, the first
    # takes over the event's registrations.
    lines = cmd(org, "event set %d repeat weekly" % eid)
    one(lines, r"#%d Weekly webinar repeats every \w+day" % eid)
    kids = children(net, eid)
    assert len(kids) >= 9, kids
    assert kids[0][1] == first and kids[1][1] == second, kids
    regs = db_rows(net.db, "SELECT event_id FROM registrations WHERE person LIKE ?",
                   ("%" + alice.nick.lower() + "%",))
    assert regs == [(kids[0][0],)], regs
    assert db_rows(net.db, "SELECT series_id, occ_date, repeat FROM events_v1 WHERE id = ?",
                   (kids[1][0],)) == [(eid, second, None)]
    assert db_rows(net.db, "SELECT repeat FROM events_v1 WHERE id = ?", (eid,)) == [("weekly",)]

    # `event N`: the rule, the next five occurrences, the asker's status.
    lines = cmd(alice, "event %d" % eid)
    one(lines, r"#%d Weekly webinar: a series, every \w+day" % eid)
    occ = [l for l in lines if re.match(r"\s*%d@\d{4}-\d\d-\d\d" % eid, l)]
    assert len(occ) == 5, lines
    assert ("%d@%s" % (eid, first)) in occ[0] and "You: confirmed" in occ[0], occ
    assert "You: not registered" in occ[1], occ
    # A French reader gets the rule, dates, places and status in French.
    dora = net.client(nick("dora"))
    one(cmd(dora, "lang fr"), r"français")
    lines = cmd(dora, "event %d" % eid)
    one(lines, r"#%d Weekly webinar\u00a0: une série, chaque \w+di\." % eid)
    occ = [l for l in lines if re.match(r"\s*%d@\d{4}-\d\d-\d\d" % eid, l)]
    assert len(occ) == 5 and all("Vous\u00a0: non inscrit." in l for l in occ), lines
    assert not any(re.search(r"\b(every|places? left|You|Tuesday|Monday)\b", l)
                   for l in lines), lines

    # `events` lists the series once, marked as a series.
    lines = cmd(carol, "events")
    mine = [l for l in lines if "Weekly webinar" in l]
    assert len(mine) == 1 and "series, every" in mine[0] and "%d@%s" % (eid, first) in mine[0], lines

    # One occurrence: its own places and waitlist.
    one(cmd(bob, "rsvp %d@%s" % (eid, second)), r"(?i)confirmed|place")
    one(cmd(carol, "rsvp %d@%s" % (eid, second)), r"(?i)confirmed|place")
    one(cmd(alice, "rsvp %d@%s" % (eid, second)), r"(?i)waitlist")
    one(cmd(carol, "rsvp %d" % eid), r"(?i)confirmed|place")  # the next one: first
    one(cmd(org, "attendees %d@%s" % (eid, second)), r"2 confirmed, 0 maybe, 1 waitlist")
    one(cmd(org, "attendees %d" % eid), r"2 confirmed, 0 maybe, 0 waitlist")
    one(cmd(org, "attendees %d@%s" % (eid, day(4))), r"no occurrence on")

    # Cancelling one occurrence tells its people only, naming its date.
    for c in (alice, bob, carol):
        harness.answers(c)
    one(cmd(org, "event cancel %d@%s The speaker is ill" % (eid, second)),
        r"3 registered people told")
    note = bob.wait_for(lambda l: from_bot(l, bob.nick), text=r"cancelled")
    assert second in note.text, note.text
    lines = cmd(alice, "event %d" % eid)
    one(lines, r"%d@%s: .*CANCELLED" % (eid, second))
    assert [r[2] for r in children(net, eid)][:3] == ["active", "cancelled", "active"]

    # One occurrence changed alone.
    one(cmd(org, "event set %d@%s capacity 5" % (eid, day(17))), r"capacity set")
    caps = dict(db_rows(net.db, "SELECT occ_date, capacity FROM events WHERE series_id = ?",
                        (eid,)))
    assert caps[day(17)] == 5 and caps[first] == 2 and caps[day(24)] == 2, caps

    # A restart makes no occurrence twice.
    before = children(net, eid)
    net.restart()
    assert children(net, eid) == before
    uid = db_rows(net.db, "SELECT uid FROM events WHERE id = ?", (eid,))[0][0]
    assert db_rows(net.db, "SELECT uid FROM events WHERE series_id = ? AND occ_date = ?",
                   (eid, first)) == [(uid + "-" + first.replace("-", ""),)]

    # `repeat none`: the series ends with its next occurrence.
    one(cmd(org, "event set %d repeat none" % eid), r"repeats every \w+day, until")
    states = [(r[1], r[2]) for r in children(net, eid)]
    assert states[0] == (first, "active"), states
    assert all(s == "cancelled" for _, s in states[1:]), states
    none(cmd(org, "event %d" % eid), r"%d@%s: .*You: not" % (eid, day(17)))


@pytest.mark.deadline(180)
def test_own_changes_win(net):
    """What an occurrence changed alone stays when the series changes as a
    whole, field by field, as calendar apps keep an override."""
    org = net.org
    first = day(6)
    eid = create(org, "%s 17:00 %s" % (first, ZONE), "Own series")
    one(cmd(org, "event set %d repeat weekly" % eid), r"repeats every")
    kids = children(net, eid)
    alone, other = kids[1][1], kids[2][1]
    changes = [("title", "Alone title", "Series title"),
               ("description", "Alone words", "Series words"),
               ("location", "Room A", "Room B"),
               ("join", "https://a.example/j", "https://b.example/j"),
               ("capacity", "7", "3"),
               ("duration", "90m", "45m"),
               ("title.fr", "Titre seul", "Titre de la série"),
               ("location.en", "Room A (en)", "Room B (en)")]
    for field, mine, _ in changes:
        one(cmd(org, "event set %d@%s %s %s" % (eid, alone, field, mine)), r"set")
    lines = []
    for field, _, theirs in changes:
        lines = cmd(org, "event set %d %s %s" % (eid, field, theirs))
        one(lines, r"1 occurrence changed alone keeps its own %s\." % re.escape(field))
    cols = "title, description, location, join_url, capacity, duration_min"
    get = lambda d: db_rows(net.db, "SELECT %s FROM events WHERE series_id = ? AND occ_date = ?"
                            % cols, (eid, d))[0]
    text = lambda d, lang, f: db_rows(
        net.db, "SELECT text FROM event_texts t JOIN events e ON e.id = t.event_id"
        " WHERE e.series_id = ? AND e.occ_date = ? AND t.lang = ? AND t.field = ?",
        (eid, d, lang, f))
    assert get(alone) == ("Alone title", "Alone words", "Room A", "https://a.example/j", 7, 90)
    assert get(other) == ("Series title", "Series words", "Room B", "https://b.example/j", 3, 45)
    assert text(alone, "fr", "title") == [("Titre seul",)]
    assert text(other, "fr", "title") == [("Titre de la série",)]
    assert text(alone, "en", "location") == [("Room A (en)",)]
    # The series' own row (later occurrences are made from it) took the change.
    assert db_rows(net.db, "SELECT title, capacity FROM events WHERE id = ?", (eid,)) == \
        [("Series title", 3)]
    # A field the occurrence did not change follows the series.
    one(cmd(org, "event set %d url https://s.example/" % eid), r"url set")
    none(cmd(org, "event set %d url https://s2.example/" % eid), r"changed alone")
    assert db_rows(net.db, "SELECT url FROM events WHERE series_id = ? AND occ_date = ?",
                   (eid, alone)) == [("https://s2.example/",)]
    # The change made alone survives a restart.
    net.restart()
    one(cmd(org, "event set %d title Series again" % eid), r"1 occurrence changed alone")
    assert get(alone)[0] == "Alone title" and get(other)[0] == "Series again"


def regs(net, child):
    return db_rows(net.db, "SELECT person, status FROM registrations WHERE event_id = ?"
                   " ORDER BY seq", (child,))


@pytest.mark.deadline(180)
def test_standing_registrations(net):
    org = net.org
    p1, p2, p3, p4 = (net.client(nick(n)) for n in ("ann", "ben", "cat", "dan"))
    first, second, third = day(5), day(12), day(19)
    eid = create(org, "%s 12:00 Europe/Paris" % first, "Standing webinar")
    one(cmd(org, "event set %d capacity 2" % eid), r"capacity set")
    one(cmd(org, "event set %d repeat weekly times 2" % eid), r"every \w+day, 2 times")
    assert [r[1] for r in children(net, eid)] == [first, second]

    one(cmd(p4, "rsvp %d@%s" % (eid, second)), r"(?i)confirmed")
    for p in (p1, p2, p3):
        one(cmd(p, "rsvp %d all" % eid), r"every occurrence of #%d" % eid)
    kids = [r[0] for r in children(net, eid)]
    st = lambda child: [s for _, s in regs(net, child)]
    assert st(kids[0]) == ["confirmed", "confirmed", "waitlist"], regs(net, kids[0])
    assert st(kids[1]) == ["confirmed", "confirmed", "waitlist", "waitlist"], regs(net, kids[1])
    one(cmd(p1, "mine"), r"#%d Standing webinar: every occurrence" % eid)

    # A withdrawal from one occurrence promotes there only.
    one(cmd(p1, "rsvp %d@%s no" % (eid, first)), r"(?i)withdrawn")
    assert st(kids[0]) == ["confirmed", "confirmed"], regs(net, kids[0])
    assert st(kids[1]) == ["confirmed", "confirmed", "waitlist", "waitlist"]

    # Later occurrences take the standing registrations, in their order, once.
    one(cmd(org, "event set %d repeat weekly" % eid), r"every \w+day")
    kids = [r[0] for r in children(net, eid)]
    assert len(kids) > 3
    people = [p for p, _ in regs(net, kids[2])]
    assert len(people) == 3 and [s for _, s in regs(net, kids[2])] == \
        ["confirmed", "confirmed", "waitlist"], regs(net, kids[2])
    before = [regs(net, k) for k in kids]
    net.restart()
    assert [regs(net, k) for k in kids] == before

    one(cmd(p2, "rsvp %d all no" % eid), r"no longer registered")
    assert len(regs(net, kids[2])) == 2
    none(cmd(p2, "mine"), r"every occurrence")

    # forget takes the standing registration with the rest.
    cmd(p3, "forget")
    one(cmd(p3, "forget confirm"), r"(?i)erased|forgot|deleted")
    assert db_rows(net.db, "SELECT count(*) FROM standing WHERE person LIKE ?",
                   ("%" + p3.nick.lower() + "%",)) == [(0,)]
    assert db_rows(net.db, "SELECT count(*) FROM standing WHERE event_id = ?", (eid,)) == [(1,)]


def feed(net, path):
    import urllib.request
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (net.bot.http_port, path),
                                timeout=t(10)) as r:
        return r.read()


def expand(body, a, b):
    """What python3-icalendar with recurring_ical_events expands in [a, b)."""
    import icalendar
    import recurring_ical_events
    cal = icalendar.Calendar.from_ical(body)
    at = lambda s: datetime.datetime.fromtimestamp(s, datetime.timezone.utc)
    return sorted((int(e["DTSTART"].dt.timestamp()), str(e.get("SUMMARY")))
                  for e in recurring_ical_events.of(cal).between(at(a), at(b))
                  if str(e.get("STATUS", "")) != "CANCELLED")


@pytest.mark.deadline(180)
def test_feed_of_a_series(net):
    org = net.org
    first = day(2)
    eid = create(org, "%s 19:00 %s" % (first, ZONE), "Feed series")
    one(cmd(org, "event set %d repeat weekly" % eid), r"repeats every")
    gone, moved = day(16), day(23)
    one(cmd(org, "event cancel %d@%s" % (eid, gone)), r"(?i)cancelled")
    one(cmd(org, "event set %d@%s start %s 20:30" % (eid, moved, moved)), r"start set")
    one(cmd(org, "event set %d@%s location Room 3" % (eid, day(30))), r"location set")
    rows = db_rows(net.db, "SELECT start_utc, title, status FROM events WHERE series_id = ?"
                   " ORDER BY start_utc", (eid,))
    want = [(s, title) for s, title, st in rows if st == "active"]
    a, b = rows[0][0] - 60, rows[-1][0] + 60

    body = feed(net, "/calendars/event/%d.ics" % eid)
    text = body.decode()
    assert text.count("BEGIN:VEVENT") == 3, text  # the series and two overrides
    assert "RRULE:FREQ=WEEKLY" in text and "EXDATE;TZID=America/Toronto:" in text, text
    assert text.count("RECURRENCE-ID;TZID=America/Toronto:") == 2, text
    uids = {l for l in text.splitlines() if l.startswith("UID:")}
    assert len(uids) == 1, uids
    assert expand(body, a, b) == want

    # The channel's feed holds the series once, not its occurrences apart.
    body = feed(net, "/calendars/all.ics")
    assert [w for w in expand(body, a, b) if w[1] == "Feed series"] == want
    seq = db_rows(net.db, "SELECT sequence FROM events WHERE id = ?", (eid,))[0][0]
    assert seq >= 4, seq  # the rule, the cancel, the move, the location

    # A personal feed: one VEVENT per occurrence held, the series' UID and its date.
    member = net.client(nick("pat"))
    one(cmd(member, "rsvp %d@%s" % (eid, first)), r"(?i)confirmed")
    one(cmd(member, "rsvp %d@%s" % (eid, moved)), r"(?i)confirmed")
    url = re.search(r"(http://\S+/calendars/me/\S+\.ics)", "\n".join(cmd(member, "feed"))).group(1)
    text = feed(net, url[url.index("/calendars/"):]).decode()
    uid = db_rows(net.db, "SELECT uid FROM events WHERE id = ?", (eid,))[0][0]
    assert "RRULE:FREQ=WEEKLY" not in text and "RECURRENCE-ID" not in text, text
    assert sorted(l[4:] for l in text.splitlines() if l.startswith("UID:")) == sorted(
        "%s-%s" % (uid, d.replace("-", "")) for d in (first, moved)), text


@pytest.mark.deadline(120)
def test_import_of_a_series(net):
    start = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=4)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    local = lambda d: (start + datetime.timedelta(days=d)).strftime("%Y%m%d") + "T180000"
    ev = lambda uid, title, extra: (
        "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART;TZID=Europe/Paris:%s\r\nDURATION:PT1H\r\nSUMMARY:%s\r\n%sEND:VEVENT\r\n"
        % (uid, local(0), title, extra))
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Series//EN\r\n"
           + ev("weekly@test", "Imported weekly",
                "RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE;TZID=Europe/Paris:%s\r\n" % local(14))
           + ev("twice@test", "Twice a week", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\n")
           + "END:VCALENDAR\r\n").encode()
    server = harness.OneCalendar(ics)
    try:
        lines = cmd(net.org, "event import http://127.0.0.1:%d/s.ics" % server.server_port,
                    timeout=t(15))
    finally:
        server.close()
    eid = int(re.search(r"Imported 1 event \(#(\d+)\)", one(lines, r"^Imported")).group(1))
    one(lines, r"Twice a week.*BYDAY=MO,WE")
    kids = children(net, eid)
    assert [(d, s) for _, d, s in kids] == [
        ((start + datetime.timedelta(days=7 * k)).date().isoformat(),
         "cancelled" if k == 2 else "active") for k in range(6)], kids
    one(cmd(net.org, "event %d" % eid), r"a series, every \w+day, 6 times")


@pytest.mark.deadline(300)
@pytest.mark.parametrize("client", ["python3-icalendar", "ical.js", "khal"])
def test_bot_feed_in_other_clients(net, client, tmp_path):
    """The bot's own feed of a series with a cancelled and a moved occurrence,
    across Paris's DST change, as each client expands it: the occurrences
    the bot made (its list), and past them recur.c's expansion, instant for
    instant."""
    from test_series_interop import expand_c, shown
    org = net.org
    eid = create(org, "%s 09:30 Europe/Paris" % day(1), "Interop %s" % client)
    one(cmd(org, "event set %d repeat weekly times 20" % eid), r"repeats every")
    kids = children(net, eid)
    one(cmd(org, "event cancel %d@%s" % (eid, kids[3][1])), r"(?i)cancelled")
    one(cmd(org, "event set %d@%s start %s 11:00" % (eid, kids[5][1], kids[5][1])),
        r"start set")
    rows = db_rows(net.db, "SELECT occ_date, start_utc, status FROM events"
                   " WHERE series_id = ? ORDER BY start_utc", (eid,))
    start = db_rows(net.db, "SELECT start_utc FROM events WHERE id = ?", (eid,))[0][0]
    window = (start - 3600, start + 20 * 7 * 86400)
    _, occ = expand_c("Europe/Paris", start, "weekly times 20", window,
                      cancelled=[kids[3][1]],
                      moved=[(kids[5][1], [r[1] for r in rows if r[0] == kids[5][1]][0])])
    made = {d for d, _, _ in rows}
    assert len(occ) == 19 and occ[-1][0] > "2027-03-28", occ  # past Paris's change
    # The bot's list where it made occurrences, recur.c's past them.
    want = sorted([s for _, s, st in rows if st == "active"]
                  + [s for d, s, _ in occ if d not in made])
    assert want == sorted(s for _, s, _ in occ)
    listed = [l for l in cmd(org, "event %d" % eid) if re.match(r"\s*%d@" % eid, l)]
    assert len(listed) == 5 and kids[3][1] in listed[3] and "CANCELLED" in listed[3], listed
    body = feed(net, "/calendars/event/%d.ics" % eid).decode()
    got = shown(client, body, window, tmp_path)
    assert sorted(s for s, st in got if st != "CANCELLED") == want, (got, want)


@pytest.fixture(scope="module")
def clocked(tmp_path_factory):
    """A bot whose wall clock the test moves (CONVENE_TIME_OFFSET_FILE)."""
    tmp = tmp_path_factory.mktemp("series-clock")
    offset = tmp / "offset"
    offset.write_text("0\n")
    net = Net(tmp, env={"CONVENE_TIME_OFFSET_FILE": str(offset)})
    net.offset = offset
    yield from harness.lent(net)


@pytest.mark.deadline(420)
def test_start_from_now_on(clocked, tmp_path):
    """`event set N start` of a series after two occurrences passed: the ones
    ahead move to the new weekday and time, the k-th to the new k-th, with
    their registrations and waitlist, their people told with the date named;
    the cancelled one stays cancelled, the one moved alone keeps its start,
    the ones held keep theirs; COUNT keeps the occurrences left; the feed
    (RDATE for those held before the new DTSTART) expands to the bot's list
    in python3-icalendar, ical.js and khal."""
    from test_series_interop import shown
    net = clocked
    org = net.org
    alice, bob, carol = (net.client(nick(n)) for n in ("sal", "sbo", "sca"))
    eid = create(org, "%s 18:00 Europe/Paris" % day(2), "Moving webinar")
    one(cmd(org, "event set %d capacity 2" % eid), r"capacity set")
    one(cmd(org, "event set %d repeat weekly times 8" % eid), r"repeats every \w+day, 8 times")
    kids = children(net, eid)
    assert [d for _, d, _ in kids] == [day(2 + 7 * k) for k in range(8)], kids
    one(cmd(alice, "rsvp %d all" % eid), r"every occurrence")
    one(cmd(bob, "rsvp %d@%s" % (eid, kids[3][1])), r"(?i)confirmed")
    one(cmd(carol, "rsvp %d@%s" % (eid, kids[3][1])), r"(?i)waitlist")
    one(cmd(org, "event cancel %d@%s" % (eid, kids[4][1])), r"(?i)cancelled")
    one(cmd(org, "event set %d@%s start %s 20:00" % (eid, kids[5][1], kids[5][1])),
        r"start set")
    before = {r[0]: r for r in db_rows(
        net.db, "SELECT id, occ_date, start_utc, status FROM events WHERE series_id = ?",
        (eid,))}
    regs3 = regs(net, kids[3][0])

    # Two occurrences pass; the series moves to the next day, at 19:30.
    net.offset.write_text("%d\n" % (15 * 86400))
    for c in (alice, bob, carol):
        harness.answers(c)
    lines = cmd(org, "event set %d start %s 19:30" % (eid, day(17)))
    one(lines, r"#%d Moving webinar: start set from now on; 4 occurrences moved" % eid)
    after = {r[0]: r for r in db_rows(
        net.db, "SELECT id, occ_date, start_utc, status FROM events WHERE series_id = ?",
        (eid,))}
    for k in (0, 1):  # held: as they were
        assert after[kids[k][0]] == before[kids[k][0]]
    new_dates = [day(17 + 7 * k) for k in range(6)]
    paris = lambda d, hm: int(datetime.datetime.fromisoformat("%sT%s" % (d, hm)).replace(
        tzinfo=__import__("zoneinfo").ZoneInfo("Europe/Paris")).timestamp())
    for k in range(2, 8):
        i, d, s, st = after[kids[k][0]]
        assert d == new_dates[k - 2], (k, after[kids[k][0]])
        if k == 5:
            assert s == before[kids[5][0]][2], "moved alone: keeps its start"
        else:
            assert s == paris(d, "19:30"), (k, s)
        assert st == ("cancelled" if k == 4 else "active"), (k, st)
    assert len(after) == 8, after  # COUNT: 6 left, none made twice
    assert db_rows(net.db, "SELECT repeat FROM events WHERE id = ?", (eid,)) == \
        [("weekly times 6",)]
    # Registrations follow their occurrence, the waitlist too.
    assert regs(net, kids[3][0]) == regs3
    one(cmd(carol, "event %d" % eid), r"%d@%s: .*waitlist" % (eid, new_dates[1]))
    # Bob is told, the new date named; the reminders follow the new start.
    note = bob.wait_for(lambda l: from_bot(l, bob.nick), text=r"has moved")
    assert "19:30" in note.text and str(int(new_dates[1][8:])) in note.text, note.text
    assert db_rows(net.db, "SELECT count(*) FROM events WHERE id = ? AND reminders_from"
                   " >= strftime('%s', 'now') + 15 * 86400 - 120", (kids[3][0],)) == [(1,)]
    none(harness.answers(carol), r"has moved")  # the waitlist is not told

    # The feed: one VEVENT with the new DTSTART, RDATEs for the two held.
    body = feed(net, "/calendars/event/%d.ics" % eid).decode()
    flat = body.replace("\r\n ", "")
    assert flat.count("RDATE;TZID=Europe/Paris:") == 2 and "COUNT=6" in flat, body
    assert "DTSTART;TZID=Europe/Paris:%sT193000" % day(17).replace("-", "") in flat, body
    assert len({l for l in flat.splitlines() if l.startswith("UID:")}) == 1, body
    want = sorted(s for _, _, s, st in after.values() if st == "active")
    window = (want[0] - 3600, want[-1] + 7 * 86400)
    for client in ("python3-icalendar", "ical.js", "khal"):
        sub = tmp_path / client.replace(".", "")
        sub.mkdir()
        got = shown(client, body, window, sub)
        assert sorted(s for s, st in got if st != "CANCELLED") == want, (client, got, want)

    # In the past, or on the day of an occurrence held: refused.
    one(cmd(org, "event set %d start %s 19:30" % (eid, day(10))), r"in the past")
    net.offset.write_text("%d\n" % (paris(day(17), "19:45") - int(time.time())))
    one(cmd(org, "event set %d start %s 21:00" % (eid, day(17))),
        r"Series #%d held an occurrence on %s: its new start must be on a later day" % (
            eid, day(17)))
    assert db_rows(net.db, "SELECT start_utc FROM events WHERE id = ?", (eid,)) == \
        [(paris(day(17), "19:30"),)]
