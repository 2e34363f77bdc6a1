"""Metamorphic tests: rewrites of a Received header that must not change what it means.

Each test rewrites every golden header (``tests/fixtures/received/golden.jsonl``) in one
way that RFC 5321 section 4.4 / RFC 5322 or real MTAs treat as the same header, and requires
the same hop. Where a field legitimately follows the spelling (``from.helo`` is the HELO as
the client wrote it), the test says so and compares only what must not move.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from headertrace import parse_received
from headertrace.parse.headers import unfold
from headertrace.parse.lexer import Kind, Lexer, Token

GOLDEN = Path(__file__).parent / "fixtures" / "received" / "golden.jsonl"
HEADERS = [
    json.loads(line)["header"] for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line
]
KEYWORDS = ("from", "by", "via", "with", "id", "for")


def _hop(header: str) -> dict[str, Any]:
    data = parse_received(header).to_dict()
    data.pop("raw")
    data.pop("timestamp_raw")  # the date as written, by definition
    return data


def _tokens(header: str) -> tuple[str, list[Token]]:
    text = unfold(header)
    return text, Lexer(text).tokens()


def _rewrite(header: str, change: Callable[[Token, str], str]) -> str:
    """``header`` unfolded, each top-level token passed through ``change``; the blanks before
    a token are given to ``change`` as a token of kind ``"blank"``."""
    text, tokens = _tokens(header)
    out: list[str] = []
    pos = 0
    for tok in tokens:
        gap = text[pos : tok.start]
        out.append(change(Token("blank", gap, pos, tok.start), gap) if gap.isspace() else gap)
        out.append(change(tok, text[tok.start : tok.end]))
        pos = tok.end
    out.append(text[pos:])
    return "".join(out)


def _assert_same(rewrite: Callable[[str], str | None], keys: tuple[str, ...] = ()) -> None:
    """Every golden header and its rewrite give the same hop (only ``keys``, when given)."""
    checked = 0
    for header in HEADERS:
        rewritten = rewrite(header)
        if rewritten is None:
            continue
        checked += 1
        want, got = _hop(header), _hop(rewritten)
        if keys:
            want, got = {k: want[k] for k in keys}, {k: got[k] for k in keys}
        assert got == want, (header, rewritten)
    assert checked >= 10, "the rewrite applied to too few golden headers to test anything"


# --- blanks -----------------------------------------------------------------------------------


def _more_blanks(tok: Token, written: str) -> str:
    return written + " \t " if tok.kind == "blank" else written


def _blanks_in_comment(tok: Token, written: str) -> str:
    """Each run of blanks inside a comment, nested ones included, becomes a longer run of
    spaces and tabs; blanks inside quoted strings, literals and angle brackets are left
    alone (there they are part of the value), and so is anything after a backslash."""
    if tok.kind != Kind.COMMENT or not written.endswith(")"):
        return written
    out: list[str] = []
    closer = ""
    escaped = False
    for char in written:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif closer:
            closer = "" if char == closer else closer
        elif char in '"[<':
            closer = {'"': '"', "[": "]", "<": ">"}[char]
        elif char in " \t":
            out.append(" \t ")
            continue
        out.append(char)
    return "".join(out)


def _padded_comment(tok: Token, written: str) -> str:
    """``(a b)`` -> ``( a b )``: RFC 5322 allows blanks after ``(`` and before ``)``."""
    if tok.kind != Kind.COMMENT or not written.endswith(")") or written.endswith("\\)"):
        return written
    return f"( {written[1:-1]} )"


def test_blanks_between_tokens_never_change_a_hop() -> None:
    _assert_same(lambda h: _rewrite(h, _more_blanks))


def test_blanks_inside_comments_never_change_a_hop() -> None:
    """Found: a tab in "(verified\\tOK)", "(LHLO\\tx)", "(CIPHER\\tencrypted)" changed the
    reading (readers matched one space only)."""
    _assert_same(lambda h: _rewrite(h, _blanks_in_comment))


def test_blanks_just_inside_the_parentheses_never_change_a_hop() -> None:
    """Found: Zimbra's "( LHLO mail.example.com)" lost its software."""
    _assert_same(lambda h: _rewrite(h, _padded_comment))
