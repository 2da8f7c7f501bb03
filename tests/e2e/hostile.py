#!/usr/bin/python3
"""A scripted hostile IRC "server" for the bot's input guards.

A real ngircd never sends the bot an over-long line, a blank line or a
param-less command, so those hazards come from this peer: the bot connects
to it as to a server, registers, joins #events, and then receives one hazard
per step. After each step the peer sends PING :tokenN and requires
PONG tokenN back, which proves the bot's reader did not hang. It ends with a
CTCP VERSION that must be answered.

Used by test_link.py; by hand:
    /usr/bin/python3 tests/e2e/hostile.py --port 6999
then start a bot configured with server 127.0.0.1, port 6999.
"""

import select
import socket
import sys
import time

from harness import Line, irc_lower, t

SERVER = "irc.test"


class PeerError(AssertionError):
    pass


class HostilePeer:
    def __init__(self, port=0, host="127.0.0.1", log=None):
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((host, port))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.conn = None
        self.buf = b""
        self.received = []	# every Line the bot sent, in order
        self.connections = 0
        self.nick = None
        self.log = log or (lambda msg: None)
        self.token = 0

    # -- connection

    def accept(self, timeout=None):
        timeout = t(15) if timeout is None else timeout
        r, _, _ = select.select([self.lsock], [], [], timeout)
        if not r:
            raise PeerError("the bot did not connect within %.1fs" % timeout)
        self.conn, addr = self.lsock.accept()
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connections += 1
        self.log("accepted connection from %s:%d" % addr)

    def extra_connections(self):
        """How many further connections the bot opened (accepts them)."""
        n = 0
        while select.select([self.lsock], [], [], 0)[0]:
            c, _ = self.lsock.accept()
            c.close()
            n += 1
        self.connections += n
        return n

    def close(self):
        for s in (self.conn, self.lsock):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass

    # -- output

    def send_raw(self, data):
        """Bytes as they are. A bot that already closed the connection
        (e.g. after 001, while the rest of the welcome is on its way) is
        not an error here: as for a real server, the next read says so
        (PeerError "the bot closed the connection")."""
        try:
            self.conn.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            self.log("the bot had closed the connection; %d bytes not sent" % len(data))

    def send(self, line):
        """One line as str (encoded UTF-8) or bytes; CRLF added."""
        if isinstance(line, str):
            line = line.encode()
        self.send_raw(line + b"\r\n")

    def numeric(self, num, *params):
        """:irc.test NUM <nick> params...; the last param gets a colon."""
        args = list(params)
        if args:
            args[-1] = ":" + args[-1]
        self.send(" ".join([":" + SERVER, num, self.nick or "*"] + args))

    # -- input

    def _read_line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.conn], [], [], left)
            if not r:
                return None
            try:
                data = self.conn.recv(65536)
            except ConnectionResetError:
                data = b""  # closed with our lines unread: a reset, still a close
            if not data:
                raise PeerError("the bot closed the connection; last lines: %r"
                                % self.received[-10:])
            self.buf += data
        raw, self.buf = self.buf.split(b"\n", 1)
        raw = raw.rstrip(b"\r")
        if len(raw) > 510:
            raise PeerError("the bot sent a line of %d bytes (> 510 + CRLF): %r..."
                            % (len(raw), raw[:80]))
        line = Line(raw.decode("utf-8", "replace"))
        self.received.append(line)
        if line.command == "PING":
            self.send(":%s PONG %s :%s" % (SERVER, SERVER, line.text))
        return line

    def wait_for(self, pred, timeout=None, what="a line"):
        timeout = t(10) if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            line = self._read_line(deadline)
            if line is None:
                raise PeerError("no %s from the bot within %.1fs; last lines: %r"
                                % (what, timeout, self.received[-10:]))
            if pred(line):
                return line

    # -- the script

    def register(self, timeout=None, caps="", ack=False, casemapping="rfc1459", isupport=""):
        """Take the bot through CAP LS 302 and NICK/USER to 001...376.

        caps is the CAP LS answer: a string, or a list of strings sent as a
        multi-line (302) LS. With ack, CAP REQ is acknowledged (else
        refused); AUTHENTICATE PLAIN then gets "AUTHENTICATE +", and the
        credentials that follow (kept in self.sasl) get 900 and 903."""
        timeout = t(10) if timeout is None else timeout
        first = self.wait_for(lambda l: True, timeout, "first line")
        if first.command != "CAP" or first.params[:2] != ["LS", "302"]:
            raise PeerError("expected CAP LS 302 first, got %r" % first.raw)
        lines = [caps] if isinstance(caps, str) else list(caps)
        for i, text in enumerate(lines):
            more = "* " if i < len(lines) - 1 else ""
            self.send(":%s CAP * LS %s:%s" % (SERVER, more, text))
        self.sasl = ""
        user = cap_end = False
        deadline = time.monotonic() + timeout
        while not (self.nick and user and cap_end):
            line = self.wait_for(lambda l: True, max(0.01, deadline - time.monotonic()),
                                 "NICK/USER/CAP END")
            if line.command == "NICK" and line.params:
                self.nick = line.params[0]
            elif line.command == "USER":
                user = True
            elif line.command == "CAP" and line.params[:1] == ["END"]:
                cap_end = True
            elif line.command == "CAP" and line.params[:1] == ["REQ"]:
                self.send(":%s CAP * %s :%s" % (SERVER, "ACK" if ack else "NAK", line.text))
            elif line.command == "AUTHENTICATE" and line.params == ["PLAIN"]:
                self.send("AUTHENTICATE +")
            elif line.command == "AUTHENTICATE" and line.params:
                if line.params[0] != "+":
                    self.sasl += line.params[0]
                if len(line.params[0]) < 400:
                    self.numeric("900", "%s!convene@127.0.0.1" % (self.nick or "*"), "cvbot",
                                 "You are now logged in as cvbot")
                    self.numeric("903", "SASL authentication successful")
        self.welcome(casemapping, isupport)

    def welcome(self, casemapping="rfc1459", isupport=""):
        """001 to 376, ending registration (self.nick must be known);
        isupport: more 005 tokens (e.g. "TARGMAX=NOTICE:4")."""
        self.welcomed = time.monotonic()
        self.numeric("001", "Welcome to the hostile test network %s!convene@127.0.0.1" % self.nick)
        self.numeric("002", "Your host is %s, running hostile-1.0" % SERVER)
        self.numeric("003", "This server was created today")
        self.send(":%s 004 %s %s hostile-1.0 iow ntklmbv" % (SERVER, self.nick, SERVER))
        self.send(":%s 005 %s CHANTYPES=# PREFIX=(ov)@+ NETWORK=Hostile "
                  "CASEMAPPING=%s NICKLEN=30%s :are supported by this server"
                  % (SERVER, self.nick, casemapping, " " + isupport if isupport else ""))
        self.numeric("375", "- %s Message of the day -" % SERVER)
        self.numeric("372", "- nothing to see here")
        self.numeric("376", "End of MOTD command")
        self.log("registered %s" % self.nick)

    def expect_join(self, channel="#events", timeout=None):
        line = self.wait_for(
            lambda l: l.command == "JOIN" and l.params and
            irc_lower(channel) in irc_lower(l.params[0]).split(","),
            timeout, "JOIN %s" % channel)
        self.send(":%s!convene@127.0.0.1 JOIN :%s" % (self.nick, channel))
        self.send(":%s 353 %s = %s :%s @op" % (SERVER, self.nick, channel, self.nick))
        self.send(":%s 366 %s %s :End of NAMES list" % (SERVER, self.nick, channel))
        self.log("bot joined %s (%s)" % (channel, line.raw))

    def say_as(self, nick, text, target=None):
        """A PRIVMSG from nick (a person on this "network") to the bot."""
        self.send(":%s!%s@people.test PRIVMSG %s :%s"
                  % (nick, nick[:10], target or self.nick, text))

    def notices(self, count, timeout=None):
        """Read the bot's NOTICE lines until `count` people have had one
        (a NOTICE to a,b,c counts three). Returns [(monotonic time, Line)]."""
        got, seen = [], 0
        timeout = t(10) if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while seen < count:
            line = self._read_line(deadline)
            if line is None:
                raise PeerError("%d of %d people answered within %.1fs; last lines: %r"
                                % (seen, count, timeout, self.received[-10:]))
            if line.command == "NOTICE" and line.params:
                got.append((time.monotonic(), line))
                seen += len(line.params[0].split(","))
        return got

    def ping_check(self, timeout=None, segments=None):
        """PING :tokenN and wait for PONG tokenN (colon or not). With
        segments, the PING line is sent cut into that many pieces."""
        self.token += 1
        token = "token%d" % self.token
        data = ("PING :%s\r\n" % token).encode()
        if segments:
            step = max(1, len(data) // segments)
            for i in range(0, len(data), step):
                self.send_raw(data[i:i + step])
                time.sleep(0.15)
        else:
            self.send_raw(data)
        self.wait_for(lambda l: l.command == "PONG" and l.params and l.params[-1] == token,
                      timeout, "PONG %s" % token)

    def hazards(self):
        """(name, list of byte segments) for each step; segments are sent
        with a short pause between them, so each arrives on its own."""
        n = self.nick.encode()
        head = b":a!b@c PRIVMSG #events :"
        return [
            ("over-long line (3000 bytes)",
             [head + b"x" * (3000 - len(head) - 2) + b"\r\n"]),
            ("over-long line then a normal one in the same segment",
             [head + b"y" * 1500 + b"\r\n" + b":a!b@c PRIVMSG #events :short\r\n"]),
            ("blank lines", [b"\r\n\r\n"]),
            ("tagged line",
             [b"@time=2026-01-01T00:00:00Z;msgid=x :a!b@c PRIVMSG " + n + b" :hello\r\n"]),
            ("param-less AWAY", [b":x!y@z AWAY\r\n"]),
            ("param-less numeric", [b":srv 421\r\n"]),
            ("lone \\x01 PRIVMSG", [b":a!b@c PRIVMSG " + n + b" :\x01\r\n"]),
            ("NUL byte inside a line", [b":a!b@c PRIVMSG #events :before\x00after\r\n"]),
            ("line split across segments",
             [b":a!b@c PRIV", b"MSG #events", b" :split across ", b"segments\r", b"\n"]),
        ]

    def run_hazards(self, timeout=None):
        """Send every hazard, each followed by a PING check. Returns the
        names of the steps passed; raises PeerError naming the failing one."""
        done = []
        for name, segments in self.hazards():
            self.log("hazard: %s" % name)
            time.sleep(0.1)
            for seg in segments:
                self.send_raw(seg)
                time.sleep(0.15)
            try:
                self.ping_check(timeout)
            except PeerError as e:
                raise PeerError("after hazard %r: %s" % (name, e)) from None
            done.append(name)
        self.log("hazard: PING split across segments")
        try:
            self.ping_check(timeout, segments=4)
        except PeerError as e:
            raise PeerError("after a PING split across segments: %s" % e) from None
        done.append("PING split across segments")
        return done

    def check_ctcp_version(self, timeout=None):
        self.send(":someone!u@h PRIVMSG %s :\x01VERSION\x01" % self.nick)
        line = self.wait_for(
            lambda l: l.command == "NOTICE" and l.params and
            irc_lower(l.params[0]) == "someone" and l.text.startswith("\x01VERSION ")
            and l.text.endswith("\x01"),
            timeout, "NOTICE someone :\\x01VERSION ...\\x01")
        self.log("VERSION reply: %r" % line.text)
        return line

    def run(self, timeout=None):
        """The whole script, once the bot was started."""
        self.accept()
        self.register(timeout)
        self.expect_join("#events", timeout)
        self.ping_check(timeout)
        done = self.run_hazards(timeout)
        self.check_ctcp_version(timeout)
        extra = self.extra_connections()
        if extra:
            raise PeerError("the bot opened %d more connection(s) during the run" % extra)
        return done


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args(argv)
    peer = HostilePeer(args.port, log=lambda m: print("hostile:", m, flush=True))
    print("hostile: listening on 127.0.0.1:%d; start the bot against it" % peer.port, flush=True)
    try:
        peer.accept(timeout=3600)
        peer.register()
        peer.expect_join()
        peer.run_hazards()
        peer.check_ctcp_version()
        print("hostile: all steps passed", flush=True)
        return 0
    except PeerError as e:
        print("hostile: FAILED:", e, flush=True)
        return 1
    finally:
        peer.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
