"""The walk's shortcuts (``Unwrapper``, ``intake.mime``, ``intake.pasted``) equal what they
stand for: the parameters of a plain Content-Type or Content-Disposition read by an expression
and compat32's ``get_param``/``get_filename``; ``text`` of ASCII without an encoded word and
mail-parser's decoding; the pasted-header search with and without its "received" gate. On
every header block the walk reads in the corpus, and on generated values.
"""

from __future__ import annotations

import csv
import re
from email.message import Message
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mailparser.utils import decode_header_part

from headertrace.intake import fields, mime, pasted
from headertrace.intake.mime import (
    get_filename,
    get_param,
    get_param_compat32,
    parse_headers,
    text,
)
from headertrace.intake.pasted import find_pasted_blocks
from headertrace.intake.unwrap import Unwrapper

NAMES = ("charset", "boundary", "report-type", "name", "filename", "format", "text/plain")
FIELDS = ("content-type", "content-disposition")


def _outcome(call: object, *args: object) -> object:
    try:
        return call(*args)  # type: ignore[operator]
    except Exception as exc:  # the walk catches what compat32 raises; so must the shortcut
        return type(exc)


def assert_params_read_alike(msg: Message) -> bool:
    """Every parameter the walk asks for, and the file name, as compat32 reads them; True
    where a value was read by the expression."""
    plain = False
    for field in FIELDS:
        value = msg.get(field)
        if isinstance(value, str) and value.isascii() and mime._PLAIN_PARAMS.fullmatch(value):
            plain = True
        for name in NAMES:
            fast = _outcome(get_param, msg, name, field)
            assert fast == _outcome(get_param_compat32, msg, name, field), (field, name, value)
    assert _outcome(get_filename, msg) == _outcome(msg.get_filename), msg.items()
    return plain


def _corpus_paths(corpus: Path) -> list[Path]:
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as handle:
        return [corpus / row["path"] for row in csv.DictReader(handle, delimiter="\t")]


@pytest.mark.corpus
def test_parameters_equal_compat32_on_every_block_the_walk_reads(corpus: Path) -> None:
    """Every header block the walk reads, walking every corpus message, and every value in
    them through ``text``."""
    blocks: list[Message] = []

    def recording(data: bytes) -> Message:
        msg = parse_headers(data)
        blocks.append(msg)
        return msg

    with (
        patch.object(mime, "parse_headers", recording),
        patch.object(fields, "parse_headers", recording),
    ):
        for path in _corpus_paths(corpus):
            Unwrapper(20).run(path.read_bytes())
    plain = sum(map(assert_params_read_alike, blocks))
    for msg in blocks:
        for _, value in msg.raw_items():
            assert text(value) == _text_reference(value), value
    print(f"\n{len(blocks)} header blocks, {plain} with a plain parameter field")
    assert plain > len(blocks) / 2


_PARAM_PIECES = [
    "",
    " ",
    "\r\n\t",
    ";",
    "; ",
    "charset=utf-8",
    'charset="UTF-8"',
    "CHARSET = us-ascii",
    "charset",
    "charset*=utf-8''%41",
    "name*0=a.e",
    "name*1=ml",
    'name="x.eml"',
    "name=x.msg",
    'name="<a.eml>"',
    "name=<a.eml>",
    'filename="a; b.eml"',
    'filename="a\\"b"',
    'filename=" spaced.eml "',
    "filename==?utf-8?q?x=2Eeml?=",
    "boundary=--=_a:b/c?d",
    'boundary=""',
    'boundary="a"b',
    "report-type=feedback-report",
    "text/plain",
    "multipart/mixed",
    "attachment",
    "inline",
    "charset=caf\xe9",
    "x=\x0b",
    '"',
    "=",
    "a=b=c",
]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_PARAM_PIECES), max_size=10).map("".join))
def test_parameters_equal_compat32_on_generated_values(value: str) -> None:
    for field in FIELDS:
        msg = Message()
        msg[field] = value
        assert_params_read_alike(msg)


def test_plain_parameters_are_read_by_the_expression() -> None:
    """The property above is not vacuous: these take the expression."""
    for value in (
        'text/plain; charset="utf-8"',
        'multipart/report; report-type=delivery-status;\r\n\tboundary="a/b"',
        "text/html ;" + " ;" * 1000,
        "attachment; filename=spam.eml",
    ):
        msg = Message()
        msg["Content-Type"] = value
        msg["Content-Disposition"] = value
        with patch.object(mime, "get_param_compat32") as slow:
            get_param(msg, "charset")
            get_filename(msg)
        assert not slow.called, value
        assert assert_params_read_alike(msg)


def _text_reference(value: object) -> str:
    return "" if value is None else _slow_text(str(value))


def _slow_text(raw: str) -> str:
    """``mime.text`` as it was, without its shortcut for ASCII."""
    if mime._SURROGATES.search(raw):
        octets = raw.encode("utf-8", "surrogateescape")
        try:
            raw = octets.decode("utf-8")
        except UnicodeDecodeError:
            raw = octets.decode("latin-1")
    try:
        decoded = str(decode_header_part(raw))
    except Exception:
        decoded = raw
    return " ".join(mime._SURROGATES.sub("\ufffd", decoded).split())


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", " ", "\t", "\r\n ", "=?", "?=", "=?utf-8?q?x?=", "\x0b", "\x1c", "é"])
    ).map("".join)
    | st.text(st.characters(max_codepoint=127))
)
def test_text_equals_mail_parser_decoding(value: str) -> None:
    assert text(value) == _slow_text(value)


_LINE_PIECES = ["Received", "RECEIVED", "ReCeIvEd", "Rec", "eived", ": from a by b", ":", " ",
                "> ", "\n", "\r\n", "\t", "x" * 61, "X-Y: z", "<br>", "\u212a"]  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=30).map("".join))
def test_pasted_search_equals_it_without_the_gate(body: str) -> None:
    gate = pasted._RECEIVED
    with patch.object(pasted, "_RECEIVED", re.compile("")):
        ungated = find_pasted_blocks(body)
    assert pasted._RECEIVED is gate
    assert find_pasted_blocks(body) == ungated
