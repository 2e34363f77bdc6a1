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
from typing import NamedTuple

MAX_COMMENT_DEPTH = 16
"""Deeper nesting is flattened into the enclosing comment and recorded as a defect."""

MAX_TOKENS = 4096
"""A Received header with more tokens than this is cut short (a defect)."""


class Kind:
    """Token kinds. Plain interned strings, not an Enum: the lexer compares and hashes
    them millions of times, and Enum members hash in Python code."""

    WORD = "word"
    COMMENT = "comment"  # text inside the outermost ( ), nested comments kept verbatim
    LITERAL = "literal"  # text inside [ ]
    ANGLE = "angle"  # text inside < >
    QUOTED = "quoted"  # text inside " "
    SEMI = "semi"  # ;
    COMMA = "comma"  # ,


class Token(NamedTuple):
    """One token. A tuple, because the lexer makes millions of them and tuples are cheap."""

    kind: str
    text: str
    start: int
    """Offset of the token's first character (the opening bracket for delimited tokens)."""
    end: int
    """Offset just past the token."""
    joined: bool = False
    """True when no whitespace separates this token from the previous one."""


# One pattern, one match per token, leading blanks included. After the blanks, each
# alternative starts with a different character class, so the engine never retries another
# branch: matching is linear.
_TOKEN = re.compile(
    r"""\s*(?:"""
    r"""([^\s()\[\]<>";,]+)"""  # 1 word
    r"""|(\[[^\]]*\]?)"""  # 2 [literal]
    r"""|(<[^>]*>?)"""  # 3 <angle>
    r"""|("(?:[^"\\]|\\.)*"?)"""  # 4 "quoted"
    r"""|(;)|(,)"""  # 5, 6
    r"""|(\()"""  # 7 comment: its end is found by counting depth
    r"""|(\S))""",  # 8 a stray closer or anything else, kept as a word
)
_COMMENT_GROUP = 7
_GROUP_KIND = {
    1: Kind.WORD, 2: Kind.LITERAL, 3: Kind.ANGLE, 4: Kind.QUOTED, 5: Kind.SEMI,
    6: Kind.COMMA, 8: Kind.WORD,
}  # fmt: skip
# tuple.__new__ builds a Token in C; the NamedTuple constructor is Python code.
_new = tuple.__new__
_INNER = {Kind.LITERAL, Kind.ANGLE, Kind.QUOTED}
_CLOSERS = {Kind.LITERAL: "]", Kind.ANGLE: ">", Kind.QUOTED: '"'}


class Lexer:
    """Tokenizes one header value; ``defects`` collects the caps that were hit."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.defects: list[str] = []

    def tokens(self) -> list[Token]:
        text, n = self.text, len(self.text)
        out: list[Token] = []
        append = out.append
        match = _TOKEN.match
        i = 0
        prev_end = -1
        while i < n:
            m = match(text, i)
            if m is None:  # only blanks are left
                break
            group = m.lastindex or 0
            start = m.start(group)
            if len(out) >= MAX_TOKENS:
                self.defects.append("token-cap")
                break
            joined = start == prev_end
            if group == _COMMENT_GROUP:
                end = self._comment_end(start)
                closed = text[end - 1 : end] == ")" and end > start + 1
                if not closed:
                    self.defects.append("unclosed-comment")
                inner = text[start + 1 : end - 1 if closed else end]
                append(_new(Token, (Kind.COMMENT, inner, start, end, joined)))
            else:
                kind = _GROUP_KIND[group]
                end = m.end()
                value = m.group(group)
                if kind in _INNER:
                    if value[-1:] == _CLOSERS[kind] and len(value) > 1:
                        value = value[1:-1]
                    else:
                        self.defects.append(f"unclosed-{kind}")
                        value = value[1:]
                append(_new(Token, (kind, value, start, end, joined)))
            i = prev_end = end
        return out

    def _comment_end(self, start: int) -> int:
        """Return the offset just past the ``)`` that closes the comment at ``start``.

        Linear: one scan counting depth and, for a comment that never closes, one ``find``.
        """
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
        # Never closed. Often a stray "(" inside a comment (sendmail's
        # "(8.12.2/BASENAME(ai.mc, .mc):RCS(v 1.23 )"): end the comment at its first ")"
        # so that the clauses and the date after it are still read.
        first = text.find(")", start)
        if first >= 0:
            self.defects.append("unbalanced-comment")
            return first + 1
        return n


def tokenize(text: str) -> list[Token]:
    """Tokenize ``text``; the convenience form when defects are not needed."""
    return Lexer(text).tokens()
