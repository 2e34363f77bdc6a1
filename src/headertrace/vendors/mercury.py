"""Mercury (Pegasus Mail's server, for NetWare and Windows): the direct reader of its queue
pickup and its forms for the general reader, with their examples.

    from mx.example.org (192.0.2.7) by mail.example.com (Mercury 1.48) with ESMTP;
        21 Jan 01 22:27:25 GMT
    from SRV1/SpoolDir by mail.example.com (Mercury 1.44); 22 Aug 02 14:50:58 +0000

Mercury's core module, taking a message out of its queue directory (a message its own
SMTP server took in, or one a Pegasus Mail user dropped there), writes the queue where the
client would stand: ``SpoolDir`` or ``SERVER/SpoolDir`` on NetWare, ``Spooler`` on
Windows. That is a pickup inside the server, no client and no HELO.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Client, Hop
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.software import software_named
from headertrace.vendors import _build as b

EXAMPLES = (
    "from SRV1/SpoolDir by mail.example.com (Mercury 1.44); 22 Aug 02 14:50:58 +0000",
    "from Spooler by mail.example.com (Mercury/32 v3.21c) ID MO000F96; 23 Aug 02 14:56:22 +0900",
)

_SPOOL = re.compile(
    rf"from (?:{b.HOST}/)?(?i:spooldir|spooler) by (?P<by>{b.HOST})"
    rf" \((?P<stamp>Mercury(?:/32)? v?[0-9][A-Za-z0-9.]*)\)(?: ID (?P<id>{b.QUEUE_ID}))?;{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    """A message taken out of Mercury's queue directory: no client, a local hop."""
    m = _SPOOL.fullmatch(text)
    if m is None:
        return None
    by, hop_id = m["by"], m["id"]
    software, version = software_named(
        (m["stamp"],), ("", "", ""), (), False, by.lower().rstrip(".")
    )
    server = b.server(by, software, version)
    if (
        server is None
        or not (software or "").startswith(NAME_PREFIX)
        or (hop_id is not None and not b.plain(hop_id))
    ):
        return None
    return b.hop(
        value,
        m,
        client=_NO_CLIENT,
        server=server,
        protocol=None,
        hop_id=hop_id,
        kind="local",
        index=index,
        header_index=header_index,
        after=after,
    )


_NO_CLIENT = Client()

# === For the general reader =================================================================

GENERAL_EXAMPLES = (
    "from SRV1/SpoolDir by mail.example.com (Mercury 1.44); 22 Aug 02 14:50:58 +0000",
    "from SpoolDir by SRV1 (Mercury 1.44); 22 Aug 02 14:50:31 +0000",
    "from Spooler by mail.example.com (Mercury/32 v3.21c) ID MO000F96; 23 Aug 02 14:56:22 +0900",
)

NAME_PREFIX = "Mercury"
"""How the names of Mercury's software start (``Mercury``, ``Mercury/32``)."""

_QUEUES = frozenset(("spooldir", "spooler"))


def spool_pickup(from_part: list[Token], software: str | None) -> bool:
    """The from part names Mercury's queue directory, not a client (see the module)."""
    if len(from_part) != 1 or from_part[0].kind is not Kind.WORD:
        return False
    if not (software or "").startswith(NAME_PREFIX):
        return False
    return from_part[0].text.rpartition("/")[2].lower() in _QUEUES
