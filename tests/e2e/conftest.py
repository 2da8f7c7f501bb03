"""pytest fixtures for Convene's end-to-end tests (the library is harness.py).

ircd          one ngircd per test module (tests that do not disturb it)
make_ircd     a fresh ngircd per call, for tests that stop, restart or
              reconfigure the server (tls=, penalties=, start=)
client        factory: client(nick=None, ircd=None, channels=()) -> IrcClient
observer      a client in #events on the module's ngircd
start_bot     factory: start the bot against an ngircd (or any port) and wait
              until the observer sees it JOIN; at teardown every bot gets
              SIGTERM, must exit 0 and leave no sanitizer/valgrind report
bot           start_bot() with the defaults: in #events on `ircd`
"""

import itertools
import os
import signal

import pytest

import harness
from harness import Bot, IrcClient, Ngircd, t

_seq = itertools.count(1)

DEFAULT_DEADLINE = 120


def unique_nick(base):
    """A nick no other test of this run uses (module servers are shared)."""
    return "%s%d" % (base, next(_seq))


# ---------------------------------------------------------------- per-test deadline

def pytest_configure(config):
    config.addinivalue_line(
        "markers", "deadline(seconds): fail the test after seconds x "
        "CONVENE_TIMEOUT_FACTOR (default %d)" % DEFAULT_DEADLINE)


class DeadlineExceeded(Exception):
    pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """A hard per-test deadline (pytest-timeout is not a dependency)."""
    m = item.get_closest_marker("deadline")
    seconds = int(t(m.args[0] if m else DEFAULT_DEADLINE)) + 1

    def expired(signum, frame):
        raise DeadlineExceeded("test exceeded its deadline of %d s" % seconds)

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# ---------------------------------------------------------------- ngircd

@pytest.fixture(scope="module")
def ircd(tmp_path_factory):
    server = Ngircd(tmp_path_factory.mktemp("ircd"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_ircd(tmp_path):
    servers = []

    def make(tls=False, penalties=False, start=True, port=None):
        server = Ngircd(tmp_path / ("ircd%d" % len(servers)), port=port, tls=tls,
                        penalties=penalties)
        servers.append(server)
        if start:
            server.start()
        return server

    yield make
    for server in servers:
        server.stop()


# ---------------------------------------------------------------- clients

@pytest.fixture
def client(request):
    """client(nick=None, ircd=None, channels=(), **IrcClient kwargs).

    nick None picks a unique one; ircd None uses the module's `ircd`.
    Channels are joined (a (channel, key) tuple for a keyed one)."""
    made = []

    def make(nick=None, ircd=None, channels=(), **kw):
        if ircd is None:
            ircd = request.getfixturevalue("ircd")
        port = ircd if isinstance(ircd, int) else ircd.port
        c = IrcClient(port, nick or unique_nick("user"), **kw)
        made.append(c)
        for ch in channels:
            if isinstance(ch, tuple):
                c.join(*ch)
            else:
                c.join(ch)
        return c

    yield make
    for c in made:
        c.quit()


@pytest.fixture
def observer(client, ircd):
    return client(unique_nick("observer"), ircd, channels=["#events"])


# ---------------------------------------------------------------- the bot

def _bot_binary():
    binary = os.environ.get("CONVENE_BIN")
    if binary:
        return binary
    default = harness.REPO / "build" / "convene"
    if not default.exists():
        pytest.fail("no bot binary: build first or set CONVENE_BIN", pytrace=False)
    return str(default)


@pytest.fixture
def start_bot(tmp_path, make_ircd):
    """start_bot(ircd=None, observer=None, wait=True, nick='convene',
    channels='#events', overrides=None, port=None) -> Bot.

    ircd: an Ngircd (its port is used) or None with port= given.
    wait: wait until observer (in #events) sees the bot there; the nick
    to wait for is `nick`, or wait_nick (a name or a callable on a nick)."""
    # Depends on make_ircd so that bots stop before per-test servers do.
    bots = []

    def start(ircd=None, observer=None, wait=True, nick="convene", channels="#events",
              overrides=None, port=None, wait_nick=None, wait_channel="#events"):
        if port is None:
            port = ircd.port
        bot = Bot(tmp_path / ("bot%d" % len(bots)), port, nick=nick, channels=channels,
                  overrides=overrides, binary=_bot_binary())
        bots.append(bot)
        if observer is not None and wait_nick is None:
            # A bot of the previous test may still be leaving the shared server.
            harness.wait_nick_free(observer, nick)
        bot.start()
        if wait:
            assert observer is not None, "start_bot(wait=True) needs an observer"
            try:
                harness.wait_in_channel(observer, wait_channel, wait_nick or nick, t(15))
            except AssertionError as e:
                raise AssertionError("%s\nbot log tail:\n%s" % (e, bot.log_tail())) from None
        return bot

    yield start
    problems = []
    for bot in bots:
        problems += bot.finish()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def bot(start_bot, ircd, observer):
    return start_bot(ircd, observer)
