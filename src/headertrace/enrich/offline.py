"""Offline attribution and the consistency findings: no socket is ever opened here."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import lru_cache

from headertrace.enrich.classify import (
    classify_ip,
    helo_kind,
    ip_note,
    normalize_host,
    normalize_ip,
    parse_ip,
    rdns_embeds_address,
    rdns_has_dynamic_word,
    registered_domain,
)
from headertrace.enrich.records import Attribution
from headertrace.models import Finding, Hop, Severity, Trace

ExternalPredicate = Callable[[Hop], bool]


def attribute_offline(hop: Hop, *, include_private: bool = False) -> Attribution:
    """The offline attribution of a hop's client: address class, registered domains of its
    HELO, rDNS and ``by`` names, the HELO's shape and a dynamic-looking rDNS.

    Online parts already present on the hop (``network``, ``blocklists``) are kept.
    """
    client, server = hop.client, hop.server
    found = _attribution(
        client.ip, client.helo, client.rdns, server.host, server.ip, include_private=include_private
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
    normal_ip = normalize_ip(ip)
    normal_server_ip = normalize_ip(server_ip)
    return Attribution(
        ip=normal_ip if normal_ip is not None else ip,
        ip_class=classify_ip(ip) if ip else None,
        ip_note=ip_note(ip),
        server_ip=normal_server_ip if normal_server_ip is not None else server_ip,
        server_ip_class=classify_ip(server_ip) if server_ip else None,
        helo_kind=helo_kind(helo),
        helo_domain=registered_domain(helo, include_private=include_private),
        rdns_domain=registered_domain(rdns, include_private=include_private),
        by_domain=registered_domain(server_host, include_private=include_private),
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
        evidence=(hop.raw, *extra),
    )


def _hop_findings(hop: Hop, external: bool) -> list[Finding]:
    client = hop.client
    findings: list[Finding] = []
    helo = normalize_host(client.helo)
    kind = helo_kind(client.helo)
    helo_dom = registered_domain(client.helo)
    rdns_dom = registered_domain(client.rdns)
    by_dom = registered_domain(hop.server.host)
    where = f"hop {hop.index}"

    if kind == "literal" and client.ip:
        claimed, actual = parse_ip(helo), parse_ip(client.ip)
        if claimed is not None and actual is not None and claimed != actual:
            findings.append(
                _finding(
                    hop,
                    "helo-literal-mismatch",
                    "warning" if external else "info",
                    f"{where}: the client greeted with the address literal {client.helo} but "
                    f"connected from {actual}",
                )
            )
    if external and kind == "localhost":
        findings.append(
            _finding(
                hop,
                "helo-localhost-external",
                "warning",
                f"{where}: a client from outside ({client.ip}) greeted as {client.helo!r}; "
                "real mail servers do not call themselves localhost",
            )
        )
    if external and kind == "bare":
        findings.append(
            _finding(
                hop,
                "helo-not-fqdn",
                "warning",
                f"{where}: a client from outside ({client.ip}) greeted with the bare name "
                f"{client.helo!r}; RFC 5321 requires a fully qualified name or an address "
                "literal",
            )
        )
    if kind == "fqdn" and helo_dom and rdns_dom and helo_dom != rdns_dom:
        findings.append(
            _finding(
                hop,
                "helo-rdns-mismatch",
                "info",
                f"{where}: the HELO name {client.helo} is in {helo_dom} but the address's "
                f"reverse DNS {client.rdns} is in {rdns_dom}",
            )
        )
    # Only where the server records rDNS: Exchange and others never write it, so their
    # silence is not a disagreement.
    recorded = client.rdns_status != "not_recorded"
    if (
        external
        and recorded
        and kind == "fqdn"
        and helo_dom
        and helo_dom == by_dom
        and rdns_dom != helo_dom
    ):
        findings.append(
            _finding(
                hop,
                "helo-claims-receiver",
                "warning",
                f"{where}: a client from outside ({client.ip}) greeted with {client.helo}, a "
                f"name in the receiving server's own domain {by_dom}, and its reverse DNS "
                f"does not agree ({client.rdns or 'none'})",
            )
        )
    if external and rdns_embeds_address(client.rdns, client.ip):
        worded = rdns_has_dynamic_word(client.rdns)
        findings.append(
            _finding(
                hop,
                "rdns-dynamic",
                "warning" if worded else "info",
                f"{where}: the reverse DNS {client.rdns} spells out the address {client.ip}"
                + (" and names an address pool" if worded else "")
                + ", as dynamic and residential addresses do",
            )
        )
    return findings


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
