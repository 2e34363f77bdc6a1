"""The message's identifying headers: one lookup of the six names against one get per name,
RFC 2047 encoded words decoded by ``email.header``, and never an exception from them."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headertrace import trace
from headertrace.intake import open_complaint
from headertrace.models import MessageInfo
from headertrace.parse.headers import HeaderBlock, decode_words, one_line, split_header_block
from headertrace.tracing import message_info

DECODED = ("Subject", "From", "To", "Date")


def _reference_info(block: HeaderBlock) -> MessageInfo:
    """message_info as it was: one get per name, email.header for every encoded word."""

    def decoded(value: str | None) -> str | None:
        return None if value is None else decode_words(value)

    def stripped(value: str | None) -> str | None:
        if value is None:
            return None
        v = one_line(value)
        return v[1:-1] if v.startswith("<") and v.endswith(">") else v

    return MessageInfo(
        message_id=stripped(block.get("Message-ID")),
        subject=decoded(block.get("Subject")),
        from_=decoded(block.get("From")),
        to=decoded(block.get("To")),
        date=decoded(block.get("Date")),
        return_path=stripped(block.get("Return-Path")),
    )


@pytest.mark.corpus
def test_corpus_message_info_equals_the_email_header_reading(corpus: Path) -> None:
    encoded = 0
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for reported in open_complaint(path.read_bytes()).reported:
            block = split_header_block(reported.raw)
            assert message_info(block) == _reference_info(block), path
            for name in DECODED:
                value = block.get(name)
                if value is not None and "=?" in value:
                    encoded += 1
    assert encoded > 100


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ("=?utf-8?q?caf=C3=A9?= au lait", "café au lait"),
        ("Re: =?UTF-8?B?w6k=?=", "Re: é"),
        ("=?utf-8?b?w6k?=  =?utf-8?b?w6k=?=", "éé"),  # blanks between encoded words go
        ('"=?utf-8?q?J=C3=B6rg?=" <j@example.org>', '" Jörg " <j@example.org>'),
        ("a =?iso-8859-1?q?=E9t=E9?=(x)", "a été(x)"),
        ("=?utf-8?q?=C3?= =?utf-8?q?=A9?=", "é"),  # one character over two words
        ("=?windows-1252?q?=80?=\n\t=?koi8-r?b?wQ==?=", "€а"),  # no space between charsets
        ("x =?utf-8?q?a?= \u20ac", "x a \\u20ac"),  # email.header's raw-unicode-escape
        ("=?utf-8?q?a=3D=3d_b=?= =?utf-8?q?=3==41?=", "a== b==3=A"),  # = not before hex digits
    ],
)
def test_encoded_words(value: str, decoded: str) -> None:
    assert decode_words(value) == decoded


@pytest.mark.parametrize(
    "value",
    [
        "=?utf-8?b?A?=",  # base64 that cannot decode: HeaderParseError in email.header
        "=?é?q?a?=",  # a charset name that is not ASCII: CharsetError
        "=?utf-8?q?=FF?=",  # not UTF-8
        "=?bogus?q?a?=",
        "x =?utf-8?q?a?= é",  # plain text that is not ASCII next to an encoded word
    ],
)
def test_encoded_words_that_do_not_decode_stay_as_written(value: str) -> None:
    assert decode_words(value) == one_line(value)


def test_trace_keeps_an_undecodable_subject_as_written() -> None:
    for subject in ("=?utf-8?b?A?=", "=?é?q?a?="):
        raw = f"Subject: {subject}\nReceived: from a by b; Mon, 2 Oct 2023 10:00:00 +0000\n\nx"
        assert trace(raw.encode()).message.subject == subject


_CHARSETS = st.sampled_from(
    ["utf-8", "iso-8859-1", "windows-1252", "koi8-r", "UTF-8", "Windows-1252", "us-ascii",
     "latin-1", "utf8", "gb2312", "iso-2022-jp", "bogus", "", "utf-8*en", "é"]
)  # fmt: skip


@st.composite
def _encoded_words(draw: st.DrawFn) -> str:
    charset = draw(_CHARSETS)
    data = draw(st.binary(max_size=9) | st.text(max_size=4).map(str.encode))
    if draw(st.booleans()):
        text = base64.b64encode(data).decode()
        text = text[: draw(st.integers(0, len(text)))]  # padding or more cut off
        return f"=?{charset}?{draw(st.sampled_from('bB'))}?{text}?="
    text = "".join(
        draw(st.sampled_from([chr(b), f"={b:02X}", f"={b:02x}", "_", "=", "==", "=G", "é"]))
        if 33 <= b < 127 and chr(b) not in "?=_"
        else f"={b:02X}"
        for b in data
    )
    return f"=?{charset}?{draw(st.sampled_from('qQ'))}?{text}?="


_PIECES = st.one_of(
    _encoded_words(),
    st.text(st.sampled_from([*'ab <>@"()\\=?_', "é", "€"]), max_size=6),
    st.sampled_from([" ", "  ", "\n ", "\n\t", "\t", "\xa0", "\r", "\x0b", "\u2028", ""]),
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=8))
def test_generated_encoded_words_never_raise(pieces: list[str]) -> None:
    value = "".join(pieces)
    decoded = decode_words(value)
    assert decoded == one_line(decoded)  # one line, whatever the words held
