"""Operation (issue 9): the systemd unit is valid and sandboxes the bot."""

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import harness

UNIT = harness.REPO / "conf" / "convene.service"


def unit_settings():
    cp = configparser.ConfigParser(strict=False, interpolation=None)
    cp.optionxform = str
    cp.read(UNIT)
    return cp


def test_unit_sandboxing():
    cp = unit_settings()
    svc = cp["Service"]
    assert svc.get("DynamicUser") == "yes" or svc.get("User") not in (None, "root")
    assert svc.get("NoNewPrivileges") == "yes"
    assert svc.get("ProtectSystem") == "strict"
    assert svc.get("PrivateTmp") == "yes"
    assert svc.get("StateDirectory") == "convene"
    assert svc.get("UMask") == "0077"
    assert "HUP" in svc.get("ExecReload", "")


def test_unit_verifies(tmp_path):
    """systemd-analyze verify accepts the unit (with ExecStart pointed at
    the built binary, since nothing is installed here)."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is part of systemd, present on Debian"
    binary = os.environ.get("CONVENE_BIN") or str(harness.REPO / "build" / "convene")
    text = UNIT.read_text().replace("/usr/local/bin/convene", binary)
    unit = tmp_path / "convene.service"
    unit.write_text(text)
    # Documentation= names the manual pages: let man(1) find the repository's.
    for page in (harness.REPO / "man").iterdir():
        section = tmp_path / "man" / ("man" + page.suffix[1:])
        section.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, section / page.name)
    env = dict(os.environ, MANPATH=str(tmp_path / "man"))
    r = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, env=env)
    problems = [l for l in (r.stdout + r.stderr).splitlines()
                if "convene.service" in l]
    assert r.returncode == 0 and not problems, r.stdout + r.stderr
