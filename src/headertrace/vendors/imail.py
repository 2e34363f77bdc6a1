"""Ipswitch IMail's SMTP server (SMTPD32): the direct reader of its header, with its
examples.

    from mx.example.org [192.0.2.7] by mail.example.com with ESMTP (SMTPD32-7.04)
        id A102470060; Thu, 22 Aug 2002 09:27:46 -0700
    from mx.example.org [192.0.2.7] by mail.example.com (SMTPD32-7.12) id AD7FA80134;
        Tue, 27 Aug 2002 18:38:39 -0500

The HELO, then the address as a literal outside any comment (no reverse name); the
server's build in a comment, in the with clause when it writes one. The general reader
names no software for it; the name is asked of the same texts, so that a table naming
it changes both readers alike.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Hop, RdnsStatus, new_client
from headertrace.parse import tables
from headertrace.parse.software import software_named
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org [192.0.2.7] by mail.example.com with ESMTP (SMTPD32-7.04)"
    " id A102470060; Thu, 22 Aug 2002 09:27:46 -0700",
    "from mx.example.org [192.0.2.7] by mail.example.com (SMTPD32-7.12) id AD7FA80134;"
    " Tue, 27 Aug 2002 18:38:39 -0500",
    "from laptop [192.0.2.8] by mail.example.com (SMTPD32-7.07 EVAL) id AFF92F0214;"
    " Sun, 12 May 2002 08:55:37 +0100",
)

_SMTPD = re.compile(
    rf"from (?P<helo>{b.HOST}) \[(?P<ip>{b.LITERAL})\] by (?P<by>{b.HOST})"
    r"(?: with (?P<proto>[A-Za-z0-9]+))? \((?P<stamp>SMTPD32-[0-9][0-9.]*(?: EVAL)?)\)"
    rf" id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)
# What the general reader may call it, once a table names it.
_NAMES = (None, "IMail")


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTPD.fullmatch(text)
    if m is None:
        return None
    helo, by, protocol, stamp, hop_id = m.group("helo", "by", "proto", "stamp", "id")
    address = b.client_literal(m["ip"])
    if (
        address is None
        or not b.plain(helo)
        or not b.plain(hop_id)
        or helo.lower() in tables.NO_NAME_NOT_HELO
        or (protocol is not None and (not b.plain(protocol) or protocol.lower() == "microsoft"))
    ):
        return None
    # The comment stands in the with clause when there is one, else after the by host.
    if protocol is None:
        named = software_named((stamp,), ("", "", ""), (), False, by.lower().rstrip("."))
    else:
        texts = (f"{protocol} {stamp}", "", "")
        named = software_named((), texts, (), False, by.lower().rstrip("."))
    software, version = named
    style = b.style_of(software)
    server = b.server(by, software, version)
    if software not in _NAMES or style.bare != "helo_first" or server is None:
        return None
    ip, port = address
    status: RdnsStatus = "none" if style.records_rdns else "not_recorded"
    client = new_client(helo=helo, rdns_status=status, ip=ip, port=port)
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
        tls=None if protocol is None else b.tls_of(protocol),
        auth=b.NO_AUTH if protocol is None else b.auth_of(protocol, software, True),
    )
