"""Acceptance tests of the events plugin (issue 4): a real ngircd, several
real IRC clients, the bot, and its real SQLite file read back read-only.

One server and one bot serve the whole module (a bot restart is part of the
flow); each test makes its own events and people, so they do not depend on
each other's order. Answers are collected up to a `version` sentinel: the bot
handles one person's lines in order and answers them in order, so every
answer to a command has arrived once the sentinel's answer has."""

import datetime
import itertools
import os
import re
import sqlite3
import urllib.error
import urllib.request
import time

import pytest

import harness
from harness import Bot, IrcClient, VERSION_ANSWER as SENTINEL, ask as cmd, from_bot, irc_lower, t

BOT = "convene"
CHANNEL = "#events"
LINK = "https://meet.example.org/twenty-years-9f3k"
TITLE = "Twenty Years of Fighting for Rights in the War on Terror"

_nicks = itertools.count(1)

# Lets the tests send as fast as they like; the bot's own output stays paced.
FAST = {
    "bot": {"command_burst": 100, "command_rate": 100},
    "irc": {"flood_burst": 50, "flood_rate": 50},
    # test_long_join_link_arrives_whole imports from a local server.
    "events": {"import_allow_private": "yes"},
}


def nick(base):
    return "%s%d" % (base, next(_nicks))


def day(days_ahead):
    """A date `days_ahead` days from today (UTC), as YYYY-MM-DD."""
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=days_ahead)).isoformat()


def cmd_raw(client, data, timeout=None):
    """cmd() with the command line sent as raw bytes."""
    return cmd(client, data, timeout=timeout)


def one(lines, regex):
    """The first line matching regex; fails showing every line otherwise."""
    rx = re.compile(regex)
    for l in lines:
        if rx.search(l):
            return l
    raise AssertionError("no answer matched %r in:\n  %s" % (regex, "\n  ".join(lines)))


def none(lines, regex):
    rx = re.compile(regex)
    bad = [l for l in lines if rx.search(l)]
    assert not bad, "unexpected answers matching %r: %r" % (regex, bad)


def create(org, when, title, rest=""):
    """`event add` as org; returns the new event's number."""
    lines = cmd(org, "event add %s %s" % (when, title if not rest else rest + " " + title))
    m = re.search(r"Created #(\d+)", one(lines, r"Created #\d+"))
    return int(m.group(1))


def db_rows(path, sql, args=()):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def db_counts(path):
    """Rows of every table, by table: to show that nothing was stored."""
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {tb: con.execute('SELECT count(*) FROM "%s"' % tb).fetchone()[0] for tb in tables}
    finally:
        con.close()


def db_mentions(path, needles):
    """(table, row) pairs holding any of needles (case-insensitive) in any column."""
    needles = [n.lower() for n in needles]
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    found = []
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for tb in tables:
            for row in con.execute('SELECT * FROM "%s"' % tb):
                for v in row:
                    if isinstance(v, bytes):
                        v = v.decode("utf-8", "replace")
                    if isinstance(v, str) and any(n in v.lower() for n in needles):
                        found.append((tb, row))
                        break
    finally:
        con.close()
    return found


def files_mentioning(path, needles):
    """(file, needle) pairs where the raw bytes of the database, its WAL or
    its SHM hold a needle (any case): what the disk holds, live rows or
    not, while the bot still has them open."""
    found = []
    for sfx in ("", "-wal", "-shm"):
        try:
            with open(path + sfx, "rb") as f:
                data = f.read().lower()
        except FileNotFoundError:
            continue
        found += [(os.path.basename(path + sfx), n) for n in needles
                  if n.lower().encode() in data]
    return found


class Net:
    """The module's server, bot, owner, organiser and channel observer."""

    def __init__(self, tmp, overrides=None, env=None):
        self.ircd = harness.Ngircd(tmp / "ircd").start()
        self.clients = []
        self.observer = self.client(nick("watch"))
        self.bot = Bot(tmp / "bot", self.ircd.port,
                       overrides=harness.merge_config({k: dict(v) for k, v in FAST.items()},
                                                      overrides), env=env)
        self.db = self.bot.config["store"]["path"]
        self.bot.start()
        harness.wait_in_channel(self.observer, CHANNEL, BOT, t(15))
        self.owner = self.client("owner", channels=())
        self.org = self.client(nick("org"), channels=())
        one(cmd(self.owner, "organizer add %s!*@*" % self.org.nick), r"(?i)organi[sz]er")

    def client(self, name=None, channels=(CHANNEL,)):
        """A person in the bot's channel: the bot tells people it shares a
        channel with at once, and keeps notices for the others."""
        c = IrcClient(self.ircd.port, name or nick("user"))
        self.clients.append(c)
        for ch in channels:
            c.join(ch)
        return c

    def stop_bot(self):
        rc = self.bot.stop()
        assert rc == 0, "bot exited %r on SIGTERM:\n%s" % (rc, self.bot.log_tail())
        harness.wait_nick_free(self.observer, BOT)

    def start_bot(self):
        self.bot.start()
        harness.wait_in_channel(self.observer, CHANNEL, BOT, t(15))

    def restart(self):
        self.stop_bot()
        self.start_bot()

    def channel_lines(self):
        """What the bot said in the channel so far (drains the observer)."""
        got = self.observer.collect(lambda l: l.command in ("PRIVMSG", "NOTICE")
                                    and irc_lower(l.nick) == BOT, duration=0.3)
        return [l for l in got if l.target.startswith("#")]

    def close(self):
        problems = self.bot.finish()
        for c in self.clients:
            c.quit()
        self.ircd.stop()
        return problems


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    yield from harness.lent(Net(tmp_path_factory.mktemp("events")))


# ---------------------------------------------------------------- the webinar

@pytest.mark.deadline(120)
def test_webinar_flow(net):
    org = net.org
    alice, bob, carol, dave = (net.client(nick(n)) for n in ("alice", "bob", "carol", "dave"))
    net.channel_lines()

    eid = create(org, day(20) + " 18:00 UTC 90m", TITLE)
    one(cmd(org, "event set %d capacity 2" % eid), r"capacity set")
    one(cmd(org, "event set %d join %s" % (eid, LINK)), r"join set")
    one(cmd(org, "event announce %d" % eid), r"Announced #%d in #events" % eid)
    ann = net.observer.wait_for(command="PRIVMSG", nick=BOT, target=CHANNEL,
                                text=r"#%d %s" % (eid, re.escape(TITLE)))
    assert "rsvp %d" % eid in ann.text and LINK not in ann.text

    # Two places, then the waitlist in arrival order.
    ans = one(cmd(alice, "rsvp %d" % eid), r"#%d .*confirmed" % eid)
    assert LINK in ans
    assert LINK in one(cmd(bob, "rsvp %d yes" % eid), r"confirmed")
    ans = one(cmd(carol, "rsvp %d" % eid), r"waitlist")
    assert "position 1" in ans and LINK not in ans
    assert "position 2" in one(cmd(dave, "rsvp %d" % eid), r"waitlist")

    # The join link only for the confirmed: not in event N, events or mine of others.
    lines = cmd(carol, "event %d" % eid)
    one(lines, r"You: waitlist, position 1")
    none(lines, re.escape(LINK))
    lines = cmd(carol, "events")
    one(lines, r"#%d %s" % (eid, re.escape(TITLE)))
    none(lines, re.escape(LINK))
    one(cmd(alice, "event %d" % eid), r"Join: " + re.escape(LINK))
    outsider = net.client()
    lines = cmd(outsider, "event %d" % eid)
    one(lines, r"not registered")
    none(lines, re.escape(LINK))

    # Organisers see the lists; members do not.
    lines = cmd(alice, "attendees %d" % eid)
    one(lines, r"organisers only")
    none(lines, bob.nick)
    lines = cmd(org, "attendees %d" % eid)
    one(lines, r"#%d: 2 confirmed, 0 maybe, 2 waitlist" % eid)
    one(lines, r"^confirmed: %s, %s$" % (alice.nick, bob.nick))
    one(lines, r"^waitlist: %s, %s$" % (carol.nick, dave.nick))

    # A withdrawal promotes the first waitlisted, who is told in private.
    one(cmd(bob, "rsvp %d no" % eid), r"withdrawn")
    note = carol.wait_for(lambda l: from_bot(l, carol.nick), text=r"#%d " % eid)
    assert "confirmed" in note.text and LINK in note.text, note.text
    one(cmd(dave, "mine"), r"#%d .*waitlist, position 1" % eid)
    one(cmd(carol, "event %d" % eid), r"Join: " + re.escape(LINK))
    lines = cmd(bob, "event %d" % eid)
    none(lines, re.escape(LINK))

    # A maybe holds no place and shows as maybe to the organiser.
    one(cmd(outsider, "rsvp %d maybe" % eid), r"maybe")
    one(cmd(org, "attendees %d" % eid), r"2 confirmed, 1 maybe, 1 waitlist")
    one(cmd(org, "attendees %d" % eid), r"^maybe: %s$" % outsider.nick)

    # Changes are told to the confirmed in private, not to the waitlist.
    one(cmd(org, "event set %d start %s 19:30" % (eid, day(21))), r"2 confirmed people told")
    for c in (alice, carol):
        n = c.wait_for(lambda l: from_bot(l, c.nick), text=r"#%d .*has moved" % eid)
        assert "19:30" in n.text
    one(cmd(org, "event set %d location Online, room 2" % eid), r"told")
    for c in (alice, carol):
        c.wait_for(lambda l: from_bot(l, c.nick), text=r"#%d .*now takes place at Online, room 2"
                   % eid)
    new_link = LINK + "-v2"
    one(cmd(org, "event set %d join %s" % (eid, new_link)), r"told")
    for c in (alice, carol):
        c.wait_for(lambda l: from_bot(l, c.nick), text=r"#%d .*new join link: %s"
                   % (eid, re.escape(new_link)))
    # Neither the waitlisted nor the withdrawn heard of the changes.
    for c in (dave, bob):
        none([l.text for l in c.collect(lambda l: from_bot(l, c.nick), duration=0.3)],
             r"has moved|takes place at|join link")

    # The cancellation tells everyone registered, the waitlist too.
    one(cmd(org, "event cancel %d The speaker is ill" % eid), r"3 registered people told|"
        r"4 registered people told")
    for c in (alice, carol, dave, outsider):
        c.wait_for(lambda l: from_bot(l, c.nick),
                   text=r"#%d .*is cancelled: The speaker is ill" % eid)
    one(cmd(dave, "events"), r"#%d .*CANCELLED" % eid)
    lines = cmd(alice, "event %d" % eid)
    one(lines, r"#%d .*CANCELLED: The speaker is ill" % eid)
    none(lines, r"Join:")
    one(cmd(bob, "rsvp %d" % eid), r"#%d is cancelled" % eid)
    assert db_rows(net.db, "SELECT count(*) FROM registrations WHERE event_id = ? AND person = ?",
                   (eid, "n:" + irc_lower(bob.nick)))[0][0] == 0

    # The channel heard only the announcement: no names, no link.
    said = net.channel_lines()
    assert all(re.search(r"Details: !event \d+", l.text) for l in said), said
    for l in said:
        assert LINK not in l.text
        for c in (alice, bob, carol, dave, outsider):
            assert irc_lower(c.nick) not in irc_lower(l.text)


def test_commands_in_channel_answer_in_private(net):
    member = net.client()
    eid = create(net.org, day(25) + " 12:00 UTC", "Know your rights at the border")
    one(cmd(net.org, "event set %d join %s" % (eid, LINK)), r"join set")
    net.channel_lines()
    for text in ("!events", "!event %d" % eid, "!rsvp %d" % eid, "!mine", "!nonsense",
                 "!attendees %d" % eid):
        member.privmsg(CHANNEL, text)
    member.privmsg(CHANNEL, "!version")
    net.observer.wait_for(command="NOTICE", nick=BOT, target=CHANNEL, text=SENTINEL)
    # Answers came to the member in private, the join link with the rsvp.
    got = [l.text for l in member.collect(lambda l: from_bot(l, member.nick), duration=0.5)]
    one(got, r"#%d .*confirmed\. Join: %s" % (eid, re.escape(LINK)))
    one(got, r"organisers only")
    said = net.channel_lines()
    assert said == [], said


# ---------------------------------------------------------------- forget

def test_forget_erases_everything(net):
    person = net.client(nick("erin"))
    waiting = net.client(nick("wait"))
    e1 = create(net.org, day(30) + " 10:00 UTC", "Surveillance self-defence")
    e2 = create(net.org, day(31) + " 10:00 UTC", "Encryption for organisers")
    one(cmd(net.org, "event set %d capacity 1" % e1), r"capacity set")
    one(cmd(person, "rsvp %d" % e1), r"confirmed")
    one(cmd(person, "rsvp %d maybe" % e2), r"maybe")
    one(cmd(person, "tz Europe/Berlin"), r"Europe/Berlin")
    one(cmd(waiting, "rsvp %d" % e1), r"position 1")
    pid = "n:" + irc_lower(person.nick)
    assert db_mentions(net.db, [person.nick, pid])

    one(cmd(person, "forget"), r"2 registrations, your settings \(display zone, reminders\).*forget confirm")
    assert db_mentions(net.db, [person.nick, pid]), "forget alone must erase nothing"
    one(cmd(person, "forget confirm"), r"Erased")
    # Their place went to the waitlist.
    waiting.wait_for(lambda l: from_bot(l, waiting.nick), text=r"#%d .*confirmed" % e1)
    one(cmd(person, "mine"), r"not registered for any upcoming event")
    one(cmd(person, "forget"), r"holds nothing about you")
    assert db_mentions(net.db, [person.nick, pid]) == []


def test_forget_leaves_no_byte_on_disk(net):
    """Issue 12 item 7: not in the database file, nor in a stale WAL frame or
    freed page, nor in the SHM, while the bot runs (grouped commits, the
    default: the checkpoint must run after the pass's COMMIT)."""
    person = net.client(nick("wipe"))
    e1 = create(net.org, day(32) + " 10:00 UTC", "Threat modelling")
    one(cmd(person, "rsvp %d" % e1), r"confirmed")
    one(cmd(person, "tz Europe/Paris"), r"Europe/Paris")
    pid = "n:" + irc_lower(person.nick)
    assert files_mentioning(net.db, [person.nick, pid]), "the test must see the nick stored"

    one(cmd(person, "forget confirm"), r"Erased")
    # The answer is sent once the pass is committed and checkpointed.
    assert files_mentioning(net.db, [person.nick, pid]) == [], net.bot.log_tail()
    one(cmd(net.org, "event %d" % e1), r"Threat modelling")
    assert files_mentioning(net.db, [person.nick, pid]) == []


# ---------------------------------------------------------------- restart

@pytest.mark.deadline(90)
def test_restart_keeps_registrations_and_waitlist(net):
    a, b, c = (net.client(nick(n)) for n in ("ann", "ben", "cat"))
    eid = create(net.org, day(40) + " 17:00 UTC", "Protest and privacy")
    one(cmd(net.org, "event set %d capacity 1" % eid), r"capacity set")
    one(cmd(net.org, "event set %d join %s" % (eid, LINK)), r"join set")
    one(cmd(a, "rsvp %d" % eid), r"confirmed")
    one(cmd(b, "rsvp %d" % eid), r"position 1")
    one(cmd(c, "rsvp %d" % eid), r"position 2")

    net.restart()

    one(cmd(net.org, "attendees %d" % eid), r"1 confirmed, 0 maybe, 2 waitlist")
    one(cmd(net.org, "attendees %d" % eid), r"^waitlist: %s, %s$" % (b.nick, c.nick))
    one(cmd(c, "event %d" % eid), r"You: waitlist, position 2")
    one(cmd(a, "rsvp %d no" % eid), r"withdrawn")
    n = b.wait_for(lambda l: from_bot(l, b.nick), text=r"#%d " % eid)
    assert "confirmed" in n.text and LINK in n.text
    one(cmd(c, "mine"), r"#%d .*waitlist, position 1" % eid)


# ---------------------------------------------------------------- bad input

def test_bad_input_is_refused_and_stores_nothing(net):
    org = net.org
    ok = create(org, day(50) + " 09:00 UTC", "A valid event")
    gone = create(org, day(51) + " 09:00 UTC", "A cancelled event")
    one(cmd(org, "event cancel %d" % gone), r"Cancelled")
    member = net.client()
    future = day(60)
    past = day(-2)
    before = db_counts(net.db)
    seq_before = db_rows(net.db, "SELECT id, sequence FROM events ORDER BY id")

    table = [
        (org, "event add", r"^Usage: !event add YYYY-MM-DD HH:MM"),
        (org, "event add %s" % future, r"^Usage: !event add"),
        (org, "event add %s 18:00" % future, r"^Usage: !event add"),
        (org, "event add %s 18:00 UTC 2h" % future, r"title is missing"),
        (org, "event add 2030-13-01 18:00 Title", r"Bad date '2030-13-01'"),
        (org, "event add 2031-02-29 18:00 Title", r"Bad date"),
        (org, "event add tomorrow 18:00 Title", r"Bad date 'tomorrow'"),
        (org, "event add %s 24:00 Title" % future, r"Bad time '24:00'"),
        (org, "event add %s 6pm Title" % future, r"Bad time '6pm'"),
        (org, "event add %s 18:00 UTC Title" % past, r"in the past"),
        (org, "event add %s 18:00 Mars/Olympus_Mons Title" % future,
         r"Unknown time zone 'Mars/Olympus_Mons'"),
        (org, "event add %s 18:00 +15:00 Title" % future, r"Unknown time zone"),
        (org, "event add %s 18:00 UTC 0m Title" % future, r"between 1 minute and 7 days"),
        (org, "event add %s 18:00 UTC 7d1m Title" % future, r"between 1 minute and 7 days"),
        (org, "event add %s 18:00 UTC 8d Title" % future, r"between 1 minute and 7 days"),
        (org, "event add %s 18:00 UTC %s" % (future, "x" * 201), r"too long \(max 200"),
        (org, "event add %s 18:00 UTC %s" % (future, "\u00e9" * 201), r"too long \(max 200"),
        (member, "event add %s 18:00 UTC Title" % future, r"organisers only"),
        (member, "event", r"^Usage: !event N"),
        (member, "event 1 2", r"^Usage: !event N"),
        (member, "event abc", r"'abc' is not an event number"),
        (member, "event 0", r"is not an event number"),
        (member, "event 99999", r"No event #99999"),
        (member, "rsvp", r"^Usage: !rsvp N"),
        (member, "rsvp %d yes please" % ok, r"^Usage: !rsvp N"),
        (member, "rsvp %d perhaps" % ok, r"Answer yes, maybe or no, not 'perhaps'"),
        (member, "rsvp x%d" % ok, r"is not an event number"),
        (member, "rsvp 99999", r"No event #99999"),
        (member, "rsvp %d" % gone, r"#%d is cancelled" % gone),
        (member, "rsvp %d no" % ok, r"you were not registered"),
        (member, "mine please", r"^Usage: !mine"),
        (member, "tz Mars/Base", r"Unknown time zone 'Mars/Base'"),
        (member, "tz UTC UTC", r"^Usage: !tz"),
        (member, "attendees %d" % ok, r"organisers only"),
        (member, "event set %d title Mine" % ok, r"organisers only"),
        (org, "event set %d" % ok, r"^Usage: !event set"),
        (org, "event set %d title" % ok, r"^Usage: !event set"),
        (org, "event set 99999 title New", r"No event #99999"),
        (org, "event set %d title New" % gone, r"#%d is cancelled" % gone),
        (org, "event set %d colour red" % ok, r"Unknown field 'colour'"),
        (org, "event set %d title %s" % (ok, "y" * 201), r"too long \(max 200"),
        (org, "event set %d capacity -1" % ok, r"Capacity must be a number"),
        (org, "event set %d capacity lots" % ok, r"Capacity must be a number"),
        (org, "event set %d capacity 100001" % ok, r"Capacity must be a number"),
        (org, "event set %d duration 0m" % ok, r"between 1 minute and 7 days"),
        (org, "event set %d duration 169h" % ok, r"between 1 minute and 7 days"),
        (org, "event set %d url ftp://example.org/x" % ok, r"url must be one http"),
        (org, "event set %d join not-a-link" % ok, r"join link must be one link"),
        (org, "event set %d channel events" % ok, r"channel must be a channel name"),
        (org, "event set %d start %s" % (ok, future), r"Give the date and time"),
        (org, "event set %d start %s 18:00 UTC extra" % (ok, future), r"Give the date and time"),
        (org, "event set %d start %s 18:00 UTC" % (ok, past), r"in the past"),
        (org, "event set %d start %s 18:00 Nowhere/Land" % (ok, future),
         r"Unknown time zone 'Nowhere/Land'"),
        (org, "event cancel 99999", r"No event #99999"),
        (org, "event cancel %d" % gone, r"#%d is cancelled" % gone),
        (org, "event announce %d" % gone, r"#%d is cancelled" % gone),
        (org, "event announce %d extra" % ok, r"^Usage: !event announce"),
    ]
    failures = []
    for who, text, expect in table:
        lines = cmd(who, text)
        if len(lines) != 1 or not re.search(expect, lines[0]) or len(lines[0]) > 400:
            failures.append("%r -> %r (expected one short answer matching %r)"
                            % (text, lines, expect))
    # Invalid UTF-8 and control characters, as raw bytes on the wire.
    lines = cmd_raw(org, b"event add " + future.encode() + b" 18:00 UTC \xff\xfe title")
    if len(lines) != 1 or not re.search(r"not valid UTF-8", lines[0]):
        failures.append("invalid UTF-8 -> %r" % lines)
    lines = cmd_raw(member, b"rsvp \xc3\x28")
    if len(lines) != 1 or not re.search(r"not valid UTF-8", lines[0]):
        failures.append("invalid UTF-8 in rsvp -> %r" % lines)
    assert not failures, "\n".join(failures)
    assert db_counts(net.db) == before
    assert db_rows(net.db, "SELECT id, sequence FROM events ORDER BY id") == seq_before


def test_formatting_and_control_codes_are_stripped(net):
    org = net.org
    eid = create(org, day(55) + " 09:00 UTC", "\x02bold\x02 and \x0304colour\x03 talk")
    lines = cmd(org, "event %d" % eid)
    one(lines, r"^#%d bold and colour talk$" % eid)
    one(cmd(org, "event set %d title \x1ditalic\x1d \x0312,04plain\x0f\x07bell" % eid),
        r"title set")
    title = db_rows(net.db, "SELECT title FROM events WHERE id = ?", (eid,))[0][0]
    assert title == "italic plain bell", repr(title)
    assert not re.search(r"[\x00-\x1f\x7f]", title)
    one(cmd(org, "event %d" % eid), r"^#%d italic plain bell$" % eid)


def test_dst_gap_and_overlap_ask_for_an_offset(net):
    year = datetime.date.today().year + 1
    # The last Sundays of March and October: Europe's clock changes.
    march = max(datetime.date(year, 3, d) for d in range(25, 32)
                if datetime.date(year, 3, d).weekday() == 6)
    october = max(datetime.date(year, 10, d) for d in range(25, 32)
                  if datetime.date(year, 10, d).weekday() == 6)
    before = db_counts(net.db)
    ans = cmd(net.org, "event add %s 02:30 Europe/Paris 1h Gap talk" % march.isoformat())
    assert len(ans) == 1 and re.search(r"\+01:00", ans[0]) and re.search(r"\+02:00", ans[0]), ans
    ans = cmd(net.org, "event add %s 02:30 Europe/Paris 1h Overlap talk" % october.isoformat())
    assert len(ans) == 1 and re.search(r"\+01:00", ans[0]) and re.search(r"\+02:00", ans[0]), ans
    assert db_counts(net.db) == before
    # Written with the offset it asks for, it is taken.
    eid = create(net.org, "%s 03:30 +02:00 1h" % march.isoformat(), "Gap talk")
    one(cmd(net.org, "event %d" % eid), r"03:30")


# ---------------------------------------------------------------- long links

def notices_text(client):
    """The bot's notices to client until its answer to `version`, joined:
    a long notice comes as several lines, split where the host split it."""
    return "".join(harness.answers(client))


@pytest.mark.deadline(90)
def test_long_join_link_arrives_whole(net):
    """Issue 12, item 18: an imported title of 200 four-byte characters and
    a join link as long as an IRC line allows: the promotion notice (once
    cut at 1200 bytes) brings the whole link, across the lines the host
    splits it into. (Changes and reminders: tests/unit/test_events_commands.c.)"""
    title = "\U0001D11E" * 200
    start = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=46)).replace(
        hour=18, minute=0, second=0, microsecond=0)
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Long//EN\r\nBEGIN:VEVENT\r\n"
           "UID:long-title@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\n"
           "DURATION:PT1H\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
           % (start.strftime("%Y%m%dT%H%M%SZ"), title)).encode()
    server = harness.OneCalendar(ics)
    try:
        lines = cmd(net.org, "event import http://127.0.0.1:%d/long.ics" % server.server_port,
                    timeout=t(15))
    finally:
        server.close()
    eid = int(re.search(r"Imported 1 event \(#(\d+)\)", one(lines, r"^Imported")).group(1))
    link = "https://meet.example.org/" + "\u30eb" * 140
    assert len(("PRIVMSG convene :event set %d join %s\r\n" % (eid, link)).encode()) <= 512
    first, second = net.client(nick("kim")), net.client(nick("lou"))
    one(cmd(net.org, "event set %d capacity 1" % eid), r"capacity set")
    one(cmd(net.org, "event set %d join %s" % (eid, link)), r"join set")
    one(cmd(first, "rsvp %d" % eid), r"confirmed")
    one(cmd(second, "rsvp %d" % eid), r"waitlist")

    one(cmd(first, "rsvp %d no" % eid), r"withdrawn")
    # Compared without spaces: a line split at a space may lose it on the way.
    text = notices_text(second).replace(" ", "")
    want = "#%d %s: a place opened, you are confirmed. Join: %s" % (eid, title, link)
    assert text.endswith(want.replace(" ", "")), text[-300:]


@pytest.mark.deadline(90)
def test_feed_links_bracket_an_ipv6_listen_address(tmp_path):
    """Issue 13: the base URL is built in one place, the host's. With the
    HTTP server on ::1 and an empty [http] base_url, the events plugin's link to
    an event's feed (once "http://::1:PORT/...") and the calendars plugin's
    `feed` answer both bracket the address, and the link leads to the feed."""
    n = Net(tmp_path, overrides={"http": {"listen": "::1", "base_url": ""}})
    try:
        base = "http://[::1]:%d" % n.bot.http_port
        eid = create(n.org, day(12) + " 18:00", "Over IPv6")
        url = re.search(r"^Calendar: (\S+)$",
                        one(cmd(n.org, "event %d" % eid), r"^Calendar: ")).group(1)
        assert url == "%s/calendars/event/%d.ics" % (base, eid), url
        one(cmd(n.org, "feed"), r"^All events: %s/calendars/all\.ics \(a page with "
            r"subscribe links: %s/\)$" % (re.escape(base), re.escape(base)))
        deadline = time.monotonic() + t(10)
        while True:
            try:
                with urllib.request.urlopen(url, timeout=t(5)) as r:
                    body = r.read().decode()
                break
            except urllib.error.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert "SUMMARY:Over IPv6" in body, body
    finally:
        problems = n.close()
    assert not problems, "\n\n".join(problems)
