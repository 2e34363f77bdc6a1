"""CommuniGate Pro: the direct reader of its SMTP receipt from a client whose name
checked out, and its forms for the general reader, with their examples.

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

import re
from datetime import datetime

from headertrace.addresses import normalise_ip
from headertrace.models import Client, Hop, new_client
from headertrace.parse import tables
from headertrace.parse.facts import Facts, Reader, following, set_auth
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.literals import literal_address
from headertrace.parse.software import software_named
from headertrace.parse.vendors import FromStyle
from headertrace.vendors import _build as b

# The name the client gave, and the address it connected from, which that name resolves
# to ("verified"): the name stands as the reverse name too. Examples:
EXAMPLES = (
    "from mx.example.org ([192.0.2.7] verified) by mail.example.com"
    " (CommuniGate Pro SMTP 5.0.14) with ESMTP id 3346851 for bob@example.com;"
    " Fri, 16 May 2008 10:49:21 -0700",
    "from [192.0.2.8] ([192.0.2.8] verified) by mail.example.com"
    " (CommuniGate Pro SMTP 4.0b7) with ESMTP id 205148 for <bob@example.com>;"
    " Thu, 12 Sep 2002 09:05:51 -0400",
)

_VERIFIED = re.compile(
    rf"from (?:(?P<helo>{b.HOST})|\[(?P<helo_lit>{b.LITERAL})\])"
    rf" \(\[(?P<ip>{b.LITERAL})\] verified\) by (?P<by>{b.HOST})"
    r" \((?P<stamp>CommuniGate Pro SMTP [0-9][A-Za-z0-9./]*)\)"
    rf" with (?P<proto>[A-Za-z0-9]+) id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)
_NAME = "CommuniGate Pro"


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _VERIFIED.fullmatch(text)
    if m is None:
        return None
    by, protocol, hop_id = m["by"], m["proto"], m["id"]
    address = b.client_literal(m["ip"])
    if address is None or not b.plain(protocol) or not b.plain(hop_id):
        return None
    software, version = software_named(
        (m["stamp"],), (protocol, "", ""), (), False, by.lower().rstrip(".")
    )
    server = b.server(by, software, version)
    client = _verified_client(m, address)
    if software != _NAME or server is None or client is None:
        return None
    kind = b.kind_of(protocol, client)
    if kind is None:
        return None
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol=protocol,
        hop_id=hop_id,
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, software, True),
    )


def _verified_client(m: re.Match[str], address: tuple[str, int | None]) -> Client | None:
    """``STYLES["CommuniGate Pro"]``: the word after ``from`` is the HELO; verified, a name
    is the reverse name as well (an address literal or a bare address is not)."""
    ip, port = address
    helo_lit = m["helo_lit"]
    if helo_lit is not None:
        return new_client(helo=f"[{helo_lit}]", ip=ip, port=port or literal_address(helo_lit)[1])
    helo = m["helo"]
    if not b.plain(helo) or helo.lower() in tables.NO_NAME_NOT_HELO:
        return None
    if normalise_ip(helo) is not None:
        return new_client(helo=helo, ip=ip, port=port)
    rdns = helo.rstrip(".") or None
    return new_client(helo=helo, rdns=rdns, rdns_status="present", ip=ip, port=port)


GENERAL_EXAMPLES = (
    "from [198.51.100.73] (HELO laptop.example.net) by mail.example.com"
    " (CommuniGate Pro SMTP 4.1.5) with ESMTP-TLS id 734102 for bob@example.com;"
    " Mon, 27 Oct 2003 09:40:52 +0300",
    "from <owner-list@example.org> by mail.example.com (CommuniGate Pro RULES 3.4)"
    " with RULES id 734103; Mon, 02 Apr 2001 06:23:54 -0400",
    "from [198.51.100.84] (account bob@example.com HELO laptop)"
    " by mail.example.com (CommuniGate Pro SMTP 6.1.10)"
    " with ESMTPA id 123456 for x@elsewhere.example; Mon, 07 Mar 2016 10:00:00 +0100",
    "from mail.example.org ([198.51.100.95] verified) by mx.example.com"
    " (CommuniGate Pro SMTP 5.1.13) with ESMTPS id 9837783 for dave@example.com;"
    " Tue, 08 Apr 2008 13:14:35 +0700",
)

# CommuniGate Pro looks no reverse name up for this header: the from part is the address
# literal with the HELO in a comment, or the name the client gave with "verified" when that
# name resolves to the address. A literal after "from" says nothing of a reverse name.
STYLES = {
    "CommuniGate Pro": FromStyle(
        "helo_first",
        False,
        "from [192.0.2.7] (HELO client) by mx (CommuniGate Pro SMTP 6)",
        literal_means_no_name=False,
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


RULES_PROTOCOL = "rules"
"""``with RULES``: CommuniGate Pro's Rules engine sent the message on (a redirect, a
forward, an automatic reply) inside the server."""


def rules_sender(from_part: list[Token], protocol: str | None) -> str | None:
    """The envelope sender of a message CommuniGate Pro's Rules engine sent on:
    ``from <owner-list@example.org> by mx (CommuniGate Pro RULES 3.4) with RULES id 1``.
    No client handed it over; the address after ``from`` is the sender it kept."""
    if (
        len(from_part) != 1
        or from_part[0].kind is not Kind.ANGLE
        or (protocol or "").lower() != RULES_PROTOCOL
    ):
        return None
    return from_part[0].text.strip("<>") or None
