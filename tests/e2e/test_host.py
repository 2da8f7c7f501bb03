"""Acceptance tests for the host (issue 3): commands and roles, help and
version, the per-person command limit, the admin plugin, loading, unloading
and reloading plugins at run time, HTTP routes of a plugin, SIGHUP, start-up
with a flawed configuration, where plugins are found, and the database's
file modes.

Most tests share one bot (module scope) that loads admin and testplug from a
plugin folder of symlinks to the built plugins and test plugins; each test
uses fresh clients, so the per-person limit of one test never reaches the
next. Tests that change the bot's configuration start a bot of their own.
"""

import os
import re
import signal
import sqlite3
import stat
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import harness
from conftest import unique_nick
from harness import Bot, irc_lower, t

BOT = "convene"
BURST = 15	# the shared bot's command_burst
RATE = 1	# and command_rate


def bot_binary():
    return os.environ.get("CONVENE_BIN") or str(harness.REPO / "build" / "convene")


def link_plugins(folder):
    """A plugin folder of symlinks to the built plugins and test plugins of
    the binary under test (build/ or build/asan/)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bindir = Path(bot_binary()).resolve().parent
    for sub in ("plugins", "test-plugins"):
        for so in sorted((bindir / sub).glob("*.so")):
            (folder / so.name).symlink_to(so)
    for need in ("admin", "testplug", "failinit", "newabi"):
        assert (folder / (need + ".so")).exists(), "%s.so not built next to %s" % (
            need, bot_binary())
    return folder


def from_bot(nick=BOT):
    return lambda n: irc_lower(n) == irc_lower(nick)


def ask(c, text, expect=None, nick=BOT, timeout=None):
    """Send text to the bot in private; return its first NOTICE to c (whose
    text matches the regex expect, when given)."""
    c.privmsg(nick, text)
    return answer(c, expect, nick, timeout)


def answer(c, expect=None, nick=BOT, timeout=None):
    return c.wait_for(command="NOTICE", nick=nick, target=c.nick, text=expect,
                      timeout=t(5) if timeout is None else timeout)


def quiet_from_bot(c, duration, nick=BOT):
    """Every line from the bot that c sees within duration."""
    return c.collect(nick=from_bot(nick), duration=duration)


def http(port, path, method="GET", headers=None):
    """(status, headers, body) of a real HTTP request to the bot."""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=t(5)) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        body = e.read()
        e.close()
        return e.code, e.headers, body


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def plugdir(tmp_path_factory):
    return link_plugins(tmp_path_factory.mktemp("plugins") / "p")


@pytest.fixture(scope="module")
def shared(ircd, plugdir, tmp_path_factory):
    """(bot, watcher): the module's bot in #events with admin and testplug,
    and a client of ours in #events that watches what the bot does there."""
    watcher = ircd.client(unique_nick("watcher"))
    watcher.join("#events")
    bot = Bot(tmp_path_factory.mktemp("shared"), ircd.port, nick=BOT, binary=bot_binary(),
              overrides={"bot": {"owners": "owner*!*@*", "plugins": "admin testplug",
                                 "plugin_dir": str(plugdir), "command_burst": BURST,
                                 "command_rate": RATE},
                         "testplug": {"greeting": "good morning"}})
    harness.wait_nick_free(watcher, BOT)
    bot.start()
    try:
        harness.wait_in_channel(watcher, "#events", BOT, t(15))
    except AssertionError as e:
        bot.finish()
        raise AssertionError("%s\nbot log tail:\n%s" % (e, bot.log_tail())) from None
    yield bot, watcher
    watcher.quit()
    problems = bot.finish()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def sbot(shared):
    bot, watcher = shared
    assert bot.running, "the shared bot is gone; log tail:\n" + bot.log_tail()
    watcher.drain(0.05)
    yield bot
    report = harness.sanitizer_report(bot.log_text())
    assert report is None, report


@pytest.fixture
def watcher(shared):
    return shared[1]


@pytest.fixture
def owner(client):
    return client(unique_nick("owner"), channels=["#events"])


@pytest.fixture
def member(client):
    return client(unique_nick("member"), channels=["#events"])


@pytest.fixture
def spawn(tmp_path):
    """spawn(ircd, nick, overrides=None) -> a Bot not yet started; each one
    is stopped at teardown, must exit 0 and leave no sanitizer report."""
    bots = []

    def make(ircd, nick, overrides=None, binary=None):
        bot = Bot(tmp_path / nick, ircd.port, nick=nick, overrides=overrides,
                  binary=binary or bot_binary())
        bots.append(bot)
        return bot

    yield make
    problems = []
    for bot in bots:
        problems += bot.finish()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def start_and_wait(bot, c, channel="#events"):
    """Start bot and wait until c (in channel) sees it there."""
    harness.wait_nick_free(c, bot.nick)
    bot.start()
    try:
        harness.wait_in_channel(c, channel, bot.nick, t(15))
    except AssertionError as e:
        raise AssertionError("%s\nbot log tail:\n%s" % (e, bot.log_tail())) from None


def link_events(c, nick=BOT):
    """QUIT, JOIN and PART lines of the bot that c has seen."""
    return c.collect(lambda l: l.command in ("QUIT", "JOIN", "PART")
                     and irc_lower(l.nick) == irc_lower(nick), duration=0.2)


# ---------------------------------------------------------------- help and version

def test_help_in_channel_answers_privately(sbot, watcher, member):
    member.privmsg("#events", "!help")
    line = answer(member, r"^Commands: ")
    assert "tping" in line.text and "version" in line.text, line.text
    # Only what a member may use.
    for hidden in ("plugin load", "plugin list", "organizer add", "join", "tsecret"):
        assert not re.search(r"(^|[ ,])%s(,|\.)" % hidden, line.text[len("Commands:"):]), \
            "member sees %r: %s" % (hidden, line.text)
    # Nothing reached the channel, for the command or for channel talk.
    member.privmsg("#events", "tping no prefix here")
    member.privmsg("#events", "!nosuchcommand")
    member.sync()
    got = quiet_from_bot(watcher, t(1.5))
    assert not got, "the bot said something in #events: %r" % [l.raw for l in got]
    assert not quiet_from_bot(member, 0.1), "a channel line without prefix was answered"


def test_help_for_owner_lists_admin_commands(sbot, owner):
    line = ask(owner, "help", r"^Commands: ")
    for cmd in ("plugin load", "plugin unload", "plugin reload", "plugin list", "join",
                "part", "organizer add", "organizer list", "tsecret", "tping"):
        assert cmd in line.text, "owner's help lacks %r: %s" % (cmd, line.text)


def test_help_for_one_command(sbot, owner, member):
    assert ask(member, "help tping").text == "!tping [word]: answer tpong"
    assert ask(member, "help ttimer").text == "!ttimer SECONDS: notice after SECONDS"
    # A command the asker may not use is not explained to them.
    assert ask(member, "help plugin load").text.startswith("No command 'plugin load'")
    assert ask(owner, "help plugin load").text == "!plugin load NAME: load a plugin"
    assert ask(member, "help nosuch").text.startswith("No command 'nosuch'")


def test_version_in_channel_and_in_private(sbot, watcher, member):
    member.privmsg("#events", "!version")
    line = watcher.wait_for(command="NOTICE", nick=BOT, target="#events", timeout=t(5))
    assert re.match(r"Convene \d+\.\d+\.\d+", line.text), line.text
    assert not quiet_from_bot(watcher, 0.5), "more than the one version line in #events"

    line = ask(member, "version", r"^Convene ")
    assert line.target == member.nick
    assert not quiet_from_bot(watcher, 0.5), "a private version reached #events"


def test_prefix_optional_in_private(sbot, member):
    assert ask(member, "tping one").text.startswith("tpong one role=0 ")
    assert ask(member, "!tping two").text.startswith("tpong two role=0 ")
    assert ask(member, "TPING three").text.startswith("tpong three")
    line = ask(member, "nosuch thing")
    assert line.text.startswith("Unknown command 'nosuch'"), line.text


def test_rest_of_line_is_verbatim(sbot, member):
    line = ask(member, "trest word  some  text,  with: spaces & !marks")
    assert line.text == "argc=2 first=[word] rest=[some  text,  with: spaces & !marks]", line.text
    # In a channel too, after the prefix.
    member.privmsg("#events", "!trest w one  two")
    assert answer(member).text == "argc=2 first=[w] rest=[one  two]"


def test_argument_count_errors_give_usage(sbot, member, owner):
    assert ask(member, "ttimer").text == "Usage: !ttimer SECONDS"
    assert ask(member, "ttimer 1 2").text == "Usage: !ttimer SECONDS"
    assert ask(member, "tping a b").text == "Usage: !tping [word]"
    assert ask(member, "trest onlyone").text == "Usage: !trest WORD TEXT..."
    assert ask(owner, "plugin load").text == "Usage: !plugin load NAME"


# ---------------------------------------------------------------- roles

def test_member_refused_and_nothing_happens(sbot, watcher, member, owner):
    member.privmsg("#events", "!organizer add x!*@*")
    line = answer(member)
    assert line.text == "Sorry, 'organizer add' is for owners only.", line.text
    for cmd in ("plugin unload testplug", "plugin list", "join #elsewhere", "part #events",
                "tsecret"):
        line = ask(member, cmd)
        assert line.text.startswith("Sorry, '"), (cmd, line.text)
        assert "only" in line.text
    assert not quiet_from_bot(watcher, 0.5), "a refusal reached #events"
    # Nothing happened: no organiser, testplug still there, the bot still in #events.
    assert ask(owner, "organizer list").text == "Organisers (0): none"
    assert "testplug" in ask(owner, "plugin list", r"^Plugins loaded").text
    assert ask(member, "tping").text.startswith("tpong")
    assert BOT in watcher.names("#events")


def test_organizer_add_grants_organizer_commands(sbot, owner, member):
    refused = ask(member, "tsecret")
    assert refused.text == "Sorry, 'tsecret' is for organisers only.", refused.text
    mask = "%s!*@*" % member.nick
    assert ask(owner, "organizer add %s" % mask).text == "%s is now an organiser." % mask
    assert ask(owner, "organizer add %s" % mask).text == "%s was already an organiser." % mask
    assert mask in ask(owner, "organizer list").text

    assert ask(member, "tsecret").text == "organiser secret"
    assert ask(member, "tping").text.startswith("tpong - role=1 ")
    assert "tsecret" in ask(member, "help", r"^Commands").text
    # Still not an owner.
    assert ask(member, "plugin list").text == "Sorry, 'plugin list' is for owners only."

    # Stored in the real database file, which stays private.
    db = Path(sbot.config["store"]["path"])
    for f in (db, Path(str(db) + "-wal")):
        mode = stat.S_IMODE(f.stat().st_mode)
        assert mode == 0o600, "%s has mode %o" % (f, mode)
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=t(5))
    try:
        masks = [r[0] for r in con.execute("SELECT mask FROM organizers")]
    finally:
        con.close()
    assert mask in masks

    assert ask(owner, "organizer del %s" % mask).text == "%s is no longer an organiser." % mask
    assert ask(owner, "organizer del %s" % mask).text == "%s was not an organiser." % mask
    assert ask(member, "tsecret").text == "Sorry, 'tsecret' is for organisers only."
    assert ask(owner, "organizer list").text == "Organisers (0): none"
    assert ask(owner, "organizer add nonsense").text.startswith("'nonsense' is not a mask")


def test_admin_join_and_part(sbot, owner, client):
    other = client(unique_nick("other"), channels=["#hostjoin"])
    assert ask(owner, "join #hostjoin").text == "Joining #hostjoin."
    harness.wait_in_channel(other, "#hostjoin", BOT, t(5))
    assert ask(owner, "part #hostjoin").text == "Leaving #hostjoin."
    other.wait_for(command="PART", nick=BOT, target="#hostjoin", timeout=t(5))
    assert ask(owner, "join nochannel").text.startswith("'nochannel' is not a channel name")


# ---------------------------------------------------------------- the per-person limit

def test_per_person_command_limit(sbot, client):
    fast = client(unique_nick("fast"))
    calm = client(unique_nick("calm"))
    n = BURST + 12
    fast.send_bytes(b"".join(b"PRIVMSG %s :tping %d\r\n" % (BOT.encode(), i) for i in range(n)))
    fast.sync()	# the server has relayed them all before calm asks
    start = time.monotonic()
    ask(calm, "tping calm", r"^tpong calm")
    elapsed = time.monotonic() - start
    assert elapsed < t(2), "another person waited %.1f s" % elapsed

    got = quiet_from_bot(fast, t(2.5))
    pongs = [l for l in got if l.text.startswith("tpong ")]
    warnings = [l for l in got if "too fast" in l.text]
    assert len(warnings) == 1, [l.text for l in got]
    # The burst, and at most one more that the rate refilled meanwhile.
    assert BURST <= len(pongs) <= BURST + 1, [l.text for l in got]
    assert len(got) == len(pongs) + 1, [l.text for l in got]
    assert all(l.command == "NOTICE" and l.target == fast.nick for l in got)
    # The first ones were answered, in order; the excess was dropped, not queued.
    assert [l.text.split()[1] for l in pongs[:BURST]] == [str(i) for i in range(BURST)]

    # command_rate per second refills the bucket.
    time.sleep(1.0 / RATE + 0.2)
    assert ask(fast, "tping again").text.startswith("tpong again")


# ---------------------------------------------------------------- plugins at run time

def test_plugin_unload_and_load_keep_the_connection(sbot, watcher, owner):
    port = sbot.http_port
    assert http(port, "/test/hello")[0] == 200
    assert ask(owner, "plugin list").text == "Plugins loaded: admin, testplug"
    assert ask(owner, "plugin unload testplug").text == "Plugin 'testplug': unloaded."
    assert ask(owner, "tping").text.startswith("Unknown command 'tping'")
    assert "tping" not in ask(owner, "help", r"^Commands").text
    assert ask(owner, "help tping").text.startswith("No command 'tping'")
    assert ask(owner, "plugin list").text == "Plugins loaded: admin"
    assert http(port, "/test/hello")[0] == 404
    assert ask(owner, "plugin unload testplug").text == \
        "Plugin 'testplug' not unloaded: plugin 'testplug' is not loaded"

    assert ask(owner, "plugin load testplug").text == "Plugin 'testplug': loaded."
    assert ask(owner, "tping back").text.startswith("tpong back")
    assert http(port, "/test/hello")[0] == 200
    assert ask(owner, "plugin load testplug").text.startswith(
        "Plugin 'testplug' not loaded: plugin 'testplug' is already loaded")
    # The IRC connection was never dropped.
    assert not link_events(watcher), "the bot left or rejoined #events"
    assert BOT in watcher.names("#events")


def test_plugin_reload_with_a_pending_timer(sbot, owner):
    # The timer works when left alone...
    assert ask(owner, "ttimer 1").text == "timer set for 1 s"
    answer(owner, r"^testplug timer fired$", timeout=t(4))
    # ...and is gone with the code it would run.
    assert ask(owner, "ttimer 2").text == "timer set for 2 s"
    assert ask(owner, "plugin reload testplug").text == "Plugin 'testplug': reloaded."
    got = quiet_from_bot(owner, t(3.5))
    assert not [l for l in got if "fired" in l.text], [l.text for l in got]
    assert sbot.running
    assert ask(owner, "tping after").text.startswith("tpong after")


def test_bus_subscription_follows_the_plugin(sbot, owner, client):
    """testplug records who the bus says was seen; after a reload only the
    new copy's subscription runs (the old one went with its code)."""
    assert ask(owner, "plugin reload testplug").text == "Plugin 'testplug': reloaded."
    newcomer = unique_nick("newcomer")
    assert ask(owner, "tseen %s" % newcomer).text == "not seen %s" % newcomer
    client(newcomer, channels=["#events"])
    deadline = time.monotonic() + t(5)
    while ask(owner, "tseen %s" % newcomer).text != "seen %s" % newcomer:
        assert time.monotonic() < deadline, "the bus never told testplug about the join"
        time.sleep(0.2)
    assert sbot.running


def test_admin_unloads_itself_and_sighup_brings_it_back(sbot, owner):
    assert ask(owner, "plugin reload admin").text == "Plugin 'admin': reloaded."
    assert ask(owner, "plugin unload admin").text == "Plugin 'admin': unloaded."
    assert ask(owner, "plugin list").text.startswith("Unknown command 'plugin'")
    assert ask(owner, "tping").text.startswith("tpong")
    # The configuration still wants admin: a SIGHUP loads what is missing.
    sbot.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + t(5)
    while not ask(owner, "plugin list").text.startswith("Plugins loaded"):
        assert time.monotonic() < deadline, "admin did not come back after SIGHUP"
        time.sleep(0.2)
    assert ask(owner, "plugin list").text == "Plugins loaded: testplug, admin"


def test_plugin_that_fails_to_start(sbot, owner):
    line = ask(owner, "plugin load failinit")
    assert line.text == ("Plugin 'failinit' not loaded: plugin 'failinit' failed to start: "
                         "failinit refuses to start, as designed"), line.text
    assert "failinit" not in ask(owner, "plugin list").text
    assert ask(owner, "tping still").text.startswith("tpong still")
    sbot.wait_log(r"failinit refuses to start")


def test_plugin_with_newer_abi_is_refused(sbot, owner):
    line = ask(owner, "plugin load newabi")
    assert re.search(r"^Plugin 'newabi' not loaded: needs plugin ABI (\d+)\.(\d+), but this "
                     r"host has only \1\.\d+: upgrade Convene$", line.text), line.text
    assert "newabi" not in ask(owner, "plugin list").text
    line = ask(owner, "plugin load nosuchplugin")
    assert line.text.startswith("Plugin 'nosuchplugin' not loaded: no plugin 'nosuchplugin'")
    line = ask(owner, "plugin load ../testplug")
    assert "is not a plugin name" in line.text, line.text


def test_plugin_refusals_in_the_owners_language(sbot, owner):
    """Issue 15: why a plugin was not loaded or unloaded, in French for an
    owner who reads French (the log keeps the English)."""
    nb = "\u00a0"

    def q(s):
        return "«" + nb + s + nb + "»"

    assert ask(owner, "lang fr").text == "Désormais, je vous réponds en français."
    line = ask(owner, "plugin load newabi")
    assert re.search("^Module " + q("newabi") + " non chargé" + nb + r": il demande l’ABI de "
                     r"modules (\d+)\.(\d+), mais ce robot n’a que la \1\.\d+" + nb
                     + ": mettez Convene à jour$", line.text), line.text
    line = ask(owner, "plugin load nosuchplugin")
    assert line.text == ("Module " + q("nosuchplugin") + " non chargé" + nb + ": aucun module "
                         + q("nosuchplugin") + " dans " + sbot.config["bot"]["plugin_dir"]), line.text
    line = ask(owner, "plugin load ../testplug")
    assert line.text == ("Module " + q("../testplug") + " non chargé" + nb + ": "
                         + q("../testplug") + " n’est pas un nom de module"), line.text
    line = ask(owner, "plugin load testplug")
    assert line.text == ("Module " + q("testplug") + " non chargé" + nb + ": le module "
                         + q("testplug") + " est déjà chargé"), line.text
    line = ask(owner, "plugin load failinit")
    assert line.text == ("Module " + q("failinit") + " non chargé" + nb + ": le module "
                         + q("failinit") + " n’a pas pu démarrer" + nb + ": failinit refuses "
                         "to start, as designed"), line.text	# the plugin's own words, as written
    assert ask(owner, "lang en").text.startswith("From now on")


def test_http_route_of_a_plugin(sbot, owner):
    port = sbot.http_port
    status, headers, body = http(port, "/test/hello")
    assert status == 200
    assert body == b"good morning from testplug\n"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    etag = headers["ETag"]
    assert re.fullmatch(r'"[^"]+"', etag or ""), etag
    assert int(headers["Content-Length"]) == len(body)

    status, headers, body = http(port, "/test/hello", headers={"If-None-Match": etag})
    assert status == 304 and body == b""
    assert http(port, "/test/hello", headers={"If-None-Match": '"other"'})[0] == 200

    status, headers, body = http(port, "/test/hello", method="HEAD")
    assert status == 200 and body == b""
    assert headers["ETag"] == etag

    assert http(port, "/test/nope")[0] == 404
    assert http(port, "/nothing/here")[0] == 404

    assert ask(owner, "plugin unload testplug").text == "Plugin 'testplug': unloaded."
    try:
        assert http(port, "/test/hello")[0] == 404
    finally:
        assert ask(owner, "plugin load testplug").text == "Plugin 'testplug': loaded."
    assert http(port, "/test/hello")[0] == 200


# ---------------------------------------------------------------- bots of their own

def test_sighup_rereads_channels_and_plugins(ircd, client, spawn, plugdir, tmp_path):
    nick = unique_nick("hupbot")
    boss = client(unique_nick("owner"), channels=["#events"])
    other = client(unique_nick("other"), channels=["#hupother"])
    # At first a plugin folder with admin and failinit only.
    few = tmp_path / "few"
    few.mkdir()
    for name in ("admin", "failinit"):
        (few / (name + ".so")).symlink_to(plugdir / (name + ".so"))
    bot = spawn(ircd, nick, {"bot": {"owners": "owner*!*@*", "plugins": "admin failinit",
                                     "plugin_dir": str(few), "command_burst": 20}})
    start_and_wait(bot, boss)
    # A plugin that fails at start-up is logged and the bot runs on.
    bot.wait_log(r"failinit refuses to start")
    assert ask(boss, "plugin list", nick=nick).text == "Plugins loaded: admin"
    assert ask(boss, "tping", nick=nick).text.startswith("Unknown command")

    # A channel and a plugin (from another plugin folder) more.
    bot.config["irc"]["channels"] = "#events, #hupother"
    bot.config["bot"]["plugins"] = "admin testplug"
    bot.config["bot"]["plugin_dir"] = str(plugdir)
    bot.write_config()
    bot.send_signal(signal.SIGHUP)
    harness.wait_in_channel(other, "#hupother", nick, t(10))
    assert ask(boss, "plugin list", nick=nick).text == "Plugins loaded: admin, testplug"
    assert ask(boss, "tping hup", nick=nick).text.startswith("tpong hup")

    # A configuration that cannot work is refused whole; the running one stays.
    del bot.config["irc"]["server"]
    bot.config["irc"]["channels"] = "#events"
    bot.write_config()
    bot.send_signal(signal.SIGHUP)
    bot.wait_log(r"missing \[irc\] server")
    bot.wait_log(r"configuration not reloaded")
    assert ask(boss, "tping kept", nick=nick).text.startswith("tpong kept")
    assert nick in other.names("#hupother")

    # Back to the first channels and plugins.
    bot.config["irc"]["server"] = "127.0.0.1"
    bot.config["bot"]["plugins"] = "admin"
    bot.write_config()
    bot.send_signal(signal.SIGHUP)
    other.wait_for(command="PART", nick=nick, target="#hupother", timeout=t(10))
    assert ask(boss, "plugin list", nick=nick).text == "Plugins loaded: admin"
    assert ask(boss, "tping", nick=nick).text.startswith("Unknown command")
    # No reload dropped the connection or left #events.
    assert not link_events(boss, nick), "the bot left or rejoined #events"
    assert not [l for l in other.history if l.command == "QUIT" and l.nick == nick]


def test_flawed_config_still_joins_and_plugins_come_from_next_to_binary(
        ircd, client, spawn, tmp_path):
    """An unknown key is a warning at start-up; the secret of
    sasl_password_file is never logged; plugins come from next to the
    executable, not from a plugins/ folder in the working directory."""
    nick = unique_nick("typobot")
    boss = client(unique_nick("owner"), channels=["#events"])
    secret = "CANARY-s3cr3t-%d" % os.getpid()
    pw = tmp_path / "sasl.pw"
    pw.write_text(secret + "\n")
    os.chmod(pw, 0o600)
    bot = spawn(ircd, nick, {"irc": {"nickk": "typo", "sasl_user": nick,
                                     "sasl_password_file": str(pw)},
                             "bot": {"owners": "owner*!*@*", "plugins": "admin",
                                     "plugin_dir": None, "command_burst": 20}})
    # The bot's working directory holds a bogus plugins/ folder.
    bogus = bot.dir / "plugins"
    bogus.mkdir()
    (bogus / "admin.so").write_text("not a shared object\n")
    (bogus / "evil.so").write_text("not a shared object either\n")
    lines = bot.conf.read_text().splitlines()
    typo_line = next(i for i, l in enumerate(lines, 1) if l.startswith("nickk "))

    start_and_wait(bot, boss)
    bot.wait_log(r"%s:%d: unknown key 'nickk' in \[irc\]" % (re.escape(str(bot.conf)),
                                                             typo_line))
    # The secret was read and offered (ngircd has no SASL; the bot goes on).
    bot.wait_log(r"SASL login as %s failed" % nick)
    # admin came from build/plugins: its commands work.
    assert ask(boss, "plugin list", nick=nick).text == "Plugins loaded: admin"
    assert ask(boss, "plugin load evil", nick=nick).text.startswith(
        "Plugin 'evil' not loaded: no plugin 'evil' in %s"
        % (Path(bot_binary()).resolve().parent / "plugins"))
    assert str(bogus) not in bot.log_text()
    bot.send_signal(signal.SIGHUP)	# reads the secret again
    bot.wait_log(r"SIGHUP")
    assert ask(boss, "version", nick=nick).text.startswith("Convene ")
    assert bot.stop() == 0
    log = bot.log_text()
    assert secret not in log, "the SASL secret is in the bot's log"
    assert "s3cr3t" not in log
