"""The manual pages (issue 18): convene(8) and convene.ini(5) pass
`mandoc -T lint`, convene(8) documents every option of --help, and
convene.ini(5) documents every key that --check accepts, as listed by
`convene --list-keys` from the same tables, with a type, a default and an
example; so a key cannot be added without its page entry."""

import os
import re
import shutil
import subprocess

import pytest

import harness

MAN = harness.REPO / "man"
PAGES = ["convene.8", "convene.ini.5"]


def bot_binary():
    return os.environ.get("CONVENE_BIN") or str(harness.REPO / "build" / "convene")


def run_bot(*args):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    r = subprocess.run([bot_binary(), *args], capture_output=True, text=True, env=env,
                       timeout=harness.t(20))
    report = harness.sanitizer_report(r.stdout + r.stderr)
    assert report is None, report
    return r


def bot_keys():
    r = run_bot("--list-keys")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    keys = [tuple(l.split(" ")) for l in r.stdout.splitlines()]
    assert all(len(k) == 2 for k in keys), r.stdout
    return keys


def page_entries(text):
    """{(section, key): the roff lines of its entry} from convene.ini(5):
    a key is an `.It Cm KEY` line under an `.Ss [SECTION]...` heading."""
    entries, section, current = {}, None, None
    for line in text.splitlines():
        m = re.match(r"\.Ss \[(\w+)\]", line)
        if m or line.startswith((".Sh", ".Ss", ".El")):
            section, current = (m.group(1) if m else None), None
            continue
        m = re.match(r"\.It Cm (\w+)", line)
        if m and section is not None:
            current = (section, m.group(1))
            assert current not in entries, "%s.%s documented twice" % current
            entries[current] = [line]
        elif current is not None:
            entries[current].append(line)
    return entries


@pytest.mark.parametrize("page", PAGES)
def test_mandoc_lint_clean(page):
    mandoc = shutil.which("mandoc")
    assert mandoc, "mandoc is installed by scripts/install-deps"
    r = subprocess.run([mandoc, "-T", "lint", "-W", "style", str(MAN / page)],
                       capture_output=True, text=True)
    # Whether a referenced page (convene.ini(5) from convene(8)) is installed
    # on this machine is no fault of the page.
    problems = [l for l in (r.stdout + r.stderr).splitlines()
                if "referenced manual not found" not in l and "mandoc.db" not in l]
    assert not problems, "\n".join(problems)


def test_list_keys_is_what_check_accepts(tmp_path):
    """--list-keys prints the keys of the host's tables and of every shipped
    plugin; a config made of exactly those keys passes the schema part of
    --check (no unknown key), and one more key does not."""
    keys = bot_keys()
    sections = {s for s, _ in keys}
    assert {"irc", "bot", "store", "http", "events", "calendars"} <= sections, sections
    assert ("irc", "server") in keys and ("events", "timezone") in keys
    # Values are wrong on purpose (a value error is not an unknown key);
    # plugins and plugin_dir stay unset so that every plugin is checked.
    text = "".join("[%s]\n%s = x\n" % k for k in keys
                   if k not in (("bot", "plugins"), ("bot", "plugin_dir")))
    conf = tmp_path / "all.ini"
    conf.write_text(text + "[irc]\nbogus_key = 1\n")
    r = run_bot("-c", str(conf), "--check")
    assert r.returncode != 0
    unknown = [l for l in r.stderr.splitlines() if "unknown" in l]
    assert len(unknown) == 1 and "unknown key 'bogus_key' in [irc]" in unknown[0], r.stderr


def test_every_key_is_documented():
    text = (MAN / "convene.ini.5").read_text()
    entries = page_entries(text)
    keys = bot_keys()
    missing = ["[%s] %s" % k for k in keys if k not in entries]
    assert not missing, "convene.ini(5) lacks: " + ", ".join(missing)
    stale = ["[%s] %s" % k for k in entries if k not in keys]
    assert not stale, "convene.ini(5) documents keys the bot does not know: " + ", ".join(stale)
    for (section, key), lines in entries.items():
        body = "\n".join(lines)
        assert re.match(r"\.It Cm %s No = Ar \w+" % key, lines[0]), \
            "[%s] %s: no type on its .It line: %s" % (section, key, lines[0])
        assert "Default:" in body, "[%s] %s: no default" % (section, key)
        assert any(re.match(r"\.Dl %s = \S" % key, l) for l in lines), \
            "[%s] %s: no `.Dl %s = ...` example" % (section, key, key)
    # Every section the bot knows has its heading.
    for section in {s for s, _ in keys}:
        assert re.search(r"^\.Ss \[%s\]" % section, text, re.M), section


def test_every_option_is_documented():
    page = (MAN / "convene.8").read_text()
    usage = run_bot("--help").stdout
    options = set(re.findall(r"--([a-z][a-z-]*)", usage))
    assert {"config", "check", "help", "version", "list-keys"} <= options, usage
    for opt in options:
        assert "Fl \\-%s" % opt.replace("-", "\\-") in page, "convene(8) lacks --%s" % opt
    for name in ("SYNOPSIS", "OPTIONS", "SIGNALS", "FILES", "ENVIRONMENT", "EXIT STATUS",
                 "EXAMPLES", "SEE ALSO"):
        assert re.search(r"^\.Sh %s$" % name, page, re.M), "convene(8) lacks %s" % name
