"""Postfix: the direct reader of its usual header, with its example.

    from mx.example.org (unknown [192.0.2.7]) by mail.example.com (Postfix) with ESMTP
        id 4B2D3C1A2F for <bob@example.com>; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)

The from part is ``HELO (RDNS [IP])``, ``unknown`` where the reverse lookup found no name.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Hop
from headertrace.vendors import _build as b

EXAMPLE = (
    "from mx.example.org (unknown [192.0.2.7]) by mail.example.com (Postfix) with ESMTP"
    " id 4B2D3C1A2F for <bob@example.com>; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)"
)

_SMTP = re.compile(
    rf"from (?P<helo>{b.HOST}) \((?P<rdns>{b.HOST}) \[(?P<ip>{b.LITERAL})\]\)"
    rf" by (?P<by>{b.HOST}) \(Postfix\) with (?P<proto>[A-Za-z0-9]+) id (?P<id>{b.QUEUE_ID})"
    rf"{b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    client = b.rdns_client(m["helo"], m["rdns"], m["ip"])
    server = b.server(m["by"], "Postfix", None)
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
        auth=b.auth_of(protocol, "Postfix", True),
    )
