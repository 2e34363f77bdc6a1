"""Microsoft Exchange and Exchange Online: the direct readers of their usual headers, with
their examples.

    from mail.example.org (192.0.2.7) by BN7NAM10FT021.mail.protection.outlook.com
        (10.13.157.29) with Microsoft SMTP Server (version=TLS1_2,
        cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6745.21 via Frontend
        Transport; Thu, 31 Aug 2023 10:06:13 +0000
    from CY8PR05MB9817.namprd05.prod.outlook.com (::1) by
        BL0PR05MB4724.namprd05.prod.outlook.com with HTTPS; Thu, 31 Aug 2023 10:06:17 +0000
    from MN2PR18MB3168.namprd18.prod.outlook.com ([fe80::dce7:4d37:fb7e:327c]) by
        MN2PR18MB3168.namprd18.prod.outlook.com ([fe80::dce7:4d37:fb7e:327c%7]) with mapi
        id 15.20.2073.012; Wed, 17 Jul 2019 16:08:59 +0000

The from part is the HELO and the address (no reverse name: Exchange writes none). The
``id`` of Exchange 2007 and later is its build, taken as the version. The HTTPS and MAPI
hops name no software; their hosts do (``SOFTWARE_BY_HOST``); from another host the same
from part is qmail's, and the general reader reads it so.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.addresses import normalise_ip
from headertrace.models import Client, Hop, HopKind, new_client
from headertrace.parse import tables
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.literals import literal_address
from headertrace.parse.software import software_named
from headertrace.parse.vendors import FromStyle
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mail.example.org (192.0.2.7) by BN7NAM10FT021.mail.protection.outlook.com"
    " (10.13.157.29) with Microsoft SMTP Server (version=TLS1_2,"
    " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.6745.21 via Frontend"
    " Transport; Thu, 31 Aug 2023 10:06:13 +0000",
    "from CY8PR05MB9817.namprd05.prod.outlook.com (::1) by"
    " BL0PR05MB4724.namprd05.prod.outlook.com with HTTPS; Thu, 31 Aug 2023 10:06:17 +0000",
    "from MN2PR18MB3168.namprd18.prod.outlook.com ([fe80::dce7:4d37:fb7e:327c]) by"
    " MN2PR18MB3168.namprd18.prod.outlook.com ([fe80::dce7:4d37:fb7e:327c%7]) with mapi"
    " id 15.20.2073.012; Wed, 17 Jul 2019 16:08:59 +0000",
    "from [192.168.0.100] (198.51.100.7) by EX01.example.com (10.3.19.209) with Microsoft"
    " SMTP Server id 14.3.487.0; Wed, 16 Sep 2020 22:52:31 +0800",
)

# The address in a comment: bare "(192.0.2.7)", "(::1)", or a literal "([fe80::1%7])".
_ADDRESS = r"\((?:(?P<{0}>[0-9A-Fa-f:.]+)|\[(?P<{0}_lit>[0-9A-Fa-f:.%]+)\])\)"
_FROM_BY = (
    rf"from (?:(?P<helo>{b.HOST})|\[(?P<helo_lit>{b.LITERAL})\]) {_ADDRESS.format('ip')}"
    rf" by (?P<by>{b.HOST})(?: {_ADDRESS.format('by_ip')})?"
)
# Exchange's build, written as the id: what read() takes as a plain word and a build.
_SMTP_ID = r"[0-9]+(?:\.[0-9]+){2,}"
_SMTP = re.compile(
    rf"{_FROM_BY} with Microsoft SMTP Server"
    r"(?: \(version=(?P<tls>[A-Za-z0-9_.]+), cipher=(?P<cipher>[A-Za-z0-9_-]+)\))?"
    rf" id (?P<id>{_SMTP_ID})"
    rf"(?: via (?P<via>[A-Za-z]+(?: [A-Za-z]+)?))?;{b.DATE}"
)
_CLIENT = re.compile(
    rf"{_FROM_BY} with (?P<proto>HTTPS|HTTP|mapi)(?: id (?P<id>{b.QUEUE_ID}))?;{b.DATE}"
)


def _address(bare: str | None, literal: str | None) -> str | None:
    """The address :data:`_ADDRESS` gives, from its groups (``None``: none)."""
    if bare is not None:
        return normalise_ip(bare)
    return None if literal is None else literal_address(literal)[0]


# The groups read from a match of _SMTP or _CLIENT: one call instead of one each.
_GROUPS = ("helo", "helo_lit", "ip", "ip_lit", "by", "by_ip", "by_ip_lit", "id")


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text) if " with Microsoft SMTP Server" in text else None
    smtp = m is not None
    if m is None:
        m = _CLIENT.fullmatch(text)
        if m is None:
            return None
    helo, helo_lit, bare, literal, by, by_bare, by_literal, hop_id = m.group(*_GROUPS)
    ip = _address(bare, literal)
    by_ip = _address(by_bare, by_literal)
    port = None
    if helo_lit is not None:  # "from [192.168.0.100] (198.51.100.7)": a client's literal
        helo, port = f"[{helo_lit}]", literal_address(helo_lit)[1]
        if literal is not None:
            port = literal_address(literal)[1] or port
    if (
        ip is None
        or (by_ip is None and (by_bare is not None or by_literal is not None))
        or (helo_lit is None and not b.plain(helo))
    ):
        return None
    software: str | None
    if smtp:
        # The id is digits and dots, three parts or more (the pattern): a build, never a
        # keyword.
        protocol = software = "Microsoft SMTP Server"
        via, version = m["via"], hop_id
        if via is not None and not all(map(b.plain, via.split())):
            return None
        tls_version = m["tls"]
        tls = b.tls(tls_version, m["cipher"]) if tls_version else None
        auth = b.NO_AUTH
    else:
        protocol, software, via = m["proto"], b.software_by_host(by), None
        if software != "Microsoft SMTP Server":
            return None  # another host's "from NAME (IP)" is read as qmail writes it
        if hop_id is not None and not b.plain(hop_id):
            return None
        version = hop_id if _looks_like_version(hop_id) else None
        tls, auth = b.tls_of(protocol), b.auth_of(protocol, software, True)
    server = b.server(by, software, version, by_ip)
    if helo.lower() in tables.NO_NAME_NOT_HELO:
        client = new_client(rdns_status="none", ip=ip, port=port)
    else:
        client = new_client(helo=helo, ip=ip, port=port)
    # Over SMTP, from a client with an address: a relay, as kind_of says.
    kind = "relay" if smtp else b.kind_of(protocol, client)
    if server is None or kind is None:
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
        tls=tls,
        auth=auth,
        via=via,
    )


def _looks_like_version(text: str | None) -> bool:
    parts = (text or "").split(".")
    return len(parts) >= 3 and all(p.isdigit() for p in parts)


# IIS SMTP (Exchange 2000/2003, Hotmail until 2012), with its examples: the HELO and the
# address literal (no reverse name), the build after SMTPSVC; a message dropped in the
# pickup folder names no client.
SMTPSVC_EXAMPLES = (
    "from mx.example.org ([192.0.2.7]) by exch.example.com with Microsoft"
    " SMTPSVC(6.0.3790.3959); Thu, 3 Apr 2008 15:24:54 -0700",
    "from laptop ([192.0.2.7]) by exch.example.com over TLS secured channel with Microsoft"
    " SMTPSVC(6.0.3790.2668); Mon, 21 Jul 2008 06:30:32 -0700",
    "from mail pickup service by exch.example.com with Microsoft SMTPSVC;"
    " Tue, 8 Mar 2005 19:21:50 -0800",
)

_SMTPSVC = re.compile(
    rf"from (?:(?P<helo>{b.HOST}) \(\[(?P<ip>{b.LITERAL})\]\)|(?P<pickup>mail pickup service))"
    rf" by (?P<by>{b.HOST})(?: over TLS secured channel)? with Microsoft SMTPSVC"
    rf"(?:\((?P<version>[0-9][0-9.]*)\))?;{b.DATE}"
)


def read_smtpsvc(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTPSVC.fullmatch(text)
    if m is None:
        return None
    with_text = "Microsoft SMTPSVC" if m["version"] is None else f"Microsoft SMTPSVC {m['version']}"
    by = m["by"]
    software, version = software_named((), (with_text, "", ""), (), False, by.lower().rstrip("."))
    server = b.server(by, software, version)
    if software != "Microsoft SMTPSVC" or server is None:
        return None
    kind: HopKind = "local"  # a file dropped in the pickup folder
    client = _PICKUP
    if m["pickup"] is None:
        helo, kind = m["helo"], "relay"
        address = b.client_literal(m["ip"])
        if address is None or not b.plain(helo):
            return None
        ip, port = address
        if helo.lower() in tables.NO_NAME_NOT_HELO:
            client = new_client(rdns_status="none", ip=ip, port=port)
        else:
            client = new_client(helo=helo, ip=ip, port=port)
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol="Microsoft SMTPSVC",
        hop_id=None,
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
    )


_PICKUP = Client()


# Exchange 5.0 and 5.5's Internet Mail Service, taking a message in over SMTP: the HELO,
# the reverse name and the address in a comment when it has them, and its own name and
# build in a comment after the protocol, with examples.
IMS_EXAMPLES = (
    "from mx.example.org (host.example.org [192.0.2.7]) by exch.example.com with SMTP"
    " (Microsoft Exchange Internet Mail Service Version 5.5.2653.13) id QX1RT2B7;"
    " Thu, 22 Aug 2002 10:14:23 +0100",
    "from laptop ([192.0.2.7]) by exch.example.com with SMTP (Microsoft Exchange Internet"
    " Mail Service Version 5.5.2650.21) id 3GXS74QT; Mon, 22 Jul 2002 17:02:46 -0700",
    "from mx.example.org (192.0.2.7 [192.0.2.7]) by exch.example.com with SMTP (Microsoft"
    " Exchange Internet Mail Service Version 5.5.2653.13) id R3BBVS74;"
    " Fri, 23 Aug 2002 06:14:34 -0500",
    "from dialup.example.net by exch.example.com with SMTP (Microsoft Exchange Internet"
    " Mail Service Version 5.0.1457.7) id 311VBZWC; Mon, 2 Jul 2001 18:40:37 +0300",
    "from 192.0.2.7 by exch.example.com with SMTP (Microsoft Exchange Internet Mail Service"
    " Version 5.0.1459.74) id PN3GPNRT; Mon, 22 Jul 2002 14:53:50 +0100",
)

_IMS_NAME = "Microsoft Exchange Internet Mail Service Version"
_IMS = re.compile(
    rf"from (?P<helo>{b.HOST})(?: \((?:(?P<rdns>{b.HOST}) )?\[(?P<ip>{b.LITERAL})\]\))?"
    rf" by (?P<by>{b.HOST}) with SMTP \((?P<name>{_IMS_NAME} [0-9][0-9.]*)\)"
    rf" id (?P<id>{b.QUEUE_ID});{b.DATE}"
)


def read_ims(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _IMS.fullmatch(text)
    if m is None:
        return None
    by, helo, hop_id = m["by"], m["helo"], m["id"]
    software, version = software_named(
        (), (f"SMTP {m['name']}", "", ""), (), False, by.lower().rstrip(".")
    )
    server = b.server(by, software, version)
    if server is None or software != _IMS_SOFTWARE or not b.plain(hop_id):
        return None
    client = _ims_client(m, helo)
    if client is None:
        return None
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol="SMTP",
        hop_id=hop_id,
        kind="relay",
        index=index,
        header_index=header_index,
        after=after,
    )


_IMS_SOFTWARE = "Microsoft Exchange IMS"


def _ims_client(m: re.Match[str], helo: str) -> Client | None:
    """The from part as the general reader reads it with IMS's layout: the word after
    ``from`` is the HELO; IMS looks no name up where it writes none."""
    if not b.plain(helo) or helo.lower() in tables.NO_NAME_NOT_HELO:
        return None
    literal, rdns = m["ip"], m["rdns"]
    if literal is None:  # "from HELO by": no address; "from 192.0.2.7 by": no HELO
        ip = normalise_ip(helo)
        return new_client(helo=helo) if ip is None else new_client(ip=ip)
    if rdns is not None and rdns.replace(".", "").isdigit():
        # "(192.0.2.7 [192.0.2.7])": no name found, the address written in its place; the
        # comment reader takes the bare address, the literal after it says no more.
        ip = normalise_ip(rdns)
        return None if ip is None else new_client(helo=helo, ip=ip)
    return b.named_client(helo, rdns, literal, records_rdns=False)


# Exchange 5.5's Internet Mail Service sending out what the Exchange store handed it: no
# from part, its own name as the protocol and its build in a comment.
IMS_OUT_EXAMPLES = (
    "by exch.example.com with Internet Mail Service (5.5.2653.19) id <QX1RT2B7>;"
    " Wed, 28 Aug 2002 09:56:42 +0100",
)

_IMS_OUT = re.compile(
    rf"by (?P<by>{b.HOST}) with (?P<proto>Internet Mail Service)"
    rf" \((?P<version>[0-9][0-9.]*)\) id {b.ID};{b.DATE}"
)


def read_ims_out(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _IMS_OUT.fullmatch(text)
    if m is None:
        return None
    by, protocol = m["by"], m["proto"]
    hop_id = m["id_angle"] or m["id"]
    software, version = software_named(
        (), (f"{protocol} {m['version']}", "", ""), (), False, by.lower().rstrip(".")
    )
    server = b.server(by, software, version)
    if server is None or software != _IMS_SOFTWARE or not b.plain(hop_id):
        return None
    return b.hop(
        value,
        m,
        client=_PICKUP,
        server=server,
        protocol=protocol,
        hop_id=hop_id,
        kind="unknown",
        index=index,
        header_index=header_index,
        after=after,
    )


# === For the general reader =================================================================
# What headertrace.parse.received and .comments must know of this family, each with its
# example (GENERAL_EXAMPLES); headertrace.vendors._general gathers the tables. A block of
# its own, so that it and the direct readers above change apart.


GENERAL_EXAMPLES = (
    "from client.example.net ([198.51.100.50]) by exch.example.com with SMTP"
    " (Microsoft Exchange Internet Mail Service Version 5.5.2653.13) id QX1;"
    " Thu, 22 Aug 2002 10:14:23 +0100",
    "from client.example.net ([198.51.100.51]) by exch.example.com with Microsoft"
    " SMTPSVC(6.0.3790.1830); Mon, 7 Mar 2005 10:00:00 +0100",
    "from mail pickup service by exch.example.com with Microsoft SMTPSVC;"
    " Mon, 7 Mar 2005 10:00:00 +0100",
    "from EX01.corp.example.com ([fe80::1c2d:3e4f:5a6b:7c8d%12]) by EX01.corp.example.com"
    " ([fe80::1c2d:3e4f:5a6b:7c8d%12]) with mapi id 15.01.2507.006;"
    " Mon, 2 Oct 2023 12:00:00 +0000",
    "by exch.example.com with Internet Mail Service (5.5.2653.19) id <QX1RT2B7>;"
    " Wed, 28 Aug 2002 09:56:42 +0100",
    "from EX01.corp.example.com (10.0.0.5) by EX02.corp.example.com (10.0.0.6) with"
    " Microsoft SMTP Server (TLS) id 14.3.123.3; Mon, 2 Oct 2023 12:00:00 +0000",
)

STYLES = {
    "Microsoft SMTP Server": FromStyle(
        "helo_first", False, "from EX01.corp.example.com (10.0.0.5) by EX02 with Microsoft SMTP"
    ),
    "Microsoft SMTPSVC": FromStyle(
        "helo_first", False, "from client ([192.0.2.7]) by exch with Microsoft SMTPSVC(6.0)"
    ),
    "Microsoft Exchange IMS": FromStyle(
        "helo_first", False, "from client ([192.0.2.7]) by exch with SMTP (Microsoft Exchange"
    ),
}

PICKUP_SERVICE = ("mail", "pickup", "service")
"""``from mail pickup service by EXCH01 with Microsoft SMTPSVC``, the words of the whole
from part: a file dropped in the pickup folder, a local submission."""

MAILBOX_PROTOCOLS = frozenset(("mapi",))
"""``with mapi``: Outlook, logged in to a mailbox (so an authenticated client)."""

NAME_PREFIX = "Micro"
"""How Microsoft's software names start (``Microsoft SMTP Server``, ``Microsoft SMTPSVC``,
``Microsoft Exchange IMS``). They write a plain ``with ESMTP`` for a client that logged in
as for one that did not (no RFC 3848 ``...A``), so the protocol says nothing of a login."""

PROTOCOL_WORD = "microsoft"
"""The first word, lower-cased, of a with clause :func:`protocol_name` reads."""

SMTP_SERVER = "Microsoft SMTP Server"
"""Exchange 2007 and later, whose ``id`` is its build (:func:`build_in_id`)."""


def protocol_name(with_part: list[Token]) -> str:
    """The protocol Microsoft writes as a name of several words: ``with Microsoft SMTP
    Server (...)``, ``with Microsoft SMTPSVC(6.0.3790.1830)`` (``with_part``: the with
    clause, opening with :data:`PROTOCOL_WORD`)."""
    name = []
    for tok in with_part:
        if tok.kind is not Kind.WORD:
            break
        name.append(tok.text)
    return " ".join(name)


def build_in_id(hop_id: str | None) -> str | None:
    """The build :data:`SMTP_SERVER` writes as the ``id``: ``id 15.20.6745.21``."""
    return hop_id if hop_id and _looks_like_version(hop_id) else None


IMS_WORD = "internet"
"""The first word, lower-cased, of a with clause :func:`ims_protocol` reads."""

_IMS_PROTOCOL = ("internet", "mail", "service")


def ims_protocol(with_part: list[Token]) -> str | None:
    """Exchange 5.5's Internet Mail Service sending out what the Exchange store handed it
    names itself as the protocol, its build in a comment: ``by exch with Internet Mail
    Service (5.5.2653.19) id <QX1RT2B7>``. The protocol is the three words, not the first."""
    words = [t.text for t in with_part[:3] if t.kind is Kind.WORD]
    if tuple([w.lower() for w in words]) != _IMS_PROTOCOL:
        return None
    return " ".join(words)


def tls_noted(with_part: list[Token]) -> bool:
    """Exchange 2007-2010 write ``(TLS)`` after their name when the session was encrypted,
    naming neither version nor cipher (2013 and later write ``(version=..., cipher=...)``):
    ``with Microsoft SMTP Server (TLS) id 14.3.123.3``."""
    for tok in with_part:
        if tok.kind is Kind.COMMENT:
            return tok.text.strip().upper() == "TLS"
        if tok.kind is not Kind.WORD:
            return False
    return False
