"""libcurl is the host's only when it needs it (issue 17, "Small"): the
binary does not link it, and a bot on a plain link with an empty database
joins without libcurl (and the TLS, Kerberos, LDAP libraries behind it)
mapped. The first download opens it: an organiser's `event import URL`
from a real local HTTP server works, and libcurl is mapped after. When
libcurl cannot be opened, the download fails as any other does and the log
says why. (A TLS link loads it too: test_link.py's TLS tests.)"""

import datetime
import subprocess

import harness
from harness import Bot, t

BOT = "convene"
ORG = "lazyorg"

START = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=10)).replace(
    hour=17, minute=0, second=0, microsecond=0)
CALENDAR = ("\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Lazy//EN",
    "BEGIN:VEVENT", "UID:lazy-1@test", "DTSTAMP:20260101T000000Z",
    "DTSTART:%s" % START.strftime("%Y%m%dT%H%M%SZ"), "SUMMARY:Fetched late",
    "END:VEVENT", "END:VCALENDAR"]) + "\r\n").encode()

OVERRIDES = {
    "bot": {"owners": "%s!*@*" % ORG, "command_burst": 100, "command_rate": 100},
    "irc": {"flood_burst": 50, "flood_rate": 50},
    "events": {"import_allow_private": "yes", "import_timeout": "5"},
}


def mapped(pid, name):
    """The files of the process's mappings whose name starts with name."""
    return {f for f in harness.mapped_files(pid) if f.startswith(name)}


def import_answer(org, url):
    org.privmsg(BOT, "event import " + url)
    return org.wait_for(lambda l: harness.from_bot(l, org.nick), timeout=t(20)).text


def joined_bot(tmp_path, ircd, server="127.0.0.1", env=None):
    overrides = dict(OVERRIDES, irc=dict(OVERRIDES["irc"], server=server))
    bot = Bot(tmp_path / "bot", ircd.port, overrides=overrides, env=env)
    bot.start()
    org = ircd.client(ORG)
    org.join("#events")
    harness.wait_in_channel(org, "#events", BOT, t(15))
    return bot, org


def test_binary_does_not_link_libcurl(tmp_path):
    binary = Bot(tmp_path, 1).binary
    out = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                         check=True).stdout
    needed = [l for l in out.splitlines() if "(NEEDED)" in l]
    assert needed and not any("libcurl" in l for l in needed), needed


def test_plain_link_joins_without_libcurl_and_a_download_loads_it(tmp_path):
    http = harness.OneCalendar(CALENDAR)
    # "localhost": the name goes through the resolver, not a numeric address.
    with harness.Ngircd(tmp_path / "ircd") as ircd:
        bot, org = joined_bot(tmp_path, ircd, server="localhost")
        try:
            assert mapped(bot.proc.pid, "libcurl") == set()
            assert mapped(bot.proc.pid, "libssl") == set()
            answer = import_answer(org, http.url("/cal.ics"))
            assert answer.startswith("Imported 1 event"), answer
            assert mapped(bot.proc.pid, "libcurl.so.4")
            # Loaded once; the next download uses it again.
            answer = import_answer(org, http.url("/cal.ics"))
            assert answer.startswith("Imported 0 events") or "already imported" in answer, answer
        finally:
            org.quit()
            problems = bot.finish()
            http.close()
        assert not problems, problems


def test_without_libcurl_a_download_fails_like_any_other(tmp_path):
    """A broken install (no libcurl): a library of that name with none of its
    functions. The bot still joins on its plain link; the import is refused
    with the usual download failure, and the log says what is missing."""
    libdir = harness.stand_in_library(tmp_path / "lib", "libcurl.so.4")
    http = harness.OneCalendar(CALENDAR)
    with harness.Ngircd(tmp_path / "ircd") as ircd:
        bot, org = joined_bot(tmp_path, ircd, env={"LD_LIBRARY_PATH": str(libdir)})
        try:
            answer = import_answer(org, http.url("/cal.ics"))
            assert answer == "Import failed: the download failed.", answer
            bot.wait_log(r"cannot load libcurl: libcurl\.so\.4 has no curl_", timeout=t(5))
            # Still here, still answering, and it does not try again each time.
            answer = import_answer(org, http.url("/cal.ics"))
            assert answer == "Import failed: the download failed.", answer
            assert bot.log_text().count("cannot load libcurl") == 1
        finally:
            org.quit()
            problems = bot.finish()
            http.close()
        assert not problems, problems
