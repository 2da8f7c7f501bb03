"""Languages (issue 15, first part): `lang`, the host's own sentences in
French, [bot] language and [bot] channel_languages.

Each person's language is their own: one who says `lang fr` gets the host's
answers in French while another, at the same moment, gets them in English;
a channel named in channel_languages gets `version` in its language. The
catalogue is the build's (build/locale next to the binary): no French
locale is generated on the machine running this.
"""

import re
import sqlite3
import subprocess

import pytest

import harness
from conftest import unique_nick
from harness import answers, ask, t

NB = "\u00a0"	# French puts a no-break space before ':' and inside « »


def q(word):
    return "«" + NB + word + NB + "»"


@pytest.fixture
def bot(start_bot, ircd, observer):
    return start_bot(ircd, observer, channels="#events,#evenements", overrides={
        "bot": {"channel_languages": "#evenements fr, #events en",
                "command_burst": 30, "command_rate": 10},
    })


def stored_language(bot, person_id):
    con = sqlite3.connect("file:%s?mode=ro" % bot.config["store"]["path"], uri=True)
    try:
        row = con.execute("SELECT lang FROM person_languages WHERE person = ?",
                          (person_id,)).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def test_lang_then_help_in_french_while_another_gets_english(bot, client, ircd):
    alice = client(unique_nick("alice"), ircd)
    bob = client(unique_nick("bob"), ircd)

    assert ask(alice, "lang") == [
        "Your language is en. Say 'lang en' or 'lang fr' to change it."]
    # The answer to `lang fr` is already in French.
    assert ask(alice, "lang fr") == ["Désormais, je vous réponds en français."]
    assert stored_language(bot, "n:" + harness.irc_lower(alice.nick)) == "fr"

    # Both at once: each answer in its reader's language.
    alice.privmsg(bot.nick, "help")
    bob.privmsg(bot.nick, "help")
    fr = alice.wait_for(command="NOTICE", nick=bot.nick, target=alice.nick, timeout=t(10))
    en = bob.wait_for(command="NOTICE", nick=bot.nick, target=bob.nick, timeout=t(10))
    assert re.match("^Commandes" + NB + r": .*\blang\b.*\. Dites " + q("help COMMANDE")
                    + " pour les détails\\.$", fr.text), fr.text
    assert re.match(r"^Commands: .*\blang\b.*\. Say 'help COMMAND' for details\.$",
                    en.text), en.text

    # A command's help is translated at display, the usage stays the same words.
    assert ask(alice, "help version") == ["!version: affiche la version du robot"]
    assert ask(bob, "help version") == ["!version: show the bot's version"]
    assert ask(alice, "help lang") == [
        "!lang [en|fr]: affiche ou choisit la langue dans laquelle je vous réponds"]
    assert ask(alice, "nosuch") == [
        "Commande inconnue %s. Dites %s pour la liste." % (q("nosuch"), q("help"))]
    assert ask(bob, "nosuch") == ["Unknown command 'nosuch'. Say 'help' for the list."]
    assert ask(alice, "version extra") == ["Syntaxe" + NB + ": !version"]
    assert ask(alice, "organizer add x!*@*") == [
        "Désolé, la commande %s est réservée aux propriétaires du robot." % q("organizer add")]
    assert ask(alice, "lang de") == [
        "Il n’y a pas de langue %s%s: dites %s ou %s." % (q("de"), NB, q("lang en"), q("lang fr"))]
    assert ask(alice, "lang") == [
        "Votre langue est fr. Dites %s ou %s pour la changer." % (q("lang en"), q("lang fr"))]

    # Back to English, in English; the choice is kept for good.
    assert ask(alice, "lang EN") == ["From now on I answer you in English."]
    assert stored_language(bot, "n:" + harness.irc_lower(alice.nick)) == "en"
    assert ask(alice, "nosuch") == ["Unknown command 'nosuch'. Say 'help' for the list."]


def test_version_in_a_channel_follows_the_channel(bot, client, ircd):
    # A person who chose English still sees the French channel's line in French.
    carol = client(unique_nick("carol"), ircd, channels=["#evenements", "#events"])
    harness.wait_in_channel(carol, "#evenements", bot.nick)
    assert ask(carol, "lang en") == ["From now on I answer you in English."]

    carol.privmsg("#evenements", "!version")
    line = carol.wait_for(command="NOTICE", nick=bot.nick, target="#evenements", timeout=t(10))
    assert re.match(r"^Convene \d+\.\d+\.\d+" + NB
                    + ": inscriptions aux événements, dans le clavardage$", line.text), line.text
    carol.privmsg("#events", "!version")
    line = carol.wait_for(command="NOTICE", nick=bot.nick, target="#events", timeout=t(10))
    assert re.match(r"^Convene \d+\.\d+\.\d+: event registration in chat$", line.text), line.text


def test_default_language_and_forget(start_bot, ircd, observer, client):
    bot = start_bot(ircd, observer, overrides={
        "bot": {"language": "fr", "command_burst": 30, "command_rate": 10}})
    dan = client(unique_nick("dan"), ircd)
    pid = "n:" + harness.irc_lower(dan.nick)

    # [bot] language: people who have not chosen read French.
    assert ask(dan, "nosuch") == [
        "Commande inconnue %s. Dites %s pour la liste." % (q("nosuch"), q("help"))]
    assert ask(dan, "lang en") == ["From now on I answer you in English."]
    assert stored_language(bot, pid) == "en"
    # forget erases the choice with the rest (the events plugin publishes
    # person.forget; the host keeps the language and erases it).
    got = ask(dan, "forget confirm")
    assert got and stored_language(bot, pid) is None, got
    assert ask(dan, "nosuch") == [
        "Commande inconnue %s. Dites %s pour la liste." % (q("nosuch"), q("help"))]


def test_check_refuses_unknown_languages_with_line_numbers(tmp_path):
    cfg = harness.default_bot_config(tmp_path, 6667)
    cfg["http"]["port"] = "0"
    cfg["http"]["base_url"] = "http://127.0.0.1"
    cfg["bot"]["language"] = "de"
    cfg["bot"]["channel_languages"] = "#evenements fr, #events klingon"
    conf = tmp_path / "bad.ini"
    harness.write_ini(conf, cfg)
    lines = conf.read_text().splitlines()
    lang_line = lines.index("language = de") + 1
    chan_line = lines.index("channel_languages = #evenements fr, #events klingon") + 1
    binary = harness.Bot(tmp_path / "b", 6667).binary
    r = subprocess.run([binary, "-c", str(conf), "--check"], capture_output=True, text=True,
                       timeout=t(20))
    assert r.returncode != 0
    assert "%s:%d: bot.language: must be one of en, fr" % (conf, lang_line) in r.stderr, r.stderr
    assert ("%s:%d: bot.channel_languages: #events: give one language after the channel "
            "(en, fr)" % (conf, chan_line)) in r.stderr, r.stderr

    cfg["bot"]["language"] = "FR"
    cfg["bot"]["channel_languages"] = "#evenements fr, #events en"
    harness.write_ini(conf, cfg)
    r = subprocess.run([binary, "-c", str(conf), "--check"], capture_output=True, text=True,
                       timeout=t(20))
    assert r.returncode == 0, r.stderr


def test_owner_commands_in_french(bot, client, ircd):
    """The admin plugin's answers and the host's plugin notices, through host->tr."""
    owner = client("owner", ircd)
    assert ask(owner, "lang fr") == ["Désormais, je vous réponds en français."]
    got = ask(owner, "plugin list")
    assert len(got) == 1 and got[0].startswith("Modules chargés" + NB + ": "), got
    assert "admin" in got[0], got
    assert ask(owner, "help plugin reload") == [
        "!plugin reload NAME: décharge puis recharge un module"]
    assert ask(owner, "organizer add account:zed") == [
        "account:zed organise désormais des événements."]
    assert ask(owner, "organizer add account:zed") == [
        "account:zed organisait déjà des événements."]
    assert ask(owner, "join events") == [
        "%s n’est pas un nom de canal. Syntaxe%s: join #canal [clé]" % (q("events"), NB)]
    owner.privmsg(bot.nick, "plugin reload admin")
    line = owner.wait_for(command="NOTICE", nick=bot.nick, target=owner.nick,
                          text=re.compile("^Module "), timeout=t(10))
    assert line.text == "Module %s%s: rechargé." % (q("admin"), NB), line.text
