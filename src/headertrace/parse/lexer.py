"""One linear pass over a header value: words, comments, literals, quoted strings, addresses.

The lexer never backtracks. Each character is looked at a bounded number of times: the
regular expressions it uses are single character classes (no alternation that can retry),
and nested comments are tracked with a depth counter capped at ``MAX_COMMENT_DEPTH``.

Example::

    >>> [t.text for t in tokenize("from a (b [1.2.3.4]) by c; Mon, 1 Jan 2024")]
    ['from', 'a', 'b [1.2.3.4]', 'by', 'c', ';', 'Mon', ',', '1', 'Jan', '2024']
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


# One pattern for every token, leading blanks included, run with ``finditer``. After the
# blanks, each alternative starts with a different character, so the engine never retries
# another branch, with one bounded exception: a comment is first tried as one match with
# at most one comment nested inside it, which is every comment real servers write. When
# that fails (deeper nesting, or a comment that never closes) the scan has stopped at the
# next parenthesis, and the ``(`` alternative hands the comment to ``_comment_end``.
_TOKEN = re.compile(
    r"""\s*(?:"""
    r"""([^\s()\[\]<>";,]+)"""  # 1 word
    r"""|(\[[^\]]*\]?)"""  # 2 [literal]
    r"""|(<[^>]*>?)"""  # 3 <angle>
    r"""|("(?:[^"\\]|\\.)*"?)"""  # 4 "quoted"
    r"""|(;)|(,)"""  # 5, 6
    r"""|(\((?:[^()\\]|\\[\s\S]|\((?:[^()\\]|\\[\s\S])*\))*\))"""  # 7 (comment (nested))
    r"""|(\()"""  # 8 any other comment: its end is found by counting depth
    r"""|(\S))""",  # 9 a stray closer or anything else, kept as a word
)
_COMMENT_GROUP = 7
_DEEP_COMMENT_GROUP = 8
_GROUP_KIND = (
    None, Kind.WORD, Kind.LITERAL, Kind.ANGLE, Kind.QUOTED, Kind.SEMI, Kind.COMMA,
    Kind.COMMENT, Kind.COMMENT, Kind.WORD,
)  # fmt: skip
# tuple.__new__ builds a Token in C; the NamedTuple constructor is Python code.
_new = tuple.__new__
_CLOSERS = {Kind.LITERAL: "]", Kind.ANGLE: ">", Kind.QUOTED: '"'}


class Lexer:
    """Tokenizes one header value; ``defects`` collects the caps that were hit."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.defects: list[str] = []
        self._closers: dict[int, int] | None = None

    def tokens(self) -> list[Token]:
        text = self.text
        out: list[Token] = []
        append = out.append
        prev_end = -1
        pos = 0
        restart = True
        while restart:  # runs again only after a comment read by _comment_end
            restart = False
            for m in _TOKEN.finditer(text, pos):
                group = m.lastindex
                if group is None:  # only blanks are left
                    break
                if len(out) >= MAX_TOKENS:
                    self.defects.append("token-cap")
                    return out
                start = m.start(group)
                joined = start == prev_end
                if group == _COMMENT_GROUP:
                    end = m.end()
                    inner = text[start + 1 : end - 1]
                    append(_new(Token, (Kind.COMMENT, inner, start, end, joined)))
                elif group == _DEEP_COMMENT_GROUP:
                    end = self._comment_end(start)
                    closed = text[end - 1 : end] == ")" and end > start + 1
                    if not closed:
                        self.defects.append("unclosed-comment")
                    inner = text[start + 1 : end - 1 if closed else end]
                    append(_new(Token, (Kind.COMMENT, inner, start, end, joined)))
                    pos = prev_end = end
                    restart = True
                    break
                else:
                    kind = _GROUP_KIND[group]
                    end = m.end()
                    value = m.group(group)
                    if kind in _CLOSERS:
                        if value[-1:] == _CLOSERS[kind] and len(value) > 1:
                            value = value[1:-1]
                        else:
                            self.defects.append(f"unclosed-{kind}")
                            value = value[1:]
                    append(_new(Token, (kind, value, start, end, joined)))
                prev_end = end
        return out

    def _comment_end(self, start: int) -> int:
        """Return the offset just past the ``)`` that closes the comment at ``start``.

        The ``)`` that closes a comment is the one a stack of open parentheses pairs with
        it. The pairs are computed once, in one pass from the first such comment to the end
        of the text, so that a header full of comments that never close stays linear.
        """
        if self._closers is None:
            self._closers = self._pair_parentheses(start)
        end = self._closers.get(start)
        if end is not None:
            return end
        # Never closed. Often a stray "(" inside a comment (sendmail's
        # "(8.12.2/BASENAME(ai.mc, .mc):RCS(v 1.23 )"): end the comment at its first ")"
        # so that the clauses and the date after it are still read.
        first = self.text.find(")", start)
        if first >= 0:
            self.defects.append("unbalanced-comment")
            return first + 1
        return len(self.text)

    def _pair_parentheses(self, start: int) -> dict[int, int]:
        """Map each ``(`` from ``start`` on to the offset just past its ``)``; a backslash
        escapes the next character. Deeper than ``MAX_COMMENT_DEPTH`` is a defect."""
        text, n = self.text, len(self.text)
        pairs: dict[int, int] = {}
        stack: list[int] = []
        i = start
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "(":
                stack.append(i)
                if len(stack) == MAX_COMMENT_DEPTH + 1:
                    self.defects.append("comment-depth-cap")
            elif c == ")" and stack:
                pairs[stack.pop()] = i + 1
            i += 1
        return pairs


def tokenize(text: str) -> list[Token]:
    """Tokenize ``text``; the convenience form when defects are not needed."""
    return Lexer(text).tokens()
