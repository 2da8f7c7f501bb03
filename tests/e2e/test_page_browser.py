"""The public events page in a real browser: Debian's chromium, headless,
driven by playwright-core (tests/interop/browse.js) over the pages of a real
bot on a real ngircd, at a phone and a desktop width, in light and dark
colour schemes, with axe-core's accessibility rules. Screenshots go into the
test's tmp folder (printed with -s, and named in failures).

The bot runs under another nick than "convene", so the page must name the
real one in the command it tells people to type."""

import datetime
import html.parser
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import harness
from harness import Bot, ask, t

BOT = "evbot"
ORG = "pageorg"
MEMBER = "pagemember"
INTEROP = harness.REPO / "tests" / "interop"
NODE = shutil.which("node") or "/usr/bin/node"
CHROMIUM = "/usr/bin/chromium"

OVERRIDES = {
    "bot": {"owners": "%s!*@*" % ORG, "command_burst": 100, "command_rate": 100},
    "irc": {"flood_burst": 100, "flood_rate": 100, "channels": "#events, #other"},
    "http": {"chat_url": "https://chat.example.org/?channels=events"},
}

LONG = ("A-very-long-word-that-has-no-space-in-it-at-all-and-must-still-fit-"
        "on-a-phone-screen-without-scrolling-sideways")


def future(days):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=days)).isoformat()


def cmd(client, text):
    return ask(client, text, bot=BOT)


def one(lines, regex):
    found = [m for m in (re.search(regex, l) for l in lines) if m]
    assert found, "no answer matched %r in %r" % (regex, lines)
    return found[0]


def create(org, date, time_, rest):
    return int(one(cmd(org, "event add %s %s %s" % (date, time_, rest)),
                   r"^Created #(\d+)").group(1))


class World:
    def __init__(self, tmp):
        self.tmp = tmp
        self.ircd = harness.Ngircd(tmp / "ircd")
        self.ircd.start()
        self.bot = Bot(tmp / "bot", self.ircd.port, nick=BOT, channels="#events, #other",
                       overrides=OVERRIDES)
        self.bot.start()
        self.org = self.ircd.client(ORG)
        self.org.join("#events")
        harness.wait_in_channel(self.org, "#events", BOT, t(15))
        self.member = self.ircd.client(MEMBER)
        self.base = "http://127.0.0.1:%d" % self.bot.http_port
        self.ids = {}

    def make_events(self):
        org, ids = self.org, self.ids
        ids["open"] = create(org, future(10), "18:30", "Europe/Paris 90m Repair café")
        for field, value in (("capacity", "3"),
                             ("description", "Bring a broken toaster <b>or</b> a lamp. " + LONG),
                             ("location", "Maison des associations, salle 2"),
                             ("url", "https://example.org/repair?x=1&y=2")):
            one(cmd(org, "event set %d %s %s" % (ids["open"], field, value)), r"set")
        ids["full"] = create(org, future(11), "10:00", "America/Toronto 2h Tiny workshop")
        one(cmd(org, "event set %d capacity 1" % ids["full"]), r"set")
        one(cmd(org, "event set %d channel #other" % ids["full"]), r"set")
        ids["off"] = create(org, future(12), "12:00", "UTC 45m Picnic")
        one(cmd(org, "rsvp %d yes" % ids["open"]), r"confirmed")
        one(cmd(org, "rsvp %d yes" % ids["full"]), r"confirmed")
        one(cmd(self.member, "rsvp %d yes" % ids["full"]), r"waitlist")
        one(cmd(org, "event cancel %d rain" % ids["off"]), r"Cancelled")

    def close(self):
        for c in (self.org, self.member):
            c.quit()
        problems = self.bot.finish()
        self.ircd.stop()
        return problems


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from harness.lent(World(tmp_path_factory.mktemp("page")), World.make_events)


def browse(tmp_path, urls):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run scripts/install-deps")
    if not (INTEROP / "node_modules" / "playwright-core").is_dir():
        pytest.fail("the npm packages are not installed: run tests/interop/install")
    out = tmp_path / "screenshots"
    out.mkdir()
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        r = subprocess.run([NODE, str(INTEROP / "browse.js"), CHROMIUM, profile, str(out)] + urls,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=t(300))
    assert r.returncode == 0, "browse.js failed:\n%s" % r.stderr[-4000:]
    print("screenshots in", out)
    return json.loads(r.stdout)


def check_common(world, v):
    where = "%s at %s, %s" % (v["url"], v["width"], v["scheme"])
    assert v["status"] == 200, where
    assert v["lang"] == "en", where
    assert v["scripts"] == 0 and v["handlers"] == 0, where
    # Nothing from another host, and nothing the Content-Security-Policy blocked.
    assert all(u.startswith(world.base + "/") for u in v["requested"]), (where, v["requested"])
    assert v["headers"]["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert not [m for m in v["console"] if "Content Security Policy" in m], (where, v["console"])
    # Fits the width: no scrolling sideways on a phone.
    assert v["scrollWidth"] <= v["clientWidth"], (where, v["scrollWidth"], v["clientWidth"])
    bad = [a for a in v["axe"] if a["impact"] in ("serious", "critical")]
    assert not bad, (where, bad)
    assert Path(v["screenshot"]).stat().st_size > 1000, where


def test_pages_in_a_browser(world, tmp_path):
    ids, base = world.ids, world.base
    front, event = base + "/", "%s/event/%d" % (base, ids["open"])
    views = browse(tmp_path, [front, event])
    assert len(views) == 8
    for v in views:
        check_common(world, v)
    by = {(v["url"], v["width"], v["scheme"]): v for v in views}
    irc = "irc://127.0.0.1:%d/" % world.ircd.port
    for width in ("phone", "desktop"):
        # The front page: numbers, the exact command with the real nick, places.
        v = by[(front, width, "light")]
        text, hrefs = v["text"], [l["href"] for l in v["links"]]
        for key in ("open", "full", "off"):
            assert "#%d" % ids[key] in text
            assert "%s/event/%d" % (base, ids[key]) in hrefs
            assert "%s/calendars/event/%d.ics" % (base, ids[key]) in hrefs
        assert "/msg %s rsvp %d" % (BOT, ids["open"]) in text
        assert "/msg %s rsvp %d" % (BOT, ids["full"]) in text
        assert "/msg convene " not in text
        assert "2 places left (of 3)" in text
        assert "Full, waitlist open" in text
        assert "Picnic (cancelled)" in text
        assert "/msg %s rsvp %d" % (BOT, ids["off"]) not in text
        assert "Sat" in text or "Sun" in text or "Mon" in text or "Tue" in text or \
            "Wed" in text or "Thu" in text or "Fri" in text
        assert "18:30\u201320:00 Europe/Paris" in text
        assert "10:00\u201312:00 America/Toronto" in text
        # How to reach the chat: the channel from the config, and the web chat.
        assert irc + "events" in hrefs
        assert "https://chat.example.org/?channels=events" in hrefs
        assert "Bring a broken toaster <b>or</b> a lamp." in text
        assert "pagemember" not in text and ORG not in text
        # The event's own page.
        v = by[(event, width, "light")]
        text, hrefs = v["text"], [l["href"] for l in v["links"]]
        assert v["title"].startswith("Repair café")
        assert "#%d Repair café" % ids["open"] in text
        assert "Bring a broken toaster <b>or</b> a lamp." in text
        assert "Maison des associations, salle 2" in text
        assert "2 places left (of 3)" in text
        assert "/msg %s rsvp %d registers you for this event" % (BOT, ids["open"]) in text
        assert "!rsvp %d" % ids["open"] in text
        assert "webcal://127.0.0.1:%d/calendars/event/%d.ics" % (world.bot.http_port, ids["open"]) in hrefs
        assert "%s/calendars/event/%d.ics" % (base, ids["open"]) in hrefs
        assert "https://example.org/repair?x=1&y=2" in hrefs
        assert irc + "events" in hrefs
        assert base + "/" in hrefs
    # Dark mode follows prefers-color-scheme.
    for url in (front, event):
        light, dark = by[(url, "desktop", "light")], by[(url, "desktop", "dark")]
        assert light["bodyBackground"] != dark["bodyBackground"], url
        assert light["bodyColor"] != dark["bodyColor"], url
        assert light["linkColor"] != dark["linkColor"], url


def test_event_page_of_a_channel_and_cancelled(world):
    """/event/N over plain HTTP: the event's own channel; a cancelled event marked."""
    ids, base = world.ids, world.base
    page = get_page(world.bot.http_port, "/event/%d" % ids["full"])
    assert "Full, waitlist open" in page
    assert 'href="irc://127.0.0.1:%d/other"' % world.ircd.port in page
    page = get_page(world.bot.http_port, "/event/%d" % ids["off"])
    assert "This event is cancelled: rain." in page
    assert "rsvp %d" % ids["off"] not in page
    for bad in ("/event/0", "/event/0%d" % ids["open"], "/event/%d/" % ids["open"],
                "/event/999999", "/event/", "/page/1", "/page/2", "/page/x"):
        status, _, _ = harness.http_get(world.bot.http_port, bad)
        assert status == 404, bad


class _Items(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.items, self.links = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and "ev" in (a.get("class") or "").split():
            self.items.append(a.get("id"))
        if tag == "a":
            self.links.append(a.get("href"))


def get_page(port, path):
    """The text of a page the bot answers with 200."""
    status, _, body = harness.http_get(port, path)
    assert status == 200, (path, status, body[:200])
    return body.decode("utf-8")


def test_front_page_caps_at_100_and_links_to_the_rest(world):
    """With 150 more upcoming events the front page lists the next 100, links
    to the rest, and stays small; /page/2 lists the others."""
    org = world.org
    before = len(parse(get_page(world.bot.http_port, "/")).items)
    for i in range(150):
        if i % 40 == 39:
            harness.time.sleep(1.5)	# within the per-person command limit
        create(org, future(40 + i // 24), "%02d:00" % (i % 24), "UTC 30m Meeting number %d" % i)
    # The page follows within a second of the last change.
    deadline = harness.time.monotonic() + t(10)
    while True:
        page = get_page(world.bot.http_port, "/")
        p = parse(page)
        if len(p.items) == 100 or harness.time.monotonic() > deadline:
            break
        harness.time.sleep(0.2)
    total = before + 150
    assert len(p.items) == 100
    assert "%s/page/2" % world.base in p.links
    assert "Later events (%d more)" % (total - 100) in page
    assert len(page.encode()) < 100 * 1000, len(page.encode())
    rest = parse(get_page(world.bot.http_port, "/page/2"))
    assert len(rest.items) == total - 100
    assert not set(rest.items) & set(p.items)
    assert "%s/" % world.base in rest.links
    status, _, _ = harness.http_get(world.bot.http_port, "/page/3")
    assert status == 404


def parse(page):
    p = _Items()
    p.feed(page)
    p.close()
    return p


def test_page_names_the_nick_the_bot_has(world, tmp_path):
    """The nick is taken when the bot connects: the page names the one it
    got, and the configured one again once the bot takes it back."""
    holder = world.ircd.client("nickbot")
    holder.join("#events")
    bot = Bot(tmp_path / "bot", world.ircd.port, nick="nickbot", overrides=OVERRIDES)
    bot.start()
    try:
        harness.wait_in_channel(holder, "#events", "nickbot_", t(15))
        deadline = harness.time.monotonic() + t(10)
        while "/msg nickbot_ rsvp N" not in page_text(bot) and \
                harness.time.monotonic() < deadline:
            harness.time.sleep(0.2)
        assert "/msg nickbot_ rsvp N" in page_text(bot)
        holder.quit()
        # The bot takes its nick back; the page follows within a tick (15 s).
        deadline = harness.time.monotonic() + t(30)
        while "/msg nickbot rsvp N" not in page_text(bot) and \
                harness.time.monotonic() < deadline:
            harness.time.sleep(0.5)
        assert "/msg nickbot rsvp N" in page_text(bot)
    finally:
        problems = bot.finish()
    assert not problems, problems


def page_text(bot):
    return get_page(bot.http_port, "/")
