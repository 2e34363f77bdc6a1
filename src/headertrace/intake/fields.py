"""The machine-readable parts of reports: ``message/feedback-report`` (RFC 5965, RFC 6591)
and ``message/delivery-status`` (RFC 3464)."""

from __future__ import annotations

import re
from typing import Any

from headertrace.intake.mime import parse_headers, text

_EOL = re.compile(rb"\r\n|\r|\n")

MAX_FIELDS = 200
MAX_RECIPIENTS = 100
MAX_VALUE = 4000

# Fields a feedback report may repeat (RFC 5965 section 3.2, RFC 6591).
_ARF_MULTI = {
    "original-rcpt-to",
    "reported-uri",
    "authentication-results",
    "reported-domain",
    "redacted-address",
}


def parse_field_block(data: bytes) -> dict[str, Any]:
    """One block of ``Name: value`` fields; a repeated field becomes a list."""
    fields: dict[str, Any] = {}
    canonical: dict[str, str] = {}
    headers = parse_headers(data.lstrip(b"\r\n") + b"\n\n")
    for count, (name, value) in enumerate(headers.raw_items()):
        if count >= MAX_FIELDS:
            break
        key = canonical.setdefault(name.lower(), str(name).strip())
        val = text(value)[:MAX_VALUE]
        if key in fields:
            if isinstance(fields[key], list):
                fields[key].append(val)
            else:
                fields[key] = [fields[key], val]
        elif name.lower() in _ARF_MULTI:
            fields[key] = [val]
        else:
            fields[key] = val
    return fields


def split_blocks(data: bytes) -> list[bytes]:
    """Split on empty lines (any line-end convention), dropping empty blocks."""
    blocks: list[bytes] = []
    block_start = line_start = 0
    for m in _EOL.finditer(data):
        if m.start() == line_start:
            if line_start > block_start:
                blocks.append(data[block_start:line_start])
            block_start = m.end()
        line_start = m.end()
    if data[block_start:].strip():
        blocks.append(data[block_start:])
    return [b for b in blocks if b.strip()]


def parse_feedback_report(data: bytes) -> dict[str, Any]:
    """The fields of a ``message/feedback-report`` part."""
    fields: dict[str, Any] = {}
    for block in split_blocks(data)[:10]:
        for key, value in parse_field_block(block).items():
            if key in fields:
                merged = fields[key] if isinstance(fields[key], list) else [fields[key]]
                merged.extend(value if isinstance(value, list) else [value])
                fields[key] = merged
            else:
                fields[key] = value
    return fields


def parse_delivery_status(data: bytes) -> dict[str, Any]:
    """Per-message fields, and the per-recipient blocks as ``recipients``."""
    blocks = split_blocks(data)
    if not blocks:
        return {}
    fields = parse_field_block(blocks[0])
    recipients = [parse_field_block(b) for b in blocks[1 : 1 + MAX_RECIPIENTS]]
    if any(k.lower() in ("final-recipient", "original-recipient") for k in fields):
        return {"recipients": [f for f in [fields, *recipients] if f]}
    fields["recipients"] = [r for r in recipients if r]
    return fields


def get_field(fields: dict[str, Any], name: str) -> str | None:
    """A field's first value, looked up case-insensitively."""
    for key, value in fields.items():
        if key.lower() == name.lower():
            if isinstance(value, list):
                return str(value[0]) if value else None
            return str(value)
    return None
