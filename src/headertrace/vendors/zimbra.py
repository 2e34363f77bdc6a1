"""Zimbra: its forms for the general reader, with their examples (no direct reader).

    from mail.example.com (LHLO mail.example.com) (10.1.2.3) by mail.example.com
        with LMTP; Mon, 7 Mar 2016 10:00:00 +0100 (CET)

Zimbra's LMTP delivery names no software; the ``(LHLO host)`` comment of its from part
does (:func:`headertrace.parse.software.software_named` is told of it). The from part is
then laid out as qmail's: the reverse name, the bare address.
"""

from __future__ import annotations

from headertrace.parse.lexer import Kind, Token
from headertrace.parse.vendors import FromStyle

GENERAL_EXAMPLES = (
    "from mail.example.com (LHLO mail.example.com) (10.1.2.3) by mail.example.com"
    " with LMTP; Mon, 7 Mar 2016 10:00:00 +0100 (CET)",
    "from mail.example.com (LHLO\tmail.example.com) (10.1.2.4) by mail.example.com"
    " with LMTP; Mon, 7 Mar 2016 10:00:00 +0100 (CET)",
)

STYLES = {
    "Zimbra": FromStyle("rdns_first", True, "from mail (LHLO mail) (10.0.0.5) by mail with LMTP"),
}


def lhlo_in(from_part: list[Token]) -> bool:
    """Whether a comment of the from part opens with ``LHLO``: ``(LHLO mail.example.com)``;
    ``( LHLO\tmail.example.com)`` is the same."""
    return any(
        t.kind is Kind.COMMENT
        and (said := t.text.lstrip())[:4].upper() == "LHLO"
        and said[4:5].isspace()
        for t in from_part
    )
