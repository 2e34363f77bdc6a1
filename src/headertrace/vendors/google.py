"""Google: the direct reader of the header Gmail's servers write with no from part, with
its example.

    by rv-out-0506.google.com with SMTP id b17so970201rvf.44
        for <bob@example.org>; Mon, 14 Apr 2008 08:03:14 -0700 (PDT)

No client is recorded; the software comes from the host's name (``SOFTWARE_BY_HOST``),
so the same shape from another host (``by 10.141.164.13 with SMTP id ...``) is read alike.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Client, Hop
from headertrace.vendors import _build as b

EXAMPLE = (
    "by rv-out-0506.google.com with SMTP id b17so970201rvf.44"
    " for <bob@example.org>; Mon, 14 Apr 2008 08:03:14 -0700 (PDT)"
)

_BY = re.compile(
    rf"by (?P<by>{b.HOST}) with (?P<proto>[A-Za-z0-9]+) id (?P<id>{b.QUEUE_ID})"
    rf"{b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _BY.fullmatch(text)
    if m is None:
        return None
    protocol, hop_id = m["proto"], m["id"]
    server = b.server(m["by"], b.software_by_host(m["by"]), None)
    client = Client()
    kind = b.kind_of(protocol, client)
    if server is None or kind is None or not b.plain(hop_id) or not b.plain(protocol):
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
        auth=b.auth_of(protocol, server.software, False),
    )
