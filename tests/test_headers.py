"""The header block: where it ends, and how it splits into fields."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headertrace.parse.headers import header_end, split_header_block, unfold

SEPARATORS = (b"\n\n", b"\r\n\r\n", b"\n\r\n", b"\r\r")


@pytest.mark.parametrize(
    ("data", "end"),
    [
        (b"A: b\n\nbody", 4),
        (b"A: b\r\n\r\nbody", 4),
        (b"A: b\r\n\r\n\nbody", 4),  # CRLF blank line followed by a bare LF
        (b"A: b\n\r\n\r\nbody", 4),  # LF line end, then a CRLF blank line
        (b"A: b\r\rbody", 4),  # old Mac line ends
        (b"A: b\r\n \r\r\n\r\n", 7),  # a CR pair inside a mixed run
        (b"A: b\r\nC: d", 10),  # no blank line: all of it is header
        (b"", 0),
    ],
)
def test_header_end_is_the_first_blank_line(data: bytes, end: int) -> None:
    assert header_end(data) == end


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([b"a", b":", b" ", b"\t", b"\n", b"\r", b"\r\n"]), max_size=40))
def test_header_end_matches_the_earliest_separator(pieces: list[bytes]) -> None:
    data = b"".join(pieces)
    found = [at for at in (data.find(sep) for sep in SEPARATORS) if at >= 0]
    assert header_end(data) == min(found, default=len(data))


def test_fields_folding_and_stray_lines() -> None:
    block = split_header_block(
        b"From line\nReceived: from a\n\tby b; Mon, 2 Oct 2023\nSubject : hi\n"
        b"not a field\nX-Empty:\n  folded\n\nbody: no"
    )
    assert block.fields == [
        ("Received", "from a\n\tby b; Mon, 2 Oct 2023"),
        ("Subject", "hi\nnot a field"),
        ("X-Empty", "\n  folded"),
    ]
    assert block.defects == ["malformed-header-line"]


def test_mbox_separator_line_is_not_a_field() -> None:
    block = split_header_block(b"From bob@example.org Mon Oct  2 12:00:00 2023\nA: b\n\n")
    assert block.fields == [("A", "b")]
    assert block.defects == []


@pytest.mark.parametrize(
    ("value", "unfolded"),
    [
        ("from a\n\tby b", "from a by b"),
        ("from a \r\n  by b", "from a by b"),
        ("(Client CN x\n (verified\n\tOK))", "(Client CN x (verified OK))"),
        ('for <"two  spaces"@example.org>', 'for <"two  spaces"@example.org>'),  # not a fold
        ("a\n\n\tb\n", "a b"),
        ("one line", "one line"),
    ],
)
def test_unfold_joins_lines_and_keeps_other_blanks(value: str, unfolded: str) -> None:
    assert unfold(value) == unfolded
