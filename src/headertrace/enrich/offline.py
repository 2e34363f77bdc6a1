"""Offline attribution and the consistency findings: no socket is ever opened here."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import lru_cache

from headertrace.addresses import (
    classify_ip,
    helo_kind,
    ip_note,
    normalise_host,
    normalise_ip,
    parse_ip,
    rdns_embeds_address,
    rdns_has_dynamic_word,
    registered_domain,
)
from headertrace.enrich.records import Attribution, Domains
from headertrace.models import Client, Finding, Hop, Server, Severity, Trace, notes, received

ExternalPredicate = Callable[[Hop], bool]


def attribute_offline(hop: Hop, *, include_private: bool = False) -> Attribution:
    """The offline attribution of a hop's client: address class, registered domains of its
    HELO, rDNS and ``by`` names, the HELO's shape and a dynamic-looking rDNS.

    Online parts already present on the hop (``network``, ``blocklists``) are kept.
    """
    client, server = hop.client, hop.server
    # An inferred HELO (Exim's "from NAME ([IP])") is no greeting to classify.
    found = _attribution(
        client.ip,
        client.said_helo,
        client.rdns,
        server.host,
        server.ip,
        include_private=include_private,
    )
    previous = hop.attribution
    if previous is None or (previous.network is None and not previous.blocklists):
        return found
    return dataclasses.replace(found, network=previous.network, blocklists=previous.blocklists)


@lru_cache(maxsize=8192)
def _attribution(
    ip: str | None,
    helo: str | None,
    rdns: str | None,
    server_host: str | None,
    server_ip: str | None,
    *,
    include_private: bool,
) -> Attribution:
    """Offline attribution depends on these names alone; the same hop shapes (a server's
    own content filter, its relays) come back message after message."""
    normal_ip = normalise_ip(ip)
    normal_server_ip = normalise_ip(server_ip)
    return Attribution(
        ip=normal_ip if normal_ip is not None else ip,
        ip_class=classify_ip(ip) if ip else None,
        ip_note=ip_note(ip),
        server_ip=normal_server_ip if normal_server_ip is not None else server_ip,
        server_ip_class=classify_ip(server_ip) if server_ip else None,
        helo_kind=helo_kind(helo),
        domains=Domains(
            helo=registered_domain(helo, include_private=include_private),
            rdns=registered_domain(rdns, include_private=include_private),
            by=registered_domain(server_host, include_private=include_private),
        ),
        rdns_dynamic=rdns_embeds_address(rdns, ip),
    )


def is_external(hop: Hop) -> bool:
    """The default notion of "from outside": the client address is globally routable."""
    return classify_ip(hop.client.ip) == "global"


def _finding(hop: Hop, code: str, severity: Severity, message: str, *extra: str) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        message=message,
        hop=hop.index,
        evidence=received(hop.raw) + notes(*extra),
    )


_Check = Callable[["_HopNames"], Finding | None]


@dataclasses.dataclass(frozen=True, slots=True)
class _HopNames:
    """What the per-hop checks compare, worked out once per hop."""

    hop: Hop
    external: bool
    """The client is "from outside" (see :func:`consistency_findings`)."""
    helo_kind: str | None
    helo_domain: str | None
    rdns_domain: str | None
    by_domain: str | None

    @property
    def where(self) -> str:
        return f"hop {self.hop.index}"


def _hop_findings(hop: Hop, external: bool) -> list[Finding]:
    checks = _firing(hop.client, hop.server.host, external)
    if not checks:
        return []  # the common case: no finding, and nothing built
    names = _names(hop, external)
    found = (check(names) for check in checks)
    return [finding for finding in found if finding is not None]


def _names(hop: Hop, external: bool) -> _HopNames:
    return _HopNames(
        hop=hop,
        external=external,
        helo_kind=helo_kind(hop.client.said_helo),
        helo_domain=registered_domain(hop.client.said_helo),
        rdns_domain=registered_domain(hop.client.rdns),
        by_domain=registered_domain(hop.server.host),
    )


@lru_cache(maxsize=8192)
def _firing(client: Client, by_host: str | None, external: bool) -> tuple[_Check, ...]:
    """The checks that find something for this client, ``by`` host and standing: what
    they decide depends on these alone (the hop's place and text only go into the
    finding), and the same clients come back message after message."""
    names = _names(Hop(raw="", client=client, server=Server(host=by_host)), external)
    return tuple(check for check in _HOP_CHECKS if check(names) is not None)


def _helo_literal_mismatch(n: _HopNames) -> Finding | None:
    client = n.hop.client
    if n.helo_kind != "literal" or not client.ip:
        return None
    claimed, actual = parse_ip(normalise_host(client.helo)), parse_ip(client.ip)
    if claimed is None or actual is None or claimed == actual:
        return None
    return _finding(
        n.hop,
        "helo-literal-mismatch",
        "warning" if n.external else "info",
        f"{n.where}: the client greeted with the address literal {client.helo} but "
        f"connected from {actual}",
    )


def _helo_localhost_external(n: _HopNames) -> Finding | None:
    if not n.external or n.helo_kind != "localhost":
        return None
    client = n.hop.client
    return _finding(
        n.hop,
        "helo-localhost-external",
        "warning",
        f"{n.where}: a client from outside ({client.ip}) greeted as {client.helo!r}; "
        "real mail servers do not call themselves localhost",
    )


def _helo_not_fqdn(n: _HopNames) -> Finding | None:
    if not n.external or n.helo_kind != "bare":
        return None
    client = n.hop.client
    return _finding(
        n.hop,
        "helo-not-fqdn",
        "warning",
        f"{n.where}: a client from outside ({client.ip}) greeted with the bare name "
        f"{client.helo!r}; RFC 5321 requires a fully qualified name or an address literal",
    )


def _helo_rdns_mismatch(n: _HopNames) -> Finding | None:
    helo_dom, rdns_dom = n.helo_domain, n.rdns_domain
    if n.helo_kind != "fqdn" or not helo_dom or not rdns_dom or helo_dom == rdns_dom:
        return None
    client = n.hop.client
    return _finding(
        n.hop,
        "helo-rdns-mismatch",
        "info",
        f"{n.where}: the HELO name {client.helo} is in {helo_dom} but the address's "
        f"reverse DNS {client.rdns} is in {rdns_dom}",
    )


def _helo_claims_receiver(n: _HopNames) -> Finding | None:
    client = n.hop.client
    # Only where the server records rDNS: Exchange and others never write it, so their
    # silence is not a disagreement.
    recorded = client.rdns_status != "not_recorded"
    if not (
        n.external
        and recorded
        and n.helo_kind == "fqdn"
        and n.helo_domain
        and n.helo_domain == n.by_domain
        and n.rdns_domain != n.helo_domain
    ):
        return None
    return _finding(
        n.hop,
        "helo-claims-receiver",
        "warning",
        f"{n.where}: a client from outside ({client.ip}) greeted with {client.helo}, a "
        f"name in the receiving server's own domain {n.by_domain}, and its reverse DNS "
        f"does not agree ({client.rdns or 'none'})",
    )


def _rdns_dynamic(n: _HopNames) -> Finding | None:
    client = n.hop.client
    if not n.external or not rdns_embeds_address(client.rdns, client.ip):
        return None
    worded = rdns_has_dynamic_word(client.rdns)
    return _finding(
        n.hop,
        "rdns-dynamic",
        "warning" if worded else "info",
        f"{n.where}: the reverse DNS {client.rdns} spells out the address {client.ip}"
        + (" and names an address pool" if worded else "")
        + ", as dynamic and residential addresses do",
    )


_HOP_CHECKS: tuple[_Check, ...] = (
    _helo_literal_mismatch,
    _helo_localhost_external,
    _helo_not_fqdn,
    _helo_rdns_mismatch,
    _helo_claims_receiver,
    _rdns_dynamic,
)
"""One check per finding code, in the order a hop's findings are reported."""


def consistency_findings(
    hops: Sequence[Hop], *, external: ExternalPredicate | None = None
) -> list[Finding]:
    """Findings from comparing each hop's names with each other and with its address.

    Codes: ``helo-literal-mismatch``, ``helo-localhost-external``, ``helo-not-fqdn``,
    ``helo-rdns-mismatch``, ``helo-claims-receiver`` and ``rdns-dynamic``. (Custody between
    adjacent hops is ``custody-break``, from ``judge.chain``.) ``external`` decides whether
    a hop's client is "from outside" (default: its address is globally routable).
    """
    predicate = external or is_external
    ordered = sorted(hops, key=lambda h: h.index)
    findings: list[Finding] = []
    for hop in ordered:
        findings.extend(_hop_findings(hop, predicate(hop)))
    findings.sort(key=lambda f: f.hop if f.hop is not None else -1)
    return findings


def merge_findings(existing: Sequence[Finding], new: Sequence[Finding]) -> tuple[Finding, ...]:
    """``existing`` followed by the ``new`` findings not already there (same code and hop)."""
    seen = {(f.code, f.hop) for f in existing}
    merged = list(existing)
    for finding in new:
        if (finding.code, finding.hop) not in seen:
            seen.add((finding.code, finding.hop))
            merged.append(finding)
    return tuple(merged)


def enrich_offline(
    trace: Trace,
    *,
    external: ExternalPredicate | None = None,
    include_private: bool = False,
) -> Trace:
    """The trace with every hop's offline ``attribution`` filled and the consistency findings
    appended (without duplicating findings already present). Opens no socket."""
    hops = tuple(
        hop.with_attribution(attribute_offline(hop, include_private=include_private))
        for hop in trace.hops
    )
    findings = merge_findings(trace.findings, consistency_findings(hops, external=external))
    return dataclasses.replace(trace, hops=hops, findings=findings)
