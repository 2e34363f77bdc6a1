"""fetchmail: the direct reader of the header it writes for each message it fetches.

    from mail.example.org [192.0.2.7] by localhost with IMAP (fetchmail-6.2.5)
        for <bob@localhost> (single-drop); Mon, 1 Jan 2024 10:00:00 +0100 (CET)

The from part is the server fetched from, as configured, and its address (older versions
write the name alone); fetchmail writes no reverse name and no HELO of its own, so the
name stands as the HELO.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.addresses import normalise_ip
from headertrace.models import Hop, new_client
from headertrace.parse import tables
from headertrace.vendors import _build as b

EXAMPLE = (
    "from mail.example.org [192.0.2.7] by localhost with IMAP (fetchmail-6.2.5)"
    " for <bob@localhost> (single-drop); Mon, 1 Jan 2024 10:00:00 +0100 (CET)"
)
NAME_ONLY_EXAMPLE = (
    "from pop3.example.org by localhost with POP3 (fetchmail-6.2.1) for bob@localhost"
    " (single-drop); Sat, 01 Mar 2003 13:51:44 +0000 (GMT)"
)

_FETCH = re.compile(
    rf"from (?P<host>{b.HOST})(?: \[(?P<ip>{b.LITERAL})\])? by (?P<by>{b.HOST})"
    r" with (?P<proto>[A-Za-z0-9]+) \(fetchmail-(?P<version>[A-Za-z0-9][A-Za-z0-9.+_-]*)\)"
    rf"{b.RECIPIENT}"
    rf" \((?:single|multi)-drop\);{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _FETCH.fullmatch(text)
    if m is None:
        return None
    host, protocol, literal = m["host"], m["proto"], m["ip"]
    server = b.server(m["by"], "fetchmail", m["version"])
    if server is None or not b.plain(host):
        return None
    if literal is None:  # the server's name alone, as configured
        host_ip = normalise_ip(host)
        if host_ip is not None:
            client = new_client(ip=host_ip)
        elif host.lower() in tables.NO_NAME_NOT_HELO:
            client = new_client(rdns_status="none")
        else:
            client = new_client(helo=host)
    else:
        address = b.client_literal(literal)
        if address is None:
            return None
        ip, port = address
        if host.lower() in tables.NO_NAME_NOT_HELO:
            client = new_client(rdns_status="none", ip=ip, port=port)
        else:
            client = new_client(helo=host, ip=ip, port=port)
    kind = b.kind_of(protocol, client)
    if kind is None:
        return None
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
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, "fetchmail", True),
    )
