"""Mercury (Pegasus Mail's server, for NetWare and Windows): its forms for the general
reader, with their examples.

    from mx.example.org (192.0.2.7) by mail.example.com (Mercury 1.48) with ESMTP;
        21 Jan 01 22:27:25 GMT
    from SRV1/SpoolDir by mail.example.com (Mercury 1.44); 22 Aug 02 14:50:58 +0000

Mercury's core module, taking a message out of its queue directory (a message its own
SMTP server took in, or one a Pegasus Mail user dropped there), writes the queue where the
client would stand: ``SpoolDir`` or ``SERVER/SpoolDir`` on NetWare, ``Spooler`` on
Windows. That is a pickup inside the server, no client and no HELO.
"""

from __future__ import annotations

from headertrace.parse.lexer import Kind, Token

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
