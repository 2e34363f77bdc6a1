"""Outlook ``.msg`` files (OLE compound documents), read with ``extract-msg``.

A ``.msg`` saved from a received mail keeps the SMTP header block as it arrived in the
``PR_TRANSPORT_MESSAGE_HEADERS`` property: that is the Received chain to trace. A spam that
was dragged into a new mail is an embedded ``.msg`` attachment, with its own transport
headers; a spam forwarded inline may carry its headers pasted into the body.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from headertrace.intake.mime import OLE_MAGIC, text

_PREFIX = "Microsoft Mail Internet Headers Version 2.0"
MAX_EMBEDDED = 50


@dataclass(slots=True)
class MsgContent:
    """What intake needs from one Outlook item, however it was obtained."""

    headers: bytes | None
    """The transport header block, ending with an empty line (None when absent)."""
    sender: str = ""
    subject: str = ""
    body: str = ""
    embedded: list[tuple[str, MsgContent]] = field(default_factory=list)
    """Embedded Outlook items (attached mails), with a label naming the attachment."""
    attached_files: list[tuple[str, bytes]] = field(default_factory=list)
    """Attachments that may hold a message (``.eml``, ``message/rfc822``), as bytes."""


def transport_headers(header_text: str | None) -> bytes | None:
    """The header block from the ``PR_TRANSPORT_MESSAGE_HEADERS`` text, or None."""
    if not header_text or not header_text.strip():
        return None
    cleaned = header_text.replace("\x00", "").lstrip("\ufeff")
    if cleaned.startswith(_PREFIX):
        cleaned = cleaned[len(_PREFIX) :]
    cleaned = cleaned.strip("\r\n ")
    if not cleaned:
        return None
    eol = "\r\n" if "\r\n" in header_text else "\n"
    return (cleaned + eol + eol).encode("utf-8", "surrogateescape")


def content_from_object(msg: Any, depth: int = 0) -> MsgContent:
    """Read an ``extract_msg`` message object (or anything with the same attributes)."""
    content = MsgContent(
        headers=transport_headers(_attr(msg, "headerText")),
        sender=text(_attr(msg, "sender")),
        subject=text(_attr(msg, "subject")),
        body=str(_attr(msg, "body") or ""),
    )
    attachments = _attr(msg, "attachments") or []
    for index, att in enumerate(attachments[:MAX_EMBEDDED], start=1):
        name = str(_attr(att, "longFilename") or _attr(att, "shortFilename") or "")
        label = f"msg-attachment:{index}"
        data = _attr(att, "data")
        if data is None:
            continue
        if isinstance(data, (bytes, bytearray)):
            mimetype = str(_attr(att, "mimetype") or "").lower()
            if name.lower().endswith(".eml") or mimetype == "message/rfc822":
                content.attached_files.append((label, bytes(data)))
            elif bytes(data[:8]) == OLE_MAGIC and depth < 5:
                nested = read_msg_bytes(bytes(data), depth + 1)
                if nested is not None:
                    content.embedded.append((label, nested))
        elif depth < 5 and (_attr(data, "headerText") is not None or _attr(data, "body")):
            content.embedded.append((label, content_from_object(data, depth + 1)))
    return content


def read_msg_bytes(data: bytes, depth: int = 0) -> MsgContent | None:
    """Open a ``.msg`` from its bytes; None when extract-msg cannot read it."""
    try:
        import extract_msg  # noqa: PLC0415  (heavy import, only for .msg input)
    except ImportError:
        return None
    logging.getLogger("extract_msg").setLevel(logging.ERROR)
    msg: Any = None
    try:
        msg = extract_msg.openMsg(data, strict=False, delayAttachments=False)
        return content_from_object(msg, depth)
    except Exception:  # any failure of the OLE reader is bad input, not an error
        return None
    finally:
        if msg is not None:
            with contextlib.suppress(Exception):
                msg.close()


def _attr(obj: Any, name: str) -> Any:
    try:
        return getattr(obj, name, None)
    except Exception:  # extract-msg computes properties lazily and may fail on bad files
        return None
