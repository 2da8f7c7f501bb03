"""Issue 15, the web page and the feeds in French: /calendars/fr/... with the
events' French texts and the same UIDs as the English feeds, written under
calendars/fr/ too; the page at / following Accept-Language (with Vary), /en/
and /fr/ pages linking to each other, and the host's kept answers never
crossing languages."""

import datetime
import json
import re
import shutil
import sqlite3
import subprocess

import pytest

import harness
import icscheck
from harness import Bot, ask, t

ORG = "frorg"
NODE = shutil.which("node") or "/usr/bin/node"
INTEROP = harness.REPO / "tests" / "interop"
NBSP = "\u00a0"

TITLE_EN = "Budget workshop, part 1"
TITLE_FR = "Atelier budgétaire, partie 1 : « chiffres » ; été"
DESC_EN = "How the coalition spends its money."
DESC_FR = "Comment la coalition dépense son argent. Ça va, \\ merci."
LOC_FR = "Salle 2, Montréal"


def future(days):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=days)).isoformat()


def get_ok(port, path, headers=None):
    s, h, b = harness.http_get(port, path, headers)
    assert s == 200, "GET %s: %d %r" % (path, s, b[:200])
    return h, b


def created(lines):
    m = [re.search(r"^Created #(\d+)", l) for l in lines]
    m = [x for x in m if x]
    assert m, lines
    return int(m[0].group(1))


def set_texts(db, event_id, texts):
    """The French versions, written as the events plugin's `event set N
    title.fr TEXT` does (model_text_set: the row, and SEQUENCE up)."""
    con = sqlite3.connect(str(db), timeout=t(10))
    try:
        with con:
            for field, text in texts.items():
                con.execute("UPDATE events SET sequence = sequence + 1,"
                            " updated_at = strftime('%s', 'now') WHERE id = ?", (event_id,))
                con.execute("INSERT INTO event_texts (event_id, lang, field, text)"
                            " VALUES (?, 'fr', ?, ?) ON CONFLICT (event_id, lang, field)"
                            " DO UPDATE SET text = excluded.text",
                            (event_id, field, text))
    finally:
        con.close()


def python_icalendar(body):
    import icalendar
    cal = icalendar.Calendar.from_ical(body)
    return {str(ev["UID"]): {"summary": str(ev["SUMMARY"]),
                             "description": str(ev.get("DESCRIPTION", "")) or None,
                             "location": str(ev.get("LOCATION", "")) or None,
                             "sequence": int(ev.get("SEQUENCE", 0))}
            for ev in cal.walk("VEVENT")}, str(cal.get("X-WR-CALDESC", ""))


def ical_js(path):
    if not (INTEROP / "node_modules" / "ical.js").is_dir():
        pytest.fail("the npm parsers are not installed: run tests/interop/install")
    r = subprocess.run([NODE, str(INTEROP / "parse.js"), "ical.js", str(path)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=t(60))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    return {e["uid"]: {"summary": e["summary"], "description": e["description"],
                       "location": e["location"], "sequence": e["sequence"]}
            for e in data["events"]}


class World:
    def __init__(self, tmp):
        self.ircd = harness.Ngircd(tmp / "ircd")
        self.ircd.start()
        self.bot = Bot(tmp / "bot", self.ircd.port, overrides={
            "bot": {"owners": "%s!*@*" % ORG, "command_burst": 100, "command_rate": 100},
            "irc": {"flood_burst": 50, "flood_rate": 50, "channels": "#events"}})
        self.bot.start()
        self.port = self.bot.http_port
        self.org = self.ircd.client(ORG)
        self.org.join("#events")
        harness.wait_in_channel(self.org, "#events", self.bot.nick, t(15))
        self.files = self.bot.dir / "calendars"

    def make_events(self):
        org = self.org
        self.a = created(ask(org, "event add %s 18:00 America/Toronto 90m %s"
                             % (future(20), TITLE_EN)))
        assert any("set" in l for l in ask(org, "event set %d description %s"
                                           % (self.a, DESC_EN)))
        assert any("set" in l for l in ask(org, "event set %d channel #events" % self.a))
        self.b = created(ask(org, "event add %s 10:00 UTC 1h English only" % future(21)))
        self.c = created(ask(org, "event add %s 12:00 UTC 1h Spare" % future(22)))
        set_texts(self.bot.dir / "convene.db", self.a,
                  {"title": TITLE_FR, "description": DESC_FR, "location": LOC_FR})
        # Any change makes the bot render again, reading every event.
        assert any("set" in l for l in ask(org, "event set %d location Room 9" % self.c))

    def close(self):
        self.org.quit()
        problems = self.bot.finish()
        self.ircd.stop()
        return problems


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from harness.lent(World(tmp_path_factory.mktemp("french")), World.make_events)


def test_french_feeds_have_french_texts_and_the_same_uids(world, tmp_path):
    for path in ("all.ics", "channel/events.ics", "event/%d.ics" % world.a):
        _, en = get_ok(world.port, "/calendars/" + path)
        _, fr = get_ok(world.port, "/calendars/fr/" + path)
        icscheck.assert_clean(fr, "fr/" + path)
        en_events, en_desc = python_icalendar(en)
        fr_events, fr_desc = python_icalendar(fr)
        # The same events, by UID, and the same SEQUENCE: one event, two languages.
        assert set(en_events) == set(fr_events) and en_events
        for uid in en_events:
            assert en_events[uid]["sequence"] == fr_events[uid]["sequence"]
        uid_a = [u for u, e in en_events.items() if e["summary"] == TITLE_EN][0]
        assert fr_events[uid_a]["summary"] == TITLE_FR
        assert fr_events[uid_a]["description"] == DESC_FR
        assert fr_events[uid_a]["location"] == LOC_FR
        assert en_events[uid_a]["description"] == DESC_EN
        assert en_events[uid_a]["location"] is None
        # No French version: the original.
        for uid, e in en_events.items():
            if uid != uid_a:
                assert fr_events[uid]["summary"] == e["summary"]
        # The calendar's own words in French.
        if path == "all.ics":
            assert en_desc == "Every public event"
            assert fr_desc == "Tous les événements publics"
        f = tmp_path / path.replace("/", "_")
        f.write_bytes(fr)
        js = ical_js(f)
        assert set(js) == set(en_events)
        assert js[uid_a]["summary"] == TITLE_FR
        assert js[uid_a]["description"] == DESC_FR
        assert js[uid_a]["location"] == LOC_FR
        assert js[uid_a]["sequence"] == en_events[uid_a]["sequence"]
        # The English feed is what it was: no French in it.
        assert TITLE_FR.encode() not in en


def test_french_feeds_are_written_under_fr(world):
    for path in ("all.ics", "channel/events.ics", "event/%d.ics" % world.a):
        _, body = get_ok(world.port, "/calendars/fr/" + path)
        assert (world.files / "fr" / path).read_bytes() == body
        assert "Atelier budgétaire".encode() in body
    _, en = get_ok(world.port, "/calendars/all.ics")
    assert (world.files / "all.ics").read_bytes() == en
    # Not a personal feed in French, nor paths outside the feeds.
    for bad in ("/calendars/fr/event/999999.ics", "/calendars/fr/channel/nochannel.ics",
                "/calendars/fr/fr/all.ics", "/calendars/fr/me/x.ics", "/calendars/fr/"):
        assert harness.http_get(world.port, bad)[0] == 404, bad


def lang_of(body):
    m = re.search(rb'<html lang="(\w+)">', body)
    return m.group(1).decode() if m else None


def test_page_follows_accept_language_with_vary(world):
    base = "http://127.0.0.1:%d" % world.port
    h, fr = get_ok(world.port, "/", {"Accept-Language": "fr-CA,fr;q=0.9"})
    assert h["vary"] == "Accept-Language"
    assert lang_of(fr) == "fr"
    text = fr.decode()
    assert "Comment s’inscrire" in text
    assert TITLE_FR in text and TITLE_EN not in text
    assert "18" + NBSP + "h" + NBSP + "00 à 19" + NBSP + "h" + NBSP + "30 (heure de Toronto)" in text
    # The feeds of its own language, and the way to the English page.
    assert "%s/calendars/fr/all.ics" % base in text
    assert "webcal://127.0.0.1:%d/calendars/fr/channel/events.ics" % world.port in text
    assert '"%s/calendars/all.ics"' % base not in text
    assert 'href="%s/en/" hreflang="en"' % base in text
    assert 'href="%s/fr/event/%d"' % (base, world.a) in text

    h, en = get_ok(world.port, "/", {"Accept-Language": "en-US,en;q=0.9,fr;q=0.8"})
    assert h["vary"] == "Accept-Language" and lang_of(en) == "en"
    assert "How to register" in en.decode() and TITLE_FR.encode() not in en
    assert 'href="%s/fr/" hreflang="fr"' % base in en.decode()
    assert "%s/calendars/all.ics" % base in en.decode()
    # q-values: French preferred, though named second.
    _, b = get_ok(world.port, "/", {"Accept-Language": "en;q=0.4, fr;q=0.8"})
    assert lang_of(b) == "fr"
    # Nothing asked, or nothing the bot speaks: [bot] language (English here).
    assert lang_of(get_ok(world.port, "/")[1]) == "en"
    assert lang_of(get_ok(world.port, "/", {"Accept-Language": "de-DE"})[1]) == "en"

    # The explicit pages: no Vary, the same bodies.
    h, b = get_ok(world.port, "/fr/", {"Accept-Language": "en"})
    assert "vary" not in h and b == fr
    h, b = get_ok(world.port, "/en/", {"Accept-Language": "fr"})
    assert "vary" not in h and b == en
    # An event's page in both languages, each linking to the other.
    _, ev = get_ok(world.port, "/fr/event/%d" % world.a)
    assert lang_of(ev) == "fr" and TITLE_FR.split(":")[0].encode() in ev
    assert ('href="%s/en/event/%d"' % (base, world.a)).encode() in ev
    _, ev = get_ok(world.port, "/en/event/%d" % world.a)
    assert lang_of(ev) == "en" and TITLE_EN.encode() in ev
    assert ('href="%s/fr/event/%d"' % (base, world.a)).encode() in ev
    assert get_ok(world.port, "/event/%d" % world.a)[1] == ev
    for bad in ("/fr/event/999999", "/fr/x", "/de/", "/fr", "/fr/page/1"):
        assert harness.http_get(world.port, bad)[0] == 404, bad
    # A link to an event that is gone: "not found" in the browser's language.
    s, h, b = harness.http_get(world.port, "/fr/event/999999", {"Accept-Language": "fr-CA,fr;q=0.9"})
    assert (s, h["vary"], b) == (404, "Accept-Language", "introuvable\n".encode()), (s, h, b)
    s, h, b = harness.http_get(world.port, "/nowhere", {"Accept-Language": "en-GB"})
    assert (s, h["vary"], b) == (404, "Accept-Language", b"not found\n"), (s, h, b)


def test_kept_answers_never_cross_languages(world):
    """fr, en, fr, en on /: the host keeps both answers, and each request
    gets its own language, also when it brings the other's ETag."""
    fr_h = {"Accept-Language": "fr-CA,fr;q=0.9"}
    en_h = {"Accept-Language": "en"}
    seen = {}
    for _ in range(3):
        for name, hd in (("fr", fr_h), ("en", en_h)):
            h, b = get_ok(world.port, "/", hd)
            assert lang_of(b) == name
            assert h["vary"] == "Accept-Language"
            seen.setdefault(name, set()).add(h["etag"])
    assert len(seen["fr"]) == 1 and len(seen["en"]) == 1
    etag_fr, etag_en = seen["fr"].pop(), seen["en"].pop()
    assert etag_fr != etag_en
    # A client's own copy: 304, with Vary.
    s, h, b = harness.http_get(world.port, "/", dict(fr_h, **{"If-None-Match": etag_fr}))
    assert (s, b) == (304, b"") and h["vary"] == "Accept-Language"
    # The other language's copy is not current: a whole answer in the asked language.
    s, h, b = harness.http_get(world.port, "/", dict(en_h, **{"If-None-Match": etag_fr}))
    assert s == 200 and lang_of(b) == "en" and h["etag"] == etag_en
    s, h, b = harness.http_get(world.port, "/", dict(fr_h, **{"If-None-Match": etag_en}))
    assert s == 200 and lang_of(b) == "fr" and h["etag"] == etag_fr
    # The explicit English page has the English body but no Vary, kept apart.
    h, b = get_ok(world.port, "/en/")
    assert "vary" not in h and h["etag"] == etag_en
    h, b = get_ok(world.port, "/", en_h)
    assert h["vary"] == "Accept-Language"


def test_personal_feed_follows_the_person_language(world):
    """One URL per person: the feed speaks the language the person chose."""
    assert any("confirmed" in l for l in ask(world.org, "rsvp %d" % world.a))
    ask(world.org, "lang fr")
    try:
        text = "\n".join(ask(world.org, "feed"))
        m = re.search(r"http://\S+(/calendars/me/[A-Za-z0-9_-]+\.ics)", text)
        assert m, text
        _, fr = get_ok(world.port, m.group(1))
        icscheck.assert_clean(fr, "personal feed")
        events, desc = python_icalendar(fr)
        assert desc == "Les événements auxquels vous êtes inscrit"
        mine = [e for e in events.values() if e["summary"] == TITLE_FR]
        assert mine and mine[0]["description"].startswith(
            "Votre inscription" + NBSP + ": confirmée.")
    finally:
        ask(world.org, "lang en")
    _, en = get_ok(world.port, m.group(1))
    events, desc = python_icalendar(en)
    assert desc == "The events you registered for"
    mine = [e for e in events.values() if e["summary"] == TITLE_EN]
    assert mine and mine[0]["description"].startswith("Your registration: confirmed.")
    assert set(events) == set(python_icalendar(fr)[0])


def test_feed_command_in_french_gives_french_links(world):
    lines = ask(world.org, "lang fr")
    assert lines
    lines = ask(world.org, "feed")
    text = "\n".join(lines)
    assert "/calendars/fr/all.ics" in text, lines
    assert "Tous les événements" in text, lines
    assert "/calendars/fr/channel/events.ics" in text, lines
    ask(world.org, "lang en")
    text = "\n".join(ask(world.org, "feed"))
    assert "All events: http://127.0.0.1:%d/calendars/all.ics" % world.port in text
