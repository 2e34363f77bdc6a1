"""One linear pass over a header value: words, comments, literals, quoted strings, addresses.

Each character is looked at a bounded number of times. One regular expression whose
alternatives each start with a different character finds every token (see ``_TOKEN``);
comments nested deeper than the pattern reads are paired by one stack pass over the rest of
the header, never by a scan per comment. Nesting past ``MAX_COMMENT_DEPTH`` is a defect;
the general reader reads a header only up to its ``MAX_COMMENTS``-th comment
(:func:`cut_comments`), and any text only up to its ``MAX_TOKENS``-th token.

Example::

    >>> [t.text for t in tokenize("from a (b [1.2.3.4]) by c; Mon, 1 Jan 2024")]
    ['from', 'a', 'b [1.2.3.4]', 'by', 'c', ';', 'Mon', ',', '1', 'Jan', '2024']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import islice
from typing import NamedTuple

MAX_COMMENT_DEPTH = 16
"""Deeper nesting is flattened into the enclosing comment and recorded as a defect."""

MAX_TOKENS = 256
"""A Received header (or a comment) with more tokens than this is read only up to the
``MAX_TOKENS``-th (a defect, ``token-cap``). Real headers hold at most 30, their comments 26
(every header of ``../shared/corpus``); each token costs the general reader a few
microseconds: 4,096 words (the cap before) took 8 to 15 ms a header, 1,024 tokens that each
trigger a reading of their own (``auth=N``) 12 ms."""

MAX_COMMENTS = 256
"""A Received header with more ``(`` than this is read only up to the next one (a defect,
``comment-cap``; see :func:`cut_comments`)."""


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


# One pattern for every token, run with ``findall``: each match is a pair (the blanks
# before the token, the token as written), built in C. After the blanks, each alternative
# starts with a different character, so the engine never retries another branch, with one
# bounded exception: a comment is first tried as one match with at most one comment nested
# inside it, which is every comment real servers write. When that fails (deeper nesting,
# or a comment that never closes) the scan has stopped at the next parenthesis, the ``(``
# comes back alone, and ``_comment_end`` finds where that comment ends.
_TOKEN = re.compile(
    r"""(\s*)("""
    r"""[^\s()\[\]<>";,]+"""  # word
    r"""|\[[^\]]*\]?"""  # [literal]
    r"""|<[^>]*>?"""  # <angle>
    r"""|"(?:[^"\\]|\\.)*"?"""  # "quoted"
    r"""|;|,"""
    r"""|\((?:[^()\\]|\\[\s\S]|\((?:[^()\\]|\\[\s\S])*\))*\)"""  # (comment (nested))
    r"""|\S)""",  # "(" of any other comment, a stray closer, or anything else (a word)
)
# The kind of a token, from its first character; anything else is a word.
_FIRST_KIND = {
    "[": Kind.LITERAL, "<": Kind.ANGLE, '"': Kind.QUOTED, ";": Kind.SEMI, ",": Kind.COMMA,
    "(": Kind.COMMENT,
}  # fmt: skip
# A backslash and the character it escapes, or a parenthesis: what pairing looks at.
_PAREN = re.compile(r"\\[\s\S]?|[()]")
# Up to this length findall (all tokens built in C, those past the cap dropped) costs less
# than finditer; every real header is shorter (556 characters at most in the corpus).
_SHORT = 1024
_CLOSERS = {Kind.LITERAL: "]", Kind.ANGLE: ">", Kind.QUOTED: '"', Kind.COMMENT: ")"}
# tuple.__new__ builds a Token in C; the NamedTuple constructor is Python code.
_new = tuple.__new__
_GROUPS: Callable[[re.Match[str]], tuple[str, str]] = re.Match.groups  # type: ignore[assignment]


class Lexer:
    """Tokenizes one header value; ``defects`` collects the caps that were hit."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.defects: list[str] = []
        self._closers: dict[int, int] | None = None

    def tokens(self, offset: int = 0) -> list[Token]:
        """The tokens from ``offset`` on (their offsets stay those of the whole text)."""
        text = self.text
        out: list[Token] = []
        append = out.append
        word, comment, closers = Kind.WORD, Kind.COMMENT, _CLOSERS
        kind_of = _FIRST_KIND.get
        pos = offset
        prev_end = -1
        restart = True
        # findall builds every pair in C, but of the whole rest of the text: past _SHORT,
        # tokens are read lazily, so those past the cap are never built.
        lazy = len(text) - pos > _SHORT
        while restart:  # runs again only after a comment read by _comment_end
            restart = False
            # After a deep comment the rest is read lazily, so that many deep comments do
            # not each rescan the rest of the header.
            pairs: Iterator[tuple[str, str]] = (
                map(_GROUPS, _TOKEN.finditer(text, pos))
                if lazy
                else iter(_TOKEN.findall(text, pos))
            )
            lazy = True
            for blanks, value in islice(pairs, MAX_TOKENS - len(out)):
                start = pos + len(blanks)
                end = pos = start + len(value)
                kind = kind_of(value[0], word)
                if kind is word:
                    append(_new(Token, (word, value, start, end, start == prev_end)))
                elif kind is comment and value == "(":
                    pos = end = self._comment_end(start)
                    closed = text[end - 1 : end] == ")" and end > start + 1
                    if not closed:
                        self.defects.append("unclosed-comment")
                    inner = text[start + 1 : end - 1 if closed else end]
                    append(_new(Token, (comment, inner, start, end, start == prev_end)))
                    prev_end = end
                    restart = True
                    break
                else:
                    inner = value
                    if len(value) > 1 and value[-1] == closers.get(kind):
                        inner = value[1:-1]
                    elif kind in closers:
                        self.defects.append(f"unclosed-{kind}")
                        inner = value[1:]
                    append(_new(Token, (kind, inner, start, end, start == prev_end)))
                prev_end = end
            if not restart and next(pairs, None) is not None:
                self.defects.append("token-cap")
        return out

    def tokens_before(self, stop: int) -> list[Token] | None:
        """The tokens of the text before ``stop`` (at most ``MAX_TOKENS``), when they are
        the first tokens :meth:`tokens` gives for the whole text; else ``None``.

        The pattern reads the text before ``stop`` as it reads the whole text unless a
        token reaches ``stop`` unfinished: a delimiter left open (which, in the whole text,
        may close after ``stop``), a comment ``_TOKEN`` does not read in one match (its
        ``(`` alone), or a quoted string ending at ``stop`` (``"a\\"``, whose last quote
        is escaped). Each of those answers ``None``; so do a text of more tokens than the
        cap and one longer than ``_SHORT`` (:meth:`tokens` reads those lazily). The
        general reader lexes a header up to its last ``;`` with this, and the date after
        it only when something there must be read (``received.py``)."""
        if len(self.text) > _SHORT:
            return None
        out: list[Token] = []
        append = out.append
        word, quoted, closers = Kind.WORD, Kind.QUOTED, _CLOSERS
        kind_of = _FIRST_KIND.get
        pos = 0
        # Each token starts where the last ended, plus its blanks: joined is "no blanks"
        # (but for the first token, which nothing stands before).
        for blanks, value in _TOKEN.findall(self.text, 0, stop):
            start = pos + len(blanks)
            end = pos = start + len(value)
            kind = kind_of(value[0], word)
            if kind is word:
                append(_new(Token, (word, value, start, end, not blanks)))
            elif kind not in closers:  # ";" or ","
                append(_new(Token, (kind, value, start, end, not blanks)))
            elif len(value) < 2 or value[-1] != closers[kind] or (kind is quoted and end == stop):
                return None
            else:
                append(_new(Token, (kind, value[1:-1], start, end, not blanks)))
        if len(out) > MAX_TOKENS:
            return None
        if out and out[0][4]:
            kind, value, start, end, _ = out[0]
            out[0] = _new(Token, (kind, value, start, end, False))
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
        escapes the next character. Deeper than ``MAX_COMMENT_DEPTH`` is a defect.

        The search visits only parentheses and backslashes (``_PAREN``, in C), not every
        character: a 16 KB header of words costs nothing here."""
        pairs: dict[int, int] = {}
        stack: list[int] = []
        too_deep = False
        for m in _PAREN.finditer(self.text, start):
            c = m.group()
            if c == "(":
                stack.append(m.start())
                if len(stack) > MAX_COMMENT_DEPTH and not too_deep:
                    too_deep = True
                    self.defects.append("comment-depth-cap")
            elif c == ")" and stack:
                pairs[stack.pop()] = m.end()
        return pairs


def cut_comments(text: str) -> str | None:
    """``text`` up to its ``(`` past the ``MAX_COMMENTS``-th, or ``None`` when it holds no
    more than ``MAX_COMMENTS``.

    Real headers hold few (eight at most in the 42,763 of ``../shared/corpus``). Each costs
    the general reader a token and a read for facts, and one that never closes or nests
    deeper than ``_TOKEN`` reads also costs a restart of the scan: 16 KB of ``((( )`` are
    3,300 of those, 20 ms. Counting is one pass in C, finding the cut as many ``find``."""
    if text.count("(") <= MAX_COMMENTS:
        return None
    at = -1
    for _ in range(MAX_COMMENTS + 1):
        at = text.find("(", at + 1)
    return text[:at]


def tokenize(text: str) -> list[Token]:
    """Tokenize ``text``; the convenience form when defects are not needed."""
    return Lexer(text).tokens()
