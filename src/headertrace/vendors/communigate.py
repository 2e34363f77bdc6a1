"""CommuniGate Pro: its forms for the general reader, with their examples (no direct
reader).

    from [198.51.100.84] (account bob@example.com HELO laptop)
        by mail.example.com (CommuniGate Pro SMTP 6.1.10)
        with ESMTPA id 123456 for x@elsewhere.example; Mon, 07 Mar 2016 10:00:00 +0100
    from mail.example.org ([198.51.100.95] verified) by mx.example.com
        (CommuniGate Pro SMTP 5.1.13) with ESMTPS id 9837783 for dave@example.com;
        Tue, 08 Apr 2008 13:14:35 +0700

The account that logged in follows ``account``; ``verified`` after the address says the
name the client gave resolves to it.
"""

from __future__ import annotations

from headertrace.parse.facts import Facts, Reader, following, set_auth
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.vendors import FromStyle

GENERAL_EXAMPLES = (
    "from [198.51.100.84] (account bob@example.com HELO laptop)"
    " by mail.example.com (CommuniGate Pro SMTP 6.1.10)"
    " with ESMTPA id 123456 for x@elsewhere.example; Mon, 07 Mar 2016 10:00:00 +0100",
    "from mail.example.org ([198.51.100.95] verified) by mx.example.com"
    " (CommuniGate Pro SMTP 5.1.13) with ESMTPS id 9837783 for dave@example.com;"
    " Tue, 08 Apr 2008 13:14:35 +0700",
)

STYLES = {
    "CommuniGate Pro": FromStyle(
        "helo_first", False, "from [192.0.2.7] (HELO client) by mx (CommuniGate Pro SMTP 6)"
    ),
}


def verified(tokens: list[Token], i: int, facts: Facts) -> int | None:
    """``([192.0.2.7] verified)``: the name the client gave resolves to the address it
    connected from."""
    if i > 0 and tokens[i - 1].kind is Kind.LITERAL and facts.ip:
        facts.name_verified = True
        return i + 1
    return None


def account(tokens: list[Token], i: int, facts: Facts) -> int | None:
    """``(account bob@example.org HELO mx)``."""
    nxt = following(tokens, i)
    if nxt is None or nxt.kind is not Kind.WORD:
        return None
    set_auth(facts, f"account {nxt.text}", None, nxt.text)
    return i + 2


COMMENT_MARKERS: dict[str, Reader] = {"verified": verified, "account": account}
