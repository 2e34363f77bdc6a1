"""``open_complaint``: from whatever the caller has to the messages to trace."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from headertrace.intake.inside import glance
from headertrace.intake.mailbox import as_directory, iter_messages, looks_like_mbox, split_mbox
from headertrace.intake.mime import OLE_MAGIC
from headertrace.intake.model import Complaint, Reported
from headertrace.intake.reader import SourceLike, read_source
from headertrace.intake.unwrap import Hit, Unwrapper, finding
from headertrace.models import Evidence, Finding, Source, SourceKind, Wrapper


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
    entries: Iterable[Reported],
    path: str | None,
    container: SourceKind,
    unwrap: bool,
    max_depth: int,
) -> Complaint:
    reported: list[Reported] = []
    findings: list[Finding] = []
    wrappers: list[Wrapper] = []
    count = 0
    for entry in entries:
        count += 1
        if not unwrap:
            reported.append(entry)
            continue
        inside, span = glance(entry.raw, max_depth)
        if inside:
            reported.append(Reported(entry.raw, entry.source, entry.findings, span))
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
        replace(f, evidence=(Evidence.note(f"message: {label}"), *f.evidence)) for f in findings
    ]
