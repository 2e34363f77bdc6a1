"""Find header blocks pasted into a message body.

One pass over the lines, with bounded look-back: quote prefixes (``> ``, ``>> ``, ``| ``) are
removed, ``Name: value`` lines start headers, indented lines continue them, and a line that
does not look like a header directly after a long or ``Received``-like header line is taken
as that header re-wrapped by a mail client. A block counts only when it holds a ``Received``
header. No regular expression here can backtrack: each one either anchors on a fixed prefix
or matches a single character class.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_TEXT = 2_000_000
"""Characters of a body that are scanned."""
MAX_LINES = 40_000
MAX_BLOCK_BYTES = 256_000
"""A pasted block is cut at this size."""
MAX_REWRAP = 12
"""Re-wrapped fragments accepted for one header."""
MAX_BLOCKS = 20

_QUOTE = re.compile(r"[ \t]{0,3}[>|][ ]?")
_NAME = re.compile(r"([A-Za-z0-9][A-Za-z0-9_-]{0,75})[ \t]?:(?:[ \t]|$)")
_RECEIVED = re.compile(r"received[ \t]?:", re.IGNORECASE)  # as _NAME reads it
_FOLDY = (
    "received",
    "x-received",
    "authentication-results",
    "arc-",
    "dkim-signature",
    "received-spf",
    "x-google-dkim-signature",
    "x-ms-exchange",
    "x-forefront",
)
_BREAKS = re.compile(
    r"(?i)<\s*(?:br|/p|/div|/tr|/li|/h[1-6]|/pre|/blockquote|p|div)\b[^<>]{0,500}>"
)
_TAG = re.compile(r"<[^<>]{0,4000}>")
_LEADING_BLANKS = re.compile(r"\n[ \t]+")
_INVISIBLE = {"script", "style", "head", "title"}
# Prose that is not a header although it looks like one.
_NOT_HEADERS = {"http", "https", "mailto", "note", "re", "fw", "fwd", "ps", "tel", "ftp"}


@dataclass(frozen=True, slots=True)
class PastedBlock:
    raw: bytes
    """The reconstructed header block: one line a header, CRLF, ending with an empty line."""
    first_line: int
    last_line: int
    """1-based line numbers of the block in the scanned text."""
    quoted: bool
    rewrapped: int
    """How many re-wrapped fragments were joined back."""
    cut: bool = False


# A numeric reference past U+10FFFF means U+FFFD to html.unescape, but one of thousands of
# digits makes it raise (int() refuses over 4,300 digits): hostile HTML, answered here.
_OVERLONG_REFERENCE = re.compile(r"&#(?:0*[1-9][0-9]{7,}|[xX]0*[1-9a-fA-F][0-9a-fA-F]{6,});?")


def html_to_text(markup: str) -> str:
    """Strip markup in linear time: line-breaking tags become line ends, entities are decoded."""
    markup = markup[:MAX_TEXT]
    lowered = markup.lower()
    pieces: list[str] = []
    pos = 0
    while True:
        starts = [(i, tag) for tag in _INVISIBLE if (i := lowered.find("<" + tag, pos)) >= 0]
        if not starts:
            pieces.append(markup[pos:])
            break
        i, tag = min(starts)
        close = lowered.find("</" + tag, i)
        pieces.append(markup[pos:i])
        if close < 0:
            break
        gt = lowered.find(">", close)
        pos = len(markup) if gt < 0 else gt + 1
    body = _collapse_outside_pre("".join(pieces).replace("\r\n", "\n").replace("\r", "\n"))
    body = _BREAKS.sub("\n", body)
    body = _TAG.sub("", body)
    body = _LEADING_BLANKS.sub("\n", body)  # indentation in HTML is only &nbsp;
    body = html.unescape(_OVERLONG_REFERENCE.sub("\ufffd", body))
    return body.replace("\xa0", " ")


def _collapse_outside_pre(body: str) -> str:
    """Source line breaks mean nothing in HTML, except inside ``<pre>``."""
    lowered = body.lower()
    out: list[str] = []
    pos = 0
    while pos < len(body):
        i = lowered.find("<pre", pos)
        if i < 0:
            out.append(body[pos:].replace("\n", " "))
            break
        out.append(body[pos:i].replace("\n", " "))
        j = lowered.find("</pre", i)
        j = len(body) if j < 0 else j
        out.append(body[i:j].replace("\n", "<br>"))
        pos = j
    return "".join(out)


def _unquote(line: str) -> tuple[str, bool]:
    pos = 0
    quoted = False
    while True:
        m = _QUOTE.match(line, pos)
        if m is None:
            break
        pos = m.end()
        quoted = True
    return line[pos:], quoted


@dataclass(slots=True)
class _Header:
    name: str
    pieces: list[str]
    rewraps: int = 0


@dataclass(slots=True)
class _Run:
    headers: list[_Header]
    first: int
    last: int
    quoted: bool


def find_pasted_blocks(body: str) -> list[PastedBlock]:
    """Every run of header lines in ``body`` that holds a ``Received`` header."""
    if _RECEIVED.search(body, 0, MAX_TEXT) is None:
        return []  # no run can: its Received line holds "received" in ASCII, any case, ":"
    lines = body[:MAX_TEXT].splitlines()[:MAX_LINES]
    runs: list[_Run] = []
    current: _Run | None = None
    prev_len = 0
    for number, original in enumerate(lines, start=1):
        line, quoted = _unquote(original)
        line = line.rstrip()
        if not line.strip():
            current = None
            continue
        m = _NAME.match(line)
        is_header = m is not None and m.group(1).lower() not in _NOT_HEADERS
        if current is not None and line[0] in " \t":
            current.headers[-1].pieces.append(line.strip())
            current.last = number
        elif is_header and m is not None:
            header = _Header(m.group(1), [line[m.end() :].strip()])
            if current is None:
                current = _Run([header], number, number, quoted)
                runs.append(current)
            else:
                current.headers.append(header)
                current.last = number
            current.quoted = current.quoted or quoted
        elif current is not None and _rewrap(current.headers[-1], prev_len):
            current.headers[-1].pieces.append(line.strip())
            current.headers[-1].rewraps += 1
            current.last = number
        else:
            current = None
        prev_len = len(original)
    return _blocks(_merge_spaced(runs, lines))


def _rewrap(header: _Header, prev_len: int) -> bool:
    if header.rewraps >= MAX_REWRAP:
        return False
    name = header.name.lower()
    return prev_len >= 60 or name.startswith(_FOLDY)


def _merge_spaced(runs: list[_Run], lines: list[str]) -> list[_Run]:
    """Join runs split by empty lines when one side is a single header (double-spaced paste)."""
    merged: list[_Run] = []
    for run in runs:
        if not any(piece for h in run.headers for piece in h.pieces):
            continue  # "Headers:" or "See:" introducing the paste, not a header
        if merged:
            last = merged[-1]
            gap = lines[last.last : run.first - 1]
            if (
                len(gap) <= 2
                and all(not _unquote(g)[0].strip() for g in gap)
                and (len(last.headers) == 1 or len(run.headers) == 1)
            ):
                last.headers.extend(run.headers)
                last.last = run.last
                last.quoted = last.quoted or run.quoted
                continue
        merged.append(run)
    return merged


def _is_received(header: _Header) -> bool:
    """A Received header, not prose that starts with "Received:"."""
    if header.name.lower() != "received":
        return False
    value = " ".join(header.pieces).lower()
    return "from " in value or "by " in value


def _blocks(runs: list[_Run]) -> list[PastedBlock]:
    blocks: list[PastedBlock] = []
    for run in runs:
        if not any(_is_received(h) for h in run.headers):
            continue
        while run.headers and not any(run.headers[0].pieces):
            del run.headers[0]  # "Headers:" introducing the paste
        out: list[bytes] = []
        size = 0
        cut = False
        for header in run.headers:
            value = " ".join(p for p in header.pieces if p)
            line = f"{header.name}: {value}\r\n".encode("utf-8", "surrogateescape")
            if size + len(line) > MAX_BLOCK_BYTES:
                cut = True
                break
            out.append(line)
            size += len(line)
        rewrapped = sum(h.rewraps for h in run.headers)
        blocks.append(
            PastedBlock(b"".join(out) + b"\r\n", run.first, run.last, run.quoted, rewrapped, cut)
        )
        if len(blocks) >= MAX_BLOCKS:
            break
    return blocks
