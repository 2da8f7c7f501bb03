"""A crowd answered fast (issue 17): the JOIN is not held back by the
registration lines, identical answers to people registering at once go out
packed into multi-target NOTICEs where the server announces TARGMAX, and a
multi-target NOTICE shows each person only themselves.

The packing needs a server that announces TARGMAX (ngircd 26 does not), so
those tests use the scripted peer of hostile.py; what a real server does
with a multi-target NOTICE is checked on ngircd."""

import re
import time

import pytest

from conftest import unique_nick
from harness import t
from hostile import HostilePeer
from test_hardening import future_date, with_owners


def peer_bot(start_bot, peer, overrides, isupport=""):
    bot = start_bot(port=peer.port, wait=False, overrides=overrides)
    peer.accept()
    peer.register(isupport=isupport)
    peer.expect_join()
    return bot


@pytest.mark.deadline(60)
def test_join_does_not_wait_for_a_token(start_bot):
    """CAP LS, NICK, USER and CAP END take nothing from the burst: with a
    burst of 4 and one line every 10 s, the JOIN still goes out at once."""
    peer = HostilePeer()
    try:
        bot = start_bot(port=peer.port, wait=False,
                        overrides={"irc": {"flood_burst": 4, "flood_rate": 0.1}})
        peer.accept()
        peer.register()
        peer.wait_for(lambda l: l.command == "JOIN", t(5), "JOIN")
        assert time.monotonic() - peer.welcomed < t(1)
        assert bot.running
    finally:
        peer.close()


def add_event(peer, places):
    peer.say_as("owner1", "event add %s 18:00 UTC 1h Crowd" % future_date())
    line = peer.wait_for(lambda l: l.command == "NOTICE" and l.params[0] == "owner1",
                         t(10), "event add answer")
    n = int(re.search(r"#(\d+)", line.text).group(1))
    peer.say_as("owner1", "event set %d capacity %d" % (n, places))
    peer.wait_for(lambda l: l.command == "NOTICE" and l.params[0] == "owner1",
                  t(10), "event set answer")
    return n


@pytest.mark.deadline(120)
def test_identical_answers_packed_up_to_targmax(start_bot):
    """20 people register at once for 10 places on a server announcing
    TARGMAX=NOTICE:4: each is answered exactly once; the identical
    "confirmed" answers share lines of at most 4 targets, the waitlist
    answers (each with its own position) go one by one."""
    people, places = 20, 10
    peer = HostilePeer()
    try:
        bot = peer_bot(start_bot, peer, with_owners({
            "irc": {"flood_burst": 1, "flood_rate": 4},
            "bot": {"command_burst": 5, "command_rate": 5},
        }), isupport="TARGMAX=NAMES:1,NOTICE:4,PRIVMSG:4")
        n = add_event(peer, places)
        nicks = ["p%02d" % i for i in range(people)]
        for nick in nicks:
            peer.say_as(nick, "rsvp %d" % n)
        got = peer.notices(people, timeout=t(60))
        answered = {}
        for _, line in got:
            targets = line.params[0].split(",")
            assert 1 <= len(targets) <= 4, line.raw
            assert len(line.raw) + 2 <= 512
            for tg in targets:
                assert tg not in answered, "%s answered twice" % tg
                answered[tg] = line.text
            if len(targets) > 1:
                assert "confirmed" in line.text, line.raw
        assert sorted(answered) == nicks
        confirmed = [k for k, v in answered.items() if "confirmed" in v]
        waitlisted = [k for k, v in answered.items() if "waitlist" in v]
        assert len(confirmed) == places and len(waitlisted) == people - places
        packed = [line for _, line in got if "," in line.params[0]]
        assert packed, "no answers were packed: %r" % [l.raw for _, l in got]
        assert any(len(l.params[0].split(",")) == 4 for l in packed)
        # Fewer lines than people: the confirmed answers shared lines.
        assert len(got) <= people - places + (places + 3) // 4 + 2
        assert bot.running
    finally:
        peer.close()


def test_multi_target_notice_shows_each_only_themselves(ircd, client):
    """What packing relies on: a NOTICE to a,b,c reaches each of them
    addressed to them alone, with no trace of the others."""
    sender = client(unique_nick("snd"), ircd)
    rcpt = [client(unique_nick("r%d" % i), ircd) for i in range(3)]
    sender.send("NOTICE %s :#1 Talk: confirmed." % ",".join(r.nick for r in rcpt))
    for r in rcpt:
        line = r.wait_for(command="NOTICE", nick=sender.nick, timeout=t(5))
        assert line.params == [r.nick, "#1 Talk: confirmed."]
        for other in rcpt:
            if other is not r:
                assert other.nick.lower() not in line.raw.lower()
