"""Cisco IronPort (AsyncOS): the direct reader of its header, with its examples.

    from mx.example.org ([192.0.2.7]) by esa1.example.com with ESMTP;
        03 Oct 2005 17:05:17 -0700
    from mx.example.org ([192.0.2.7]) by esa2.example.com
        with ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384; 21 Feb 2021 05:56:43 -0800

The HELO and the address literal, the reverse name beside it where the appliance looked
one up; no queue id; the TLS session written into the protocol. Other servers write the
same shape and are read alike, the software named (or not) as the general reader names it.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Hop
from headertrace.parse.software import software_named
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org ([192.0.2.7]) by esa1.example.com with ESMTP; 03 Oct 2005 17:05:17 -0700",
    "from mx.example.org (mx.example.org [192.0.2.7]) by esa2.example.com"
    " with ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384; 21 Feb 2021 05:56:43 -0800",
)

_ESMTP = re.compile(
    rf"{b.FROM_RDNS} by (?P<by>{b.HOST}) with (?P<proto>[A-Za-z0-9]+)"
    r"(?P<tls_part>/TLS/(?P<cipher>[A-Za-z0-9_-]+))?;"
    rf"{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _ESMTP.fullmatch(text)
    if m is None:
        return None
    protocol, by, tls_part = m["proto"], m["by"], m["tls_part"]
    low = protocol.lower()
    if not b.plain(protocol) or low == "microsoft":
        return None
    if tls_part is not None and not low.startswith(("esmtp", "smtp")):
        return None  # the general reader splits "ESMTP/TLS/..." and "SMTP/TLS/..." alone
    with_text = protocol + (tls_part or "")
    software, version = software_named((), (with_text, "", ""), (), False, by.lower().rstrip("."))
    style = b.style_of(software)
    if style.bare != "helo_first" or (m["rdns"] or "").lower() == "squirrelmail":
        return None  # another layout of the from part
    if software is not None and software.startswith("Micro"):
        return None  # Exchange's own readings of the protocol
    client = b.from_client(m, style.records_rdns)
    server = b.server(by, software, version)
    if client is None or server is None:
        return None
    kind = b.kind_of(protocol, client)
    if kind is None:
        return None
    tls = b.tls_of(protocol) if tls_part is None else b.tls("TLS", m["cipher"])
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol=protocol,
        hop_id=None,
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=tls,
        auth=b.auth_of(protocol, software, True),
    )
