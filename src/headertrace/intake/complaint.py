"""``open_complaint``: from whatever the caller has to the messages to trace."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from headertrace.addresses import normalise_ip
from headertrace.intake.fields import get_field
from headertrace.intake.mailbox import as_directory, iter_messages, looks_like_mbox, split_mbox
from headertrace.intake.mime import OLE_MAGIC
from headertrace.intake.model import Complaint, Reported
from headertrace.intake.reader import SourceLike, read_source
from headertrace.intake.unwrap import FORWARD_MARKERS, Hit, Unwrapper, finding, is_forward_subject
from headertrace.models import Finding, Hop, JSONDict, Source
from headertrace.parse.headers import header_end

ARRIVAL_TOLERANCE_SECONDS = 24 * 3600


def open_complaint(source: SourceLike, *, unwrap: bool = True, max_depth: int = 20) -> Complaint:
    """Find the reported message(s) in ``source`` and the wrappers around them.

    ``source`` is bytes, text, a path (a file, or a Maildir folder) or an ``email`` Message.
    A file holding several messages behind ``From `` lines is read as an mbox, an OLE file
    as an Outlook ``.msg``. With ``unwrap=False`` the input messages are returned as they
    are. Bad mail never raises; only an unreadable path or an unsupported type raises
    ``InputError``.
    """
    directory = as_directory(source)
    if directory is not None:
        entries: Iterable[Reported] = iter_messages(directory)
        return _collect(entries, str(directory), "maildir", unwrap, max_depth)
    raw, path = read_source(source)
    if raw.startswith(OLE_MAGIC):
        return _open_msg(raw, path, unwrap, max_depth)
    if looks_like_mbox(raw):
        entries = (
            Reported(m, Source(kind="mbox", path=path, part=f"mbox:{i}"))
            for i, m in enumerate(split_mbox(raw), start=1)
        )
        return _collect(entries, path, "mbox", unwrap, max_depth)
    entry = Reported(raw, Source(kind="message", path=path))
    return _collect([entry], path, "message", unwrap, max_depth)


def _collect(
    entries: Iterable[Reported], path: str | None, container: str, unwrap: bool, max_depth: int
) -> Complaint:
    reported: list[Reported] = []
    findings: list[Finding] = []
    wrappers: list[JSONDict] = []
    count = 0
    for entry in entries:
        count += 1
        if not unwrap:
            reported.append(entry)
            continue
        if _nothing_inside(entry.raw):
            reported.append(entry)
            continue
        walker = Unwrapper(max_depth)
        hits = walker.run(entry.raw)
        reported.extend(_reported(h, entry.source) for h in hits)
        label = entry.source.part or (entry.source.path if container == "maildir" else None)
        findings.extend(_tag(walker.findings, label if container != "message" else None))
        wrappers.extend(walker.wrappers)
    if count == 0:
        findings.append(
            finding(
                "no-reported-message",
                "warning",
                f"the {container} holds no messages: nothing to trace",
            )
        )
    return Complaint(tuple(reported), tuple(findings), tuple(wrappers), path, container)


# Words that any wrapped or pasted original leaves in a message's bytes, whatever its
# MIME layout (lower case; base64 text parts aside).
_INSIDE_MARKERS = (
    b"received:",
    b"message/rfc822",
    b"message/global",
    b"rfc822-headers",
    b"multipart/report",
    b".eml",  # an attached message sent as application/octet-stream, base64-encoded
    b".msg",
    *(m.encode() for m in FORWARD_MARKERS),  # a forward with nothing inside is worth a finding
)


_USUAL_NESTING = 8
"""Real mail nests a few multiparts (mixed > related > alternative); far more is hostile."""


def _nothing_inside(raw: bytes) -> bool:
    """True for the common case, a plain message with no original inside: tracing then
    reads only its header block and pays for no MIME walk."""
    end = header_end(raw)
    if not raw[end:].strip():
        return False  # headers only, whatever the line ends: maybe a pasted block (pasted.py)
    head = raw[:end].lower()
    ctype = _content_type(head)
    if ctype.startswith((b"multipart/report", b"message/")):
        return False
    subject = head.partition(b"\nsubject:")[2].split(b"\n", 1)[0]
    if is_forward_subject(subject.decode("latin-1")):
        return False
    # lower() and bytes.find run at memory speed; a case-insensitive regex is far slower.
    body = raw[end:].lower()
    if ctype.startswith(b"multipart/") and body.count(b"multipart/") > _USUAL_NESTING:
        return False  # deeply nested multiparts: let the walk apply its nesting cap
    return not any(marker in body for marker in _INSIDE_MARKERS)


def _content_type(head: bytes) -> bytes:
    """The top-level Content-Type value of a lower-cased header block (unfolded)."""
    at = head.find(b"\ncontent-type:") + 1 if not head.startswith(b"content-type:") else 0
    if at <= 0 and not head.startswith(b"content-type:"):
        return b"text/plain"
    value = head[at + len(b"content-type:") :]
    lines = value.split(b"\n")
    kept = [lines[0]]
    for line in lines[1:]:
        if line[:1] not in (b" ", b"\t"):
            break
        kept.append(line)
    return b" ".join(kept).strip()


def _open_msg(raw: bytes, path: str | None, unwrap: bool, max_depth: int) -> Complaint:
    walker = Unwrapper(max_depth)
    if unwrap:
        hits = walker.run_msg(raw)
    else:
        from headertrace.intake.outlook import read_msg_bytes  # noqa: PLC0415

        content = read_msg_bytes(raw)
        if content is None or content.headers is None:
            hits = []
            walker.findings.append(
                finding(
                    "no-reported-message",
                    "warning",
                    "the Outlook .msg file has no readable transport headers: there is no "
                    "Received chain to trace",
                )
            )
        else:
            hits = [Hit(content.headers, "msg", None, ())]
    base = Source(kind="msg", path=path)
    return Complaint(
        tuple(_reported(h, base) for h in hits),
        tuple(walker.findings),
        tuple(walker.wrappers),
        path,
        "msg",
    )


def _reported(hit: Hit, base: Source) -> Reported:
    """A hit, located in its container (mbox entry, Maildir file, .msg)."""
    kind = hit.kind
    if kind == "message" and base.kind in ("mbox", "maildir"):
        kind = base.kind
    if base.part and hit.part:
        part: str | None = f"{base.part}/{hit.part}"
    else:
        part = base.part or hit.part
    source = Source(kind=kind, path=base.path, part=part, wrappers=tuple(hit.wrappers))
    return Reported(hit.raw, source, tuple(hit.findings))


def _tag(findings: list[Finding], label: str | None) -> list[Finding]:
    if not label:
        return findings
    return [
        Finding(f.code, f.severity, f.message, f.hop, (f"message: {label}", *f.evidence))
        for f in findings
    ]


# -- crosscheck ---------------------------------------------------------------------------


def crosscheck(source: Source, hops: Sequence[Hop]) -> list[Finding]:
    """Compare what a report says (Source-IP, Arrival-Date) with the trace of its original.

    Reads the innermost ARF wrapper of ``source``. ``hops`` are chronological (``hops[-1]``
    is the newest). A disagreement is a warning: the report or the headers are wrong, or
    forged. Agreement is an info finding; nothing is said when the report names neither.
    """
    report = next((w for w in reversed(source.wrappers) if w.get("kind") == "arf"), None)
    if report is None:
        return []
    fields = report.get("fields") or {}
    if not isinstance(fields, dict):
        return []
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
            f"Source-IP: {value}",
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
            f"Source-IP: {value}",
        )
    for index, ip in reversed(seen):
        if ip == reported:
            return Finding(
                "report-source-ip-match",
                "info",
                f"the report's Source-IP {reported} is the client of hop {index}",
                hop=index,
                evidence=(f"Source-IP: {value}",),
            )
    return finding(
        "report-source-ip-mismatch",
        "warning",
        f"the report's Source-IP {reported} is not the client address of any hop "
        "of the reported message: the report or the Received headers are wrong "
        "(or forged)",
        f"Source-IP: {value}",
        "hop clients: " + ", ".join(ip for _, ip in seen),
    )


def _check_arrival(value: str, hops: Sequence[Hop]) -> Finding | None:
    try:
        reported = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return finding(
            "report-arrival-date-invalid",
            "info",
            f"the report's Arrival-Date {value!r} is not a date",
            f"Arrival-Date: {value}",
        )
    newest = next(((i, h) for i, h in reversed(list(enumerate(hops))) if h.timestamp), None)
    if newest is None:
        return None
    index, hop = newest
    assert hop.timestamp is not None
    delta = abs((_utc(hop.timestamp) - _utc(reported)).total_seconds())
    evidence = (f"Arrival-Date: {value}", f"hop {index}: {hop.timestamp.isoformat()}")
    if delta > ARRIVAL_TOLERANCE_SECONDS:
        return Finding(
            "report-arrival-date-mismatch",
            "warning",
            f"the report's Arrival-Date is {delta / 3600:.1f} hours away from the "
            f"newest hop's timestamp (hop {index}): one of them is wrong or forged",
            hop=index,
            evidence=evidence,
        )
    return Finding(
        "report-arrival-date-match",
        "info",
        f"the report's Arrival-Date agrees with hop {index} (within {delta / 60:.0f} minutes)",
        hop=index,
        evidence=evidence,
    )


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
