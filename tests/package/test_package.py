"""The Debian package (issue 18): `make deb` builds convene_VERSION_ARCH.deb
with the Debian tools from a copy under build/deb/; its files, modes,
conffiles and maintainer scripts are what the README promises; the binary in
it runs with the plugins in it; the /etc/convene/convene.ini it ships starts
nothing; and lintian reports neither an error nor a warning."""

import os
import re
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEB_DIR = REPO / "build" / "deb"
# plugins/common/ is code the plugins compile in (the Makefile), no plugin.
PLUGINS = sorted(p.name for p in (REPO / "plugins").iterdir()
                 if p.is_dir() and p.name != "common" and list(p.glob("*.c")))


def makefile_version():
    m = re.search(r"^VERSION\s*:?=\s*(\S+)", (REPO / "Makefile").read_text(), re.M)
    return m.group(1)


def arch():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def make_env():
    """The environment without what an enclosing make passes down."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "B", "VFLAGS", "CFLAGS",
              "PREFIX", "DESTDIR", "BINDIR", "PLUGINDIR", "SYSCONFDIR", "MANDIR"):
        env.pop(k, None)
    return env


def neighbours():
    """Package files dpkg-buildpackage would write next to the tree."""
    return sorted(p.name for p in REPO.parent.glob("convene*_*"))


@pytest.fixture(scope="module")
def deb():
    before = neighbours()
    start = time.monotonic()
    r = subprocess.run(["make", "-C", str(REPO), "deb"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, env=make_env(), timeout=900)
    assert r.returncode == 0, "make deb failed:\n" + r.stdout[-6000:]
    print("make deb took %.0f s" % (time.monotonic() - start))
    path = DEB_DIR / ("convene_%s_%s.deb" % (makefile_version(), arch()))
    assert path.is_file(), sorted(p.name for p in DEB_DIR.iterdir())
    # Nothing was written next to the source tree.
    assert neighbours() == before
    return path


def deb_contents(path):
    """{path: (mode string, owner, size)} from dpkg-deb -c, paths without './'."""
    out = subprocess.run(["dpkg-deb", "-c", str(path)], capture_output=True, text=True,
                         check=True).stdout
    files = {}
    for line in out.splitlines():
        mode, owner, size, _date, _time, name = line.split(None, 5)
        files[name[2:].split(" -> ")[0]] = (mode, owner, int(size))
    return files


def control_file(path, name):
    r = subprocess.run(["dpkg-deb", "-I", str(path), name], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None


def test_version_is_the_makefiles(deb):
    version = makefile_version()
    changelog = subprocess.run(["dpkg-parsechangelog", "-l", str(REPO / "debian/changelog"),
                                "-S", "Version"], capture_output=True, text=True, check=True)
    assert changelog.stdout.strip() == version
    fields = {f: subprocess.run(["dpkg-deb", "-f", str(deb), f], capture_output=True,
                                text=True, check=True).stdout.strip()
              for f in ("Package", "Version", "Architecture", "Depends")}
    assert fields["Package"] == "convene"
    assert fields["Version"] == version
    assert fields["Architecture"] == arch()
    # dh_shlibdeps found the libraries the binary and the plugins link;
    # libcurl4 and libical3, which the binary and the plugins open with dlopen,
    # debian/control names.
    for lib in ("libircclient1", "libcurl4", "libical3", "libsqlite3-0", "libmicrohttpd12",
                "libinih1"):
        assert lib in fields["Depends"], fields["Depends"]


def test_file_list_and_modes(deb):
    files = deb_contents(deb)
    regular = {name: v for name, v in files.items() if v[0].startswith("-")}
    expected = {
        "usr/bin/convene": "-rwxr-xr-x",
        "etc/convene/convene.ini": "-rw-r--r--",
        "lib/systemd/system/convene.service": "-rw-r--r--",
        "usr/share/man/man8/convene.8.gz": "-rw-r--r--",
        "usr/share/man/man5/convene.ini.5.gz": "-rw-r--r--",
        "usr/share/doc/convene/README.md.gz": "-rw-r--r--",
        "usr/share/doc/convene/changelog.gz": "-rw-r--r--",
        "usr/share/doc/convene/copyright": "-rw-r--r--",
        "usr/share/doc/convene/examples/convene.example.ini": "-rw-r--r--",
        "usr/share/lintian/overrides/convene": "-rw-r--r--",
        "usr/share/locale/fr/LC_MESSAGES/convene.mo": "-rw-r--r--",
    }
    for p in PLUGINS:
        expected["usr/lib/convene/plugins/%s.so" % p] = "-rw-r--r--"
    assert {n: v[0] for n, v in regular.items()} == expected
    assert all(v[1] == "root/root" for v in files.values()), files
    dirs = {n: v[0] for n, v in files.items() if v[0].startswith("d")}
    assert set(dirs.values()) == {"drwxr-xr-x"}, dirs
    assert not any(v[0].startswith("l") for v in files.values()), files


def test_conffiles_and_maintainer_scripts(deb):
    conffiles = control_file(deb, "conffiles")
    assert conffiles is not None and conffiles.split() == ["/etc/convene/convene.ini"]
    # The unit is not enabled on install (dh_installsystemd --no-enable):
    # postinst enables it only if the administrator had enabled it before,
    # and deb-systemd-invoke starts no disabled unit.
    postinst = control_file(deb, "postinst")
    assert postinst is not None
    assert "was-enabled 'convene.service'" in postinst
    assert re.search(r"^\s*deb-systemd-helper enable", postinst, re.M)
    enable_lines = [l for l in postinst.splitlines() if "deb-systemd-helper enable" in l]
    before_enable = [l for l in postinst[:postinst.index(enable_lines[0])].splitlines()
                     if l.strip() and not l.strip().startswith("#")]
    assert "was-enabled" in before_enable[-1], postinst
    assert "useradd" not in postinst and "adduser" not in postinst	# DynamicUser=


@pytest.fixture(scope="module")
def root(deb, tmp_path_factory):
    """The package unpacked into a temporary root."""
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    return root


def test_unit_fits_the_package(root):
    unit = (root / "lib/systemd/system/convene.service").read_text()
    execstart = re.search(r"^ExecStart=(\S+) -c (\S+)$", unit, re.M)
    assert execstart, unit
    assert execstart.group(1) == "/usr/bin/convene"
    assert (root / execstart.group(1).lstrip("/")).is_file()
    assert execstart.group(2) == "/etc/convene/convene.ini"
    assert (root / execstart.group(2).lstrip("/")).is_file()
    assert "/usr/local" not in unit
    docs = re.search(r"^Documentation=(.*)$", unit, re.M).group(1).split()
    for d in docs:
        m = re.fullmatch(r"man:([\w.]+)\((\d)\)", d)
        assert m, d
        assert (root / ("usr/share/man/man%s/%s.%s.gz" % (m.group(2), m.group(1),
                                                          m.group(2)))).is_file(), d


def test_binary_runs_with_its_plugins(root, tmp_path):
    binary = str(root / "usr/bin/convene")
    r = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=20)
    assert r.returncode == 0 and r.stdout.startswith("convene %s " % makefile_version())
    # Built for its place: the compiled-in plugin folder is the package's.
    assert b"/usr/lib/convene/plugins" in (root / "usr/bin/convene").read_bytes()
    # And its catalogues' folder (bot/i18n.c), where the package puts them.
    assert b"/usr/share/locale" in (root / "usr/bin/convene").read_bytes()
    # The packaged plugins load in the packaged binary.
    conf = tmp_path / "c.ini"
    conf.write_text("[bot]\nplugin_dir = %s\n" % (root / "usr/lib/convene/plugins"))
    r = subprocess.run([binary, "--list-keys", "-c", str(conf)], capture_output=True,
                       text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    sections = {l.split()[0] for l in r.stdout.splitlines()}
    assert {"irc", "events", "calendars"} <= sections, r.stdout


def test_shipped_config_starts_nothing(root, tmp_path):
    """/etc/convene/convene.ini is the example with the server and the owners
    commented out: --check says what is missing, and the bot exits at once
    with that reason, before any connection or listening socket."""
    conf = root / "etc/convene/convene.ini"
    text = conf.read_text()
    assert re.search(r"^; server = ", text, re.M) and not re.search(r"^server", text, re.M)
    assert not re.search(r"^owners", text, re.M)
    assert "systemctl enable --now convene" in text
    binary = str(root / "usr/bin/convene")
    r = subprocess.run([binary, "-c", str(conf), "--check"], capture_output=True, text=True,
                       timeout=20)
    assert r.returncode == 1 and "missing [irc] server" in r.stderr, r.stderr
    r = subprocess.run([binary, "-c", str(conf)], capture_output=True, text=True, timeout=20,
                       cwd=str(tmp_path))
    assert r.returncode == 1 and "missing [irc] server" in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []	# no database, no feeds
    # Once the server is set, the rest of the shipped file is valid.
    fixed = tmp_path / "fixed.ini"
    fixed.write_text(text.replace("; server = ", "server = ") + "[bot]\nplugin_dir = %s\n"
                     % (root / "usr/lib/convene/plugins"))
    r = subprocess.run([binary, "-c", str(fixed), "--check"], capture_output=True,
                       text=True, timeout=20)
    assert r.returncode == 0, r.stderr


def test_manual_pages_render(root):
    for page in ("usr/share/man/man8/convene.8.gz", "usr/share/man/man5/convene.ini.5.gz"):
        r = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", str(root / page)],
                           capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout + r.stderr == "", r.stdout + r.stderr


def test_lintian(deb):
    """No error and no warning (debian/convene.lintian-overrides holds the
    justified exceptions); the .changes covers the .deb, its -dbgsym and the
    .buildinfo."""
    lintian = shutil.which("lintian")
    assert lintian, "lintian is installed by scripts/install-deps"
    changes = deb.with_suffix(".changes")
    r = subprocess.run([lintian, "--no-tag-display-limit", str(changes)],
                       capture_output=True, text=True, timeout=600)
    tags = [l for l in r.stdout.splitlines() if re.match(r"[EW]: ", l)]
    assert not tags, r.stdout + r.stderr
    assert r.returncode == 0, r.stdout + r.stderr
