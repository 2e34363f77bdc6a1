"""The header block of a raw message, split into fields, without a MIME parse.

Tracing needs only the header block, so it reads up to the first empty line and no
further. Line ends may be CRLF, LF or a lone CR (all three occur in real archives), mixed
within one message. Caps keep hostile input cheap; each one hit is a defect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_HEADER_BLOCK = 1_048_576
"""Bytes of header block read; the rest is ignored (a defect)."""
MAX_FIELDS = 10_000
"""Header fields kept; more is a defect."""


@dataclass(slots=True)
class HeaderBlock:
    """Header fields in message order, names as written, values folded as written."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)

    def get_all(self, name: str) -> list[str]:
        low = name.lower()
        return [v for n, v in self.fields if n.lower() == low]

    def get(self, name: str) -> str | None:
        low = name.lower()
        return next((v for n, v in self.fields if n.lower() == low), None)


def header_end(data: bytes) -> int:
    """Offset where the header block ends (the first empty line), or ``len(data)``.

    Line ends may be LF, CRLF or CR, mixed. Each search stops at the best end found so far;
    ``bytes.find`` is several times faster here than one regular expression.
    """
    best = len(data)
    for sep in (b"\n\n", b"\r\n\r\n", b"\n\r\n", b"\r\r"):
        at = data.find(sep, 0, best)
        if at >= 0:
            best = at
    return best


def one_line(value: str) -> str:
    """A header value unfolded: every run of whitespace (folding included) as one space."""
    return " ".join(value.split())


def decode(data: bytes) -> str:
    """Header bytes -> text. UTF-8 where it is valid (RFC 6532), else Latin-1, which maps
    every byte to one character so nothing is lost and offsets stay meaningful."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# A field starts at the beginning of a line with a name and a colon. One character class
# and one optional run of blanks: linear.
_FIELD_START = re.compile(r"^([!-9;-~]+)[ \t]*:[ \t]*", re.MULTILINE)


def split_header_block(data: bytes) -> HeaderBlock:
    """Split the header block at the start of ``data`` into ``(name, value)`` fields."""
    block = HeaderBlock()
    end = header_end(data)
    if end > MAX_HEADER_BLOCK:
        end = MAX_HEADER_BLOCK
        block.defects.append("header-block-cap")
    text = decode(data[:end])
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith(("From ", ">From ")):
        # mbox "From " separator line: not a header field.
        nl = text.find("\n")
        text = text[nl + 1 :] if nl >= 0 else ""
    starts = list(_FIELD_START.finditer(text))
    if (not starts and text.strip()) or (starts and text[: starts[0].start()].strip()):
        block.defects.append("malformed-header-line")
    for k, m in enumerate(starts):
        stop = starts[k + 1].start() if k + 1 < len(starts) else len(text)
        value = text[m.end() : stop].rstrip()
        if "\n" in value and _has_stray_line(value):
            block.defects.append("malformed-header-line")
        if not _add(block, m.group(1), value):
            break
    block.defects = list(dict.fromkeys(block.defects))
    return block


def _has_stray_line(value: str) -> bool:
    """A line inside a value that is neither a continuation nor a new field."""
    return any(line[:1] not in (" ", "\t") for line in value.split("\n")[1:] if line)


def _add(block: HeaderBlock, name: str, value: str) -> bool:
    if len(block.fields) >= MAX_FIELDS:
        block.defects.append("header-count-cap")
        return False
    block.fields.append((name, value))
    return True
