"""Organisers in their language, channel announcements in the channel's
(issue 15): an organiser who says `lang fr` creates, changes, cancels,
announces and imports events and reads every answer in French while another
organiser, at the same moment, reads English; the registrants told of a
change or a cancellation read it in their own language; `event announce`
speaks the channel's language ([bot] channel_languages), with the event's
French title in a French channel when there is one.

Every line the bot sends the French organiser is checked against the
English catalogue: no English sentence of po/fr.po whose French differs may
appear in it (english_left)."""

import datetime
import http.server
import re
import socket
import sqlite3
import threading
from pathlib import Path

import pytest

import harness
from conftest import unique_nick
from harness import answers, ask, from_bot, t

NB = "\u00a0"	# no-break space: before ':' and inside « » in French, inside "18 h 00"
FR_DATE = r"\S+ \d+(?:er)? \S+ \d{4}"	# "jeu. 10 déc. 2026", "ven. 1er mai 2026"
PO = Path(__file__).resolve().parents[2] / "po" / "fr.po"


def q(word):
    return "«" + NB + word + NB + "»"


def day(n):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=n)).isoformat()


# ---------------------------------------------------------------- the catalogue

CONVERSION = re.compile(r"%(?:\d+\$)?[-+ #0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?"
                        r"(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcspn%]")


def _po_string(lines):
    return "".join(eval(l[l.index('"'):]) for l in lines)	# C-like escapes: Python's do


def catalogue(path=PO):
    """(msgids, msgstrs) of each entry of a .po file, plurals included."""
    entries, cur, key = [], {}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if cur:
                entries.append(cur)
            cur, key = {}, None
            continue
        if line.startswith("#"):
            continue
        m = re.match(r"^(msgid_plural|msgid|msgstr(?:\[\d\])?) ", line)
        if m:
            key = m.group(1)
            cur[key] = [line]
        elif line.startswith('"') and key:
            cur[key].append(line)
    out = []
    for e in entries:
        ids = [_po_string(e[k]) for k in ("msgid", "msgid_plural") if k in e]
        strs = [_po_string(v) for k, v in e.items() if k.startswith("msgstr")]
        if ids and ids[0]:
            out.append((ids, strs))
    return out


def english_pieces(path=PO, least=12):
    """The literal pieces (between printf conversions, at least `least`
    characters once stripped) of every English message whose French differs."""
    pieces = set()
    for ids, strs in catalogue(path):
        if all(s == ids[0] for s in strs) or not any(strs):
            continue
        for msgid in ids:
            for piece in CONVERSION.split(msgid):
                piece = piece.strip()
                if len(piece) >= least and not any(piece in s for s in strs):
                    pieces.add(piece)
    return pieces


def english_left(lines):
    """(line, English piece) for each catalogue sentence left in English."""
    pieces = english_pieces()
    return [(l, p) for l in lines for p in pieces if p in l]


def test_the_check_finds_english():
    # The check itself: it finds an English sentence among French ones,
    # and nothing in their French translations.
    french = "L’événement nº 3 est déjà terminé."
    english = "Event #3 has already ended."
    assert english_left([french]) == []
    assert english_left([french, english]) == [(english, "has already ended.")]
    assert english_left(["Import failed: the server answered HTTP 404."])


# ---------------------------------------------------------------- the world

ORGS = {}


@pytest.fixture
def bot(start_bot, ircd, observer):
    owner = unique_nick("frowner")
    ORGS["owner"] = owner
    return start_bot(ircd, observer, channels="#events,#evenements", overrides={
        "bot": {"owners": "%s!*@*" % owner, "channel_languages": "#evenements fr, #events en",
                "command_burst": 100, "command_rate": 100},
        "irc": {"flood_burst": 50, "flood_rate": 50},
        "events": {"timezone": "America/Toronto", "import_allow_private": "yes"},
    })


def organisers(client, ircd, *names):
    """Clients made organisers by the owner."""
    owner = client(ORGS["owner"], ircd)
    made = []
    for name in names:
        c = client(unique_nick(name), ircd)
        got = ask(owner, "organizer add %s!*@*" % c.nick)
        assert any(c.nick in l for l in got), got
        made.append(c)
    return made


class Log:
    """Every line the bot sent one person, kept for english_left()."""

    def __init__(self, client):
        self.client, self.lines = client, []

    def ask(self, text):
        got = ask(self.client, text)
        self.lines += got
        return got

    def one(self, text, regex):
        got = self.ask(text)
        assert len(got) == 1 and re.search(regex, got[0]), (text, got)
        return got[0]


def told(client, regex, timeout=None):
    """The bot's private notice to client matching regex."""
    rx = re.compile(regex)
    return client.wait_for(lambda l: from_bot(l, client.nick) and rx.search(l.text),
                           timeout=timeout or t(10)).text


def said_in(client, channel, regex, timeout=None):
    rx = re.compile(regex)
    return client.wait_for(lambda l: l.command in ("PRIVMSG", "NOTICE")
                           and harness.irc_lower(l.nick) == "convene"
                           and l.target == channel and rx.search(l.text),
                           timeout=timeout or t(10)).text


def set_text(bot, event_id, lang, field, text):
    """A second version of a text, written as `event set N title.fr` would."""
    con = sqlite3.connect(bot.config["store"]["path"], timeout=10)
    try:
        with con:
            con.execute("INSERT OR REPLACE INTO event_texts (event_id, lang, field, text)"
                        " VALUES (?, ?, ?, ?)", (event_id, lang, field, text))
    finally:
        con.close()


# ---------------------------------------------------------------- organisers

@pytest.mark.deadline(180)
def test_french_organiser_while_another_reads_english(bot, client, ircd):
    fr_org, en_org = organisers(client, ircd, "orgfr", "orgen")
    reg_fr = client(unique_nick("inscrit"), ircd, channels=["#events"])
    reg_en = client(unique_nick("regen"), ircd, channels=["#events"])
    watch_en = client(unique_nick("watchen"), ircd, channels=["#events"])
    watch_fr = client(unique_nick("watchfr"), ircd, channels=["#evenements"])
    harness.wait_in_channel(watch_fr, "#evenements", "convene")
    fr = Log(fr_org)
    assert fr.ask("lang fr") == ["Désormais, je vous réponds en français."]
    assert ask(reg_fr, "lang fr") == ["Désormais, je vous réponds en français."]

    # Both organisers at once: each answer in its reader's language.
    fr_org.privmsg("convene", "event add %s 18:00 America/Toronto 90m Soirée d'accueil" % day(10))
    en_org.privmsg("convene", "event add %s 18:00 America/Toronto 90m Welcome evening" % day(10))
    got_fr, got_en = answers(fr_org), answers(en_org)
    fr.lines += got_fr
    assert len(got_fr) == 1 and len(got_en) == 1, (got_fr, got_en)
    m = re.match(r"^Événement nº (\d+) créé, Soirée d'accueil" + NB + ": " + FR_DATE + ", 18" + NB + "h" + NB + "00 à 19" + NB + "h" + NB + "30 "
                 r"\(heure de Toronto\), dans \d+ jours\. Ajoutez les détails avec "
                 + q(r"event set \1 CHAMP VALEUR") + r" \(description, location, url, join, "
                 r"capacity, channel\)\.$", got_fr[0])
    assert m, got_fr
    n = int(m.group(1))
    assert re.match(r"^Created #\d+ Welcome evening: \S+ \d+ \S+ \d{4} 18:00-19:30 "
                    r"America/Toronto, in \d+ days\. Add details with: event set \d+ FIELD "
                    r"VALUE \(description, location, url, join, capacity, channel\)\.$",
                    got_en[0]), got_en
    m_en = int(re.search(r"#(\d+)", got_en[0]).group(1))

    # Mistakes, explained in French, usage included.
    fr.one("event add %s 18:00 nowhere/city Titre" % day(3),
           "^Fuseau horaire inconnu " + q("nowhere/city") + NB + ": utilisez un nom IANA.*"
           " Syntaxe" + NB + ": event add AAAA-MM-JJ HH:MM")
    fr.one("event add 2026-13-40 18:00 Titre", "^Date invalide " + q("2026-13-40") + NB + ":")
    fr.one("event add %s 25:00 Titre" % day(3), "^Heure invalide " + q("25:00") + NB + ":")
    fr.one("event add %s 18:00" % day(-2) + " Titre",
           "^Ce moment est déjà passé\\. Nous sommes le .* \\(heure de Toronto\\)\\. Syntaxe")
    fr.one("event add %s 18:00 9d Titre" % day(3), "^La durée doit être comprise entre")
    # Toronto's clocks jump forward on 14 March 2027 and go back on 7 November 2027.
    fr.one("event add 2027-03-14 02:30 America/Toronto Titre",
           "^Le 2027-03-14 à 02:30 n’existe pas dans le fuseau America/Toronto \\(on avance "
           "l’heure\\)" + NB + ": donnez un décalage explicite, par exemple -05:00 ou -04:00\\.$")
    fr.one("event add 2027-11-07 01:30 America/Toronto Titre",
           "^Le 2027-11-07 à 01:30 arrive deux fois dans le fuseau America/Toronto \\(on recule "
           "l’heure\\)" + NB + ": donnez un décalage explicite, par exemple -04:00 ou -05:00\\.$")
    fr.one("event add %s 18:00 2h" % day(3), "^Il manque le titre\\. Syntaxe")
    fr.one("event set %d colour red" % n, "^Champ inconnu " + q("colour") + r"\. Syntaxe" + NB
           + ": event set N CHAMP VALEUR")
    fr.one("event set %d url ftp://x" % n, "^L’adresse \\(url\\) doit être")
    fr.one("event set %d join nolink" % n, "^Le lien pour se joindre \\(join\\) doit être")
    fr.one("event set %d channel nochan" % n, "^Le canal doit être un nom de canal")
    fr.one("event set %d capacity many" % n, "^La capacité doit être un nombre de places")
    fr.one("event set %d start %s" % (n, day(3)), "^Donnez la date et l’heure")
    fr.one("event set %d start %s 18:00 Mars/Base" % (n, day(3)), "^Fuseau horaire inconnu")
    fr.one("event set %d duration 0m" % n, "^La durée doit être comprise entre")
    fr.one("event set %d location %s" % (n, "x" * 201), "^Le champ " + q("location")
           + " est trop long \\(200 caractères au plus\\)\\.$")

    # Registrants, one reading French and one English.
    for reg in (reg_fr, reg_en):
        assert any("#%d" % n in l for l in ask(reg, "rsvp %d" % n))
        assert any("#%d" % m_en in l for l in ask(reg, "rsvp %d" % m_en))

    # Changes: the organiser's answer in French, each registrant told in theirs.
    fr.one("event set %d location Salle 2" % n, "^#%d Soirée d'accueil" % n + NB + ": "
           + q("location") + " modifié; 2 personnes confirmées prévenues\\.$")
    told(reg_fr, "^#%d Soirée d'accueil a changé" % n + NB + ": l’événement a désormais lieu "
         "à Salle 2\\.$")
    told(reg_en, "^#%d Soirée d'accueil has changed: it now takes place at Salle 2\\.$" % n)
    fr.one("event set %d start %s 19:00" % (n, day(11)), "modifié; 2 personnes confirmées")
    told(reg_fr, "^#%d Soirée d'accueil a été déplacé\\. Nouvel horaire" % n + NB + ": .*"
         "19" + NB + "h" + NB + "00 à 20" + NB + "h" + NB + "30 \\(heure de Toronto\\), "
         "dans \\d+ jours\\.$")
    told(reg_en, "^#%d Soirée d'accueil has moved: it now takes place .*19:00-20:30 "
         "America/Toronto, in \\d+ days\\.$" % n)
    fr.one("event set %d duration 2h" % n, "modifié; 2 personnes confirmées")
    told(reg_fr, "a une nouvelle durée\\. Nouvel horaire" + NB + ": .*21" + NB + "h" + NB + "00")
    told(reg_en, "has a new length: it now takes place .*19:00-21:00")
    fr.one("event set %d capacity 10" % n, "^#%d Soirée d'accueil" % n + NB + ": "
           + q("capacity") + r" modifié\.$")
    fr.one("event set %d join https://meet.example.org/salle" % n, "prévenues")
    told(reg_fr, "a un nouveau lien pour se joindre" + NB + ": https://meet.example.org/salle$")
    told(reg_en, "has a new join link: https://meet.example.org/salle$")
    # The English organiser at the same time.
    assert re.match(r"^#%d Welcome evening: location set; 2 confirmed people told\.$" % m_en,
                    ask(en_org, "event set %d location Room 2" % m_en)[0])

    got = fr.ask("attendees %d" % n)
    assert got[0] == "#%d" % n + NB + ": 2 confirmés, 0 peut-être, 0 en liste d’attente", got
    assert re.match("^confirmés" + NB + ": ", got[1]) and reg_fr.nick in got[1], got

    # Announced in #events (English: its language) and then in #evenements (French).
    fr.one("event announce %d" % n, r"^Événement nº %d annoncé dans #events\.$" % n)
    said_in(watch_en, "#events", r"^#%d Soirée d'accueil: \S+ \d+ \S+ \d{4} 19:00-21:00 "
            r"America/Toronto, in \d+ days; 8 places left\. Details: !event %d\. "
            r"Register: !rsvp %d$" % (n, n, n))
    fr.one("event set %d channel #evenements" % n, r"modifié\.$")
    fr.one("event announce %d" % n, r"^Événement nº %d annoncé dans #evenements\.$" % n)
    said_in(watch_fr, "#evenements", ("^#%d Soirée d'accueil" + NB + ": " + FR_DATE + ", 19"
                                      + NB + "h" + NB + "00 à 21" + NB + "h" + NB + "00 "
                                      "\\(heure de Toronto\\), dans \\d+ jours; 8 places "
                                      "libres\\. Détails" + NB + ": !event %d\\. Inscription"
                                      + NB + ": !rsvp %d$") % (n, n, n))

    # Cancelled: each registrant told in their language, the organiser answered in French.
    fr.one("event cancel %d la salle est fermée" % n, "^Événement nº %d annulé, Soirée "
           "d'accueil; 2 personnes inscrites prévenues\\.$" % n)
    told(reg_fr, "^#%d Soirée d'accueil est annulé" % n + NB + ": la salle est fermée$")
    told(reg_en, "^#%d Soirée d'accueil is cancelled: la salle est fermée$" % n)
    fr.one("event announce %d" % m_en, "^Événement nº %d annoncé dans #events\\.$" % m_en)
    assert re.match(r"^Cancelled #%d Welcome evening; 2 registered people told\.$" % m_en,
                    ask(en_org, "event cancel %d" % m_en)[0])
    told(reg_fr, "^#%d Welcome evening est annulé\\.$" % m_en)

    assert english_left(fr.lines) == [], fr.lines


@pytest.mark.deadline(120)
def test_announcements_in_each_channels_language_with_its_title(bot, client, ircd):
    (org,) = organisers(client, ircd, "organn")
    watch_en = client(unique_nick("watchen"), ircd, channels=["#events"])
    watch_fr = client(unique_nick("watchfr"), ircd, channels=["#evenements"])
    harness.wait_in_channel(watch_fr, "#evenements", "convene")

    got = ask(org, "event add %s 12:00 Europe/Paris 45m Privacy clinic" % day(5))
    n = int(re.search(r"Created #(\d+)", got[0]).group(1))
    got = ask(org, "event add %s 12:00 Europe/Paris 45m Untranslated talk" % day(6))
    u = int(re.search(r"Created #(\d+)", got[0]).group(1))
    set_text(bot, n, "fr", "title", "Clinique de confidentialité")

    assert ask(org, "event announce %d" % n) == ["Announced #%d in #events." % n]
    said_in(watch_en, "#events", r"^#%d Privacy clinic: \S+ \d+ \S+ \d{4} 12:00-12:45 "
            r"Europe/Paris, in \d+ days; no limit\. Details: !event %d\. Register: !rsvp %d$"
            % (n, n, n))
    for e in (n, u):
        ask(org, "event set %d channel #evenements" % e)
        assert ask(org, "event announce %d" % e) == ["Announced #%d in #evenements." % e]
    # The French title where there is one, the original otherwise.
    said_in(watch_fr, "#evenements", ("^#%d Clinique de confidentialité" + NB + ": " + FR_DATE
                                      + ", 12" + NB + "h" + NB + "00 à 12" + NB + "h" + NB
                                      + "45 \\(heure de Paris\\), dans \\d+ jours; sans "
                                      "limite\\. Détails" + NB + ": !event %d\\. Inscription"
                                      + NB + ": !rsvp %d$") % (n, n, n))
    said_in(watch_fr, "#evenements", "^#%d Untranslated talk" % u + NB + ": .*dans \\d+ jours; "
            "sans limite\\.")
    watch_en.expect_none(lambda l: l.target == "#events" and "#%d" % u in l.text, 0.5)


# ---------------------------------------------------------------- import

def _calendar():
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=9)
    stamp = start.strftime("%Y%m%dT%H0000Z")
    return ("\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//FR//EN",
        "BEGIN:VEVENT", "UID:fr-a@test", "DTSTAMP:20260101T000000Z", "DTSTART:" + stamp,
        "SUMMARY:Atelier " + "x" * 600, "END:VEVENT",
        "BEGIN:VEVENT", "UID:fr-b@test", "DTSTAMP:20260101T000000Z", "DTSTART:" + stamp,
        "SUMMARY:Causerie", "END:VEVENT",
        "BEGIN:VEVENT", "UID:fr-r@test", "DTSTAMP:20260101T000000Z", "DTSTART:" + stamp,
        # An override of an occurrence alone (a series is imported whole):
        # skipped as recurring.
        "RECURRENCE-ID:" + stamp, "SUMMARY:Chaque semaine", "END:VEVENT",
        "END:VCALENDAR"]) + "\r\n").encode()


def _refused():
    """Events the bot refuses, each for a reason of its own, and one it takes."""
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=12)
    stamp = start.strftime("%Y%m%dT%H0000Z")

    def ev(uid, summary, *props):
        return (["BEGIN:VEVENT"] + (["UID:" + uid] if uid else [])
                + ["DTSTAMP:20260101T000000Z"] + list(props)
                + ["SUMMARY:" + summary, "END:VEVENT"])

    return ("\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//FR//EN"]
        + ev(None, "Sans identifiant", "DTSTART:" + stamp)
        + ev("fr-bad@test", "Mauvaise date", "DTSTART:demain")
        + ev("fr-far@test", "Trop loin", "DTSTART:22500105T170000Z")
        + ev("fr-year@test", "Chaque année", "DTSTART:" + stamp, "RRULE:FREQ=YEARLY")
        + ev("fr-zone@test", "Ailleurs", "DTSTART;TZID=Nulle/Part:" + stamp[:-1])
        + ev("fr-ok@test", "Causerie valable", "DTSTART:" + stamp)
        + ["END:VCALENDAR"]) + "\r\n").encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        body, status = {"/fr.ics": (_calendar(), 200),
                        "/refus.ics": (_refused(), 200)}.get(self.path, (b"", 404))
        self.send_response(status)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def calendars():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % srv.server_address[1]
    srv.shutdown()
    srv.server_close()


@pytest.mark.deadline(120)
def test_event_import_answers_in_french(bot, client, ircd, calendars):
    (org,) = organisers(client, ircd, "orgimp")
    fr = Log(org)
    assert fr.ask("lang fr") == ["Désormais, je vous réponds en français."]
    fr.one("event import ftp://example.org/x.ics",
           "^Donnez un seul lien http:// ou https:// vers un fichier \\.ics\\. Syntaxe" + NB
           + ": event import URL$")

    # The answer comes when the download ends: no sentinel.
    org.privmsg("convene", "event import %s/fr.ics" % calendars)
    line = told(org, "importés")
    fr.lines.append(line)
    assert re.match(r"^2 événements importés \(#\d+-#\d+\); ignorés" + NB + ": 0 déjà "
                    r"importés, 1 récurrents, 0 d’une journée entière, 0 trop longs, 0 passés, "
                    r"0 annulés, 0 invalides\. Raccourcis pour tenir" + NB + r": #\d+ "
                    r"\(titre\)\.$", line), line
    org.privmsg("convene", "event import %s/missing.ics" % calendars)
    line = told(org, "^Échec")
    fr.lines.append(line)
    assert line == "Échec de l’importation" + NB + ": le serveur a répondu HTTP 404.", line
    org.privmsg("convene", "event import %s/fr.ics" % calendars)
    line = told(org, "importé")
    fr.lines.append(line)
    assert line.startswith("0 événement importé; ignorés" + NB + ": 2 déjà importés"), line

    assert english_left(fr.lines) == [], fr.lines


def closed_port():
    """A local port nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# Words of the sentences libcurl and libical write, which never reach a French reader.
LIBRARY_ENGLISH = re.compile(r"\b(Could|Couldn't|Can't|resolve|connect|server|host|parse|"
                             r"value|property|Failed|Timeout|the|is|not|no)\b")


@pytest.mark.deadline(120)
def test_refusals_and_download_errors_in_french(bot, client, ircd, calendars):
    """Issue 15: why each event was refused, and why a download failed, in
    French: the reasons of the parsers, the host's fetch errors, and the
    host's text cleaning."""
    (org,) = organisers(client, ircd, "orgref")
    fr = Log(org)
    assert fr.ask("lang fr") == ["Désormais, je vous réponds en français."]

    org.privmsg("convene", "event import %s/refus.ics" % calendars)
    # One notice, which the bot sends as several lines cut at a space.
    line = told(org, "importé")
    line = " ".join([line] + answers(org))
    fr.lines.append(line)
    q_ = lambda s: "«" + NB + s + NB + "»"
    assert re.match(
        r"^1 événement importé \(#\d+\); ignorés" + NB + ": 0 déjà importés, 0 récurrents, "
        r"0 d’une journée entière, 0 trop longs, 0 passés, 0 annulés, 5 invalides\. "
        r"Invalides" + NB + ": ", line), line
    reasons = line[line.index("Invalides" + NB + ": ") + len("Invalides" + NB + ": "):]
    assert reasons.split("; ") == [
        "événement 1 (" + q_("Sans identifiant") + ")" + NB + ": il n’a pas d’UID",
        "événement 2 (" + q_("Mauvaise date") + ")" + NB + ": sa propriété DTSTART ne peut "
        "pas être lue comme une valeur DATE-TIME",
        "événement 3 (" + q_("Trop loin") + ")" + NB + ": son début n’est pas une vraie date "
        "entre 1970 et 2199",
        "événement 4 (" + q_("Chaque année") + ")" + NB + ": il se répète avec FREQ=YEARLY, ce "
        "que les séries de Convene ne peuvent pas exprimer (chaque jour, chaque semaine, tous "
        "les N jours, semaines ou mois, chaque mois le même jour de la semaine ou le même jour "
        "du mois, jusqu’à une date ou un nombre de fois)",
        "événement 5 (" + q_("Ailleurs") + ")" + NB + ": son début est dans le fuseau horaire "
        "inconnu " + q_("Nulle/Part") + " (le fichier n’a pas de VTIMEZONE pour lui)."], line

    failed = []
    for url, why in (
            ("%s/absent.ics" % calendars, "le serveur a répondu HTTP 404"),
            ("http://127.0.0.1:%d/x.ics" % closed_port(), "le serveur est injoignable"),
            ("http://calendrier.invalid/x.ics", "le nom du serveur est introuvable")):
        org.privmsg("convene", "event import " + url)
        line = told(org, "^Échec", timeout=t(30))
        fr.lines.append(line)
        failed.append(line)
        assert line == "Échec de l’importation" + NB + ": " + why + ".", (url, line)

    # The host's own detail of a line it cannot read, in French too.
    assert fr.ask(b"rsvp \xc3\x28") == [
        "Désolé, le texte n’est pas de l’UTF-8 valide" + NB + ": vérifiez l’encodage des "
        "caractères de votre logiciel."]

    assert english_left(fr.lines) == [], fr.lines
    assert [l for l in failed if LIBRARY_ENGLISH.search(l)] == [], failed


@pytest.mark.deadline(60)
def test_series_rule_mistakes_in_french(bot, client, ircd):
    """Issue 15: `event set N repeat RULE` explains a rule it cannot read in
    the organiser's language; the rule's words stay the same."""
    (org,) = organisers(client, ircd, "orgrule")
    fr = Log(org)
    assert fr.ask("lang fr") == ["Désormais, je vous réponds en français."]
    got = fr.ask("event add %s 18:00 America/Toronto 60m Atelier mensuel" % day(10))
    n = int(re.search(r"nº (\d+)", got[0]).group(1))
    rule = ("RÈGLE" + NB + ": daily, weekly, monthly, monthly on day D ou every N "
            "days|weeks|months, suivie au besoin de until AAAA-MM-JJ ou de times K; ou none.")
    assert fr.ask("event set %d repeat fortnightly" % n) == [
        "Je ne connais pas la règle " + q("fortnightly") + ". " + rule]
    assert fr.ask("event set %d repeat weekly until demain" % n) == [
        q("until") + " demande une date AAAA-MM-JJ, pas " + q("demain") + "."]
    assert fr.ask("event set %d repeat every 0 weeks" % n) == [
        q("every N") + " prend un N de 1 à 99."]
    other = int(day(10)[-2:]) % 28 + 1
    assert fr.ask("event set %d repeat monthly on day %d" % (n, other)) == [
        "La première occurrence tombe le %d de son mois; pour " % int(day(10)[-2:])
        + q("monthly on day %d" % other) + ", déplacez-la d’abord à un jour %d." % other]
    assert english_left(fr.lines) == [], fr.lines
