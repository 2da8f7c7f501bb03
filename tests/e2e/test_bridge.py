"""People on the other side of a relay bot (issue 14), on a real ngircd.

The relays themselves (matterbridge, discord-irc, teleirc, slack-irc) need
accounts on commercial services, so a scripted IRC client plays the relay:
it joins the channel from a known user@host and says lines in the relays'
documented formats (matterbridge's RemoteNickFormat, by default
"[{PROTOCOL}] <{NICK}> "; discord-irc's "<{$displayUsername}> " with the name
in a colour code, and its "Command sent from Discord by NICK:" prelude line
before a command), with the formatting codes and zero-width characters they
put in names. An observer in the channel sees
everything the bot says there; the bot's database is read back read-only."""

import re
import time

import pytest

import harness
from harness import Bot, IrcClient, ask, from_bot, irc_lower, t
from test_events import BOT, CHANNEL, LINK, day, db_mentions, db_rows, nick, none, one

RELAY_USER = "mbridge"
RELAYS = "*!*%s@*" % RELAY_USER
# The defaults, and a community's own format after them.
FORMATS = "[{PROTOCOL}] <{NICK}> | <{NICK}> | ({PROTOCOL}) {NICK} says: "
VERSION = re.compile(r"^zz-sentinel: Convene \S+: event registration in chat$")
ZWSP = "\u200b"


class Net:
    def __init__(self, tmp, overrides):
        self.ircd = harness.Ngircd(tmp / "ircd").start()
        self.clients = []
        self.observer = self.client(nick("watch"))
        self.bot = Bot(tmp / "bot", self.ircd.port, overrides=overrides)
        self.db = self.bot.config["store"]["path"]
        self.bot.start()
        harness.wait_in_channel(self.observer, CHANNEL, BOT, t(15))
        self.owner = self.client("owner", channels=())
        self.org = self.client(nick("org"), channels=())
        one(ask(self.owner, "organizer add %s!*@*" % self.org.nick), r"(?i)organi[sz]er")

    def client(self, name=None, channels=(CHANNEL,), user=None):
        c = IrcClient(self.ircd.port, name or nick("user"), user=user)
        self.clients.append(c)
        for ch in channels:
            c.join(ch)
        return c

    def relay(self, name):
        return self.client(name, user=RELAY_USER)

    def channel_said(self, timeout=None):
        """The bot's PRIVMSGs in the channel up to its answer to the sentinel."""
        got = []
        while True:
            l = self.observer.wait_for(
                lambda l: l.command in ("PRIVMSG", "NOTICE") and irc_lower(l.nick) == BOT
                and l.target.lower() == CHANNEL, timeout=timeout or t(10))
            if VERSION.search(l.text):
                return got
            assert l.command == "PRIVMSG", l.raw
            got.append(l.text)

    def relayed(self, relay, *lines):
        """The relay says lines, then a relayed sentinel; the bot's answers in
        the channel meanwhile (it handles one connection's lines in order)."""
        for line in lines:
            relay.privmsg(CHANNEL, line)
        relay.privmsg(CHANNEL, "<zz-sentinel> !version")
        return self.channel_said()

    def close(self):
        problems = self.bot.finish()
        for c in self.clients:
            c.quit()
        self.ircd.stop()
        return problems


FAST = {
    "bot": {"command_burst": 100, "command_rate": 100},
    "irc": {"flood_burst": 50, "flood_rate": 50},
    "bridge": {"relays": RELAYS, "formats": FORMATS},
}


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    yield from harness.lent(Net(tmp_path_factory.mktemp("bridge"), FAST))


def create(net, title, capacity=None):
    lines = ask(net.org, "event add %s 18:00 UTC %s" % (day(30), title))
    eid = int(re.search(r"Created #(\d+)", one(lines, r"Created #\d+")).group(1))
    if capacity is not None:
        one(ask(net.org, "event set %d capacity %d" % (eid, capacity)), r"capacity set")
    one(ask(net.org, "event set %d join %s" % (eid, LINK)), r"join set")
    return eid


def status(net, eid):
    return dict(db_rows(net.db, "SELECT person, status FROM registrations WHERE event_id = ?",
                        (eid,)))


@pytest.mark.deadline(120)
def test_relayed_people_register(net):
    relay = net.relay("matterbridge")
    eid = create(net, "Bridged meetup", capacity=2)
    net.observer.drain()

    # Three people, three protocols, names with colour, bold, reset and U+200B.
    alice = "[discord] <\x0312a%slice\x03> " % ZWSP
    bob = "\x02[matrix]\x0f <\x02bob\x02> "
    carol = "[telegram] <c%sarol\x0f> " % ZWSP

    lines = net.relayed(relay, alice + "!events")
    one(lines, r"^alice: #%d Bridged meetup: .*2 places left" % eid)
    lines = net.relayed(relay, alice + "!rsvp %d" % eid)
    one(lines, r"^alice: #%d Bridged meetup: confirmed\. The join link is given in private only"
        % eid)
    lines = net.relayed(relay, bob + "!rsvp %d" % eid)
    one(lines, r"^bob: #%d .*confirmed" % eid)
    lines = net.relayed(relay, carol + "!rsvp %d" % eid)
    one(lines, r"^carol: #%d .*waitlist, position 1" % eid)
    lines = net.relayed(relay, alice + "!event %d" % eid)
    one(lines, r"^alice: Places: full \(waitlist\), 2 confirmed\. You: confirmed\.")
    one(lines, r"^alice: The join link is given in private only")
    # Nobody's name or status but theirs, never attendees.
    lines = net.relayed(relay, bob + "!attendees %d" % eid)
    none(lines, r"alice|carol")
    assert status(net, eid) == {"r:discord:alice": "confirmed", "r:matrix:bob": "confirmed",
                                "r:telegram:carol": "waitlist"}

    # An IRC user called alice is someone else: the event is full for her.
    irc_alice = net.client("alice")
    one(ask(irc_alice, "rsvp %d" % eid), r"waitlist, position 2")
    assert status(net, eid)["n:alice"] == "waitlist"

    # alice withdraws: carol is promoted, told in the channel, by name, without the link.
    lines = net.relayed(relay, alice + "!rsvp %d no" % eid)
    one(lines, r"^alice: #%d .*withdrawn" % eid)
    one(lines, r"^carol: #%d Bridged meetup: a place opened, you are confirmed\. "
        r"The join link is given in private only" % eid)
    assert status(net, eid)["r:telegram:carol"] == "confirmed"

    # A change reaches the confirmed relayed people in the channel.
    one(ask(net.org, "event set %d location Online, room 2" % eid), r"told")
    got = [l.text for l in net.observer.collect(
        lambda l: l.command == "PRIVMSG" and irc_lower(l.nick) == BOT, duration=1.5)]
    one(got, r"^bob: #%d .*now takes place at Online, room 2" % eid)
    one(got, r"^carol: #%d .*now takes place at Online, room 2" % eid)

    # carol erases herself: irc alice is promoted, in private, with the link.
    lines = net.relayed(relay, carol + "!forget")
    one(lines, r"^carol: Convene holds")
    lines = net.relayed(relay, carol + "!forget confirm")
    one(lines, r"^carol: Erased")
    note = irc_alice.wait_for(lambda l: from_bot(l, "alice"), text=r"#%d " % eid)
    assert LINK in note.text
    assert db_mentions(net.db, ["r:telegram:carol"]) == []
    assert "r:telegram:carol" not in status(net, eid)

    # The web page names nobody, and says how to register from a bridged room.
    import urllib.request
    with urllib.request.urlopen(net.bot.config["http"]["base_url"] + "/",
                                timeout=t(10)) as r:
        page = r.read().decode()
    assert "bridged" in page and "!rsvp N" in page, page
    assert not re.search(r"alice|carol|\bbob\b", page), page

    # The join link never appeared in the channel.
    said = [l.text for l in net.observer.history if l.command in ("PRIVMSG", "NOTICE")]
    assert not [s for s in said if LINK in s]
    said = [l.text for l in relay.history if l.command in ("PRIVMSG", "NOTICE")]
    assert not [s for s in said if LINK in s]


@pytest.mark.deadline(90)
def test_no_rights_no_impostors(net):
    relay = net.relay("teleirc")
    eid = create(net, "Rights check")
    # Named like the owner and the organiser: still a member.
    for name in ("owner", net.org.nick):
        lines = net.relayed(relay, "[discord] <%s> !organizer add *!*@evil" % name,
                            "<%s> !event cancel %d" % (name, eid))
        one(lines, r"^%s: Sorry, 'organizer add' is for owners only" % re.escape(name))
        one(lines, r"^%s: Sorry, 'event cancel' is for organisers only" % re.escape(name))
    one(ask(net.org, "event %d" % eid), r"^#%d Rights check$" % eid)
    # An organiser mask that matches the relay's connection makes nobody relayed one.
    one(ask(net.owner, "organizer add *!*%s@*" % RELAY_USER), r"(?i)organi[sz]er")
    lines = net.relayed(relay, "[discord] <zed> !event cancel %d" % eid)
    one(lines, r"^zed: Sorry, 'event cancel' is for organisers only")
    one(ask(net.owner, "organizer del *!*%s@*" % RELAY_USER), r"(?i)organi[sz]er")
    # And no mask names a relayed person.
    lines = ask(net.owner, "organizer add r:discord:zed")
    none(lines, r"(?i)added")
    one(ask(net.org, "event %d" % eid), r"^#%d Rights check$" % eid)
    assert "*!*@evil" not in [r[0] for r in db_rows(net.db, "SELECT mask FROM organizers")]

    # Someone who is not a relay, writing like one, is only themselves.
    lines = net.relayed(relay, "[discord] <dan> !rsvp %d" % eid)
    one(lines, r"^dan: #%d .*confirmed" % eid)
    mallory = net.client(nick("mallory"), user="mallory")
    mallory.privmsg(CHANNEL, "[discord] <dan> !rsvp %d no" % eid)
    mallory.privmsg(CHANNEL, "<dan> !rsvp %d no" % eid)
    assert ask(mallory, "mine") != []
    assert status(net, eid).get("r:discord:dan") == "confirmed"
    # Whatever the relay says that matches no format is nothing.
    before = status(net, eid)
    lines = net.relayed(relay, "!rsvp %d" % eid, "[discord] dan has joined",
                        "*** eve is now known as dan")
    assert lines == []
    assert status(net, eid) == before

    # The relay goes away and comes back: nothing stored changes.
    rows = db_rows(net.db, "SELECT * FROM registrations ORDER BY event_id, person")
    relay.quit()
    time.sleep(0.5)
    relay = net.relay("teleirc")
    lines = net.relayed(relay, "[discord] <dan> !mine")
    one(lines, r"^dan: #%d Rights check: .*confirmed" % eid)
    assert db_rows(net.db, "SELECT * FROM registrations ORDER BY event_id, person") == rows

    # The organiser's attendees list names relayed people, with where they are.
    one(ask(net.org, "attendees %d" % eid), r"^confirmed: dan \(relayed in #events\)$")


@pytest.mark.deadline(90)
def test_plain_prelude_and_custom_formats(net):
    relay = net.relay("discordirc")
    eid = create(net, "Formats")
    # discord-irc's plain, coloured `<name>`.
    lines = net.relayed(relay, "<\x0304dora\x03> !rsvp %d" % eid)
    one(lines, r"^dora: #%d .*confirmed" % eid)
    # discord-irc's prelude, then the command alone.
    lines = net.relayed(relay, "Command sent from Discord by \x0306eve\x03:", "!rsvp %d" % eid)
    one(lines, r"^eve: #%d .*confirmed" % eid)
    # Two preludes in a row: the command is the second person's only.
    lines = net.relayed(relay, "Command sent from Discord by gus:",
                        "Command sent from Discord by hal:", "!rsvp %d" % eid)
    one(lines, r"^hal: #%d .*confirmed" % eid)
    none(lines, r"^gus:")
    # A prelude whose command never comes: a later command is nobody's.
    relay.privmsg(CHANNEL, "Command sent from Discord by fay:")
    relay.privmsg(CHANNEL, "see you all tomorrow")
    lines = net.relayed(relay, "!rsvp %d" % eid)
    assert lines == []
    relay.privmsg(CHANNEL, "Command sent from Discord by fay:")
    time.sleep(harness.t(6))
    lines = net.relayed(relay, "!rsvp %d" % eid)
    assert lines == []
    # The community's own format.
    lines = net.relayed(relay, "(XMPP) i%svy says: !rsvp %d" % (ZWSP, eid))
    one(lines, r"^ivy: #%d .*confirmed" % eid)
    people = status(net, eid)
    assert people == {"r:relay:dora": "confirmed", "r:relay:eve": "confirmed",
                      "r:relay:hal": "confirmed", "r:xmpp:ivy": "confirmed"}, people


@pytest.mark.deadline(60)
def test_puppeted_people_are_irc_users(net):
    eid = create(net, "Puppets")
    m = net.client("alice[m]")
    d = net.client("alice|discord")
    ans = one(ask(m, "rsvp %d" % eid), r"confirmed")
    assert LINK in ans
    assert LINK in one(ask(d, "rsvp %d" % eid), r"confirmed")
    people = status(net, eid)
    assert len(people) == 2 and all(p.startswith("n:alice") for p in people), people


# ---------------------------------------------------------------- flood

@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    """A bot with the default per-person limit (5 at once, then 1 a second)."""
    yield from harness.lent(Net(tmp_path_factory.mktemp("bridgeflood"),
                                {"bridge": {"relays": RELAYS}}))


@pytest.mark.deadline(90)
def test_one_noisy_person_does_not_silence_others(slow):
    relay = slow.relay("matterbridge")
    irc = slow.client(nick("quiet"))
    slow.observer.drain()
    for i in range(50):
        relay.privmsg(CHANNEL, "[discord] <noisy> !mine")
    start = time.monotonic()
    relay.privmsg(CHANNEL, "[slack] <calm> !mine")
    irc.privmsg(BOT, "mine")
    irc.wait_for(lambda l: from_bot(l, irc.nick), text=r"not registered", timeout=5)
    slow.observer.wait_for(lambda l: l.command == "PRIVMSG" and irc_lower(l.nick) == BOT,
                           text=r"^calm: You are not registered", timeout=5)
    assert time.monotonic() - start < 5
    got = [l.text for l in slow.observer.collect(
        lambda l: l.command == "PRIVMSG" and irc_lower(l.nick) == BOT, duration=2)]
    # noisy was answered a few times, then told once to slow down.
    told = [l for l in slow.observer.history
            if l.command == "PRIVMSG" and l.text.startswith("noisy: You are sending")]
    assert len(told) == 1, got
    answered = [l for l in slow.observer.history
                if l.command == "PRIVMSG" and l.text.startswith("noisy: You are not registered")]
    assert 5 <= len(answered) < 15, len(answered)


# ---------------------------------------------------------------- --check

def test_check_reports_bridge_mistakes(tmp_path):
    import subprocess
    conf = tmp_path / "bridge.ini"
    binary = harness.Bot(tmp_path / "b", 6667).binary
    good = ("[irc]\nserver = 127.0.0.1\nnick = convene\n[bot]\nplugins = events\n"
            "[bridge]\nrelays = account:matterbridge, *!*mbridge@bridge.example.org\n"
            "formats = [{PROTOCOL}] <{NICK}> | <{NOPINGNICK}> | {BRIDGE}/{NICK}: \n"
            "preludes = Command sent from Discord by {NICK}: | {NICK} says\n")
    conf.write_text(good)
    r = subprocess.run([binary, "-c", str(conf), "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    conf.write_text("[irc]\nserver = 127.0.0.1\nnick = convene\n[bot]\nplugins = events\n"
                    "[bridge]\nrelays = relay!*@*\nformats = <{NICK}\n"
                    "preludes = by {NAME}:\n")
    r = subprocess.run([binary, "-c", str(conf), "--check"], capture_output=True, text=True)
    assert r.returncode != 0
    errors = r.stderr.splitlines()
    assert re.search(r":7: bridge\.relays: .*nick alone", errors[0]), errors
    assert re.search(r":8: bridge\.formats: .*must end with text", errors[1]), errors
    assert re.search(r":9: bridge\.preludes: .*unknown placeholder", errors[2]), errors
