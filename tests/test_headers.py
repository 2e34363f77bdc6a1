"""The header block: where it ends, and how it splits into fields."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headertrace.intake import open_complaint
from headertrace.parse.headers import (
    MAX_FIELDS,
    MAX_HEADER_BLOCK,
    HeaderBlock,
    _clean_fields,
    header_end,
    header_text,
    read_header_lines,
    split_header_block,
    unfold,
)

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


# The split's fast path (one regular expression) against the line-by-line reading, the
# reference: same fields and defects on every corpus and fixture header block and on
# generated hostile ones.

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _blocks(data: bytes) -> Iterator[bytes]:
    """A message and each message reported inside it: the raws that get split."""
    yield data
    for reported in open_complaint(data).reported:
        yield reported.raw


def _split_alike(data: bytes) -> bool:
    """Whether the fast path took ``data``; fails when the split differs from the reference."""
    block = split_header_block(data)
    text, defects = header_text(data)
    reference = read_header_lines(text, defects)
    assert (block.fields, block.defects) == (reference.fields, reference.defects), data[:400]
    assert header_end(data) == _earliest_separator(data)
    return _clean_fields(text) is not None


def _earliest_separator(data: bytes) -> int:
    found = [at for at in (data.find(sep) for sep in SEPARATORS) if at >= 0]
    return min(found, default=len(data))


def test_fixture_header_blocks_split_alike() -> None:
    paths = [p for p in sorted(FIXTURES.rglob("*")) if p.suffix in (".eml", ".txt", ".mbox")]
    taken = [_split_alike(raw) for path in paths for raw in _blocks(path.read_bytes())]
    assert len(paths) > 60
    assert sum(taken) > 0.9 * len(taken)


@pytest.mark.corpus
def test_corpus_header_blocks_split_alike(corpus: Path) -> None:
    taken = total = 0
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for raw in _blocks(path.read_bytes()):
            total += 1
            taken += _split_alike(raw)
    print(f"\n{taken} of {total} corpus header blocks split by the fast path")
    assert taken > 0.99 * total


_WHITESPACE_ENDS = ["", " ", "\t", "\xa0", "\u2028", "\x1c", "\x85", "\u3000", "\x0b", "\x0c"]
_VALUES = st.builds(
    lambda start, middle, end: start + middle + end,
    st.sampled_from(_WHITESPACE_ENDS),
    st.text(st.sampled_from([*"ab :;()<>=?\t", "é", "€", "\xa0"]), max_size=10),
    st.sampled_from(_WHITESPACE_ENDS),
)
_GOOD_NAMES = st.sampled_from(["Received", "received", "X-A", "Subject", "FROM", "To", "a!~", "9"])
_FIELDS = st.builds(
    lambda name, gap, value: f"{name}{gap}:{value}",
    _GOOD_NAMES,
    st.sampled_from(["", " ", "\t", " \t "]),
    _VALUES,
)
_FOLDS = st.builds(
    lambda blank, value: blank + value, st.sampled_from([" ", "\t", "  \t"]), _VALUES
)
_ODD_LINES = st.one_of(
    st.builds(
        lambda name, value: f"{name}:{value}",
        st.sampled_from(["Ä-Name", "A B", "A\tB", "", "é", "x\x7f", "From bob"]),
        _VALUES,
    ),
    st.sampled_from(["", " ", "\t", "\xa0", "\x0b", " \u3000", "not a field", ":x", "junk é"]),
    st.just("From bob@example.org Mon Oct  2 12:00:00 2023"),
    st.just(">From bob@example.org Mon Oct  2 12:00:00 2023"),
)
_BREAKS = st.sampled_from(["\n", "\r\n", "\r"])


def _joined(lines: list[tuple[str, str]]) -> str:
    return "".join(line + brk for line, brk in lines)


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.tuples(st.one_of(_FIELDS, _FOLDS, _ODD_LINES), _BREAKS), max_size=12),
    st.sampled_from([b"", b"\n\nbody: x", b"\r\n\r\nbody", b"\xff"]),
)
def test_hostile_header_blocks_split_alike(lines: list[tuple[str, str]], tail: bytes) -> None:
    _split_alike(_joined(lines).encode() + tail)


@settings(max_examples=500, deadline=None)
@given(
    st.tuples(_FIELDS, _BREAKS),
    st.lists(st.tuples(st.one_of(_FIELDS, _FOLDS), _BREAKS), max_size=12),
)
def test_clean_header_blocks_take_the_fast_path(
    first: tuple[str, str], lines: list[tuple[str, str]]
) -> None:
    # Fields and folds only, values ending in any whitespace: nothing to report.
    assert _split_alike(_joined([first, *lines]).encode())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["Received", "RECEIVED", "To", "x", "É"]), st.text()), max_size=8
    ),
    st.lists(st.sampled_from(["received", "Received", "to", "TO", "x", "é", "none"]), max_size=4),
)
def test_lookups_by_name_ignore_case_and_keep_order(
    fields: list[tuple[str, str]], names: list[str]
) -> None:
    block = HeaderBlock(list(fields))
    for name in names:
        values = [v for n, v in fields if n.lower() == name.lower()]
        assert block.get_all(name) == values
        assert block.get(name) == (values[0] if values else None)
    assert block.get_each(names) == [block.get(name) for name in names]


def test_lookups_see_fields_added_later() -> None:
    block = split_header_block(b"A: 1\na: 2\n\n")
    assert block.get_all("A") == ["1", "2"]
    block.fields.append(("A", "3"))
    assert block.get_all("a") == ["1", "2", "3"]
    assert block.get("B") is None


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from([*"ab \t\n\r", "\xa0", "\u2028"]), max_size=20))
def test_unfold_equals_the_line_by_line_join(value: str) -> None:
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    joined = " ".join(line.strip(" \t") for line in lines if line.strip(" \t"))
    assert unfold(value) == (joined if len(lines) > 1 else value)  # one line: as written


def test_caps_split_alike() -> None:
    fields = b"".join(b"X-%d: v\n" % n for n in range(MAX_FIELDS))
    assert _split_alike(fields + b"\n")  # at the cap: still nothing to report
    assert not _split_alike(fields + b"Y: w\n\n")  # one more: the reference names the cap
    assert split_header_block(fields + b"Y: w\n\n").defects == ["header-count-cap"]
    big = b"A: " + b"x" * MAX_HEADER_BLOCK + b"\n\nbody"
    assert _split_alike(big)
    assert split_header_block(big).defects == ["header-block-cap"]
