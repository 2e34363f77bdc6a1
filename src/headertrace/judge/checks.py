"""Findings that need the organisation: forged references to our servers, HELO claims,
private clients from outside, future dates, recipient tricks, forwarding and claims.

Custody breaks and time running backwards are found without an organisation
(:mod:`headertrace.judge.chain`) and are not repeated here.

Pure: no I/O. "In the future" is measured against the newest hop's timestamp, never the
wall clock, so a trace is a function of the message alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime

from headertrace.addresses import is_internal, is_loopback
from headertrace.judge.chain import TIME_TOLERANCE_SECONDS
from headertrace.judge.custody import Custody, client_match, ours_by_address
from headertrace.judge.facts import HeaderFacts
from headertrace.judge.org import Organisation
from headertrace.judge.recipients import Recipients, recipient_trick
from headertrace.models import Finding, Hop, Verdict, headers, received
from headertrace.parse.headers import HeaderBlock, one_line


def org_findings(
    hops: Sequence[Hop],
    org: Organisation,
    block: HeaderBlock,
    *,
    custody: Custody,
    entry: Hop | None,
    facts: HeaderFacts,
    verdict: Verdict,
    rc: Recipients | None,
) -> list[Finding]:
    out: list[Finding] = []
    out.extend(_forged(hops, custody, verdict))
    out.extend(_by_configuration(hops, org, custody))
    floor = entry.index if entry is not None else 0
    written = [h for h in hops if h.index >= floor]
    out.extend(_helo_claims(written, org))
    out.extend(_private_clients(hops, org, custody))
    out.extend(_future(hops, block))
    if entry is not None:
        out.extend(_recipient_tricks(hops, entry, custody))
        if verdict.kind == "inbound" and rc is not None and rc.forwarded:
            out.append(
                Finding(
                    code="forwarded-outside",
                    severity="info",
                    hop=entry.index,
                    message=f"the message was for {rc.shown}, one of our addresses, and our "
                    "server then forwarded it to an outside server: a forward or an alias "
                    "points outside; spam forwarded this way can get our server listed",
                    evidence=rc.evidence,
                )
            )
    out.extend(_claims(facts, entry))
    return out


def _forged(hops: Sequence[Hop], custody: Custody, verdict: Verdict) -> list[Finding]:
    if not custody.unverified or verdict.kind == "undetermined":
        return []
    critical = verdict.kind == "forged"
    where = (
        "below the verified chain" if custody.entry is not None else "where custody never reaches"
    )
    return [
        Finding(
            code="our-server-forged",
            severity="critical" if critical else "warning",
            hop=i,
            message=f"hop {i} claims to be written by our server "
            f"{hops[i].server.host or hops[i].server.ip}, {where}: no hop of ours received "
            "the message from it, so the header is forged "
            "(or was written before the message reached the servers that can be vouched for)",
            evidence=received(hops[i].raw),
        )
        for i in custody.unverified
    ]


def _by_configuration(hops: Sequence[Hop], org: Organisation, custody: Custody) -> list[Finding]:
    """Custody steps that rested on the organisation's configuration, not on a name match:
    a reader should see that the two machines were joined because we listed the lower one."""
    out: list[Finding] = []
    for newer_i, older_i in custody.by_configuration:
        newer, older = hops[newer_i], hops[older_i]
        c = newer.client
        client = c.rdns or c.helo or c.ip or "a client"
        if c.ip and c.ip != client:
            client = f"{client} [{c.ip}]"
        server = older.server.host or older.server.ip or "a server"
        why = (
            "matches 'servers'"
            if org.is_configured_server(older.server.host)
            else "has its address in 'networks'"
        )
        out.append(
            Finding(
                code="custody-by-configuration",
                severity="info",
                hop=older_i,
                message=f"hop {newer_i} recorded {client}, a client of ours, and the header "
                f"below it was written by {server}, another machine: custody continues "
                f"because {server} {why} in the organisation (split tiers), not because "
                "the names match",
                evidence=received(newer.raw, older.raw),
            )
        )
    return out


def _outside(ip: str | None, org: Organisation) -> bool:
    return ip is not None and not is_internal(ip) and not org.is_our_address(ip)


_LOCALHOST = ("localhost", "localhost.localdomain", "localhost6", "127.0.0.1")


def _helo_claims(hops: Sequence[Hop], org: Organisation) -> list[Finding]:
    out: list[Finding] = []
    for h in hops:
        c = h.client
        # Only a HELO the header records: Exim's "from NAME ([IP])" says the client's
        # matched its verified name, not that it said one.
        said = c.said_helo
        if not said or not _outside(c.ip, org) or h.kind not in ("relay", "unknown"):
            continue
        helo = said.strip("[]").lower().rstrip(".")
        if helo in _LOCALHOST or helo.startswith("localhost."):
            continue  # no claim to be us: offline attribution's helo-localhost-external
        if (org.is_our_server(helo) or org.is_our_address(helo)) and client_match(h, org) is None:
            out.append(
                Finding(
                    code="helo-claims-our-name",
                    severity="warning",
                    hop=h.index,
                    message=f"the client at {c.ip} said HELO {said}, a name of ours, but the "
                    "address is not ours: it is pretending to be our server",
                    evidence=received(h.raw),
                )
            )
    return out


def _private_clients(hops: Sequence[Hop], org: Organisation, custody: Custody) -> list[Finding]:
    out: list[Finding] = []
    for h in hops:
        ip = h.client.ip
        if ip is None or not is_internal(ip) or is_loopback(ip):
            continue
        reached = h.index in custody.verified
        if ours_by_address(ip, org, reached=reached) or client_match(h, org, reached=reached):
            continue
        server_public = h.server.ip is not None and not is_internal(h.server.ip)
        ours = h.index in custody.verified
        if not (server_public or ours):
            continue
        out.append(
            Finding(
                code="private-client-external",
                severity="warning",
                hop=h.index,
                message=f"hop {h.index} records the private address {ip} handing the message "
                f"to {h.server.host or h.server.ip}, which takes mail from outside: a private "
                "address cannot arrive over the internet, so the header is forged or one of "
                "our networks is missing from the organisation",
                evidence=received(h.raw),
            )
        )
    return out


def _future(hops: Sequence[Hop], block: HeaderBlock) -> list[Finding]:
    newest = next((h for h in reversed(hops) if h.timestamp is not None), None)
    if newest is None or newest.timestamp is None:
        return []
    ref = newest.timestamp
    out: list[Finding] = []
    for h in hops:
        if h.timestamp is None or h is newest:
            continue
        ahead = (h.timestamp - ref).total_seconds()
        if ahead > TIME_TOLERANCE_SECONDS:
            out.append(
                Finding(
                    code="future-date",
                    severity="warning",
                    hop=h.index,
                    message=f"hop {h.index} is dated {ahead:.0f} s after the newest hop was "
                    "written: a clock is wrong or the header was forged",
                    evidence=received(h.raw),
                )
            )
    date = block.get("Date")
    if date:
        parsed: datetime | None
        try:
            parsed = parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            ahead = (parsed - ref).total_seconds()
            if ahead > TIME_TOLERANCE_SECONDS:
                out.append(
                    Finding(
                        code="future-date",
                        severity="info",
                        hop=None,
                        message=f"the Date header is {ahead:.0f} s after the newest hop: the "
                        "sender's clock is wrong or the date was set on purpose",
                        evidence=headers(f"Date: {one_line(date)}"),
                    )
                )
    return out


def _recipient_tricks(hops: Sequence[Hop], entry: Hop, custody: Custody) -> list[Finding]:
    out: list[Finding] = []
    for h in hops:
        if h.index < entry.index or h.recipient is None:
            continue
        if h.index != entry.index and h.index not in custody.verified:
            continue
        trick = recipient_trick(h.recipient)
        if trick:
            out.append(
                Finding(
                    code="recipient-trick",
                    severity="critical",
                    hop=h.index,
                    message=f"the recipient {h.recipient} uses {trick}: the mark of a relay test "
                    "or of relay abuse through our server",
                    evidence=received(h.raw),
                )
            )
    return out


def _claims(facts: HeaderFacts, entry: Hop | None) -> list[Finding]:
    if not facts.claims:
        return []
    lines = tuple(f"{n}: {one_line(v)}" for n, v in facts.claims)
    where = f"below the entry hop ({entry.index})" if entry is not None else "with no hop of ours"
    return [
        Finding(
            code="claimed-header",
            severity="info",
            hop=entry.index if entry is not None else None,
            message=f"{len(lines)} header(s) that would identify the sender sit {where}: "
            "anyone could have written them before the message reached us; they are claims, "
            "not evidence",
            evidence=headers(*lines),
        )
    ]
