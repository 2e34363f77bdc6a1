"""TIS Gauntlet smap/csmap and Sidewinder: their from part for the general reader, with
their examples (no direct reader).

    from gate.example.net(198.51.100.80) by fw.example.com via smap (V2.0)
        id xma004711; Fri, 9 Aug 02 13:27:22 +0100
    from dsl7.example.net(203.0.113.81), claiming to be "mail.example.org"
        via SMTP by fw.example.com, id smtpdA1b2C3; Sun Nov 13 15:38:52 2005

These firewalls write the reverse DNS name (or ``unknown``, ``nodnsquery``) against the
bare address, with no blank before the comment, and no HELO unless the client's differed:
``from mx.example.org(192.0.2.7, HELO other.example)``, or Sidewinder's ``, claiming to be
"other.example"`` after it. JetMail and AIMC write ``from HELO([192.0.2.7])``: brackets,
so a HELO, not this layout.
"""

from __future__ import annotations

from headertrace.models import Client
from headertrace.parse.facts import Facts, first_value, no_name
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.vendors import FromStyle

GENERAL_EXAMPLES = (
    "from gate.example.net(198.51.100.80) by fw.example.com via smap (V2.0)"
    " id xma004711; Fri, 9 Aug 02 13:27:22 +0100",
    'from dsl7.example.net(203.0.113.81), claiming to be "mail.example.org"'
    " via SMTP by fw.example.com, id smtpdA1b2C3; Sun Nov 13 15:38:52 2005",
    "from nodnsquery(198.51.100.82) by fw.example.com via csmap (V1.5)"
    " id srcAAAXSaOnM; Tue, 23 Jul 02 14:38:26 -0400",
)

STYLES = {
    "firewall": FromStyle(
        "rdns_first", True, "from mx.example.org(192.0.2.7) by fw.example.com via smap (V2.0)"
    ),
}


def client(
    part: list[Token], facts: Facts, value: str | None, value_ip: str | None
) -> Client | None:
    """The client of ``from NAME(IP)``, or ``None`` for another layout. ``value``: the
    word after ``from``, ``value_ip`` the address it spells, if any."""
    if not _shape(part, facts):
        return None
    name = None if value is None or value_ip is not None or no_name(value) else value
    return Client(
        helo=facts.helo or _claimed_helo(part),
        rdns=name.rstrip(".") if name else None,
        rdns_status="present" if name else "none",
        ip=facts.ip,
        port=facts.port,
        ident=facts.ident,
    )


def _shape(part: list[Token], facts: Facts) -> bool:
    """``from RDNS(192.0.2.7)``: the comment against the name and the address in it
    unbracketed."""
    return (
        len(part) > 1
        and part[0].kind is Kind.WORD
        and part[1].kind is Kind.COMMENT
        and part[1].joined
        and facts.ip_bare
    )


def _claimed_helo(part: list[Token]) -> str | None:
    """Sidewinder writes the HELO after the comment: ``, claiming to be "mx.example.org"``."""
    words = [t.text.lower() if t.kind is Kind.WORD else "" for t in part]
    for k in range(len(part) - 3):
        if words[k : k + 3] == ["claiming", "to", "be"]:
            return first_value(part[k + 3 :])
    return None
