"""PowerMTA (Port25, bulk senders and newsletters): the direct reader of its header, with
its examples.

    from app01.example.com (192.0.2.7) by mta1.example.com (PowerMTA(TM) v3.5r15)
        id h13ska0ko6cn for <bob@example.org>; Wed, 15 Dec 2010 12:21:20 -0500
        (envelope-from <bounce-123@example.com>)

The HELO of the application that injected the message and its bare address; a message
written by PowerMTA itself has no from part. The envelope sender follows the date.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.addresses import normalise_ip
from headertrace.models import Client, Hop, new_client
from headertrace.parse import tables
from headertrace.parse.software import software_named
from headertrace.vendors import _build as b

EXAMPLES = (
    "from app01.example.com (192.0.2.7) by mta1.example.com (PowerMTA(TM) v3.5r15)"
    " id h13ska0ko6cn for <bob@example.org>; Wed, 15 Dec 2010 12:21:20 -0500"
    " (envelope-from <bounce-123@example.com>)",
    "from agent2 (192.0.2.8) by mta4.example.com (PowerMTA(TM) v1.5);"
    " Tue, 9 Jul 2002 15:49:15 -0700 (envelope-from <news#3.19578.b@example.com>)",
    "by mta4.example.com (PowerMTA(TM) v1.5); Wed, 14 Aug 2002 09:35:04 -0400"
    " (envelope-from <news@example.com>)",
)

_PMTA = re.compile(
    rf"(?:from (?P<helo>{b.HOST}) \((?P<ip>[0-9.]+)\) )?by (?P<by>{b.HOST})"
    r" \((?P<stamp>PowerMTA\(TM\) v[0-9][A-Za-z0-9.]*)\)"
    rf"(?: id (?P<id>{b.QUEUE_ID}))?{b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _PMTA.fullmatch(text)
    if m is None:
        return None
    by, hop_id = m["by"], m["id"]
    software, version = software_named((m["stamp"],), ("", "", ""), (), False, by.lower())
    server = b.server(by, software, version)
    client = _client(m["helo"], m["ip"])
    if (
        software != "PowerMTA"
        or server is None
        or client is None
        or (hop_id is not None and not b.plain(hop_id))
    ):
        return None
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol=None,
        hop_id=hop_id,
        kind="unknown" if client.ip is None else "relay",
        index=index,
        header_index=header_index,
        after=after,
    )


def _client(helo: str | None, bare: str | None) -> Client | None:
    """The default layout (PowerMTA names no layout of its own): the word after ``from``
    is the HELO, the address the one in the comment; no reverse name recorded."""
    if helo is None:
        return _NO_CLIENT
    ip = normalise_ip(bare or "")
    if ip is None or not b.plain(helo):
        return None
    if helo.lower() in tables.NO_NAME_NOT_HELO:
        return new_client(rdns_status="none", ip=ip)
    return new_client(helo=helo, ip=ip)


_NO_CLIENT = Client()
