"""What every report says, as plain data: the headline, the next steps, the evidence, the
findings by severity, the hops, the attribution, where the message was found and what was in
it. The HTML, Markdown and text renderers and the abuse-report draft all read this.

Built from a :class:`~headertrace.models.Trace` alone; the traced message's bytes, when the
caller has them, add only the "what was in it" section (read with mail-parser, which loads
when a report is rendered, never when a message is traced). Nothing here re-parses the
headers the trace was made from, and nothing looks anything up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import timezone
from typing import Any

from headertrace.models import Evidence, Finding, Hop, Trace, VerdictKind
from headertrace.parse.headers import one_line

Tone = str
"""``bad`` (our server sent it: act), ``warn`` (forged or unclear), ``good`` (not ours to
fix), ``none`` (no verdict about an organisation)."""

TONE: dict[str, Tone] = {
    "open_relay": "bad",
    "authenticated_relay": "bad",
    "internal_origin": "bad",
    "local_injection": "bad",
    "forged": "warn",
    "undetermined": "warn",
    "inbound": "good",
    "not_involved": "good",
    "no_organisation": "none",
}

TITLE: dict[str, str] = {
    "open_relay": "Open relay",
    "authenticated_relay": "Compromised account (authenticated relay)",
    "internal_origin": "Infected or misused internal machine",
    "local_injection": "Sent by a script or local user on our server",
    "forged": "Forged: our server is named, but the message never came from us",
    "undetermined": "Undetermined: the headers do not allow an answer",
    "inbound": "Inbound: we received this message, we did not send it",
    "not_involved": "Not involved: none of our servers handled it",
    "no_organisation": "Origin",
}

NEXT_STEPS: dict[str, tuple[str, ...]] = {
    "open_relay": (
        "Close relaying for unauthenticated clients: accept mail from outside only for our "
        "own domains (Postfix: permit_mynetworks, permit_sasl_authenticated, "
        "reject_unauth_destination; Exchange: no Anonymous relay on receive connectors).",
        "Check mynetworks / relay connectors for overly wide ranges.",
        "Confirm it is closed: headertrace probe HOST --our-domain DOMAIN.",
        "Ask the blocklists to delist the address.",
    ),
    "authenticated_relay": (
        "Reset the account's password; revoke app passwords and sessions.",
        "Look for forwarding rules the attacker left; enable multi-factor authentication.",
        "Rate-limit outbound mail per account.",
        "Ask the blocklists to delist the address.",
    ),
    "internal_origin": (
        "Find the machine at the sender's address (DHCP leases, switch tables) and clean it.",
        "Block outbound port 25 from everything except the mail servers.",
    ),
    "local_injection": (
        "Find the script or local user (web server logs at the entry hop's time, "
        "X-PHP-Script / X-Source-Args), remove it and fix how it got there.",
        "Disable mail() for sites that do not need it.",
    ),
    "inbound": (
        "Nothing to fix about relaying: reply to the complainant with the evidence.",
        "If our server forwarded it outside, filter before forwarding or use SRS.",
    ),
    "forged": (
        "Reply to the complainant with the verdict and the evidence below.",
        "Publish SPF, DKIM and DMARC so that receivers reject such forgeries.",
    ),
    "not_involved": ("Tell the complainant that none of our servers handled the message.",),
    "undetermined": (
        "Ask the complainant for the complete original headers, or read the server's log "
        "for the queue id.",
    ),
    "no_organisation": (
        "Give our domains (--our-domain) or an organisation file (--org) for a verdict.",
        "Report the origin to its network's abuse contact.",
    ),
}

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}

_FOUND_IN = {
    "message": "the file itself",
    "arf": "an ARF abuse report",
    "dsn": "a bounce (DSN)",
    "attachment": "an attached message",
    "pasted": "headers pasted into the text (they may have been altered)",
    "msg": "an Outlook .msg file",
    "mbox": "an mbox",
    "maildir": "a Maildir",
}


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Contents:
    """What was in the traced message, as mail-parser reads it."""

    subject: str | None
    from_: str | None
    to: str | None
    date: str | None
    attachments: tuple[Attachment, ...]
    defects: tuple[str, ...]
    headers_only: bool
    """Only a header block was given (pasted headers, ``text/rfc822-headers``)."""


@dataclass(frozen=True, slots=True)
class HopRow:
    index: int
    client: str
    server: str
    protocol: str
    tls: str
    auth: str
    time: str
    delay: str
    kind: str
    claim: bool
    ours: bool
    entry: bool


@dataclass(frozen=True, slots=True)
class AttributionRow:
    """Who owns one hop's client: online attribution where it was asked for."""

    hop: int
    ip: str
    ip_class: str
    owner: str
    asn: str
    country: str
    abuse: tuple[str, ...]
    abuse_source: str
    blocklists: tuple[str, ...]
    looked_up: bool


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a report shows, in the order it shows it."""

    tone: Tone
    kind: str
    title: str
    summary: str
    confidence: str
    next_steps: tuple[str, ...]
    evidence: tuple[str, ...]
    findings: tuple[Finding, ...]
    hops: tuple[HopRow, ...]
    attribution: tuple[AttributionRow, ...]
    found_in: str
    wrappers: tuple[tuple[str, str], ...]
    """(what wrapped it, its fields in one line), outermost first."""
    message: tuple[tuple[str, str], ...]
    """The trace's own message fields (Message-ID, Subject...) as (name, value)."""
    contents: Contents | None
    defects: tuple[str, ...]
    log: tuple[str, ...]
    """Server log lines joined to the trace (``Trace.log``, when present)."""
    sender_abuse: tuple[str, ...]


def evidence_line(e: Evidence) -> str:
    return f"Received: {one_line(e.text)}" if e.kind == "received" else one_line(e.text)


def claims_below(trace: Trace) -> int:
    """Hops with an index below this are claims nobody verified (drawn dashed): below the
    origin (with an organisation, the entry hop), or at and below a forged header of ours."""
    floor = trace.origin.hop if trace.origin is not None else 0
    for f in trace.findings:
        if f.code == "our-server-forged" and f.hop is not None:
            floor = max(floor, f.hop + 1)
    return floor


def tls_text(hop: Hop) -> str:
    if hop.tls is None:
        return ""
    return " ".join(x for x in (hop.tls.version, hop.tls.cipher) if x) or "TLS"


def auth_text(hop: Hop) -> str:
    if hop.auth.authenticated is None:
        return ""
    text = "yes" if hop.auth.authenticated else "no"
    if hop.auth.identity:
        text += f" ({hop.auth.identity})"
    return text


def client_text(hop: Hop) -> str:
    c = hop.client
    if hop.kind == "local":
        return f"local {c.ident or ''}".strip()
    bits = []
    if c.said_helo:
        bits.append(c.said_helo)
    if c.rdns and c.rdns != c.said_helo:
        bits.append(f"rDNS {c.rdns}")
    elif c.rdns_status == "none":
        bits.append("no rDNS")
    if c.ip:
        bits.append(f"[{c.ip}]")
    return " ".join(bits) or "-"


def delay_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    if s < 120:
        return f"{sign}{s:.0f}s"
    if s < 7200:
        return f"{sign}{s / 60:.0f}min"
    if s < 172800:
        return f"{sign}{s / 3600:.1f}h"
    return f"{sign}{s / 86400:.1f}d"


def _hop_rows(trace: Trace) -> tuple[HopRow, ...]:
    verdict = trace.verdict
    ours = set(verdict.custody) if verdict else set()
    entry = verdict.hop if verdict and verdict.custody else None
    floor = claims_below(trace)
    rows = []
    for hop in trace.hops:
        when = (
            hop.timestamp.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            if hop.timestamp
            else ""
        )
        rows.append(
            HopRow(
                index=hop.index,
                client=one_line(client_text(hop)),
                server=one_line(hop.server.host or hop.server.ip or ""),
                protocol=one_line(hop.protocol or ""),
                tls=one_line(tls_text(hop)),
                auth=one_line(auth_text(hop)),
                time=when,
                delay=delay_text(hop.delay_seconds),
                kind=hop.kind,
                claim=hop.index < floor,
                ours=hop.index in ours,
                entry=hop.index == entry,
            )
        )
    return tuple(rows)


def _attribution(trace: Trace) -> tuple[AttributionRow, ...]:
    rows = []
    for hop in trace.hops:
        a = hop.attribution
        if a is None or a.ip is None:
            continue
        net = a.network
        owner = ""
        if net is not None:
            owner = net.registrant or net.network_name or net.as_name or ""
        rows.append(
            AttributionRow(
                hop=hop.index,
                ip=a.ip,
                ip_class=(a.ip_class or "") + (f" ({a.ip_note})" if a.ip_note else ""),
                owner=one_line(owner),
                asn=f"AS{net.asn}" if net is not None and net.asn else "",
                country=(net.country or "") if net is not None else "",
                abuse=net.abuse_emails if net is not None else (),
                abuse_source=(net.abuse_source or "") if net is not None else "",
                blocklists=tuple(
                    f"{b.zone}: {b.status}" + (f" ({', '.join(b.meanings)})" if b.meanings else "")
                    for b in a.blocklists
                ),
                looked_up=net is not None or bool(a.blocklists),
            )
        )
    return tuple(rows)


def _fields_line(fields: dict[str, Any]) -> str:
    parts = []
    for name, value in fields.items():
        if isinstance(value, dict):
            continue
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        parts.append(f"{name}: {one_line(text)}")
    return "; ".join(parts)


def _found_in(trace: Trace) -> str:
    s = trace.source
    where = _FOUND_IN.get(s.kind, s.kind)
    part = f", part {s.part}" if s.part else ""
    path = f" ({s.path})" if s.path else ""
    return f"{where}{part}{path}"


def sender_abuse(trace: Trace) -> tuple[str, ...]:
    """The origin network's abuse contact: the verdict's sender owner, else the attribution
    of the origin hop (both only after an online lookup)."""
    v = trace.verdict
    if v is not None and v.sender.owner is not None and v.sender.owner.abuse_emails:
        return v.sender.owner.abuse_emails
    hop_index = v.hop if v is not None and v.hop is not None else None
    if hop_index is None and trace.origin is not None:
        hop_index = trace.origin.hop
    if hop_index is not None and 0 <= hop_index < len(trace.hops):
        a = trace.hops[hop_index].attribution
        if a is not None and a.network is not None:
            return a.network.abuse_emails
    return ()


def build(trace: Trace, raw: bytes | None = None) -> Report:
    """The report of ``trace``; ``raw`` (the traced message's bytes) adds its contents."""
    v = trace.verdict
    kind: VerdictKind = v.kind if v is not None else "no_organisation"
    if v is not None and kind != "no_organisation":
        summary = v.summary
        evidence = tuple(evidence_line(e) for e in v.evidence)
    else:
        o = trace.origin
        if o is None:
            summary = "unknown: no client address in the Received chain"
            evidence = ()
        else:
            names = ", ".join(
                x
                for x in (f"rDNS {o.rdns}" if o.rdns else "", f"HELO {o.helo}" if o.helo else "")
                if x
            )
            summary = (
                f"{o.ip or '?'}" + (f" ({names})" if names else "") + f" at hop {o.hop}: {o.reason}"
            )
            evidence = tuple(evidence_line(e) for e in o.evidence)
    m = trace.message
    message = tuple(
        (name, value)
        for name, value in (
            ("Message-ID", m.message_id),
            ("Subject", m.subject),
            ("From", m.from_),
            ("To", m.to),
            ("Date", m.date),
            ("Return-Path", m.return_path),
        )
        if value
    )
    log = trace.log.lines if trace.log is not None else ()
    return Report(
        tone=TONE.get(kind, "none"),
        kind=kind,
        title=TITLE.get(kind, kind),
        summary=one_line(summary),
        confidence=v.confidence if v is not None else "low",
        next_steps=NEXT_STEPS.get(kind, ()),
        evidence=evidence,
        findings=tuple(
            sorted(trace.findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.hop or 0))
        ),
        hops=_hop_rows(trace),
        attribution=_attribution(trace),
        found_in=_found_in(trace),
        wrappers=tuple((w.kind, _fields_line(w.fields)) for w in trace.source.wrappers),
        message=message,
        contents=read_contents(raw) if raw is not None else None,
        defects=trace.defects,
        log=tuple(f"{x.file}:{x.line}: {one_line(x.raw)}" for x in log),
        sender_abuse=sender_abuse(trace),
    )


def _addresses(value: Any) -> str | None:
    """mail-parser's [(name, address), ...] as one line."""
    if not value:
        return None
    out = []
    for item in value:
        if isinstance(item, (tuple, list)) and len(item) == 2:
            name, addr = item
            out.append(f"{name} <{addr}>" if name else str(addr))
        else:
            out.append(str(item))
    return one_line(", ".join(out))


def _payload(att: dict[str, Any]) -> bytes:
    payload = att.get("payload") or ""
    if att.get("binary"):
        try:
            return base64.b64decode(payload)
        except (binascii.Error, ValueError):
            return str(payload).encode("utf-8", "replace")
    return str(payload).encode("utf-8", "replace")


def _text(value: Any) -> str | None:
    """A mail-parser value as one line: a repeated header (a list) joined with `` | ``."""
    if value is None or value in ("", []):
        return None
    if isinstance(value, (list, tuple)):
        return one_line(" | ".join(str(v) for v in value))
    return one_line(str(value))


def read_contents(raw: bytes) -> Contents:
    """Subject, from, to, date, attachments (type, size, SHA-256) and MIME defects of the
    message, read with mail-parser. Never raises: a message it cannot read gives a
    ``Contents`` whose defects say so."""
    import logging  # noqa: PLC0415

    import mailparser  # noqa: PLC0415 - the full parse runs only when a report is rendered

    quiet = logging.getLogger("mailparser")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "Email content 'x' not handled" is not the reader's news
    try:
        return _contents(mailparser.parse_from_bytes(raw), raw)
    except Exception as exc:  # a broken body must not lose the report
        return Contents(None, None, None, None, (), (f"unreadable: {type(exc).__name__}",), False)
    finally:
        quiet.setLevel(level)


def _contents(parsed: Any, raw: bytes) -> Contents:
    attachments = []
    for att in parsed.attachments:
        data = _payload(att)
        attachments.append(
            Attachment(
                filename=_text(att.get("filename")) or "(no name)",
                content_type=_text(att.get("mail_content_type")) or "",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    defects = tuple(sorted({str(d) for d in (parsed.defects_categories or ())}))
    headers = parsed.headers if isinstance(parsed.headers, dict) else {}
    _, sep, body = raw.partition(b"\n\n")
    if not sep:
        _, sep, body = raw.partition(b"\r\n\r\n")
    return Contents(
        subject=_text(parsed.subject),
        from_=_addresses(parsed.from_),
        to=_addresses(parsed.to),
        date=_text(headers.get("Date")),
        attachments=tuple(attachments),
        defects=defects,
        headers_only=not body.strip(),
    )
