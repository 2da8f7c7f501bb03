"""GET /metrics (issue 18) and keep-alive on the HTTP server (issue 17).

The metrics are read with a real parser of the Prometheus text format
(Debian's python3-prometheus-client), from a bot on a real ngircd that was
used by real clients; the values are checked against what they did."""

import datetime
import http.client
import os
import re
import socket
import subprocess
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

import harness
from conftest import unique_nick
from harness import ask, t

TITLE = "Secret Garden Party of Zanzibar"
OWNERS = {"bot": {"owners": "mowner*!*@*", "command_burst": 50, "command_rate": 50}}


def get(port, path, source="127.0.0.1"):
    status, _, body = harness.http_get(port, path, source=source)
    return status, body.decode()


def scrape(port):
    status, text = get(port, "/metrics")
    assert status == 200, text
    samples = {}
    types = {}
    for fam in text_string_to_metric_families(text):
        types[fam.name] = fam.type
        for s in fam.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return text, types, samples


def value(samples, name, **labels):
    return samples[(name, tuple(sorted(labels.items())))]


def test_metrics_count_what_happened(start_bot, ircd, observer, client):
    bot = start_bot(ircd, observer, overrides=OWNERS)
    port = bot.http_port
    _, types, before = scrape(port)
    assert types["convene_commands_handled"] == "counter"
    assert types["convene_store_commit_seconds"] == "summary"
    assert value(before, "convene_connected") == 1

    org = client(unique_nick("mowner"), ircd)
    alice = client(unique_nick("alice"), ircd)
    bob = client(unique_nick("bob"), ircd)
    day = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    got = ask(org, "event add %s 18:00 UTC 1h %s" % (day, TITLE))
    n = int(re.search(r"#(\d+)", " ".join(got)).group(1))
    assert any("registered" in a or "#%d" % n in a for a in ask(alice, "rsvp %d" % n))
    ask(bob, "rsvp %d maybe" % n)
    ask(bob, "frobnicate")				# refused: unknown
    ask(alice, "event add %s 18:00 UTC x" % day)	# refused: not allowed
    assert get(port, "/calendars/all.ics")[0] == 200
    assert get(port, "/no/such/thing")[0] == 404

    text, types, after = scrape(port)
    handled = value(after, "convene_commands_handled_total") - \
        value(before, "convene_commands_handled_total")
    # event add, two rsvp, and the `version` sentinel after each of five ask()s.
    assert handled == 3 + 5, handled
    for reason, rose in (("unknown", 1), ("not_allowed", 1), ("usage", 0)):
        d = value(after, "convene_commands_refused_total", reason=reason) - \
            value(before, "convene_commands_refused_total", reason=reason)
        assert d == rose, (reason, d)
    assert value(after, "convene_registrations", status="confirmed") == 1
    assert value(after, "convene_registrations", status="maybe") == 1
    assert value(after, "convene_registrations", status="waitlist") == 0
    assert value(after, "convene_events", when="upcoming") == 1
    assert value(after, "convene_events", when="past") == 0
    assert value(after, "convene_connected") == 1
    assert value(after, "convene_http_requests_total", code="200") >= 2
    assert value(after, "convene_http_requests_total", code="404") >= 1
    assert value(after, "convene_answer_lines_sent_total") > \
        value(before, "convene_answer_lines_sent_total")
    assert value(after, "convene_answer_lines_queued_total") >= \
        value(after, "convene_answer_lines_sent_total")
    assert value(after, "convene_store_commit_seconds_count") > \
        value(before, "convene_store_commit_seconds_count")
    assert value(after, "convene_feed_render_seconds_count") >= 1
    for name in ("convene_sendq_lines", "convene_sendq_oldest_seconds",
                 "convene_reconnects_total"):
        assert any(k[0] == name for k in after), name
    # Counts only: no person and no event title anywhere in the text.
    for secret in (TITLE, "Zanzibar", org.nick, alice.nick, bob.nick, observer.nick):
        assert secret.lower() not in text.lower(), secret


def test_metrics_only_for_allowed_networks(start_bot, ircd, observer):
    bot = start_bot(ircd, observer,
                    overrides={"http": {"metrics_from": "127.0.0.1/32, ::1"}})
    port = bot.http_port
    assert get(port, "/metrics")[0] == 200
    status, body = get(port, "/metrics", source="127.0.0.2")
    assert status == 403 and "convene_" not in body
    # The rest of the server is not restricted.
    assert get(port, "/calendars/all.ics", source="127.0.0.2")[0] == 200


def test_metrics_default_is_loopback(start_bot, ircd, observer):
    bot = start_bot(ircd, observer)
    assert get(bot.http_port, "/metrics", source="127.0.0.2")[0] == 200


def test_check_reports_a_bad_metrics_from(tmp_path):
    conf = tmp_path / "c.ini"
    text = ("[irc]\nserver = 127.0.0.1\nnick = convene\n[http]\nport = 0\n"
            "metrics_from = 10.0.0.0/8, 192.168.1.0/33\n")
    conf.write_text(text)
    r = subprocess.run([_binary(), "-c", str(conf), "--check"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=t(20))
    assert r.returncode != 0
    assert re.search(r"^%s:6: .*metrics_from.*192\.168\.1\.0/33" % re.escape(str(conf)),
                     r.stderr, re.M), r.stderr
    conf.write_text(text.replace("/33", "/24") + "[bot]\nplugins =\n")
    r = subprocess.run([_binary(), "-c", str(conf), "--check"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=t(20))
    assert r.returncode == 0, r.stderr


def _binary():
    return os.environ.get("CONVENE_BIN") or str(harness.REPO / "build" / "convene")


# ------------------------------------------------------------ keep-alive

def test_two_requests_over_one_kept_alive_connection(start_bot, ircd, observer):
    bot = start_bot(ircd, observer)
    c = http.client.HTTPConnection("127.0.0.1", bot.http_port, timeout=t(5))
    try:
        c.request("GET", "/calendars/all.ics")
        r = c.getresponse()
        body = r.read()
        etag = r.getheader("ETag")
        assert r.status == 200 and b"BEGIN:VCALENDAR" in body
        assert (r.getheader("Connection") or "").lower() != "close"
        first = c.sock.getsockname()
        c.request("GET", "/calendars/all.ics", headers={"If-None-Match": etag})
        r = c.getresponse()
        r.read()
        assert r.status == 304
        # http.client opens a new socket only when the server closed the old one.
        assert c.sock is not None and c.sock.getsockname() == first
        c.request("GET", "/calendars/all.ics")
        r = c.getresponse()
        assert r.status == 200 and r.read() == body	# the kept answer, same bytes
        assert c.sock.getsockname() == first
    finally:
        c.close()


@pytest.mark.deadline(60)
def test_header_deadline_applies_to_the_next_request_on_a_kept_connection(
        start_bot, ircd, observer):
    bot = start_bot(ircd, observer)
    s = socket.create_connection(("127.0.0.1", bot.http_port), timeout=t(5))
    try:
        s.sendall(b"GET /calendars/all.ics HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"END:VCALENDAR" not in data:
            chunk = s.recv(65536)
            assert chunk, "closed before the first answer: %r" % data[:200]
            data += chunk
        assert data.startswith(b"HTTP/1.1 200")
        # The second request trickles a header line a second, never ending:
        # the 5 s deadline counts from the end of the first answer.
        began = time.monotonic()
        s.sendall(b"GET /calendars/all.ics HTTP/1.1\r\nHost: x\r\n")
        s.settimeout(0.2)
        closed = None
        while time.monotonic() - began < 5 + t(4):
            try:
                chunk = s.recv(4096)
                if chunk == b"":
                    closed = time.monotonic() - began
                    break
                raise AssertionError("answered an unfinished request: %r" % chunk[:100])
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed = time.monotonic() - began
                break
            try:
                s.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed = time.monotonic() - began
                break
            time.sleep(0.8)
        assert closed is not None, "still open after %.1f s" % (5 + t(4))
        assert 4 <= closed < 5 + t(1.5), closed
    finally:
        s.close()
