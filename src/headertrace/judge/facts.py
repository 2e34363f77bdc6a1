"""The evidence headers: which non-Received headers say who sent a message, and which of
them our side wrote (evidence) rather than the sender (claims).

A header's position tells who could have written it; ``header_facts`` sorts them, and the
readers below (account, script, original address, authentication) read the trusted ones.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from headertrace.addresses import normalise_ip
from headertrace.judge.custody import Custody
from headertrace.models import Hop
from headertrace.parse.headers import HeaderBlock, one_line

ACCOUNT_HEADERS = ("X-Authenticated-Sender", "X-Authenticated-User", "X-AuthUser")
SCRIPT_HEADERS = ("X-PHP-Originating-Script", "X-PHP-Script", "X-Source-Args", "X-Source")
IP_HEADERS = (
    "X-Originating-IP",
    "X-MS-Exchange-Organization-OriginalClientIPAddress",
    "X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp",
    "X-MDRemoteIP",
)
EVIDENCE_HEADERS = (
    *ACCOUNT_HEADERS,
    *SCRIPT_HEADERS,
    *IP_HEADERS,
    "X-Source-Dir",
    "X-Get-Message-Sender-Via",
    "X-AntiAbuse",
    "X-MS-Exchange-Organization-AuthAs",
    "X-MS-Exchange-Organization-AuthSource",
    "X-MS-Exchange-Organization-AuthMechanism",
    "X-MS-Exchange-Organization-MessageDirectionality",
    "X-MS-Exchange-CrossTenant-AuthAs",
    "X-MS-Exchange-CrossTenant-AuthSource",
    "X-MS-Exchange-CrossTenant-FromEntityHeader",
)
_EVIDENCE_LOWER = {h.lower() for h in EVIDENCE_HEADERS}


@dataclass(slots=True)
class HeaderFacts:
    """What the non-Received headers say, split into evidence about our side and claims."""

    trusted: list[tuple[str, str]] = field(default_factory=list)
    claims: list[tuple[str, str]] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        low = name.lower()
        return next((v for n, v in self.trusted if n.lower() == low), None)

    def lines(self, names: Sequence[str] | None = None) -> list[str]:
        wanted = {n.lower() for n in names} if names is not None else None
        return [
            f"{n}: {one_line(v)}" for n, v in self.trusted if wanted is None or n.lower() in wanted
        ]


def _lower_names(block: HeaderBlock) -> list[str]:
    # The block keeps its names lower-cased (built once, for its own lookups, which
    # tracing has made by now): lower-casing them again cost about 5 us a message.
    return block.names()


def received_positions(block: HeaderBlock) -> list[int]:
    """Positions in ``block.fields`` of the Received fields, top first."""
    return [i for i, n in enumerate(_lower_names(block)) if n == "received"]


def header_facts(
    block: HeaderBlock, hops: Sequence[Hop], entry: Hop | None, custody: Custody
) -> HeaderFacts:
    """Sort the evidence headers into what our side wrote and what is only a claim.

    A header above the entry hop's Received line was added by our servers or later. Below
    it, a header is still ours when the entry hop is a local submission (the message was
    born on our server), when it is an ``X-MS-Exchange-*`` header and the entry hop was
    written by Exchange (its header firewall drops such headers from outside), or when it
    names one of our verified servers the way cPanel's Exim does (``host: value``).
    """
    facts = HeaderFacts()
    lower = _lower_names(block)
    if _EVIDENCE_LOWER.isdisjoint(lower):
        return facts  # most messages carry none of them
    positions = [i for i, n in enumerate(lower) if n == "received"]
    limit = -1
    if entry is not None and entry.header_index < len(positions):
        limit = positions[entry.header_index]
    ours = {
        (h.server.host or "").lower() for h in hops if h.index in custody.verified and h.server.host
    }
    exchange = entry is not None and any(
        w in (entry.server.software or "") for w in ("Microsoft", "Exchange")
    )
    for pos, low in enumerate(lower):
        if low not in _EVIDENCE_LOWER:
            continue
        name, value = block.fields[pos]
        if entry is None:
            facts.claims.append((name, value))
            continue
        head = value.strip().split(":", 1)[0].strip().lower()
        anti = re.search(r"primary hostname - (\S+)", value, re.I)
        trusted = (
            pos < limit
            or entry.kind == "local"
            or (low.startswith("x-ms-exchange-") and exchange)
            or (head in ours and low in ("x-get-message-sender-via", "x-authenticated-sender"))
            or (low == "x-antiabuse" and anti is not None and anti.group(1).lower() in ours)
            or (low == "x-antiabuse" and entry.server.software == "Exim")
        )
        (facts.trusted if trusted else facts.claims).append((name, value))
    return facts


def _after_colon_host(value: str) -> str:
    """``server.example.com: bob@example.com`` -> ``bob@example.com``."""
    v = one_line(value)
    m = re.match(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}:\s*(.+)$", v)
    return m.group(1) if m else v


def account_of(entry: Hop, facts: HeaderFacts) -> str | None:
    if entry.auth.identity:
        return entry.auth.identity
    via = facts.get("X-Get-Message-Sender-Via")
    if via:
        m = re.search(r"authenticated_id:\s*(\S+)", via)
        if m:
            return m.group(1).rstrip(";,")
    for name in ACCOUNT_HEADERS:
        v = facts.get(name)
        if v:
            return _after_colon_host(v).split()[0]
    return None


def script_of(facts: HeaderFacts) -> str | None:
    v = facts.get("X-PHP-Originating-Script")
    if v:
        return one_line(v).split(":", 1)[-1] if re.match(r"^\d+:", v.strip()) else one_line(v)
    v = facts.get("X-PHP-Script")
    if v:
        return one_line(v).split(" for ", 1)[0]
    v = facts.get("X-Source-Args")
    if v and one_line(v):
        parts = one_line(v).split()
        return next((p for p in reversed(parts) if "/" in p or "." in p), parts[-1])
    v = facts.get("X-Source")
    if v and one_line(v):
        return one_line(v)
    return None


def authenticated_by_headers(facts: HeaderFacts) -> str | None:
    """The trusted header line that shows the client authenticated, if any."""
    for name in ("X-MS-Exchange-Organization-AuthAs", "X-MS-Exchange-CrossTenant-AuthAs"):
        v = facts.get(name)
        if v and one_line(v).lower() in ("internal", "partner"):
            return f"{name}: {one_line(v)}"
    via = facts.get("X-Get-Message-Sender-Via")
    if via and "authenticated_id:" in via:
        return f"X-Get-Message-Sender-Via: {one_line(via)}"
    for name in ACCOUNT_HEADERS:
        v = facts.get(name)
        if v:
            return f"{name}: {one_line(v)}"
    return None


def original_ip(facts: HeaderFacts) -> str | None:
    for name in IP_HEADERS:
        v = facts.get(name)
        if not v:
            continue
        m = re.search(r"Ip=\[?([0-9A-Fa-f:.]+)\]?", v) or re.search(r"\[?([0-9A-Fa-f:.]+)\]?", v)
        if m:
            ip = normalise_ip(m.group(1))
            if ip:
                return ip
    return None
