"""Our own standing: every sending address of ours against the zones, against a DNS server
on 127.0.0.1 whose answers the tests know (and change, for the watch)."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from headertrace.enrich import DEFAULT_ZONE_NAMES, Enricher, LookupConfig
from headertrace.enrich.command import blocklist_command
from headertrace.enrich.delisting import DELISTING, delisting_for
from headertrace.enrich.ours import (
    MAX_RANGE,
    network_targets,
    org_targets,
    server_targets,
    trace_targets,
)
from headertrace.enrich.standing import Round, Standing, Targets, watch
from headertrace.judge.org import Organisation
from headertrace.tracing import trace
from tests._localdns import LocalDNS, Zone
from tests.test_enrich_online import rev, txt

ZEN = "zen.spamhaus.org"
SPAMCOP = "bl.spamcop.net"
OTHER = "bl.example-rbl.net"  # a zone that is not in the delisting table
ZONES = (ZEN, SPAMCOP, OTHER)

MX1 = "81.2.69.142"  # mx1.example.com, our outbound server
MX1_V6 = "2a02:8010:6000::25"
NET_A = "81.2.69.161"  # the two hosts of our 81.2.69.160/30
NET_B = "81.2.69.162"

ORG_TOML = """
name = "Example Corp"
domains = ["example.com"]
servers = ["mx1.example.com", "*.out.example.com", "gone.example.com"]
networks = ["81.2.69.160/30", "10.0.0.0/8", "185.129.62.0/24", "192.0.2.25/32"]
"""

MESSAGE = (
    "Received: from mx1.example.com (mx1.example.com [81.2.69.142])\r\n"
    "\tby mx.complainant.example.net (Postfix) with ESMTPS id 4QxYz1\r\n"
    "\tfor <victim@complainant.example.net>; Tue, 2 Apr 2024 10:00:05 +0000\r\n"
    "Received: from spammer (unknown [185.129.62.62])\r\n"
    "\tby mx1.example.com (Postfix) with ESMTP id 99ABCD\r\n"
    "\tfor <victim@complainant.example.net>; Tue, 2 Apr 2024 10:00:01 +0000\r\n"
    "From: <offer@spam.example.org>\r\n"
    "To: <victim@complainant.example.net>\r\n"
    "Subject: offer\r\n"
    "Message-ID: <1@spam.example.org>\r\n"
    "Date: Tue, 2 Apr 2024 10:00:00 +0000\r\n"
    "\r\n"
    "buy now\r\n"
)


def records() -> dict[tuple[str, str], list[str]]:
    return {
        ("mx1.example.com", "A"): [MX1],
        ("mx1.example.com", "AAAA"): [MX1_V6],
        (f"{rev(MX1)}.{ZEN}", "A"): ["127.0.0.2"],
        (f"{rev(MX1)}.{ZEN}", "TXT"): [txt(f"https://check.spamhaus.org/query/ip/{MX1}")],
        (f"{rev(NET_A)}.{SPAMCOP}", "A"): ["127.0.0.2"],
        (f"{rev(NET_A)}.{SPAMCOP}", "TXT"): [
            txt(f"Blocked - see https://www.spamcop.net/bl.shtml?{NET_A}")
        ],
        (f"{rev(NET_B)}.{OTHER}", "A"): ["127.0.0.3"],
        (f"{rev(NET_B)}.{ZEN}", "A"): ["127.255.255.254"],
    }


@pytest.fixture
def zone() -> Zone:
    return Zone(records=records(), drop={"gone.example.com"})


@pytest.fixture
def dns(zone: Zone) -> Iterator[LocalDNS]:
    with LocalDNS(zone) as server:
        yield server


def config(dns: LocalDNS, **kwargs: Any) -> LookupConfig:
    values: dict[str, Any] = {
        "nameservers": (dns.address,),
        "zones": ZONES,
        "timeout": 0.3,
        "budget": 3.0,
        "use_cache": False,
    }
    values.update(kwargs)
    return LookupConfig(**values)


@pytest.fixture
def org(tmp_path: Path) -> Organisation:
    path = tmp_path / "org.toml"
    path.write_text(ORG_TOML)
    return Organisation.load(path)


def by_ip(standing: Standing) -> dict[str, dict[str, str]]:
    return {a.address.ip: {r.zone: r.status for r in a.results} for a in standing.addresses}


# --- which addresses are ours --------------------------------------------------------------


def test_networks_single_and_small_ranges_are_expanded_larger_ones_are_not() -> None:
    single = network_targets(ipaddress.ip_network("81.2.69.142/32"))
    assert [a.ip for a in single.addresses] == [MX1]
    assert single.addresses[0].sources == ("networks: 81.2.69.142/32",)
    slash30 = network_targets(ipaddress.ip_network("81.2.69.160/30"))
    assert [a.ip for a in slash30.addresses] == [NET_A, NET_B]  # no network or broadcast
    slash31 = network_targets(ipaddress.ip_network("81.2.69.160/31"))
    assert [a.ip for a in slash31.addresses] == ["81.2.69.160", "81.2.69.161"]
    v6 = network_targets(ipaddress.ip_network("2a02:8010:6000::/125"))
    assert len(v6.addresses) == MAX_RANGE
    big = network_targets(ipaddress.ip_network("81.2.69.0/24"))
    assert not big.addresses
    assert "256 addresses is not checked" in big.notes[0].reason


def test_non_global_addresses_are_noted_not_checked() -> None:
    targets = network_targets(ipaddress.ip_network("192.0.2.25/32"))
    assert not targets.addresses
    assert "documentation address" in targets.notes[0].reason


def test_server_globs_cannot_be_resolved() -> None:
    targets = server_targets(["MX1.example.com.", "*.out.example.com", "81.2.69.142"])
    assert targets.servers == ("mx1.example.com",)
    assert [a.ip for a in targets.addresses] == [MX1]
    assert "cannot be resolved" in targets.notes[0].reason


def test_org_targets(org: Organisation) -> None:
    targets = org_targets(org)
    assert [a.ip for a in targets.addresses] == [NET_A, NET_B]
    assert targets.servers == ("mx1.example.com", "gone.example.com")
    subjects = {n.subject for n in targets.notes}
    assert subjects == {"10.0.0.0/8", "185.129.62.0/24", "192.0.2.25", "*.out.example.com"}


def test_trace_targets_take_the_client_above_our_verified_hops(
    org: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "complaint.eml"
    path.write_bytes(MESSAGE.encode())
    # mx1's address is ours only by name here: the org lists no network holding it
    targets = trace_targets(trace(path, org=org), org, "trace complaint.eml")
    assert not targets.addresses
    with_net = Organisation.from_options(domains=["example.com"], networks=["81.2.69.142/32"])
    targets = trace_targets(trace(path, org=with_net), with_net, "trace complaint.eml")
    assert [a.ip for a in targets.addresses] == [MX1]
    own = targets.addresses[0]
    assert own.sources == ("trace complaint.eml: hop 1, client of mx.complainant.example.net",)
    assert own.evidence and own.evidence[0].startswith("from mx1.example.com")


def test_trace_targets_by_name_when_the_org_has_no_networks(tmp_path: Path) -> None:
    path = tmp_path / "complaint.eml"
    path.write_bytes(MESSAGE.encode())
    names_only = Organisation.from_options(domains=["example.com"])
    targets = trace_targets(trace(path, org=names_only), names_only)
    assert [a.ip for a in targets.addresses] == [MX1]


def test_trace_without_a_client_of_ours_says_so(tmp_path: Path) -> None:
    path = tmp_path / "complaint.eml"
    path.write_bytes(MESSAGE.encode())
    other = Organisation.from_options(domains=["elsewhere.example"], networks=["81.2.70.1/32"])
    targets = trace_targets(trace(path, org=other), other)
    assert not targets.addresses
    assert "no hop above our verified hops" in targets.notes[0].reason


# --- checking -------------------------------------------------------------------------------


def test_standing_checks_every_address_in_one_run(dns: LocalDNS, org: Organisation) -> None:
    standing = Enricher(config(dns)).standing(org_targets(org))
    seen = by_ip(standing)
    assert seen[MX1] == {ZEN: "listed", SPAMCOP: "not_listed", OTHER: "not_listed"}
    assert seen[MX1_V6][ZEN] == "not_listed"
    assert seen[MX1_V6][SPAMCOP] == "skipped"  # SpamCop lists IPv4 only
    assert seen[MX1_V6][OTHER] == "not_listed"  # a zone not known is asked for IPv6 too
    assert seen[NET_A][SPAMCOP] == "listed"
    assert seen[NET_B] == {ZEN: "refused", SPAMCOP: "not_listed", OTHER: "listed"}
    mx1 = next(a for a in standing.addresses if a.address.ip == MX1)
    assert mx1.address.sources == ("servers: mx1.example.com (A)",)
    notes = {n.subject: n.reason for n in standing.notes}
    assert "gone.example.com" in notes  # its A and AAAA queries are never answered
    assert "*.out.example.com" in notes
    summary = standing.summary()
    assert summary["addresses"] == 4
    assert summary["listed_addresses"] == 3
    assert summary["listings"] == 3
    assert summary["failed_checks"] == 1


def test_each_listing_carries_meaning_reason_and_removal(dns: LocalDNS, org: Organisation) -> None:
    data = Enricher(config(dns)).standing(org_targets(org)).to_dict()
    listed = {(x["ip"], x["zone"]): x for x in data["listed"]}
    zen = listed[(MX1, ZEN)]
    assert zen["meanings"] == ["SBL: Spamhaus Block List (known spam source or operation)"]
    assert zen["txt"] == [f"https://check.spamhaus.org/query/ip/{MX1}"]
    assert zen["delisting"]["page"] == "https://check.spamhaus.org/"
    assert zen["sources"] == ["servers: mx1.example.com (A)"]
    spamcop = listed[(NET_A, SPAMCOP)]
    assert spamcop["delisting"]["page"] == f"https://www.spamcop.net/bl.shtml?{NET_A}"
    assert "24 hours" in spamcop["delisting"]["how"]
    other = listed[(NET_B, OTHER)]
    assert other["meanings"] == ["listed (return code 127.0.0.3)"]
    assert other["delisting"] is None
    assert "not in headertrace's table" in other["delisting_note"]
    refused = next(
        r for a in data["addresses"] if a["ip"] == NET_B for r in a["results"] if r["zone"] == ZEN
    )
    assert refused["status"] == "refused"


def test_every_default_zone_has_a_delisting_row() -> None:
    for zone in DEFAULT_ZONE_NAMES:
        row = delisting_for(zone.upper() + ".")
        assert row is not None, zone
        assert row.page.startswith("https://")
        assert row.how and row.source
    assert delisting_for(OTHER) is None
    assert len({d.zone for d in DELISTING}) == len(DELISTING)


def test_a_spent_budget_gives_results_not_a_hang(zone: Zone) -> None:
    zone.drop.add(f"*.{ZEN}")
    with LocalDNS(zone) as dns:
        targets = Targets().merge(network_targets(ipaddress.ip_network("81.2.69.160/30")))
        standing = Enricher(config(dns, budget=0.5, timeout=0.2)).standing(targets, [ZEN])
    assert {r.status for r in standing.results} <= {"timeout"}
    assert len(standing.results) == 2


# --- watching -------------------------------------------------------------------------------


def test_watch_reports_only_changes(tmp_path: Path) -> None:
    """Round 1 lists mx1 on ZEN; between rounds mx1 is delisted and NET_A gets listed on
    ZEN; in round 3 NET_A's ZEN answer is dropped, which is no change. The cache holds the
    round-1 listing, and the watch must not reuse it."""
    table = records()
    zone = Zone(records=table)
    targets = Targets().merge(server_targets(["mx1.example.com"]))
    targets = targets.merge(network_targets(ipaddress.ip_network(f"{NET_A}/32")))

    def between_rounds(interval: float) -> None:
        assert interval == 0
        if (f"{rev(MX1)}.{ZEN}", "A") in table:
            del table[(f"{rev(MX1)}.{ZEN}", "A")]
            del table[(f"{rev(MX1)}.{ZEN}", "TXT")]
            table[(f"{rev(NET_A)}.{ZEN}", "A")] = ["127.0.0.4"]
        else:
            zone.drop.add(f"{rev(NET_A)}.{ZEN}")

    with LocalDNS(zone) as dns:
        cfg = config(dns, use_cache=True, cache_path=tmp_path / "cache.sqlite3", zones=(ZEN,))
        seen: list[Round] = list(watch(Enricher(cfg), targets, 0, rounds=3, sleep=between_rounds))
    assert [r.number for r in seen] == [1, 2, 3]
    first = [(c.kind, c.ip, c.zone) for c in seen[0].changes]
    assert first == [("listed", MX1, ZEN)]
    second = sorted((c.kind, c.ip) for c in seen[1].changes)
    assert second == [("delisted", MX1), ("listed", NET_A)]
    assert seen[1].changes[0].to_dict()["change"] in ("listed", "delisted")
    assert seen[2].changes == ()
    assert by_ip(seen[2].standing)[NET_A][ZEN] == "timeout"


def test_watch_stop_hook_ends_it(dns: LocalDNS) -> None:
    targets = network_targets(ipaddress.ip_network(f"{NET_A}/32"))
    rounds = list(watch(Enricher(config(dns)), targets, 0, stop=lambda: True))
    assert len(rounds) == 1


# --- the command ----------------------------------------------------------------------------


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        pass

    group.add_command(blocklist_command)
    return group


def options(dns: LocalDNS, *zones: str) -> list[str]:
    out = ["--nameserver", f"127.0.0.1:{dns.port}", "--timeout", "0.3", "--no-cache"]
    for z in zones or ZONES:
        out += ["--zone", z]
    return out


def test_cli_org_leads_with_what_is_listed(cli: click.Group, dns: LocalDNS, tmp_path: Path) -> None:
    org_file = tmp_path / "org.toml"
    org_file.write_text(ORG_TOML)
    result = CliRunner().invoke(cli, ["blocklist", "--org", str(org_file), *options(dns)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("LISTED: 3 of 4 addresses of Example Corp")
    assert f"https://www.spamcop.net/bl.shtml?{NET_A}" in result.output
    assert "not in headertrace's table of delisting pages" in result.output
    assert "*.out.example.com" in result.output
    assert "185.129.62.0/24" in result.output


def test_cli_from_trace_json(cli: click.Group, dns: LocalDNS, tmp_path: Path) -> None:
    path = tmp_path / "complaint.eml"
    path.write_bytes(MESSAGE.encode())
    result = CliRunner().invoke(
        cli,
        [
            "blocklist",
            "--our-network",
            "81.2.69.142",
            "--from-trace",
            str(path),
            "--json",
            *options(dns),
        ],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["summary"]["addresses"] == 1
    (only,) = data["addresses"]
    assert only["sources"][0] == "networks: 81.2.69.142/32"
    assert any(s.startswith(f"trace {path}: hop 1") for s in only["sources"])
    assert data["listed"][0]["delisting"]["operator"] == "Spamhaus"


def test_cli_from_trace_needs_an_organisation(cli: click.Group, tmp_path: Path) -> None:
    path = tmp_path / "complaint.eml"
    path.write_bytes(MESSAGE.encode())
    result = CliRunner().invoke(cli, ["blocklist", "--from-trace", str(path)])
    assert result.exit_code == 2
    assert "--from-trace needs" in result.output


def test_cli_clean_exits_0(cli: click.Group, dns: LocalDNS) -> None:
    result = CliRunner().invoke(
        cli, ["blocklist", "--our-network", "81.2.69.200/32", *options(dns)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("not listed")


def test_cli_watch_prints_the_first_round_then_only_changes(
    cli: click.Group, dns: LocalDNS
) -> None:
    args = ["blocklist", "--our-server", "mx1.example.com", "--watch", "0", "--rounds", "2"]
    result = CliRunner().invoke(cli, [*args, *options(dns, ZEN)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("LISTED: 1 of 2 addresses")
    as_json = CliRunner().invoke(cli, [*args, "--json", *options(dns, ZEN)])
    changes = [json.loads(line) for line in as_json.output.splitlines()]
    assert changes == [
        {**changes[0], "round": 1, "change": "listed", "ip": MX1, "zone": ZEN},
    ]


def test_cli_rounds_without_watch_is_a_usage_error(cli: click.Group, dns: LocalDNS) -> None:
    args = ["blocklist", "--our-server", "mx1.example.com", "--rounds", "2"]
    result = CliRunner().invoke(cli, [*args, *options(dns, ZEN)])
    assert result.exit_code == 2
    assert "--watch" in result.output


def test_cli_single_address_json_names_the_removal_page(cli: click.Group, dns: LocalDNS) -> None:
    result = CliRunner().invoke(cli, ["blocklist", NET_A, "--json", *options(dns, SPAMCOP)])
    assert result.exit_code == 1, result.output
    (only,) = json.loads(result.output)
    assert only["status"] == "listed"
    assert only["delisting"]["page"].endswith(NET_A)
