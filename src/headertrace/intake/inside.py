"""Is there an original inside? A glance at a message's MIME structure, by byte operations.

``nothing_inside`` answers True only where the Unwrapper (``unwrap.py``, the reference) would
find the message itself, with no wrapper and nothing to say: no report, no enclosed or attached
message, no headers part, no pasted Received header, no forward marker. It reads the top header
block, the small header block of each part and the text parts; other parts are stepped over
unread, so a large base64 attachment costs the ``bytes.find`` of the boundary after it.

It reads a header field only where it reads it as the walk's reader (the standard library's
compat32 parser) does: every line of the block a field or a continuation, the values it needs
in plain ASCII, parameters in the plain ``name=value`` form. A part header block that is not
plain is read by the walk's own reader (``parse_entity``); a top header block that is not plain,
a forward subject, a headers-only message, deep nesting, many parts, a large text or a text in a
charset not listed below answer False: walk it.

Text parts are decoded as the walk decodes them (``decode_body``) and case-folded; the glance
looks for the forward markers, and for "received" where it could start a pasted header line.
One blind spot is shared with the former marker scan: in HTML, a name broken up by markup
(``Rec<b>eived:``) is seen by the walk, which removes tags, and not here.
``tests/test_intake_inside.py`` holds the proof against the walk.
"""

from __future__ import annotations

import codecs
import html
import re
from functools import lru_cache
from typing import TypeAlias

from headertrace.intake.mime import (
    MAX_HEADER_BYTES,
    decode_body,
    parse_entity,
    split_body,
    text,
)
from headertrace.intake.unwrap import (
    FORWARD_MARKERS,
    HEADERS_TYPES,
    MESSAGE_TYPES,
    TEXT_TYPES,
    _is_message_file,
    is_forward_subject,
)

MAX_LEVELS = 8
"""Real mail nests a few multiparts (mixed > related > alternative); deeper is left to the walk."""
MAX_PARTS = 64
"""Parts looked at in one message; more are left to the walk (and its own cap)."""
MAX_TEXT = 1 << 20
"""A text part larger than this is left to the walk, which cuts large texts its own way."""

# A plain header block: fields (a name, a colon) and continuations, up to where compat32 stops
# reading fields (a line that is neither, the empty line). It starts with a field and ends at
# the first line end before a line that is neither (_BLOCK_END): a search for line ends, twice
# as fast as matching the lines one by one. CRs are checked apart (a "\r" in the classes makes
# the scan slower).
_FIELD = re.compile(rb"[!-9;-~]+:")
_BLOCK_END = re.compile(rb"\n(?![ \t]|[!-9;-~]+:)")
_LONE_CR = re.compile(rb"\r(?!\n)")  # a line end to compat32, not to _BLOCK_END
_NEXT_FIELD = re.compile(rb"\n(?![ \t])")
_NOT_BLANK = re.compile(rb"[^ \t\r\n\x0b\x0c]")  # what bytes.strip() keeps

# A Content-Type whose parameters compat32's get_param returns as written: tokens and quoted
# strings without backslash or semicolon, no RFC 2231 "*" in a name, no angle brackets. A
# bare word is a parameter with an empty value.
_WS = rb"[ \t\r\n]*"
_PARAM = (
    rb";" + _WS + rb"[A-Za-z0-9_.-]+" + _WS
    + rb"(?:=" + _WS + rb"(?:\"[^\"\\;\r\n]*\"|[!#-:=?-\[\]-~]+)" + _WS + rb")?"
)  # fmt: skip
_PLAIN_CTYPE = re.compile(
    _WS + rb"([!#$%&'+./0-9A-Z^_`a-z|~-]+)" + _WS + rb"((?:" + _PARAM + rb")*)(?:;" + _WS + rb")?"
)
# The first parameter of a name, among parameters that _PLAIN_CTYPE read; bare or valued.
_NAMED = (
    rb";" + _WS + rb"(?i:%s)" + _WS
    + rb"(?:=" + _WS + rb"(\"[^\"]*\"|[^\s;\"]+))?" + _WS + rb"(?=;|\Z)"
)  # fmt: skip
_BOUNDARY = re.compile(_NAMED % b"boundary")
_CHARSET = re.compile(_NAMED % b"charset")
_OUTLOOK_TYPES = frozenset({"application/vnd.ms-outlook", "application/x-msg"})

# What a subject may start with that is_forward_subject can match: blanks and what
# " ".join(split()) removes, "[", the first letters of its prefixes; encoded words, non-ASCII.
_MAY_FORWARD = frozenset(b"[=fFtTwWrRvVeEdDpPiI") | set(range(0x21)) | set(range(0x7F, 0x100))
# A plain subject starting with a letter other than "i" starts with one of its prefixes: their
# first two letters ("Re:", the most common subject start, is no forward).
_FORWARD_STARTS = frozenset(
    {b"fw", b"fs", b"tr", b"to", b"wg", b"rv", b"ri", b"vs", b"vb", b"vl", b"en", b"do", b"pd"}
)
_TWO_LETTER_STARTS = frozenset(b"fFtTwWrRvVeEdDpP")

# Each forward marker by its ASCII start (the walk case-folds decoded text; in the charsets
# below only ASCII bytes decode to ASCII letters). A marker holding another is left out.
_FORWARD_WORDS = {
    re.sub(r"[^\x00-\x7f].*", "", m).encode("ascii"): m
    for m in FORWARD_MARKERS
    if not any(other != m and other in m for other in FORWARD_MARKERS)
}
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_-")
_NAME_LETTERS = frozenset("receivdRECEIVD")
_TAG = re.compile(rb"<[^<>]*>")
_BREAK = re.compile(rb"<\s*(?:br|/p|/div|/tr|/li|/h[1-6]|/pre|/blockquote|p|div)\b[^<>]{0,500}>")
_INVISIBLE = (b"<script", b"<style", b"<head", b"<title")  # removed with their content
_NUMERIC_REF = re.compile(rb"&#(?:[0-9]+|[xX][0-9a-fA-F]+);?")

# Codecs in which a byte below 0x80 decodes to itself and no other bytes decode to an ASCII
# character (tests/test_intake_inside.py checks each): an ASCII word in the decoded text is
# the same bytes in the part.
_ASCII_CODECS = frozenset(
    {
        "ascii",
        "utf-8",
        *(f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16)),
        *(f"cp{n}" for n in range(1250, 1259)),
        "koi8-r",
        "koi8-u",
        "gb2312",
        "gbk",
        "gb18030",
        "big5",
        "big5hkscs",
        "cp950",
        "euc_kr",
        "cp949",
        "euc_jp",
        "shift_jis",
        "cp932",
    }
)

_SINGLE_BYTE_CODECS = frozenset(
    c for c in _ASCII_CODECS if c in ("ascii", "koi8-r", "koi8-u") or c.startswith(("iso", "cp12"))
)
_FORWARD_CHARS = 20_000
"""Characters of a text in which the walk looks for forward markers (``_forward_like``)."""

_View: TypeAlias = tuple[str, str | None, str | None, str, bool]
"""What the glance needs of a header block, as the walk reads it: the content type, the boundary,
the charset, the transfer encoding, and whether a file name or type may be an attached message
(.eml, .msg, Outlook)."""


def nothing_inside(raw: bytes, max_depth: int) -> bool:
    """True when ``Unwrapper(max_depth).run(raw)`` would return ``raw`` itself, unwrapped and
    with no finding; False when that is not certain (the walk then decides)."""
    return glance(raw, max_depth)[0]


def glance(raw: bytes, max_depth: int) -> tuple[bool, tuple[int, int] | None]:
    """``nothing_inside``, and where it is True, the header block's span for
    ``split_header_block`` when the glance knows it (see ``_split_span``), so that the
    top block is scanned once."""
    start = 0
    if raw.startswith(b"From "):  # an mbox From_ line, which compat32 sets aside
        start = raw.find(b"\n", 0, 4096) + 1
        if start == 0 or raw.find(b"\r", 0, start) not in (-1, start - 2):
            return _WALK
    if raw.find(b":", start, start + 201) <= start:
        return _WALK  # mime.looks_like_header_block: a first name of 1 to 200 characters
    found = _plain_head(raw, start, len(raw), MAX_HEADER_BYTES - 8)
    if found is None or found[0] == start:
        return _WALK
    end, body_start = found
    if _NOT_BLANK.search(raw, body_start) is None:
        return _WALK  # headers only: maybe a pasted block (pasted.py)
    head = raw[:end]
    low = head.lower()
    if _forward_subject(head, low):
        return _WALK
    view = _plain_view(head, low)
    if view is None:
        return _WALK
    levels = max(0, min(max_depth, MAX_LEVELS))  # as the walk clamps max_depth, lower
    if not _Glance(raw, levels).entity(view, body_start, len(raw), 0):
        return _WALK
    return True, _split_span(raw, start, end)


_WALK = (False, None)


def _split_span(raw: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` for ``split_header_block``, or None where it must find the block
    itself. ``raw[start:end]`` is a plain block (every line a field or a continuation, ended by
    LF or CRLF, no lone CR), after a From_ line if any: the split reads it alike when that
    line is ASCII (it decodes the whole block as UTF-8 or else Latin-1) and when
    ``header_end`` ends the block at ``end`` too. Its separators (LF LF, CRLF CRLF, LF CRLF,
    CR CR) are not in a plain block; after the last line end, a lone CR or (after a CRLF) an
    LF ends the block for compat32 but not for ``header_end``."""
    if not raw.startswith(_SPLIT_ENDS, end) or (start and not raw[:start].isascii()):
        return None
    return start, end


_SPLIT_ENDS = (b"\n\n", b"\r\n\r\n", b"\n\r\n")


class _Glance:
    """One message's glance: its bytes, the nesting allowed and the parts left to look at."""

    __slots__ = ("buf", "levels", "parts_left")

    def __init__(self, buf: bytes, levels: int) -> None:
        self.buf = buf
        self.levels = levels
        self.parts_left = MAX_PARTS

    def entity(self, view: _View, start: int, end: int, level: int) -> bool:
        """Whether the entity with the fields ``view`` and the body ``buf[start:end]`` holds
        nothing for the walk to find (as ``Unwrapper._scan`` sorts parts)."""
        ctype, boundary, charset, cte, maybe_message = view
        if ctype.startswith("multipart/"):
            if ctype == "multipart/report" or level + 1 > self.levels:
                return False
            if not boundary:
                return True  # the walk finds no parts in it either
            return self.multipart(boundary, start, end, level)
        if maybe_message or ctype in MESSAGE_TYPES or ctype in HEADERS_TYPES:
            return False
        if ctype.startswith("message/"):
            return False  # a report part outside its multipart/report
        if ctype not in TEXT_TYPES and ctype != "text/x-plain":
            return True  # an attachment: not read
        codec = _text_codec(charset)
        if end - start > MAX_TEXT or codec is None:
            return False
        data = decode_body(self.buf[start:end], cte)
        return _plain_text(data, codec[0], codec[1], ctype == "text/html")

    def multipart(self, boundary: str, start: int, end: int, level: int) -> bool:
        try:
            delim = b"--" + boundary.encode("utf-8", "surrogateescape")
        except UnicodeError:
            return False
        split = split_body(self.buf, start, end, delim, self.parts_left)
        self.parts_left -= len(split.parts)
        if split.capped or self.parts_left <= 0:
            return False
        for part_start, part_end in split.parts:
            found = self.part(part_start, part_end)
            if found is None or not self.entity(found[0], found[1], part_end, level + 1):
                return False
        return True

    def part(self, start: int, end: int) -> tuple[_View, int] | None:
        """A body part's fields and where its body starts (None: walk the message)."""
        found = _plain_head(self.buf, start, end, start + MAX_HEADER_BYTES - 8)
        if found is not None:
            head = self.buf[start : found[0]]
            view = _plain_view(head, head.lower())
            if view is not None:
                return view, found[1]
        ent = parse_entity(self.buf, start, end, "1")
        if _is_message_file(ent):
            return None
        view = (ent.content_type, ent.boundary, ent.param("charset"), ent.transfer_encoding, False)
        return view, ent.body_start


def _plain_head(buf: bytes, start: int, stop: int, limit: int) -> tuple[int, int] | None:
    """Where the plain header block at ``start`` ends (before its last line end) and where the
    body after its empty line starts, as ``mime.header_block_end`` finds them (the empty line
    before ``limit``); None for a block that is not plain."""
    end = _block_end(buf, start, min(stop, limit))
    at = start
    if end > start:  # at the LF that ends the last field
        if not buf.startswith(b"\n", end, stop):
            return None  # no empty line before the cap
        if buf.find(b"\r", start, end) >= 0 and _LONE_CR.search(buf, start, end + 1):
            return None
        at = end + 1
        if buf[end - 1] == 13:
            end -= 1  # the CR of a CRLF
    if buf.startswith(b"\r\n", at, stop):
        return end, at + 2
    if buf.startswith((b"\n", b"\r"), at, stop):
        return end, at + 1
    return None  # a line that is neither a field nor empty


def _block_end(buf: bytes, start: int, cap: int) -> int:
    """Where the fields and continuations from ``start`` end, before ``cap``: at the line end
    before a line that is neither, or at ``cap``; ``start`` when the first line is no field."""
    if _FIELD.match(buf, start, cap) is None:
        return start
    found = _BLOCK_END.search(buf, start, cap)
    return found.start() if found else cap


def _plain_view(head: bytes, low: bytes) -> _View | None:
    """The fields of a plain header block as compat32 reads them (the first of each name), or
    None where they are not plain."""
    ctype_value = encoding = disposition = None
    at = 0 if low.startswith(b"content-") else low.find(b"\ncontent-") + 1 or -1
    while at >= 0:
        at += len(b"content-")
        if ctype_value is None and low.startswith(b"type:", at):
            ctype_value = _value(head, at + len(b"type:"))
        elif encoding is None and low.startswith(b"transfer-encoding:", at):
            encoding = _value(low, at + len(b"transfer-encoding:"))
        elif disposition is None and low.startswith(b"disposition:", at):
            disposition = _value(low, at + len(b"disposition:"))
        at = low.find(b"\ncontent-", at) + 1 or -1
    maybe_message = False
    if disposition is not None:
        # Non-ASCII makes compat32 hand out a Header; "=?" and "*" may encode a file name.
        if not disposition.isascii() or disposition.find(b"=?") >= 0 or disposition.find(b"*") >= 0:
            return None
        maybe_message = disposition.find(b".eml") >= 0 or disposition.find(b".msg") >= 0
    cte = ""
    if encoding is not None:
        if not encoding.isascii():
            return None
        cte = encoding.decode("ascii").strip().lower()
    if ctype_value is None:
        return "text/plain", None, None, cte, maybe_message
    content = _content_type(ctype_value)
    if content is None:
        return None
    ctype, boundary, charset, named = content
    return ctype, boundary, charset, cte, maybe_message or named


@lru_cache(maxsize=512)
def _content_type(value: bytes) -> tuple[str, str | None, str | None, bool] | None:
    """The type, boundary, charset of a plain Content-Type value, and whether it names a
    message file; None when it is not plain. (Values repeat across messages, bar boundaries.)"""
    match = _PLAIN_CTYPE.fullmatch(value)
    if match is None or value.find(b"=?") >= 0:
        return None
    ctype = match[1].decode("ascii").lower() if match[1].count(b"/") == 1 else "text/plain"
    named = value.lower()
    maybe_message = named.find(b".eml") >= 0 or named.find(b".msg") >= 0 or ctype in _OUTLOOK_TYPES
    if ctype.startswith("multipart/"):
        return ctype, _param(_BOUNDARY, match[2]), None, maybe_message
    return ctype, None, _param(_CHARSET, match[2]), maybe_message


def _param(pattern: re.Pattern[bytes], params: bytes) -> str | None:
    """The first parameter ``pattern`` names, from parameters that ``_PLAIN_CTYPE`` read
    (every ";" starts one): unquoted, "" when bare, as ``Message.get_param`` returns it."""
    found = pattern.search(params)
    if found is None:
        return None
    value = found[1].decode("ascii") if found[1] else ""
    return value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' else value


def _value(head: bytes, start: int) -> bytes:
    """The value of the field whose name ends at ``start``, as compat32 stores it: the first
    line's leading blanks and the last line end removed, folds kept."""
    stop = _NEXT_FIELD.search(head, start)
    return head[start : stop.start() if stop else len(head)].lstrip(b" \t").rstrip(b"\r\n")


def _forward_subject(head: bytes, low: bytes) -> bool:
    """``is_forward_subject`` of the first Subject, as the walk decodes it (``mime.text``)."""
    at = 0 if low.startswith(b"subject:") else low.find(b"\nsubject:") + 1 or -1
    if at < 0:
        return False
    value = _value(head, at + len(b"subject:"))
    if not value or value[0] not in _MAY_FORWARD:
        return False
    if value.isascii() and value.find(b"=?") < 0:
        if value[0] in _TWO_LETTER_STARTS and value[:2].lower() not in _FORWARD_STARTS:
            return False
        return is_forward_subject(" ".join(value.decode("ascii").split()))
    return is_forward_subject(text(value.decode("ascii", "surrogateescape")))


@lru_cache(maxsize=256)
def _text_codec(charset: str | None) -> tuple[str, int] | None:
    """The charset the walk decodes a text part with (``Entity.decoded_text``), when its
    codec is one of ``_ASCII_CODECS``, and how many bytes the walk's first 20,000 characters
    (where it looks for forward markers) can take; None for another codec."""
    name = (charset or "utf-8").strip().lower() or "utf-8"
    try:
        found = codecs.lookup(name).name
    except Exception:
        name = found = "utf-8"  # the walk falls back to UTF-8
    if found not in _ASCII_CODECS:
        return None
    return name, _FORWARD_CHARS * (1 if found in _SINGLE_BYTE_CODECS else 4)


def _plain_text(data: bytes, codec: str, window: int, is_html: bool) -> bool:
    """Whether a decoded text part holds neither a forward marker (in its first ``window``
    bytes) nor what could become a pasted Received header line (in HTML, once markup and
    references are removed)."""
    low = data.lower()
    if _forward_marker(data, low[:window] if len(low) > window else low, codec):
        return False
    if is_html and low.find(b"&#") >= 0:
        letters = False
        for ref in set(_NUMERIC_REF.findall(low)):
            if len(ref) > 16:
                return False  # a number html.unescape may refuse to read
            letters = letters or _letter(ref) is not None
        if letters:
            # References may spell the name: read it with those that stand for a letter of
            # "received", or for nothing, decoded.
            low = _NUMERIC_REF.sub(_name_letter, low)
    return not _received(low, is_html)


def _forward_marker(data: bytes, low: bytes, codec: str) -> bool:
    """Whether a forward marker stands in the text (the walk's ``_forward_like``)."""
    # bytes.find, here and above: in CPython 3.11 "needle in haystack" first reads the needle as
    # an integer and formats the TypeError it then clears, dearer than a search in a short value.
    for word in _FORWARD_WORDS:
        if low.find(word) >= 0:
            break
    else:
        return False
    for word, marker in _FORWARD_WORDS.items():
        at = low.find(word)
        while at >= 0:
            if len(word) == len(marker):
                return True
            window = data[at : at + 4 * len(marker)].decode(codec, "replace")
            if window.lower().startswith(marker):
                return True
            at = low.find(word, at + 1)
    return False


def _received(low: bytes, is_html: bool) -> bool:
    """Whether case-folded text may hold a line that ``pasted._NAME`` reads as "Received":
    the word, not inside a longer name, then an optional blank and a colon."""
    at = low.find(b"received")
    while at >= 0:
        if _may_start_name(low, at, is_html):
            after = low[at + 8 : at + 10]
            if after[:1] == b":" or after in (b" :", b"\t:"):
                return True
            if is_html and _html_colon(low, at + 8):
                return True
        at = low.find(b"received", at + 8)
    return False


def _may_start_name(low: bytes, at: int, is_html: bool) -> bool:
    """Whether the word at ``at`` may start a name: it follows no name character, or in HTML
    one that may end a reference (``&#10`` is a line break)."""
    if at == 0 or low[at - 1] not in _NAME_BYTES:
        return True
    return is_html and b"&" in low[max(0, at - 40) : at]


def _html_colon(low: bytes, pos: int) -> bool:
    """Whether the markup after "received" may become a colon once ``html_to_text`` has
    removed tags and decoded references."""
    limit = min(len(low), pos + 8192)
    while pos < limit:
        byte = low[pos]
        if byte in b" \t\r\n":
            pos += 1
            continue
        if byte != ord("<"):
            return byte in b":&" or byte >= 0x80  # a no-break space becomes a space
        if low.startswith(_INVISIBLE, pos):
            return True
        tag = _TAG.match(low, pos, limit)
        if tag is None:
            # A "<" before the next ">" stays as written: no header name ends with it.
            return low.find(b"<", pos + 1, limit) < 0
        if _line_break(tag[0]):
            return False
        pos = tag.end()
    return pos < len(low)


def _line_break(tag: bytes) -> bool:
    """Whether ``html_to_text`` turns the tag into a line end (``pasted._BREAKS``): not
    inside ``<pre>``, where its own line ends become tags."""
    return tag.isascii() and b"\n" not in tag and b"\r" not in tag and bool(_BREAK.fullmatch(tag))


@lru_cache(maxsize=1024)
def _letter(ref: bytes) -> bytes | None:
    """What ``html.unescape`` makes of a numeric reference, when that is a letter of
    "received" (lower case) or nothing."""
    value = html.unescape(ref.decode("ascii"))
    return value.lower().encode() if not value or value in _NAME_LETTERS else None


def _name_letter(ref: re.Match[bytes]) -> bytes:
    letter = _letter(ref[0])
    return ref[0] if letter is None else letter
