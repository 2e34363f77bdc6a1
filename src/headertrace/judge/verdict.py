"""Custody + headers -> the organisation's part in the message (:class:`Verdict`).

Kinds, first applicable wins: ``forged``, ``local_injection``, ``authenticated_relay``,
``internal_origin``, ``inbound``, ``open_relay``; then ``not_involved``,
``no_organisation`` and ``undetermined``. The rules are explained in ``docs/verdicts.md``;
:func:`_decide` lists them in the order they are tried.

Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

from headertrace._frozen import replace
from headertrace.addresses import is_internal
from headertrace.judge.checks import org_findings
from headertrace.judge.custody import ClientMatch, Custody, client_match, walk
from headertrace.judge.facts import (
    HeaderFacts,
    account_of,
    authenticated_by_headers,
    header_facts,
    original_ip,
    script_of,
)
from headertrace.judge.org import Organisation
from headertrace.judge.recipients import Recipients, recipients
from headertrace.models import (
    Client,
    Confidence,
    Evidence,
    Finding,
    Hop,
    Origin,
    Sender,
    Verdict,
    VerdictKind,
    headers,
    received,
)
from headertrace.parse.headers import HeaderBlock, one_line

KINDS: tuple[VerdictKind, ...] = get_args(VerdictKind)


def _client_words(ip: str | None, rdns: str | None, helo: str | None, status: str) -> str:
    bits = []
    if helo:
        bits.append(f"HELO {helo}")
    if rdns:
        bits.append(f"rDNS {rdns}")
    elif status == "none":
        bits.append("no reverse DNS")
    return f"{ip or 'an unrecorded address'}" + (f" ({', '.join(bits)})" if bits else "")


def _sender(
    ip: str | None,
    rdns: str | None,
    helo: str | None,
    *,
    account: str | None = None,
    script: str | None = None,
    client: str | None = None,
) -> Sender:
    return Sender(ip=ip, rdns=rdns, helo=helo, account=account, script=script, client=client)


def _user_agent(block: HeaderBlock) -> str | None:
    v = block.get("X-Mailer") or block.get("User-Agent")
    return one_line(v) if v else None


def judge(
    hops: Sequence[Hop],
    org: Organisation | None,
    block: HeaderBlock,
    origin: Origin | None = None,
) -> tuple[Verdict, list[Finding]]:
    """The verdict, plus the findings that belong to the judgement (see ``checks``)."""
    findings: list[Finding] = []
    if org is None:  # most traces: no custody to walk, no findings of the judgement
        verdict = _no_org(origin)
    else:
        verdict, findings = _judge(hops, org, block)
    evidence = verdict.evidence
    if len(evidence) > 1:
        # ``replace`` costs more than the rest of a verdict without an organisation: only
        # when a quote repeats (most verdicts quote one header, or several distinct ones).
        unique = tuple(dict.fromkeys(evidence))
        if len(unique) < len(evidence):
            verdict = replace(verdict, evidence=unique)
    return verdict, findings


def _fetched(entry: Hop, fetch: Hop, server: str, custody_raw: tuple[Evidence, ...]) -> Verdict:
    """The program on 127.0.0.1 was a mail fetcher: it collected the message from a mailbox
    elsewhere (the hop below says where) and handed it to our server to deliver."""
    c = fetch.client
    mailbox = c.rdns or c.said_helo or c.ip or "a remote mailbox"
    tool = fetch.server.software or "a mail fetcher"
    return Verdict(
        kind="inbound",
        summary=f"{server} received this from {tool}, which fetched it with "
        f"{fetch.protocol or 'POP3/IMAP'} from the mailbox at {mailbox}: we received it, we "
        "did not relay it",
        confidence="medium",
        hop=entry.index,
        sender=_sender(c.ip, c.rdns, c.said_helo),
        evidence=custody_raw + received(fetch.raw),
    )


def _judge(
    hops: Sequence[Hop], org: Organisation, block: HeaderBlock
) -> tuple[Verdict, list[Finding]]:
    if not hops:
        return (
            Verdict(
                kind="undetermined",
                summary="the message has no Received headers, so there is no chain of custody "
                "to judge: ask for the complete original headers",
                confidence="low",
            ),
            [],
        )
    custody = walk(hops, org)
    entry = hops[custody.entry] if custody.entry is not None else None
    facts = header_facts(block, hops, entry, custody)
    rc = recipients(hops, entry, custody, org, block, facts=facts) if entry is not None else None
    verdict = _decide(hops, org, block, custody=custody, entry=entry, facts=facts, rc=rc)
    if custody.verified and verdict.hop is not None:
        verdict = replace(verdict, custody=tuple(sorted(custody.verified)))
    findings = org_findings(
        hops, org, block, custody=custody, entry=entry, facts=facts, verdict=verdict, rc=rc
    )
    return verdict, findings


def origin_from_verdict(verdict: Verdict, hops: Sequence[Hop], org_label: str) -> Origin | None:
    """With an organisation, the origin is the entry hop's client: our verified chain
    vouches for everything above it."""
    if verdict.hop is None or verdict.kind in ("no_organisation", "undetermined"):
        return None
    hop = hops[verdict.hop]
    s = verdict.sender
    return Origin(
        hop=verdict.hop,
        ip=s.ip,
        rdns=s.rdns,
        helo=s.helo,
        reason=f"the entry hop: the oldest hop {org_label}'s verified chain of custody reaches",
        evidence=received(hop.raw),
    )


def _no_org(origin: Origin | None) -> Verdict:
    if origin is None:
        return Verdict(
            kind="no_organisation",
            summary="no organisation was given, and no client address in the chain could be "
            "taken as the origin",
            confidence="low",
        )
    ip, rdns, helo = origin.ip, origin.rdns, origin.helo
    words = _client_words(ip, rdns, helo, "present")
    return Verdict(
        kind="no_organisation",
        summary=f"no organisation was given; the inferred origin is {words} at hop {origin.hop} "
        f"({origin.reason})",
        confidence="low",
        hop=origin.hop,
        sender=Sender(ip, rdns, helo),
        evidence=origin.evidence,
    )


def _decide(
    hops: Sequence[Hop],
    org: Organisation,
    block: HeaderBlock,
    *,
    custody: Custody,
    entry: Hop | None,
    facts: HeaderFacts,
    rc: Recipients | None,
) -> Verdict:
    """The verdict rules, first applicable wins (the order of docs/verdicts.md)."""
    if entry is None or rc is None:
        return (
            _custody_undecided(hops, org, custody)
            or _forged(hops, org, custody)
            or _direct_client(hops, org, block, custody)
            or _nothing_parsed(hops)
            or _not_involved(hops, org)
        )
    ctx = _entry_context(hops, org, block, custody=custody, entry=entry, facts=facts, rc=rc)
    return (
        _fetched_mail(ctx)
        or _local_injection(ctx)
        or _authenticated_relay(ctx)
        or _internal_origin(ctx)
        or _client_unrecorded(ctx)
        or _inbound(ctx)
        or _recipient_unknown(ctx)
        or _open_relay(ctx)
    )


# -- no entry hop: custody never reached a hop of ours ------------------------------------


def _custody_undecided(hops: Sequence[Hop], org: Organisation, custody: Custody) -> Verdict | None:
    """Our server is named, but something (a hidden client, an unparsed hop) kept custody
    from being checked."""
    if not custody.named or custody.direct_client is not None or not custody.missing:
        return None
    return Verdict(
        kind="undetermined",
        summary=f"a server of {org.label} is named in the headers, but {custody.missing}",
        confidence="low",
        evidence=received(*(hops[i].raw for i in custody.named)),
    )


def _forged(hops: Sequence[Hop], org: Organisation, custody: Custody) -> Verdict | None:
    """Our server is named, but the hop above it recorded an outside client."""
    if not custody.named or custody.direct_client is not None:
        return None
    top = hops[custody.named[0]]
    above = hops[top.index + 1] if top.index + 1 < len(hops) else None
    shown = (
        _client_words(
            above.client.ip, above.client.rdns, above.client.said_helo, above.client.rdns_status
        )
        if above is not None
        else "another client"
    )
    return Verdict(
        kind="forged",
        summary=f"{top.server.host or top.server.ip} ({org.label}) is named in the headers, "
        f"but custody shows the message never came from us: hop "
        f"{above.index if above else '?'} recorded {shown} as the client, not one of "
        "our servers",
        confidence="high" if above is not None and above.client.ip and org.networks else "medium",
        hop=None,
        sender=_sender(
            above.client.ip if above else None,
            above.client.rdns if above else None,
            above.client.said_helo if above else None,
        ),
        evidence=received(
            *(x.raw for x in ((above,) if above else ()) + tuple(hops[i] for i in custody.named))
        ),
    )


def _direct_client(
    hops: Sequence[Hop], org: Organisation, block: HeaderBlock, custody: Custody
) -> Verdict | None:
    """One of our addresses handed the message straight to an outside server."""
    if custody.direct_client is None:
        return None
    h = hops[custody.direct_client]
    words = _client_words(h.client.ip, h.client.rdns, h.client.said_helo, h.client.rdns_status)
    return Verdict(
        kind="internal_origin",
        summary=f"{words}, an address of {org.label}, handed this straight to "
        f"{h.server.host or 'an outside server'}: look for an infected machine, a device "
        "or an application at that address",
        confidence="high",
        hop=h.index,
        sender=_sender(h.client.ip, h.client.rdns, h.client.said_helo, client=_user_agent(block)),
        evidence=received(h.raw),
    )


def _nothing_parsed(hops: Sequence[Hop]) -> Verdict | None:
    if not all(h.status == "unparsed" for h in hops):
        return None
    return Verdict(
        kind="undetermined",
        summary="no Received header could be parsed, so custody cannot be checked: ask "
        "for the complete original headers",
        confidence="low",
    )


def _not_involved(hops: Sequence[Hop], org: Organisation) -> Verdict:
    return Verdict(
        kind="not_involved",
        summary=f"nothing in the verified chain is {org.label}'s: no server or address of ours "
        "handled this message",
        confidence="high" if all(h.status == "parsed" for h in hops) else "medium",
    )


# -- an entry hop: who handed the message to our oldest verified hop -----------------------


@dataclass(frozen=True, slots=True)
class _EntryContext:
    """What every entry-hop rule needs, worked out once by :func:`_entry_context`."""

    hops: Sequence[Hop]
    org: Organisation
    entry: Hop
    facts: HeaderFacts
    rc: Recipients
    """Who the message was for (see :func:`recipients`)."""
    server: str
    """The entry hop's server, as the summaries name it."""
    custody_raw: tuple[Evidence, ...]
    """Evidence: the hop our server handed it out on, our verified hops, the relay's hops."""
    match: ClientMatch | None
    """How the entry hop's client is ours (``relay``: a listed relay handed it to us)."""
    client: Client
    """Who handed it to us: the entry hop's client, or the listed relay's own client."""
    relay_client: Hop | None
    """The listed relay's oldest hop, when a relay handed it to us."""
    confidence: Confidence
    """As far as custody goes: lower when it rests on names or an unparsed entry hop."""
    header_lines: tuple[Evidence, ...]
    """The trusted evidence headers, as ``Name: value`` lines."""
    user_agent: str | None

    @property
    def ip(self) -> str | None:
        """The client address to report. Where custody rests on a name (or nothing) and the
        recorded address is hidden or internal, an original-IP header of ours says more."""
        ip = self.client.ip
        if self.match in ("name", None) and (ip is None or is_internal(ip)):
            ip = original_ip(self.facts) or ip
        return ip

    @property
    def words(self) -> str:
        c = self.client
        return _client_words(self.ip, c.rdns, c.said_helo, c.rdns_status)

    @property
    def via(self) -> str:
        return f" via {self.relay_client.server.host}" if self.relay_client is not None else ""


def _entry_context(
    hops: Sequence[Hop],
    org: Organisation,
    block: HeaderBlock,
    *,
    custody: Custody,
    entry: Hop,
    facts: HeaderFacts,
    rc: Recipients,
) -> _EntryContext:
    custody_raw = received(*(hops[i].raw for i in sorted(custody.verified, reverse=True)))
    if custody.handed_out is not None:
        custody_raw = received(hops[custody.handed_out].raw) + custody_raw
    match = client_match(entry, org, reached=True)
    client = entry.client
    relay_client = None
    if match == "relay" and custody.relay_hops:
        relay_client = hops[custody.relay_hops[-1]]
        client = relay_client.client
        custody_raw = custody_raw + received(*(hops[i].raw for i in custody.relay_hops))
    confidence: Confidence = "high"
    if custody.by_name or match == "name":
        confidence = "medium"
    if entry.status != "parsed":
        confidence = "low"
    return _EntryContext(
        hops=hops,
        org=org,
        entry=entry,
        facts=facts,
        rc=rc,
        server=entry.server.host or entry.server.ip or "our server",
        custody_raw=custody_raw,
        match=match,
        client=client,
        relay_client=relay_client,
        confidence=confidence,
        header_lines=headers(*facts.lines()),
        user_agent=_user_agent(block),
    )


def _fetched_mail(ctx: _EntryContext) -> Verdict | None:
    """A mailbox fetch re-injected over loopback (fetchmail, getmail): mail we received."""
    entry = ctx.entry
    below = ctx.hops[entry.index - 1] if entry.index > 0 else None
    if ctx.match != "loopback" or below is None or below.kind != "fetch":
        return None
    return _fetched(entry, below, ctx.server, ctx.custody_raw)


def _local_injection(ctx: _EntryContext) -> Verdict | None:
    """Created on the server itself: a local submission, or a program on the server that
    connected over SMTP on loopback."""
    entry = ctx.entry
    marked = entry.kind == "local"
    if not (marked or ctx.match == "loopback"):
        return None
    if not marked and entry.auth.authenticated is True:
        # A webmail front end on the server logged in over loopback: the account it
        # logged in as is what to act on (authenticated_relay), not the program.
        return None
    script = script_of(ctx.facts)
    how = _local_how(entry)
    server = ctx.server
    if entry.server.host is None and entry.server.ip is None:
        server = _name_from_above(ctx.hops, entry) or server
    account = account_of(entry, ctx.facts)
    c = ctx.client
    if entry.kind == "local":
        # a local submission has no network client; the local user is the account
        ident = entry.client.ident
        if ident and ident.isdigit():
            ident = f"uid {ident}"
        account = ident or (account.split("/")[0] if account else None)
        c = Client()
    summary = f"this was created on {server} itself ({how})" + (
        f" by the script {script}" if script else ""
    )
    summary += (
        ": find and disable the script that sent it"
        if script
        else ": find the program or user on that server that sent it"
    )
    return Verdict(
        kind="local_injection",
        summary=summary,
        confidence="high" if script or entry.kind == "local" else "medium",
        hop=entry.index,
        sender=_sender(
            c.ip,
            c.rdns,
            c.said_helo if entry.kind != "local" else None,
            account=account,
            script=script,
            client=ctx.user_agent,
        ),
        evidence=ctx.custody_raw + ctx.header_lines,
    )


def _authenticated_relay(ctx: _EntryContext) -> Verdict | None:
    """The client logged in: the entry hop says so, or a trusted header does and the entry
    hop does not deny it."""
    entry = ctx.entry
    auth_header = authenticated_by_headers(ctx.facts)
    web = _web_submission(entry, ctx.match)
    authenticated = entry.auth.authenticated is True or (
        (auth_header is not None or web is not None) and entry.auth.authenticated is not False
    )
    if not authenticated:
        return None
    auth_header = auth_header or web
    account = account_of(entry, ctx.facts)
    c, rc = ctx.client, ctx.rc
    for_text = f", for {rc.shown}" if rc.shown else ""
    who = f" as {account}" if account else ""
    marker = entry.auth.evidence or auth_header or "authentication"
    return Verdict(
        kind="authenticated_relay",
        summary=f"{ctx.server} accepted this from {ctx.words} after it logged in{who} "
        f"({marker}){for_text}: the account is probably compromised; reset its password",
        confidence=ctx.confidence if account else _lower(ctx.confidence),
        hop=entry.index,
        sender=_sender(ctx.ip, c.rdns, c.said_helo, account=account, client=ctx.user_agent),
        evidence=ctx.custody_raw + ctx.header_lines + rc.evidence,
    )


_WEB = re.compile(r"\b(?:with|via)\s+(HTTPS?|HTTPREST)\b", re.I)


def _web_submission(entry: Hop, match: ClientMatch | None) -> str | None:
    """Our server took the message over HTTP from a client elsewhere: a webmail or API
    session, which needs a login (web.de's ``(via HTTP)``, Yahoo's ``via HTTP``, SquirrelMail's
    ``with HTTP``). A web form that mails does so from a local script, not as such a hop."""
    if match == "loopback" or entry.client.ip is None:
        return None  # Microsoft 365's internal ``from X (::1) by Y with HTTPS``
    m = _WEB.search(entry.protocol or "") or _WEB.search(entry.raw)
    return f"a webmail session ({m.group(0)})" if m else None


def _internal_origin(ctx: _EntryContext) -> Verdict | None:
    """A client of ours (not a listed relay) handed it over without authenticating."""
    if ctx.match not in ("address", "name", "loopback") or ctx.relay_client is not None:
        return None
    c = ctx.client
    return Verdict(
        kind="internal_origin",
        summary=f"{ctx.words}, inside the networks of {ctx.org.label}, handed this to "
        f"{ctx.server} without authenticating: look for an infected machine, a device or an "
        "application at that address",
        confidence=ctx.confidence,
        hop=ctx.entry.index,
        sender=_sender(ctx.ip, c.rdns, c.said_helo, client=ctx.user_agent),
        evidence=ctx.custody_raw + ctx.header_lines,
    )


def _client_unrecorded(ctx: _EntryContext) -> Verdict | None:
    """The entry hop recorded no client address or name: nobody to name."""
    c = ctx.client
    if ctx.ip is not None or c.said_helo or c.rdns:
        return None
    entry = ctx.entry
    return Verdict(
        kind="undetermined",
        summary=f"{ctx.server} wrote the entry hop but recorded no client address or name, so "
        "who handed it the message is unknown: ask for the server's logs for that queue id"
        + (f" ({entry.id})" if entry.id else ""),
        confidence="low",
        hop=entry.index,
        evidence=ctx.custody_raw,
    )


def _inbound(ctx: _EntryContext) -> Verdict | None:
    """An outside client, for a recipient of ours: we received it."""
    rc = ctx.rc
    if rc.ours is not True:
        return None
    c = ctx.client
    return Verdict(
        kind="inbound",
        summary=f"{ctx.server} received this from {ctx.words}{ctx.via} for {rc.shown}, an "
        f"address of {ctx.org.label}: we received it, we did not relay it"
        + (" (our server then forwarded it outside)" if rc.forwarded else ""),
        confidence=ctx.confidence if "for clause" in rc.how else _lower(ctx.confidence),
        hop=ctx.entry.index,
        sender=_sender(ctx.ip, c.rdns, c.said_helo, client=ctx.user_agent),
        evidence=ctx.custody_raw + rc.evidence,
    )


def _recipient_unknown(ctx: _EntryContext) -> Verdict | None:
    """An outside client, and nothing shows whether the recipient was ours."""
    if ctx.rc.ours is not None:
        return None
    c = ctx.client
    return Verdict(
        kind="undetermined",
        summary=f"{ctx.server} accepted this from {ctx.words}{ctx.via} without authentication, "
        "but no for clause, forwarding hop or recipient header shows whether the recipient "
        "was ours: ask for the complete headers or the server's log for this message",
        confidence="low",
        hop=ctx.entry.index,
        sender=_sender(ctx.ip, c.rdns, c.said_helo, client=ctx.user_agent),
        evidence=ctx.custody_raw,
    )


def _open_relay(ctx: _EntryContext) -> Verdict:
    """An outside client that did not authenticate, for a recipient that is not ours."""
    rc, c = ctx.rc, ctx.client
    return Verdict(
        kind="open_relay",
        summary=f"{ctx.server} accepted this from {ctx.words}{ctx.via} without authentication, "
        f"for {rc.shown}: close relaying for unauthenticated clients",
        confidence=ctx.confidence if "for clause" in rc.how or "handed" in rc.how else "low",
        hop=ctx.entry.index,
        sender=_sender(ctx.ip, c.rdns, c.said_helo, client=ctx.user_agent),
        evidence=ctx.custody_raw + ctx.header_lines + rc.evidence,
    )


def _name_from_above(hops: Sequence[Hop], entry: Hop) -> str | None:
    """The name the next hop up recorded for the server that wrote ``entry``."""
    if entry.index + 1 >= len(hops):
        return None
    c = hops[entry.index + 1].client
    return c.rdns or c.said_helo or c.ip


def _lower(c: Confidence) -> Confidence:
    return "medium" if c == "high" else "low"


_LOCAL_WORDS = re.compile(
    r"\bwith local\b|\bfrom userid\b|invoked by uid|invoked for bounce|\(from [^)@\s]+@localhost\)"
    r"|mail pickup service|\bwith local-\w+|\bwith LOCAL\b",
    re.I,
)
"""The words a local submission's header uses, quoted in the summary (``Hop.kind`` decides)."""


def _local_how(hop: Hop) -> str:
    m = _LOCAL_WORDS.search(hop.raw)
    if hop.client.ident:
        who = hop.client.ident
        if who.isdigit():
            return f"submitted locally by uid {who}"
        return f"submitted locally by user {who}"
    if m:
        return one_line(m.group(0))
    if hop.client.ip:
        return f"a program on the server connected from {hop.client.ip}"
    return "a local submission"
