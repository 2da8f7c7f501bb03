"""Convene's end-to-end test library: a real ngircd, real IRC clients, the bot.

Everything here talks to real processes over real sockets on 127.0.0.1. Only
the standard library is used, so pytest fixtures in conftest.py are thin
wrappers around these classes (and scripts can use them too).

Timeouts: every wait goes through t(seconds), which multiplies by
CONVENE_TIMEOUT_FACTOR (default 1; 3 when CONVENE_VALGRIND is set), so slow
sanitizer and valgrind builds get proportionally more time.
"""

import http.client
import http.server
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NGIRCD_TEMPLATE = REPO / "conf" / "ngircd-test.conf.in"
NGIRCD_BIN = os.environ.get("NGIRCD_BIN") or shutil.which("ngircd") or "/usr/sbin/ngircd"

VALGRIND = os.environ.get("CONVENE_VALGRIND", "") not in ("", "0", "no")
TIMEOUT_FACTOR = float(os.environ.get("CONVENE_TIMEOUT_FACTOR") or (3 if VALGRIND else 1))


def t(seconds):
    """A timeout scaled for slow (sanitizer, valgrind) builds."""
    return seconds * TIMEOUT_FACTOR


# ---------------------------------------------------------------- ports

def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_port(port, timeout, host="127.0.0.1", proc=None):
    """Wait until host:port accepts a TCP connection; False on timeout.

    With proc given, stop waiting as soon as that process has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def make_readable(path):
    """When root: make path readable and every ancestor traversable for
    others. ngircd started as root drops to `nobody` and must still reach its
    files (it re-reads them on REHASH); pytest's tmp folders are 0700."""
    if os.geteuid() != 0:
        return
    path = Path(path)
    for p in [path] + list(path.parents):
        try:
            os.chmod(p, p.stat().st_mode | (0o005 if p == path else 0o001))
        except OSError:
            pass


# ---------------------------------------------------------------- TLS

def make_tls(directory, names="IP:127.0.0.1, DNS:localhost"):
    """A throwaway CA and a server certificate for names (127.0.0.1 and
    localhost unless told) signed by it, made with the openssl tool. Returns
    a dict of paths: ca (CA certificate), cert (server certificate), key
    (server key)."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    p = {k: str(d / f) for k, f in (
        ("ca", "ca.pem"), ("ca_key", "ca.key"), ("cert", "server.pem"),
        ("key", "server.key"), ("csr", "server.csr"), ("ext", "server.ext"),
        ("dh", "dh.pem"))}

    def run(*args):
        r = subprocess.run(["openssl", *args], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise RuntimeError("openssl %s failed:\n%s" % (" ".join(args), r.stdout))

    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-subj", "/CN=Convene Test CA", "-keyout", p["ca_key"], "-out", p["ca"],
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost",
        "-keyout", p["key"], "-out", p["csr"])
    Path(p["ext"]).write_text(
        "basicConstraints = CA:FALSE\n"
        "keyUsage = critical, digitalSignature, keyEncipherment\n"
        "extendedKeyUsage = serverAuth\n"
        "subjectAltName = %s\n" % names)
    run("x509", "-req", "-in", p["csr"], "-CA", p["ca"], "-CAkey", p["ca_key"],
        "-CAcreateserial", "-days", "2", "-sha256", "-extfile", p["ext"],
        "-out", p["cert"])
    # A named group: ngircd would otherwise generate DH parameters at start.
    run("genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048",
        "-out", p["dh"])
    for f in d.iterdir():
        os.chmod(f, 0o644)	# throwaway test keys; ngircd may run as nobody
    return p


def http_get(port, path, headers=None, source=None):
    """(status, headers with lower-case names, body) of one GET to the bot's
    HTTP server on 127.0.0.1, on its own connection (from address `source`
    when given)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=t(10),
                                   source_address=(source, 0) if source else None)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    body = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, body


class OneCalendar(http.server.ThreadingHTTPServer):
    """Serves one .ics body at every path, from a thread, on 127.0.0.1."""

    def __init__(self, body):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.daemon_threads = True
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.server_port, path)

    def close(self):
        self.shutdown()
        self.server_close()


def mapped_files(pid):
    """The file names (without their folder) the process maps now."""
    names = set()
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6:
                names.add(parts[5].strip().rsplit("/", 1)[-1])
    return names


def stand_in_library(folder, soname):
    """A shared library named soname with none of the real one's functions,
    in folder: a broken install, for LD_LIBRARY_PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / "empty.c"
    src.write_text("int convene_stand_in;\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(folder / soname), str(src)],
                   check=True)
    return folder


# ---------------------------------------------------------------- ngircd

class Ngircd:
    """One ngircd on 127.0.0.1, configured from conf/ngircd-test.conf.in.

    The port is chosen once; stop() and start() again reuse it, so a bot
    configured with it can reconnect. tls=True adds a TLS port with a
    certificate from make_tls() (for tls_names when given); penalties=True
    leaves MaxPenaltyTime unset (ngircd's flood penalties on, as on a real
    network)."""

    def __init__(self, workdir, port=None, tls=False, penalties=False, tls_names=None):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.tls = None
        self.tls_port = None
        if tls:
            self.tls = (make_tls(self.dir / "tls", tls_names) if tls_names
                        else make_tls(self.dir / "tls"))
            self.tls_port = free_port()
        self.penalties = penalties
        self.conf = self.dir / "ngircd.conf"
        self.log = self.dir / "ngircd.log"
        self.proc = None
        self._write_config()

    def _write_config(self):
        (self.dir / "conf.d").mkdir(exist_ok=True)
        make_readable(self.dir)
        motd = self.dir / "motd"
        motd.write_text("Convene test network\n")
        penalty = ("# MaxPenaltyTime unset: flood penalties on" if self.penalties
                   else "MaxPenaltyTime = 0")
        ssl_block = ""
        if self.tls:
            ssl_block = ("[SSL]\nCertFile = %s\nKeyFile = %s\nDHFile = %s\nPorts = %d\n"
                         % (self.tls["cert"], self.tls["key"], self.tls["dh"], self.tls_port))
        text = NGIRCD_TEMPLATE.read_text()
        for k, v in (("@PORT@", str(self.port)), ("@MOTD@", str(motd)),
                     ("@INCLUDEDIR@", str(self.dir / "conf.d")),
                     ("@PENALTY@", penalty), ("@SSL@", ssl_block)):
            text = text.replace(k, v)
        self.conf.write_text(text)
        for f in (self.conf, motd):
            os.chmod(f, 0o644)
        make_readable(self.dir / "conf.d")

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout=None):
        assert not self.running, "ngircd already running"
        timeout = timeout or t(10)
        deadline = time.monotonic() + timeout
        # After a stop the port may still be held briefly; wait for it.
        while not port_is_free(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([NGIRCD_BIN, "-n", "-f", str(self.conf)],
                                         stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.dir)
        ports = [self.port] + ([self.tls_port] if self.tls_port else [])
        for p in ports:
            left = max(0.1, deadline - time.monotonic())
            if not wait_port(p, left, proc=self.proc):
                self.stop()
                raise RuntimeError("ngircd did not listen on %d; log:\n%s"
                                   % (p, self.log.read_text(errors="replace")[-3000:]))
        return self

    def stop(self, timeout=None):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout or t(10))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def client(self, nick, **kw):
        """A registered IrcClient on this server's plain port."""
        return IrcClient(self.port, nick, **kw)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------- IRC lines

class Line:
    """One parsed IRC line: tags (dict), prefix (str or None), command
    (upper case), params (list; the trailing one without its colon)."""

    def __init__(self, raw):
        self.raw = raw
        self.tags = {}
        self.prefix = None
        rest = raw
        if rest.startswith("@"):
            tags, _, rest = rest[1:].partition(" ")
            for tag in tags.split(";"):
                k, _, v = tag.partition("=")
                self.tags[k] = v
            rest = rest.lstrip(" ")
        if rest.startswith(":"):
            self.prefix, _, rest = rest[1:].partition(" ")
            rest = rest.lstrip(" ")
        trailing = None
        if " :" in rest:
            rest, trailing = rest.split(" :", 1)
        elif rest.startswith(":"):
            rest, trailing = "", rest[1:]
        parts = rest.split()
        self.command = parts[0].upper() if parts else ""
        self.params = parts[1:]
        if trailing is not None:
            self.params.append(trailing)

    @property
    def nick(self):
        """The nick (or server name) of the prefix, or None."""
        return self.prefix.split("!", 1)[0] if self.prefix else None

    @property
    def text(self):
        """The last parameter (a message's text), or ''."""
        return self.params[-1] if self.params else ""

    @property
    def target(self):
        return self.params[0] if self.params else ""

    def ctcp(self):
        """(COMMAND, argument) if this PRIVMSG/NOTICE is a CTCP, else None."""
        txt = self.text
        if self.command not in ("PRIVMSG", "NOTICE") or not txt.startswith("\x01"):
            return None
        body = txt[1:-1] if txt.endswith("\x01") and len(txt) > 1 else txt[1:]
        cmd, _, arg = body.partition(" ")
        return cmd.upper(), arg

    def __repr__(self):
        return "Line(%r)" % self.raw


def irc_lower(s):
    """RFC 1459 case mapping."""
    return s.lower().translate(str.maketrans("[]\\~", "{}|^")) if s else s


def _matcher(match=None, command=None, nick=None, target=None, text=None):
    """A predicate on Line from wait_for()'s arguments. match: a callable,
    a compiled regex or a regex string (searched in the raw line). command:
    a name or a tuple of names. nick: the source nick (case-insensitive), or
    a callable on it. target: params[0] (case-insensitive). text: a regex
    searched in the last parameter."""
    if isinstance(command, str):
        command = (command,)
    cmds = tuple(c.upper() for c in command) if command else None
    if isinstance(match, str):
        match = re.compile(match)
    if isinstance(text, str):
        text = re.compile(text)

    def pred(line):
        if cmds and line.command not in cmds:
            return False
        if nick is not None:
            if callable(nick):
                if not (line.nick and nick(line.nick)):
                    return False
            elif irc_lower(line.nick) != irc_lower(nick):
                return False
        if target is not None and irc_lower(line.target) != irc_lower(target):
            return False
        if text is not None and not text.search(line.text):
            return False
        if match is None:
            return True
        if hasattr(match, "search"):
            return bool(match.search(line.raw))
        return bool(match(line))
    return pred


class IrcTimeout(AssertionError):
    pass


class NickInUse(Exception):
    pass


# ---------------------------------------------------------------- IRC client

class IrcClient:
    """A real IRC client connection over a plain (or TLS) socket.

    Lines read but not matched by a wait stay in a backlog that later waits
    search first. PING is answered automatically and never enters the
    backlog. Every line received is also kept in `history` for messages."""

    def __init__(self, port, nick, host="127.0.0.1", user=None, realname=None,
                 register=True, tls=False, cafile=None, server_hostname=None,
                 timeout=None):
        self.host, self.port = host, port
        self.nick = nick
        self.user = user or re.sub(r"[^a-zA-Z0-9]", "", nick)[:10] or "u"
        self.realname = realname or "Convene test client %s" % nick
        self.buf = b""
        self.backlog = []
        self.history = []
        self.closed = False
        sock = socket.create_connection((host, port), timeout=timeout or t(10))
        if tls:
            ctx = ssl.create_default_context(cafile=cafile)
            sock = ctx.wrap_socket(sock, server_hostname=server_hostname or host)
        sock.settimeout(None)
        self.sock = sock
        if register:
            self.register(timeout)

    def __repr__(self):
        return "<IrcClient %s>" % self.nick

    # -- sending

    def send(self, line):
        """Send one raw line (CRLF added). Raises on embedded CR/LF."""
        data = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
        if b"\r" in data or b"\n" in data:
            raise ValueError("CR/LF inside a line: %r" % data)
        self.sock.sendall(data + b"\r\n")

    def send_bytes(self, data):
        """Send bytes exactly as given (no CRLF added, no checks)."""
        self.sock.sendall(data)

    def privmsg(self, target, text):
        self.send("PRIVMSG %s :%s" % (target, text))

    def notice(self, target, text):
        self.send("NOTICE %s :%s" % (target, text))

    def ctcp(self, target, command, arg=None):
        body = command.upper() + (" " + arg if arg else "")
        self.privmsg(target, "\x01%s\x01" % body)

    def ctcp_reply(self, target, command, arg=None):
        body = command.upper() + (" " + arg if arg else "")
        self.notice(target, "\x01%s\x01" % body)

    def mode(self, target, *args):
        self.send(" ".join(("MODE", target) + args))

    # -- registration and channels

    def register(self, timeout=None):
        self.send("NICK %s" % self.nick)
        self.send("USER %s 0 * :%s" % (self.user, self.realname))
        line = self.wait_for(command=("001", "433", "432", "ERROR"), timeout=timeout or t(10))
        if line.command != "001":
            raise NickInUse("%s: registration refused: %s" % (self.nick, line.raw))
        self.nick = line.params[0]
        return line

    def join(self, channel, key=None, wait=True, timeout=None):
        """JOIN; with wait, return once the server echoes our JOIN and the
        NAMES list ended (set of nicks in the channel, prefixes stripped)."""
        self.send("JOIN %s%s" % (channel, " " + key if key else ""))
        if not wait:
            return None
        timeout = timeout or t(10)
        bad = ("471", "473", "474", "475", "403", "405")
        line = self.wait_for(lambda l: (l.command == "JOIN" and irc_lower(l.nick) == irc_lower(self.nick))
                             or l.command in bad, timeout=timeout)
        if line.command != "JOIN":
            raise AssertionError("%s could not join %s: %s" % (self.nick, channel, line.raw))
        return self._names_reply(channel, timeout)

    def _names_reply(self, channel, timeout):
        nicks = set()
        deadline = time.monotonic() + timeout
        while True:
            line = self.wait_for(lambda l: l.command in ("353", "366")
                                 and any(irc_lower(p) == irc_lower(channel) for p in l.params),
                                 timeout=max(0.01, deadline - time.monotonic()))
            if line.command == "366":
                return nicks
            nicks.update(n.lstrip("~&@%+") for n in line.text.split())

    def names(self, channel, timeout=None):
        """The set of nicks in channel, from a fresh NAMES query."""
        self.send("NAMES %s" % channel)
        return self._names_reply(channel, timeout or t(10))

    def part(self, channel):
        self.send("PART %s" % channel)

    # -- reading

    def _read_line(self, deadline):
        """The next line from the socket (auto-PONG), or None at deadline.
        Raises ConnectionError when the peer closed the connection."""
        while True:
            if b"\n" in self.buf:
                raw, self.buf = self.buf.split(b"\n", 1)
                raw = raw.rstrip(b"\r").decode("utf-8", "replace")
                if not raw:
                    continue
                line = Line(raw)
                self.history.append(line)
                if line.command == "PING":
                    self.send("PONG :%s" % line.text)
                    continue
                return line
            if self.closed:
                raise ConnectionError("%s: connection closed" % self.nick)
            left = deadline - time.monotonic()
            pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()
            if left <= 0 and not pending:
                return None
            if not pending:
                r, _, _ = select.select([self.sock], [], [], max(0, left))
                if not r:
                    return None
            try:
                data = self.sock.recv(65536)
            except ssl.SSLWantReadError:
                continue
            except OSError as e:
                self.closed = True
                raise ConnectionError("%s: %s" % (self.nick, e))
            if not data:
                self.closed = True
                if b"\n" not in self.buf:
                    raise ConnectionError("%s: connection closed by server" % self.nick)
            self.buf += data

    def read_line(self, timeout=None):
        """The next line (backlog first), or None after timeout seconds."""
        if self.backlog:
            return self.backlog.pop(0)
        return self._read_line(time.monotonic() + (t(10) if timeout is None else timeout))

    def wait_for(self, match=None, timeout=None, command=None, nick=None,
                 target=None, text=None):
        """Return the first line (backlog first, then new ones) matching all
        criteria; unmatched lines stay in the backlog. Fails (IrcTimeout, an
        AssertionError) after timeout seconds with the recent lines shown."""
        pred = _matcher(match, command, nick, target, text)
        for i, line in enumerate(self.backlog):
            if pred(line):
                del self.backlog[i]
                return line
        timeout = t(10) if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            line = self._read_line(deadline)
            if line is None:
                recent = "\n".join("  " + l.raw for l in self.history[-25:])
                raise IrcTimeout("%s: nothing matched within %.1fs (match=%r command=%r "
                                 "nick=%r target=%r text=%r); recent lines:\n%s"
                                 % (self.nick, timeout, match, command, nick, target,
                                    text, recent))
            if pred(line):
                return line
            self.backlog.append(line)

    def collect(self, match=None, duration=1.0, command=None, nick=None,
                target=None, text=None):
        """Every matching line (backlog and new) within duration seconds."""
        pred = _matcher(match, command, nick, target, text)
        got = [l for l in self.backlog if pred(l)]
        self.backlog = [l for l in self.backlog if not pred(l)]
        deadline = time.monotonic() + duration
        while True:
            line = self._read_line(deadline)
            if line is None:
                return got
            if pred(line):
                got.append(line)
            else:
                self.backlog.append(line)

    def expect_none(self, match=None, duration=1.0, **kw):
        """Assert that no matching line arrives within duration seconds."""
        got = self.collect(match, duration, **kw)
        assert not got, "%s: unexpected lines: %r" % (self.nick, got)

    def drain(self, duration=0.2):
        """Read and drop whatever arrives within duration (backlog too)."""
        self.collect(lambda l: True, duration)
        self.backlog.clear()

    def sync(self, timeout=None):
        """Round trip to the server; everything sent before has been handled
        by the server once this returns."""
        token = "sync%d" % time.monotonic_ns()
        self.send("PING :%s" % token)
        self.wait_for(lambda l: l.command == "PONG" and l.text == token, timeout)

    def quit(self, msg="bye"):
        if self.closed:
            return
        try:
            self.send("QUIT :%s" % msg)
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                if self._read_line(deadline) is None:
                    break
        except (OSError, ConnectionError, ValueError):
            pass
        self.close()

    def close(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass


def wait_in_channel(client, channel, nick, timeout=None):
    """Wait until `nick` (a name, or a callable on the nick) is in channel as
    seen by client, who must already be in it: NAMES first, then JOINs. Returns
    the nick found."""
    timeout = t(10) if timeout is None else timeout
    is_it = nick if callable(nick) else (lambda n: irc_lower(n) == irc_lower(nick))
    deadline = time.monotonic() + timeout
    for n in client.names(channel, timeout):
        if is_it(n):
            return n
    line = client.wait_for(lambda l: l.command == "JOIN" and l.nick and is_it(l.nick)
                           and irc_lower(l.text) == irc_lower(channel),
                           timeout=max(0.01, deadline - time.monotonic()))
    return line.nick


def wait_nick_free(client, nick, timeout=None):
    """Wait until nick is not online (ISON), e.g. after a previous bot quit."""
    deadline = time.monotonic() + (timeout or t(10))
    while True:
        client.send("ISON %s" % nick)
        line = client.wait_for(command="303")
        if irc_lower(nick) not in [irc_lower(n) for n in line.text.split()]:
            return
        if time.monotonic() > deadline:
            raise AssertionError("nick %s still in use" % nick)
        time.sleep(0.1)


# ---------------------------------------------------------------- the bot

SANITIZER_PATTERNS = [
    r"ERROR: AddressSanitizer",
    r"ERROR: LeakSanitizer",
    r"runtime error:",
    r"==ERROR",
    r"ERROR SUMMARY: [1-9]",
]
_SAN_RE = re.compile("|".join(SANITIZER_PATTERNS))


# ---------------------------------------------------------------- asking the bot

# The bot's answer to `version` in private: sent after a command, it marks
# where that command's answers end (the bot answers one person in order).
# In English or in French, whichever the person chose (`lang`).
VERSION_ANSWER = re.compile(r"^Convene \S+(: event registration in chat"
                            r"|\u00a0: inscriptions aux événements, dans le clavardage)$")


def from_bot(line, to=None, bot="convene"):
    """A NOTICE from the bot (to `to`, when given)."""
    return (line.command == "NOTICE" and irc_lower(line.nick) == irc_lower(bot)
            and (to is None or irc_lower(line.target) == irc_lower(to)))


def answers(client, bot="convene", timeout=None):
    """The texts of the bot's notices to client until its answer to a
    `version` sent now: everything answered to what client sent before."""
    client.privmsg(bot, "version")
    got = []
    while True:
        l = client.wait_for(lambda l: from_bot(l, client.nick, bot), timeout=timeout or t(10))
        if VERSION_ANSWER.search(l.text):
            return got
        got.append(l.text)


def ask(client, text, bot="convene", timeout=None):
    """Send a command to the bot in private (bytes are sent raw, for invalid
    UTF-8) and return the texts of every answer to it."""
    if isinstance(text, bytes):
        client.send_bytes(b"PRIVMSG " + bot.encode() + b" :" + text + b"\r\n")
    else:
        client.privmsg(bot, text)
    return answers(client, bot, timeout)


def sanitizer_report(text, before=5, after=60):
    """The part of a log around the first sanitizer or valgrind report, or
    None when there is none."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _SAN_RE.search(line):
            return "\n".join(lines[max(0, i - before):i + after])
    return None


def default_bot_config(workdir, irc_port, nick="convene", channels="#events"):
    return {
        "irc": {
            "server": "127.0.0.1",
            "port": str(irc_port),
            "tls": "no",
            "nick": nick,
            "username": "convene",
            "realname": "Convene test bot",
            "channels": channels,
            "flood_burst": "10",
            "flood_rate": "10",
        },
        "bot": {
            "prefix": "!",
            "owners": "owner!*@*",
            "command_burst": "5",
            "command_rate": "1",
        },
        "store": {"path": str(Path(workdir) / "convene.db")},
        "http": {
            "listen": "127.0.0.1",
            "port": None,	# filled with a free port
            "base_url": None,
        },
    }


def merge_config(base, overrides):
    """Apply overrides (dict of dicts) to base in place: a value of None
    removes a key, a section of None removes the section; new sections and
    keys are added."""
    for section, keys in (overrides or {}).items():
        if keys is None:
            base.pop(section, None)
            continue
        sec = base.setdefault(section, {})
        for k, v in keys.items():
            if v is None:
                sec.pop(k, None)
            else:
                sec[k] = str(v) if not isinstance(v, bool) else ("yes" if v else "no")
    return base


def write_ini(path, config):
    out = ["; written by tests/e2e/harness.py"]
    for section, keys in config.items():
        out.append("[%s]" % section)
        for k, v in keys.items():
            if v is not None:
                out.append("%s = %s" % (k, v))
    Path(path).write_text("\n".join(out) + "\n")


class Bot:
    """The bot process: `$CONVENE_BIN -c FILE`, output in workdir/bot.log.

    config: the sections as a dict of dicts (see default_bot_config); edit
    it and call write_config() or restart() to change it. env: extra
    environment variables for the process (e.g. CONVENE_TIME_OFFSET_FILE)."""

    def __init__(self, workdir, irc_port, nick="convene", channels="#events",
                 overrides=None, binary=None, env=None):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.binary = binary or os.environ.get("CONVENE_BIN") or str(REPO / "build" / "convene")
        self.http_port = free_port()
        self.config = default_bot_config(self.dir, irc_port, nick, channels)
        self.config["http"]["port"] = str(self.http_port)
        self.config["http"]["base_url"] = "http://127.0.0.1:%d" % self.http_port
        merge_config(self.config, overrides)
        self.conf = self.dir / "convene.ini"
        self.logfile = self.dir / "bot.log"
        self.proc = None
        self.returncode = None
        self.check_rc = True	# teardown asserts exit code 0 unless cleared
        self.env = dict(env or {})
        self.write_config()

    @property
    def nick(self):
        return self.config["irc"]["nick"]

    def write_config(self):
        write_ini(self.conf, self.config)

    def command(self):
        cmd = [self.binary, "-c", str(self.conf)]
        if VALGRIND:
            cmd = ["valgrind", "--error-exitcode=99", "--leak-check=full",
                   "--errors-for-leak-kinds=definite", "--num-callers=30"] + cmd
        return cmd

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        assert not self.running, "bot already running"
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError("CONVENE_BIN %s is not an executable (build first)" % self.binary)
        env = dict(os.environ)
        env.update(self.env)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
        with open(self.logfile, "ab") as log:
            log.write(("==== harness: starting %s\n" % " ".join(self.command())).encode())
            log.flush()
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.dir, env=env)
        self.returncode = None
        return self

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=None):
        """Wait for the process to exit; return its exit code (negative for a
        signal). Kills it and fails if it does not exit in time."""
        timeout = t(10) if timeout is None else timeout
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.returncode = self.proc.wait()
            self.check_rc = False
            raise AssertionError("bot did not exit within %.1fs; killed. Log tail:\n%s"
                                 % (timeout, self.log_tail()))
        return self.returncode

    def stop(self, sig=signal.SIGTERM, timeout=None):
        """Send sig and wait for exit (up to 10 s, scaled); return the exit
        code. A stop with anything but SIGTERM is not held to exit code 0."""
        if self.proc is None or self.returncode is not None:
            return self.returncode
        if sig != signal.SIGTERM:
            self.check_rc = False
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def restart(self):
        rc = self.stop()
        assert rc == 0, "bot exited with %r on SIGTERM before restart; log:\n%s" % (
            rc, self.log_tail())
        self.write_config()
        return self.start()

    def log_text(self):
        try:
            return self.logfile.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n=60):
        return "\n".join(self.log_text().splitlines()[-n:])

    def wait_log(self, regex, timeout=None, flags=re.I):
        """Wait until the log matches regex; return the match."""
        rx = re.compile(regex, flags)
        deadline = time.monotonic() + (t(10) if timeout is None else timeout)
        while True:
            m = rx.search(self.log_text())
            if m:
                return m
            if time.monotonic() > deadline:
                raise AssertionError("bot log never matched %r; tail:\n%s" % (regex, self.log_tail()))
            time.sleep(0.1)

    def finish(self):
        """Teardown: SIGTERM, exit code 0, no sanitizer/valgrind report.
        Returns a list of failure messages (empty when all is well)."""
        problems = []
        if self.proc is not None and self.returncode is None:
            try:
                self.stop()
            except AssertionError as e:
                problems.append(str(e))
        if self.proc is not None and self.check_rc and self.returncode != 0:
            problems.append("bot exited with %r, expected 0 after SIGTERM; log tail:\n%s"
                            % (self.returncode, self.log_tail()))
        report = sanitizer_report(self.log_text())
        if report:
            problems.append("sanitizer/valgrind report in %s:\n%s" % (self.logfile, report))
        return problems


def lent(world, ready=None):
    """The body of a module fixture: `yield from lent(World(...))`. Runs
    ready(world) first if given (closing the world if it fails), lends the
    world to the module's tests, then closes it and fails on what close()
    reports (a sanitizer report, a crash, an unclean exit)."""
    if ready is not None:
        try:
            ready(world)
        except BaseException:
            world.close()
            raise
    yield world
    problems = world.close()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
