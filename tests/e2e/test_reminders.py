"""Acceptance tests of reminders, notices kept for people who are away, and
retention (issue 5): a real ngircd, real clients, the bot and its SQLite
file, with the bot's wall clock moved forward through the file named by
CONVENE_TIME_OFFSET_FILE (read at every wall_now()) instead of waiting.

The clock only moves forward and is shared by the module, so every test
computes its dates from the bot's current time and picks lines by event
number. Where a test must show that something did NOT happen, it waits for
a probe instead of sleeping: another event whose reminder comes due in the
same scan, after the one under test (events are scanned by start)."""

import datetime
import re
import time

import pytest

import harness
from harness import irc_lower, t
from test_events import (BOT, CHANNEL, LINK, Net, cmd, db_mentions, db_rows, files_mentioning,
                         from_bot, nick, none, one)

HOUR = 3600
DAY = 86400


class Clock:
    """The bot's wall clock: real time plus an offset kept in a file."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        path.write_text("0\n")

    def now(self):
        return int(time.time()) + self.offset

    def set(self, when):
        """Move the bot's clock to `when` (a Unix time); never backwards."""
        offset = int(when - time.time())
        assert offset >= self.offset, "the clock only moves forward"
        self.offset = offset
        self.path.write_text("%d\n" % offset)


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reminders")
    clock = Clock(tmp / "offset")
    n = Net(tmp, env={"CONVENE_TIME_OFFSET_FILE": str(clock.path)})
    n.clock = clock
    yield from harness.lent(n)


def stamp(when):
    """'YYYY-MM-DD HH:MM UTC' of a Unix time, minutes rounded down."""
    d = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
    return d.strftime("%Y-%m-%d %H:%M") + " UTC"


def add_event(net, start, title, join=True, capacity=None):
    """An event at `start` (Unix time, on a whole minute); returns its number."""
    lines = cmd(net.org, "event add %s 1h %s" % (stamp(start), title))
    eid = int(re.search(r"Created #(\d+)", one(lines, r"Created #\d+")).group(1))
    if join:
        one(cmd(net.org, "event set %d join %s/%d" % (eid, LINK, eid)), r"join set")
    if capacity is not None:
        one(cmd(net.org, "event set %d capacity %d" % (eid, capacity)), r"capacity set")
    return eid


def whole_minute(when):
    return when - when % 60


def reminder_in_channel(net, eid, timeout=None):
    return net.observer.wait_for(command="PRIVMSG", nick=BOT, target=CHANNEL,
                                 text=r"^Reminder: #%d " % eid, timeout=timeout or t(15))


def private_reminder(c, eid, timeout=None):
    return c.wait_for(lambda l: from_bot(l, c.nick), text=r"^Reminder: #%d " % eid,
                      timeout=timeout or t(15))


def reminders_seen(c, eid, duration=0.5):
    """Reminder lines about eid meant for c, draining them: the channel's for
    the observer, private notices for anyone else (who also sit in the
    channel, and whose copies of the channel's lines are ignored here)."""
    where = CHANNEL if c.nick.startswith("watch") else c.nick
    return c.collect(lambda l: l.command in ("PRIVMSG", "NOTICE") and irc_lower(l.nick) == BOT
                     and irc_lower(l.target) == irc_lower(where)
                     and re.match(r"^Reminder: #%d " % eid, l.text), duration=duration)


# ---------------------------------------------------------------- reminders

@pytest.mark.deadline(120)
def test_both_reminders_arrive_once_across_a_restart(net):
    a, b = net.client(nick("ada")), net.client(nick("bea"))
    start = whole_minute(net.clock.now() + 3 * DAY)
    eid = add_event(net, start, "Reminders webinar")
    for c in (a, b):
        one(cmd(c, "rsvp %d" % eid), r"confirmed")

    net.clock.set(start - DAY + 5)
    line = reminder_in_channel(net, eid)
    assert "Reminders webinar" in line.text and LINK not in line.text
    for c in (a, b):
        n = private_reminder(c, eid)
        assert "%s/%d" % (LINK, eid) in n.text and "in 23 hours" in n.text, n.text

    # A restart between the reminders: the 1d one is not sent again. The
    # probe's reminder comes due in the first scan after the restart.
    probe = add_event(net, whole_minute(net.clock.now() + HOUR + 120), "Probe one", join=False)
    net.stop_bot()
    net.clock.set(net.clock.now() + 180)
    net.start_bot()
    reminder_in_channel(net, probe)
    for c in (net.observer, a, b):
        assert reminders_seen(c, eid) == [], "the 1d reminder went out again"

    net.clock.set(start - HOUR + 5)
    reminder_in_channel(net, eid)
    for c in (a, b):
        assert "in 59 minutes" in private_reminder(c, eid).text
    for c in (net.observer, a, b):
        assert reminders_seen(c, eid) == []
    assert db_rows(net.db, "SELECT offset_s FROM reminders_sent WHERE event_id = ?"
                   " ORDER BY offset_s", (eid,)) == [(HOUR,), (DAY,)]


@pytest.mark.deadline(90)
def test_missed_while_down_only_the_latest_goes_out(net):
    c = net.client(nick("cy"))
    start = whole_minute(net.clock.now() + 3 * DAY)
    eid = add_event(net, start, "Missed reminders")
    # One that will have started by the time the bot is back: no reminder.
    began = add_event(net, start - 2 * HOUR, "Started while down")
    for e in (eid, began):
        one(cmd(c, "rsvp %d" % e), r"confirmed")

    net.stop_bot()
    net.clock.set(start - HOUR + 30)	# both the 1d and the 1h came due meanwhile
    net.start_bot()
    line = reminder_in_channel(net, eid)
    assert "in 59 minutes" in line.text
    assert "in 59 minutes" in private_reminder(c, eid).text
    for who in (net.observer, c):
        assert reminders_seen(who, eid) == []
        assert reminders_seen(who, began, duration=0.1) == []
    assert db_rows(net.db, "SELECT offset_s FROM reminders_sent WHERE event_id = ?",
                   (eid,)) == [(HOUR,)]
    assert db_rows(net.db, "SELECT count(*) FROM reminders_sent WHERE event_id = ?",
                   (began,)) == [(0,)]


@pytest.mark.deadline(90)
def test_moved_start_reschedules_reminders(net):
    c = net.client(nick("dee"))
    old = whole_minute(net.clock.now() + 3 * DAY)
    new = old + 2 * DAY
    eid = add_event(net, old, "Moving event")
    one(cmd(c, "rsvp %d" % eid), r"confirmed")
    probe = add_event(net, old + 120, "Probe two", join=False)
    one(cmd(net.org, "event set %d start %s" % (eid, stamp(new))), r"told")
    c.wait_for(lambda l: from_bot(l, c.nick), text=r"#%d .*has moved" % eid)

    # The old reminder time passes quietly: only the probe's reminder.
    net.clock.set(old - DAY + 150)
    reminder_in_channel(net, probe)
    for who in (net.observer, c):
        assert reminders_seen(who, eid) == []

    net.clock.set(new - DAY + 5)
    line = reminder_in_channel(net, eid)
    when = datetime.datetime.fromtimestamp(new, datetime.timezone.utc).strftime("%-d %b %Y %H:%M")
    assert when in line.text, line.text
    assert when in private_reminder(c, eid).text


@pytest.mark.deadline(90)
def test_remind_off_and_on(net):
    quiet, loud = net.client(nick("quiet")), net.client(nick("loud"))
    start = whole_minute(net.clock.now() + 3 * DAY)
    eid = add_event(net, start, "Remind settings")
    for c in (quiet, loud):
        one(cmd(c, "rsvp %d" % eid), r"confirmed")
    one(cmd(quiet, "remind off"), r"reminders are off")
    one(cmd(quiet, "mine"), r"reminders are off")
    one(cmd(quiet, "remind sometimes"), r"'remind off' or 'remind on'")

    net.clock.set(start - DAY + 5)
    private_reminder(loud, eid)
    reminder_in_channel(net, eid)
    assert reminders_seen(quiet, eid) == []

    one(cmd(quiet, "remind on"), r"reminders are on")
    net.clock.set(start - HOUR + 5)
    for c in (quiet, loud):
        private_reminder(c, eid)


# ---------------------------------------------------------------- kept notices

@pytest.mark.deadline(90)
def test_notices_kept_for_people_away(net):
    first = net.client(nick("fay"))
    away_name, mine_name = nick("gus"), nick("hal")
    away, other = net.client(away_name), net.client(mine_name)
    start = whole_minute(net.clock.now() + 3 * DAY)
    eid = add_event(net, start, "Kept notices", capacity=1)
    one(cmd(first, "rsvp %d" % eid), r"confirmed")
    one(cmd(away, "rsvp %d" % eid), r"position 1")
    one(cmd(other, "rsvp %d maybe" % eid), r"maybe")
    away.quit()
    other.quit()
    net.observer.wait_for(command="QUIT", nick=other.nick)

    # Promoted and told of a change while away: both kept, nothing sent.
    one(cmd(first, "rsvp %d no" % eid), r"withdrawn")
    one(cmd(net.org, "event set %d location Room 101" % eid), r"1 confirmed person told")
    pid = "n:" + irc_lower(away_name)
    kept = db_rows(net.db, "SELECT text FROM pending_notices WHERE person = ? ORDER BY id", (pid,))
    assert len(kept) == 2 and "a place opened" in kept[0][0], kept

    # Back, and into the channel: told at once, oldest first, then nothing is kept.
    back = net.client(away_name, channels=())
    assert back.nick == away_name
    back.join(CHANNEL)
    n1 = back.wait_for(lambda l: from_bot(l, back.nick), text=r"#%d " % eid)
    assert "a place opened, you are confirmed" in n1.text and "%s/%d" % (LINK, eid) in n1.text
    back.wait_for(lambda l: from_bot(l, back.nick), text=r"#%d .*Room 101" % eid)
    assert db_rows(net.db, "SELECT count(*) FROM pending_notices WHERE person = ?",
                   (pid,)) == [(0,)]

    # Cancelled while away; back in private only: `mine` shows what was kept.
    one(cmd(net.org, "event cancel %d" % eid), r"2 registered people told")
    back2 = net.client(mine_name, channels=())
    lines = cmd(back2, "mine")
    one(lines, r"^1 notice kept for you while you were away:$")
    one(lines, r"^#%d Kept notices is cancelled\.$" % eid)
    none(cmd(back2, "mine"), r"kept for you")


@pytest.mark.deadline(90)
def test_reminder_kept_for_person_away_expires_after_the_event(net):
    name = nick("ivy")
    c = net.client(name)
    start = whole_minute(net.clock.now() + 3 * DAY)
    eid = add_event(net, start, "Expiring notice")
    one(cmd(c, "rsvp %d" % eid), r"confirmed")
    c.quit()
    net.observer.wait_for(command="QUIT", nick=name)
    net.clock.set(start - HOUR + 5)
    reminder_in_channel(net, eid)
    pid = "n:" + irc_lower(name)
    deadline = time.monotonic() + t(10)
    while db_rows(net.db, "SELECT count(*) FROM pending_notices WHERE person = ?",
                  (pid,)) != [(1,)]:
        assert time.monotonic() < deadline, "the reminder was not kept"
        time.sleep(0.1)
    # The event ends: the kept reminder goes, unsent.
    net.clock.set(start + HOUR + 5)
    while db_rows(net.db, "SELECT count(*) FROM pending_notices WHERE person = ?",
                  (pid,)) != [(0,)]:
        assert time.monotonic() < deadline + t(10), "the kept reminder did not expire"
        time.sleep(0.1)
    back = net.client(name)
    one(cmd(back, "mine"), r"not registered for any upcoming event")


# ---------------------------------------------------------------- retention

@pytest.mark.deadline(90)
def test_retention_purges_registrations_and_keeps_counts(net):
    people = [net.client(nick(n)) for n in ("jo", "kim", "lee", "max")]
    start = whole_minute(net.clock.now() + 2 * DAY)
    eid = add_event(net, start, "Retention", capacity=2)
    later = add_event(net, start + 2 * DAY, "Retention later")
    one(cmd(people[0], "rsvp %d" % eid), r"confirmed")
    one(cmd(people[1], "rsvp %d" % eid), r"confirmed")
    one(cmd(people[2], "rsvp %d" % eid), r"waitlist")
    one(cmd(people[3], "rsvp %d maybe" % eid), r"maybe")
    one(cmd(people[0], "rsvp %d" % later), r"confirmed")
    ids = ["n:" + irc_lower(c.nick) for c in people]

    end = start + HOUR
    net.clock.set(end + 30 * DAY + 5)
    deadline = time.monotonic() + t(15)
    while db_rows(net.db, "SELECT purged FROM events WHERE id = ?", (eid,)) != [(1,)]:
        assert time.monotonic() < deadline, "not purged:\n" + net.bot.log_tail()
        time.sleep(0.1)
    net.bot.wait_log(r"retention: registrations of \d+ ended event")
    assert db_rows(net.db, "SELECT count(*) FROM registrations WHERE event_id = ?",
                   (eid,)) == [(0,)]
    assert db_rows(net.db, "SELECT purged, kept_confirmed, kept_maybe, kept_waitlist,"
                   " created_by FROM events WHERE id = ?", (eid,)) == [(1, 2, 1, 1, None)]
    # The later event ended less than 30 days ago: untouched.
    assert db_rows(net.db, "SELECT person FROM registrations WHERE event_id = ?",
                   (later,)) == [(ids[0],)]
    for c, pid in zip(people[1:], ids[1:]):
        assert db_mentions(net.db, [pid]) == [], pid
    # Counts stay visible, names do not.
    lines = cmd(net.org, "event %d" % eid)
    one(lines, r"2 confirmed")
    lines = cmd(net.org, "attendees %d" % eid)
    one(lines, r"#%d: 2 confirmed, 1 maybe, 1 waitlist \(names deleted" % eid)


@pytest.mark.deadline(90)
def test_retention_leaves_no_byte_on_disk(net):
    """Issue 12 item 7: the purge's checkpoint runs after the pass's COMMIT,
    so the purged names are in no byte of the database, its WAL or its SHM
    while the bot runs."""
    people = [net.client(nick("gone")) for _ in range(2)]
    start = whole_minute(net.clock.now() + 2 * DAY)
    eid = add_event(net, start, "Retention on disk", join=False)
    one(cmd(people[0], "rsvp %d" % eid), r"confirmed")
    one(cmd(people[1], "rsvp %d maybe" % eid), r"maybe")
    needles = [c.nick for c in people] + ["n:" + irc_lower(c.nick) for c in people]
    assert files_mentioning(net.db, needles), "the test must see the names stored"

    net.clock.set(start + HOUR + 30 * DAY + 5)
    deadline = time.monotonic() + t(15)
    while db_rows(net.db, "SELECT purged FROM events WHERE id = ?", (eid,)) != [(1,)]:
        assert time.monotonic() < deadline, "not purged:\n" + net.bot.log_tail()
        time.sleep(0.1)
    # An answer from a later pass: the purge's pass has committed and its
    # checkpoint has run (both before the pass's answers go out).
    one(cmd(net.org, "event %d" % eid), r"Retention on disk")
    assert files_mentioning(net.db, needles) == [], net.bot.log_tail()
