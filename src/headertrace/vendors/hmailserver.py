"""hMailServer (Windows): the direct reader of its header, with its examples.

    from mx.example.org ([192.0.2.7]) by MAIL01 with hMailServer;
        Sun, 22 Jun 2008 12:28:07 +0200

The HELO and the address literal (no reverse name); the server's own name as the
protocol, often with a blank before the ``;``; no queue id.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Hop
from headertrace.parse.software import software_named
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org ([192.0.2.7]) by MAIL01 with hMailServer; Sun, 22 Jun 2008 12:28:07 +0200",
    "from laptop ([192.0.2.8]) by mail.example.com with hMailServer ;"
    " Wed, 12 Oct 2016 03:05:50 -0700",
)

_NAME = "hMailServer"
_SMTP = re.compile(rf"{b.FROM_RDNS} by (?P<by>{b.HOST}) with hMailServer ?;{b.DATE}")


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    by = m["by"]
    software, version = software_named((), (_NAME, "", ""), (), False, by.lower().rstrip("."))
    style = b.style_of(software)
    if software != _NAME or style.bare != "helo_first":
        return None
    client = b.from_client(m, style.records_rdns)
    server = b.server(by, software, version)
    if client is None or server is None:
        return None
    kind = b.kind_of(_NAME, client)
    if kind is None:
        return None
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol=_NAME,
        hop_id=None,
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=b.tls_of(_NAME),
        auth=b.auth_of(_NAME, software, True),
    )
