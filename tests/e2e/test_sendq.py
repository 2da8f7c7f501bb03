"""Send queue fairness (issue 12, item 11) against real ngircd.

The review's scenario, reduced: several people ask `events` (16 lines each)
over and over; a quiet person's `version` is still answered within a few
seconds, the log says "queue full" once, and changing nick does not refill a
person's command limit.
"""

import re
import time

import pytest

from conftest import unique_nick
from harness import VERSION_ANSWER, from_bot, t
from test_hardening import create_event, owner, with_owners

FLOODERS = 5


@pytest.mark.deadline(90)
def test_quiet_person_answered_while_others_flood(ircd, observer, client, start_bot):
    """Five people send `events` ten times a second (16 lines each, 800
    lines/s in; the bot sends 1 line/s). After seven seconds (the old global
    queue of 5,000 lines is full by then) a quiet person asks `version` and
    is answered behind at most about one line of each flooder."""
    bot = start_bot(ircd, observer, overrides=with_owners({
        # 1 line/s after a burst that covers creating the events.
        "irc": {"flood_burst": 40, "flood_rate": 1},
        # High enough that only the send queue limits the flood.
        "bot": {"command_burst": 20, "command_rate": 20},
    }))
    org = owner(client, ircd)
    for i in range(16):		# `events` lists 15 and "... and 1 more later"
        create_event(bot.nick, org, "Flood %d" % i)
    org.privmsg(bot.nick, "events")
    listed = org.collect(lambda l: from_bot(l, org.nick, bot.nick), duration=t(3))
    assert len(listed) == 16, [l.text for l in listed]

    flooders = [client(unique_nick("fl"), ircd) for _ in range(FLOODERS)]
    quiet = client(unique_nick("quiet"), ircd)
    start = time.monotonic()
    asked = None
    while time.monotonic() - start < 10:
        for f in flooders:
            f.send("PRIVMSG %s :events" % bot.nick)
        if asked is None and time.monotonic() - start >= 7:
            quiet.privmsg(bot.nick, "version")
            asked = time.monotonic()
        time.sleep(0.1)
    # Behind one line of each of five flooders and its own turn: ~6 s at 1/s.
    quiet.wait_for(lambda l: from_bot(l, quiet.nick, bot.nick) and VERSION_ANSWER.search(l.text),
                   timeout=t(12) - (time.monotonic() - asked))
    waited = time.monotonic() - asked
    assert waited < t(12), "answered after %.1f s" % waited

    # Flooders were answered too: round-robin, not one at a time.
    for f in flooders:
        assert f.collect(lambda l: from_bot(l, f.nick, bot.nick), duration=0.1), f.nick
    # Thousands of refused lines, one log line.
    log = bot.log_text()
    assert log.count("queue full") == 1, log.count("queue full")
    assert bot.running


def test_nick_change_keeps_the_command_limit(ircd, observer, client, start_bot):
    """Someone over the per-person command limit changes nick and asks again:
    still refused, then answered once the limit refills."""
    bot = start_bot(ircd, observer, overrides={
        "bot": {"command_burst": 3, "command_rate": 0.25},
    })
    p = client(unique_nick("nc"), ircd)
    for _ in range(4):
        p.privmsg(bot.nick, "version")
    got = p.collect(lambda l: from_bot(l, p.nick, bot.nick), duration=t(2))
    assert sum(1 for l in got if VERSION_ANSWER.search(l.text)) == 3, got
    assert any("too fast" in l.text for l in got), got

    new = unique_nick("nc")
    p.send("NICK %s" % new)
    p.wait_for(command="NICK", text=new)
    p.nick = new
    p.privmsg(bot.nick, "version")
    p.expect_none(lambda l: from_bot(l, new, bot.nick), duration=t(1.5))

    # Not refused for ever: one command every four seconds.
    time.sleep(4.5)
    p.privmsg(bot.nick, "version")
    p.wait_for(lambda l: from_bot(l, new, bot.nick) and VERSION_ANSWER.search(l.text),
               timeout=t(5))
