"""One linear pass over a header value: words, comments, literals, quoted strings, addresses.

The lexer never backtracks. Each character is looked at a bounded number of times: the
regular expressions it uses are single character classes (no alternation that can retry),
and nested comments are tracked with a depth counter capped at ``MAX_COMMENT_DEPTH``.

Example::

    >>> [t.text for t in tokenize("from a (b [1.2.3.4]) by c; Mon, 1 Jan 2024")]
    ['from', 'a', 'b [1.2.3.4]', 'by', 'c', ';', 'Mon,', '1', 'Jan', '2024']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

MAX_COMMENT_DEPTH = 16
"""Deeper nesting is flattened into the enclosing comment and recorded as a defect."""

MAX_TOKENS = 4096
"""A Received header with more tokens than this is cut short (a defect)."""


class Kind(Enum):
    WORD = "word"
    COMMENT = "comment"  # text inside the outermost ( ), nested comments kept verbatim
    LITERAL = "literal"  # text inside [ ]
    ANGLE = "angle"  # text inside < >
    QUOTED = "quoted"  # text inside " "
    SEMI = "semi"  # ;
    COMMA = "comma"  # ,


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    start: int
    """Offset of the token's first character (the opening bracket for delimited tokens)."""
    end: int
    """Offset just past the token."""
    joined: bool = False
    """True when no whitespace separates this token from the previous one."""


# A word runs until whitespace or a delimiter. One character class: linear, no backtracking.
_WORD = re.compile(r"[^\s()\[\]<>\";,]+")
_SPACE = re.compile(r"\s+")
_DELIMS = {"(": ")", "[": "]", "<": ">", '"': '"'}
_KINDS = {"(": Kind.COMMENT, "[": Kind.LITERAL, "<": Kind.ANGLE, '"': Kind.QUOTED}


class Lexer:
    """Tokenizes one header value; ``defects`` collects the caps that were hit."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.defects: list[str] = []

    def tokens(self) -> list[Token]:
        text, n = self.text, len(self.text)
        out: list[Token] = []
        i = 0
        prev_end = -1
        while i < n:
            if len(out) >= MAX_TOKENS:
                self.defects.append("token-cap")
                break
            c = text[i]
            if c.isspace():
                m = _SPACE.match(text, i)
                i = m.end() if m else i + 1
                continue
            joined = i == prev_end
            if c in _DELIMS:
                tok = self._delimited(i, c, joined)
            elif c == ";":
                tok = Token(Kind.SEMI, ";", i, i + 1, joined)
            elif c == ",":
                tok = Token(Kind.COMMA, ",", i, i + 1, joined)
            elif c in ")]>":
                # A stray closer: keep it as a word so nothing is lost.
                tok = Token(Kind.WORD, c, i, i + 1, joined)
            else:
                m = _WORD.match(text, i)
                end = m.end() if m else i + 1
                tok = Token(Kind.WORD, text[i:end], i, end, joined)
            out.append(tok)
            i = prev_end = tok.end
        return out

    def _delimited(self, start: int, opener: str, joined: bool) -> Token:
        closer = _DELIMS[opener]
        kind = _KINDS[opener]
        if opener == "(":
            end = self._comment_end(start)
        else:
            end = self._simple_end(start + 1, closer, allow_escape=opener == '"')
        closed = end <= len(self.text) and self.text[end - 1 : end] == closer
        inner_end = end - 1 if closed else end
        if not closed:
            self.defects.append(f"unclosed-{kind.value}")
        return Token(kind, self.text[start + 1 : inner_end], start, end, joined)

    def _simple_end(self, i: int, closer: str, *, allow_escape: bool) -> int:
        text, n = self.text, len(self.text)
        while i < n:
            j = text.find(closer, i)
            if j < 0:
                return n
            if allow_escape and _escaped(text, j, i):
                i = j + 1
                continue
            return j + 1
        return n

    def _comment_end(self, start: int) -> int:
        """Return the offset just past the ``)`` that closes the comment at ``start``."""
        text, n = self.text, len(self.text)
        depth = 0
        capped = False
        i = start
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "(":
                depth += 1
                if depth > MAX_COMMENT_DEPTH and not capped:
                    capped = True
                    self.defects.append("comment-depth-cap")
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return n


def _escaped(text: str, j: int, floor: int) -> bool:
    """True when the character at ``j`` is preceded by an odd number of backslashes."""
    k = j - 1
    count = 0
    while k >= floor and text[k] == "\\":
        count += 1
        k -= 1
    return count % 2 == 1


def tokenize(text: str) -> list[Token]:
    """Tokenize ``text``; the convenience form when defects are not needed."""
    return Lexer(text).tokens()
