"""libical loaded only when it is first needed (issue 17, "Small"): the
events and calendars plugins do not link libical (with ICU and libstdc++
behind it, ~3 MB resident) but open it at their first call of it
(include/cv_ical.h). A bot with the example configuration's plugins and
zone and an empty database joins, serves its empty feed and its page, and
has not mapped libical; the first event an organiser adds maps it, and the
feed then holds that event."""

import datetime
import re
import time

import harness
from harness import Bot, ask as cmd, t

ORG = "icalorg"
OVERRIDES = {
    "bot": {"owners": "%s!*@*" % ORG, "command_burst": 100, "command_rate": 100},
    "irc": {"flood_burst": 50, "flood_rate": 50},
    # As conf/convene.example.ini: a named zone, feeds written to a folder.
    "events": {"timezone": "Europe/Paris"},
    "calendars": {"dir": "calendars", "name": "Coalition events"},
}
# libical and ICU; not libstdc++, which the sanitizers' runtime maps too.
LIBS = ("libical.so", "libicuuc.so", "libicui18n.so")


def mapped(pid):
    """The libraries of LIBS the process maps now."""
    files = harness.mapped_files(pid)
    return sorted({lib for lib in LIBS
                   if any(re.fullmatch(r"%s[.\d]*" % re.escape(lib), f) for f in files)})


def feed_events(body):
    import icalendar
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def test_libical_mapped_at_the_first_event_only(tmp_path):
    with harness.Ngircd(tmp_path / "ircd") as ircd:
        bot = Bot(tmp_path / "bot", ircd.port, overrides=OVERRIDES)
        bot.start()
        try:
            org = ircd.client(ORG)
            org.join("#events")
            harness.wait_in_channel(org, "#events", bot.nick, t(15))

            # Joined; the empty feed and the page served over HTTP.
            status, headers, body = harness.http_get(bot.http_port, "/calendars/all.ics")
            assert status == 200, (status, body)
            assert body.startswith(b"BEGIN:VCALENDAR\r\n") and b"NAME:Coalition events" in body
            assert feed_events(body) == []
            status, _, page = harness.http_get(bot.http_port, "/")
            assert status == 200 and b"Coalition events" in page
            # The start's reminder, retention and series scans are done too.
            time.sleep(t(1))
            assert mapped(bot.proc.pid) == [], "mapped with no event: %r" % mapped(bot.proc.pid)

            # The first event, in the configured zone (Europe/Paris): libical now.
            day = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
            lines = cmd(org, "event add %s 18:30 Lazy loading explained" % day)
            assert any(re.search(r"Created #\d+", l) for l in lines), lines
            assert "libical.so" in mapped(bot.proc.pid)

            deadline = time.monotonic() + t(10)
            while True:
                status, _, body = harness.http_get(bot.http_port, "/calendars/all.ics")
                events = feed_events(body) if status == 200 else []
                if events or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert len(events) == 1, body
            ev = events[0]
            assert str(ev["SUMMARY"]) == "Lazy loading explained"
            start = ev.decoded("DTSTART")
            assert start.isoformat().startswith(day + "T18:30:00")
            assert str(start.tzinfo) == "Europe/Paris" or ev["DTSTART"].params["TZID"] == "Europe/Paris"
            assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n" in body
        finally:
            problems = bot.finish()
        assert not problems, "\n".join(problems)


def test_without_libical_what_needs_it_fails_and_the_bot_stays(tmp_path):
    """A broken install: the libical.so.3 found first has none of its
    functions (a stand-in on LD_LIBRARY_PATH). The bot joins and serves its
    empty feed as ever; an event in UTC (the configured zone here) can be
    made but not shown in the feed, one in a named zone cannot be made (the
    organiser is told); the reason is logged once, and the bot neither
    crashes nor stops answering."""
    fake = harness.stand_in_library(tmp_path / "fakelib", "libical.so.3")
    with harness.Ngircd(tmp_path / "ircd") as ircd:
        overrides = dict(OVERRIDES, events={"timezone": "UTC"})
        bot = Bot(tmp_path / "bot", ircd.port, overrides=overrides,
                  env={"LD_LIBRARY_PATH": str(fake)})
        bot.start()
        try:
            org = ircd.client(ORG)
            org.join("#events")
            harness.wait_in_channel(org, "#events", bot.nick, t(15))
            status, _, body = harness.http_get(bot.http_port, "/calendars/all.ics")
            assert status == 200 and feed_events(body) == []

            day = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
            lines = cmd(org, "event add %s 18:30 In UTC" % day)
            assert any(re.search(r"Created #\d+", l) for l in lines), lines
            lines = cmd(org, "event add %s 18:30 Europe/Paris In Paris" % day)
            assert len(lines) == 1 and lines[0].startswith("Unknown time zone 'Europe/Paris'"), lines
            time.sleep(t(1))
            status, _, body = harness.http_get(bot.http_port, "/calendars/all.ics")
            assert status == 200 and feed_events(body) == []
            assert bot.running
            assert cmd(org, "version") == []  # answered (the sentinel itself)
            # Once by each plugin that needed it (each has its own table).
            said = re.findall(r"error (\w+): cannot use libical: libical.so.3 has no "
                              r"icalcomponent_add_property", bot.log_text())
            assert sorted(said) == ["calendars", "events"], bot.log_text()
        finally:
            problems = bot.finish()
        assert not problems, "\n".join(problems)
