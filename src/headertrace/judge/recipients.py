"""Who the message was for: one of our domains or not, and the lines that show it.

The ``for`` clauses at and above the entry hop decide (our own servers' first); then our
server handing the message to an outside server; then our Exchange's directionality stamp;
last the To/Cc headers, which the sender wrote. A recipient that uses a relay trick (the
``%`` hack, a ``!`` bang path, an ``@host:`` source route, a quoted ``@``) is never ours.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from headertrace.judge.custody import Custody, ours_by_address
from headertrace.judge.facts import HeaderFacts
from headertrace.judge.org import Organisation
from headertrace.models import Evidence, Hop, headers, received
from headertrace.parse.headers import HeaderBlock

_SOURCE_ROUTE = re.compile(r"^@[^:]+:")


def recipient_trick(address: str) -> str | None:
    """Name the relay-test trick in an envelope recipient, if any."""
    a = address.strip().strip("<>")
    if _SOURCE_ROUTE.match(a):
        return "an @host: source route"
    local = a.rsplit("@", 1)[0] if "@" in a else a
    quoted = re.match(r'^"([^"]*)"@', a)
    if quoted and "@" in quoted.group(1):
        return "a quoted @ in the local part"
    if "%" in local:
        return "the % hack"
    if "!" in local:
        return "a ! bang path"
    if local.count("@") >= 1:
        return "a second @ in the address"
    return None


def _addresses(value: str | None) -> list[str]:
    if not value:
        return []
    return re.findall(r"[^\s<>,;\"']+@[A-Za-z0-9.-]+", value)


@dataclass(frozen=True, slots=True)
class Recipients:
    ours: bool | None
    """True: for one of our domains; False: not ours; None: nothing shows."""
    shown: str | None
    how: str
    forwarded: bool = False
    evidence: tuple[Evidence, ...] = ()


def recipients(
    hops: Sequence[Hop],
    entry: Hop,
    custody: Custody,
    org: Organisation,
    block: HeaderBlock,
    *,
    facts: HeaderFacts | None = None,
) -> Recipients:
    """Who the message was for, from the ``for`` clauses at and above the entry hop."""
    ours_fors = [
        h for h in reversed(hops) if h.index in custody.verified and h.recipient is not None
    ]
    above_fors = [
        h
        for h in reversed(hops)
        if h.index > entry.index and h.index not in custody.verified and h.recipient is not None
    ]
    # our own servers' for clauses decide first (the entry hop's own for clause first)
    ours_fors.sort(key=lambda h: h.index)
    for h in ours_fors:
        assert h.recipient is not None
        trick = recipient_trick(h.recipient)
        if trick:
            return Recipients(
                False,
                h.recipient,
                f"the for clause of hop {h.index} ({trick})",
                evidence=received(h.raw),
            )
        if org.is_our_domain(h.recipient):
            outside = next((x for x in above_fors if not org.is_our_domain(x.recipient)), None) or (
                hops[custody.handed_out] if custody.handed_out is not None else None
            )
            return Recipients(
                True,
                h.recipient,
                f"the for clause of hop {h.index}",
                forwarded=outside is not None,
                evidence=received(h.raw) + (received(outside.raw) if outside is not None else ()),
            )
        return Recipients(
            False, h.recipient, f"the for clause of hop {h.index}", evidence=received(h.raw)
        )
    for h in above_fors:
        assert h.recipient is not None
        if not org.is_our_domain(h.recipient):
            return Recipients(
                False, h.recipient, f"the for clause of hop {h.index}", evidence=received(h.raw)
            )
    if custody.handed_out is not None:
        out = hops[custody.handed_out]
        if not (
            org.is_our_server(out.server.host) or ours_by_address(out.server.ip, org, reached=False)
        ):
            to = _addresses(block.get("To")) + _addresses(block.get("Cc"))
            if to and all(org.is_our_domain(a) for a in to):
                return Recipients(
                    True,
                    to[0],
                    "the To/Cc headers, and our server then handed it to an outside server",
                    forwarded=True,
                    evidence=received(out.raw),
                )
            return Recipients(
                False,
                next((a for a in to if not org.is_our_domain(a)), None)
                or (out.server.host or "an outside server"),
                f"our server handed it to {out.server.host or 'an outside server'}",
                evidence=received(out.raw),
            )
    for h in above_fors:
        assert h.recipient is not None
        return Recipients(
            True, h.recipient, f"the for clause of hop {h.index}", evidence=received(h.raw)
        )
    to = _addresses(block.get("To")) + _addresses(block.get("Cc"))
    # Our Exchange's own stamp beats To/Cc, which the sender wrote (Bcc leaves no trace).
    direction = facts.get("X-MS-Exchange-Organization-MessageDirectionality") if facts else None
    if direction is not None and direction.strip().lower() == "incoming":
        line = f"X-MS-Exchange-Organization-MessageDirectionality: {direction.strip()}"
        shown = next((a for a in to if org.is_our_domain(a)), None) or "a recipient of ours"
        return Recipients(
            True, shown, "our Exchange's directionality stamp", evidence=headers(line)
        )
    if to:
        mine = [a for a in to if org.is_our_domain(a)]
        if len(mine) == len(to):
            return Recipients(True, mine[0], "the To/Cc headers (no for clause)")
        return Recipients(
            False,
            next(a for a in to if not org.is_our_domain(a)),
            "the To/Cc headers (no for clause)",
        )
    return Recipients(None, None, "nothing")
