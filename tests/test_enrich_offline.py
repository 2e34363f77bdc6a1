"""Offline attribution: address classes, registered domains, consistency findings."""

from __future__ import annotations

import dataclasses
import itertools
import json
import pickle
import socket
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headertrace.addresses import normalise_host, parse_ip, rdns_has_dynamic_word
from headertrace.enrich import (
    Attribution,
    attribute_offline,
    classify_ip,
    consistency_findings,
    enrich_offline,
    helo_kind,
    ip_note,
    normalise_ip,
    offline,
    rdns_embeds_address,
    registered_domain,
)
from headertrace.enrich.offline import merge_findings
from headertrace.enrich.records import Domains
from headertrace.intake import open_complaint
from headertrace.models import Client, Evidence, Finding, Hop, Origin, Server, Trace
from headertrace.parse.headers import split_header_block
from headertrace.tracing import hops_from_values


def hop(
    index: int = 0,
    *,
    ip: str | None = None,
    helo: str | None = None,
    rdns: str | None = None,
    by: str | None = "mx1.example.org",
) -> Hop:
    raw = f"from {helo} ({rdns} [{ip}]) by {by} with ESMTP id ABC{index}"
    return Hop(
        raw=raw,
        client=Client(ip=ip, helo=helo, rdns=rdns, rdns_status="present" if rdns else "none"),
        server=Server(host=by),
        index=index,
    )


# --- address classes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("172.32.0.1", "global"),
        ("192.168.1.10", "private"),
        ("fd12:3456:789a::1", "private"),
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("169.254.10.20", "link-local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("100.64.0.1", "shared"),
        ("100.127.255.254", "shared"),
        ("100.128.0.1", "global"),
        ("192.0.2.1", "documentation"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.99", "documentation"),
        ("2001:db8::25", "documentation"),
        ("0.1.2.3", "reserved"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("198.18.0.1", "reserved"),
        ("192.0.0.8", "reserved"),
        ("224.0.0.5", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("8.8.8.8", "global"),
        ("209.85.220.41", "global"),
        ("2a00:1450:4864:20::52f", "global"),
        ("not-an-ip", "invalid"),
        ("", "invalid"),
        ("999.1.1.1", "invalid"),
    ],
)
def test_classify_ip(ip: str, expected: str) -> None:
    assert classify_ip(ip) == expected


def test_classify_ip_unwraps_ipv4_mapped_ipv6() -> None:
    assert classify_ip("::ffff:10.0.0.1") == "private"
    assert classify_ip("::ffff:209.85.220.41") == "global"
    assert classify_ip("[IPv6:::ffff:192.168.0.1]") == "private"
    assert normalise_ip("::ffff:209.85.220.41") == "209.85.220.41"


def test_classify_ip_accepts_header_spellings() -> None:
    assert classify_ip("[10.0.0.1]") == "private"
    assert classify_ip("IPv6:2001:db8::1") == "documentation"
    assert classify_ip(" 8.8.4.4 ") == "global"
    assert classify_ip(None) == "invalid"


def test_ip_note_names_the_block() -> None:
    assert ip_note("192.0.2.1") == "TEST-NET-1, RFC 5737"
    assert ip_note("100.64.1.1") == "Shared address space (CGNAT), RFC 6598"
    assert ip_note("8.8.8.8") is None


@given(st.ip_addresses())
@settings(max_examples=300, deadline=None)
def test_every_address_has_exactly_one_known_class(address: Any) -> None:
    cls = classify_ip(str(address))
    assert cls in {
        "private",
        "loopback",
        "link-local",
        "shared",
        "documentation",
        "reserved",
        "multicast",
        "unspecified",
        "global",
    }
    if cls == "global":
        assert not address.is_loopback
        assert not address.is_multicast
        assert not address.is_link_local


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_classify_and_domains_never_raise(text: str) -> None:
    classify_ip(text)
    registered_domain(text)
    helo_kind(text)


# --- registered domains --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("mail.example.com", "example.com"),
        ("MAIL.Example.COM.", "example.com"),
        ("mx1.mail.example.co.uk", "example.co.uk"),
        ("smtp.example.com.au", "example.com.au"),
        ("a.b.city.kawasaki.jp", "city.kawasaki.jp"),
        ("mail-sor-f41.google.com", "google.com"),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai"),
        ("почта.пример.рф.", "xn--e1afmkfd.xn--p1ai"),
        ("www.xn--e1afmkfd.xn--p1ai", "xn--e1afmkfd.xn--p1ai"),
        ("mx.bücher.de", "xn--bcher-kva.de"),
        ("example.com", "example.com"),
        ("co.uk", None),
        ("localhost", None),
        ("mailhost", None),
        ("host.local", None),
        ("exchange.corp.internal", None),
        ("192.0.2.1", None),
        ("[192.0.2.1]", None),
        ("[IPv6:2001:db8::1]", None),
        ("", None),
        (None, None),
    ],
)
def test_registered_domain(host: str | None, expected: str | None) -> None:
    assert registered_domain(host) == expected


def test_registered_domain_private_section_is_opt_in() -> None:
    assert registered_domain("someone.blogspot.com") == "blogspot.com"
    assert registered_domain("someone.blogspot.com", include_private=True) == (
        "someone.blogspot.com"
    )
    assert registered_domain("bucket.s3.amazonaws.com") == "amazonaws.com"


def test_registered_domain_never_uses_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import tldextract

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("module-level tldextract.extract must not be used")

    monkeypatch.setattr(tldextract, "extract", forbidden)
    assert registered_domain("www.example.org") == "example.org"


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("helo", "kind"),
    [
        ("mail.example.com", "fqdn"),
        ("[203.0.113.5]", "literal"),
        ("203.0.113.5", "literal"),
        ("[IPv6:2001:db8::1]", "literal"),
        ("[127.0.0.1]", "localhost"),
        ("localhost", "localhost"),
        ("localhost.localdomain", "localhost"),
        ("LOCALHOST", "localhost"),
        ("DESKTOP-7Q2KJ3", "bare"),
        ("user", "bare"),
        (None, None),
        ("", None),
    ],
)
def test_helo_kind(helo: str | None, kind: str | None) -> None:
    assert helo_kind(helo) == kind


@pytest.mark.parametrize(
    ("rdns", "ip", "dynamic"),
    [
        ("host-85-12-34-56.dyn.example.net", "85.12.34.56", True),
        ("85-12-34-56.pool.example.net", "85.12.34.56", True),
        ("56.34.12.85.dsl.example.net", "85.12.34.56", True),
        ("ip085012034056.example.net", "85.12.34.56", True),
        ("dsl-55c22238.example.net", "85.194.34.56", True),
        ("dsl-55c22238.example.net", "85.194.34.57", False),
        ("550c2238.cust.example.net", "85.12.34.56", True),
        ("mail-sor-f41.google.com", "209.85.220.41", False),
        ("mx1.example.org", "85.12.34.56", False),
        ("host-85-12-34-57.dyn.example.net", "85.12.34.56", False),
        (None, "85.12.34.56", False),
        ("host-85-12-34-56.example.net", None, False),
    ],
)
def test_rdns_embeds_address(rdns: str | None, ip: str | None, dynamic: bool) -> None:
    assert rdns_embeds_address(rdns, ip) is dynamic


# --- attribution and findings --------------------------------------------------------------


def test_attribute_offline_fills_classes_and_domains() -> None:
    h = Hop(
        raw="from mail.sender.co.uk (mx-out.sender.co.uk [::ffff:81.2.69.142]) by mx1.example.org",
        client=Client(
            ip="::ffff:81.2.69.142", helo="mail.sender.co.uk", rdns="mx-out.sender.co.uk"
        ),
        server=Server(host="mx1.example.org", ip="10.0.0.25"),
    )
    a = attribute_offline(h)
    assert isinstance(a, Attribution)
    assert a.ip == "81.2.69.142"
    assert a.ip_class == "global"
    assert a.server_ip_class == "private"
    assert a.helo_kind == "fqdn"
    assert (a.domains.helo, a.domains.rdns, a.domains.by) == (
        "sender.co.uk",
        "sender.co.uk",
        "example.org",
    )
    assert a.rdns_dynamic is False
    assert a.network is None
    data = json.loads(json.dumps(a.to_dict()))
    assert data["ip_class"] == "global"
    assert data["domains"] == {"helo": "sender.co.uk", "rdns": "sender.co.uk", "by": "example.org"}


def test_attribute_offline_without_client_address() -> None:
    a = attribute_offline(
        Hop(raw="by mx1.example.org with LMTP", server=Server(host="mx1.example.org"))
    )
    assert a.ip is None
    assert a.ip_class is None
    assert a.domains.by == "example.org"


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_helo_literal_mismatch() -> None:
    h = hop(2, ip="85.12.34.56", helo="[10.9.9.9]", rdns=None)
    found = consistency_findings([h])
    assert codes(found) == ["helo-literal-mismatch"]
    assert found[0].severity == "warning"
    assert found[0].hop == 2
    assert found[0].evidence == (Evidence.received(h.raw),)


def test_helo_literal_matching_the_address_is_fine() -> None:
    assert consistency_findings([hop(ip="85.12.34.56", helo="[85.12.34.56]")]) == []
    assert consistency_findings([hop(ip="::ffff:85.12.34.56", helo="[85.12.34.56]")]) == []


def test_helo_localhost_and_bare_names_from_outside() -> None:
    found = consistency_findings(
        [
            hop(0, ip="85.12.34.56", helo="localhost"),
            hop(1, ip="85.12.34.57", helo="DESKTOP-7Q2KJ3"),
        ]
    )
    assert codes(found) == ["helo-localhost-external", "helo-not-fqdn"]


def test_helo_localhost_and_bare_names_from_inside_are_normal() -> None:
    found = consistency_findings(
        [hop(0, ip="127.0.0.1", helo="localhost"), hop(1, ip="10.0.0.8", helo="WORKSTATION7")]
    )
    assert found == []


def test_external_predicate_is_respected() -> None:
    h = hop(0, ip="10.0.0.8", helo="WORKSTATION7")
    assert codes(consistency_findings([h], external=lambda _h: True)) == ["helo-not-fqdn"]
    h2 = hop(0, ip="85.12.34.56", helo="localhost")
    assert consistency_findings([h2], external=lambda _h: False) == []


def test_helo_rdns_mismatch() -> None:
    found = consistency_findings(
        [hop(ip="85.12.34.56", helo="mail.paypal-secure.com", rdns="vps12.cheaphost.net")]
    )
    assert codes(found) == ["helo-rdns-mismatch"]
    assert "paypal-secure.com" in found[0].message
    assert "cheaphost.net" in found[0].message


def test_same_registered_domain_is_consistent() -> None:
    h = hop(ip="209.85.220.41", helo="mail-sor-f41.google.com", rdns="mail-sor-f41.google.com")
    assert consistency_findings([h]) == []


def test_helo_claiming_the_receivers_domain() -> None:
    h = hop(ip="85.12.34.56", helo="mail.example.org", rdns="vps12.cheaphost.net")
    assert "helo-claims-receiver" in codes(consistency_findings([h]))


def test_rdns_dynamic() -> None:
    h = hop(ip="85.12.34.56", helo="85-12-34-56.dyn.isp.net", rdns="85-12-34-56.dyn.isp.net")
    found = consistency_findings([h])
    assert codes(found) == ["rdns-dynamic"]
    assert found[0].severity == "warning"


def test_adjacent_hops_are_left_to_custody_checks() -> None:
    # Custody between hops is judge.chain's custody-break, which also compares addresses.
    older = hop(
        0, ip="85.12.34.56", helo="mail.sender.com", rdns="mail.sender.com", by="mx.relay.net"
    )
    newer = hop(1, ip="10.0.0.5", helo="gw.other.org", rdns="gw.other.org", by="mx1.example.org")
    assert codes(consistency_findings([newer, older])) == []


def test_enrich_offline_fills_every_hop_and_appends_findings_once() -> None:
    hops = (
        hop(0, ip="85.12.34.56", helo="localhost", rdns=None, by="mx1.example.org"),
        hop(
            1, ip="10.0.0.25", helo="mx1.example.org", rdns="mx1.example.org", by="imap.example.org"
        ),
    )
    existing = Finding(code="parser-note", severity="info", message="kept")
    trace = Trace(
        hops=hops,
        origin=Origin(hop=0, ip="85.12.34.56", rdns=None, helo="localhost", reason="test"),
        findings=(existing,),
    )
    out = enrich_offline(trace)
    assert all(h.attribution is not None for h in out.hops)
    assert out.findings[0] == existing
    assert "helo-localhost-external" in [f.code for f in out.findings]
    again = enrich_offline(out)
    assert again.findings == out.findings
    json.loads(out.to_json())


class _NoSocket(Exception):
    pass


def test_offline_work_opens_no_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise _NoSocket("offline code opened a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    hops = (
        hop(0, ip="85.12.34.56", helo="[10.0.0.1]", rdns="85-12-34-56.dyn.isp.co.uk"),
        hop(1, ip="10.0.0.25", helo="mx1.пример.рф", rdns=None, by="mx2.example.org"),
    )
    out = enrich_offline(Trace(hops=hops))
    assert out.hops[0].attribution is not None
    assert out.hops[0].attribution.domains.rdns == "isp.co.uk"
    assert out.hops[1].attribution is not None
    assert out.hops[1].attribution.domains.helo == "xn--e1afmkfd.xn--p1ai"
    assert registered_domain("a.b.example.com.br") == "example.com.br"
    assert attribute_offline(hops[0]).ip_class == "global"


# --- the rules against the checks as they were written ------------------------------------------
#
# Each check is a condition on the hop's names and gates (from outside, rDNS recorded), and
# what fires with the default standing is worked out once per hop shape. The reference
# below is each check written out whole, as it was before that split.


def _reference_attribution(hop: Hop, include_private: bool) -> Attribution:
    client, server = hop.client, hop.server
    ip, helo = client.ip, client.said_helo
    return Attribution(
        ip=normalise_ip(ip) or ip,
        ip_class=classify_ip(ip) if ip else None,
        ip_note=ip_note(ip),
        server_ip=normalise_ip(server.ip) or server.ip,
        server_ip_class=classify_ip(server.ip) if server.ip else None,
        helo_kind=helo_kind(helo),
        domains=Domains(
            helo=registered_domain(helo, include_private=include_private),
            rdns=registered_domain(client.rdns, include_private=include_private),
            by=registered_domain(server.host, include_private=include_private),
        ),
        rdns_dynamic=rdns_embeds_address(client.rdns, ip),
    )


def _reference_findings(hop: Hop, external: bool) -> list[tuple[str, str, int]]:
    client = hop.client
    kind = helo_kind(client.said_helo)
    helo_dom = registered_domain(client.said_helo)
    rdns_dom = registered_domain(client.rdns)
    by_dom = registered_domain(hop.server.host)
    found = []
    if kind == "literal" and client.ip:
        claimed, actual = parse_ip(normalise_host(client.helo)), parse_ip(client.ip)
        if claimed is not None and actual is not None and claimed != actual:
            found.append(("helo-literal-mismatch", "warning" if external else "info"))
    if external and kind == "localhost":
        found.append(("helo-localhost-external", "warning"))
    if external and kind == "bare":
        found.append(("helo-not-fqdn", "warning"))
    if kind == "fqdn" and helo_dom and rdns_dom and helo_dom != rdns_dom:
        found.append(("helo-rdns-mismatch", "info"))
    recorded = client.rdns_status != "not_recorded"
    if (
        external
        and recorded
        and kind == "fqdn"
        and helo_dom
        and helo_dom == by_dom
        and rdns_dom != helo_dom
    ):
        found.append(("helo-claims-receiver", "warning"))
    if external and rdns_embeds_address(client.rdns, client.ip):
        worded = rdns_has_dynamic_word(client.rdns)
        found.append(("rdns-dynamic", "warning" if worded else "info"))
    return [(code, severity, hop.index) for code, severity in found]


def _standing(hop: Hop) -> bool:
    return classify_ip(hop.client.ip) == "global"


def assert_as_written(hops: tuple[Hop, ...], external: Any, include_private: bool) -> None:
    out = enrich_offline(Trace(hops=hops), external=external, include_private=include_private)
    assert [h.attribution for h in out.hops] == [
        _reference_attribution(h, include_private) for h in hops
    ]
    predicate = external or _standing
    expected = [
        found
        for h in sorted(hops, key=lambda h: h.index)
        for found in _reference_findings(h, predicate(h))
    ]
    found = consistency_findings(hops, external=external)
    assert [(f.code, f.severity, f.hop) for f in found] == expected
    assert out.findings == merge_findings((), found)  # one finding per code and hop


_PREDICATES = [None, lambda h: True, lambda h: False, lambda h: h.index % 2 == 0]

_IPS = [None, "", "85.12.34.56", "10.0.0.8", "127.0.0.1", "192.0.2.1", "::1", "2a00:1450::5"]
_IPS += ["fe80::1", "::ffff:85.12.34.56", "not-an-ip"]
_HELOS = [None, "", "localhost", "LOCALHOST", "WORKSTATION7", "[85.12.34.56]", "[10.9.9.9]"]
_HELOS += [
    "[127.0.0.1]",
    "[IPv6:::1]",
    "mail.example.org",
    "mx.other.net",
    "85-12-34-56.dyn.isp.net",
]
_HELOS += ["foo.blogspot.com", "bar.blogspot.com"]
_NAMES = [None, "mail.example.org", "vps12.cheaphost.net", "85-12-34-56.dyn.isp.net"]
_NAMES += ["host-85-12-34-56.example.net", "a.blogspot.com", "mx1.example.org", "localhost"]


@st.composite
def _hops(draw: st.DrawFn) -> tuple[Hop, ...]:
    count = draw(st.integers(1, 5))
    hops = []
    for k in range(count):
        rdns = draw(st.sampled_from(_NAMES))
        client = Client(
            ip=draw(st.sampled_from(_IPS)),
            helo=draw(st.sampled_from(_HELOS)),
            rdns=rdns,
            rdns_status=draw(st.sampled_from(["present", "none", "not_recorded"])),
            helo_inferred=draw(st.booleans()),
        )
        server = Server(host=draw(st.sampled_from(_NAMES)), ip=draw(st.sampled_from(_IPS)))
        index = draw(st.integers(0, 3))
        hops.append(Hop(raw=f"header {k}", client=client, server=server, index=index))
    return tuple(hops)


@settings(max_examples=400, deadline=None)
@given(_hops(), st.sampled_from(_PREDICATES), st.booleans())
def test_findings_and_attribution_as_written(
    hops: tuple[Hop, ...], external: Any, include_private: bool
) -> None:
    assert_as_written(hops, external, include_private)


@pytest.mark.corpus
def test_findings_and_attribution_as_written_on_the_corpus(corpus: Path) -> None:
    checked = 0
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for reported in open_complaint(path.read_bytes()).reported:
            values = split_header_block(reported.raw).get_all("Received")
            hops = tuple(hops_from_values(values))
            for external in (None, _PREDICATES[3]):
                assert_as_written(hops, external, include_private=False)
            checked += len(hops)
    assert checked > 40_000


# --- the records of a new hop shape, built without their frozen __init__ -------------------


def _assert_same_record(fast: Any, slow: Any) -> None:
    assert type(fast) is type(slow)
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert repr(fast) == repr(slow)
    assert pickle.dumps(fast) == pickle.dumps(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    assert fast.to_dict() == slow.to_dict()
    for field in dataclasses.fields(slow):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(fast, field.name, None)


_MAYBE = st.one_of(st.none(), st.text(max_size=8))


@settings(max_examples=300, deadline=None)
@given(st.lists(_MAYBE, min_size=9, max_size=9), st.booleans())
def test_offline_records_built_fast_equal_the_dataclass_ones(
    texts: list[str | None], dynamic: bool
) -> None:
    helo, rdns, by, ip, ip_class, note, server_ip, server_class, kind = texts
    domains = offline._new_domains(helo, rdns, by)
    _assert_same_record(domains, Domains(helo=helo, rdns=rdns, by=by))
    fast = offline._new_attribution(
        ip, ip_class, note, server_ip, server_class, kind, domains, dynamic
    )
    slow = Attribution(
        ip=ip,
        ip_class=ip_class,
        ip_note=note,
        server_ip=server_ip,
        server_ip_class=server_class,
        helo_kind=kind,
        domains=Domains(helo=helo, rdns=rdns, by=by),
        rdns_dynamic=dynamic,
    )
    _assert_same_record(fast, slow)
    assert dataclasses.replace(fast, network=None, blocklists=()) == slow


def _conditions_as_written(n: Any) -> list[int]:
    """The indices in ``_RULES`` of the conditions that hold, each written out whole as
    before the HELO-shape and spelled-rDNS gates were declared."""
    literal = n.helo_kind == "literal" and bool(n.ip)
    if literal:
        claimed, actual = parse_ip(normalise_host(n.helo)), parse_ip(n.ip)
        literal = claimed is not None and actual is not None and claimed != actual
    fqdn = n.helo_kind == "fqdn"
    conditions = [
        literal,
        n.helo_kind == "localhost",
        n.helo_kind == "bare",
        fqdn and bool(n.helo_domain) and bool(n.rdns_domain) and n.helo_domain != n.rdns_domain,
        fqdn
        and bool(n.helo_domain)
        and n.helo_domain == n.by_domain
        and n.rdns_domain != n.helo_domain,
        n.rdns_dynamic,
    ]
    return [index for index, holds in enumerate(conditions) if holds]


def test_the_declared_gates_keep_the_conditions_as_written() -> None:
    """Every combination of the names the conditions read: the rules ``_holding`` finds
    (declared HELO shape and spelled-rDNS gates first, then each rule's own test) are the
    conditions as written."""
    domains = (None, "", "example.org", "example.net")
    for kind in (None, "literal", "localhost", "bare", "fqdn"):
        for ip in (None, "", "85.12.34.56", "not-an-ip"):
            for helo in (None, "[85.12.34.56]", "[10.0.0.1]", "mail.example.org"):
                for helo_dom, rdns_dom, by_dom in itertools.product(domains, repeat=3):
                    for dynamic in (False, True):
                        names = offline._Names(ip, helo, kind, helo_dom, rdns_dom, by_dom, dynamic)
                        found = [offline._RULES.index(r) for r in offline._holding(names)]
                        assert found == _conditions_as_written(names), names


def test_the_enriched_trace_is_the_one_replace_builds() -> None:
    """The copy ``enrich_offline`` makes (``headertrace._frozen.replace``) against
    ``dataclasses.replace`` on every fixture message."""
    import headertrace
    from headertrace._frozen import replace

    fixtures = sorted((Path(__file__).parent / "fixtures").rglob("*.eml"))
    assert len(fixtures) > 50
    for path in fixtures:
        trace = headertrace.trace(path.read_bytes())
        hops, findings = tuple(reversed(trace.hops)), trace.findings[:1]
        fast = replace(trace, hops=hops, findings=findings)
        slow = dataclasses.replace(trace, hops=hops, findings=findings)
        assert type(fast) is Trace
        assert fast == slow
        assert repr(fast) == repr(slow)
        assert pickle.dumps(fast) == pickle.dumps(slow)
        assert fast.to_json() == slow.to_json()
        for field in dataclasses.fields(slow):
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(fast, field.name, None)
