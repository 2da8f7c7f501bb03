"""`make demo` (issue 18): scripts/demo starts ngircd and the bot with one
example event, created through the bot's own commands (the webinar "Twenty
Years of Fighting for Rights in the War on Terror", a week ahead, 50
places); its banner says how to be an organiser; and Ctrl-C stops everything
it started even when its output goes through a pipe whose reader is gone
(`make demo | tee demo.log`: Ctrl-C kills tee too)."""

import datetime
import os
import re
import select
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import harness
from conftest import unique_nick
from harness import IrcClient, ask, t

DEMO = harness.REPO / "scripts" / "demo"
TITLE = "Twenty Years of Fighting for Rights in the War on Terror"
BANNER_END = "Press Ctrl-C to stop the bot and ngircd."


def bot_binary():
    return os.environ.get("CONVENE_BIN") or str(harness.REPO / "build" / "convene")


def demo_env():
    env = dict(os.environ, CONVENE_BIN=bot_binary())
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    return env


def read_until(fd, marker, timeout):
    """What fd gives until a line holding marker (or EOF, or the timeout)."""
    out, deadline = b"", time.monotonic() + timeout
    while marker.encode() not in out:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        data = os.read(fd, 65536)
        if not data:
            break
        out += data
    return out.decode("utf-8", "replace")


def processes_under(tmpdir):
    """{pid: command line} of the processes whose command line names tmpdir:
    the demo's ngircd (-f TMP/ngircd.conf) and bot (-c TMP/convene.ini)."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if tmpdir in cmd and state not in "ZX":
            found[int(proc.name)] = cmd
    return found


def wait_gone(tmpdir, timeout):
    deadline = time.monotonic() + timeout
    while processes_under(tmpdir) and time.monotonic() < deadline:
        time.sleep(0.2)
    return processes_under(tmpdir)


def parse_banner(text):
    m = {
        "port": re.search(r"irc://127\.0\.0\.1:(\d+)/#events", text),
        "feed": re.search(r"Feed server: (http://127\.0\.0\.1:\d+)/", text),
        "tmp": re.search(r"Logs: (/\S+)/convene\.log", text),
        "event": re.search(r"#(\d+) " + re.escape(TITLE), text),
    }
    missing = [k for k, v in m.items() if v is None]
    assert not missing, "no %s in the demo's output:\n%s" % (missing, text)
    return {k: v.group(1) for k, v in m.items()}


class Demo:
    """scripts/demo in a session of its own (as a terminal's foreground job
    is), its output read through a pipe."""

    def __init__(self, cwd, command=None):
        self.proc = subprocess.Popen(command or [str(DEMO)], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     env=demo_env(), cwd=str(cwd))
        self.fd = self.proc.stdout.fileno()
        self.text = read_until(self.fd, BANNER_END, t(90))
        self.tmp = None
        if BANNER_END not in self.text:
            self.stop()
            pytest.fail("the demo did not start:\n" + self.text)
        self.info = parse_banner(self.text)
        self.tmp = self.info["tmp"]

    def ctrl_c(self):
        """SIGINT to the whole process group, as the terminal sends it."""
        os.killpg(self.proc.pid, signal.SIGINT)
        return self.proc.wait(timeout=t(30))

    def stop(self):
        """Whatever happened, leave nothing running (only what we started)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=t(20))
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.tmp:
            for pid in processes_under(self.tmp):
                os.kill(pid, signal.SIGKILL)
        self.proc.stdout.close()


@pytest.mark.deadline(240)
def as_a_person(client, text):
    """ask() at a person's pace: the demo keeps the default per-person limit
    (5 commands, then 1 a second), and ask() sends two (the command, then
    `version` to mark the end of its answer)."""
    time.sleep(2)
    return ask(client, text)


def test_demo_starts_with_the_example_event(tmp_path):
    demo = Demo(tmp_path)
    try:
        info = demo.info
        text = demo.text
        # The banner tells how to be an organiser here, and it is true.
        assert "You are an organiser already" in text
        assert "owners = *!*@127.0.0.1" in text
        assert "organizer add" in text

        day = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)
        week = day.strftime("%Y-%m-%d")
        c = IrcClient(int(info["port"]), unique_nick("newcomer"))
        try:
            listed = as_a_person(c, "events")
            assert len(listed) == 1, listed
            assert listed[0].startswith("#%s %s: " % (info["event"], TITLE)), listed
            assert "%d %s 18:00 UTC" % (day.day, day.strftime("%b %Y")) in listed[0], listed
            assert listed[0].endswith("; 50 places left"), listed
            full = " ".join(as_a_person(c, "event " + info["event"]))
            assert "Online (webinar)" in full and "webinar" in full, full
            rsvp = " ".join(as_a_person(c, "rsvp " + info["event"]))
            assert "confirmed" in rsvp.lower(), rsvp
            assert "https://meet.example.org/convene-demo" in rsvp, rsvp
            assert "49 places left" in as_a_person(c, "events")[0]
            # Everyone on this machine is an owner in the demo.
            made = as_a_person(c, "event add %s 20:00 UTC 1h My own event" % week)
            assert made and made[0].startswith("Created #"), made
        finally:
            c.quit()
        with urllib.request.urlopen(info["feed"] + "/calendars/all.ics",
                                    timeout=t(10)) as r:
            ics = r.read().decode()
        assert "SUMMARY:" + TITLE in ics.replace("\r\n ", "")
        assert "DTSTART:%sT180000Z" % week.replace("-", "") in ics
    finally:
        demo.stop()


@pytest.mark.deadline(240)
def test_ctrl_c_stops_everything_when_the_pipe_is_gone(tmp_path):
    """The reader of the demo's output is gone (tee died of the same Ctrl-C)
    before the demo cleans up: writing its goodbye must not kill it before
    it has stopped the bot and ngircd."""
    demo = Demo(tmp_path)
    try:
        started = processes_under(demo.tmp)
        assert len(started) == 2, started
        assert any("ngircd" in c for c in started.values()), started
        assert any("convene.ini" in c for c in started.values()), started
        demo.proc.stdout.close()	# the reader is gone: writes get EPIPE/SIGPIPE
        rc = demo.ctrl_c()
        left = wait_gone(demo.tmp, t(15))
        assert not left, "still running after Ctrl-C: %s" % left
        assert rc == 130, rc
        assert not Path(demo.tmp).exists()
    finally:
        demo.proc.stdout = open(os.devnull, "rb")
        demo.stop()


@pytest.mark.deadline(240)
def test_ctrl_c_through_tee(tmp_path):
    """`scripts/demo | tee demo.log` as a terminal's job: Ctrl-C reaches the
    demo and tee at once; afterwards nothing the demo started runs."""
    log = tmp_path / "demo.log"
    demo = Demo(tmp_path, ["bash", "-c", '"$0" | tee "$1"', str(DEMO), str(log)])
    try:
        assert len(processes_under(demo.tmp)) == 2
        demo.ctrl_c()
        left = wait_gone(demo.tmp, t(15))
        assert not left, "still running after Ctrl-C: %s" % left
        assert not Path(demo.tmp).exists()
        assert TITLE in log.read_text()
    finally:
        demo.stop()
