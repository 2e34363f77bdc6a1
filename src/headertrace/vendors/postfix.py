"""Postfix: the direct reader of its usual header, with its example.

    from mx.example.org (unknown [192.0.2.7]) by mail.example.com (Postfix) with ESMTP
        id 4B2D3C1A2F for <bob@example.com>; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)

The from part is ``HELO (RDNS [IP])``, ``unknown`` where the reverse lookup found no name.
A message submitted on the server itself (the pickup service) has no from part, and the
local user in the ``by`` comment:

    by mail.example.com (Postfix, from userid 500) id 66ADCD88BE;
        Thu, 10 Aug 2000 06:18:47 +0000 (UTC)
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Client, Hop
from headertrace.vendors import _build as b

EXAMPLE = (
    "from mx.example.org (unknown [192.0.2.7]) by mail.example.com (Postfix) with ESMTP"
    " id 4B2D3C1A2F for <bob@example.com>; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)"
)

PICKUP_EXAMPLE = (
    "by mail.example.com (Postfix, from userid 500) id 66ADCD88BE;"
    " Thu, 10 Aug 2000 06:18:47 +0000 (UTC)"
)

_PICKUP = re.compile(
    rf"by (?P<by>{b.HOST}) \(Postfix, from userid (?P<user>[0-9]+)\)"
    rf" id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)
_SMTP = re.compile(
    rf"{b.FROM_RDNS} by (?P<by>{b.HOST}) \(Postfix\) with (?P<proto>[A-Za-z0-9]+)"
    rf" id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    client = b.from_client(m)
    server = b.server(m["by"], "Postfix", None)
    protocol = m["proto"]
    if client is None or server is None or not b.plain(m["id"]):
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
        hop_id=m["id"],
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, "Postfix", True),
    )


def read_pickup(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _PICKUP.fullmatch(text)
    if m is None:
        return None
    server = b.server(m["by"], "Postfix", None)
    if server is None or not b.plain(m["id"]):
        return None
    return b.hop(
        value,
        m,
        client=Client(ident=m["user"]),
        server=server,
        protocol=None,
        hop_id=m["id"],
        kind="local",
        index=index,
        header_index=header_index,
        after=after,
    )
