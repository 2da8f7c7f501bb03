"""Acceptance tests for the bot's IRC link: registration, channels with keys,
nick collision, reconnect, TLS, CTCP, flood control, SIGTERM, and input
hazards from a hostile peer."""

import re
import signal
import subprocess
import time

import pytest

import harness
from conftest import unique_nick
from harness import Ngircd, irc_lower, t
from hostile import HostilePeer


def is_bot_reply(nick="convene"):
    return lambda l: l.command == "NOTICE" and irc_lower(l.nick) == irc_lower(nick)


def ctcp_reply(command, nick="convene"):
    def pred(l):
        c = l.ctcp()
        return (l.command == "NOTICE" and irc_lower(l.nick) == irc_lower(nick)
                and c is not None and c[0] == command)
    return pred


@pytest.fixture(scope="module")
def tls_ircd(tmp_path_factory):
    server = Ngircd(tmp_path_factory.mktemp("tls-ircd"), tls=True)
    server.start()
    yield server
    server.stop()


# ---------------------------------------------------------------- registration

def test_joins_channels_including_keyed_one(ircd, client, observer, start_bot):
    op = client(unique_nick("op"), channels=["#other"])
    op.mode("#other", "+k", "key")
    op.wait_for(command="MODE", target="#other")
    # The key matters: without it the server refuses the JOIN.
    outsider = client()
    outsider.send("JOIN #other")
    outsider.wait_for(command="475")

    start_bot(ircd, observer, channels="#events, #other key")
    harness.wait_in_channel(op, "#other", "convene", t(10))
    assert "convene" in observer.names("#events")


@pytest.mark.deadline(120)
def test_nick_collision_then_regain(ircd, client, observer, start_bot):
    harness.wait_nick_free(observer, "convene")
    holder = client("convene")
    assert holder.nick == "convene"

    def alternate(n):
        return irc_lower(n).startswith("convene") and irc_lower(n) != "convene"

    start_bot(ircd, observer, wait_nick=alternate)
    assert alternate(harness.wait_in_channel(observer, "#events", alternate))

    holder.quit("making room")
    # From the alternate nick (or another one it tried on the way) to convene;
    # a periodic retry every 30 s may come up to 30 s after the QUIT.
    observer.wait_for(lambda l: l.command == "NICK" and alternate(l.nick)
                      and irc_lower(l.text) == "convene", timeout=t(40))

    # The bot knows its own nick again: it answers as convene.
    asker = client()
    asker.privmsg("convene", "version")
    asker.wait_for(is_bot_reply("convene"), timeout=t(5))


# ---------------------------------------------------------------- reconnect

@pytest.mark.deadline(90)
def test_reconnects_after_server_restart(make_ircd, client, start_bot):
    server = make_ircd()
    first = client(ircd=server, channels=["#events"])
    start_bot(server, first)

    server.stop()
    server.start()
    second = client(ircd=server, channels=["#events"])
    # Backoff starts at 2 s.
    harness.wait_in_channel(second, "#events", "convene", t(20))


@pytest.mark.deadline(90)
def test_connects_when_server_comes_up_late(make_ircd, client, start_bot):
    server = make_ircd(start=False)
    start_bot(server, wait=False)
    time.sleep(3)
    server.start()
    obs = client(ircd=server, channels=["#events"])
    harness.wait_in_channel(obs, "#events", "convene", t(20))


# ---------------------------------------------------------------- TLS

def test_tls_with_our_ca(tls_ircd, client, start_bot):
    obs = client(ircd=tls_ircd, channels=["#events"])
    start_bot(tls_ircd, obs, overrides={"irc": {
        "server": "127.0.0.1", "port": tls_ircd.tls_port, "tls": "yes",
        "tls_ca_file": tls_ircd.tls["ca"]}})


def test_tls_refuses_untrusted_certificate(tls_ircd, client, start_bot):
    obs = client(ircd=tls_ircd, channels=["#events"])
    bot = start_bot(tls_ircd, wait=False, overrides={"irc": {
        "server": "127.0.0.1", "port": tls_ircd.tls_port, "tls": "yes"}})
    obs.expect_none(lambda l: l.command == "JOIN" and irc_lower(l.nick) == "convene",
                    duration=t(10))
    assert "convene" not in obs.names("#events")
    assert re.search(r"certificate|SSL|TLS", bot.log_text(), re.I), bot.log_tail()


def test_tls_refuses_certificate_for_another_name(tmp_path, client, start_bot):
    """A certificate from a trusted CA, but for another name than the one
    the bot connects to, is refused: the name is checked, not only the
    chain."""
    other = Ngircd(tmp_path / "other-name", tls=True, tls_names="DNS:irc.example.org")
    other.start()
    try:
        obs = client(ircd=other, channels=["#events"])
        bot = start_bot(other, wait=False, overrides={"irc": {
            "server": "127.0.0.1", "port": other.tls_port, "tls": "yes",
            "tls_ca_file": other.tls["ca"]}})
        obs.expect_none(lambda l: l.command == "JOIN" and irc_lower(l.nick) == "convene",
                        duration=t(8))
        assert re.search(r"certificate|SSL|TLS", bot.log_text(), re.I), bot.log_tail()
        bot.stop()
    finally:
        other.stop()


def traced(pid):
    """Whether the main thread of pid is being traced."""
    with open("/proc/%d/status" % pid) as f:
        return re.search(r"^TracerPid:\s*[1-9]", f.read(), re.M) is not None


def files_opened_at_tls_connect(tmp_path, start_bot, irc):
    """(bot, strace's file calls) of a TLS connect with [irc] irc: the bot
    first finds no server, strace attaches, then the server starts and the
    bot's handshake ends in a certificate log line (accepted or refused)."""
    server = Ngircd(tmp_path / "ircd", tls=True)
    bot = start_bot(port=server.tls_port, wait=False, overrides={"irc": {
        "server": "127.0.0.1", "port": server.tls_port, "tls": "yes", **irc}})
    bot.wait_log(r"disconnected \(.*\); reconnecting", t(15))
    out = tmp_path / "strace.txt"
    trace = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=%file", "-o", str(out),
                              "-p", str(bot.proc.pid)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + t(10)
        while not traced(bot.proc.pid):
            assert time.monotonic() < deadline and trace.poll() is None, "strace did not attach"
            time.sleep(0.05)
        server.start()
        bot.wait_log(r"certificate", t(30))
    finally:
        trace.send_signal(signal.SIGINT)
        trace.wait(t(10))
        server.stop()
    return bot, out.read_text()


def test_tls_reads_only_the_authority_it_needs(tmp_path, client, start_bot):
    """With the system's authorities (no tls_ca_file), OpenSSL looks the
    issuer up in the hashed CA directory (/etc/ssl/certs/HASH.0) instead of
    parsing the whole bundle into memory (1.2 MB of heap, kept by libcurl's
    CA cache; bench/README.md): the bundle file is never opened. The bot
    first finds no server, strace attaches, then the server starts."""
    _, opened = files_opened_at_tls_connect(tmp_path, start_bot, {})
    assert "ca-certificates.crt" not in opened, opened
    # OpenSSL looked for the issuer under its hash (a stat, found or not).
    assert re.search(r'"/etc/ssl/certs/[0-9a-f]{8}\.0"', opened), opened


def test_tls_ca_file_is_the_only_authority(tmp_path, client, start_bot):
    """tls_ca_file replaces the system's authorities: a server whose
    certificate another CA signed is refused without OpenSSL looking for its
    issuer in the system directory (before, libcurl kept trusting
    /etc/ssl/certs beside the file, so a public CA could stand in for the
    private one the owner pinned)."""
    other = harness.make_tls(tmp_path / "other-ca")
    bot, opened = files_opened_at_tls_connect(tmp_path, start_bot,
                                              {"tls_ca_file": other["ca"]})
    assert "/etc/ssl/certs/" not in opened, opened
    assert "ca-certificates.crt" not in opened, opened
    assert not re.search(r"JOIN", bot.log_text())


def test_tls_verify_off_is_explicit_and_warned(tls_ircd, client, start_bot):
    """tls_verify = no connects to an untrusted certificate, and says so in
    the log at every connect."""
    obs = client(ircd=tls_ircd, channels=["#events"])
    bot = start_bot(tls_ircd, obs, overrides={"irc": {
        "server": "127.0.0.1", "port": tls_ircd.tls_port, "tls": "yes", "tls_verify": "no"}})
    assert len(re.findall(r"verification is OFF", bot.log_text())) == 1
    bot.restart()
    harness.wait_in_channel(obs, "#events", "convene", t(15))
    assert len(re.findall(r"verification is OFF", bot.log_text())) == 2


# ---------------------------------------------------------------- CTCP

def test_ctcp_version_ping_time(bot, client):
    c = client()
    c.ctcp("convene", "VERSION")
    reply = c.wait_for(ctcp_reply("VERSION"), timeout=t(5))
    assert reply.ctcp()[1].strip(), reply.raw

    c.ctcp("convene", "PING", "1234567890 abc")
    reply = c.wait_for(ctcp_reply("PING"), timeout=t(5))
    assert reply.text == "\x01PING 1234567890 abc\x01", reply.raw

    c.ctcp("convene", "TIME")
    reply = c.wait_for(ctcp_reply("TIME"), timeout=t(5))
    assert reply.ctcp()[1].strip(), reply.raw


def test_ctcp_finger_is_not_answered(bot, client):
    c = client()
    c.ctcp("convene", "FINGER")
    c.expect_none(is_bot_reply(), duration=t(3))


def test_ctcp_flood_is_rate_limited(bot, client):
    c = client()
    c.send_bytes(b"PRIVMSG convene :\x01VERSION\x01\r\n" * 20)
    answers = c.collect(ctcp_reply("VERSION"), duration=t(4))
    assert 1 <= len(answers) <= 5, "%d answers to 20 CTCP VERSION" % len(answers)


# ---------------------------------------------------------------- flood

def test_flood_from_one_user_does_not_delay_another(bot, client):
    a = client(unique_nick("flooder"))
    b = client(unique_nick("patient"))
    a.send_bytes(b"PRIVMSG convene :version\r\n" * 50)
    a.sync()	# the server has relayed all 50 before B asks
    start = time.monotonic()
    b.privmsg("convene", "version")
    b.wait_for(is_bot_reply(), timeout=t(3))
    elapsed = time.monotonic() - start
    # command_burst 5: A gets a few answers and one "slow down" notice.
    to_a = a.collect(is_bot_reply(), duration=t(3))
    assert 1 <= len(to_a) <= 7, "A got %d notices for 50 commands: %r" % (
        len(to_a), [l.text for l in to_a])
    assert elapsed <= t(3)


# ---------------------------------------------------------------- SIGTERM

def test_sigterm_quits_cleanly(bot, observer):
    bot.send_signal(signal.SIGTERM)
    observer.wait_for(command="QUIT", nick="convene", timeout=t(5))
    assert bot.wait(t(5)) == 0, bot.log_tail()


# ---------------------------------------------------------------- hostile peer

@pytest.mark.deadline(120)
def test_survives_hostile_peer(start_bot):
    peer = HostilePeer(log=print)
    try:
        bot = start_bot(port=peer.port, wait=False)
        steps = peer.run()
        assert steps, "no hazard steps ran"
        assert peer.connections == 1 and peer.extra_connections() == 0, \
            "the bot reconnected during the run"
        assert bot.running, "the bot exited during the run:\n" + bot.log_tail()
        assert bot.stop() == 0, bot.log_tail()
    finally:
        peer.close()
