"""SquirrelMail: its forms for the general reader, with their examples (no direct reader).

    from dsl9.example.net ([203.0.113.90]) (SquirrelMail authenticated user carol)
        by webmail.example.com with HTTP; Mon, 22 Mar 2004 12:54:13 -0600 (CST)
    from proxy.example.net ([198.51.100.103]) (proxying for 10.20.30.40)
        (SquirrelMail authenticated user bob) by webmail.example.com with HTTP;
        Mon, 7 Oct 2002 09:43:11 +0100

SquirrelMail names the web client by its reverse DNS when the web server looked it up
(often it does not: then the address alone); HTTP has no HELO. It is recognised by its
comment in the from part, the web server's software being named nowhere else.
"""

from __future__ import annotations

from headertrace.parse.facts import Facts, Reader, following
from headertrace.parse.lexer import Token
from headertrace.parse.vendors import FromStyle

GENERAL_EXAMPLES = (
    "from dsl9.example.net ([203.0.113.90]) (SquirrelMail authenticated user carol)"
    " by webmail.example.com with HTTP; Mon, 22 Mar 2004 12:54:13 -0600 (CST)",
    "from proxy.example.net ([198.51.100.103]) (proxying for 10.20.30.40)"
    " (SquirrelMail authenticated user bob) by webmail.example.com with HTTP;"
    " Mon, 7 Oct 2002 09:43:11 +0100",
)

STYLE = FromStyle(
    "rdns_first",
    False,
    "from client.example.org ([192.0.2.7]) (SquirrelMail authenticated user bob)",
    has_helo=False,
)
STYLES = {"SquirrelMail": STYLE}


MARK = "squirrelmail"
"""A word of its comment in the from part: where it stands, the layout is :data:`STYLE`."""


def proxying(tokens: list[Token], i: int, facts: Facts) -> int | None:
    """``(proxying for 192.0.2.7)``: an address the web client claimed through a proxy;
    the connecting address is the one the server saw, so the rest is skipped."""
    nxt = following(tokens, i)
    return len(tokens) if nxt is not None and nxt.text.lower() == "for" else None


COMMENT_MARKERS: dict[str, Reader] = {"proxying": proxying}
