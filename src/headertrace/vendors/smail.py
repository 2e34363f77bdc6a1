"""smail: its forms for the general reader, with their examples (no direct reader).

    from relay.example.org by mx.example.net via smail from stdin
        id <m1AbCd8-000xyzC@mx.example.net> for list@example.com;
        Thu, 18 May 2006 18:28:08 +0200 (CEST)

smail writes where the message came from after its ``via`` link: ``from stdin``, read
from a local program or UUCP's rmail, so no network client handed it over; the host after
the first ``from`` is where that program said it came from.
"""

from __future__ import annotations

from headertrace.parse import tables
from headertrace.parse.lexer import Kind, Token

GENERAL_EXAMPLES = (
    "from relay.example.org by mx.example.net via smail from stdin"
    " id <m1AbCd8-000xyzC@mx.example.net> for list@example.com;"
    " Thu, 18 May 2006 18:28:08 +0200 (CEST)",
)


def from_stdin(via: list[Token]) -> bool:
    """``via smail from stdin`` (``via``: the tokens of the via clause)."""
    words = [t.text.lower() for t in via if t.kind is Kind.WORD]
    return any(
        words[k] == "from" and words[k + 1] in tables.LOCAL_SOURCES for k in range(len(words) - 1)
    )
