"""Acceptance tests for SASL and services accounts, against a real InspIRCd
with Anope services (tests/e2e/services.py): SASL success; a wrong password
under both sasl_required choices; an organiser matched by account; someone
who takes an organiser's nick without the account gets nothing (role,
registrations, settings, personal feed, erasure); registrations and
settings that follow an account across a nick change; an owner's account
forgotten when the bot leaves the channel it saw them in. Then, on a
scripted server (tests/e2e/hostile.py): an unknown CASEMAPPING, account
names compared by ASCII case only, and a known nick from another
user@host."""

import contextlib
import datetime
import os
import re
import shutil
import signal
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import harness
from harness import irc_lower, t
from hostile import HostilePeer
from services import Services, identify, register_account, whois_account

BOT_ACCOUNT = "cvbot"
BOT_PASSWORD = "Sasl-Pw-7f3kq9"	# grepped for in the bot's log
WRONG_PASSWORD = "Wrong-Pw-x81mz4"
PASSWORDS = {"boss": "boss-pw-1", "alice": "alice-pw-2", "bob": "bob-pw-3"}
ROLE_MEMBER, ROLE_ORGANIZER, ROLE_OWNER = 0, 1, 2	# enum cv_role, as tping shows it


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    """InspIRCd + Anope, with the accounts the tests use registered."""
    services = Services(tmp_path_factory.mktemp("services"))
    services.start()
    try:
        for account, pw in [(BOT_ACCOUNT, BOT_PASSWORD)] + list(PASSWORDS.items()):
            c = services.client(account)
            assert register_account(c, pw) == account
            c.quit()
        yield services
    finally:
        services.stop()


@pytest.fixture
def login(client, net):
    """login(nick, account=None, channels=()) -> a client on the services
    network, identified to account (default: no login)."""
    def make(nick, account=None, channels=()):
        c = client(nick, ircd=net)
        if account is not None:
            identify(c, PASSWORDS[account], account)
        for ch in channels:
            c.join(ch)
        return c
    return make


PLUGINS = ("admin", "events", "testplug")


def plugin_dir(workdir, plugins=PLUGINS):
    """A plugin folder with the plugins these tests load. Copies, not
    symlinks: a rebuild rewriting a .so the bot has mapped crashes it."""
    build = Path(os.environ.get("CONVENE_BIN") or harness.REPO / "build" / "convene").parent
    d = Path(workdir) / "plugins"
    d.mkdir(parents=True, exist_ok=True)
    for name in plugins:
        sub = "test-plugins" if name == "testplug" else "plugins"
        shutil.copy2(build / sub / ("%s.so" % name), d / ("%s.so" % name))
    return d


def bot_overrides(tmp_path, password=BOT_PASSWORD, required=None, plugins=PLUGINS,
                  extra=None):
    """SASL as BOT_ACCOUNT with password; owner account:boss; plugins; more
    sections and keys from extra."""
    pwfile = tmp_path / "sasl.pass"
    pwfile.write_text(password + "\n")
    pwfile.chmod(0o600)
    irc = {"sasl_user": BOT_ACCOUNT, "sasl_password_file": str(pwfile)}
    if required is not None:
        irc["sasl_required"] = required
    return harness.merge_config({
        "irc": irc,
        "bot": {"owners": "account:boss", "plugin_dir": str(plugin_dir(tmp_path, plugins)),
                "plugins": " ".join(plugins)},
    }, extra or {})


def ask(c, text, nick="convene", duration=None):
    """Send a private command; return the text of the bot's NOTICEs to it,
    waiting for the first one and then `duration` seconds for more."""
    c.privmsg(nick, text)
    first = c.wait_for(command="NOTICE", nick=nick, timeout=t(10))
    more = c.collect(command="NOTICE", nick=nick, duration=duration or t(0.7))
    return [first.text] + [l.text for l in more]


def assert_no_password(bot, *passwords):
    log = bot.log_text()
    for pw in passwords:
        assert pw not in log, "password %r appears in the bot's log" % pw


def future_date(days=30):
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


def registrations(bot):
    """(person, nick, status) rows from the bot's SQLite file."""
    path = bot.config["store"]["path"]
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % path, uri=True)) as db:
        return db.execute("SELECT person, nick, status FROM registrations").fetchall()


# ---------------------------------------------------------------- SASL

def test_sasl_success(net, client, start_bot, tmp_path):
    watcher = client("watcher", ircd=net, channels=["#events"])
    bot = start_bot(net, watcher, overrides=bot_overrides(tmp_path))
    bot.wait_log(r"SASL login as %s succeeded" % BOT_ACCOUNT)
    assert whois_account(watcher, "convene") == BOT_ACCOUNT
    assert_no_password(bot, BOT_PASSWORD)


def test_sasl_wrong_password_continues_when_not_required(net, client, start_bot, tmp_path):
    watcher = client("watcher", ircd=net, channels=["#events"])
    bot = start_bot(net, watcher, overrides=bot_overrides(tmp_path, WRONG_PASSWORD,
                                                          required="no"))
    bot.wait_log(r"SASL login as %s failed.*continuing without an account" % BOT_ACCOUNT)
    assert whois_account(watcher, "convene") is None
    assert "succeeded" not in bot.log_text()
    assert_no_password(bot, WRONG_PASSWORD)


@pytest.mark.deadline(60)
def test_sasl_wrong_password_disconnects_and_backs_off_when_required(net, client, start_bot,
                                                                     tmp_path):
    watcher = client("watcher", ircd=net, channels=["#events"])
    bot = start_bot(net, wait=False, overrides=bot_overrides(tmp_path, WRONG_PASSWORD,
                                                             required="yes"))
    # Two failed attempts: the delays double (2 s, then 4 s, each with jitter).
    bot.wait_log(r"(?s)SASL login as %s failed.*reconnecting in.*"
                 r"SASL login as %s failed.*reconnecting in" % (BOT_ACCOUNT, BOT_ACCOUNT),
                 timeout=t(20))
    log = bot.log_text()
    assert "sasl_required = yes" in log
    delays = [float(d) for d in re.findall(r"reconnecting in ([0-9.]+) s", log)]
    assert len(delays) >= 2 and 1.0 <= delays[0] <= 2.0 and 2.0 <= delays[1] <= 4.0, delays
    # It never registered, so it never joined.
    assert "registered as" not in log, bot.log_tail()
    assert "convene" not in {irc_lower(n) for n in watcher.names("#events")}
    assert_no_password(bot, WRONG_PASSWORD)


# ---------------------------------------------------------------- accounts

@pytest.fixture
def make_accounts_bot(net, login, start_bot, tmp_path):
    """The bot on the services network (logged in by SASL), with the owner
    `boss` (matched as account:boss) having made account:alice an organiser
    and created event #1."""
    def make(plugins=PLUGINS, extra=None):
        boss = login("boss", "boss", channels=["#events"])
        overrides = bot_overrides(tmp_path, plugins=plugins, extra=extra)
        bot = start_bot(net, boss, overrides=overrides)
        out = ask(boss, "organizer add account:alice")
        assert any("account:alice" in r for r in out), out
        out = ask(boss, "event add %s 18:00 UTC 1h Test event" % future_date())
        assert any("#1" in r for r in out), out
        bot.boss = boss
        return bot
    return make


@pytest.fixture
def accounts_bot(make_accounts_bot):
    return make_accounts_bot()


def test_organiser_matched_by_account(accounts_bot, login):
    alice = login("alice", "alice", channels=["#events"])
    assert ask(alice, "tsecret") == ["organiser secret"]
    # In a channel too, with the prefix.
    alice.privmsg("#events", "!tsecret")
    assert alice.wait_for(command="NOTICE", nick="convene").text == "organiser secret"
    pong = ask(alice, "tping")[0]
    assert "role=%d id=a:alice" % ROLE_ORGANIZER in pong, pong
    # Logged in under another nick: still the organiser.
    alice.send("NICK alice_elsewhere")
    alice.wait_for(command="NICK", nick="alice")
    assert ask(alice, "tsecret") == ["organiser secret"]


def test_registrations_and_settings_follow_account_across_nick_change(accounts_bot, login):
    alice = login("alice", "alice", channels=["#events"])
    out = ask(alice, "rsvp 1")
    assert any("#1 Test event: confirmed" in r for r in out), out
    assert any("Test event" in r for r in ask(alice, "mine"))
    ask(alice, "tz Europe/Berlin")

    alice.send("NICK alice_away")
    alice.wait_for(command="NICK", nick="alice")
    mine = ask(alice, "mine")
    assert any("#1 Test event" in r for r in mine), mine
    assert any("Europe/Berlin" in r for r in ask(alice, "tz")), alice.history[-3:]
    # Keyed on the account, not the nick: one row, person a:alice.
    assert [r[0] for r in registrations(accounts_bot)] == ["a:alice"]
    # Registering again under the new nick is the same registration.
    ask(alice, "rsvp 1")
    assert [r[0] for r in registrations(accounts_bot)] == ["a:alice"]


def alice_registered_then_gone(login, how):
    """alice (logged in) registers for event #1 and sets her zone, then
    leaves the nick 'alice' free by a nick change ("nick"), by quitting
    ("quit"), or not yet ("none"). Returns alice's client (None after a
    quit)."""
    alice = login("alice", "alice", channels=["#events"])
    ask(alice, "rsvp 1")
    ask(alice, "tz Europe/Berlin")
    assert any("Test event" in r for r in ask(alice, "mine"))
    if how == "quit":
        alice.quit()
        return None
    if how == "none":
        return alice
    alice.send("NICK alice_away")
    alice.wait_for(command="NICK", nick="alice")
    return alice


def assert_gets_nothing(mallory, bot):
    """mallory holds the nick 'alice' without the account: none of alice's
    role or data."""
    assert whois_account(mallory, "alice") is None
    pong = ask(mallory, "tping")[0]
    assert "role=%d id=n:alice" % ROLE_MEMBER in pong, pong
    assert ask(mallory, "tsecret") == ["Sorry, 'tsecret' is for organisers only."]
    mine = ask(mallory, "mine")
    assert not any("Test event" in r for r in mine), mine
    assert not any("Europe/Berlin" in r for r in ask(mallory, "tz"))
    ask(mallory, "forget confirm")
    # Nothing of alice's was erased.
    assert [r[0] for r in registrations(bot)] == ["a:alice"]


@pytest.mark.parametrize("how", ["nick", "quit"])
def test_impersonator_gets_nothing(accounts_bot, login, how):
    alice = alice_registered_then_gone(login, how)
    # Someone takes the nick, without the account. First in private and
    # sharing no channel with the bot: nothing but the cache and a WHOIS
    # can tell who this is.
    mallory = login("alice")
    assert mallory.nick == "alice"
    assert_gets_nothing(mallory, accounts_bot)
    # Then in the channel, where extended-join says "no account".
    mallory.join("#events")
    mallory.privmsg("#events", "!tsecret")
    assert (mallory.wait_for(command="NOTICE", nick="convene").text
            == "Sorry, 'tsecret' is for organisers only.")
    assert_gets_nothing(mallory, accounts_bot)

    # alice, back under any nick, still has everything.
    if alice is None:
        alice = login("alice_back", "alice")
    mine = ask(alice, "mine")
    assert any("#1 Test event" in r for r in mine), mine
    assert ask(alice, "tsecret") == ["organiser secret"]


@pytest.mark.deadline(90)
@pytest.mark.parametrize("owner_visible", [True, False], ids=["owner-in-channel", "owner-unseen"])
def test_command_is_not_run_as_whoever_takes_the_nick_during_the_lookup(accounts_bot, login,
                                                                        owner_visible):
    """A command waits for a WHOIS to learn the sender's account. If the
    sender leaves the nick and its owner takes it back before the answer,
    the answer is the owner's: the command must not run as the owner.
    The bot sees the owner's NICK when they share a channel; when not, it
    can only tell by the user@host in the WHOIS (here mallory's differs;
    with the same user@host and an unseen owner the race stays open)."""
    alice = alice_registered_then_gone(login, "nick")
    if not owner_visible:
        alice.part("#events")
        alice.wait_for(command="PART", nick="alice_away")
    # Seen in the channel, the swap is caught even with the same user@host.
    mallory = harness.IrcClient(accounts_bot.boss.port, "alice",
                                user="alice" if owner_visible else "mallory")
    try:
        # Slow the bot's queue down and spend its only token: its WHOIS
        # for mallory's command then waits about 3 s, time for the swap.
        accounts_bot.config["irc"].update(flood_burst="1", flood_rate="0.33")
        accounts_bot.write_config()
        accounts_bot.send_signal(signal.SIGHUP)
        accounts_bot.wait_log(r"SIGHUP: reading")
        assert ask(accounts_bot.boss, "tping")[0].startswith("tpong")
        mallory.privmsg("convene", "forget confirm")
        mallory.sync()
        mallory.send("NICK mallory")
        mallory.wait_for(command="NICK", nick="alice")
        alice.send("NICK alice")
        alice.wait_for(command="NICK", nick="alice_away")
        # The bot sends its WHOIS, then drops the command or (wrongly) runs it.
        deadline = time.monotonic() + t(10)
        while time.monotonic() < deadline:
            if ("dropped a command from alice" in accounts_bot.log_text()
                    or [r[0] for r in registrations(accounts_bot)] != ["a:alice"]):
                break
            time.sleep(0.1)
        time.sleep(0.3)
        assert [r[0] for r in registrations(accounts_bot)] == ["a:alice"]
        assert "dropped a command from alice" in accounts_bot.log_text()
    finally:
        mallory.quit()


def personal_feed(c):
    """The personal calendar URL the bot gives c for `feed`."""
    for r in ask(c, "feed"):
        m = re.search(r"(http://\S+/me/\S+\.ics)", r)
        if m:
            return m.group(1)
    raise AssertionError("no personal feed in the reply: %r" % c.history[-6:])


def fetch(url):
    """(status, body) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=t(10)) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""


def test_impersonator_cannot_read_personal_feed(make_accounts_bot, login):
    make_accounts_bot(PLUGINS + ("calendars",))
    alice = alice_registered_then_gone(login, "none")
    url = personal_feed(alice)
    status, body = fetch(url)
    assert status == 200 and "Test event" in body, (status, body[:500])
    alice.send("NICK alice_away")
    alice.wait_for(command="NICK", nick="alice")
    assert personal_feed(alice) == url	# it follows the account

    mallory = login("alice")
    theirs = personal_feed(mallory)
    assert theirs != url
    status, body = fetch(theirs)
    assert status == 200 and "Test event" not in body, (status, body[:500])
    # Resetting or erasing "their" feed leaves alice's alone.
    ask(mallory, "feed reset")
    ask(mallory, "forget confirm")
    status, body = fetch(url)
    assert status == 200 and "Test event" in body, (status, body[:500])


# ---------------------------------------------------------------- leaving a channel

def organizers(bot):
    path = bot.config["store"]["path"]
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % path, uri=True)) as db:
        return [r[0] for r in db.execute("SELECT mask FROM organizers")]


@pytest.mark.deadline(90)
@pytest.mark.parametrize("how", ["part", "kick"])
def test_owner_account_not_trusted_after_the_bot_leaves(net, login, start_bot, tmp_path, how):
    """owners = account:boss. The bot learns boss's account while they
    share a channel; then the bot leaves it (told to part, or kicked and
    banned), so it no longer sees boss quit. Whoever takes the nick next,
    even from the same user@host, is looked up again (WHOIS: no account)
    and refused."""
    channel = "#leave-%s" % how
    boss = login("boss", "boss", channels=[channel])
    overrides = bot_overrides(tmp_path)
    overrides["bot"]["command_burst"] = "20"	# boss and mallory share a host
    bot = start_bot(net, boss, channels=channel, wait_channel=channel, overrides=overrides)
    pong = harness.ask(boss, "tping")
    assert any("role=%d id=a:boss" % ROLE_OWNER in r for r in pong), pong

    if how == "part":
        harness.ask(boss, "part %s" % channel)
        boss.wait_for(command="PART", nick="convene", timeout=t(10))
    else:
        boss.mode(channel, "+b", "convene!*@*")
        boss.wait_for(command="MODE", target=channel)
        boss.send("KICK %s convene :out" % channel)
        boss.wait_for(command="KICK", target=channel)
        bot.wait_log(r"kicked from %s" % channel)
    boss.quit()

    mallory = login("boss")	# same nick, same user@host, no account
    assert mallory.nick == "boss"
    assert whois_account(mallory, "boss") is None
    out = harness.ask(mallory, "organizer add *!*@evil")
    assert out == ["Sorry, 'organizer add' is for owners only."], out
    assert "*!*@evil" not in organizers(bot)
    pong = harness.ask(mallory, "tping")
    assert any("role=%d id=n:boss" % ROLE_MEMBER in r for r in pong), pong
    # The real owner, back under another nick, still is one.
    boss = login("boss_back", "boss")
    assert any("role=%d id=a:boss" % ROLE_OWNER in r for r in harness.ask(boss, "tping"))


# ---------------------------------------------------------------- on a scripted server
# What no real server here can show: a CASEMAPPING the bot does not know
# (Ergo's rfc8265), services that keep ops[team] and ops{team} apart (Anope's
# default casemap "ascii"; InspIRCd refuses to link Anope with another
# casemap than its own), and a nick that changes hands without a QUIT.

@pytest.fixture
def peer():
    p = HostilePeer(log=print)
    yield p
    p.close()


def scripted_bot(start_bot, peer, tmp_path, casemapping, caps, owners):
    overrides = {"bot": {"owners": owners, "plugins": "testplug", "command_burst": "20",
                         "plugin_dir": str(plugin_dir(tmp_path, ("testplug",)))}}
    bot = start_bot(port=peer.port, wait=False, overrides=overrides)
    peer.accept()
    peer.register(caps=caps, ack=True, casemapping=casemapping)
    peer.expect_join()
    return bot


def tping_from(peer, origin, account=None, whoised=None):
    """origin ("nick!user@host") sends tping in private; a WHOIS from the
    bot is answered with that user@host and account (None: not logged in)
    and noted in whoised. Returns the bot's tpong text."""
    nick, uh = origin.split("!", 1)
    user, host = uh.split("@", 1)
    peer.send(":%s PRIVMSG %s :tping" % (origin, peer.nick))
    while True:
        l = peer.wait_for(lambda l: l.command == "WHOIS" or (
            l.command == "NOTICE" and l.params[:1] == [nick]), what="WHOIS or tpong")
        if l.command == "NOTICE":
            assert l.text.startswith("tpong"), l.raw
            return l.text
        assert l.params[-1] == nick, l.raw
        if whoised is not None:
            whoised.append(nick)
        peer.numeric("311", nick, user, host, "*", "someone")
        if account is not None:
            peer.numeric("330", nick, account, "is logged in as")
        peer.numeric("318", nick, "End of /WHOIS list.")


@pytest.mark.deadline(60)
def test_unknown_casemapping_keeps_two_nicks_apart(start_bot, peer, tmp_path):
    """CASEMAPPING=rfc8265 is not rfc1459: a[b and a{b are two people with
    two ids (registrations, settings, personal feeds), not one."""
    scripted_bot(start_bot, peer, tmp_path, "rfc8265", caps="", owners="owner!*@*")
    assert "id=n:a[b" in tping_from(peer, "a[b!one@host1")
    assert "id=n:a{b" in tping_from(peer, "a{b!two@host2")
    assert "id=n:a[b" in tping_from(peer, "A[B!one@host1")


@pytest.mark.deadline(60)
def test_account_names_compare_by_ascii_case_only(start_bot, peer, tmp_path):
    """owners = account:ops[team] on an rfc1459 network: the account
    ops{team} (another account to services that fold ASCII only) is not
    the owner and has its own id; ops[team], in any ASCII case, is."""
    scripted_bot(start_bot, peer, tmp_path, "rfc1459", caps="account-notify extended-join",
                 owners="account:ops[team]")
    pong = tping_from(peer, "impostor!i@elsewhere", account="ops{team}")
    assert "role=%d id=a:ops{team}" % ROLE_MEMBER in pong, pong
    pong = tping_from(peer, "boss!b@office", account="Ops[Team]")
    assert "role=%d id=a:ops[team]" % ROLE_OWNER in pong, pong


@pytest.mark.deadline(60)
def test_account_learned_for_one_user_host_is_not_trusted_for_another(start_bot, peer,
                                                                      tmp_path):
    """The bot learned alice's account from her JOIN (extended-join). A line
    from alice with another user@host, with no QUIT or NICK seen between,
    is someone else until a WHOIS says otherwise."""
    scripted_bot(start_bot, peer, tmp_path, "rfc1459", caps="account-notify extended-join",
                 owners="account:alice")
    peer.send(":alice!a@home JOIN #events alice :Alice")
    whoised = []
    pong = tping_from(peer, "alice!a@home", account="alice", whoised=whoised)
    assert "role=%d id=a:alice" % ROLE_OWNER in pong and whoised == [], (pong, whoised)
    pong = tping_from(peer, "alice!m@evil", account=None, whoised=whoised)
    assert "role=%d id=n:alice" % ROLE_MEMBER in pong and whoised == ["alice"], (pong, whoised)


# ---------------------------------------------------------------- issue 12

def db_rows(bot, sql, args=()):
    path = bot.config["store"]["path"]
    with contextlib.closing(sqlite3.connect("file:%s?mode=ro" % path, uri=True)) as db:
        return db.execute(sql, args).fetchall()


@pytest.mark.deadline(90)
def test_join_link_not_sent_to_whoever_takes_a_registrants_nick(accounts_bot, login):
    """Issue 12, item 2: bob (logged in as bob) registers and quits; mallory,
    not logged in, takes the nick bob and sits in the channel; an organiser
    changes the join link. mallory gets nothing; bob, back and logged in,
    gets the kept notice."""
    boss = accounts_bot.boss
    first, second = "https://meet.example.org/first-k2j4", "https://meet.example.org/second-p8x1"
    assert any("join set" in r for r in ask(boss, "event set 1 join %s" % first))
    bob = login("bob", "bob", channels=["#events"])
    out = ask(bob, "rsvp 1")
    assert any("confirmed" in r and first in r for r in out), out
    bob.quit()
    boss.wait_for(command="QUIT", nick="bob")

    mallory = login("bob", channels=["#events"])
    assert mallory.nick == "bob" and whois_account(mallory, "bob") is None
    out = ask(boss, "event set 1 join %s" % second)
    assert any("join set; 1 confirmed person told" in r for r in out), out
    # Her own commands answered after it: anything for "bob" has arrived by then.
    got = ask(mallory, "mine") + [l.text for l in mallory.collect(
        lambda l: harness.from_bot(l), duration=t(1))]
    assert not any("meet.example.org" in r for r in got), got
    assert [r[0] for r in db_rows(accounts_bot, "SELECT person FROM pending_notices")] == \
        ["a:bob"]
    mallory.quit()
    boss.wait_for(command="QUIT", nick="bob")

    bob = login("bob", "bob", channels=["#events"])
    note = bob.wait_for(lambda l: harness.from_bot(l, "bob"), text=re.escape(second),
                        timeout=t(10))
    assert "new join link" in note.text, note.text
    assert db_rows(accounts_bot, "SELECT count(*) FROM pending_notices") == [(0,)]


def test_rsvp_requires_account(make_accounts_bot, login):
    """Issue 12, item 4: with [events] rsvp_requires_account = yes, someone
    not logged in is told how to log in and takes no place."""
    bot = make_accounts_bot(extra={"events": {"rsvp_requires_account": "yes"}})
    assert ask(bot.boss, "event set 1 capacity 1")
    nobody = login("nobody", channels=["#events"])
    out = ask(nobody, "rsvp 1")
    assert len(out) == 1 and "needs a services account" in out[0] and \
        "NickServ IDENTIFY" in out[0], out
    assert "needs a services account" in ask(nobody, "rsvp 1 maybe")[0]
    assert registrations(bot) == []
    alice = login("alice", "alice", channels=["#events"])
    out = ask(alice, "rsvp 1")
    assert any("#1 Test event: confirmed" in r for r in out), out
    assert [r[0] for r in registrations(bot)] == ["a:alice"]


def plugin_ctl(owner, op, name="calendars"):
    """`plugin OP NAME`; its answer comes from a timer, after the command."""
    owner.privmsg("convene", "plugin %s %s" % (op, name))
    owner.wait_for(lambda l: harness.from_bot(l, owner.nick),
                   text=r"^Plugin '%s': %sed\.$" % (name, op), timeout=t(10))


@pytest.mark.deadline(90)
def test_forget_reaches_a_plugin_that_is_not_loaded(make_accounts_bot, login):
    """Issue 12, item 6: `forget confirm` while the calendars plugin is
    unloaded says its part waits; loading it again erases the feed token."""
    bot = make_accounts_bot(PLUGINS + ("calendars",))
    alice = login("alice", "alice", channels=["#events"])
    ask(alice, "rsvp 1")
    url = personal_feed(alice)
    assert fetch(url)[0] == 200
    plugin_ctl(bot.boss, "unload")

    out = ask(alice, "forget")
    assert any("Plugins not running now (calendars)" in r for r in out), out
    out = ask(alice, "forget confirm")
    assert any("Erased, except in plugins not running now (calendars)" in r for r in out), out
    assert registrations(bot) == []
    # Only the id waits, for that plugin alone.
    assert db_rows(bot, "SELECT plugin, person FROM forget_pending") == \
        [("calendars", "a:alice")]

    plugin_ctl(bot.boss, "load")
    assert db_rows(bot, "SELECT count(*) FROM calendar_tokens WHERE person = 'a:alice'") == \
        [(0,)]
    assert db_rows(bot, "SELECT count(*) FROM forget_pending") == [(0,)]
    assert fetch(url)[0] == 404
    out = ask(alice, "forget")
    assert out == ["Convene holds nothing about you."], out
