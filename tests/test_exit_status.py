"""Every command exits with the statuses docs/index.md documents, through the real main group:
0 OK, 1 PROBLEM, 2 NO_ANSWER, one meaning per number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from headertrace.cli import main
from headertrace.exitstatus import ExitStatus
from tests._localdns import LocalDNS
from tests._localhttp import LocalHTTP
from tests.test_enrich_online import GOOD, REFUSED, ROUTES, SPAM, ZEN, ZONE
from tests.test_probe_fakes import OUR_DOMAIN, GreylistPolicy, OpenPolicy, Policy, smtp_server

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "complaint.eml"
DOCS = Path(__file__).resolve().parent.parent / "docs" / "index.md"
PROBE_FAST = ["--timeout", "2", "--delay", "0", "--reconnect-delay", "0"]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def servers() -> Iterator[list[str]]:
    with LocalDNS(ZONE) as dns, LocalHTTP(ROUTES) as http:
        yield [
            "--nameserver",
            f"127.0.0.1:{dns.port}",
            "--rdap-url",
            http.url,
            "--timeout",
            "0.3",
            "--no-cache",
        ]


def test_the_numbers_and_their_documentation() -> None:
    assert [(s.name, int(s)) for s in ExitStatus] == [("OK", 0), ("PROBLEM", 1), ("NO_ANSWER", 2)]
    table = DOCS.read_text(encoding="utf-8")
    for status in ExitStatus:
        assert f"| {int(status)} | `{status.name}` |" in table


def test_trace(tmp_path: Path) -> None:
    assert run("trace", str(EXAMPLE)).exit_code == ExitStatus.OK
    missing = run("trace", str(EXAMPLE), str(tmp_path / "nope.eml"))
    assert missing.exit_code == ExitStatus.PROBLEM
    bad_org = tmp_path / "org.toml"
    bad_org.write_text("domains = 3\n")
    assert run("trace", str(EXAMPLE), "--org", str(bad_org)).exit_code == ExitStatus.NO_ANSWER
    assert run("trace", "--no-such-option", str(EXAMPLE)).exit_code == ExitStatus.NO_ANSWER


def test_lookup(servers: list[str]) -> None:
    assert run("lookup", GOOD, *servers).exit_code == ExitStatus.OK
    bad_url = run("lookup", GOOD, "--rdap-url", "ftp://x")
    assert bad_url.exit_code == ExitStatus.NO_ANSWER


def test_blocklist(servers: list[str]) -> None:
    assert run("blocklist", GOOD, "--zone", ZEN, *servers).exit_code == ExitStatus.OK
    assert run("blocklist", SPAM, "--zone", ZEN, *servers).exit_code == ExitStatus.PROBLEM
    assert run("blocklist", REFUSED, "--zone", ZEN, *servers).exit_code == ExitStatus.NO_ANSWER
    assert run("blocklist", "not-an-ip").exit_code == ExitStatus.NO_ANSWER


@pytest.mark.timeout(60)
def test_probe() -> None:
    with smtp_server(Policy()) as port:
        closed = run("probe", f"127.0.0.1:{port}", "--our-domain", OUR_DOMAIN, *PROBE_FAST)
    assert closed.exit_code == ExitStatus.OK, closed.output
    with smtp_server(OpenPolicy()) as port:
        opened = run("probe", f"127.0.0.1:{port}", "--our-domain", OUR_DOMAIN, *PROBE_FAST)
    assert opened.exit_code == ExitStatus.PROBLEM, opened.output
    with smtp_server(GreylistPolicy()) as port:
        grey = run("probe", f"127.0.0.1:{port}", "--our-domain", OUR_DOMAIN, *PROBE_FAST)
    assert grey.exit_code == ExitStatus.NO_ANSWER, grey.output
    assert run("probe", "127.0.0.1:2525", "--only", "nope").exit_code == ExitStatus.NO_ANSWER


def test_report(tmp_path: Path) -> None:
    assert run("report", str(EXAMPLE), "--text", str(tmp_path / "t.txt")).exit_code == ExitStatus.OK
    assert run("report", str(tmp_path / "nope.eml")).exit_code == ExitStatus.PROBLEM
    bad_org = tmp_path / "org.toml"
    bad_org.write_text("domains = 3\n")
    assert run("report", str(EXAMPLE), "--org", str(bad_org)).exit_code == ExitStatus.NO_ANSWER
    assert run("report", str(EXAMPLE), "--message", "9").exit_code == ExitStatus.NO_ANSWER
