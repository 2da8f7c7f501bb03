"""Every command with hostile arguments (issue 9): malformed arguments,
over-long text, invalid UTF-8, IRC formatting and SQL metacharacters.

The bot answers clearly or ignores the line, stays connected, and nothing a
member sends changes the database.
"""

import datetime
import re
import sqlite3
import urllib.request

import pytest

import harness
from conftest import unique_nick
from harness import t

PAYLOADS = [
    ("malformed", "x y z 1 2 3 4 5 6 7 8 9"),
    ("overlong", "\u00e9" * 200 + "x" * 40),	# ~440 bytes: what a server lets through
    ("badutf8", b"\xff\xfe\xc3\x28 \xed\xa0\x80"),
    ("formatting", "\x02bold\x02 \x0304,05colour\x03 \x1ditalic\x1d \x16rev\x0f"),
    ("sql", "1; DROP TABLE events; --' OR '1'='1 \" \\ %s %n"),
    ("control", "a\x01b\x07c\x7fd"),
]


def snapshot(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {tb: sorted(map(repr, con.execute("SELECT * FROM \"%s\"" % tb)))
                for tb in tables}
    finally:
        con.close()


def commands_for(client_, bot_nick):
    """The command names the bot lists for this person (from `help`)."""
    client_.privmsg(bot_nick, "help")
    line = client_.wait_for(command="NOTICE", nick=bot_nick, text=re.compile("^Commands:"),
                            timeout=t(10))
    names = line.text.split(":", 1)[1].split(". Say")[0]
    return [n.strip() for n in names.split(",") if n.strip()]


def send(c, bot_nick, command, payload):
    if isinstance(payload, bytes):
        c.send_bytes(b"PRIVMSG " + bot_nick.encode() + b" :" + command.encode() + b" "
                     + payload + b"\r\n")
    else:
        c.privmsg(bot_nick, "%s %s" % (command, payload))


@pytest.mark.deadline(300)
def test_every_command_with_every_bad_payload(ircd, observer, client, start_bot):
    bot = start_bot(ircd, observer, overrides={
        "irc": {"flood_burst": 50, "flood_rate": 100},
        "bot": {"owners": "boss*!*@*", "command_burst": 100, "command_rate": 100},
    })
    boss = client(unique_nick("boss"), ircd)
    date = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
    boss.privmsg(bot.nick, "event add %s 18:00 UTC 1h Baseline event" % date)
    boss.wait_for(command="NOTICE", nick=bot.nick, text=re.compile(r"#\d+"), timeout=t(10))
    db = bot.config["store"]["path"]

    member = client(unique_nick("member"), ircd)
    member_cmds = commands_for(member, bot.nick)
    all_cmds = commands_for(boss, bot.nick)
    assert "rsvp" in member_cmds and "event add" in all_cmds
    assert "event add" not in member_cmds

    def feed():
        url = "http://127.0.0.1:%d/calendars/all.ics" % bot.http_port
        with urllib.request.urlopen(url, timeout=t(10)) as r:
            return r.read()

    before = snapshot(db)
    feed_before = feed()
    sent = 0
    for cmd in all_cmds:
        for name, payload in PAYLOADS:
            if cmd in ("plugin load", "plugin unload", "plugin reload", "part", "join"):
                continue	# owners only, and tested in test_host.py
            send(member, bot.nick, cmd, payload)
            sent += 1
            member.sync()
    # Every line got an answer or was ignored; none took the bot down, and
    # nothing a member sent changed what is stored.
    member.collect(command="NOTICE", nick=bot.nick, duration=2)
    assert bot.running
    member.privmsg(bot.nick, "version")
    member.wait_for(command="NOTICE", nick=bot.nick, text=re.compile("Convene"), timeout=t(30))
    after = snapshot(db)
    changed = {tb for tb in set(before) | set(after) if before.get(tb) != after.get(tb)}
    # rsvp/tz/remind with a payload are malformed for members, so nothing may change.
    assert not changed, "member's bad input changed %s after %d commands" % (changed, sent)
    assert feed() == feed_before, "member's bad input changed the public feed"

    # Owners: bad arguments to organiser commands are refused the same way,
    # and text that is stored comes back verbatim (no injection).
    for name, payload in PAYLOADS:
        if isinstance(payload, bytes):
            send(boss, bot.nick, "event add", payload)
            line = boss.wait_for(command="NOTICE", nick=bot.nick, timeout=t(10))
            assert "UTF-8" in line.text or "Usage" in line.text, line.text
            continue
        boss.privmsg(bot.nick, "event set 1 capacity %s" % payload)
        line = boss.wait_for(command="NOTICE", nick=bot.nick, timeout=t(10))
        assert "#1" not in line.text or re.search(r"capacity|number|Usage", line.text, re.I), line.text
    boss.privmsg(bot.nick, "event set 1 title %s" % PAYLOADS[4][1])
    boss.wait_for(command="NOTICE", nick=bot.nick, text=re.compile("#1"), timeout=t(10))
    titles = [r[0] for r in sqlite3.connect(db).execute("SELECT title FROM events WHERE id = 1")]
    assert titles == [PAYLOADS[4][1]]
    boss.privmsg(bot.nick, "event set 1 title %s" % PAYLOADS[3][1])
    boss.wait_for(command="NOTICE", nick=bot.nick, text=re.compile("#1"), timeout=t(10))
    title = sqlite3.connect(db).execute("SELECT title FROM events WHERE id = 1").fetchone()[0]
    assert not re.search(r"[\x00-\x1f\x7f]", title), repr(title)
    assert "bold" in title and "colour" in title
    integrity = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchall()
    assert integrity == [("ok",)]
    # The channel saw none of it.
    leaked = observer.collect(lambda l: l.command in ("PRIVMSG", "NOTICE") and
                              l.nick == bot.nick, duration=0.5)
    assert not leaked, leaked
