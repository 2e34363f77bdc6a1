"""sendmail: the direct readers of its usual headers, with their examples.

    from mx.example.org (host.example.org [192.0.2.7]) by mail.example.com
        (8.14.4/8.14.4) with ESMTP id q0AA0xx1012345 for <bob@example.com>;
        Mon, 1 Jan 2024 10:00:00 +0000
    from mx.example.org ([192.0.2.7]) by mail.example.com (8.12.8/8.12.8) with SMTP
        id h1234; Mon, 1 Jan 2024 10:00:00 +0000

sendmail names itself by its version alone, as a comment after the ``by`` host
(:func:`headertrace.parse.vendors.sendmail_version`). ``HELO ([IP])``: the reverse lookup
found no name.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Client, Hop
from headertrace.parse import tables
from headertrace.parse.vendors import sendmail_version
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org (host.example.org [192.0.2.7]) by mail.example.com (8.14.4/8.14.4)"
    " with ESMTP id q0AA0xx1012345 for <bob@example.com>; Mon, 1 Jan 2024 10:00:00 +0000",
    "from mx.example.org ([192.0.2.7]) by mail.example.com (8.12.8/8.12.8) with SMTP"
    " id h1234; Mon, 1 Jan 2024 10:00:00 +0000",
)

_SMTP = re.compile(
    rf"from (?P<helo>{b.HOST}) \((?:(?P<rdns>{b.HOST}) )?\[(?P<ip>{b.LITERAL})\]\)"
    rf" by (?P<by>{b.HOST}) \((?P<version>[A-Za-z0-9][A-Za-z0-9./+_-]*)\)"
    rf" with (?P<proto>[A-Za-z0-9]+) id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)


def _bare_client(helo: str, literal: str) -> Client | None:
    """``from HELO ([IP])``: sendmail looked the name up and found none."""
    address = b.client_literal(literal)
    if address is None or not b.plain(helo):
        return None
    ip, port = address
    if helo.lower() in tables.NO_NAME_NOT_HELO:
        return Client(rdns_status="none", ip=ip, port=port)
    return Client(helo=helo, rdns_status="none", ip=ip, port=port)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    version = sendmail_version(m["version"])
    if version is None:
        return None
    rdns = m["rdns"]
    client = (
        _bare_client(m["helo"], m["ip"])
        if rdns is None
        else b.rdns_client(m["helo"], rdns, m["ip"])
    )
    server = b.server(m["by"], "sendmail", version)
    protocol = m["proto"]
    if client is None or server is None or not b.plain(m["id"]):
        return None
    kind = b.kind_of(protocol, client)
    if kind is None:
        return None
    return b.hop(
        value,
        m["date"],
        m["zone"],
        client=client,
        server=server,
        protocol=protocol,
        hop_id=m["id"],
        recipient=b.recipient(m["rcpt"]),
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, "sendmail", True),
    )
