"""A lazy MIME splitter over one byte buffer.

The standard library parser builds the whole tree and copies every payload; mail-parser
goes further and decodes every attachment. Intake needs neither: it reads the headers of
each part, splits multipart bodies by their boundary with ``bytes.find`` and keeps offsets,
so a 25 MB attachment that is not a message is stepped over without being copied or decoded,
the bytes of an embedded message are exactly the bytes on the wire, and nesting is walked
under an explicit depth cap (no recursion error, whatever the input).

Everything here is linear in the size of the input and never raises on bad mail.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import itertools
import quopri
import re
from dataclasses import dataclass, field
from email import policy, utils
from email.message import Message
from email.parser import BytesHeaderParser
from functools import lru_cache
from typing import TypeAlias

from mailparser.utils import decode_header_part

_EOL = re.compile(rb"\r\n|\r|\n")
_HEADER_LINE = re.compile(rb"[!-9;-~]{1,200}:")
_SURROGATES = re.compile(r"[\ud800-\udfff]")

MAX_HEADER_BYTES = 1 << 20
"""A header block longer than this is cut (the rest is taken as body)."""
MAX_DECODE_BYTES = 64 << 20
"""An embedded message or headers part larger than this is not decoded."""

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def header_block_end(buf: bytes, start: int, end: int) -> tuple[int, int, bool]:
    """Find the blank line that ends the header block starting at ``start``.

    Returns ``(header_end, body_start, separated)``; ``separated`` is False when no blank
    line was found (a truncated message, or a header block past ``MAX_HEADER_BYTES``).
    Any mix of CRLF, LF and CR line ends is accepted.
    """
    limit = min(end, start + MAX_HEADER_BYTES)
    first = _EOL.match(buf, start, limit)
    if first is not None:
        return start, first.end(), True  # the block is empty
    # An empty line follows a line end, and is one: LF LF, LF CR (a CRLF ends in LF) or
    # CR CR (a CR before a CR is a line end of its own). Each search stops at the best end
    # found; the first, for the pair the first line end suggests, may run past the block.
    first_lf = buf.find(b"\n", start, limit)
    crlf = first_lf > start and buf[first_lf - 1] == 13
    blank = limit
    for pair in _CRLF_FIRST if crlf else _LF_FIRST:
        at = buf.find(pair, start, blank)
        if at >= 0:
            blank = at + 1
        if not crlf and buf.find(b"\r", start, blank) < 0:
            break  # the other pairs hold a CR
    if blank < limit:
        return blank, blank + (2 if buf.startswith(b"\r\n", blank, limit) else 1), True
    if limit < end:
        return limit, limit, False
    return end, end, False


_LF_FIRST = (b"\n\n", b"\n\r", b"\r\r")
_CRLF_FIRST = (b"\n\r", b"\n\n", b"\r\r")


def header_block_end_by_lines(buf: bytes, start: int, end: int) -> tuple[int, int, bool]:
    """``header_block_end`` line by line: the reference (tests/test_intake_inside.py)."""
    limit = min(end, start + MAX_HEADER_BYTES)
    line_start = start
    for m in _EOL.finditer(buf, start, limit):
        if m.start() == line_start:
            return line_start, m.end(), True
        line_start = m.end()
    if limit < end:
        return limit, limit, False
    return end, end, False


def parse_headers(data: bytes) -> Message:
    """Parse a header block (compat32, 8-bit bytes kept as surrogate escapes). A plain block
    (after an mbox From_ line, if any) is read by two expressions into the same ``Message``
    as the standard library's parser (``parse_headers_compat32``, the reference) builds, line
    by line in Python."""
    start = 0
    if data.startswith(b"From "):
        # An mbox From_ line first: compat32 keeps it apart (set_unixfrom), without its line end.
        start = data.find(b"\n") + 1
        if start == 0 or data.find(b"\r", 0, start) not in (-1, start - 2):
            return parse_headers_compat32(data)
    plain = _PLAIN_FIELDS.match(data, start)
    end = plain.end() if plain else start
    if data.startswith(b"\r\n", end):
        body = end + 2
    elif data.startswith(b"\n", end) or end == len(data):
        body = end + 1
    else:
        body = -1  # no field, or a line after them that the parser may read its own way
    if body < 0 or (data.find(b"\r", start, end) >= 0 and _LONE_CR.search(data, start, end)):
        return parse_headers_compat32(data)
    msg = Message()
    if start:
        cut = 2 if data[start - 2] == 13 else 1
        msg.set_unixfrom(data[: start - cut].decode("ascii", "surrogateescape"))
    # compat32's header_source_parse: the first line's value without its leading blanks,
    # the continuation lines as written, the last line end removed.
    for name, value in _FIELD.findall(data[start:end].decode("ascii", "surrogateescape")):
        msg.set_raw(name, value.rstrip("\r\n"))  # as the feed parser stores each field
    # Headers-only parsing keeps what follows the empty line, as written, as the payload.
    msg.set_payload(data[body:].decode("ascii", "surrogateescape"))
    return msg


def parse_headers_compat32(data: bytes) -> Message:
    """The standard library's reading of a header block (compat32)."""
    try:
        return BytesHeaderParser(policy=policy.compat32).parsebytes(data)
    except Exception:  # the stdlib parser is lenient; this is a last resort
        return Message()


# Fields as compat32's feed parser reads them (its headerRE), each line ended by LF; a line
# holds no lone CR (checked apart), which the parser would take for a line end. Names and
# continuation lines start with different characters: one way to match, linear.
_PLAIN_FIELDS = re.compile(rb"(?:[!-9;-~]+:[^\n]*\n(?:[ \t][^\n]*\n)*)+")
_FIELD = re.compile(r"([!-9;-~]+):[ \t]*([^\n]*\n(?:[ \t][^\n]*\n)*)")
_LONE_CR = re.compile(rb"\r(?!\n)")


_ParamValue: TypeAlias = str | tuple[str | None, str | None, str] | None


def get_param(headers: Message, name: str, field: str = "content-type") -> _ParamValue:
    """``headers.get_param(name, None, field)`` (compat32, the reference): a plain value (see
    ``_PLAIN_PARAMS``) is read by an expression; compat32's reading is quadratic in the number
    of semicolons and costs tens of microseconds on an ordinary Content-Type."""
    value = headers.get(field)
    if value is None:
        return None
    if isinstance(value, str) and value.isascii():
        plain = _PLAIN_PARAMS.fullmatch(value)
        if plain is not None:
            if plain[1].lower() == name.lower():
                return ""  # the type itself, a bare word, for compat32
            found = _named_param(name).search(value, plain.start(2))
            if found is None:
                return None
            given = found[1] or ""
            return given[1:-1] if given[:1] == '"' else given
    return get_param_compat32(headers, name, field)


def get_param_compat32(headers: Message, name: str, field: str = "content-type") -> _ParamValue:
    return headers.get_param(name, None, field)


def get_filename(headers: Message) -> str | None:
    """compat32's ``Message.get_filename()``, its parameters read by ``get_param``."""
    found = get_param(headers, "filename", "content-disposition")
    if found is None:
        found = get_param(headers, "name")
    if found is None:
        return None
    return utils.collapse_rfc2231_value(found).strip()


# A Content-Type or Content-Disposition value whose parameters compat32 returns as written:
# a type (or disposition) word, then parameters, each after a semicolon: empty, a bare name,
# or a name and a token or a quoted string without backslash or semicolon; no RFC 2231 "*"
# in a name, no angle brackets or quote in a token. compat32 splits such a value at every
# semicolon, strips the pieces, lower-cases names, removes the quotes around a value.
_BLANKS = r"[ \t\r\n]*"
_PLAIN_PARAMS = re.compile(
    _BLANKS + r"([!#$%&'+./0-9A-Z^_`a-z|~-]*)" + _BLANKS + r"((?:;" + _BLANKS
    + r"(?:[A-Za-z0-9_.-]+" + _BLANKS
    + r"(?:=" + _BLANKS + r"(?:\"[^\"\\;\r\n]*\"|[!#-:=?-\[\]-~]+)" + _BLANKS + r")?)?)*)"
)  # fmt: skip


@lru_cache(maxsize=16)
def _named_param(name: str) -> re.Pattern[str]:
    """The first parameter called ``name`` (any case) among those ``_PLAIN_PARAMS`` read."""
    return re.compile(
        r";" + _BLANKS + r"(?i:" + re.escape(name) + r")" + _BLANKS
        + r"(?:=" + _BLANKS + r"(\"[^\"]*\"|[^\s;\"]+))?" + _BLANKS + r"(?=;|\Z)"
    )  # fmt: skip


def header(msg: Message, name: str) -> str | None:
    """A header's first value as found: 8-bit bytes kept (as surrogate escapes), not replaced."""
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


def text(value: object) -> str:
    """A header value as JSON-safe text: encoded words decoded, raw 8-bit bytes read as UTF-8."""
    if value is None:
        return ""
    raw = str(value)
    if raw.isascii() and "=?" not in raw:
        return " ".join(raw.split())  # all decode_header_part would do: no encoded word
    if _SURROGATES.search(raw):
        octets = raw.encode("utf-8", "surrogateescape")
        try:
            raw = octets.decode("utf-8")
        except UnicodeDecodeError:
            raw = octets.decode("latin-1")
    try:
        decoded = str(decode_header_part(raw))
    except Exception:
        decoded = raw
    decoded = _SURROGATES.sub("\ufffd", decoded)
    return " ".join(decoded.split())


def looks_like_header_block(data: bytes) -> bool:
    """Whether ``data`` starts like a message: a ``Name:`` line (after an mbox ``From `` line)."""
    stripped = data.lstrip(b"\r\n\t ")
    if stripped.startswith(b"From "):
        m = _EOL.search(stripped, 0, 4096)
        if m is None:
            return False
        stripped = stripped[m.end() :]
    return _HEADER_LINE.match(stripped, 0, 202) is not None


@dataclass(frozen=True, slots=True)
class Entity:
    """One MIME entity: a message or a body part, as offsets into ``buf``."""

    buf: bytes
    start: int
    end: int
    body_start: int
    header_end: int
    separated: bool
    headers: Message
    path: str
    """IMAP-style part number (``""`` for the top of the buffer)."""
    _ctype: str | None = field(default=None, init=False, repr=False, compare=False)
    """``content_type`` once read: the walk asks a part's type several times."""

    @property
    def content_type(self) -> str:
        found = self._ctype
        if found is None:
            try:
                found = self.headers.get_content_type()
            except Exception:
                found = "text/plain"
            object.__setattr__(self, "_ctype", found)
        return found

    def param(self, name: str) -> str | None:
        try:
            value = get_param(self.headers, name)
        except Exception:
            return None
        if isinstance(value, tuple):
            value = value[2]
        if value is None:
            return None
        return str(value)

    @property
    def boundary(self) -> str | None:
        return self.param("boundary")

    @property
    def transfer_encoding(self) -> str:
        return str(self.headers.get("content-transfer-encoding", "") or "").strip().lower()

    @property
    def filename(self) -> str:
        try:
            name = get_filename(self.headers)
        except Exception:
            name = None
        return text(name) if name else ""

    @property
    def disposition(self) -> str:
        try:
            return (self.headers.get_content_disposition() or "").lower()
        except Exception:
            return ""

    @property
    def body_size(self) -> int:
        return self.end - self.body_start

    def raw(self) -> bytes:
        return self.buf[self.start : self.end]

    def header_bytes(self) -> bytes:
        return self.buf[self.start : self.header_end]

    def body(self) -> bytes:
        return self.buf[self.body_start : self.end]

    def decoded_body(self) -> bytes | None:
        """The body with its transfer encoding undone (``None`` when too large to decode)."""
        if self.body_size > MAX_DECODE_BYTES:
            return None
        return decode_body(self.body(), self.transfer_encoding)

    def damaged_encoding(self) -> bool:
        """Whether a base64 body is not valid base64 (lenient decoding may have garbled it)."""
        if self.transfer_encoding != "base64" or self.body_size > MAX_DECODE_BYTES:
            return False
        compact = self.body().translate(None, b" \t\r\n")
        try:
            base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            return True
        return False

    def decoded_text(self, limit: int) -> str:
        """The body as text (charset applied leniently), at most ``limit`` characters."""
        if self.body_size > max(limit * 8, 1 << 20):
            data: bytes | None = self.buf[self.body_start : self.body_start + limit * 4]
            if self.transfer_encoding in ("base64", "quoted-printable"):
                data = None  # cut encoded data could decode wrongly; skip it
        else:
            data = self.decoded_body()
        if not data:
            return ""
        charset = (self.param("charset") or "utf-8").strip().lower() or "utf-8"
        try:
            codecs.lookup(charset)
            result = data.decode(charset, "replace")
        except Exception:
            result = data.decode("utf-8", "replace")
        return result[:limit]


def decode_body(data: bytes, cte: str) -> bytes:
    """``data`` with the transfer encoding ``cte`` (lower case) undone, leniently."""
    if cte == "base64":
        try:
            return decode_base64(data)
        except Exception:
            return b""
    if cte == "quoted-printable":
        try:
            return quopri.decodestring(data)
        except Exception:
            return data
    return data


def decode_base64(data: bytes) -> bytes:
    """mail-parser's ``decode_base64_payload`` (what a mail client makes of damaged base64) on
    bytes, in C, three to four times faster (tests/test_intake_inside.py holds them equal):
    what is outside the alphabet goes, the first "=" ends the data, a lone last character is
    dropped."""
    cut = data.find(b"=")
    try:
        # a2b_base64 skips what is outside the alphabet; "==" completes a last group of two or
        # three characters and is skipped after a whole group; a lone last character fails.
        return binascii.a2b_base64((data if cut < 0 else data[:cut]) + b"==")
    except binascii.Error:  # the reference's steps, one by one
        compact = data.translate(None, _NOT_BASE64).partition(b"=")[0]
        if len(compact) % 4 == 1:
            compact = compact[:-1]
        return binascii.a2b_base64(compact + b"=" * (-len(compact) % 4))


_NOT_BASE64 = bytes(
    set(range(256)) - set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
)


def parse_entity(buf: bytes, start: int, end: int, path: str) -> Entity:
    """Read the headers of the entity ``buf[start:end]``; the body is left untouched."""
    header_end, body_start, separated = header_block_end(buf, start, end)
    headers = parse_headers(buf[start:header_end])
    return Entity(buf, start, end, body_start, header_end, separated, headers, path)


def entity_from_bytes(data: bytes, path: str = "") -> Entity:
    return parse_entity(data, 0, len(data), path)


@dataclass(frozen=True, slots=True)
class Split:
    parts: tuple[tuple[int, int], ...]
    closed: bool
    """Whether the closing delimiter ``--boundary--`` was found."""
    capped: bool = False


def split_multipart(entity: Entity, max_parts: int) -> Split:
    """Split a multipart body into ``(start, end)`` offsets of its parts, in one pass."""
    boundary = entity.boundary
    if not boundary:
        return Split((), False)
    delim = b"--" + boundary.encode("utf-8", "surrogateescape")
    return split_body(entity.buf, entity.body_start, entity.end, delim, max_parts)


def split_body(buf: bytes, start: int, end: int, delim: bytes, max_parts: int) -> Split:
    """Split ``buf[start:end]``, a multipart body, at the delimiter lines ``delim``
    (``--`` and the boundary)."""
    pos = start
    # (delimiter position, start of the line after it)
    marks: list[tuple[int, int]] = []
    closed = capped = False
    while pos < end:
        i = buf.find(delim, pos, end)
        if i < 0:
            break
        pos = i + len(delim)
        if i != start and buf[i - 1] not in (10, 13):
            continue
        is_close = buf.startswith(b"--", pos)
        eol = _EOL.search(buf, pos, end)
        line_end = eol.start() if eol else end
        rest_start = pos + 2 if is_close else pos
        if buf[rest_start:line_end].strip(b" \t"):
            continue  # a longer boundary that merely starts with this one
        marks.append((i, eol.end() if eol else end))
        if is_close:
            closed = True
            break
        if len(marks) > max_parts:
            capped = True
            break
    parts: list[tuple[int, int]] = []
    for (_, part_start), (next_delim, _) in itertools.pairwise(marks):
        parts.append((part_start, _strip_eol(buf, part_start, next_delim)))
    if marks and not closed and not capped:
        parts.append((marks[-1][1], end))
    return Split(tuple(parts[:max_parts]), closed, capped)


def _strip_eol(buf: bytes, start: int, pos: int) -> int:
    """The end of a part: its last line end belongs to the delimiter that follows."""
    if pos - 2 >= start and buf[pos - 2 : pos] == b"\r\n":
        return pos - 2
    if pos - 1 >= start and buf[pos - 1] in (10, 13):
        return pos - 1
    return pos


def child_path(parent: str, index: int) -> str:
    return f"{parent}.{index}" if parent else str(index)


def ensure_blank_line(data: bytes) -> bytes:
    """Terminate a header block with an empty line (CRLF, LF or CR, as the block uses)."""
    stripped = data.rstrip(b"\r\n")
    eol = b"\r\n" if b"\r\n" in stripped[:4096] else b"\n"
    if not stripped:
        return b""
    return stripped + eol + eol
