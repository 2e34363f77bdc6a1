"""Dovecot's LMTP server: the direct reader of the header it writes on delivery, with its
examples.

    from mx.example.org ([192.0.2.7]) by imap.example.org with LMTP id kDgQCVyMeGmqqwEAu9
        (envelope-from <alice@example.com>) for <bob@example.org>;
        Tue, 27 Jan 2026 10:58:52 +0100

The LHLO name, the client's address where it has one; the session id, the envelope
sender in a comment, the recipient. The general reader names no software for it: the
name is asked of the same texts, and a header where they name one (an envelope sender
holding "postfix") is left to it, that family's layout then applying.
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
    "from mx.example.org ([192.0.2.7]) by imap.example.org with LMTP id kDgQCVyMeGmqqwEAu9"
    " (envelope-from <alice@example.com>) for <bob@example.org>;"
    " Tue, 27 Jan 2026 10:58:52 +0100",
    "from mail.example.org by imap with LMTP id kDgQCVyMeGmqqwEAu9opvQ"
    " (envelope-from <list-bounces@example.com>) for <bob@example.org>;"
    " Tue, 27 Jan 2026 10:58:52 +0100",
)

_LMTP = re.compile(
    rf"from (?P<helo>{b.HOST})(?: \(\[(?P<ip>{b.LITERAL})\]\))? by (?P<by>{b.HOST})"
    rf" with (?P<proto>LMTPS?) id (?P<id>{b.QUEUE_ID})"
    rf" \((?P<comment>envelope-from <(?P<sender>{b.ANGLE_ADDR})?>)\){b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _LMTP.fullmatch(text)
    if m is None:
        return None
    by, protocol, hop_id = m["by"], m["proto"], m["id"]
    # The id clause's text after the id is the comment, searched for names like the rest.
    named = software_named((), (protocol, m["comment"], ""), (), False, by.lower().rstrip("."))
    server = b.server(by, None, None)
    client = _client(m["helo"], m["ip"])
    if named != _UNNAMED or server is None or client is None or not b.plain(hop_id):
        return None
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol=protocol,
        hop_id=hop_id,
        kind="relay",
        index=index,
        header_index=header_index,
        after=after,
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, None, True),
        envelope_from=m["sender"],
    )


_UNNAMED = (None, None)


def _client(helo: str, literal: str | None) -> Client | None:
    """The default layout: the word after ``from`` is the LHLO name, no reverse name."""
    if not b.plain(helo) or helo.lower() in tables.NO_NAME_NOT_HELO:
        return None
    if literal is None:
        ip = normalise_ip(helo)  # "from 192.0.2.7 by": the address, no name
        return new_client(helo=helo) if ip is None else new_client(ip=ip)
    address = b.client_literal(literal)
    if address is None:
        return None
    ip, port = address
    return new_client(helo=helo, ip=ip, port=port)
