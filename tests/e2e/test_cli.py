"""Acceptance tests for convene's command line (issue 3): --help, --version,
--check and its `file:line: reason` errors, over-long lines, secrets kept
out of the output, and `make install` with PREFIX and DESTDIR, whose
installed binary runs the bot with the plugins it installed."""

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

import harness
from conftest import unique_nick
from harness import Bot, t

MAX_LINE = 1024	# CONFIG_MAX_LINE in bot/config.h


def bot_binary():
    return os.environ.get("CONVENE_BIN") or str(harness.REPO / "build" / "convene")


def plugins_for_tests():
    """Where the test plugins of the binary under test were built."""
    return Path(bot_binary()).resolve().parent / "test-plugins"


def run(*args, binary=None, cwd=None):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    r = subprocess.run([binary or bot_binary(), *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, env=env, cwd=cwd,
                       timeout=t(20))
    report = harness.sanitizer_report(r.stdout + r.stderr)
    assert report is None, report
    return r


def makefile_version():
    m = re.search(r"^VERSION\s*:?=\s*(\S+)", (harness.REPO / "Makefile").read_text(), re.M)
    return m.group(1)


def abi():
    h = (harness.REPO / "include" / "convene.h").read_text()
    return tuple(re.search(r"#define CONVENE_ABI_%s (\d+)" % k, h).group(1)
                 for k in ("MAJOR", "MINOR"))


def good_config(tmp_path, extra_irc="", extra_bot=""):
    """The text of a valid configuration (plugins: testplug)."""
    return ("[irc]\n"
            "server = 127.0.0.1\n"
            "port = 6667\n"
            "nick = convene\n"
            "channels = #events, #other key\n" + extra_irc +
            "[bot]\n"
            "owners = owner!*@*, account:boss\n"
            "plugins = testplug\n"
            "plugin_dir = %s\n" % plugins_for_tests() + extra_bot +
            "[store]\n"
            "path = %s\n"
            "[http]\n"
            "listen = 127.0.0.1\n"
            "port = 0\n"
            "[testplug]\n"
            "greeting = hi\n") % (tmp_path / "convene.db")


def write(path, text):
    Path(path).write_text(text)
    return str(path)


def line_of(text, start):
    """The 1-based number of the line of text that starts with start."""
    return next(i for i, l in enumerate(text.split("\n"), 1) if l.startswith(start))


# ---------------------------------------------------------------- options

def test_help():
    r = run("--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: convene -c FILE [--check]\n"), r.stdout
    for opt in ("--check", "--help", "--version", "-c, --config FILE"):
        assert opt in r.stdout
    assert r.stderr == ""
    assert run("-h").stdout == r.stdout


def test_version():
    r = run("--version")
    assert r.returncode == 0
    assert r.stdout == "convene %s (plugin ABI %s.%s)\n" % ((makefile_version(),) + abi())
    assert r.stderr == ""
    assert run("-V").stdout == r.stdout


@pytest.mark.parametrize("args", [(), ("--check",), ("-c",), ("-c", "a.ini", "extra"),
                                  ("--bogus",)])
def test_bad_invocation_prints_usage(args):
    r = run(*args)
    assert r.returncode == 2, (args, r.returncode)
    assert "usage: convene -c FILE" in r.stderr
    assert r.stdout == ""


# ---------------------------------------------------------------- --check

def test_check_accepts_a_good_config(tmp_path):
    conf = write(tmp_path / "good.ini", good_config(tmp_path))
    r = run("-c", conf, "--check")
    assert (r.returncode, r.stdout, r.stderr) == (0, "%s: OK\n" % conf, "")
    assert run("--check", "-c", conf).returncode == 0	# in either order
    # The example that ships is valid, with every plugin that ships.
    example = str(harness.REPO / "conf" / "convene.example.ini")
    r = run("-c", example, "--check")
    assert (r.returncode, r.stdout, r.stderr) == (0, "%s: OK\n" % example, "")


def test_check_reports_every_error_with_file_and_line(tmp_path):
    text = good_config(tmp_path,
                       extra_irc="nikc = typo\nport = 70000\n",
                       extra_bot="command_burst = many\nnot a key value line\n")
    text += "colour = red\n[ircc]\nserver = x\nnick = y\n"
    conf = write(tmp_path / "bad.ini", text)
    r = run("-c", conf, "--check")
    assert r.returncode != 0
    assert "OK" not in r.stdout
    errors = r.stderr.splitlines()
    expected = [
        (line_of(text, "nikc"), r"unknown key 'nikc' in \[irc\]"),
        (line_of(text, "port = 70000"), r"irc\.port: must be a number from 1 to 65535"),
        (line_of(text, "command_burst"), r"bot\.command_burst: must be a number"),
        (line_of(text, "not a key"), r"expected 'key = value'"),
        (line_of(text, "colour"), r"unknown key 'colour' in \[testplug\]"),
        (line_of(text, "[ircc]"), r"unknown section \[ircc\]"),
    ]
    for line, reason in expected:
        rx = re.compile(r"^%s:%d: .*%s" % (re.escape(conf), line, reason))
        assert [e for e in errors if rx.search(e)], "no %r in:\n%s" % (rx.pattern, r.stderr)
    # port = 6667 then port = 70000: the repetition is named too.
    assert any(re.match(r"^%s:%d: irc\.port is also set on line %d" % (
        re.escape(conf), line_of(text, "port = 70000"), line_of(text, "port = 6667")), e)
        for e in errors), r.stderr
    # Nothing else, each once, and keys under an unknown section are not repeated.
    assert len(errors) == len(set(errors)) == len(expected) + 1, r.stderr
    assert all(e.startswith(conf + ":") for e in errors)


def test_check_unknown_plugin_and_missing_keys(tmp_path):
    text = "[irc]\nserver = 127.0.0.1\n[bot]\nplugins = testplug nosuch\nplugin_dir = %s\n" % (
        plugins_for_tests())
    conf = write(tmp_path / "c.ini", text)
    r = run("-c", conf, "--check")
    assert r.returncode != 0
    assert re.search(r"^%s:%d: \[bot\] plugins: no plugin 'nosuch' in %s$" % (
        re.escape(conf), line_of(text, "plugins"), re.escape(str(plugins_for_tests()))),
        r.stderr, re.M), r.stderr
    assert re.search(r"^%s: missing \[irc\] nick$" % re.escape(conf), r.stderr, re.M), r.stderr

    r = run("-c", str(tmp_path / "absent.ini"), "--check")
    assert r.returncode != 0 and str(tmp_path / "absent.ini") in r.stderr


def test_check_rejects_over_long_lines_with_their_number(tmp_path):
    fits = "; " + "x" * (MAX_LINE - 2)
    assert len(fits) == MAX_LINE
    text = good_config(tmp_path).replace("[bot]\n", fits + "\n[bot]\n")
    conf = write(tmp_path / "fits.ini", text)
    assert run("-c", conf, "--check").returncode == 0

    long_comment = fits + "x"
    long_value = "realname = " + "y" * 3000
    text = good_config(tmp_path, extra_irc=long_comment + "\n" + long_value + "\nnikc = 1\n")
    conf = write(tmp_path / "long.ini", text)
    r = run("-c", conf, "--check")
    assert r.returncode != 0
    errors = r.stderr.splitlines()
    for start in (long_comment[:20], "realname"):
        rx = re.compile(r"^%s:%d: line too long \(max %d bytes\)$" % (
            re.escape(conf), line_of(text, start), MAX_LINE))
        assert [e for e in errors if rx.search(e)], r.stderr
    # Lines after them are still read and counted.
    assert "%s:%d: unknown key 'nikc' in [irc]" % (conf, line_of(text, "nikc")) in errors
    assert len(errors) == 3, r.stderr
    assert "yyyy" not in r.stderr


def test_check_never_prints_secrets(tmp_path):
    secret = "CANARY-pw-%d" % os.getpid()
    pw = tmp_path / "sasl.pw"
    pw.write_text(secret + "\nsecond line\n")
    os.chmod(pw, 0o600)
    sasl = "sasl_user = convene\nsasl_password_file = %s\n" % pw
    conf = write(tmp_path / "ok.ini", good_config(tmp_path, extra_irc=sasl))
    r = run("-c", conf, "--check")
    assert r.returncode == 0, r.stderr
    assert secret not in r.stdout + r.stderr

    # With errors around it (and a password put where it does not belong).
    bad = good_config(tmp_path, extra_irc=sasl + "sasl_password = %s\nport = x\n" % secret)
    conf = write(tmp_path / "bad.ini", bad)
    r = run("-c", conf, "--check")
    assert r.returncode != 0
    assert "unknown key 'sasl_password' in [irc]" in r.stderr
    assert secret not in r.stdout + r.stderr

    # A password file that cannot be read, or holds no password, is named.
    for name, content in (("missing.pw", None), ("empty.pw", "\n%s\n" % secret)):
        f = tmp_path / name
        if content is not None:
            f.write_text(content)
        conf = write(tmp_path / "x.ini", good_config(
            tmp_path, extra_irc="sasl_user = convene\nsasl_password_file = %s\n" % f))
        r = run("-c", conf, "--check")
        assert r.returncode != 0, name
        assert str(f) in r.stderr, r.stderr
        assert secret not in r.stdout + r.stderr


def test_check_and_start_warn_about_a_password_over_plain_http(tmp_path):
    """Basic auth sends the password in every request: over http:// it
    crosses the network in clear. A warning, not an error; none for https://
    nor for a server on loopback."""
    secret = "CANARY-publish-%d" % os.getpid()
    pw = tmp_path / "publish.pw"
    pw.write_text(secret + "\n")

    def config(url):
        text = good_config(tmp_path).replace(
            "plugins = testplug\nplugin_dir = %s\n" % plugins_for_tests(), "plugins = calendars\n")
        text = text.replace("[testplug]\ngreeting = hi\n", "")
        text += ("[calendars]\npublish_url = %s\npublish_mode = caldav\npublish_user = convene\n"
                 "publish_password_file = %s\n" % (url, pw))
        return text

    text = config("http://cal.example.org/dav/convene/events/")
    conf = write(tmp_path / "plain.ini", text)
    r = run("-c", conf, "--check")
    assert (r.returncode, r.stdout) == (0, "%s: OK\n" % conf), r.stderr
    assert r.stderr == ("%s:%d: warning: [calendars] publish_url is http:// and publish_user is "
                        "set: the password would cross the network in clear; use https://\n"
                        % (conf, line_of(text, "publish_url"))), r.stderr
    assert secret not in r.stdout + r.stderr
    for url in ("https://cal.example.org/dav/convene/events/", "http://127.0.0.1:5232/convene/",
                "http://[::1]:5232/convene/", "http://localhost/convene/"):
        conf = write(tmp_path / "quiet.ini", config(url))
        r = run("-c", conf, "--check")
        assert (r.returncode, r.stdout, r.stderr) == (0, "%s: OK\n" % conf, ""), url

    # The same warning at start, in the log.
    bot = Bot(tmp_path / "bot", harness.free_port(), overrides={"calendars": {
        "publish_url": "http://cal.example.invalid/dav/", "publish_mode": "caldav",
        "publish_user": "convene", "publish_password_file": str(pw)}})
    bot.start()
    try:
        bot.wait_log(r"warning: \[calendars\] publish_url is http:// and publish_user is set")
    finally:
        problems = bot.finish()
    assert not problems, problems
    assert secret not in bot.log_text()


def test_check_warns_of_the_old_import_key_names(tmp_path):
    """[calendars] import_* moved to [events]: the old names still pass
    --check, with a warning naming the line and the new place."""
    text = good_config(tmp_path).replace(
        "plugins = testplug\nplugin_dir = %s\n" % plugins_for_tests(), "plugins = events calendars\n")
    text = text.replace("[testplug]\ngreeting = hi\n", "")
    text += "[calendars]\nname = Test\nimport_timeout = 5\nimport_allow_private = no\n"
    conf = write(tmp_path / "old.ini", text)
    r = run("-c", conf, "--check")
    assert (r.returncode, r.stdout) == (0, "%s: OK\n" % conf), r.stderr
    assert r.stderr == "".join(
        "%s:%d: warning: [calendars] %s is now [events] %s; the old name works until the "
        "next release\n" % (conf, line_of(text, key), key, key)
        for key in ("import_allow_private", "import_timeout")), r.stderr
    # Under [events], no warning.
    text = text.replace("[calendars]\nname = Test\n", "[events]\n")
    conf = write(tmp_path / "new.ini", text)
    r = run("-c", conf, "--check")
    assert (r.returncode, r.stdout, r.stderr) == (0, "%s: OK\n" % conf, ""), r.stderr


def test_check_reports_a_bad_plugin_value_with_its_line_and_the_plugins_words(tmp_path):
    """Issue 13: a plugin declares its keys with a type (ABI 1.5); --check
    reports a bad value in the plugin's section with the file's line number
    and the plugin's own words, and the bot refuses to start the plugin with
    the same sentence."""
    text = good_config(tmp_path).replace(
        "plugins = testplug\nplugin_dir = %s\n" % plugins_for_tests(), "plugins = events\n")
    text = text.replace("[testplug]\ngreeting = hi\n", "")
    text += ("[events]\nchannel = #events\nrsvp_requires_account = perhaps\n"
             "retention_days = 4000\nimport_timeout = 30\n")
    conf = write(tmp_path / "bad.ini", text)
    r = run("-c", conf, "--check")
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "%s:%d: events.rsvp_requires_account: must be yes or no\n" % (
        conf, line_of(text, "rsvp_requires_account")) in r.stderr, r.stderr
    assert "%s:%d: events.retention_days: must be a number of days from 0 to 3650\n" % (
        conf, line_of(text, "retention_days")) in r.stderr, r.stderr
    assert "import_timeout" not in r.stderr, r.stderr
    good = write(tmp_path / "good.ini", text.replace("perhaps", "yes").replace("4000", "0"))
    r = run("-c", good, "--check")
    assert (r.returncode, r.stdout, r.stderr) == (0, "%s: OK\n" % good, ""), r.stderr

    # At start the plugin is not loaded, and the log says why in the same words.
    bot = Bot(tmp_path / "bot", harness.free_port(),
              overrides={"events": {"rsvp_requires_account": "perhaps"}})
    bot.start()
    try:
        bot.wait_log(r"plugin 'events' failed to start: \S+:\d+: "
                     r"events\.rsvp_requires_account: must be yes or no")
    finally:
        problems = bot.finish()
    assert not problems, problems


def test_check_warns_of_sasl_without_tls(tmp_path):
    """SASL over a link without TLS sends the password in clear: --check
    says so (and still passes); with TLS it says nothing."""
    pw = tmp_path / "sasl.pw"
    pw.write_text("pw-%d\n" % os.getpid())
    os.chmod(pw, 0o600)
    sasl = "sasl_user = convene\nsasl_password_file = %s\n" % pw
    conf = write(tmp_path / "plain.ini", good_config(tmp_path, extra_irc=sasl))
    r = run("-c", conf, "--check")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^%s: warning: \[irc\] sasl_user with tls = no: the SASL password "
                     r"goes to the server unencrypted" % re.escape(conf), r.stderr, re.M), r.stderr
    assert "OK" in r.stdout

    conf = write(tmp_path / "tls.ini", good_config(tmp_path, extra_irc=sasl + "tls = yes\n"))
    r = run("-c", conf, "--check")
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr
    conf = write(tmp_path / "nosasl.ini", good_config(tmp_path))
    assert "warning" not in run("-c", conf, "--check").stderr


# ---------------------------------------------------------------- make install

def make_env():
    """The environment without what an enclosing make passes down (its
    flags, and variables such as B, VFLAGS and CFLAGS of the ASan run)."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "B", "VFLAGS", "CFLAGS",
              "PREFIX", "DESTDIR", "BINDIR", "PLUGINDIR", "SYSCONFDIR", "GNUMAKEFLAGS"):
        env.pop(k, None)
    return env


def make(*args):
    r = subprocess.run(["make", "-C", str(harness.REPO), *args], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, env=make_env(), timeout=600)
    assert r.returncode == 0, "make %s failed:\n%s" % (" ".join(args), r.stdout[-4000:])
    return r.stdout


def shipped_plugins():
    # plugins/common/ is code the plugins compile in (the Makefile), no plugin.
    return sorted(p.name + ".so" for p in (harness.REPO / "plugins").iterdir()
                  if p.is_dir() and p.name != "common" and list(p.glob("*.c")))


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*") if p.is_file())


def mode(p):
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A build of its own in a temporary folder, installed twice: with
    PREFIX into a temporary root (the compiled-in plugin folder is there),
    and with PREFIX=/usr and DESTDIR into a staging folder."""
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    base = tmp_path_factory.mktemp("install")
    b, root, stage = base / "b", base / "root", base / "stage"
    make("-j2", "B=%s" % b, "PREFIX=%s" % (root / "usr"), "SYSCONFDIR=%s" % (root / "etc"),
         "install")
    # The same build, not rebuilt (-o build), staged for packaging.
    make("-o", "build", "B=%s" % b, "PREFIX=/usr", "DESTDIR=%s" % stage, "install")
    return {"root": root, "stage": stage}


@pytest.mark.deadline(300)
def test_install_honours_destdir_and_prefix(installed):
    stage = installed["stage"]
    plugins = shipped_plugins()
    assert "admin.so" in plugins
    assert files_under(stage) == sorted(
        ["etc/convene/convene.example.ini", "usr/bin/convene",
         "usr/share/locale/fr/LC_MESSAGES/convene.mo",
         "usr/share/man/man5/convene.ini.5", "usr/share/man/man8/convene.8"]
        + ["usr/lib/convene/plugins/" + p for p in plugins]), files_under(stage)
    assert mode(stage / "usr/bin/convene") == 0o755
    for p in plugins:
        assert mode(stage / "usr/lib/convene/plugins" / p) == 0o644
    assert mode(stage / "etc/convene/convene.example.ini") == 0o644
    assert mode(stage / "usr/share/locale/fr/LC_MESSAGES/convene.mo") == 0o644
    # The binary looks for its catalogues where this install put them.
    root = installed["root"]
    assert (root / "usr/share/locale/fr/LC_MESSAGES/convene.mo").is_file()
    assert str(root / "usr/share/locale").encode() in (root / "usr/bin/convene").read_bytes()
    for page in ("man5/convene.ini.5", "man8/convene.8"):
        assert mode(stage / "usr/share/man" / page) == 0o644
    # The pages name the plugin folder where this install put it.
    page = (installed["root"] / "usr/share/man/man8/convene.8").read_text()
    assert str(installed["root"] / "usr/lib/convene/plugins") in page
    assert mode(stage / "usr/lib/convene/plugins") == 0o755
    r = run("--version", binary=str(stage / "usr/bin/convene"))
    assert r.returncode == 0
    assert r.stdout.startswith("convene %s " % makefile_version())

    root = installed["root"]
    # PREFIX alone (no DESTDIR) puts the same files under it.
    assert files_under(root) == files_under(stage)


@pytest.mark.deadline(300)
def test_installed_binary_runs_with_its_plugins(installed, ircd, client, tmp_path):
    root = installed["root"]
    binary = str(root / "usr/bin/convene")
    plugindir = root / "usr/lib/convene/plugins"
    boss = client(unique_nick("owner"), channels=["#events"])
    nick = unique_nick("installed")
    bot = Bot(tmp_path / "bot", ircd.port, nick=nick, binary=binary,
              overrides={"bot": {"owners": "owner*!*@*", "plugins": "admin"}})
    assert "plugin_dir" not in bot.config["bot"]
    # --check finds admin in the compiled-in plugin folder (not next to the
    # binary, not in the working directory).
    r = run("-c", str(bot.conf), "--check", binary=binary, cwd=str(bot.dir))
    assert r.returncode == 0, r.stderr
    try:
        harness.wait_nick_free(boss, nick)
        bot.start()
        harness.wait_in_channel(boss, "#events", nick, t(15))
        boss.privmsg(nick, "plugin list")
        line = boss.wait_for(command="NOTICE", nick=nick, timeout=t(5))
        assert line.text == "Plugins loaded: admin", line.text
        boss.privmsg(nick, "plugin load testplug")
        line = boss.wait_for(command="NOTICE", nick=nick, timeout=t(5))
        assert line.text == "Plugin 'testplug' not loaded: no plugin 'testplug' in %s" % (
            plugindir), line.text
    finally:
        problems = bot.finish()
    assert not problems, "\n\n".join(problems)
