"""bytes -> header block -> hops -> trace. The pipeline behind :func:`headertrace.trace`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from headertrace.enrich import LookupConfig, enrich_offline
from headertrace.intake import Complaint, open_complaint
from headertrace.intake.reader import SourceLike
from headertrace.judge.chain import chain_findings, infer_origin
from headertrace.judge.crosscheck import crosscheck
from headertrace.judge.org import Organisation
from headertrace.judge.verdict import judge, origin_from_verdict
from headertrace.models import Finding, Hop, MessageInfo, Source, Trace
from headertrace.parse.headers import HeaderBlock, decode_words, split_header_block
from headertrace.parse.received import parse_received

if TYPE_CHECKING:
    import os

    from headertrace.enrich.lookup import Enricher
    from headertrace.logs import LogOptions

MAX_RECEIVED = 1_000
"""Received headers parsed per message. RFC 5321 asks servers to reject mail with more
than about 100; past this many the rest is a loop or an attack (a defect)."""


def trace(
    source: SourceLike,
    org: Organisation | None = None,
    *,
    online: bool = False,
    unwrap: bool = True,
    lookup: LookupConfig | None = None,
    enricher: Enricher | None = None,
    logs: Sequence[str | os.PathLike[str]] = (),
    log_options: LogOptions | None = None,
) -> Trace:
    """Trace a message: parse its Received chain and find where it came from.

    ``source`` is the raw message as bytes or str, a path, or an ``email.message.Message``.
    With ``org`` (an :class:`Organisation`), ``Trace.verdict`` says what its part was.
    A complaint is unwrapped first (ARF report, bounce, forward, pasted headers, .msg):
    the reported message is traced, and ``Trace.source`` says where it was found. When a
    complaint holds several messages (or ``source`` is a mailbox) this traces the first;
    :func:`trace_all` traces each. ``unwrap=False`` traces the outer message itself.

    Tracing is offline: no DNS, HTTP or SMTP, unless ``online=True`` asks for attribution
    (ASN, RDAP owner and abuse contact, FCrDNS, blocklists) with the resolver and RDAP
    endpoint of ``lookup`` (see docs/attribution.md). It never raises on bad mail; damage
    is reported in ``Trace.defects``, in each hop's ``defects`` and in ``Trace.findings``.
    ``enricher`` reuses one :class:`~headertrace.enrich.Enricher` across calls (as the
    command line does for all its files); passing one implies ``online=True``.

    ``logs`` names our servers' mail logs (Postfix, Exim, sendmail, OpenSMTPD, Exchange
    tracking, journald exports; compressed or not): the hops our servers wrote are looked
    up in them by queue id, server and time, and ``Trace.log`` holds what they say (see
    :mod:`headertrace.logs`; ``log_options`` sets the skew allowance, the zone of logs
    without one and a passwd table). Reading them is the only file I/O besides ``source``.
    """
    return trace_all(
        source, org, online=online, unwrap=unwrap, lookup=lookup, enricher=enricher,
        logs=logs, log_options=log_options,
    )[0]  # fmt: skip


def trace_all(
    source: SourceLike,
    org: Organisation | None = None,
    *,
    online: bool = False,
    unwrap: bool = True,
    lookup: LookupConfig | None = None,
    enricher: Enricher | None = None,
    logs: Sequence[str | os.PathLike[str]] = (),
    log_options: LogOptions | None = None,
) -> list[Trace]:
    """Trace every reported message in ``source`` (a complaint, an mbox, a Maildir).

    Always returns at least one trace: a complaint with no message inside gives an empty
    trace whose findings say what was found and what is missing.
    """
    complaint = open_complaint(source, unwrap=unwrap)
    if not complaint.reported:
        return [_empty_trace(complaint, org)]
    if online and enricher is None:
        from headertrace.enrich.lookup import Enricher  # noqa: PLC0415 - network code on demand

        enricher = Enricher(lookup)
    traces = []
    for reported in complaint.reported:
        t = trace_bytes(reported.raw, source=reported.source, org=org, span=reported.span)
        extra = (*complaint.findings, *reported.findings, *crosscheck(reported.source, t.hops))
        if extra:
            t = replace(t, findings=(*extra, *t.findings))
        t = enricher.enrich_trace(t) if enricher else enrich_offline(t)
        if logs:
            from headertrace.logs import attach  # noqa: PLC0415 - log reading on demand

            t = attach(t, org, logs, log_options)
        traces.append(t)
    return traces


def _empty_trace(complaint: Complaint, org: Organisation | None) -> Trace:
    """Nothing to trace: the verdict still says so (``undetermined`` or
    ``no_organisation``), and the findings say what was found and what is missing."""
    source = Source(kind=complaint.container, path=complaint.path, wrappers=complaint.wrappers)
    verdict, judged = judge([], org, HeaderBlock(), None)
    return Trace(hops=(), source=source, verdict=verdict, findings=(*complaint.findings, *judged))


def trace_bytes(
    data: bytes,
    *,
    source: Source | None = None,
    org: Organisation | None = None,
    span: tuple[int, int] | None = None,
) -> Trace:
    """Trace raw message bytes (only the header block is read; ``span``, where intake found
    it, see ``split_header_block``)."""
    block = split_header_block(data, span)
    return trace_headers(block, source=source, org=org)


def trace_headers(
    block: HeaderBlock, *, source: Source | None = None, org: Organisation | None = None
) -> Trace:
    """Trace an already split header block."""
    defects = list(block.defects)
    values = block.get_all("Received")
    if len(values) > MAX_RECEIVED:
        values = values[:MAX_RECEIVED]
        defects.append("received-count-cap")
    hops = hops_from_values(values)
    origin = infer_origin(hops)
    verdict, judged = judge(hops, org, block, origin)
    if org is not None:
        origin = origin_from_verdict(verdict, hops, org.label) or origin
    findings: list[Finding] = chain_findings(hops, origin)
    if not hops:
        findings.append(
            Finding(
                code="no-received-headers",
                severity="warning",
                message="the message has no Received headers: it was never relayed, or the "
                "headers were stripped; nothing can be traced",
            )
        )
    findings.extend(judged)
    return Trace(
        hops=tuple(hops),
        message=message_info(block),
        source=source or Source(),
        origin=origin,
        verdict=verdict,
        findings=tuple(findings),
        defects=tuple(defects),
    )


def hops_from_values(values: Sequence[str]) -> list[Hop]:
    """Parse Received values given top first; return hops oldest first, indexed, each
    with its delay since the nearest older hop that has a timestamp."""
    n = len(values)
    hops: list[Hop] = []
    last = None
    for k in range(n - 1, -1, -1):
        hop = parse_received(values[k], index=n - 1 - k, header_index=k, after=last)
        last = hop.timestamp or last
        hops.append(hop)
    return hops


def _decoded(value: str | None) -> str | None:
    if value is None:
        return None
    if "=?" not in value:  # decode_words' own first step, without its call: most values
        return " ".join(value.split())
    return decode_words(value)


_INFO_NAMES = ("Message-ID", "Subject", "From", "To", "Date", "Return-Path")


def message_info(block: HeaderBlock) -> MessageInfo:
    message_id, subject, from_, to, date, return_path = block.get_each(_INFO_NAMES)
    return MessageInfo(  # by position, in field order: keywords cost more
        _strip_angle(message_id),
        _decoded(subject),
        _decoded(from_),
        _decoded(to),
        _decoded(date),
        _strip_angle(return_path),
    )


def _strip_angle(value: str | None) -> str | None:
    if value is None:
        return None
    v = " ".join(value.split())  # one_line, without the call
    return v[1:-1] if v.startswith("<") and v.endswith(">") else v
