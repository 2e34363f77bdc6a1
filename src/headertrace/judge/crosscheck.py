"""What a report claims against what the trace shows: ARF ``Source-IP`` and
``Arrival-Date`` compared with the parsed hops of the reported message.

Runs after parsing, on the trace: it is a judgement, so it lives with the judge. A
disagreement is a warning (the report or the headers are wrong, or forged); agreement is an
info finding; nothing is said when the report names neither.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from headertrace.addresses import normalise_ip
from headertrace.intake.fields import get_field
from headertrace.models import Evidence, Finding, Hop, Severity, Source

ARRIVAL_TOLERANCE_SECONDS = 24 * 3600


def finding(code: str, severity: Severity, message: str, *evidence: Evidence) -> Finding:
    return Finding(code=code, severity=severity, message=message, evidence=evidence)


def crosscheck(source: Source, hops: Sequence[Hop]) -> list[Finding]:
    """Compare what a report says (Source-IP, Arrival-Date) with the trace of its original.

    Reads the innermost ARF wrapper of ``source``. ``hops`` are chronological (``hops[-1]``
    is the newest). A disagreement is a warning: the report or the headers are wrong, or
    forged. Agreement is an info finding; nothing is said when the report names neither.
    """
    report = next((w for w in reversed(source.wrappers) if w.kind == "arf"), None)
    if report is None:
        return []
    fields = report.fields
    findings: list[Finding] = []
    source_ip = get_field(fields, "Source-IP")
    if source_ip:
        findings.append(_check_ip(source_ip, hops))
    arrival = get_field(fields, "Arrival-Date") or get_field(fields, "Received-Date")
    if arrival:
        checked = _check_arrival(arrival, hops)
        if checked is not None:
            findings.append(checked)
    return findings


def _check_ip(value: str, hops: Sequence[Hop]) -> Finding:
    reported = normalise_ip(value.split(maxsplit=1)[0] if value.split() else value)
    if reported is None:
        return finding(
            "report-source-ip-invalid",
            "warning",
            f"the report's Source-IP {value!r} is not an IP address",
            Evidence.header(f"Source-IP: {value}"),
        )
    seen: list[tuple[int, str]] = []
    for position, hop in enumerate(hops):
        ip = hop.client.ip
        normal = normalise_ip(ip) if ip else None
        if normal is not None:
            seen.append((position, normal))
    if not seen:
        return finding(
            "report-source-ip-unchecked",
            "info",
            f"the report names Source-IP {reported}, but no hop of the trace records "
            "a client address to compare it with",
            Evidence.header(f"Source-IP: {value}"),
        )
    for index, ip in reversed(seen):
        if ip == reported:
            return Finding(
                code="report-source-ip-match",
                severity="info",
                message=f"the report's Source-IP {reported} is the client of hop {index}",
                hop=index,
                evidence=(Evidence.header(f"Source-IP: {value}"),),
            )
    return finding(
        "report-source-ip-mismatch",
        "warning",
        f"the report's Source-IP {reported} is not the client address of any hop "
        "of the reported message: the report or the Received headers are wrong "
        "(or forged)",
        Evidence.header(f"Source-IP: {value}"),
        Evidence.note("hop clients: " + ", ".join(ip for _, ip in seen)),
    )


def _check_arrival(value: str, hops: Sequence[Hop]) -> Finding | None:
    try:
        reported = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return finding(
            "report-arrival-date-invalid",
            "info",
            f"the report's Arrival-Date {value!r} is not a date",
            Evidence.header(f"Arrival-Date: {value}"),
        )
    newest = next(((i, h) for i, h in reversed(list(enumerate(hops))) if h.timestamp), None)
    if newest is None:
        return None
    index, hop = newest
    assert hop.timestamp is not None
    delta = abs((_utc(hop.timestamp) - _utc(reported)).total_seconds())
    evidence = (
        Evidence.header(f"Arrival-Date: {value}"),
        Evidence.note(f"hop {index}: {hop.timestamp.isoformat()}"),
    )
    if delta > ARRIVAL_TOLERANCE_SECONDS:
        return Finding(
            code="report-arrival-date-mismatch",
            severity="warning",
            message=f"the report's Arrival-Date is {delta / 3600:.1f} hours away from the "
            f"newest hop's timestamp (hop {index}): one of them is wrong or forged",
            hop=index,
            evidence=evidence,
        )
    return Finding(
        code="report-arrival-date-match",
        severity="info",
        message=f"the report's Arrival-Date agrees with hop {index} "
        f"(within {delta / 60:.0f} minutes)",
        hop=index,
        evidence=evidence,
    )


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
