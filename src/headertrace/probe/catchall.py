"""Catch-all domains: when accepting a routing trick proves nothing.

A server that accepts every local part of a domain (Exim with a catch-all router, Postfix
with ``luser_relay``, a virtual ``@domain`` alias) accepts ``t%victim@our-domain`` at
``RCPT`` and then delivers it to the catch-all mailbox, because it never treated ``%`` as
routing. The acceptance is real, the relaying is not. So a relay test whose recipient lands
on the server (see :func:`headertrace.probe.battery.landing_of`) counts as relayed only if
the catch-all check for that landing, an unguessable local part there, was refused at
``RCPT`` (and not for want of authentication); otherwise it becomes ``inconclusive`` with
the reason. Tests whose recipient lands outside are not touched: no catch-all of ours
explains accepting mail for a third party.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from headertrace.probe.report import Landing, ProbeResult, refuses_recipient

_WHERE: dict[Landing, str] = {
    "our-domain": "our domain",
    "server-name": "the server's name",
    "server-literal": "the server's address literal",
    "unqualified": "an address without a domain",
    "outside": "a third party",
}


def weigh(results: Iterable[ProbeResult]) -> tuple[ProbeResult, ...]:
    """The results with unproven acceptances turned ``inconclusive``."""
    results = tuple(results)
    checks = {r.landing: r for r in results if r.kind == "catch-all"}
    return tuple(_weigh_one(r, checks) for r in results)


def _weigh_one(result: ProbeResult, checks: dict[Landing, ProbeResult]) -> ProbeResult:
    if result.kind != "relay" or result.outcome != "accepted" or result.landing == "outside":
        return result
    check = checks.get(result.landing)
    if check is not None and refuses_recipient(check):
        return result  # local parts are checked there: the trick really routed it
    where = _WHERE[result.landing]
    if check is not None and check.outcome == "accepted":
        why = (
            f"accepted, but so was {check.rcpt_to}, a mailbox nobody has: {where} is a "
            "catch-all, so this recipient may be delivered locally, not relayed"
        )
    else:
        outcome = check.outcome if check is not None else "not run"
        why = (
            f"accepted, but the catch-all check at {where} got no refusal ({outcome}), so "
            "local delivery to a catch-all cannot be ruled out"
        )
    return replace(result, outcome="inconclusive", reason=why)
