#!/usr/bin/python3
"""Heap a verified TLS handshake costs through libcurl, by the authorities
it is given, with libcurl's OpenSSL build and, when installed, its GnuTLS
build (libcurl3-gnutls): bench/README.md, "Resident memory after joining".

Runs build/bench/tls_trust and build/bench/tls_trust-gnutls (make -C bench
trust builds them) against `openssl s_server` with a certificate of a
throwaway CA (harness.make_tls). Prints the RssAnon each handshake added
(KiB, median of --runs) and curl's result (0: verified; 60: refused, the
test CA not being among the system's authorities)."""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
import harness  # noqa: E402

BUILD = harness.REPO / "build" / "bench"
BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="convene-trust-") as tmp:
        tls = harness.make_tls(Path(tmp) / "tls")
        hashed = Path(tmp) / "hashed"
        hashed.mkdir()
        (hashed / "ca.pem").write_text(Path(tls["ca"]).read_text())
        subprocess.run(["openssl", "rehash", str(hashed)], check=True)
        plus = Path(tmp) / "bundle-plus-test-ca.pem"
        plus.write_text(Path(BUNDLE).read_text() + Path(tls["ca"]).read_text())
        port = harness.free_port()
        server = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:%d" % port,
                                   "-cert", tls["cert"], "-key", tls["key"], "-quiet"],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            assert harness.wait_port(port, 10), "openssl s_server did not listen"
            url = "https://127.0.0.1:%d" % port
            cases = [
                ("the test CA only (CAINFO, no CAPATH)", tls["ca"], "-"),
                ("the system bundle and the test CA (CAINFO, no CAPATH)", str(plus), "-"),
                ("the system bundle and the test CA (CAINFO, CAPATH default)", str(plus),
                 "default"),
                ("libcurl's default (CAINFO, CAPATH)", "default", "default"),
                ("a hashed directory with the test CA (no CAINFO, CAPATH)", "-", str(hashed)),
                ("the system's hashed directory (no CAINFO, CAPATH default)", "-", "default"),
            ]
            bins = [b for b in (BUILD / "tls_trust", BUILD / "tls_trust-gnutls") if b.exists()]
            assert bins, "build them first: make -C bench trust"
            for label, cainfo, capath in cases:
                cells = []
                for b in bins:
                    rows = []
                    for _ in range(a.runs):
                        out = subprocess.run([str(b), url, cainfo, capath], capture_output=True,
                                             text=True, check=True).stdout.split()
                        rows.append(out)
                        time.sleep(0.05)
                    cells.append("%s rc %s +%d KiB" % (rows[0][0], rows[0][1],
                                                       statistics.median(int(r[2]) for r in rows)))
                print("%-62s %s" % (label, "   ".join(cells)))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
