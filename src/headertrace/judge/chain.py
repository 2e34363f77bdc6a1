"""The chain without an organisation: where the message came from, and what does not add up.

Origin inference follows the idea of SpamAssassin's trust path: the newest header was
written by the recipient's own server, so walk down from the top; a hop stays trusted while
its client is an internal address (private, loopback, unique-local) or authenticated; the
first client that is neither is the origin. Everything written below it was written before
any server the recipient can vouch for saw the message: claims, not facts.

Pure: no I/O. Registered domains come from the offline public-suffix snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from headertrace.addresses import is_internal, is_loopback, registered_domain
from headertrace.models import Evidence, Finding, Hop, Origin, received

TIME_TOLERANCE_SECONDS = 300.0
"""Clock skew tolerated between two servers before time running backwards is flagged."""

_OUTSIDE = "first outside client below the recipient's servers that did not authenticate"
"""The reason given for an origin whose client is outside and did not log in."""


def infer_origin(hops: Sequence[Hop]) -> Origin | None:
    """The first untrusted outside client walking down from the newest hop."""
    oldest_trusted: Hop | None = None
    for hop in reversed(hops):
        ip = hop.client.ip
        # Only a relay's client counts: a local submission has none, and below a mailbox
        # fetch the provider's own chain continues.
        if ip is None or hop.kind != "relay":
            continue
        if is_internal(ip) or hop.auth.authenticated:
            oldest_trusted = hop
            continue
        return _origin(hop, _OUTSIDE)
    if oldest_trusted is None:
        return None
    if oldest_trusted.auth.authenticated:
        reason = "authenticated submission: the client logged in to send"
    else:
        reason = "every recorded client is internal; this is the oldest one"
    return _origin(oldest_trusted, reason)


def _origin(hop: Hop, reason: str) -> Origin:
    c = hop.client
    return Origin(hop.index, c.ip, c.rdns, c.said_helo, reason, (Evidence(hop.raw, "received"),))


def chain_findings(hops: Sequence[Hop], origin: Origin | None) -> list[Finding]:
    """Claims below the origin, broken custody and time running backwards."""
    findings: list[Finding] = []
    floor = origin.hop if origin is not None else 0
    below = [h for h in hops if h.index < floor]
    if below:
        findings.append(
            Finding(
                code="unverified-hops",
                severity="info",
                hop=floor,
                message=f"{len(below)} Received header(s) below the origin were written "
                "before the message reached a server that can be vouched for; they are "
                "claims by the sender, not facts",
                # as they stand in the message
                evidence=tuple([Evidence(h.raw, "received") for h in reversed(below)]),
            )
        )
    findings.extend(_custody(hops, floor))
    findings.extend(_time_travel(hops, floor))
    return findings


def _names(hop: Hop) -> list[str]:
    """The names the client went by (HELO, rDNS), lower-case, without a final dot; a name
    may come twice. A list: a set costs more than the one or two comparisons it saves."""
    c = hop.client
    return [n.lower().rstrip(".") for n in (c.helo, c.rdns) if n and not n.startswith("[")]


def custody_holds(older: Hop, newer: Hop) -> bool | None:
    """Whether ``newer`` received the message from the server that wrote ``older``.

    ``None`` when the headers do not give enough to compare.
    """
    if newer.kind not in ("relay", "fetch") or older.kind == "fetch":
        return None
    by = older.server
    ip = newer.client.ip
    if ip is not None and by.ip == ip:
        return True
    # Each test below that gives up gives ``None``: cheapest first.
    if ip is not None and is_loopback(ip):
        return None  # a content filter on the same machine
    host = (by.host or "").lower().rstrip(".")
    if not host or host in ("localhost", "unknown"):
        return None
    names = _names(newer)
    if not names:
        return None
    if host in names:
        return True
    label = host.split(".", 1)[0]
    if any(n.split(".", 1)[0] == label for n in names):
        return True
    domain = registered_domain(host)
    return domain is not None and any(registered_domain(n) == domain for n in names)


def _custody(hops: Sequence[Hop], floor: int) -> list[Finding]:
    out: list[Finding] = []
    for older, newer in pairwise(hops):
        if custody_holds(older, newer) is not False:
            continue
        trusted = newer.index > floor
        names = ", ".join(sorted(set(_names(newer))))
        out.append(
            Finding(
                code="custody-break",
                severity="warning" if trusted else "info",
                hop=newer.index,
                message=f"hop {newer.index} says it received the message from {names}"
                f"{' [' + newer.client.ip + ']' if newer.client.ip else ''}, but the header "
                f"below it was written by {older.server.host}: a header may be forged or "
                "missing",
                evidence=received(newer.raw, older.raw),
            )
        )
    return out


def _time_travel(hops: Sequence[Hop], floor: int) -> list[Finding]:
    out: list[Finding] = []
    least = -TIME_TOLERANCE_SECONDS
    for hop in hops:
        if hop.delay_seconds is None or hop.delay_seconds >= least:
            continue
        previous = next((h for h in reversed(hops[: hop.index]) if h.timestamp is not None), None)
        out.append(
            Finding(
                code="time-travel",
                severity="warning" if hop.index > floor else "info",
                hop=hop.index,
                message=f"hop {hop.index} is dated {-hop.delay_seconds:.0f} s before the hop "
                "below it: a clock is wrong or a header was forged",
                evidence=received(hop.raw, *((previous.raw,) if previous else ())),
            )
        )
    return out
