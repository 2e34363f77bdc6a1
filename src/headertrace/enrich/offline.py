"""Offline attribution and the consistency findings: no socket is ever opened here."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Final

from headertrace._frozen import replace, slot_filler
from headertrace.addresses import (
    classify_ip,
    helo_kind,
    ip_facts,
    normalise_host,
    parse_ip,
    rdns_embeds_address,
    rdns_has_dynamic_word,
    registered_domain,
)
from headertrace.enrich.records import Attribution, Domains
from headertrace.models import Finding, Hop, Severity, Trace, notes, received

ExternalPredicate = Callable[[Hop], bool]

# The offline records of a new hop shape, built as models builds hops (a twin class of
# the same slots, then the record's class): a frozen dataclass's ``__init__`` calls
# ``object.__setattr__`` per field, which made ``Attribution(...)`` the largest single
# cost of a ``_facts`` miss (16,000 machine instructions of about 51,000 with the
# helpers' caches warm, cachegrind). tests/test_enrich_offline.py proves the records
# the same as the constructors' (==, hash, repr, pickled bytes, frozen).
_new_domains: Callable[[str | None, str | None, str | None], Domains] = slot_filler(
    Domains, "_new_domains", "helo, rdns, by", ["helo", "rdns", "by"]
)
_new_attribution: Callable[..., Attribution] = slot_filler(
    Attribution,
    "_new_attribution",
    "ip, ip_class, ip_note, server_ip, server_ip_class, helo_kind, domains, rdns_dynamic",
    [
        "ip",
        "ip_class",
        "ip_note",
        "server_ip",
        "server_ip_class",
        "helo_kind",
        "domains",
        "rdns_dynamic",
        "None",  # network: filled by online lookups only
        "()",  # blocklists: likewise
    ],
)


def attribute_offline(hop: Hop, *, include_private: bool = False) -> Attribution:
    """The offline attribution of a hop's client: address class, registered domains of its
    HELO, rDNS and ``by`` names, the HELO's shape and a dynamic-looking rDNS.

    Online parts already present on the hop (``network``, ``blocklists``) are kept.
    """
    return _with_online_parts(_facts_of(hop, include_private).attribution, hop.attribution)


def _with_online_parts(found: Attribution, previous: Attribution | None) -> Attribution:
    if previous is None or (previous.network is None and not previous.blocklists):
        return found
    return dataclasses.replace(found, network=previous.network, blocklists=previous.blocklists)


def is_external(hop: Hop) -> bool:
    """The default notion of "from outside": the client address is globally routable."""
    return classify_ip(hop.client.ip) == "global"


@dataclasses.dataclass(slots=True)
class _Names:
    """What the per-hop checks compare (registered domains without the private section,
    as the checks have always read them). Built once per cached hop shape and never
    changed; not frozen, because a frozen record pays a ``__setattr__`` call per field
    and this one is built for nearly every new client."""

    ip: str | None
    helo: str | None
    """The HELO the client said (``Client.said_helo``)."""
    helo_kind: str | None
    helo_domain: str | None
    rdns_domain: str | None
    by_domain: str | None
    rdns_dynamic: bool
    """The rDNS name spells out the address."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Rule:
    """One per-hop check: its condition on the hop's names, its gates, and its finding.
    A hop finds something when the condition holds and the hop passes the gates."""

    found: Callable[[Hop, _Names, bool], Finding]
    """The finding, given the hop, its names and whether its client is from outside."""
    helo_kind: str | None = None
    """The condition: only for a HELO of this shape (``None``: any, or none)..."""
    holds: Callable[[_Names], bool] | None = None
    """...where this holds (``None``: always)..."""
    spelled_rdns: bool = False
    """...and, if set, only where the rDNS name spells out the address."""
    outside_only: bool = False
    """Only for a client from outside."""
    recorded_only: bool = False
    """Only where the server records rDNS: Exchange and others never write it, so their
    silence is not a disagreement."""

    def fires(self, external: bool, recorded: bool) -> bool:
        return (external or not self.outside_only) and (recorded or not self.recorded_only)


_Rules = tuple[_Rule, ...]


@dataclasses.dataclass(slots=True)
class _Facts:
    """A hop's offline attribution and what the checks read, worked out together once
    (and, like :class:`_Names`, never changed)."""

    attribution: Attribution
    names: _Names
    rules: _Rules
    """The rules whose condition holds: they fire for a hop that passes their gates."""
    outside: bool
    """What :func:`is_external`, the default standing, says of the client."""
    firing: tuple[_Rules, _Rules]
    """The rules that fire with the default standing, where the server does not record
    rDNS (``[0]``) and where it does (``[1]``)."""


def _facts_of(hop: Hop, include_private: bool) -> _Facts:
    client, server = hop.client, hop.server
    # An inferred HELO (Exim's "from NAME ([IP])") is no greeting to classify.
    return _facts(client.ip, client.said_helo, client.rdns, server.host, server.ip, include_private)


@lru_cache(maxsize=8192)
def _facts(  # noqa: PLR0917 - lru_cache keys a keyword argument about 4x slower
    ip: str | None,
    helo: str | None,
    rdns: str | None,
    server_host: str | None,
    server_ip: str | None,
    include_private: bool,
) -> _Facts:
    """Offline attribution and the checks depend on these names alone; the same hop
    shapes (a server's own content filter, its relays) come back message after message."""
    # The one-argument calls, as the judge makes them: the same cache entries.
    helo_domain, rdns_domain = registered_domain(helo), registered_domain(rdns)
    by_domain = registered_domain(server_host)
    # Records built positionally here and below: a keyword call costs about twice as
    # much, and this runs for every new hop shape (tests/test_enrich_offline.py checks
    # every field against the attribution as written, by keyword).
    names = _Names(
        ip,
        helo,
        helo_kind(helo),
        helo_domain,
        rdns_domain,
        by_domain,
        rdns_embeds_address(rdns, ip),
    )
    if include_private:
        domains = _new_domains(
            registered_domain(helo, include_private=True),
            registered_domain(rdns, include_private=True),
            registered_domain(server_host, include_private=True),
        )
    else:
        domains = _new_domains(helo_domain, rdns_domain, by_domain)
    attribution = _attribution(names, domains, server_ip)
    rules = _holding(names)
    outside = attribution.ip_class == "global"  # is_external: classify_ip(ip) == "global"
    return _Facts(attribution, names, rules, outside, _firing(rules, outside))


def _firing(rules: _Rules, outside: bool) -> tuple[_Rules, _Rules]:
    if not rules:  # nearly every hop
        return (), ()
    return (
        tuple(rule for rule in rules if rule.fires(outside, False)),
        tuple(rule for rule in rules if rule.fires(outside, True)),
    )


def _attribution(names: _Names, domains: Domains, server_ip: str | None) -> Attribution:
    ip = names.ip
    # One cache entry for each address's spelling, class and note (classify_ip gives
    # "invalid" where ip_facts gives None; a missing address has no class).
    client, server = ip_facts(ip), ip_facts(server_ip)
    return _new_attribution(
        ip if client is None else client[0],  # ip
        client[1] if client is not None else "invalid" if ip else None,  # ip_class
        None if client is None else client[2],  # ip_note
        server_ip if server is None else server[0],  # server_ip
        server[1] if server is not None else "invalid" if server_ip else None,  # its class
        names.helo_kind,
        domains,
        names.rdns_dynamic,
    )


def _finding(hop: Hop, code: str, severity: Severity, message: str, *extra: str) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        message=message,
        hop=hop.index,
        evidence=received(hop.raw) + notes(*extra),
    )


def _where(hop: Hop) -> str:
    return f"hop {hop.index}"


def _literal_mismatch_holds(n: _Names) -> bool:  # for a literal HELO
    if not n.ip:
        return False
    claimed, actual = parse_ip(normalise_host(n.helo)), parse_ip(n.ip)
    return claimed is not None and actual is not None and claimed != actual


def _literal_mismatch(hop: Hop, n: _Names, external: bool) -> Finding:
    return _finding(
        hop,
        "helo-literal-mismatch",
        "warning" if external else "info",
        f"{_where(hop)}: the client greeted with the address literal {hop.client.helo} but "
        f"connected from {parse_ip(n.ip)}",
    )


def _helo_localhost(hop: Hop, n: _Names, external: bool) -> Finding:
    client = hop.client
    return _finding(
        hop,
        "helo-localhost-external",
        "warning",
        f"{_where(hop)}: a client from outside ({client.ip}) greeted as {client.helo!r}; "
        "real mail servers do not call themselves localhost",
    )


def _helo_not_fqdn(hop: Hop, n: _Names, external: bool) -> Finding:
    client = hop.client
    return _finding(
        hop,
        "helo-not-fqdn",
        "warning",
        f"{_where(hop)}: a client from outside ({client.ip}) greeted with the bare name "
        f"{client.helo!r}; RFC 5321 requires a fully qualified name or an address literal",
    )


def _helo_rdns_mismatch_holds(n: _Names) -> bool:  # for a fully qualified HELO
    helo_dom, rdns_dom = n.helo_domain, n.rdns_domain
    return bool(helo_dom) and bool(rdns_dom) and helo_dom != rdns_dom


def _helo_rdns_mismatch(hop: Hop, n: _Names, external: bool) -> Finding:
    client = hop.client
    return _finding(
        hop,
        "helo-rdns-mismatch",
        "info",
        f"{_where(hop)}: the HELO name {client.helo} is in {n.helo_domain} but the "
        f"address's reverse DNS {client.rdns} is in {n.rdns_domain}",
    )


def _helo_claims_receiver_holds(n: _Names) -> bool:  # for a fully qualified HELO
    return bool(n.helo_domain) and n.helo_domain == n.by_domain and n.rdns_domain != n.helo_domain


def _helo_claims_receiver(hop: Hop, n: _Names, external: bool) -> Finding:
    client = hop.client
    return _finding(
        hop,
        "helo-claims-receiver",
        "warning",
        f"{_where(hop)}: a client from outside ({client.ip}) greeted with {client.helo}, a "
        f"name in the receiving server's own domain {n.by_domain}, and its reverse DNS "
        f"does not agree ({client.rdns or 'none'})",
    )


def _rdns_dynamic(hop: Hop, n: _Names, external: bool) -> Finding:
    client = hop.client
    worded = rdns_has_dynamic_word(client.rdns)
    return _finding(
        hop,
        "rdns-dynamic",
        "warning" if worded else "info",
        f"{_where(hop)}: the reverse DNS {client.rdns} spells out the address {client.ip}"
        + (" and names an address pool" if worded else "")
        + ", as dynamic and residential addresses do",
    )


_RULES: _Rules = (
    _Rule(_literal_mismatch, "literal", _literal_mismatch_holds),
    _Rule(_helo_localhost, "localhost", outside_only=True),
    _Rule(_helo_not_fqdn, "bare", outside_only=True),
    _Rule(_helo_rdns_mismatch, "fqdn", _helo_rdns_mismatch_holds),
    _Rule(
        _helo_claims_receiver,
        "fqdn",
        _helo_claims_receiver_holds,
        outside_only=True,
        recorded_only=True,
    ),
    _Rule(_rdns_dynamic, spelled_rdns=True, outside_only=True),
)
"""One rule per finding code, in the order a hop's findings are reported."""

_HELO_KINDS: Final = (None, "literal", "localhost", "bare", "fqdn")
_RULES_FOR: Final = {
    (kind, spelled): tuple(
        rule
        for rule in _RULES
        if rule.helo_kind in (None, kind) and (spelled or not rule.spelled_rdns)
    )
    for kind in _HELO_KINDS
    for spelled in (False, True)
}
"""The rules that may hold for a HELO of each shape (what :func:`helo_kind` says) and an
rDNS name that does or does not spell out the address, as declared: a hop without a
HELO and with a fixed server's rDNS asks none, one with a fully qualified HELO two."""


def _holding(names: _Names) -> _Rules:
    """The rules whose condition holds for these names, in report order."""
    candidates = _RULES_FOR[names.helo_kind, names.rdns_dynamic]
    if not candidates:
        return ()
    return tuple([rule for rule in candidates if rule.holds is None or rule.holds(names)])


def consistency_findings(
    hops: Sequence[Hop], *, external: ExternalPredicate | None = None
) -> list[Finding]:
    """Findings from comparing each hop's names with each other and with its address.

    Codes: ``helo-literal-mismatch``, ``helo-localhost-external``, ``helo-not-fqdn``,
    ``helo-rdns-mismatch``, ``helo-claims-receiver`` and ``rdns-dynamic``. (Custody between
    adjacent hops is ``custody-break``, from ``judge.chain``.) ``external`` decides whether
    a hop's client is "from outside" (default: its address is globally routable); it is
    asked only about hops where some check could find something.
    """
    pairs = ((hop, _facts_of(hop, False)) for hop in hops)
    return _found([(hop, facts) for hop, facts in pairs if facts.rules], external)


_Firing = tuple[Hop, _Names, bool, _Rules]
"""A hop, its names, whether its client is from outside, and the rules that fire."""


def _found(held: list[tuple[Hop, _Facts]], external: ExternalPredicate | None) -> list[Finding]:
    """The findings of hops for which some rule holds, in hop order."""
    if not held:
        return []
    firing = _default_firing(held) if external is None else _asked_firing(held, external)
    firing.sort(key=lambda item: item[0].index)
    findings: list[Finding] = []
    for hop, names, outside, rules in firing:
        findings.extend(rule.found(hop, names, outside) for rule in rules)
    return findings


def _default_firing(hops: Sequence[tuple[Hop, _Facts]]) -> list[_Firing]:
    """With the default standing, what fires is part of the cached facts."""
    found = []
    for hop, facts in hops:
        rules = facts.firing[hop.client.rdns_status != "not_recorded"]
        if rules:
            found.append((hop, facts.names, facts.outside, rules))
    return found


def _asked_firing(hops: Sequence[tuple[Hop, _Facts]], external: ExternalPredicate) -> list[_Firing]:
    """With the caller's standing, asked in hop order (and only of hops for which some
    rule holds: for the others nothing can fire, whatever it says)."""
    found = []
    for hop, facts in sorted(hops, key=lambda pair: pair[0].index):
        outside, recorded = external(hop), hop.client.rdns_status != "not_recorded"
        rules = tuple(rule for rule in facts.rules if rule.fires(outside, recorded))
        if rules:
            found.append((hop, facts.names, outside, rules))
    return found


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
    hops = []
    held = []  # the hops for which some rule holds: few
    for hop in trace.hops:
        client, server = hop.client, hop.server  # _facts_of, inlined: it runs for every hop
        helo = None if client.helo_inferred else client.helo  # client.said_helo, inlined
        facts = _facts(client.ip, helo, client.rdns, server.host, server.ip, include_private)
        attribution = facts.attribution
        if hop.attribution is not None:
            attribution = _with_online_parts(attribution, hop.attribution)
        hops.append(hop.with_attribution(attribution))
        if facts.rules:
            held.append((hops[-1], facts))
    new = _found(held, external)
    findings = merge_findings(trace.findings, new) if new else tuple(trace.findings)
    return replace(trace, hops=tuple(hops), findings=findings)
