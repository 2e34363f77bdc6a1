"""The lexer's parenthesis pairing, comment cap and token cap (``headertrace.parse.lexer``)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from headertrace.parse.lexer import (
    MAX_COMMENT_DEPTH,
    MAX_COMMENTS,
    MAX_TOKENS,
    Lexer,
    Token,
    cut_comments,
)


def _pairs_char_by_char(text: str, start: int) -> tuple[dict[int, int], bool]:
    """The pairing pass as it was written first, one character at a time: the reference
    the search over parentheses and backslashes must equal."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    too_deep = False
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            stack.append(i)
            too_deep = too_deep or len(stack) > MAX_COMMENT_DEPTH
        elif c == ")" and stack:
            pairs[stack.pop()] = i + 1
        i += 1
    return pairs, too_deep


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet='()\\ a\n["', max_size=80), st.integers(min_value=0, max_value=80))
def test_pairing_equals_the_character_by_character_pass(text: str, start: int) -> None:
    lexer = Lexer(text)
    pairs = lexer._pair_parentheses(min(start, len(text)))
    expected, too_deep = _pairs_char_by_char(text, min(start, len(text)))
    assert pairs == expected
    assert lexer.defects == (["comment-depth-cap"] if too_deep else [])


def test_deep_nesting_is_one_defect() -> None:
    lexer = Lexer("(" * 100 + ")" * 100)
    assert lexer._pair_parentheses(0)[0] == 200
    assert lexer.defects == ["comment-depth-cap"]


@given(st.text(alphabet="(x) ", max_size=3 * MAX_COMMENTS))
def test_cut_comments_keeps_the_first_max_comments_openers(text: str) -> None:
    cut = cut_comments(text)
    if text.count("(") <= MAX_COMMENTS:
        assert cut is None
    else:
        assert cut is not None
        assert text.startswith(cut)
        assert cut.count("(") == MAX_COMMENTS
        assert text[len(cut)] == "("


def _shifted(tokens: list[Token], by: int) -> list[Token]:
    return [t._replace(start=t.start + by, end=t.end + by) for t in tokens]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='()\\ a\n[]<>";,', max_size=60), st.text(alphabet="a (;", max_size=20))
def test_lazy_and_offset_reads_equal_the_whole_read(text: str, before: str) -> None:
    """A text longer than MAX_TOKENS characters is read lazily (finditer), a short one by
    findall; a read from an offset gives the tokens of the text after it."""
    expected = Lexer(text).tokens()
    pad = " " * (MAX_TOKENS + 1)
    assert Lexer(pad + text).tokens() == _shifted(expected, len(pad))
    assert Lexer(before + text).tokens(len(before)) == _shifted(expected, len(before))


def test_token_cap() -> None:
    lexer = Lexer("x " * (MAX_TOKENS + 5))
    assert len(lexer.tokens()) == MAX_TOKENS
    assert lexer.defects == ["token-cap"]
    under = Lexer("x " * MAX_TOKENS)
    assert len(under.tokens()) == MAX_TOKENS
    assert under.defects == []
