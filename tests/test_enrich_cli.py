"""``headertrace lookup`` and ``headertrace blocklist``, run in-process with CliRunner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from headertrace.enrich import LookupConfig, parse_nameserver
from headertrace.enrich.command import (
    blocklist_command,
    blocklist_exit_code,
    config_from_options,
    lookup_command,
    lookup_options,
    online_option,
)
from headertrace.enrich.records import BlocklistResult
from headertrace.errors import ConfigurationError
from tests._localdns import LocalDNS, dead_udp_port
from tests._localhttp import LocalHTTP
from tests.test_enrich_online import GOOD, REFUSED, ROUTES, SPAM, SPAMCOP, ZEN, ZONE


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[LocalDNS, LocalHTTP]]:
    with LocalDNS(ZONE) as dns, LocalHTTP(ROUTES) as http:
        yield dns, http


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        pass

    group.add_command(lookup_command)
    group.add_command(blocklist_command)
    return group


def common(servers: tuple[LocalDNS, LocalHTTP]) -> list[str]:
    dns, http = servers
    return [
        "--nameserver",
        f"127.0.0.1:{dns.port}",
        "--rdap-url",
        http.url,
        "--timeout",
        "0.3",
        "--no-cache",
    ]


def test_lookup_json(cli: click.Group, servers: tuple[LocalDNS, LocalHTTP]) -> None:
    result = CliRunner().invoke(cli, ["lookup", GOOD, "--json", *common(servers)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["asn"] == 15169
    assert data["abuse_emails"] == ["network-abuse@google.com"]
    assert data["fcrdns"] is True


def test_lookup_text(cli: click.Group, servers: tuple[LocalDNS, LocalHTTP]) -> None:
    result = CliRunner().invoke(cli, ["lookup", SPAM, *common(servers)])
    assert result.exit_code == 0, result.output
    assert "AS57043" in result.output
    assert "abuse@example-hosting.dk" in result.output
    assert "not confirmed" in result.output


def test_lookup_host(cli: click.Group, servers: tuple[LocalDNS, LocalHTTP]) -> None:
    result = CliRunner().invoke(cli, ["lookup", "mail-sor-f41.google.com", *common(servers)])
    assert result.exit_code == 0, result.output
    assert "google.com" in result.output
    assert GOOD in result.output
    assert "network-abuse@google.com" in result.output


def test_lookup_uses_the_cache_option(
    cli: click.Group, servers: tuple[LocalDNS, LocalHTTP], tmp_path: Path
) -> None:
    dns, http = servers
    cache = tmp_path / "c.sqlite3"
    args = ["lookup", GOOD, "--nameserver", f"127.0.0.1:{dns.port}", "--rdap-url", http.url]
    assert CliRunner().invoke(cli, [*args, "--cache", str(cache)]).exit_code == 0
    assert cache.exists()


def test_blocklist_listed_exits_1(cli: click.Group, servers: tuple[LocalDNS, LocalHTTP]) -> None:
    result = CliRunner().invoke(
        cli, ["blocklist", SPAM, "--zone", ZEN, "--zone", SPAMCOP, *common(servers)]
    )
    assert result.exit_code == 1, result.output
    assert "listed" in result.output
    assert "SBL" in result.output


def test_blocklist_clean_exits_0(cli: click.Group, servers: tuple[LocalDNS, LocalHTTP]) -> None:
    result = CliRunner().invoke(cli, ["blocklist", GOOD, "--zone", ZEN, "--json", *common(servers)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["status"] == "not_listed"


def test_blocklist_refused_everywhere_exits_2(
    cli: click.Group, servers: tuple[LocalDNS, LocalHTTP]
) -> None:
    result = CliRunner().invoke(cli, ["blocklist", REFUSED, "--zone", ZEN, *common(servers)])
    assert result.exit_code == 2, result.output
    assert "refused" in result.output


def test_blocklist_dead_resolver_exits_2(cli: click.Group) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "blocklist",
            GOOD,
            "--nameserver",
            f"127.0.0.1:{dead_udp_port()}",
            "--timeout",
            "0.2",
            "--no-cache",
            "--json",
        ],
    )
    assert result.exit_code == 2, result.output
    assert {r["status"] for r in json.loads(result.output)} <= {"timeout", "error"}


def test_bad_arguments(cli: click.Group) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["blocklist", "not-an-ip"]).exit_code == 2
    bad_ns = runner.invoke(cli, ["lookup", GOOD, "--nameserver", "dns.example.net"])
    assert bad_ns.exit_code == 2
    assert "IP address" in bad_ns.output
    assert runner.invoke(cli, ["lookup", GOOD, "--rdap-url", "ftp://x"]).exit_code == 2


def test_lookup_options_and_config_from_options() -> None:
    seen: dict[str, Any] = {}

    @click.command()
    @online_option
    @lookup_options
    def trace(online: bool, **options: Any) -> None:
        seen["online"] = online
        seen["config"] = config_from_options(**options)

    result = CliRunner().invoke(
        trace,
        [
            "--online",
            "--nameserver",
            "127.0.0.1:5353",
            "--nameserver",
            "[::1]:5354",
            "--rdap-url",
            "http://127.0.0.1:8080",
            "--budget",
            "4",
            "--no-cache",
        ],
    )
    assert result.exit_code == 0, result.output
    config: LookupConfig = seen["config"]
    assert seen["online"] is True
    assert config.nameservers == (("127.0.0.1", 5353), ("::1", 5354))
    assert config.rdap_url == "http://127.0.0.1:8080"
    assert config.budget == 4.0
    assert config.use_cache is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("::1", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
        ("[2001:db8::53]", ("2001:db8::53", 53)),
        ("localhost:53", ("localhost", 53)),
    ],
)
def test_parse_nameserver(text: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["", "127.0.0.1:0", "127.0.0.1:x", "[::1", "[::1]x"])
def test_parse_nameserver_rejects(text: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_nameserver(text)


def test_config_from_options_maps_localhost() -> None:
    assert config_from_options(nameservers=["localhost:5353"]).nameservers == (("127.0.0.1", 5353),)


def test_blocklist_exit_code() -> None:
    listed = BlocklistResult("z", GOOD, "listed")
    clean = BlocklistResult("z", GOOD, "not_listed")
    failed = BlocklistResult("z", GOOD, "timeout")
    assert blocklist_exit_code([listed, failed]) == 1
    assert blocklist_exit_code([clean, failed]) == 0
    assert blocklist_exit_code([failed, BlocklistResult("z", GOOD, "refused")]) == 2
    assert blocklist_exit_code([]) == 2
