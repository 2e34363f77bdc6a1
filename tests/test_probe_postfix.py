"""Opt-in: the probe against Debian's Postfix on a loopback port.

Runs only with ``HEADERTRACE_POSTFIX=1``, as root, with ``/usr/sbin/postfix`` installed. Each
test starts a private Postfix instance (its own configuration, queue and data directories,
``smtpd`` on 127.0.0.1:<free port>), probes it and stops it; the system instance, if any, is
not touched.

One adjustment to "the default configuration": Postfix trusts the local host
(``mynetworks_style = host``), so probed from 127.0.0.1 it would relay by design. The
"default" instance therefore sets ``mynetworks`` to a network the probe is not in, which is
how every remote client sees a default Postfix. Relay restrictions are left at their
defaults (``permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination``), and
local parts are checked (``local_recipient_maps`` lists postmaster), as with Debian's passwd
and aliases.

The other configurations change one thing each, written in its fixture: a catch-all domain
(``luser_relay`` with the percent hack and bang paths off, the way Exim reads them), a
submission-only server (530 without AUTH), and a low error limit (Postfix hangs up with
``421 Error: too many errors``, as Exim does after three syntax errors).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from headertrace.probe import ProbeConfig, ProbeReport, probe
from tests.test_probe_fakes import free_port

POSTFIX = Path("/usr/sbin/postfix")
DOMAIN = "probe.test"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        os.environ.get("HEADERTRACE_POSTFIX") != "1", reason="set HEADERTRACE_POSTFIX=1"
    ),
    pytest.mark.skipif(not POSTFIX.exists(), reason="Postfix is not installed"),
    pytest.mark.skipif(
        not hasattr(os, "geteuid") or os.geteuid() != 0, reason="Postfix must be started as root"
    ),
]

MAIN_CF = """\
compatibility_level = 3.6
myhostname = mx.{domain}
mydomain = {domain}
myorigin = $mydomain
mydestination = $myhostname, localhost.$mydomain, $mydomain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = {mynetworks}
queue_directory = {root}/queue
data_directory = {root}/data
maillog_file_prefixes = /var, /dev/stdout, {root}
maillog_file = {root}/maillog
alias_maps =
alias_database =
local_recipient_maps = inline:{{postmaster=ok}}
smtpd_banner = $myhostname ESMTP
biff = no
"""

# Only what smtpd needs to answer up to RCPT, no chroot (the queue directory is private).
MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
pickup     unix n - n 60 1 pickup
cleanup    unix n - n - 0 cleanup
qmgr       unix n - n 300 1 qmgr
rewrite    unix - - n - - trivial-rewrite
bounce     unix - - n - 0 bounce
defer      unix - - n - 0 bounce
trace      unix - - n - 0 bounce
verify     unix - - n - 1 verify
flush      unix n - n 1000? 0 flush
proxymap   unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp       unix - - n - - smtp
relay      unix - - n - - smtp
showq      unix n - n - - showq
error      unix - - n - - error
retry      unix - - n - - error
discard    unix - - n - - discard
local      unix - n n - - local
virtual    unix - n n - - virtual
lmtp       unix - - n - - lmtp
anvil      unix - - n - 1 anvil
scache     unix - - n - 1 scache
postlog    unix-dgram n - n - 1 postlogd
"""


def _postfix(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(POSTFIX), "-c", str(config), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"Postfix did not listen on 127.0.0.1:{port}")


def _start(mynetworks: str, extra: str = "") -> Iterator[int]:
    # Not pytest's tmp_path: Postfix daemons run as the postfix user and must be able to
    # traverse to their queue directory, which /tmp/pytest-of-root (0700) forbids.
    root = Path(tempfile.mkdtemp(prefix="headertrace-postfix-"))
    root.chmod(0o755)
    config = root / "etc"
    config.mkdir(mode=0o755)
    (root / "queue").mkdir(mode=0o755)  # postfix creates what is inside, not the directory
    port = free_port()
    main_cf = MAIN_CF.format(domain=DOMAIN, mynetworks=mynetworks, root=root)
    (config / "main.cf").write_text(main_cf + extra)  # later settings win
    (config / "master.cf").write_text(MASTER_CF.format(port=port))
    for name in ("main.cf", "master.cf"):
        (config / name).chmod(0o644)
    started = _postfix(config, "start")
    try:
        if started.returncode != 0:
            log = root / "maillog"
            detail = log.read_text() if log.exists() else ""
            raise AssertionError(f"postfix start failed: {started.stderr}\n{detail}")
        _wait_for_port(port)
        yield port
    finally:
        if _postfix(config, "stop").returncode != 0:
            _postfix(config, "abort")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def default_postfix() -> Iterator[int]:
    yield from _start("192.0.2.0/24")


@pytest.fixture
def open_postfix() -> Iterator[int]:
    yield from _start("0.0.0.0/0")


CLOSED = "192.0.2.0/24"


@pytest.fixture
def catch_all_postfix() -> Iterator[int]:
    # Every local part of our domains is accepted and delivered to postmaster; '%' and '!'
    # are ordinary characters, so 't%victim@probe.test' is a local (unknown) user. Postfix
    # refuses such local parts from strangers by default (allow_untrusted_routing = no); with
    # that allowed it answers as Exim does, which is the case the probe must not call open.
    extra = (
        "local_recipient_maps =\nluser_relay = postmaster\n"
        "allow_percent_hack = no\nswap_bangpath = no\nallow_untrusted_routing = yes\n"
    )
    yield from _start(CLOSED, extra)


@pytest.fixture
def submission_postfix() -> Iterator[int]:
    # What a submission port answers a client that has not authenticated (SASL itself is not
    # configured: no client here authenticates).
    extra = (
        "smtpd_sender_restrictions = permit_sasl_authenticated,"
        " check_sender_access static:{530 5.7.0 Authentication required}\n"
    )
    yield from _start(CLOSED, extra)


@pytest.fixture
def error_limit_postfix() -> Iterator[int]:
    extra = "smtpd_hard_error_limit = 3\nsmtpd_error_sleep_time = 0\n"
    yield from _start(CLOSED, extra)


def _probe(port: int) -> ProbeReport:
    report = probe(
        "127.0.0.1",
        ProbeConfig(port=port, our_domain=DOMAIN, timeout=15, delay=0.1, reconnect_delay=0.2),
    )
    sent = [e.command.split(" ")[0].upper() for e in report.transcript]
    assert "DATA" not in sent and "BDAT" not in sent
    return report


def test_default_postfix_is_closed(default_postfix: int) -> None:
    report = _probe(default_postfix)
    assert report.summary.control == "passed", report.to_json()
    assert report.status == "closed", report.to_json()
    assert report.summary.catch_all == "none", report.to_json()
    assert report.result("plain").reply_code in (454, 554)


def test_postfix_with_everyone_in_mynetworks_is_open(open_postfix: int) -> None:
    report = _probe(open_postfix)
    assert report.status == "open", report.to_json()
    assert "plain" in report.summary.accepted
    assert report.exit_code == 1


def test_postfix_catch_all_is_not_called_open(catch_all_postfix: int) -> None:
    report = _probe(catch_all_postfix)
    assert report.status == "inconclusive", report.to_json()
    assert report.summary.accepted == (), report.to_json()
    assert report.summary.catch_all == "detected"
    assert "our-domain" in report.summary.catch_all_at
    hack = report.result("percent-hack-our-domain")
    assert hack.reply_code == 250 and hack.outcome == "inconclusive", report.to_json()
    assert report.result("plain").outcome == "refused"


def test_postfix_submission_only_is_closed_to_strangers(submission_postfix: int) -> None:
    report = _probe(submission_postfix)
    assert report.status == "closed", report.to_json()
    assert report.summary.control == "auth-required", report.to_json()
    assert report.result("control-local").reply_code == 530
    assert report.summary.catch_all == "unknown"
    assert any("closed to unauthenticated clients" in r for r in report.summary.reasons)


def test_postfix_hanging_up_after_errors_still_runs_every_test(error_limit_postfix: int) -> None:
    report = _probe(error_limit_postfix)
    assert report.status == "closed", report.to_json()
    assert [t.name for t in report.tests if t.outcome in ("error", "skipped")] == []
    assert any(t.new_connection for t in report.tests), report.to_json()
    assert "Error: too many errors" in report.to_json()
