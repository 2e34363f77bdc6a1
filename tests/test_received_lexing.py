"""The general reader's lexing up to the last ``;`` (``received._split_at_last_semicolon``,
``Lexer.tokens_before``) against lexing the whole header and cutting the date off it
(``Lexer.tokens`` and ``received._split_date``): the same tokens before the date, the same
date, the same tokens after it wherever something there is read, the same defects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headertrace.parse.headers import split_header_block, unfold
from headertrace.parse.lexer import MAX_TOKENS, Kind, Lexer, Token
from headertrace.parse.received import (
    _KEYWORD_SPELLINGS,
    _READ_AFTER_DATE,
    KEYWORDS,
    _split_at_last_semicolon,
    _split_date,
)

GOLDEN = Path(__file__).parent / "fixtures" / "received" / "golden.jsonl"


def _check(text: str) -> bool:
    """Whether the short way took ``text``; asserts it read it as the whole lexing does."""
    split = _split_at_last_semicolon(Lexer(text))
    if split is None:
        return False
    lexer = Lexer(text)
    tokens, date_text, trailer = _split_date(text, lexer.tokens())
    assert date_text is not None
    assert (split[0], split[1]) == (tokens, date_text)
    assert split[3] == lexer.defects
    if split[2] or _READ_AFTER_DATE.search(date_text):
        assert split[2] == trailer
    else:
        # Left unread: words and commas only, which nothing after the split reads.
        assert all(t.kind in (Kind.WORD, Kind.COMMA) for t in trailer)
    return True


def _golden() -> list[str]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return [unfold(json.loads(line)["header"]) for line in lines if line]


def test_golden_headers_split_alike() -> None:
    taken = sum(_check(text) for text in _golden())
    assert taken > 0


@pytest.mark.parametrize(
    "text",
    [
        'from a "x\\"; Mon, 1 Jan 2024 10:00:00 +0000',  # last quote escaped: no end
        "from a (b [192.0.2.7; by c; Mon, 1 Jan 2024 10:00:00 +0000",
        "from a <b; by c; Mon, 1 Jan 2024",
        "from a (b (c (d))) by e; Mon, 1 Jan 2024",  # deeper than _TOKEN reads
        "from a (b; c) by d; Mon, 1 Jan 2024 (PDT)",
        "from a by b; Mon, 1 Jan 2024 (x; y)",
        "from a by b; Mon, 1 Jan 2024 [x",
        "from a by b;Thu, 10 Nov 2005 08:24:21 -0600 id 000000DB.43735815",
        "from a by b; (c",
        "from a by b;",
        "from a by b " + "x " * MAX_TOKENS + "; Mon, 1 Jan 2024",
        "from a by b; Mon, 1 Jan 2024 " + "x " * MAX_TOKENS,
        "from a by b; Mon, 1 Jan 2024 " + "(x) " * MAX_TOKENS,
    ],
)
def test_edges_split_alike(text: str) -> None:
    _check(text)


def test_the_date_read_after_the_split_keeps_its_joined_token() -> None:
    split = _split_at_last_semicolon(Lexer("from a by b;(c) Mon"))
    assert split is not None
    assert split[2][0] == Token(Kind.COMMENT, "c", 12, 15, True)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet='()[]<>";,\\ aIidD\t', max_size=60))
def test_any_text_splits_alike(text: str) -> None:
    _check(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_golden()), min_size=1, max_size=2), st.integers(0, 400))
def test_golden_headers_cut_anywhere_split_alike(texts: list[str], at: int) -> None:
    joined = " ".join(texts)
    _check(joined[:at] + joined[at + 1 :])


@pytest.mark.corpus
def test_corpus_headers_split_alike(corpus: Path) -> None:
    total = taken = 0
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for value in split_header_block(path.read_bytes()).get_all("Received"):
            total += 1
            taken += _check(unfold(value))
    print(f"\n{taken} of {total} corpus Received headers lexed up to their last ';'")
    assert taken > total * 0.9


def test_only_ascii_letters_lower_case_to_an_id() -> None:
    # What lets _READ_AFTER_DATE look for [iI][dD] where Courier's reader compares
    # lower() == "id".
    found = {chr(c) for c in range(0x110000) if chr(c).lower() in ("i", "d", "id")}
    assert found == set("iIdD")


@given(st.text(alphabet='(x[<"iIdD> ', max_size=12))
def test_read_after_date_finds_a_delimiter_or_an_id(text: str) -> None:
    expected = any(c in text for c in '([<"') or "id" in text.lower()
    assert (_READ_AFTER_DATE.search(text) is not None) == expected


def test_keyword_spellings_are_the_words_that_lower_case_to_a_keyword() -> None:
    # _split_clauses looks words up in _KEYWORD_SPELLINGS instead of lower() in KEYWORDS.
    assert len(_KEYWORD_SPELLINGS) == sum(2 ** len(word) for word in KEYWORDS)
    assert all(_KEYWORD_SPELLINGS[w] == w.lower() in KEYWORDS for w in _KEYWORD_SPELLINGS)
    letters = {c for word in KEYWORDS for c in word}
    lowered = {chr(c) for c in range(0x110000) if set(chr(c).lower()) & letters}
    # Only ASCII letters, and U+0130, whose lower case ("i" and a combining dot) is two
    # characters, so that no word holding it lower-cases to a keyword.
    assert lowered == {c for c in lowered if c.isascii()} | {"\u0130"}
    assert all(c.lower() in letters for c in lowered if c.isascii())
