"""A real IRC network with services for Convene's end-to-end tests:
InspIRCd 3 and Anope 2.0 from Debian, on free loopback ports.

Configs come from conf/inspircd-test.conf.in and conf/anope-test.conf.in
(@CLIENT_PORT@, @LINK_PORT@ and @DIR@ are filled in). Start InspIRCd, wait
for its server port, start Anope, and call the network ready once `CAP LS`
offers sasl: InspIRCd offers it only while services are linked. InspIRCd
goes first because Anope retries a refused link only after `retrywait`.
Anope's inspircd3 module drops the link unless InspIRCd loads `hidechans`
and `services_account`, and both sides must use the rfc1459 case mapping;
Anope does not start without `serverinfo:motd` and `options:readtimeout`.

Like harness.Ngircd, a Services object has .port and .client(), so the
conftest fixtures (client, start_bot) accept it in place of an ngircd.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from harness import REPO, IrcClient, Line, free_port, make_readable, t, wait_port

INSPIRCD_TEMPLATE = REPO / "conf" / "inspircd-test.conf.in"
ANOPE_TEMPLATE = REPO / "conf" / "anope-test.conf.in"
INSPIRCD_BIN = os.environ.get("INSPIRCD_BIN") or shutil.which("inspircd") or "/usr/sbin/inspircd"
ANOPE_BIN = os.environ.get("ANOPE_BIN") or shutil.which("anope") or "/usr/sbin/anope"
ANOPE_MODULES = "/usr/lib/anope"
ANOPE_LOCALE = "/usr/share/anope/locale"


def _stop(proc, timeout):
    """SIGTERM the process we launched (never by name or pid file); kill it
    if it does not exit in time. Returns its exit code."""
    if proc is None:
        return None
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def cap_ls(port, timeout=2.0):
    """The capabilities a fresh connection is offered (CAP LS 302), as a
    dict name -> value ('' when none); None when the server does not answer."""
    caps = {}
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"CAP LS 302\r\n")
            buf = b""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                data = s.recv(4096)
                if not data:
                    return None
                buf += data
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    line = Line(raw.rstrip(b"\r").decode("utf-8", "replace"))
                    if line.command != "CAP" or len(line.params) < 3 or line.params[1] != "LS":
                        continue
                    for c in line.text.split():
                        k, _, v = c.partition("=")
                        caps[k] = v
                    # "CAP * LS * :..." means more lines follow.
                    if not (len(line.params) >= 4 and line.params[2] == "*"):
                        return caps
    except OSError:
        return None
    return None


class Services:
    """InspIRCd with Anope linked to it, in workdir. .port is the client port."""

    def __init__(self, workdir):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.link_port = free_port()
        while self.link_port == self.port:
            self.link_port = free_port()
        self.ircd_conf = self.dir / "inspircd.conf"
        self.ircd_log = self.dir / "ircd.log"
        self.ircd_out = self.dir / "inspircd.out"
        self.anope_out = self.dir / "anope.out"
        self.ircd = None
        self.anope = None
        self._write_configs()

    def _fill(self, template):
        text = template.read_text()
        for k, v in (("@CLIENT_PORT@", str(self.port)), ("@LINK_PORT@", str(self.link_port)),
                     ("@DIR@", str(self.dir))):
            text = text.replace(k, v)
        return text

    def _write_configs(self):
        for sub in ("conf", "data", "logs"):
            (self.dir / sub).mkdir(exist_ok=True)
        self.ircd_conf.write_text(self._fill(INSPIRCD_TEMPLATE))
        (self.dir / "conf" / "services.conf").write_text(self._fill(ANOPE_TEMPLATE))
        (self.dir / "conf" / "services.motd").write_text("Convene test services\n")
        make_readable(self.dir)

    @property
    def running(self):
        return all(p is not None and p.poll() is None for p in (self.ircd, self.anope))

    def logs(self, n=40):
        """The tails of both daemons' logs, for failure messages."""
        out = []
        for f in (self.ircd_out, self.ircd_log, self.anope_out, self.dir / "logs"):
            files = sorted(f.iterdir()) if f.is_dir() else [f]
            for g in files:
                try:
                    tail = g.read_text(errors="replace").splitlines()[-n:]
                except OSError:
                    continue
                out.append("--- %s\n%s" % (g, "\n".join(tail)))
        return "\n".join(out)

    def start(self, timeout=None):
        """Start both; return once CAP LS offers sasl. Raises (never skips)
        when either daemon is missing or does not come up."""
        assert self.ircd is None and self.anope is None, "already started"
        for b in (INSPIRCD_BIN, ANOPE_BIN):
            if not os.access(b, os.X_OK):
                raise RuntimeError("%s is not installed (apt-get install inspircd anope)" % b)
        deadline = time.monotonic() + (timeout or t(20))
        # InspIRCd refuses to run as root without --runasroot.
        root = ["--runasroot"] if os.geteuid() == 0 else []
        with open(self.ircd_out, "ab") as out:
            self.ircd = subprocess.Popen(
                [INSPIRCD_BIN, "--config", str(self.ircd_conf), "--nofork"] + root,
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.dir)
        for p in (self.port, self.link_port):
            if not wait_port(p, max(0.1, deadline - time.monotonic()), proc=self.ircd):
                self._fail("InspIRCd did not listen on %d" % p)
        with open(self.anope_out, "ab") as out:
            self.anope = subprocess.Popen(
                [ANOPE_BIN, "--nofork", "--confdir=%s" % (self.dir / "conf"),
                 "--dbdir=%s" % (self.dir / "data"), "--logdir=%s" % (self.dir / "logs"),
                 "--modulesdir=%s" % ANOPE_MODULES, "--localedir=%s" % ANOPE_LOCALE],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.dir)
        while True:
            caps = cap_ls(self.port)
            if caps is not None and "sasl" in caps:
                return self
            if self.anope.poll() is not None or self.ircd.poll() is not None:
                self._fail("a daemon exited before services linked")
            if time.monotonic() > deadline:
                self._fail("CAP LS never offered sasl (services not linked)")
            time.sleep(0.1)

    def _fail(self, why):
        self.stop()
        raise RuntimeError("%s; logs:\n%s" % (why, self.logs()))

    def stop(self):
        """SIGTERM Anope (it writes its database), then InspIRCd."""
        _stop(self.anope, t(10))
        _stop(self.ircd, t(10))
        self.anope = self.ircd = None

    def client(self, nick, **kw):
        return IrcClient(self.port, nick, **kw)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------- accounts

def identify(client, password, account=None, timeout=None):
    """Log client in with NickServ IDENTIFY; wait for 900 RPL_LOGGEDIN and
    return the account name."""
    cmd = "IDENTIFY %s %s" % (account, password) if account else "IDENTIFY %s" % password
    client.privmsg("NickServ", cmd)
    line = client.wait_for(lambda l: l.command == "900" or (
        l.command == "NOTICE" and l.nick == "NickServ" and "incorrect" in l.text),
        timeout=timeout or t(10))
    assert line.command == "900", "IDENTIFY refused: %s" % line.raw
    return line.params[2]


def register_account(client, password, email=None, timeout=None):
    """Register the client's nick as a NickServ account (it is then logged
    in); wait for 900 and return the account name."""
    client.privmsg("NickServ", "REGISTER %s %s" % (password, email or "%s@example.org" % client.nick))
    line = client.wait_for(lambda l: l.command == "900" or (
        l.command == "NOTICE" and l.nick == "NickServ"
        and ("already registered" in l.text or "may not" in l.text or "must" in l.text)),
        timeout=timeout or t(10))
    assert line.command == "900", "REGISTER refused: %s" % line.raw
    return line.params[2]


def whois_account(client, nick, timeout=None):
    """The account another client sees for nick in WHOIS (330), or None."""
    client.send("WHOIS %s" % nick)
    account = None
    while True:
        line = client.wait_for(lambda l: l.command in ("330", "318", "401")
                               and len(l.params) > 1 and l.params[1].lower() == nick.lower(),
                               timeout=timeout or t(10))
        if line.command == "330":
            account = line.params[2]
        else:
            return account
