"""The events plugin in the reader's language (issue 15): a person who says
`lang fr` goes through the webinar flow (events, event, rsvp, waitlist,
promotion, reminder, mine, forget) in French while another, at the same
time, does it in English; a bilingual event shows each person their
version; a channel named French in [bot] channel_languages gets its
reminder in French, with the French title.

Every line the bot sends the French person is kept (IrcClient.history) and,
at the end, checked against the English catalogue: no sentence of a message
whose French differs may appear in it (english_pieces below reads
po/fr.po).

The bot's wall clock is moved forward through CONVENE_TIME_OFFSET_FILE, as
in test_reminders.py, to make a reminder due at once."""

import re
from pathlib import Path

import pytest

import harness
from harness import VERSION_ANSWER, IrcClient, ask, from_bot, irc_lower, t
from test_bridge import FORMATS, RELAY_USER, RELAYS
from test_events import BOT, CHANNEL, LINK, Net, nick, none, one
from test_reminders import DAY, Clock, stamp, whole_minute

NB = "\u00a0"
FR_CHANNEL = "#evenements"
PO = Path(__file__).resolve().parents[2] / "po" / "fr.po"

# A printf conversion, as xgettext's c-format knows them.
CONVERSION = re.compile(r"%(?:\d+\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?"
                        r"[diouxXeEfFgGcsp%]")
# English words no French sentence of the bot holds; titles in this file avoid them.
ENGLISH_WORDS = re.compile(r"\b(the|you|your|is|are|and|not|for|with|has|was|were|"
                           r"no longer|place opened|registered|waitlist|Reminder|Join)\b")


def q(word):
    return "«" + NB + word + NB + "»"


def po_entries(path):
    """(msgid, msgid_plural, [msgstr...]) of a .po file, header left out."""
    entries, cur, key = [], None, None

    def unquote(s):
        return (s[1:-1].replace('\\"', '"').replace("\\n", "\n")
                .replace("\\t", "\t").replace("\\\\", "\\"))

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if cur and cur.get("msgid"):
                entries.append((cur["msgid"], cur.get("msgid_plural"),
                                [v for k, v in sorted(cur.items()) if k.startswith("msgstr")]))
            cur, key = None, None
            continue
        if line.startswith("#"):
            continue
        cur = cur if cur is not None else {}
        m = re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
        if m:
            key = m.group(1)
            cur[key] = unquote(m.group(2))
        elif line.startswith('"') and key:
            cur[key] += unquote(line)
    return entries


def english_pieces(path=PO, min_len=12):
    """The literal pieces, between printf conversions and at least min_len
    characters long, of every English message whose French differs and
    that the French does not repeat (a command's syntax, a URL)."""
    pieces = set()
    for msgid, plural, strs in po_entries(path):
        if all(s == msgid for s in strs):
            continue
        for text in (msgid, plural):
            for p in CONVERSION.split(text or ""):
                p = p.strip()
                if len(p) >= min_len and not any(p in s for s in strs):
                    pieces.add(p)
    return pieces


def test_english_pieces_catch_an_untranslated_line():
    """The check itself: an English sentence of the catalogue is found, its
    French is not."""
    pieces = english_pieces()
    assert len(pieces) > 100
    english = "#7 Droits: a place opened, you are confirmed. Join: https://x.example/"
    french = ("#7 Droits" + NB + ": une place s’est libérée, votre inscription est "
              "confirmée. Pour vous connecter" + NB + ": https://x.example/")
    assert [p for p in pieces if p in english]
    assert not [p for p in pieces if p in french]


def bot_lines_to(c, since=0):
    """What the bot sent c (in private, or in a channel c sits in: not here)
    from history index `since` on."""
    return [l.text for l in c.history[since:]
            if l.command in ("NOTICE", "PRIVMSG") and irc_lower(l.nick) == BOT
            and irc_lower(l.target) == irc_lower(c.nick)]


def assert_french(lines):
    """No English sentence of the catalogue, nor an English word, in lines."""
    pieces = english_pieces()
    bad = [(p, l) for l in lines for p in pieces if p in l]
    assert not bad, "English in the French answers:\n" + "\n".join(
        "  %r in %r" % b for b in bad)
    bad = [l for l in lines if ENGLISH_WORDS.search(l) and not VERSION_ANSWER.search(l)]
    assert not bad, "English words in the French answers:\n  " + "\n  ".join(bad)


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("french")
    clock = Clock(tmp / "offset")
    n = Net(tmp, overrides={"irc": {"channels": CHANNEL + "," + FR_CHANNEL},
                            "bot": {"channel_languages": FR_CHANNEL + " fr"},
                            "bridge": {"relays": RELAYS, "formats": FORMATS}},
            env={"CONVENE_TIME_OFFSET_FILE": str(clock.path)})
    n.clock = clock
    yield from harness.lent(n)


def add_event(net, start, title, capacity=None, channel=None):
    lines = ask(net.org, "event add %s 1h %s" % (stamp(start), title))
    eid = int(re.search(r"Created #(\d+)", one(lines, r"Created #\d+")).group(1))
    one(ask(net.org, "event set %d join %s/%d" % (eid, LINK, eid)), r"join set")
    if capacity is not None:
        one(ask(net.org, "event set %d capacity %d" % (eid, capacity)), r"capacity set")
    if channel is not None:
        one(ask(net.org, "event set %d channel %s" % (eid, channel)), r"channel set")
    return eid


def private(c, regex, timeout=None):
    return c.wait_for(lambda l: from_bot(l, c.nick), text=regex, timeout=timeout or t(15)).text


@pytest.mark.deadline(180)
def test_webinar_in_french_and_english_at_once(net):
    fr, en, early = net.client(nick("amelie")), net.client(nick("bob")), net.client(nick("cy"))
    since = len(fr.history)
    assert ask(fr, "lang fr") == ["Désormais, je vous réponds en français."]
    start = whole_minute(net.clock.now() + 3 * DAY)
    eid = add_event(net, start, "Droits 2026", capacity=1)

    # help: the plugin's table, translated at display.
    assert ask(fr, "help rsvp") == [
        # The host's help line keeps "COMMAND USAGE: " in both languages.
        "!rsvp N [yes|maybe|no]: vous inscrit à un événement, ou vous en désinscrit"]
    assert ask(en, "help rsvp") == ["!rsvp N [yes|maybe|no]: register for an event, or withdraw"]

    # events and event N, each in its reader's language; dates too.
    line = one(ask(fr, "events"), r"^#%d " % eid)
    assert re.match(r"^#%d Droits 2026%s: \w{3}\. \d+(er)? \w+\.? \d{4}, \d+%sh%s\d\d \(UTC\), "
                    r"dans \d+ jours; 1 place libre$" % (eid, NB, NB, NB), line), line
    line = one(ask(en, "events"), r"^#%d " % eid)
    assert re.search(r", in \d+ days; 1 place left$", line), line
    got = ask(fr, "event %d" % eid)
    assert got[0] == "#%d Droits 2026" % eid
    assert got[1].startswith("Quand" + NB + ": ")
    one(got, "^Places" + NB + ": 1 place libre, 0 confirmées. Vous" + NB
        + r": non inscrit \(rsvp %d\)\.$" % eid)
    none(got, LINK)
    one(ask(en, "event %d" % eid), r"^Places: 1 place left, 0 confirmed\. You: not registered")

    # tz: the zone named as `tz` takes it, and in French.
    assert ask(fr, "tz America/Toronto") == [
        "Votre fuseau horaire d’affichage est désormais America/Toronto (heure de Toronto)."]
    assert "(heure de Toronto)" in ask(fr, "event %d" % eid)[1]

    # rsvp: a place for early, the waitlist for both others.
    one(ask(early, "rsvp %d" % eid), r"confirmed\. Join: ")
    assert ask(fr, "rsvp %d" % eid) == [
        "#%d Droits 2026" % eid + NB + ": complet, vous êtes sur la liste d’attente, au rang 1. "
        "Je vous préviendrai si une place se libère."]
    one(ask(en, "rsvp %d" % eid), r"full, you are on the waitlist, position 2\.")
    got = ask(fr, "mine")
    one(got, r"^#%d Droits 2026%s: .*; liste d’attente, rang 1$" % (eid, NB))
    assert got[-1] == ("Votre langue" + NB + ": fr (dites %s ou %s pour la changer)."
                       % (q("lang en"), q("lang fr")))
    assert ask(en, "mine")[-1] == "Your language: en (say 'lang en' or 'lang fr' to change it)."

    # Promotions: fr when early withdraws, en when a place is added.
    one(ask(early, "rsvp %d no" % eid), r"withdrawn")
    assert private(fr, "place") == (
        "#%d Droits 2026" % eid + NB + ": une place s’est libérée, votre inscription est "
        "confirmée. Pour vous connecter" + NB + ": %s/%d" % (LINK, eid))
    one(ask(net.org, "event set %d capacity 2" % eid), r"capacity set")
    assert private(en, "place") == ("#%d Droits 2026: a place opened, you are confirmed. "
                                    "Join: %s/%d" % (eid, LINK, eid))

    # More answers, checked only by assert_french at the end: every
    # sentence of them must be French.
    for line in ("event %d" % eid, "tz", "remind off", "mine", "remind on", "remind maybe",
                 "rsvp abc", "rsvp %d perhaps" % eid, "event 99999", "event x", "tz Mars/Base"):
        assert ask(fr, line), line

    # The reminder: each in their language, the channel's in English.
    net.clock.set(start - DAY + 5)
    text = private(fr, r"^Rappel")
    assert text.startswith("Rappel" + NB + ": #%d Droits 2026" % eid + NB + ": "), text
    assert "dans 23" + NB + "heures" in text or "dans 23 heures" in text, text
    assert text.endswith("Pour vous connecter" + NB + ": %s/%d" % (LINK, eid)), text
    text = private(en, r"^Reminder")
    assert "in 23 hours" in text and text.endswith("Join: %s/%d" % (LINK, eid)), text
    net.observer.wait_for(command="PRIVMSG", nick=BOT, target=CHANNEL,
                          text=r"^Reminder: #%d Droits 2026: .*Details: !event %d$" % (eid, eid),
                          timeout=t(15))

    # forget, then forget confirm: the last French answers.
    assert ask(fr, "forget") == [
        "Convene conserve" + NB + ": 1 inscription, vos réglages (fuseau horaire d’affichage, "
        "rappels), ainsi que tout lien de calendrier personnel. Ceci efface tout, "
        "définitivement" + NB + ": dites %s pour l’effacer." % q("forget confirm")]
    fr.privmsg(BOT, "forget confirm")
    private(fr, "^Effacé" + NB + ": Convene ne conserve plus rien à votre sujet\\.$")
    lines = bot_lines_to(fr, since)
    assert len(lines) > 20
    assert_french(lines)


@pytest.mark.deadline(120)
def test_bilingual_event_each_reads_their_version(net):
    fr, en = net.client(nick("beatrice")), net.client(nick("dan"))
    since = len(fr.history)
    assert ask(fr, "lang fr") == ["Désormais, je vous réponds en français."]
    eid = add_event(net, whole_minute(net.clock.now() + 5 * DAY), "Rights Forum")
    assert ask(net.org, "event set %d title.fr Forum des droits" % eid) == [
        "#%d Rights Forum: title.fr set." % eid]
    one(ask(net.org, "event set %d description Talks" % eid), r"description set")
    one(ask(net.org, "event set %d description.fr Exposés" % eid), r"description\.fr set")
    one(ask(net.org, "event set %d location.fr Salle A" % eid), r"location\.fr set")
    # The same limits as the field itself; "-" removes a version.
    assert ask(net.org, "event set %d title.fr %s" % (eid, "x" * 201)) == [
        "The title.fr is too long (max 200 characters)."]
    one(ask(net.org, "event set %d location.fr -" % eid), r"location\.fr set")

    one(ask(fr, "events"), r"^#%d Forum des droits%s: " % (eid, NB))
    one(ask(en, "events"), r"^#%d Rights Forum: " % eid)
    got = ask(fr, "event %d" % eid)
    assert got[0] == "#%d Forum des droits" % eid
    assert "Description" + NB + ": Exposés" in got
    none(got, "Rights Forum|Talks|Salle A|Titre")
    got = ask(en, "event %d" % eid)
    assert got[0] == "#%d Rights Forum" % eid and "About: Talks" in got
    none(got, "Forum des droits|Exposés|Title")
    # The organiser sees both.
    got = ask(net.org, "event %d" % eid)
    assert got[0] == "#%d Rights Forum" % eid
    assert "Title (fr): Forum des droits" in got and "About (fr): Exposés" in got
    none(got, "Salle A")

    one(ask(fr, "rsvp %d" % eid), "^#%d Forum des droits" % eid + NB + ": inscription confirmée")
    one(ask(fr, "mine"), r"^#%d Forum des droits%s: " % (eid, NB))
    assert_french(bot_lines_to(fr, since))


@pytest.mark.deadline(120)
def test_reminder_in_a_french_channel_reads_the_french_title(net):
    watcher = net.client(nick("watchfr"), channels=(FR_CHANNEL,))
    harness.wait_in_channel(watcher, FR_CHANNEL, BOT, t(15))
    start = whole_minute(net.clock.now() + 2 * DAY)
    eid = add_event(net, start, "Rights Evening", channel=FR_CHANNEL)
    one(ask(net.org, "event set %d title.fr Soirée des droits" % eid), r"title\.fr set")
    net.clock.set(start - DAY + 5)
    line = watcher.wait_for(command="PRIVMSG", nick=BOT, target=FR_CHANNEL,
                            text=r"^Rappel", timeout=t(15)).text
    assert line.startswith("Rappel" + NB + ": #%d Soirée des droits" % eid + NB + ": "), line
    assert line.endswith("Détails" + NB + ": !event %d" % eid), line
    assert_french([line])


@pytest.mark.deadline(120)
def test_kept_notice_is_written_in_its_readers_language(net):
    """A promotion kept for someone away is in their language when handed over."""
    away, en = net.client(nick("chloe"), channels=()), net.client(nick("eve"))
    since = len(away.history)
    assert ask(away, "lang fr") == ["Désormais, je vous réponds en français."]
    eid = add_event(net, whole_minute(net.clock.now() + 4 * DAY), "Atelier 12", capacity=1)
    one(ask(en, "rsvp %d" % eid), r"confirmed")
    one(ask(away, "rsvp %d" % eid), r"liste d’attente, au rang 1")
    one(ask(en, "rsvp %d no" % eid), r"withdrawn")
    got = ask(away, "mine")
    assert got[:2] == [
        "1 message gardé pour vous pendant votre absence" + NB + ":",
        "#%d Atelier 12" % eid + NB + ": une place s’est libérée, votre inscription est "
        "confirmée. Pour vous connecter" + NB + ": %s/%d" % (LINK, eid)], got
    assert_french(bot_lines_to(away, since))


@pytest.mark.deadline(120)
def test_relayed_person_reads_their_language_else_the_channels(net):
    """Someone behind a relay is answered in the channel: in the language
    they chose, else in the channel's (French here)."""
    relay = IrcClient(net.ircd.port, nick("relay"), user=RELAY_USER)
    net.clients.append(relay)
    relay.join(FR_CHANNEL)
    harness.wait_in_channel(relay, FR_CHANNEL, BOT, t(15))
    eid = add_event(net, whole_minute(net.clock.now() + 6 * DAY), "Forum 2027", capacity=1)

    def said(regex):
        return relay.wait_for(command="PRIVMSG", nick=BOT, target=FR_CHANNEL, text=regex,
                              timeout=t(15)).text

    relay.privmsg(FR_CHANNEL, "[discord] <zoe> !events")
    said(r"^zoe: #%d Forum 2027%s: .*, dans \d+ jours; 1 place libre$" % (eid, NB))
    relay.privmsg(FR_CHANNEL, "[discord] <zoe> !rsvp %d" % eid)
    line = said(r"^zoe: #%d " % eid)
    assert line == ("zoe: #%d Forum 2027" % eid + NB + ": inscription confirmée. Le lien de "
                    "connexion n’est donné qu’en privé" + NB + ": demandez-le aux organisateurs "
                    "de l’événement, ou inscrivez-vous depuis IRC."), line
    relay.privmsg(FR_CHANNEL, "[matrix] <yan> !lang en")
    said(r"^yan: From now on I answer you in English\.$")
    relay.privmsg(FR_CHANNEL, "[matrix] <yan> !rsvp %d" % eid)
    said(r"^yan: #%d Forum 2027: full, you are on the waitlist, position 1\." % eid)
    relay.privmsg(FR_CHANNEL, "[discord] <zoe> !rsvp %d no" % eid)
    said(r"^zoe: #%d Forum 2027%s: désinscription faite" % (eid, NB))
    # yan's promotion, said in the channel, in yan's language, without the link.
    line = said(r"^yan: #%d .*place opened" % eid)
    assert LINK not in line and "The join link is given in private only" in line, line
