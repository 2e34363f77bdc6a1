"""The header block of a raw message, split into fields, without a MIME parse.

Tracing needs only the header block, so it reads up to the first empty line and no
further. Line ends may be CRLF, LF or a lone CR (all three occur in real archives), mixed
within one message. Caps keep hostile input cheap; each one hit is a defect.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.errors import MessageError
from email.header import decode_header, make_header
from itertools import repeat
from operator import itemgetter

MAX_HEADER_BLOCK = 1_048_576
"""Bytes of header block read; the rest is ignored (a defect)."""
MAX_FIELDS = 10_000
"""Header fields kept; more is a defect."""

_BLANKS = " \t"


@dataclass(slots=True)
class HeaderBlock:
    """Header fields in message order, names as written, values folded as written."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    _lower: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def get_all(self, name: str) -> list[str]:
        names = self.names()
        key = name.lower()
        values, at = [], -1
        for _ in range(names.count(key)):  # C scans; the loop runs once per value found
            at = names.index(key, at + 1)
            values.append(self.fields[at][1])
        return values

    def get(self, name: str) -> str | None:
        try:  # the name is there for nearly every call: one scan, no test before it
            return self.fields[self.names().index(name.lower())][1]
        except ValueError:
            return None

    def get_each(self, names: Iterable[str]) -> list[str | None]:
        """:meth:`get` of each name, in one call (``message_info`` asks for six)."""
        lower, fields = self.names(), self.fields
        values: list[str | None] = []
        for name in names:
            try:
                values.append(fields[lower.index(name.lower())][1])
            except ValueError:
                values.append(None)
        return values

    def names(self) -> list[str]:
        """The names lower-cased, in field order; built once (again if fields were added).
        Scanning this list in C costs less than building a dict of all the fields: tracing
        asks for seven names."""
        if len(self._lower) != len(self.fields):
            self._lower = list(map(str.lower, map(itemgetter(0), self.fields)))
        return self._lower


def header_end(data: bytes) -> int:
    """Offset where the header block ends (the first empty line), or ``len(data)``.

    Line ends may be LF, CRLF or CR, mixed. Each search stops at the best end found so far,
    so only the first may run past the header block: it is the one that matches how the
    first line ends. A compiled pattern of one separator finds it about twice as fast as
    ``bytes.find`` (whose two-byte search is a plain loop); one pattern alternating all four
    separators is several times slower than either.
    """
    best = len(data)
    first = data.find(b"\n", 0, 4096)
    crlf = first > 0 and data[first - 1 : first] == b"\r"
    for search, reach in _CRLF_FIRST if crlf else _LF_FIRST:
        found = search(data, 0, best + reach)  # may start before the best end
        if found is not None:
            best = found.start()
        if not crlf and data.find(b"\r", 0, best + 1) < 0:
            break  # no CR before the end found: the other separators cannot come earlier
    return best


def _separator(sep: bytes) -> tuple[Callable[[bytes, int, int], re.Match[bytes] | None], int]:
    return re.compile(re.escape(sep)).search, len(sep) - 1


_LF_FIRST = tuple(map(_separator, (b"\n\n", b"\r\n\r\n", b"\n\r\n", b"\r\r")))
_CRLF_FIRST = tuple(map(_separator, (b"\r\n\r\n", b"\n\n", b"\n\r\n", b"\r\r")))


def unfold(value: str) -> str:
    """A header value on one line: each line break, with the blanks around it, becomes one
    space (RFC 5322 folding). Blanks elsewhere stay as written: inside a quoted local part
    (``"two  spaces"@example.org``) they are part of the value."""
    if "\r" in value:  # not in values from split_header_block, which ends lines with LF
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    elif "\n" not in value:
        return value
    # C iterators instead of a generator: a third less per header (Received, 5.6 a message).
    return " ".join(filter(None, map(str.strip, value.split("\n"), repeat(_BLANKS))))


def one_line(value: str) -> str:
    """A header value unfolded: every run of whitespace (folding included) as one space."""
    return " ".join(value.split())


def decode_words(value: str) -> str:
    """A header value on one line (:func:`one_line`) with its RFC 2047 encoded words
    (``=?utf-8?q?...?=``) decoded by the standard library's ``email.header`` (compat32); as
    written where they do not decode. ``HeaderParseError`` (bad base64) and
    ``CharsetError`` (a non-ASCII charset name) are ``MessageError``s."""
    if "=?" not in value:
        return " ".join(value.split())  # one_line, without the call: most values
    try:
        return one_line(str(make_header(decode_header(value))))
    except (UnicodeError, LookupError, ValueError, AssertionError, MessageError):
        return one_line(value)  # undecodable encoded-words: keep them as written


def decode(data: bytes) -> str:
    """Header bytes -> text. UTF-8 where it is valid (RFC 6532), else Latin-1, which maps
    every byte to one character so nothing is lost and offsets stay meaningful."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def split_header_block(data: bytes, span: tuple[int, int] | None = None) -> HeaderBlock:
    """Split the header block at the start of ``data`` into ``(name, value)`` fields.

    A field starts at the beginning of a line with a name (printable ASCII, no blank, no
    colon), optional blanks and a colon; lines that start with a blank continue it. A line
    that is neither is kept in the value before it and recorded as a defect. A block with
    nothing to report is split by one regular expression; any other goes through
    :func:`read_header_lines`, the reference, which names the defects.

    ``span`` is where intake's glance found the block (``intake.inside.glance``): its
    fields, with LF or CRLF line ends only, no lone CR and no mbox From_ line, so the block
    is not searched for again.
    """
    if span is None:
        text, defects = header_text(data)
    else:
        text, defects = decode(data[span[0] : span[1]]), []
        if "\r" in text:
            text = text.replace("\r", "")  # every CR ends a CRLF: _lf_line_ends' first case
    fields = _clean_fields(text)
    if fields is None:
        return read_header_lines(text, defects)
    return HeaderBlock(fields, defects)


def header_text(data: bytes) -> tuple[str, list[str]]:
    """The header block of ``data`` as text with LF line ends, without an mbox ``From ``
    line, and the defect of the size cap if it was hit."""
    end = header_end(data)
    defects = []
    if end > MAX_HEADER_BLOCK:
        end = MAX_HEADER_BLOCK
        defects.append("header-block-cap")
    text = decode(data[:end])
    if "\r" in text:
        text = _lf_line_ends(text)
    if text.startswith(("From ", ">From ")):
        # mbox "From " separator line: not a header field.
        nl = text.find("\n")
        text = text[nl + 1 :] if nl >= 0 else ""
    return text, defects


def _lf_line_ends(text: str) -> str:
    """CRLF and lone CR line ends as LF. When every CR ends a CRLF, dropping the CRs is one
    C pass; replacing the two-character CRLF costs several times more."""
    if _LONE_CR.search(text) is None:
        return text.replace("\r", "")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_LONE_CR = re.compile("\r(?!\n)")


def read_header_lines(text: str, defects: list[str] | None = None) -> HeaderBlock:
    """The fields of ``text`` (from :func:`header_text`), read line by line: the reference
    reading, for any block, which names each defect after those already in ``defects``."""
    block = HeaderBlock(defects=list(defects or ()))
    name: str | None = None
    lines: list[str] = []
    for line in text.split("\n"):
        if line[:1] not in _BLANKS:
            colon = line.find(":")
            field_name = line[:colon].rstrip(_BLANKS) if colon > 0 else ""
            if (
                field_name
                and field_name.isascii()
                and field_name.isprintable()
                and (" " not in field_name)
            ):
                if name is not None and not _add(block, name, lines):
                    name = None
                    break
                name, lines = field_name, [line[colon + 1 :].lstrip(_BLANKS)]
                continue
            if line and (name is None or line.strip()):
                block.defects.append("malformed-header-line")
        if name is not None:
            lines.append(line)
        elif line.strip():
            block.defects.append("malformed-header-line")
    if name is not None:
        _add(block, name, lines)
    block.defects = list(dict.fromkeys(block.defects))
    return block


# Each line break, with the field that starts after it: its name (printable ASCII but blank
# and colon), the blanks and colon after it, the blanks that open its value. A line break
# before a line that neither starts a field nor continues one (by a blank) matches the
# second branch, whose name is None. Runs once, in C, over the whole block; linear: each
# attempt reads one name and a few blanks.
_FIELD_SPLIT = re.compile(r"\n(?:([!-9;-~]+)[ \t]*:[ \t]*|(?![ \t]))")


def _clean_fields(text: str) -> list[tuple[str, str]] | None:
    """The fields of a header block with nothing to report; ``None`` as soon as anything
    needs :func:`read_header_lines` (a line that is no field, an empty line, too many
    fields). Same fields as that reading: a value runs to the next field start, and loses
    the blanks after its colon and the whitespace at its end (``str.rstrip()``)."""
    if text.endswith("\n"):  # a block with no empty line after it (headers only)
        text = text.rstrip("\n")  # the reference adds these lines to the last value, rstrip()s
    parts = _FIELD_SPLIT.split("\n" + text)  # ["", name, value, name, value, ...]
    names = parts[1::2]
    if parts[0] or None in names or len(names) > MAX_FIELDS:
        return None  # parts[0]: a first line that starts with a blank continues nothing
    return list(zip(names, map(str.rstrip, parts[2::2]), strict=True))


def _add(block: HeaderBlock, name: str, lines: list[str]) -> bool:
    if len(block.fields) >= MAX_FIELDS:
        block.defects.append("header-count-cap")
        return False
    value = lines[0] if len(lines) == 1 else "\n".join(lines)
    block.fields.append((name, value.rstrip()))
    return True
