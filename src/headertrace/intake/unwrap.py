"""Find the reported message(s) inside a complaint: ARF, DSN, forward, pasted headers, .msg.

The walk is iterative over MIME parts and recursive only over embedded messages, under
``max_depth`` (clamped to ``HARD_DEPTH``) and ``MAX_PARTS``. Bad mail never raises: what is
missing or damaged becomes a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from headertrace.intake.fields import get_field, parse_delivery_status, parse_feedback_report
from headertrace.intake.mime import (
    OLE_MAGIC,
    Entity,
    child_path,
    ensure_blank_line,
    entity_from_bytes,
    header,
    looks_like_header_block,
    parse_entity,
    split_multipart,
    text,
)
from headertrace.intake.outlook import MsgContent, read_msg_bytes
from headertrace.intake.pasted import PastedBlock, find_pasted_blocks, html_to_text
from headertrace.models import Evidence, Finding, Severity, SourceKind, Wrapper, WrapperKind

HARD_DEPTH = 200
"""``max_depth`` is clamped to this, whatever the caller asks."""
MAX_PARTS = 5000
"""MIME parts visited in one complaint."""
MAX_TEXT_SCAN = 1_000_000
"""Characters of one text part scanned for pasted headers."""
MAX_MESSAGE_ATTACHMENT = 64 << 20
"""An ``.eml``/``.msg`` attachment larger than this is not decoded."""

MESSAGE_TYPES = frozenset({"message/rfc822", "message/global", "message/partial-rfc822"})
HEADERS_TYPES = frozenset(
    {
        "text/rfc822-headers",
        "text/rfc822-header",
        "message/rfc822-headers",
        "message/global-headers",
        "text/rfc822-headers-only",
    }
)
TEXT_TYPES = frozenset({"text/plain", "text/html"})

_FORWARD_SUBJECT = re.compile(
    r"\s{0,20}(?:\[[^\]]{0,80}\]\s{0,5})?"
    r"(?:fwd?|fw|tr|wg|rv|vs|enc|doorst|vb|pd|rif|i|fs|vl|továbbítás)\s{0,3}(?:\[\d{1,4}\])?\s{0,3}:",
    re.IGNORECASE,
)
FORWARD_MARKERS = (
    # Forward markers only: "Original Message" also introduces quoted replies.
    "forwarded message",
    "begin forwarded message",
    "weitergeleitete nachricht",
    "message transféré",
    "mensaje reenviado",
)


_REPORT_KINDS: dict[str, WrapperKind] = {"feedback-report": "arf", "delivery-status": "dsn"}


@dataclass(slots=True)
class Hit:
    """A reported message found inside the input."""

    raw: bytes
    kind: SourceKind
    part: str | None
    wrappers: tuple[Wrapper, ...]
    findings: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class _Scan:
    reports: list[Entity] = field(default_factory=list)
    messages: list[Entity] = field(default_factory=list)
    """message/rfc822 parts and attachments that may be messages (.eml, .msg)."""
    headers: list[Entity] = field(default_factory=list)
    texts: list[Entity] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)
    """Paths of multiparts whose closing boundary is missing."""
    loose: bool = False
    """A feedback report or delivery status outside a multipart/report (a broken client)."""
    levels: dict[str, int] = field(default_factory=dict)
    """Nesting level of each collected part, by part path."""


def finding(code: str, severity: Severity, message: str, *notes: str) -> Finding:
    """A finding about the complaint; its evidence are notes (``part: 2``, ``starts: ...``)."""
    return Finding(
        code=code, severity=severity, message=message, evidence=tuple(map(Evidence.note, notes))
    )


def is_forward_subject(subject: str) -> bool:
    return _FORWARD_SUBJECT.match(subject) is not None


class Unwrapper:
    """One complaint's walk: collects hits, complaint-level findings and wrappers."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max(0, min(max_depth, HARD_DEPTH))
        self.parts_seen = 0
        self.findings: list[Finding] = []
        self.wrappers: list[Wrapper] = []
        self._too_deep = False
        self._too_many = False

    # -- entry points -------------------------------------------------------------------

    def run(self, data: bytes) -> list[Hit]:
        """The reported messages in the message ``data`` (a complete RFC 5322 message)."""
        if not data.strip():
            self.findings.append(
                finding("no-reported-message", "warning", "the input is empty: nothing to trace")
            )
            return []
        if data.startswith(OLE_MAGIC):
            return self.run_msg(data)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]  # a UTF-8 byte order mark left by an editor is not a header
        top = entity_from_bytes(data)
        if not looks_like_header_block(data) or len(top.headers) == 0:
            return self._not_a_message(data)
        try:
            hits = self.message(top, 0, (), top=True)
        except RecursionError:  # a last resort: the depth caps should make this unreachable
            self._nesting(top.path)
            hits = []
        if hits is None:
            return [self._itself(top, data)]
        if not hits:
            self._nothing_found(top)
        return hits

    def run_msg(self, data: bytes, label: str | None = None) -> list[Hit]:
        content = read_msg_bytes(data)
        if content is None:
            self.findings.append(
                finding(
                    "no-reported-message",
                    "warning",
                    "the input is an OLE compound file (Outlook .msg) that extract-msg cannot "
                    "read: no message headers could be taken from it",
                )
            )
            return []
        return self.msg_content(content, label, (), 0)

    def msg_content(
        self, content: MsgContent, label: str | None, wrappers: tuple[Wrapper, ...], depth: int
    ) -> list[Hit]:
        """The reported messages of an Outlook item (embedded items, .eml files, pasted)."""
        me = self._wrapper("forward", content.sender, content.subject, {"format": "msg"})
        hits: list[Hit] = []
        inner = (*wrappers, me)
        if depth < self.max_depth:
            for sub_label, sub in content.embedded:
                hits.extend(self.msg_content(sub, sub_label, inner, depth + 1))
            for sub_label, blob in content.attached_files:
                for hit in self._message_bytes(blob, sub_label, inner, depth + 1):
                    hits.append(hit)
        elif content.embedded or content.attached_files:
            self._nesting(label or "msg")
        if not hits and content.body:
            for block in find_pasted_blocks(content.body[:MAX_TEXT_SCAN]):
                hits.append(self._pasted_hit(block, label or "msg-body", inner))
        if hits:
            self._add_wrapper(me)
            return hits
        if content.headers is None:
            self.findings.append(
                finding(
                    "no-reported-message",
                    "warning",
                    "the Outlook item has no transport headers (it was never received, or "
                    "they were stripped) and carries no attached mail or pasted Received "
                    "headers: there is no Received chain to trace",
                    *([f"part: {label}"] if label else []),
                )
            )
            return []
        return [Hit(content.headers, "msg", label, wrappers)]

    # -- messages -----------------------------------------------------------------------

    def message(
        self, ent: Entity, depth: int, wrappers: tuple[Wrapper, ...], *, top: bool
    ) -> list[Hit] | None:
        """Reported messages inside the message ``ent``.

        ``None``: nothing inside, ``ent`` itself is the message; ``[]``: ``ent`` is a report
        whose original is missing (the finding is recorded) and must not be traced itself.
        """
        scan = self._scan(ent, depth)
        me = self._wrapper(
            "forward", header(ent.headers, "from"), header(ent.headers, "subject"), {}
        )
        hits: list[Hit] = []
        consumed = False
        if scan.loose and not scan.reports and ent.content_type.startswith("multipart/"):
            scan.reports.append(ent)  # read the message as the report it carries
        for rep in scan.reports:
            outer = wrappers if rep is ent else (*wrappers, me)
            found = self._report(rep, ent, depth, outer)
            if found is None:  # typed multipart/report but not a report: an ordinary multipart
                plain = self._scan(rep, depth, into_reports=True, count=False)
                scan.messages.extend(plain.messages)
                scan.headers.extend(plain.headers)
                scan.texts.extend(plain.texts)
                scan.levels.update(plain.levels)
                continue
            consumed = True
            if rep is not ent:
                self._add_wrapper(me)
            hits.extend(found)
        if consumed:
            return hits
        inner = (*wrappers, me)
        for emb in scan.messages:
            hits.extend(self._embedded(emb, scan.levels.get(emb.path, depth), inner))
        for part in scan.headers:
            hits.extend(self._headers_part(part, inner, None, None, False))
        if not hits:
            hits.extend(self._pasted(scan.texts, inner))
        if hits:
            self._add_wrapper(me)
            return hits
        return None

    def _embedded(self, emb: Entity, depth: int, wrappers: tuple[Wrapper, ...]) -> list[Hit]:
        """A message/rfc822 part or a message-like attachment of a forward."""
        if emb.content_type not in MESSAGE_TYPES:
            return self._attached_file(emb, depth, wrappers)
        child = self._open_embedded(emb)
        if child is None:
            return []
        if depth + 1 > self.max_depth:
            self._nesting(emb.path)
            return [Hit(child.raw(), "attachment", emb.path, wrappers)]
        if self._looks_like_complaint(child):
            inner = self.message(child, depth + 1, wrappers, top=False)
            if inner is not None:
                return inner
        return [Hit(child.raw(), "attachment", emb.path, wrappers)]

    def _open_embedded(self, emb: Entity) -> Entity | None:
        """The message inside a message/rfc822 part, or None (with a finding) when unusable."""
        if emb.transfer_encoding in ("base64", "quoted-printable"):
            data = emb.decoded_body()
            if data is None:
                self._info(
                    "attachment-skipped",
                    f"the attached message at part {emb.path} is too large to decode",
                    emb.path,
                )
                return None
            child = entity_from_bytes(data, emb.path)
        else:
            child = parse_entity(emb.buf, emb.body_start, emb.end, emb.path)
        body = child.raw()
        if not body.strip():
            self._info(
                "attachment-empty", f"the attached message at part {emb.path} is empty", emb.path
            )
            return None
        if not looks_like_header_block(body) or len(child.headers) == 0:
            self._info(
                "attachment-not-a-message",
                f"the message/rfc822 part {emb.path} does not start with a header block",
                emb.path,
            )
            return None
        return child

    def _attached_file(self, emb: Entity, depth: int, wrappers: tuple[Wrapper, ...]) -> list[Hit]:
        """An attachment named .eml/.msg (or typed as Outlook): decoded only now."""
        if emb.body_size > MAX_MESSAGE_ATTACHMENT * 2:
            return []
        data = emb.decoded_body()
        if not data or depth + 1 > self.max_depth:
            if depth + 1 > self.max_depth:
                self._nesting(emb.path)
            return []
        return self._message_bytes(data, emb.path, wrappers, depth + 1)

    def _message_bytes(
        self, data: bytes, part: str, wrappers: tuple[Wrapper, ...], depth: int
    ) -> list[Hit]:
        """Bytes of an attached file that may be a message (.eml) or an Outlook item (.msg)."""
        if data.startswith(OLE_MAGIC):
            content = read_msg_bytes(data)
            if content is None:
                self._info(
                    "attachment-not-a-message",
                    f"the Outlook attachment {part} cannot be read",
                    part,
                )
                return []
            return self.msg_content(content, part, wrappers, depth)
        if not looks_like_header_block(data):
            return []
        child = entity_from_bytes(data, part)
        if len(child.headers) == 0:
            return []
        if self._looks_like_complaint(child) and depth <= self.max_depth:
            inner = self.message(child, depth, wrappers, top=False)
            if inner is not None:
                return inner
        return [Hit(data, "attachment", part, wrappers)]

    def _looks_like_complaint(self, ent: Entity) -> bool:
        """Whether an attached message is itself a wrapper worth opening.

        A forward of a forward, a report, or a message that never travelled (no Received
        header) is opened; an attached spam that itself carries an attachment is not.
        """
        ctype = ent.content_type
        if ctype == "multipart/report":
            return True
        if ent.headers.get_all("received") is None:
            return True
        return is_forward_subject(text(header(ent.headers, "subject")))

    # -- reports ------------------------------------------------------------------------

    def _report(
        self, rep: Entity, msg: Entity, depth: int, wrappers: tuple[Wrapper, ...]
    ) -> list[Hit] | None:
        """An RFC 6522 report: ARF (RFC 5965), DSN (RFC 3464), or another report type.

        ``None`` when ``rep`` only claims to be a report (no report-type, no machine-readable
        part, no original): spam dressed up as a bounce is an ordinary message.
        """
        report_type = (rep.param("report-type") or "").strip().lower()
        scan = self._scan(rep, depth, into_reports=True)
        if not report_type and not scan.reports and not scan.headers:
            return None
        fields: dict[str, Any] = {}
        kind: WrapperKind | None = _REPORT_KINDS.get(report_type)
        for part in scan.reports:
            ctype = part.content_type
            data = part.decoded_body() or b""
            if ctype == "message/feedback-report":
                kind = "arf"
                fields = parse_feedback_report(data)
            elif ctype in ("message/delivery-status", "message/global-delivery-status"):
                kind = kind or "dsn"
                if kind == "dsn":
                    fields = parse_delivery_status(data)
        if kind is None:
            kind = "report"
            if report_type:
                fields = {"report-type": report_type}
        wrapper = self._wrapper(
            kind, header(msg.headers, "from"), header(msg.headers, "subject"), fields
        )
        self._add_wrapper(wrapper)
        inner = (*wrappers, wrapper)
        hit_kind: SourceKind = "arf" if kind == "arf" else "dsn" if kind == "dsn" else "attachment"
        truncated = bool(scan.truncated)
        label = {"arf": "ARF report", "dsn": "delivery status notification"}.get(kind, "report")
        hits: list[Hit] = []
        last_part = scan.messages[-1].path if scan.messages else None
        for emb in scan.messages:
            hits.extend(
                self._report_original(
                    emb, inner, hit_kind, label, truncated and emb.path == last_part
                )
            )
        for part in scan.headers:
            hits.extend(self._headers_part(part, inner, hit_kind, label, truncated))
        if not hits and not scan.messages and not scan.headers:
            hits.extend(self._pasted(scan.texts, inner))
        if hits:
            return hits
        summary = _summarise(kind, fields)
        missing = (
            "it has no message/rfc822 or text/rfc822-headers part"
            if not scan.messages and not scan.headers
            else "its original part is empty or unreadable"
        )
        why = (
            " (the report is truncated: its closing MIME boundary is missing)" if truncated else ""
        )
        self.findings.append(
            finding(
                "no-reported-message",
                "warning",
                f"found a {label}{summary} but {missing}{why}: the reported message is not "
                "included, so there is nothing to trace",
                f"part: {rep.path or 'top'}",
            )
        )
        if truncated:
            self.findings.append(
                finding(
                    "report-truncated",
                    "warning",
                    f"the {label} ends before its closing MIME boundary",
                    rep.path or "top",
                )
            )
        return []

    def _report_original(
        self,
        emb: Entity,
        wrappers: tuple[Wrapper, ...],
        kind: SourceKind,
        label: str,
        truncated: bool,
    ) -> list[Hit]:
        if emb.content_type not in MESSAGE_TYPES:
            data = emb.decoded_body()
            return self._message_bytes(data, emb.path, wrappers, 0) if data else []
        data = (
            emb.decoded_body()
            if emb.transfer_encoding in ("base64", "quoted-printable")
            else emb.body()
        )
        if data is None or not data.strip():
            self.findings.append(
                finding(
                    "report-empty-original",
                    "warning",
                    f"the {label}'s message/rfc822 part {emb.path} is empty: the reported "
                    "message was left out",
                    f"part: {emb.path}",
                )
            )
            return []
        if not looks_like_header_block(data):
            encoding = emb.transfer_encoding or "7bit"
            self.findings.append(
                finding(
                    "report-broken-original",
                    "warning",
                    f"the {label}'s message/rfc822 part {emb.path} ({encoding}) does not "
                    "decode to a message header block: it is damaged",
                    f"part: {emb.path}",
                    f"starts: {data[:60]!r}",
                )
            )
            return []
        child = entity_from_bytes(data, emb.path)
        findings: list[Finding] = []
        damaged = emb.damaged_encoding()
        if damaged:
            findings.append(
                finding(
                    "report-broken-original",
                    "warning",
                    f"the {label}'s message/rfc822 part {emb.path} is not valid base64: it "
                    "was decoded leniently and may be incomplete or garbled",
                    f"part: {emb.path}",
                )
            )
        if truncated or (not child.separated and not damaged):
            findings.append(
                finding(
                    "report-truncated",
                    "warning",
                    f"the {label} is cut short: the reported message at part {emb.path} "
                    + (
                        "ends inside its header block; headers may be missing"
                        if not child.separated
                        else "may be incomplete"
                    ),
                    f"part: {emb.path}",
                )
            )
        return [Hit(data, kind, emb.path, wrappers, findings)]

    def _headers_part(
        self,
        part: Entity,
        wrappers: tuple[Wrapper, ...],
        kind: SourceKind | None,
        label: str | None,
        truncated: bool,
    ) -> list[Hit]:
        """A text/rfc822-headers part: the original's header block only."""
        data = part.decoded_body()
        where = label or "message"
        if data is None or not data.strip():
            self.findings.append(
                finding(
                    "report-empty-original",
                    "warning",
                    f"the {where}'s {part.content_type} part {part.path} is empty",
                    f"part: {part.path}",
                )
            )
            return []
        data = data.lstrip(b"\r\n")
        if not looks_like_header_block(data):
            self.findings.append(
                finding(
                    "report-broken-original",
                    "warning",
                    f"the {where}'s {part.content_type} part {part.path} holds no header block",
                    f"part: {part.path}",
                    f"starts: {data[:60]!r}",
                )
            )
            return []
        findings = [
            finding(
                "report-headers-only",
                "info",
                f"the {where} carries only the header block of the reported message "
                f"({part.content_type}); its body is not available",
                f"part: {part.path}",
            )
        ]
        if truncated:
            findings.append(
                finding(
                    "report-truncated",
                    "warning",
                    f"the {where} is cut short: its closing MIME boundary is missing",
                    f"part: {part.path}",
                )
            )
        return [Hit(ensure_blank_line(data), kind or "attachment", part.path, wrappers, findings)]

    # -- pasted headers -----------------------------------------------------------------

    def _pasted(self, texts: list[Entity], wrappers: tuple[Wrapper, ...]) -> list[Hit]:
        hits: list[Hit] = []
        for wanted in ("text/plain", "text/html"):
            for part in texts:
                if part.content_type != wanted:
                    continue
                body = part.decoded_text(MAX_TEXT_SCAN)
                if wanted == "text/html":
                    body = html_to_text(body)
                for block in find_pasted_blocks(body):
                    hits.append(self._pasted_hit(block, part.path, wrappers))
            if hits:
                break
        return hits

    def _pasted_hit(self, block: PastedBlock, part: str, wrappers: tuple[Wrapper, ...]) -> Hit:
        how = []
        if block.quoted:
            how.append("quote marks removed")
        if block.rewrapped:
            how.append(f"{block.rewrapped} re-wrapped line(s) joined")
        if block.cut:
            how.append("cut at the size cap")
        detail = f" ({', '.join(how)})" if how else ""
        return Hit(
            block.raw,
            "pasted",
            part,
            wrappers,
            [
                finding(
                    "pasted-headers",
                    "warning",
                    "headers were pasted into the body and may have been altered: they "
                    f"were reconstructed from text{detail}",
                    f"part: {part}",
                    f"lines: {block.first_line}-{block.last_line}",
                )
            ],
        )

    # -- the outer message --------------------------------------------------------------

    def _itself(self, top: Entity, data: bytes) -> Hit:
        """The input is the message to trace (no report, attachment or pasted block inside)."""
        defects = {type(d).__name__ for d in getattr(top.headers, "defects", [])}
        if not top.body().strip() and top.headers.get_all("received") is not None:
            # A file that is nothing but a header block: copied out of a mail client.
            if "MissingHeaderBodySeparatorDefect" in defects:
                # Lines were re-wrapped or damaged on the way: rebuild the block.
                blocks = find_pasted_blocks(data[:MAX_TEXT_SCAN].decode("utf-8", "replace"))
                if blocks and len(blocks[0].raw) > len(top.header_bytes()) // 2:
                    return self._pasted_hit(blocks[0], "1", ())
            return Hit(
                data,
                "pasted",
                None,
                (),
                [
                    finding(
                        "pasted-headers",
                        "warning",
                        "the input is a bare header block with no body: headers copied "
                        "out of a mail client may have been altered",
                        "part: top",
                    )
                ],
            )
        findings: list[Finding] = []
        if self._forward_like(top):
            findings.append(
                finding(
                    "no-original-found",
                    "info",
                    "the message looks like a forwarded complaint but carries no attached "
                    "message, report or pasted Received headers: the forward itself is "
                    "traced",
                    f"subject: {text(header(top.headers, 'subject'))}",
                )
            )
        return Hit(data, "message", None, (), findings)

    def _not_a_message(self, data: bytes) -> list[Hit]:
        """Input that does not start with headers: a file of pasted (quoted, wrapped) headers."""
        body = data[: MAX_TEXT_SCAN * 2].decode("utf-8", "replace")
        if body.lstrip()[:1] == "<" and "<" in body[:2000] and ">" in body[:2000]:
            body = html_to_text(body)
        blocks = find_pasted_blocks(body)
        if blocks:
            return [self._pasted_hit(b, "1", ()) for b in blocks]
        self.findings.append(
            finding(
                "no-reported-message",
                "warning",
                "the input does not start with a message header block and holds no pasted "
                "Received headers: no message was found to trace",
                f"starts: {data[:60]!r}",
            )
        )
        return []

    def _nothing_found(self, top: Entity) -> None:
        if not any(f.code == "no-reported-message" for f in self.findings):
            self.findings.append(
                finding(
                    "no-reported-message",
                    "warning",
                    "no reported message was found in the complaint",
                    f"subject: {text(header(top.headers, 'subject'))}",
                )
            )

    def _forward_like(self, ent: Entity) -> bool:
        if is_forward_subject(text(header(ent.headers, "subject"))):
            return True
        scan = self._scan(ent, 0, count=False)
        for part in scan.texts[:2]:
            head = part.decoded_text(20_000).lower()
            if any(marker in head for marker in FORWARD_MARKERS):
                return True
        return False

    # -- the MIME walk ------------------------------------------------------------------

    def _scan(
        self, ent: Entity, depth: int, *, into_reports: bool = False, count: bool = True
    ) -> _Scan:
        """Classify the parts of the message ``ent`` without entering embedded messages.

        With ``into_reports``, ``ent`` is a multipart/report: its machine-readable parts are
        returned in ``reports`` and nested reports are not treated as reports.
        """
        scan = _Scan()
        stack: list[tuple[Entity, int, bool]] = [(ent, depth, True)]
        while stack:
            part, level, is_root = stack.pop()
            if count:
                self.parts_seen += 1
                if self.parts_seen > MAX_PARTS:
                    if not self._too_many:
                        self._too_many = True
                        self.findings.append(
                            finding(
                                "too-many-parts",
                                "warning",
                                f"the complaint has more than {MAX_PARTS} MIME parts; the "
                                "rest were not examined",
                                f"part: {part.path}",
                            )
                        )
                    break
            ctype = part.content_type
            if ctype.startswith("multipart/"):
                if ctype == "multipart/report" and not into_reports:
                    scan.reports.append(part)
                    continue
                if level + 1 > self.max_depth:
                    self._nesting(part.path or "top")
                    continue
                split = split_multipart(part, MAX_PARTS)
                if not split.closed and split.parts:
                    scan.truncated.append(part.path or "top")
                children = [
                    parse_entity(part.buf, s, e, child_path(part.path, i))
                    for i, (s, e) in enumerate(split.parts, start=1)
                ]
                stack.extend((c, level + 1, False) for c in reversed(children))
                continue
            # The body of a non-multipart message is its part 1 (IMAP numbering).
            node = _at(part, child_path(part.path, 1)) if is_root else part
            scan.levels[node.path] = level
            if ctype in MESSAGE_TYPES:
                scan.messages.append(node)
            elif ctype in HEADERS_TYPES:
                scan.headers.append(node)
            elif ctype.startswith("message/") and ctype.endswith(
                ("feedback-report", "delivery-status")
            ):
                if into_reports:
                    scan.reports.append(node)
                else:
                    scan.loose = True
            elif _is_message_file(node):
                scan.messages.append(node)
            elif ctype in TEXT_TYPES or ctype == "text/x-plain":
                scan.texts.append(node)
        return scan

    # -- bookkeeping --------------------------------------------------------------------

    def _wrapper(
        self, kind: WrapperKind, sender: object, subject: object, fields: dict[str, Any]
    ) -> Wrapper:
        return Wrapper(
            kind=kind, sender=text(sender) or None, subject=text(subject) or None, fields=fields
        )

    def _add_wrapper(self, wrapper: Wrapper) -> None:
        if not any(w is wrapper for w in self.wrappers):
            self.wrappers.append(wrapper)

    def _nesting(self, path: str) -> None:
        if self._too_deep:
            return
        self._too_deep = True
        self.findings.append(
            finding(
                "nesting-too-deep",
                "warning",
                f"the complaint nests parts or messages more than {self.max_depth} levels "
                f"deep; the walk stopped at part {path or 'top'}",
                f"part: {path or 'top'}",
            )
        )

    def _info(self, code: str, message: str, path: str) -> None:
        self.findings.append(finding(code, "info", message, f"part: {path}"))


def _at(part: Entity, path: str) -> Entity:
    """The same entity, numbered as the body of a non-multipart message."""
    if part.path == path:
        return part
    return Entity(
        part.buf,
        part.start,
        part.end,
        part.body_start,
        part.header_end,
        part.separated,
        part.headers,
        path,
    )


def _is_message_file(part: Entity) -> bool:
    """An attachment that is probably a message although not typed message/rfc822."""
    name = part.filename.lower()
    if name.endswith((".eml", ".msg")):
        return True
    return part.content_type in ("application/vnd.ms-outlook", "application/x-msg")


def _summarise(kind: str, fields: dict[str, Any]) -> str:
    if kind == "arf":
        names: tuple[str, ...] = ("Feedback-Type", "Source-IP", "Arrival-Date", "Reported-Domain")
    elif kind == "dsn":
        names = ("Reporting-MTA", "Arrival-Date")
    else:
        names = ("report-type",)
    shown = [f"{n}: {v}" for n in names if (v := get_field(fields, n))]
    return f" ({'; '.join(shown)})" if shown else ""
