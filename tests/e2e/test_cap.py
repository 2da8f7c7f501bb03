"""Acceptance tests for CAP negotiation and SASL against a scripted server
(tests/e2e/hostile.py), for lines no real server sends on purpose: an
AUTHENTICATE nobody asked for (with and without SASL configured), a server
that offers no SASL, a CAP LS longer than 1 KiB, and a sasl= value without
PLAIN. One negotiation, one CAP END; the password only ever goes out as the
answer to the server's "+" after the bot's own AUTHENTICATE PLAIN."""

import base64
import time

import pytest

from hostile import SERVER, HostilePeer, PeerError
from harness import t

SASL_USER = "cvbot"
SASL_PASSWORD = "Hostile-Pw-q81x"
CREDENTIALS = base64.b64encode(
    ("%s\0%s\0%s" % (SASL_USER, SASL_USER, SASL_PASSWORD)).encode()).decode()


@pytest.fixture
def peer():
    p = HostilePeer(log=print)
    yield p
    p.close()


def sasl_overrides(tmp_path, required=None):
    pw = tmp_path / "sasl.pass"
    pw.write_text(SASL_PASSWORD + "\n")
    pw.chmod(0o600)
    irc = {"sasl_user": SASL_USER, "sasl_password_file": str(pw)}
    if required is not None:
        irc["sasl_required"] = required
    return {"irc": irc}


def sent(peer, command):
    """The lines of this command the bot sent so far."""
    return [l for l in peer.received if l.command == command]


def assert_no_credentials(peer, bot):
    """No AUTHENTICATE with a payload left the bot, and the password is in
    nothing it sent or logged."""
    payloads = [l.raw for l in sent(peer, "AUTHENTICATE") if l.params != ["PLAIN"]]
    assert payloads == [], payloads
    everything = " ".join(l.raw for l in peer.received)
    assert CREDENTIALS not in everything and SASL_PASSWORD not in everything
    assert SASL_PASSWORD not in bot.log_text()


def alive(peer, bot):
    """The bot still answers on its one connection."""
    peer.ping_check()
    assert bot.running, "the bot died:\n" + bot.log_tail()
    assert peer.extra_connections() == 0, "the bot reconnected"


# ---------------------------------------------------------------- stray AUTHENTICATE

@pytest.mark.deadline(60)
@pytest.mark.parametrize("when", ["registering", "registered"])
def test_stray_authenticate_without_sasl_configured(start_bot, peer, when):
    """`AUTHENTICATE +` when SASL is not configured crashed the bot (NULL
    credentials). Now it is ignored, whenever it comes."""
    bot = start_bot(port=peer.port, wait=False)
    peer.accept()
    if when == "registering":
        first = peer.wait_for(lambda l: True, what="CAP LS")
        assert first.params[:2] == ["LS", "302"], first.raw
        peer.send("AUTHENTICATE +")
        peer.send(":%s CAP * LS :multi-prefix" % SERVER)
        peer.wait_for(lambda l: l.command == "CAP" and l.params[:1] == ["END"], what="CAP END")
        nicks = sent(peer, "NICK") or [peer.wait_for(lambda l: l.command == "NICK", what="NICK")]
        peer.nick = nicks[0].params[0]
        peer.welcome()
    else:
        peer.register()
    peer.expect_join()
    peer.send("AUTHENTICATE +")
    peer.send(":%s AUTHENTICATE +" % SERVER)
    alive(peer, bot)
    assert sent(peer, "AUTHENTICATE") == []
    bot.wait_log(r"ignored an AUTHENTICATE")


@pytest.mark.deadline(60)
def test_no_password_to_a_server_that_never_offered_sasl(start_bot, peer, tmp_path):
    """SASL configured, the server offers none: the bot registers without,
    and a later `AUTHENTICATE +` (or an ACK of sasl it never asked for)
    gets no credentials."""
    bot = start_bot(port=peer.port, wait=False, overrides=sasl_overrides(tmp_path))
    peer.accept()
    peer.register(caps="multi-prefix")
    peer.expect_join()
    bot.wait_log(r"SASL login as %s failed \(the server offers no SASL\)" % SASL_USER)
    peer.send("AUTHENTICATE +")
    peer.send(":%s CAP %s ACK :sasl" % (SERVER, peer.nick))
    peer.send("AUTHENTICATE +")
    peer.send(":%s CAP %s LS :sasl" % (SERVER, peer.nick))
    peer.send("AUTHENTICATE +")
    alive(peer, bot)
    assert sent(peer, "AUTHENTICATE") == [], [l.raw for l in sent(peer, "AUTHENTICATE")]
    assert_no_credentials(peer, bot)


@pytest.mark.deadline(60)
def test_no_password_for_authenticate_before_the_bot_asks(start_bot, peer, tmp_path):
    """An `AUTHENTICATE +` before the bot's own AUTHENTICATE PLAIN (here:
    right after the LS that offers sasl) is not an answer to anything."""
    bot = start_bot(port=peer.port, wait=False, overrides=sasl_overrides(tmp_path))
    peer.accept()
    first = peer.wait_for(lambda l: True, what="CAP LS")
    assert first.params[:2] == ["LS", "302"], first.raw
    peer.send(":%s CAP * LS :sasl" % SERVER)
    peer.send("AUTHENTICATE +")
    req = peer.wait_for(lambda l: l.command == "CAP" and l.params[:1] == ["REQ"], what="REQ")
    assert req.text == "sasl", req.raw
    peer.send("AUTHENTICATE +")
    time.sleep(t(0.5))
    assert_no_credentials(peer, bot)
    # Then the real exchange: one set of credentials, to the "+" it asked for.
    peer.send(":%s CAP * ACK :sasl" % SERVER)
    peer.wait_for(lambda l: l.command == "AUTHENTICATE" and l.params == ["PLAIN"],
                  what="AUTHENTICATE PLAIN")
    peer.send("AUTHENTICATE +")
    creds = peer.wait_for(lambda l: l.command == "AUTHENTICATE", what="credentials")
    assert creds.params == [CREDENTIALS], creds.raw
    peer.send("AUTHENTICATE +")	# a second "+" gets nothing more
    peer.numeric("903", "SASL authentication successful")
    peer.wait_for(lambda l: l.command == "CAP" and l.params[:1] == ["END"], what="CAP END")
    assert len(sent(peer, "AUTHENTICATE")) == 2, [l.raw for l in sent(peer, "AUTHENTICATE")]


# ---------------------------------------------------------------- one negotiation

def cap_lines(peer):
    return [" ".join(l.params) for l in peer.received if l.command == "CAP"]


@pytest.mark.deadline(60)
def test_one_cap_end_when_sasl_is_not_offered(start_bot, peer, tmp_path):
    """SASL configured but not offered, other caps are: CAP END went out
    before CAP REQ and again after the ACK. Now: LS, REQ, END, once each."""
    bot = start_bot(port=peer.port, wait=False, overrides=sasl_overrides(tmp_path))
    peer.accept()
    peer.register(caps="account-notify extended-join multi-prefix", ack=True)
    peer.expect_join()
    alive(peer, bot)
    assert cap_lines(peer) == ["LS 302", "REQ account-notify extended-join", "END"], \
        cap_lines(peer)
    assert_no_credentials(peer, bot)


@pytest.mark.deadline(60)
def test_long_multiline_cap_ls_keeps_sasl_at_the_end(start_bot, peer, tmp_path):
    """A CAP LS of several lines, over 1 KiB in all, with sasl last: the bot
    sees it, logs in, and ends negotiation once."""
    filler = ["draft/filler-capability-%03d=%s" % (i, "v" * 20) for i in range(60)]
    lines = [" ".join(filler[i:i + 8]) for i in range(0, len(filler), 8)]
    lines.append("away-notify sasl=EXTERNAL,PLAIN")
    assert sum(len(l) for l in lines) > 2048
    bot = start_bot(port=peer.port, wait=False, overrides=sasl_overrides(tmp_path))
    peer.accept()
    peer.register(caps=lines, ack=True)
    peer.expect_join()
    alive(peer, bot)
    assert peer.sasl == CREDENTIALS
    assert cap_lines(peer) == ["LS 302", "REQ sasl", "END"], cap_lines(peer)
    bot.wait_log(r"SASL login as %s succeeded" % SASL_USER)
    assert SASL_PASSWORD not in bot.log_text()
    # Said at start: this link has no TLS, so the password went in clear.
    assert "sasl_user with tls = no" in bot.log_text()


@pytest.mark.deadline(60)
def test_sasl_without_plain_is_skipped(start_bot, peer, tmp_path):
    """sasl=EXTERNAL only: PLAIN is not tried; the bot says why and goes on."""
    bot = start_bot(port=peer.port, wait=False, overrides=sasl_overrides(tmp_path))
    peer.accept()
    peer.register(caps="sasl=EXTERNAL account-notify", ack=True)
    peer.expect_join()
    alive(peer, bot)
    assert cap_lines(peer) == ["LS 302", "REQ account-notify", "END"], cap_lines(peer)
    assert sent(peer, "AUTHENTICATE") == []
    bot.wait_log(r"SASL login as %s failed \(the server offers no SASL PLAIN\); "
                 r"continuing" % SASL_USER)


@pytest.mark.deadline(60)
def test_sasl_without_plain_disconnects_when_required(start_bot, peer, tmp_path):
    """sasl=EXTERNAL only, sasl_required = yes: no PLAIN, no CAP END; the
    bot leaves and will retry later."""
    bot = start_bot(port=peer.port, wait=False,
                    overrides=sasl_overrides(tmp_path, required="yes"))
    peer.accept()
    first = peer.wait_for(lambda l: True, what="CAP LS")
    assert first.params[:2] == ["LS", "302"], first.raw
    peer.send(":%s CAP * LS :sasl=EXTERNAL account-notify" % SERVER)
    with pytest.raises(PeerError, match="closed the connection"):
        peer.wait_for(lambda l: False, timeout=t(5), what="the bot to leave")
    assert sent(peer, "AUTHENTICATE") == []
    assert [l for l in cap_lines(peer) if l != "LS 302"] == [], cap_lines(peer)
    bot.wait_log(r"SASL login as %s failed \(the server offers no SASL PLAIN\); "
                 r"sasl_required = yes" % SASL_USER)
    assert bot.running, bot.log_tail()


@pytest.mark.deadline(60)
def test_welcome_without_cap_disconnects_when_sasl_is_required(start_bot, peer, tmp_path):
    """A server that knows no CAP welcomes the bot at once: SASL never
    happened, so with sasl_required = yes the bot does not stay."""
    bot = start_bot(port=peer.port, wait=False,
                    overrides=sasl_overrides(tmp_path, required="yes"))
    peer.accept()
    first = peer.wait_for(lambda l: True, what="CAP LS")
    assert first.params[:2] == ["LS", "302"], first.raw
    peer.send(":%s 421 * CAP :Unknown command" % SERVER)
    peer.nick = peer.wait_for(lambda l: l.command == "NICK", what="NICK").params[0]
    peer.welcome()
    with pytest.raises(PeerError, match="closed the connection"):
        peer.wait_for(lambda l: l.command == "JOIN", timeout=t(5), what="no JOIN")
    bot.wait_log(r"SASL login as %s failed \(the server welcomed the bot before SASL\); "
                 r"sasl_required = yes" % SASL_USER)
    assert sent(peer, "AUTHENTICATE") == []
