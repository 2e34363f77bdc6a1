"""The glance (``intake.inside.nothing_inside``) is proved against the walk (``Unwrapper``).

Whenever the glance says "nothing inside", the walk must find the message itself with no
wrapper and nothing to say, so that ``open_complaint`` gives the same ``Complaint`` with the
glance and without it: on every corpus message, every intake fixture, generated messages and
hostile ones. The pieces it is built from are proved equal to what the walk uses: the header
block reading (compat32), the base64 decoder, the charsets whose ASCII it trusts.
"""

from __future__ import annotations

import base64
import codecs
import csv
import quopri
import re
from collections import Counter
from email.message import Message
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mailparser.utils import decode_base64_payload

from headertrace.intake import complaint, fields, mime
from headertrace.intake.complaint import open_complaint
from headertrace.intake.inside import (
    _ASCII_CODECS,
    _FORWARD_WORDS,
    _SINGLE_BYTE_CODECS,
    _block_end,
    _forward_subject,
    _plain_head,
    _plain_view,
    glance,
    nothing_inside,
)
from headertrace.intake.mailbox import is_from_line, looks_like_mbox
from headertrace.intake.mime import (
    MAX_HEADER_BYTES,
    decode_base64,
    entity_from_bytes,
    header_block_end,
    header_block_end_by_lines,
    parse_entity,
    parse_headers,
    parse_headers_compat32,
    split_multipart,
)
from headertrace.intake.model import Complaint
from headertrace.intake.unwrap import (
    FORWARD_MARKERS,
    Unwrapper,
    _is_message_file,
    is_forward_subject,
)
from headertrace.parse.headers import split_header_block

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def walked(raw: bytes, max_depth: int = 20) -> Complaint:
    """``open_complaint`` with the glance switched off: every message is walked."""
    with patch.object(complaint, "glance", return_value=(False, None)):
        return open_complaint(raw, max_depth=max_depth)


def walk_finds_itself(raw: bytes, max_depth: int = 20) -> bool:
    """What the glance claims: the walk returns ``raw`` itself, unwrapped, with no finding."""
    walker = Unwrapper(max_depth)
    hits = walker.run(raw)
    if walker.findings or walker.wrappers or len(hits) != 1:
        return False
    hit = hits[0]
    return (hit.raw, hit.kind, hit.part, hit.wrappers, hit.findings) == (
        raw,
        "message",
        None,
        (),
        [],
    )


def assert_glance_agrees(raw: bytes, max_depth: int = 20) -> bool:
    decided = nothing_inside(raw, max_depth)
    if decided:
        assert walk_finds_itself(raw, max_depth), raw[:300]
    assert_span_splits_alike(raw, max_depth)
    return decided


def assert_span_splits_alike(raw: bytes, max_depth: int = 20) -> bool:
    """The header block's span that the glance hands on is split as the whole message is."""
    inside, span = glance(raw, max_depth)
    assert inside == nothing_inside(raw, max_depth)
    if span is None:
        return False
    assert inside
    assert split_header_block(raw, span) == split_header_block(raw), raw[:300]
    return True


# -- every corpus message and fixture ----------------------------------------------------


def corpus_paths(corpus: Path) -> list[Path]:
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as handle:
        return [corpus / row["path"] for row in csv.DictReader(handle, delimiter="\t")]


@pytest.mark.corpus
def test_glance_equals_walk_on_every_corpus_message(corpus: Path) -> None:
    paths = corpus_paths(corpus)
    decided = spans = 0
    for path in paths:
        raw = path.read_bytes()
        if nothing_inside(raw, 20):
            decided += 1
            assert open_complaint(raw) == walked(raw), path
            spans += assert_span_splits_alike(raw)
    share = decided / len(paths)
    print(
        f"\nglance decides {decided} of {len(paths)} corpus messages ({share:.1%}), walks the rest;"
        f" hands the split the header block of {spans}"
    )
    assert share > 0.9
    assert spans > 0.9 * decided


@pytest.mark.corpus
def test_glance_keeps_to_a_lower_nesting_limit(corpus: Path) -> None:
    """``max_depth`` bounds the walk's nesting (with a finding): the glance keeps to it."""
    for path in corpus_paths(corpus)[::7]:
        raw = path.read_bytes()
        for depth in (0, 1, 2):
            assert_glance_agrees(raw, depth)


def fixture_files() -> list[Path]:
    return sorted(p for p in (FIXTURES / "intake").iterdir() if p.suffix != ".py")


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_glance_equals_walk_on_every_intake_fixture(path: Path) -> None:
    raw = path.read_bytes()
    for depth in (20, 1, 0):
        if nothing_inside(raw, depth):
            assert open_complaint(raw, max_depth=depth) == walked(raw, depth)
            assert_span_splits_alike(raw, depth)


def test_glance_walks_every_complaint_fixture() -> None:
    """Reports, forwards and pasted headers are never decided by the glance."""
    for path in fixture_files():
        if path.name.startswith(("arf-", "dsn-", "forward-", "pasted-", "headers-", "jmrp")):
            assert not nothing_inside(path.read_bytes(), 20), path.name


# -- hostile messages: fast (no timing asserted; the suite's hang limit holds) and right ---


def message(body: bytes, ctype: bytes, extra: bytes = b"") -> bytes:
    return (
        b"Received: from a.example (a.example [192.0.2.1]) by mx.example; "
        b"Tue, 1 Jun 2021 10:00:00 +0000\r\n"
        b"From: a@a.example\r\nSubject: hello\r\nContent-Type: " + ctype + b"\r\n" + extra + b"\r\n"
    ) + body


def test_deep_nesting_is_left_to_the_walk() -> None:
    inner = b"Content-Type: text/plain\r\n\r\nhi"
    for level in reversed(range(1, 2000)):
        open_, close = b"--b%d\r\n" % level, b"\r\n--b%d--" % level
        inner = (
            b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n" % level + open_ + inner + close
        )
    raw = message(b"--b0\r\n" + inner + b"\r\n--b0--\r\n", b"multipart/mixed; boundary=b0")
    assert not nothing_inside(raw, 20)
    assert not nothing_inside(raw, 200)
    shallow = message(
        b"--b0\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b0--", b"multipart/mixed; boundary=b0"
    )
    assert assert_glance_agrees(shallow)
    assert not nothing_inside(shallow, 0)  # the walk says it nests too deep for max_depth=0


def test_ten_thousand_parts_are_left_to_the_walk() -> None:
    part = b"--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
    raw = message(part * 10_000 + b"--b--\r\n", b"multipart/mixed; boundary=b")
    assert not nothing_inside(raw, 20)


def test_a_large_base64_attachment_is_stepped_over() -> None:
    blob = base64.encodebytes(bytes(range(256)) * 20_000)  # 5 MB, and "Received:" is not base64
    raw = message(
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/octet-stream; name=data.bin\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + blob + b"--b--\r\n",
        b"multipart/mixed; boundary=b",
    )
    assert len(raw) > 5_000_000
    assert assert_glance_agrees(raw)


def test_a_missing_closing_boundary() -> None:
    raw = message(
        b"--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n", b"multipart/mixed; boundary=b"
    )
    assert assert_glance_agrees(raw)
    pasted = message(
        b"--b\r\nContent-Type: text/plain\r\n\r\nReceived: from evil.example by mx; x\r\n",
        b"multipart/mixed; boundary=b",
    )
    assert not nothing_inside(pasted, 20)


@pytest.mark.parametrize(
    "raw",
    [
        message(b"x", b"text/plain", b"Subject: " + b"a" * 1_000_000 + b"\r\n"),
        b"X: y\r\n" * 200_000 + b"\r\nbody",
        b"X" * 2_000_000 + b": y\r\n\r\nbody",
        message(b"<p>&#" + b"9" * 5000 + b";</p> received", b"text/html"),
        message(b"received" * 100_000 + b"<" + b" " * 100_000, b"text/html"),
        message(b"<" * 200_000 + b"received:", b"text/html"),
        b"\r" * 1_000_000,
        b"From x Tue Jun 1 10:00:00 2021\n" * 50_000,
    ],
    ids=[
        "1MB-subject",
        "200k-fields",
        "2MB-name",
        "5000-digit-ref",
        "html",
        "html-lt",
        "cr",
        "from",
    ],
)
def test_hostile_messages_stay_right(raw: bytes) -> None:
    assert_glance_agrees(raw)


# -- generated messages -------------------------------------------------------------------

_PASTED = b"Received: from evil.example (evil.example [198.51.100.7]) by mx.example; x"
# Texts with nothing for the walk to find, and texts with a pasted header or a forward marker
# (plain, quoted, spelled with references, broken up by markup around the name).
_CLEAN_TEXTS = [
    b"hello there",
    b"You have received this message because you asked for it.",
    b"message transformations",
    b"I2C_WRITE_RECEIVED: 3",
    b"<p>Received</p><p>: nothing</p>",
    b"<p>caf&#233; &#8217;</p>",
]
_MARKED_TEXTS = [
    _PASTED,
    b"> " + _PASTED,
    b"received : from a by b",
    b"RECEIVED:\tfrom a by b",
    b"x-received: from a by b",
    b"---------- Forwarded message ---------",
    b"Begin forwarded message:",
    b"FoRwArDeD MeSsAgE",
    "message transf\u00e9r\u00e9".encode(),
    "MESSAGE TRANSF\u00c9R\u00c9".encode("latin-1"),
    b"weitergeleitete Nachricht",
    b"mensaje reenviado",
    b"<p>Rec&#101;ived: from a by b</p>",
    b"<p>&#82;eceived: from a by b</p>",
    b"<b>Received</b>: from a by b",
    b"<p>Received&#58; from a by b</p>",
    b"<p>Received&nbsp;: from a by b</p>",
    b"&#10received: from a by b",
    b"Rece&#1;ived: from a by b",
]
_TEXTS = _CLEAN_TEXTS * 6 + _MARKED_TEXTS

_CTYPES = [
    b"text/plain",
    b"text/plain; charset=us-ascii",
    b'text/plain; charset="utf-8"',
    b"text/plain; charset=iso-8859-1",
    b"text/plain; charset=utf-16",
    b"text/plain; charset=utf-7",
    b"text/plain; charset=iso-2022-jp",
    b"text/plain; charset=x-unknown",
    b"TEXT/HTML; Charset=UTF-8",
    b"text/html",
    b"text/x-plain",
    b"text; charset=utf-8",
    b"text/plain; Windows-1252",
    b"application/pdf",
    b"application/octet-stream; name=x.eml",
    b'application/octet-stream; name="=?utf-8?B?eC5lbWw=?="',
    b"application/octet-stream; name*=utf-8''x%2Eeml",
    b"application/vnd.ms-outlook",
    b"message/rfc822",
    b"message/delivery-status",
    b"text/rfc822-headers",
    b"image/png",
]
_PLAIN_CTYPES = [b"text/plain", b"text/html", b"text/plain; charset=utf-8", b"image/png"]
_ENCODINGS = [b"", b"7bit", b"base64", b"quoted-printable", b" Base64 ", b"8bit"]
_DISPOSITIONS = [b"", b"inline", b"attachment; filename=report.eml", b"attachment; filename=x.pdf"]
_SUBJECTS = [
    b"hello",
    b"Re: hello",
    b"Fwd: hello",
    b"[list] FW: hello",
    b"\r\n Fwd: folded",
    b"=?utf-8?B?" + base64.b64encode(b"Fw: hi") + b"?=",
    b"=?iso-8859-1?Q?TR:_hi?=",
    "Fwd: \u00e9".encode(),
    b"Invoice",
]


def _encode(text: bytes, cte: bytes) -> bytes:
    name = cte.strip().lower()
    if name == b"base64":
        return base64.encodebytes(text)
    if name == b"quoted-printable":
        return quopri.encodestring(text, quotetabs=True)
    return text


@st.composite
def leaf(draw: st.DrawFn) -> bytes:
    ctype = draw(st.sampled_from(_CTYPES + _PLAIN_CTYPES * 6))
    cte = draw(st.sampled_from(_ENCODINGS))
    disposition = draw(st.sampled_from(_DISPOSITIONS))
    texts = draw(st.lists(st.sampled_from(_TEXTS), max_size=2))
    body = b"\n".join(texts)
    head = b"Content-Type: " + ctype + b"\r\n"
    if cte:
        head += b"Content-Transfer-Encoding: " + cte + b"\r\n"
    if disposition:
        head += b"Content-Disposition: " + disposition + b"\r\n"
    return head + b"\r\n" + _encode(body, cte)


@st.composite
def entity(draw: st.DrawFn, depth: int = 0) -> bytes:
    if depth >= 3 or draw(st.booleans()):
        return draw(leaf())
    kind = draw(st.sampled_from([b"mixed", b"alternative", b"mixed", b"report", b"related"]))
    boundary = draw(st.sampled_from([b"b%d" % depth, b"=_part_%d" % depth]))
    quoted = draw(st.booleans())
    parts = draw(st.lists(entity(depth + 1), min_size=0, max_size=3))
    preamble = draw(st.sampled_from([b"", b"", b"This is MIME.\r\n", _PASTED + b"\r\n"]))
    body = preamble
    for part in parts:
        body += b"--" + boundary + b"\r\n" + part + b"\r\n"
    if draw(st.booleans()):
        body += b"--" + boundary + b"--\r\n"
    value = boundary if not quoted else b'"' + boundary + b'"'
    return b"Content-Type: multipart/" + kind + b"; boundary=" + value + b"\r\n\r\n" + body


_ODD_LINES = [b"garbage line", b"From x", b":x", b"Name : value", b"X-\xe9: y"]


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    top = draw(entity())
    fields = [
        b"Received: from a.example by mx.example; Tue, 1 Jun 2021 10:00:00 +0000",
        b"From: a@a.example",
        b"Subject: " + draw(st.sampled_from(_SUBJECTS + [b"hello"] * 10)),
    ]
    if draw(st.integers(0, 4)) == 0:
        fields.insert(draw(st.integers(0, len(fields))), draw(st.sampled_from(_ODD_LINES)))
    head = b"\r\n".join(fields) + b"\r\n"
    raw = head + top
    if draw(st.booleans()):
        raw = raw.replace(b"\r\n", b"\n")
    if draw(st.booleans()):
        raw = b"From a@a.example Tue Jun  1 10:00:00 2021\n" + raw
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"\r", b"\n", b"\r\n\r\n", b"\n\r"])) + raw[at:]
    return raw


@settings(max_examples=600, deadline=None)
@given(messages(), st.sampled_from([20, 2, 1, 0]))
def test_glance_equals_walk_on_generated_messages(raw: bytes, depth: int) -> None:
    assert_glance_agrees(raw, depth)


def test_generated_messages_are_often_decided() -> None:
    """The property above is not vacuous: plain generated messages are decided."""
    plain = message(b"hello", b"text/plain")
    assert assert_glance_agrees(plain)
    assert assert_glance_agrees(plain.replace(b"\r\n", b"\n"))
    alternative = message(
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
        b"\r\n" + base64.encodebytes(b"hi") + b"--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>"
        b"\r\n--b--\r\n",
        b'multipart/alternative; boundary="b"',
    )
    assert assert_glance_agrees(alternative)


# -- the header block's span, handed to the split ------------------------------------------

_LINE_ENDS = [b"\n", b"\r\n"]
_SPAN_LINES = [
    b"Received: from a.example by mx.example; Tue, 1 Jun 2021 10:00:00 +0000",
    b"Subject: caf\xc3\xa9",
    b"Subject: caf\xe9",
    b"X-Empty:",
    b"X-Blank:   ",
    b"X-Tab:\tvalue\t",
    b"\tcontinued",
    b" ",
    b"X-Odd: a\x0bb\x0c",
    b"X-Nbsp: a\xc2\xa0",
]
_FROM_LINES = [b"", b"From a@a.example Tue Jun  1 10:00:00 2021", b"From \xe9 Tue Jun  1 2021"]
_SEPARATORS = [b"\n", b"\r\n", b"\r", b"\r\r", b"\n\r"]


@st.composite
def span_messages(draw: st.DrawFn) -> bytes:
    """Messages whose header blocks end their lines and the block in every way the glance
    reads as plain, with bytes that are not UTF-8 in the block or in a From_ line."""
    lines = [b"From: a@a.example", *draw(st.lists(st.sampled_from(_SPAN_LINES), max_size=6))]
    raw = b"".join(line + draw(st.sampled_from(_LINE_ENDS)) for line in lines)
    from_line = draw(st.sampled_from(_FROM_LINES))
    if from_line:
        raw = from_line + draw(st.sampled_from(_LINE_ENDS)) + raw
    return raw + draw(st.sampled_from(_SEPARATORS)) + b"hello\r\nX-Late: y\r\n\r\nbody"


@settings(max_examples=800, deadline=None)
@given(span_messages())
def test_the_span_splits_as_the_message(raw: bytes) -> None:
    assert_glance_agrees(raw)


def test_spans_are_handed_on_and_kept_back() -> None:
    """The property above is not vacuous: spans are handed on, and kept back where the split
    would end the block elsewhere or decode it otherwise."""
    plain = b"From: a\r\nSubject: b\r\n\r\nbody"
    assert glance(plain, 20) == (True, (0, plain.index(b"\r\n\r\n")))
    from_line = b"From a Tue Jun  1 2021\n" + plain.replace(b"\r\n", b"\n")
    assert glance(from_line, 20) == (True, (from_line.index(b"From:"), from_line.index(b"\n\n")))
    for kept_back in (
        plain.replace(b"\r\n\r\n", b"\r\n\n"),  # the split ends it one byte further
        plain.replace(b"\r\n\r\n", b"\r\n\rX: y\r\n\r\n"),  # the split reads on
        b"From \xe9 Tue Jun  1 2021\n" + plain,  # Latin-1 for the split
    ):
        assert glance(kept_back, 20)[1] is None, kept_back
        assert_glance_agrees(kept_back)
    assert glance(b"From a\rb Tue Jun  1 2021\n" + plain, 20) == (False, None)


# -- the walk's header reading: plain blocks without the feed parser -----------------------


def _message_state(msg: Message) -> dict[str, object]:
    """All a ``Message`` holds; defects by type and arguments (they compare by identity)."""
    state = dict(vars(msg))
    state["defects"] = [(type(d), d.args) for d in msg.defects]
    return state


def assert_headers_read_alike(data: bytes) -> bool:
    """``parse_headers`` builds the Message the standard library's parser builds; True where
    it read the block without it."""
    with patch.object(mime, "parse_headers_compat32", wraps=parse_headers_compat32) as slow:
        read = parse_headers(data)
    assert _message_state(read) == _message_state(parse_headers_compat32(data)), data[:300]
    return not slow.called


@pytest.mark.corpus
def test_the_walks_header_reading_equals_compat32_on_the_corpus(corpus: Path) -> None:
    """Every header block the walk reads, walking every corpus message."""
    blocks = []

    def recording(data: bytes) -> Message:
        blocks.append(data)
        return parse_headers_compat32(data)

    with (
        patch.object(mime, "parse_headers", recording),
        patch.object(fields, "parse_headers", recording),
    ):
        for path in corpus_paths(corpus):
            Unwrapper(20).run(path.read_bytes())
    plain = sum(map(assert_headers_read_alike, blocks))
    print(f"\nthe walk reads {len(blocks)} header blocks, {plain} of them plain")
    assert plain > len(blocks) / 2


_BLOCK_LINES = [
    b"Received: from a by b; Tue, 1 Jun 2021 10:00:00 +0000",
    b"Subject:",
    b"Subject:   ",
    b"Subject: \tcaf\xc3\xa9 ",
    b"X-Odd: a\x0bb\x0c\x1cc\x85",
    b"X-Colons: a: b: c",
    b"\tcontinued",
    b" ",
    b"",
    b":no name",
    b"Name : value",
    b"From a Tue Jun  1 2021",
    b"X-\xe9: y",
    b"garbage",
    b"X-Cr: a\rb",
]


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_BLOCK_LINES), st.sampled_from([b"\n", b"\r\n", b"\r"]))
    ).map(lambda lines: b"".join(line + end for line, end in lines)),
    st.sampled_from(
        [b"", b"\n", b"\r\n", b"\n\n", b"x", b"\r", b"\r\nX: y\rz\n\n", b"\n\xe9\r\n", b"\r\r\n"]
    ),
)
def test_the_walks_header_reading_equals_compat32_on_generated_blocks(
    block: bytes, tail: bytes
) -> None:
    assert_headers_read_alike(block + tail)


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.sampled_from([b"a", b"X: y", b" ", b"\r", b"\n", b"\r\n", b"\n\r"])).map(b"".join),
    st.integers(0, 4),
    st.integers(0, 4),
)
def test_header_block_end_equals_the_line_reading(buf: bytes, start: int, cut: int) -> None:
    end = max(start, len(buf) - cut)
    assert header_block_end(buf, start, end) == header_block_end_by_lines(buf, start, end)


@pytest.mark.corpus
def test_header_block_end_equals_the_line_reading_on_the_corpus(corpus: Path) -> None:
    """Every corpus message's top block and parts (``_heads``), and each body as a block."""
    for path in corpus_paths(corpus):
        raw = path.read_bytes()
        for buf, start, end in _heads(raw):
            for at in (start, header_block_end(buf, start, end)[1]):
                assert header_block_end(buf, at, end) == header_block_end_by_lines(buf, at, end)


def test_plain_blocks_are_read_without_the_feed_parser() -> None:
    """The property above is not vacuous: these take the plain reading."""
    for data in (
        b"From: a\r\nSubject:  caf\xc3\xa9 \r\n\tfolded\r\n",
        b"From: a\nSubject:\n folded\n\n",
        b"X: a: b\r\n\r\n",
        b"From: a\nSubject: b\n\n\n",  # intake.fields reads delivery-status blocks so
        b"From: a\n\nbody\r\nX: \xe9\r",
        b"From a b\nX: y\n",  # an mbox From_ line, kept apart
        b"From a b\r\n\r\n",
    ):
        assert assert_headers_read_alike(data)
    for data in (b"From: a", b"From: a\rb\n", b"From: a\n\rb", b"From a\rb\nX: y\n"):
        assert not assert_headers_read_alike(data)


# -- the pieces, proved equal to what the walk uses ----------------------------------------


def _heads(raw: bytes) -> list[tuple[bytes, int, int]]:
    """The top header block and each part's, as (buffer, start, end) spans."""
    top = entity_from_bytes(raw)
    spans = [(raw, 0, len(raw))]
    stack = [top]
    while stack and len(spans) < 50:
        ent = stack.pop()
        if ent.content_type.startswith("multipart/"):
            split = split_multipart(ent, 50)
            for start, end in split.parts:
                spans.append((raw, start, end))
                stack.append(parse_entity(raw, start, end, "1"))
    return spans


# The plain block as one match, line by line: what _block_end finds by searching line ends.
_ONE_MATCH = re.compile(rb"(?:[!-9;-~]+:[^\n]*(?:\n(?:[ \t]|[!-9;-~]+:)[^\n]*)*)?")


def assert_block_end_as_one_match(buf: bytes, start: int, cap: int) -> None:
    match = _ONE_MATCH.match(buf, start, cap)
    assert _block_end(buf, start, cap) == (match.end() if match else start), buf[start:cap]


@pytest.mark.corpus
def test_block_end_equals_the_one_match_on_the_corpus(corpus: Path) -> None:
    for path in corpus_paths(corpus):
        raw = path.read_bytes()
        for buf, start, end in _heads(raw):
            for cap in (end, start + 40, start + 700):
                assert_block_end_as_one_match(buf, start, min(cap, end))


_BLOCK_PIECES = [
    b"A:",
    b"x-y: v",
    b" ",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"b",
    b":",
    b"\xe9",
    b"From ",
]


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.sampled_from(_BLOCK_PIECES), max_size=16).map(b"".join),
    st.integers(0, 3),
    st.integers(0, 70),
)
def test_block_end_equals_the_one_match(buf: bytes, start: int, cap: int) -> None:
    assert_block_end_as_one_match(buf, min(start, len(buf)), min(cap, len(buf)))


def assert_subject_read_alike(value: bytes) -> bool:
    """``_forward_subject`` of a block with the Subject ``value``, as the walk decides it."""
    head = b"From: a\r\nSubject: " + value + b"\r\nTo: b"
    expected = is_forward_subject(mime.text(value.decode("ascii", "surrogateescape")))
    assert _forward_subject(head, head.lower()) == expected, value
    return expected


_SUBJECT_ENDS = [
    b"",
    b":",
    b" :",
    b"d:",
    b"c:",
    b"orst:",
    b"f:",
    b"[2]:",
    b"v\xc3\xa1bb\xc3\xadt\xc3\xa1s:",
]


def test_forward_subject_starts_with_every_two_letters() -> None:
    """The early answer on a subject's first two bytes (``_FORWARD_STARTS``), exhaustively."""
    letters = bytes(range(0x21, 0x7F))
    forwards = sum(
        assert_subject_read_alike(bytes([a, b]) + end)
        for a in letters
        for b in b" \t:[" + letters
        for end in _SUBJECT_ENDS
    )
    assert forwards > 50


_SUBJECT_PIECES = [
    *(b"fwd", b"FW", b"Fs", b"tr", b"TO", b"wG", b"rv", b"RIF", b"vs", b"vb", b"VL", b"Enc"),
    *(b"doorst", b"pd", b"i", b"I", b"Re", b"re", b"x", b":", b" ", b"\t", b"[1]", b"[list]"),
    *(b"t\xc3\xa9", b"=?utf-8?q?fwd=3A?=", b"\xff"),
]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_SUBJECT_PIECES), max_size=6).map(b"".join))
def test_forward_subject_equals_the_walks_reading(value: bytes) -> None:
    assert_subject_read_alike(value)


def assert_plain_reading(buf: bytes, start: int, end: int) -> None:
    found = _plain_head(buf, start, end, start + MAX_HEADER_BYTES - 8)
    if found is None:
        return
    head_end, body_start, separated = header_block_end(buf, start, end)
    assert separated
    assert body_start == found[1]
    assert buf[start:head_end].rstrip(b"\r\n") == buf[start : found[0]]
    view = _plain_view(buf[start : found[0]], buf[start : found[0]].lower())
    if view is None:
        return
    ent = parse_entity(buf, start, end, "1")
    ctype, boundary, charset, cte, maybe_message = view
    assert ctype == ent.content_type
    assert cte == ent.transfer_encoding
    if ctype.startswith("multipart/"):
        assert boundary == ent.boundary
    else:
        assert charset == ent.param("charset")
    assert maybe_message or not _is_message_file(ent)


@pytest.mark.corpus
def test_header_reading_equals_compat32_on_the_corpus(corpus: Path) -> None:
    for path in corpus_paths(corpus):
        raw = path.read_bytes()
        for buf, start, end in _heads(raw):
            assert_plain_reading(buf, start, end)


_PARAM_VALUES = [b"b1", b'"b 1"', b'"a;b"', b'"a\\"b"', b"<b>", b"", b"=?x?=", b'""', b"x*y"]
_PARAM_NAMES = [
    b"boundary",
    b"BOUNDARY",
    b"charset",
    b"Charset",
    b"name",
    b"filename",
    b"boundary*",
]


@st.composite
def content_fields(draw: st.DrawFn) -> bytes:
    ctype = draw(
        st.sampled_from([b"multipart/mixed", b"text/plain", b"TEXT/html", b"text", b"a/b/c"])
    )
    params = b""
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(_PARAM_NAMES))
        value = draw(st.sampled_from(_PARAM_VALUES))
        space = draw(st.sampled_from([b"", b" ", b"\r\n\t"]))
        params += b";" + space + name + (b"=" + value if draw(st.booleans()) else b"")
    fields = [b"Content-Type: " + ctype + params]
    if draw(st.booleans()):
        fields.append(b"Content-Transfer-Encoding: " + draw(st.sampled_from(_ENCODINGS)))
    if draw(st.booleans()):
        fields.append(b"Content-Disposition: " + draw(st.sampled_from(_DISPOSITIONS)))
    if draw(st.booleans()):
        fields.insert(0, b"content-type: text/plain")
    return b"\r\n".join(fields) + b"\r\n\r\nbody"


@settings(max_examples=500, deadline=None)
@given(content_fields())
def test_header_reading_equals_compat32_on_generated_fields(raw: bytes) -> None:
    assert_plain_reading(raw, 0, len(raw))


@settings(max_examples=500, deadline=None)
@given(
    st.binary(max_size=60)
    | st.lists(st.sampled_from([b"QUJD", b"=", b"\r\n", b"A", b" ", b"\xff"])).map(b"".join)
)
def test_decode_base64_equals_mail_parser(data: bytes) -> None:
    try:
        expected: bytes | None = bytes(decode_base64_payload(data.decode("latin-1")))
    except Exception:
        expected = None
    try:
        got: bytes | None = decode_base64(data)
    except Exception:
        got = None
    assert got == expected


@pytest.mark.parametrize("name", sorted(_ASCII_CODECS))
def test_trusted_codecs_keep_ascii_words_as_they_are(name: str) -> None:
    """In each codec the glance trusts, ASCII decodes to itself and nothing else decodes to
    ASCII, so an ASCII word in the decoded text stands as the same bytes in the part."""
    codec = codecs.lookup(name)
    for byte in range(0x80):
        assert bytes([byte]).decode(name) == chr(byte)
    for lead in range(0x80, 0x100):
        alone = bytes([lead]).decode(name, "replace")
        assert not any(c.isascii() for c in alone)
        if name in _SINGLE_BYTE_CODECS:
            assert len(alone) == 1  # a character a byte: 20,000 characters, 20,000 bytes
            continue
        for trail in range(0x100):
            text = bytes([lead, trail]).decode(name, "replace")
            ascii_part = "".join(c for c in text if c.isascii())
            assert ascii_part in ("", chr(trail)), (codec.name, lead, trail, text)


def test_forward_words_find_every_forward_marker() -> None:
    """The walk case-folds decoded text (``str.lower``); in the trusted codecs only ASCII
    bytes decode to ASCII, and of the other characters only two fold to an ASCII letter:
    the Kelvin sign to "k", dotted capital I to "i" and a combining dot. No marker holds a
    "k" or ends in "i", so a marker in the folded text is its ASCII start in the bytes."""
    folding = {
        c
        for c in range(0x80, 0x110000)
        if any(ch.isascii() and ch.isalpha() for ch in chr(c).lower())
    }
    assert folding == {0x130, 0x212A}
    for marker in FORWARD_MARKERS:
        assert "k" not in marker
        assert not marker.endswith("i")
        assert any(kept in marker for kept in _FORWARD_WORDS.values())
    for word, marker in _FORWARD_WORDS.items():
        assert marker.startswith(word.decode("ascii"))
        assert (len(word) == len(marker)) == marker.isascii()


# -- looks_like_mbox: one pass for both separators ----------------------------------------


def looks_like_mbox_reference(data: bytes) -> bool:
    """The two-pass version it replaced."""
    if not data.startswith(b"From "):
        return False
    first_end = data.find(b"\n")
    if first_end < 0 or not is_from_line(data[:first_end]):
        return False
    for sep in (b"\n\nFrom ", b"\r\n\r\nFrom "):
        pos = data.find(sep)
        while pos >= 0:
            start = pos + len(sep) - 5
            end = data.find(b"\n", start)
            if is_from_line(data[start : end if end >= 0 else len(data)]):
                return True
            pos = data.find(sep, pos + 1)
    return False


_MBOX_PIECES = [b"From a@b Mon 1", b"\n", b"\r\n", b"\r", b"From x 2", b"From ", b"x", b"\n\n"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_MBOX_PIECES), max_size=10).map(b"".join))
def test_looks_like_mbox_equals_the_two_pass_version(data: bytes) -> None:
    assert looks_like_mbox(data) == looks_like_mbox_reference(data)


@pytest.mark.corpus
def test_looks_like_mbox_on_the_corpus(corpus: Path) -> None:
    kinds: Counter[bool] = Counter()
    for path in corpus_paths(corpus):
        raw = path.read_bytes()
        kinds[looks_like_mbox(raw)] += 1
        assert looks_like_mbox(raw) == looks_like_mbox_reference(raw), path
    assert kinds[False]
