"""Self-tests of the test setup: real ngircd, real sockets, real openssl.

If these fail, the link tests' failures say nothing about the bot. The bot
fixture's machinery (config, readiness, SIGTERM, exit code, sanitizer scan)
and the hostile peer's script are checked against FAKE_BOT, a small Python
stand-in for the bot written below."""

import socket
import ssl
import subprocess
import sys
import time

import pytest

import harness
from conftest import unique_nick
from harness import Bot, IrcClient, Line, t
from hostile import HostilePeer, PeerError

# A stand-in for build/convene: enough of the link behaviour to exercise the
# harness (CAP LS 302 first, registration with an alternate nick, channel
# keys, nick regain, CTCP, a `version` command with per-user and global
# rate limits, reconnect with backoff, TLS, QUIT and exit 0 on SIGTERM).
# FAKE_BOT_MODE=asan prints a sanitizer report; =badexit exits 3.
FAKE_BOT = r'''
import configparser, os, random, select, signal, socket, ssl, sys, time
cfg = configparser.ConfigParser(inline_comment_prefixes=(";",))
cfg.read(sys.argv[sys.argv.index("-c") + 1])
irc = cfg["irc"]
nick_want = irc["nick"]
chans = [c.strip().split() for c in irc["channels"].split(",") if c.strip()]
mode = os.environ.get("FAKE_BOT_MODE", "")
stop = False
def on_term(*a):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
def log(m):
    print(time.strftime("%H:%M:%S"), m, file=sys.stderr, flush=True)
backoff = 2
ctcp_times = []
users = {}
def allow(who):
    tokens, last = users.get(who, (5.0, time.monotonic()))
    now = time.monotonic()
    tokens = min(5.0, tokens + (now - last) * 1)
    ok = tokens >= 1
    users[who] = (tokens - 1 if ok else tokens, now)
    return ok, tokens
while not stop:
    try:
        s = socket.create_connection((irc["server"], int(irc["port"])), timeout=5)
        if irc.get("tls", "no") == "yes":
            ctx = ssl.create_default_context(cafile=irc.get("tls_ca_file"))
            s = ctx.wrap_socket(s, server_hostname=irc["server"])
    except (OSError, ssl.SSLError) as e:
        log("connect failed: %s (certificate? %s)" % (e, type(e).__name__))
        deadline = time.monotonic() + backoff
        backoff = min(backoff * 2, 30)
        while not stop and time.monotonic() < deadline:
            time.sleep(0.05)
        continue
    s.settimeout(None)
    backoff = 2
    def send(l):
        s.sendall(l.encode("utf-8", "replace") + b"\r\n")
    send("CAP LS 302"); send("NICK " + nick_want); send("USER convene 0 * :fake")
    me = nick_want; buf = b""; alt = 0; next_regain = 0; warned = set()
    while not stop:
        if me != nick_want and time.monotonic() > next_regain:
            send("NICK " + nick_want); next_regain = time.monotonic() + 2
        r, _, _ = select.select([s], [], [], 0.1)
        if not r:
            continue
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            log("disconnected"); break
        buf += data
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            raw = raw.rstrip(b"\r").replace(b"\0", b"").decode("utf-8", "replace")[:510]
            if raw.startswith("@"):
                raw = raw.partition(" ")[2]
            if not raw:
                continue
            pre = ""
            if raw.startswith(":"):
                pre, _, raw = raw[1:].partition(" ")
            trail = None
            if " :" in raw:
                raw, trail = raw.split(" :", 1)
            p = raw.split(); cmd = p[0].upper() if p else ""; p = p[1:] + ([trail] if trail is not None else [])
            who = pre.split("!")[0]
            if cmd == "PING":
                send("PONG :" + (p[-1] if p else ""))
            elif cmd == "CAP" and len(p) > 1 and p[1] == "LS":
                send("CAP END")
            elif cmd in ("433", "432"):
                alt += 1; me = nick_want + "_" * alt; send("NICK " + me)
            elif cmd == "001":
                me = p[0]; log("registered as " + me)
                for c in chans:
                    send("JOIN " + " ".join(c))
            elif cmd == "NICK" and who.lower() == me.lower() and p:
                me = p[-1]
            elif cmd == "JOIN" and who.lower() == me.lower():
                log("joined " + p[0])
            elif cmd == "PRIVMSG" and len(p) == 2:
                text = p[1]
                if text.startswith("\x01") and len(text) > 1:
                    body = text.strip("\x01"); c, _, arg = body.partition(" ")
                    now = time.monotonic()
                    ctcp_times[:] = [x for x in ctcp_times if now - x < 10]
                    if len(ctcp_times) >= 3 or c == "FINGER":
                        continue
                    ctcp_times.append(now)
                    if c == "VERSION":
                        send("NOTICE %s :\x01VERSION fake 0\x01" % who)
                    elif c == "PING":
                        send("NOTICE %s :\x01PING %s\x01" % (who, arg))
                    elif c == "TIME":
                        send("NOTICE %s :\x01TIME %s\x01" % (who, time.ctime()))
                elif text == "version" and p[0].lower() == me.lower():
                    ok, _ = allow(who)
                    if ok:
                        send("NOTICE %s :fake 0" % who)
                    elif who not in warned:
                        warned.add(who); send("NOTICE %s :slow down" % who)
    if stop:
        try:
            send("QUIT :shutting down")
        except OSError:
            pass
    s.close()
if mode == "asan":
    print("==123==ERROR: AddressSanitizer: heap-use-after-free on address 0x1", file=sys.stderr)
    print("    #0 0x1 in link_read bot/link.c:42", file=sys.stderr)
sys.exit(3 if mode == "badexit" else 0)
'''


def write_fake_bot(directory):
    path = directory / "fakebot"
    path.write_text("#!%s\n%s" % (sys.executable, FAKE_BOT))
    path.chmod(0o755)
    return str(path)


# ---------------------------------------------------------------- pure parts

def test_free_port_is_bindable():
    port = harness.free_port()
    assert 1024 <= port < 65536
    assert harness.port_is_free(port)


def test_line_parsing():
    l = Line("@time=2026-01-01T00:00:00Z;msgid=x :a!b@c PRIVMSG #events :hello there")
    assert l.tags == {"time": "2026-01-01T00:00:00Z", "msgid": "x"}
    assert (l.prefix, l.nick, l.command, l.params) == (
        "a!b@c", "a", "PRIVMSG", ["#events", "hello there"])
    assert Line("PING :tok").params == ["tok"]
    assert Line("PONG tok").text == "tok"
    assert Line(":srv 421").params == []
    assert Line(":srv 005 me A=1 B :are supported").params == ["me", "A=1", "B", "are supported"]
    assert Line(":x!y@z NOTICE me :\x01PING 1 2\x01").ctcp() == ("PING", "1 2")
    assert Line(":x!y@z PRIVMSG me :\x01").ctcp() == ("", "")
    assert Line(":x!y@z PRIVMSG me :plain").ctcp() is None


def test_sanitizer_report_detection():
    assert harness.sanitizer_report("info: started\ninfo: joined\n") is None
    assert harness.sanitizer_report("==77== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)") is None
    for bad in ("==1==ERROR: AddressSanitizer: heap-buffer-overflow",
                "==1==ERROR: LeakSanitizer: detected memory leaks",
                "bot/link.c:10:5: runtime error: signed integer overflow",
                "==77== ERROR SUMMARY: 3 errors from 3 contexts (suppressed: 0 from 0)"):
        report = harness.sanitizer_report("a\nb\n%s\nstack\n" % bad)
        assert report and bad in report and "stack" in report


def test_bot_config_overrides(tmp_path):
    bot = Bot(tmp_path, 6667, overrides={
        "irc": {"tls": True, "tls_ca_file": "/ca.pem", "flood_rate": None},
        "http": None, "calendar": {"feeds": "x"}}, binary="/bin/true")
    text = bot.conf.read_text()
    assert "tls = yes" in text and "tls_ca_file = /ca.pem" in text
    assert "flood_rate" not in text and "[http]" not in text
    assert "[calendar]\nfeeds = x" in text
    assert "[store]\npath = %s" % (tmp_path / "convene.db") in text
    plain = Bot(tmp_path / "b", 6667, binary="/bin/true")
    assert "port = %d" % plain.http_port in plain.conf.read_text()


# ---------------------------------------------------------------- ngircd and clients

def test_two_clients_talk_through_ngircd(ircd, client):
    a = client(unique_nick("alice"), channels=["#harness"])
    b = client(unique_nick("bob"), channels=["#harness"])
    assert a.nick in b.names("#harness")
    a.privmsg("#harness", "hello channel")
    assert b.wait_for(command="PRIVMSG", nick=a.nick, target="#harness").text == "hello channel"
    a.privmsg(b.nick, "one")
    a.notice(b.nick, "two")
    a.ctcp(b.nick, "PING", "42")
    # Wait for the later lines first: the earlier ones stay in the backlog.
    ping = b.wait_for(command="PRIVMSG", text="^\x01")
    assert ping.ctcp() == ("PING", "42")
    assert b.wait_for(command="NOTICE", nick=a.nick).text == "two"
    assert b.wait_for(command="PRIVMSG", nick=a.nick).text == "one"
    b.ctcp_reply(a.nick, "PING", "42")
    assert a.wait_for(command="NOTICE", nick=b.nick).ctcp() == ("PING", "42")
    b.sync()
    b.drain(0)
    a.privmsg(b.nick, "raw read")
    assert b.read_line(t(5)).text == "raw read"
    assert b.read_line(0.2) is None
    with pytest.raises(AssertionError):
        b.wait_for(command="PRIVMSG", timeout=0.3)
    b.expect_none(command="PRIVMSG", duration=0.2)


def test_client_answers_ping(tmp_path):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    c = IrcClient(srv.getsockname()[1], "pinged", register=False)
    conn, _ = srv.accept()
    conn.sendall(b"PING :abc\r\n:s NOTICE pinged :after\r\n")
    assert c.wait_for(command="NOTICE").text == "after"
    conn.settimeout(5)
    assert conn.recv(100) == b"PONG :abc\r\n"
    conn.close()
    srv.close()
    with pytest.raises(ConnectionError):
        c.wait_for(command="NOTICE", timeout=2)
    c.close()


def test_ngircd_restarts_on_same_port(make_ircd, client):
    server = make_ircd()
    port = server.port
    c = client(ircd=server)
    server.stop()
    with pytest.raises(ConnectionError):
        c.wait_for(command="PRIVMSG", timeout=t(5))
    server.start()
    assert server.port == port
    assert client(ircd=server).nick


def test_ngircd_penalty_option(make_ircd, client):
    off = make_ircd(start=False)
    on = make_ircd(start=False, penalties=True)
    assert "\nMaxPenaltyTime = 0\n" in off.conf.read_text()
    assert "\nMaxPenaltyTime" not in on.conf.read_text()
    for server in (off, on):
        r = subprocess.run(["ngircd", "--configtest", "-f", str(server.conf)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert r.returncode == 0, r.stdout
        server.start()

    # 8 lines in a burst: echoed at once without penalties, ~3/s with them.
    def burst_time(server):
        c = client(ircd=server)
        start = time.monotonic()
        c.send_bytes(b"".join(b"PRIVMSG %s :n%d\r\n" % (c.nick.encode(), i) for i in range(8)))
        for i in range(8):
            c.wait_for(command="PRIVMSG", text="^n%d$" % i, timeout=t(60))
        return time.monotonic() - start
    assert burst_time(off) < 1.5
    assert burst_time(on) > 2


def test_tls_material_and_ngircd_tls_port(make_ircd, client):
    server = make_ircd(tls=True)
    text = subprocess.run(["openssl", "x509", "-noout", "-text", "-in", server.tls["cert"]],
                          stdout=subprocess.PIPE, text=True, check=True).stdout
    assert "IP Address:127.0.0.1" in text and "DNS:localhost" in text
    for name in ("127.0.0.1", "localhost"):
        opt = ["-verify_ip", name] if name[0].isdigit() else ["-verify_hostname", name]
        r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % server.tls_port,
                            "-CAfile", server.tls["ca"], "-verify_return_error", "-brief"] + opt,
                           input="QUIT\n", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=t(20))
        assert r.returncode == 0 and "Verification: OK" in r.stdout, r.stdout
    # A TLS client registers and meets a plain one in a channel.
    plain = client(ircd=server, channels=["#tls"])
    secure = client(ircd=server.tls_port, tls=True, cafile=server.tls["ca"],
                    server_hostname="localhost", channels=["#tls"])
    secure.privmsg("#tls", "over tls")
    assert plain.wait_for(command="PRIVMSG", nick=secure.nick).text == "over tls"
    # The system CA store does not trust the throwaway CA.
    with pytest.raises(ssl.SSLCertVerificationError):
        IrcClient(server.tls_port, "untrusting", tls=True)


# ---------------------------------------------------------------- the bot fixture, with a fake bot

@pytest.fixture
def reap():
    """Kill fake bots a failing self-test left running."""
    bots = []
    yield bots.append
    for bot in bots:
        if bot.running:
            bot.proc.kill()
            bot.proc.wait()


def test_bot_fixture_machinery(tmp_path, ircd, observer, reap):
    fake = write_fake_bot(tmp_path)
    bot = Bot(tmp_path / "ok", ircd.port, nick=unique_nick("fake"), binary=fake)
    reap(bot)
    bot.start()
    harness.wait_in_channel(observer, "#events", bot.nick)
    bot.wait_log("joined #events")
    bot.send_signal(harness.signal.SIGTERM)
    observer.wait_for(command="QUIT", nick=bot.nick, timeout=t(5))
    assert bot.wait() == 0
    assert bot.finish() == []

    bot.start()
    harness.wait_in_channel(observer, "#events", bot.nick)
    bot.restart()
    harness.wait_in_channel(observer, "#events", bot.nick)
    assert bot.finish() == [] and bot.log_text().count("==== harness: starting") == 3


@pytest.mark.parametrize("mode,expect", [("asan", "AddressSanitizer"),
                                         ("badexit", "exited with 3")])
def test_bot_fixture_reports_failures(tmp_path, ircd, observer, monkeypatch, reap, mode, expect):
    monkeypatch.setenv("FAKE_BOT_MODE", mode)
    bot = Bot(tmp_path, ircd.port, nick=unique_nick("fake"), binary=write_fake_bot(tmp_path))
    reap(bot)
    bot.start()
    harness.wait_in_channel(observer, "#events", bot.nick)
    problems = bot.finish()
    assert len(problems) == 1 and expect in problems[0], problems


def test_hostile_peer_script(tmp_path, reap):
    """The peer's script runs to the end against a well-behaved client."""
    peer = HostilePeer()
    bot = Bot(tmp_path, peer.port, binary=write_fake_bot(tmp_path))
    reap(bot)
    bot.start()
    try:
        done = peer.run()
        assert "blank lines" in done and "PING split across segments" in done
        assert peer.received[0].raw == "CAP LS 302"
    finally:
        assert bot.stop() == 0
        peer.close()
    assert bot.finish() == []


def test_hostile_peer_notices_a_hang(tmp_path):
    """A client that stops answering PING is caught, not waited on forever."""
    peer = HostilePeer()
    s = socket.create_connection(("127.0.0.1", peer.port))
    s.sendall(b"CAP LS 302\r\nNICK mute\r\nUSER m 0 * :m\r\nCAP END\r\n")
    peer.accept()
    peer.register()
    with pytest.raises(PeerError, match="PONG token1"):
        peer.ping_check(timeout=1)
    s.close()
    peer.close()
