"""What the bot loads and runs at start (issue 17, "Small"; bench/README.md,
"Resident memory after joining"): one TLS stack, GnuTLS, which
libmicrohttpd brings anyway; and OpenSSL's libcrypto, which Debian's libcurl
still maps through libssh2, never initialised."""

import os
import re

import pytest

from harness import t, wait_in_channel


@pytest.fixture
def joined(ircd, client, start_bot):
    """The pid of a bot that has joined, configured as the example
    configuration runs it (every shipped plugin, the HTTP server on)."""
    obs = client(channels=["#events"])
    bot = start_bot(ircd, wait=False)
    wait_in_channel(obs, "#events", "convene", t(15))
    return bot.proc.pid


def mappings(pid):
    """(permissions, file name, resident KiB) of every file mapping."""
    out, cur = [], None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            fields = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                cur = None
                if len(fields) > 5 and fields[5].startswith("/"):
                    cur = [fields[1], os.path.basename(fields[5]), 0]
                    out.append(cur)
            elif cur is not None and fields[0] == "Rss:":
                cur[2] = int(fields[1])
    return out


def test_one_tls_stack(joined):
    names = {m[1] for m in mappings(joined)}
    assert any(n.startswith("libgnutls.so") for n in names), sorted(names)
    # OpenSSL's TLS library (libcurl's OpenSSL build) is not there at all.
    assert not any(n.startswith("libssl.so") for n in names), sorted(names)


def test_openssl_never_initialised(joined):
    """Initialising OpenSSL's libcrypto (what libcurl's libssh2_init(0) does:
    every cipher and digest, the built-in engines) runs 1.4 MB of its code;
    mapping and relocating it runs about 200 KiB (the loader, its
    constructor)."""
    code = sum(m[2] for m in mappings(joined)
               if m[1].startswith("libcrypto.so") and "x" in m[0])
    assert code < 640, "%d KiB of libcrypto's code resident" % code
