"""Online attribution end to end against a DNS server and an RDAP server on 127.0.0.1.

The recorded-looking answers below follow the shapes Team Cymru, ARIN, RIPE and the DNS
blocklists really give. Nothing but loopback is contacted: the suite's socket guard fails any
other connection, and one test records every destination explicitly.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import dns.resolver
import pytest

from headertrace.enrich import (
    BlocklistResult,
    Enricher,
    IpInfo,
    LookupConfig,
    owner_of,
)
from headertrace.enrich.dnsbl import reversed_name
from headertrace.errors import LookupFailed
from headertrace.models import Client, Hop, Origin, Sender, Server, Trace, Verdict
from tests._localdns import LocalDNS, Zone, dead_tcp_port, dead_udp_port
from tests._localhttp import Canned, LocalHTTP

GOOD = "209.85.220.41"  # ARIN, forward-confirmed, on no list
SPAM = "185.129.62.62"  # RIPE, dynamic-looking rDNS, listed
REFUSED = "45.155.205.233"  # Spamhaus refuses the resolver; Cymru answer malformed; RDAP 429
SILENT = "94.102.49.190"  # Cymru NXDOMAIN, RDAP 404, PTR never answered
OURS = "81.2.69.142"  # our own outbound server, listed on SpamCop
V6 = "2a00:1450:4864:20::52f"

ZEN = "zen.spamhaus.org"
SPAMCOP = "bl.spamcop.net"
BARRACUDA = "b.barracudacentral.org"
PSBL = "psbl.surriel.com"
DRONEBL = "dnsbl.dronebl.org"


def rev(ip: str) -> str:
    return reversed_name(ipaddress.ip_address(ip))


def txt(text: str) -> str:
    return json.dumps(text)


RECORDS: dict[tuple[str, str], list[str]] = {
    # Team Cymru
    (f"{rev(GOOD)}.origin.asn.cymru.com", "TXT"): [
        txt("15169 | 209.85.128.0/17 | US | arin | 2005-06-23")
    ],
    ("as15169.asn.cymru.com", "TXT"): [txt("15169 | US | arin | 2000-03-30 | GOOGLE, US")],
    (f"{rev(SPAM)}.origin.asn.cymru.com", "TXT"): [
        txt("57043 | 185.129.0.0/16 | DK | ripencc | 2015-04-01"),
        txt("57043 | 185.129.62.0/24 | DK | ripencc | 2015-04-01"),
    ],
    ("as57043.asn.cymru.com", "TXT"): [txt("57043 | NL | ripencc | 2011-09-06 | HOSTKEY-AS, NL")],
    (f"{rev(REFUSED)}.origin.asn.cymru.com", "TXT"): [txt("no pipes in this answer")],
    (f"{rev(V6)}.origin6.asn.cymru.com", "TXT"): [
        txt("15169 | 2a00:1450::/32 | IE | ripencc | 2009-10-05")
    ],
    # reverse and forward DNS
    (f"{rev(GOOD)}.in-addr.arpa", "PTR"): ["mail-sor-f41.google.com."],
    ("mail-sor-f41.google.com", "A"): [GOOD],
    (f"{rev(SPAM)}.in-addr.arpa", "PTR"): ["host-185-129-62-62.dyn.example-hosting.dk."],
    # blocklists
    (f"{rev(SPAM)}.{ZEN}", "A"): ["127.0.0.2", "127.0.0.4"],
    (f"{rev(SPAM)}.{ZEN}", "TXT"): [txt("https://check.spamhaus.org/query/ip/185.129.62.62")],
    (f"{rev(SPAM)}.{SPAMCOP}", "A"): ["127.0.0.2"],
    (f"{rev(SPAM)}.{SPAMCOP}", "TXT"): [
        txt("Blocked - see https://www.spamcop.net/bl.shtml?185.129.62.62")
    ],
    (f"{rev(REFUSED)}.{ZEN}", "A"): ["127.255.255.254"],
    (f"{rev(OURS)}.{SPAMCOP}", "A"): ["127.0.0.2"],
    (f"{rev(SILENT)}.nxhijack.example", "A"): ["93.184.216.34"],
}

ZONE = Zone(
    records=RECORDS,
    drop={
        f"{rev(SPAM)}.{BARRACUDA}",
        f"{rev(SILENT)}.in-addr.arpa",
        "*.silent.example",
    },
    garbage={f"{rev(SPAM)}.{DRONEBL}"},
    servfail={f"{rev(REFUSED)}.{DRONEBL}"},
)


def vcard(*props: list[Any]) -> list[Any]:
    return ["vcard", [["version", {}, "text", "4.0"], *props]]


ARIN_GOOGLE: dict[str, Any] = {
    "rdapConformance": ["nro_rdap_profile_0", "rdap_level_0", "cidr0", "arin_originas0"],
    "notices": [{"title": "Terms of Service", "description": ["By using the ARIN RDAP..."]}],
    "handle": "NET-209-85-128-0-1",
    "startAddress": "209.85.128.0",
    "endAddress": "209.85.255.255",
    "ipVersion": "v4",
    "name": "GOOGLE",
    "type": "DIRECT ALLOCATION",
    "parentHandle": "NET-209-0-0-0-0",
    "cidr0_cidrs": [{"v4prefix": "209.85.128.0", "length": 17}],
    "status": ["active"],
    "port43": "whois.arin.net",
    "objectClassName": "ip network",
    "events": [{"eventAction": "registration", "eventDate": "2005-06-23T00:00:00-04:00"}],
    "entities": [
        {
            "handle": "GOGL",
            "objectClassName": "entity",
            "roles": ["registrant"],
            "vcardArray": vcard(
                ["fn", {}, "text", "Google LLC"],
                [
                    "adr",
                    {"label": "1600 Amphitheatre Parkway\nMountain View\nCA\n94043\nUnited States"},
                    "text",
                    ["", "", "", "", "", "", ""],
                ],
                ["kind", {}, "text", "org"],
            ),
            "entities": [
                {
                    "handle": "ABUSE5250-ARIN",
                    "objectClassName": "entity",
                    "roles": ["abuse"],
                    "vcardArray": vcard(
                        ["fn", {}, "text", "Abuse"],
                        ["org", {}, "text", "Abuse"],
                        ["kind", {}, "text", "group"],
                        ["email", {}, "text", "network-abuse@google.com"],
                        ["tel", {"type": ["work", "voice"]}, "text", "+1-650-253-0000"],
                    ),
                },
                {
                    "handle": "ZG39-ARIN",
                    "objectClassName": "entity",
                    "roles": ["administrative", "technical"],
                    "vcardArray": vcard(
                        ["fn", {}, "text", "Google LLC"],
                        ["kind", {}, "text", "group"],
                        ["email", {}, "text", "arin-contact@google.com"],
                        ["tel", {"type": ["work", "voice"]}, "text", "+1-650-253-0000"],
                    ),
                },
            ],
        }
    ],
}

RIPE_HOSTING: dict[str, Any] = {
    "rdapConformance": ["cidr0", "rdap_level_0", "nro_rdap_profile_0", "redacted"],
    "objectClassName": "ip network",
    "handle": "185.129.62.0 - 185.129.62.255",
    "startAddress": "185.129.62.0",
    "endAddress": "185.129.62.255",
    "ipVersion": "v4",
    "name": "DK-EXAMPLEHOST-20150401",
    "type": "ASSIGNED PA",
    "country": "DK",
    "parentHandle": "185.129.0.0 - 185.129.255.255",
    "cidr0_cidrs": [{"v4prefix": "185.129.62.0", "length": 24}],
    "status": ["active"],
    "entities": [
        {
            "handle": "ORG-EH12-RIPE",
            "objectClassName": "entity",
            "roles": ["registrant"],
            "vcardArray": vcard(
                ["fn", {}, "text", "Example Hosting ApS"],
                ["kind", {}, "text", "org"],
                ["adr", {"label": "Vesterbrogade 1\n1620 Copenhagen\nDENMARK"}, "text", None],
            ),
        },
        {
            "handle": "AR41262-RIPE",
            "objectClassName": "entity",
            "roles": ["abuse"],
            "vcardArray": vcard(
                ["fn", {}, "text", "Abuse contact role object"],
                ["kind", {}, "text", "group"],
                ["email", {"type": "abuse"}, "text", "abuse@example-hosting.dk"],
                ["tel", {"type": "voice"}, "uri", "tel:+45-70-20-30-40;ext=2"],
            ),
        },
        {"handle": "EHNOC-RIPE", "objectClassName": "entity", "roles": ["technical"]},
    ],
    "remarks": [{"description": ["Abuse reports: abuse@example-hosting.dk"]}],
    "port43": "whois.ripe.net",
}

ROUTES = {
    f"/ip/{GOOD}": Canned(200, ARIN_GOOGLE),
    f"/ip/{SPAM}": Canned(200, RIPE_HOSTING),
    f"/ip/{REFUSED}": Canned(
        429, {"errorCode": 429, "title": "Too Many Requests"}, {"Retry-After": "60"}
    ),
    f"/ip/{OURS}": Canned(200, "this is not json"),
}


@pytest.fixture(scope="module")
def dns_server() -> Iterator[LocalDNS]:
    with LocalDNS(ZONE) as server:
        yield server


@pytest.fixture(scope="module")
def rdap_server() -> Iterator[LocalHTTP]:
    with LocalHTTP(ROUTES) as server:
        yield server


def config(dns_port: int, rdap_url: str, **kwargs: Any) -> LookupConfig:
    values: dict[str, Any] = {
        "nameservers": (("127.0.0.1", dns_port),),
        "rdap_url": rdap_url,
        "timeout": 0.3,
        "budget": 3.0,
        "use_cache": False,
    }
    values.update(kwargs)
    return LookupConfig(**values)


@pytest.fixture
def enricher(dns_server: LocalDNS, rdap_server: LocalHTTP) -> Enricher:
    return Enricher(config(dns_server.port, rdap_server.url))


def by_zone(results: list[BlocklistResult]) -> dict[str, BlocklistResult]:
    return {r.zone: r for r in results}


def steps(info: IpInfo) -> dict[str, str]:
    return {e.step: e.status for e in info.errors}


# --- lookup_ip --------------------------------------------------------------------------------


def test_lookup_ip_arin_network_with_nested_abuse_contact(enricher: Enricher) -> None:
    info = enricher.lookup_ip(GOOD)
    assert info.errors == ()
    assert info.asn == 15169
    assert info.as_name == "GOOGLE, US"
    assert info.prefix == "209.85.128.0/17"
    assert info.country == "US"
    assert info.registry == "arin"
    assert info.allocated == "2005-06-23"
    assert info.network_name == "GOOGLE"
    assert info.network_handle == "NET-209-85-128-0-1"
    assert info.network_range == "209.85.128.0/17"
    assert info.registrant == "Google LLC"
    assert info.abuse_emails == ("network-abuse@google.com",)
    assert info.abuse_phones == ("+1-650-253-0000",)
    assert info.ptr == ("mail-sor-f41.google.com",)
    assert info.fcrdns is True
    assert info.confirmed_name == "mail-sor-f41.google.com"
    assert info.rdap_source is not None
    assert info.rdap_source.endswith(f"/ip/{GOOD}")
    json.dumps(info.to_dict())


def test_lookup_ip_ripe_network_longest_prefix_and_unconfirmed_rdns(enricher: Enricher) -> None:
    info = enricher.lookup_ip(SPAM)
    assert info.asn == 57043
    assert info.prefix == "185.129.62.0/24"
    assert info.country == "DK"
    assert info.registry == "ripencc"
    assert info.registrant == "Example Hosting ApS"
    assert info.abuse_emails == ("abuse@example-hosting.dk",)
    assert info.abuse_phones == ("+45-70-20-30-40",)
    assert info.ptr == ("host-185-129-62-62.dyn.example-hosting.dk",)
    assert info.fcrdns is False
    assert info.errors == ()


def test_lookup_ip_malformed_cymru_answer_and_rdap_429(enricher: Enricher) -> None:
    info = enricher.lookup_ip(REFUSED)
    assert steps(info) == {"asn": "malformed", "rdap": "rate-limited"}
    assert info.asn is None
    assert "Retry-After: 60" in next(e.detail for e in info.errors if e.step == "rdap")
    assert info.ptr == ()
    assert info.fcrdns is False


def test_lookup_ip_nxdomain_404_and_silent_server(enricher: Enricher) -> None:
    started = time.monotonic()
    info = enricher.lookup_ip(SILENT)
    assert time.monotonic() - started < 2.0
    assert steps(info) == {"asn": "nxdomain", "rdap": "not-found", "ptr": "timeout"}
    assert info.fcrdns is None


def test_lookup_ip_malformed_rdap_json(enricher: Enricher) -> None:
    info = enricher.lookup_ip(OURS)
    assert steps(info)["rdap"] == "malformed"


def test_lookup_ipv6_uses_origin6(enricher: Enricher) -> None:
    info = enricher.lookup_ip(V6)
    assert info.asn == 15169
    assert info.prefix == "2a00:1450::/32"
    assert info.as_name == "GOOGLE, US"


def test_lookup_ip_unwraps_mapped_ipv6(enricher: Enricher) -> None:
    assert enricher.lookup_ip(f"::ffff:{GOOD}").asn == 15169


def test_lookup_non_global_address_asks_nobody(
    dns_server: LocalDNS, rdap_server: LocalHTTP
) -> None:
    before = len(dns_server.queries)
    info = Enricher(config(dns_server.port, rdap_server.url)).lookup_ip("10.1.2.3")
    assert info.ip_class == "private"
    assert steps(info) == {"lookup": "skipped"}
    assert len(dns_server.queries) == before


def test_lookup_ip_rejects_non_addresses(enricher: Enricher) -> None:
    with pytest.raises(LookupFailed):
        enricher.lookup_ip("mail.example.com")


def test_lookup_host(enricher: Enricher) -> None:
    host = enricher.lookup_host("MAIL-SOR-F41.google.com.")
    assert host.name == "mail-sor-f41.google.com"
    assert host.registered_domain == "google.com"
    assert host.addresses == (GOOD,)
    assert host.ips[0].asn == 15169
    assert host.errors == ()


def test_lookup_host_nxdomain(enricher: Enricher) -> None:
    host = enricher.lookup_host("nothing-here.example.net")
    assert host.addresses == ()
    assert {e.status for e in host.errors} == {"nxdomain"}


# --- blocklists -------------------------------------------------------------------------------


def test_blocklists_decode_listings_and_record_every_failure(enricher: Enricher) -> None:
    results = by_zone(enricher.blocklists(SPAM))
    assert set(results) == {ZEN, SPAMCOP, BARRACUDA, PSBL, DRONEBL}
    zen = results[ZEN]
    assert zen.status == "listed"
    assert zen.query == f"62.62.129.185.{ZEN}"
    assert set(zen.codes) == {"127.0.0.2", "127.0.0.4"}
    assert any(m.startswith("SBL:") for m in zen.meanings)
    assert any(m.startswith("XBL:") for m in zen.meanings)
    assert zen.txt == ("https://check.spamhaus.org/query/ip/185.129.62.62",)
    assert results[SPAMCOP].status == "listed"
    assert "spamcop.net" in results[SPAMCOP].txt[0]
    assert results[BARRACUDA].status == "timeout"
    assert results[PSBL].status == "not_listed"
    # bytes that are not DNS are ignored by the client (as spoofed packets would be), so
    # the garbage answer shows as a timeout, never as a listing
    assert results[DRONEBL].status == "timeout"


def test_servfail_is_an_error(enricher: Enricher) -> None:
    result = by_zone(enricher.blocklists(REFUSED))[DRONEBL]
    assert result.status == "error"
    assert result.detail


def test_refused_answers_are_never_a_listing(enricher: Enricher) -> None:
    zen = by_zone(enricher.blocklists(REFUSED))[ZEN]
    assert zen.status == "refused"
    assert zen.codes == ("127.255.255.254",)
    assert "public or open resolver" in zen.meanings[0]
    assert not any(r.status == "listed" for r in enricher.blocklists(REFUSED))


def test_answer_outside_loopback_is_an_error_not_a_listing(enricher: Enricher) -> None:
    (result,) = enricher.blocklists(SILENT, zones=["nxhijack.example"])
    assert result.status == "error"
    assert "outside 127.0.0.0/8" in result.meanings[0]


def test_custom_zone_generic_decoding(dns_server: LocalDNS, rdap_server: LocalHTTP) -> None:
    enricher = Enricher(config(dns_server.port, rdap_server.url, zones=(SPAMCOP,)))
    (result,) = enricher.blocklists(OURS)
    assert result.status == "listed"
    assert result.meanings == ("SpamCop: reported as a spam source",)


def test_blocklists_skip_what_cannot_be_listed(enricher: Enricher) -> None:
    assert {r.status for r in enricher.blocklists("192.168.1.1")} == {"skipped"}
    v6 = by_zone(enricher.blocklists(V6))
    assert v6[SPAMCOP].status == "skipped"
    assert v6[ZEN].status == "not_listed"
    query = v6[ZEN].query
    assert query is not None
    assert query.endswith(f".{ZEN}")
    assert len(query.split(".")) == 32 + 3


# --- dead servers, timeouts, the budget -----------------------------------------------------


def test_dead_dns_and_rdap_servers_do_not_hang() -> None:
    enricher = Enricher(
        config(dead_udp_port(), f"http://127.0.0.1:{dead_tcp_port()}", timeout=0.3, budget=2.0)
    )
    started = time.monotonic()
    info = enricher.lookup_ip(GOOD)
    listings = enricher.blocklists(GOOD)
    assert time.monotonic() - started < 4.0
    assert steps(info)["rdap"] == "unreachable"
    assert steps(info)["asn"] in {"timeout", "error"}
    assert steps(info)["ptr"] in {"timeout", "error"}
    assert all(r.status in {"timeout", "error"} for r in listings)


def test_slow_rdap_server_times_out(dns_server: LocalDNS) -> None:
    # The bounds below sit far between the configured limit and what waiting for the
    # server would take, so that a loaded CI machine cannot make them flaky.
    with LocalHTTP({f"/ip/{GOOD}": Canned(200, ARIN_GOOGLE, delay=10.0)}) as slow:
        enricher = Enricher(config(dns_server.port, slow.url, timeout=0.3))
        started = time.monotonic()
        info = enricher.lookup_ip(GOOD)
        assert time.monotonic() - started < 5.0
    # RDAP gave no abuse contact, so ARIN's whois was the second step (unknown to the DNS)
    assert steps(info) == {"rdap": "timeout", "whois:arin": "nxdomain"}
    assert info.asn == 15169


def test_a_trickling_rdap_server_cannot_outlast_the_budget(dns_server: LocalDNS) -> None:
    with LocalHTTP({f"/ip/{GOOD}": Canned(200, ARIN_GOOGLE, trickle=0.05)}) as drip:
        enricher = Enricher(config(dns_server.port, drip.url, timeout=0.3, budget=0.8))
        started = time.monotonic()
        info = enricher.lookup_ip(GOOD)
        assert time.monotonic() - started < 5.0  # the body alone would trickle for minutes
    assert steps(info) == {"rdap": "timeout", "whois:arin": "budget"}


def test_enrich_trace_with_a_private_origin_asks_nobody(
    dns_server: LocalDNS, rdap_server: LocalHTTP
) -> None:
    hops = (Hop(raw="from pc (pc [10.0.0.7]) by mx1.example.org", client=Client(ip="10.0.0.7")),)
    trace = Trace(hops=hops, origin=Origin(hop=0, ip="10.0.0.7", rdns=None, helo="pc", reason=""))
    before = (len(dns_server.queries), len(rdap_server.requests))
    out = Enricher(config(dns_server.port, rdap_server.url)).enrich_trace(trace)
    assert (len(dns_server.queries), len(rdap_server.requests)) == before
    attribution = out.hops[0].attribution
    assert attribution is not None
    assert attribution.ip_class == "private"
    assert attribution.network is None


def test_the_budget_bounds_the_whole_lookup(dns_server: LocalDNS, rdap_server: LocalHTTP) -> None:
    zones = tuple(f"z{i}.silent.example" for i in range(40))  # 8 s without the budget
    enricher = Enricher(
        config(
            dns_server.port, rdap_server.url, zones=zones, timeout=0.4, budget=0.5, concurrency=2
        )
    )
    started = time.monotonic()
    results = enricher.blocklists(GOOD)
    assert time.monotonic() - started < 4.0
    assert len(results) == 40
    assert {r.status for r in results} == {"timeout"}


def test_missing_system_resolver_configuration_is_recorded(
    monkeypatch: pytest.MonkeyPatch, rdap_server: LocalHTTP
) -> None:
    real = dns.resolver.Resolver

    def resolver(filename: str = "/etc/resolv.conf", configure: bool = True) -> Any:
        if configure:
            raise dns.resolver.NoResolverConfiguration
        return real(filename, configure=False)

    monkeypatch.setattr(dns.resolver, "Resolver", resolver)
    enricher = Enricher(LookupConfig(rdap_url=rdap_server.url, timeout=0.3, use_cache=False))
    info = enricher.lookup_ip(GOOD)
    assert steps(info)["asn"] == "error"
    assert "no resolver configured" in next(e.detail for e in info.errors if e.step == "asn")
    assert info.registrant == "Google LLC"


def test_only_loopback_is_ever_contacted(
    monkeypatch: pytest.MonkeyPatch, enricher: Enricher
) -> None:
    seen: list[Any] = []
    connect, sendto = socket.socket.connect, socket.socket.sendto

    def record_connect(self: socket.socket, address: Any) -> None:
        seen.append(address)
        connect(self, address)

    def record_sendto(self: socket.socket, data: Any, *args: Any) -> int:
        seen.append(args[-1])
        return sendto(self, data, *args)

    monkeypatch.setattr(socket.socket, "connect", record_connect)
    monkeypatch.setattr(socket.socket, "sendto", record_sendto)
    enricher.lookup_ip(GOOD)
    enricher.blocklists(SPAM)
    assert seen
    assert {a[0] for a in seen} == {"127.0.0.1"}


# --- the trace ------------------------------------------------------------------------------


def spam_trace() -> Trace:
    hops = (
        Hop(
            raw=f"from localhost (host-185-129-62-62.dyn.example-hosting.dk [{SPAM}]) "
            "by mx1.example.org (Postfix) with ESMTP id 4XyZ1",
            client=Client(
                ip=SPAM,
                helo="localhost",
                rdns="host-185-129-62-62.dyn.example-hosting.dk",
                rdns_status="present",
            ),
            server=Server(host="mx1.example.org", ip=OURS),
            index=0,
        ),
        Hop(
            raw="from mx1.example.org (mx1.example.org [10.0.0.25]) by imap.example.org",
            client=Client(ip="10.0.0.25", helo="mx1.example.org", rdns="mx1.example.org"),
            server=Server(host="imap.example.org"),
            index=1,
        ),
    )
    return Trace(
        hops=hops,
        origin=Origin(hop=0, ip=SPAM, rdns=None, helo="localhost", reason="first untrusted"),
        verdict=Verdict(kind="inbound", summary="spam from outside", sender=Sender(ip=SPAM)),
    )


def test_enrich_trace_fills_origin_and_our_servers(enricher: Enricher) -> None:
    out = enricher.enrich_trace(spam_trace(), our_ips=[OURS])
    origin_attr = out.hops[0].attribution
    assert origin_attr is not None
    assert origin_attr.network is not None
    assert origin_attr.network.abuse_emails == ("abuse@example-hosting.dk",)
    assert origin_attr.listed
    assert origin_attr.helo_kind == "localhost"
    inner = out.hops[1].attribution
    assert inner is not None
    assert inner.ip_class == "private"
    assert inner.network is None
    codes = {f.code: f for f in out.findings}
    assert {
        "helo-localhost-external",
        "rdns-dynamic",
        "origin-listed",
        "own-server-listed",
        "rdns-not-confirmed",
        "lookup-incomplete",
    } <= set(codes)
    assert codes["own-server-listed"].severity == "critical"
    assert codes["own-server-listed"].hop == 0
    assert any("bl.spamcop.net" in e.text for e in codes["own-server-listed"].evidence)
    assert codes["origin-listed"].hop == 0
    assert out.verdict is not None
    assert out.verdict.sender.ip == SPAM
    owner = out.verdict.sender.owner
    assert owner is not None
    assert owner.abuse_emails == ("abuse@example-hosting.dk",)
    assert owner.network_owner == "Example Hosting ApS"
    assert json.loads(out.to_json())["verdict"]["sender"]["abuse_emails"] == [
        "abuse@example-hosting.dk"
    ]
    data = json.loads(out.to_json())
    assert data["hops"][0]["attribution"]["network"]["asn"] == 57043


def test_enrich_trace_with_everything_dead_never_raises() -> None:
    enricher = Enricher(
        config(dead_udp_port(), f"http://127.0.0.1:{dead_tcp_port()}", timeout=0.2, budget=1.0)
    )
    started = time.monotonic()
    out = enricher.enrich_trace(spam_trace(), our_ips=[OURS])
    assert time.monotonic() - started < 3.0
    attribution = out.hops[0].attribution
    assert attribution is not None
    assert attribution.network is not None
    assert attribution.network.errors
    assert "lookup-incomplete" in {f.code for f in out.findings}
    assert "origin-listed" not in {f.code for f in out.findings}


def test_enrich_trace_without_origin_uses_the_oldest_global_client(enricher: Enricher) -> None:
    trace = Trace(hops=spam_trace().hops)
    out = enricher.enrich_trace(trace)
    first = out.hops[0].attribution
    assert first is not None
    assert first.network is not None
    assert first.network.asn == 57043


def test_owner_of() -> None:
    info = IpInfo(ip=GOOD, ip_class="global", asn=15169, registrant="Google LLC")
    owner = owner_of(info)
    assert owner.asn == 15169
    assert owner.network_owner == "Google LLC"
    json.dumps(owner.to_dict())
