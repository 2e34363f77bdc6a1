"""amavisd-new: the direct reader of the header it writes for a message its MTA hands it
(the content filter between two Postfix or Exim queues), with its example.

    from mx.example.com ([127.0.0.1]) by localhost (mx.example.com [127.0.0.1])
        (amavisd-new, port 10024) with ESMTP id 3CpL4nm3Z4lW for <bob@example.com>;
        Mon, 14 Apr 2008 17:03:12 +0200 (CEST)

The from part is the MTA's HELO and address, as sendmail writes it with no reverse name;
the ``by`` host is amavisd's ``localhost``, its own name and address in the comment
after it.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Hop
from headertrace.parse.literals import literal_address
from headertrace.parse.software import software_named
from headertrace.vendors import _build as b

EXAMPLE = (
    "from mx.example.com ([127.0.0.1]) by localhost (mx.example.com [127.0.0.1])"
    " (amavisd-new, port 10024) with ESMTP id 3CpL4nm3Z4lW for <bob@example.com>;"
    " Mon, 14 Apr 2008 17:03:12 +0200 (CEST)"
)

_AMAVIS = re.compile(
    rf"{b.FROM_RDNS} by (?P<by>{b.HOST})"
    rf" \((?P<by_name>(?P<by_rdns>{b.HOST}) \[(?P<by_ip>{b.LITERAL})\])\)"
    r" \((?P<amavis>amavisd-new, port [0-9]+)\) with (?P<proto>[A-Za-z0-9]+)"
    rf" id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _AMAVIS.fullmatch(text)
    if m is None:
        return None
    protocol, hop_id, by = m["proto"], m["id"], m["by"]
    by_ip, _ = literal_address(m["by_ip"])
    if by_ip is None or not b.plain(protocol) or not b.plain(hop_id):
        return None
    if not b.reads_as_name(m["by_rdns"]):
        return None
    software, version = software_named(
        (m["by_name"], m["amavis"]), (protocol, "", ""), (), False, by.lower().rstrip(".")
    )
    style = b.style_of(software)
    if style.bare != "helo_first" or (m["rdns"] or "").lower() == "squirrelmail":
        return None  # another layout of the from part
    client = b.from_client(m, style.records_rdns)
    server = b.server(by, software, version, by_ip)
    if client is None or server is None:
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
