"""One module per MTA family: the direct readers of the header shapes it writes, each with
its example.

:func:`read_direct` tries them; a header none takes whole goes to the general reader
(:mod:`headertrace.parse.received`), which stays the reference. ``tests/test_vendors.py``
proves that wherever a direct reader takes a header, its ``Hop`` equals the general
reader's, field for field. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from headertrace.models import Hop
from headertrace.parse.headers import unfold
from headertrace.vendors import exim, fetchmail, google, microsoft, postfix, qmail, sendmail

Reader = Callable[[str, str, int, int, datetime | None], Hop | None]

# By the header's first word; most frequent first. Each fails fast, its pattern being
# anchored.
READERS: dict[str, tuple[Reader, ...]] = {
    "from": (postfix.read, sendmail.read, fetchmail.read, microsoft.read, exim.read, qmail.read),
    "by": (google.read, postfix.read_pickup),
    "(from": (sendmail.read_submission,),
    "(qmail": (qmail.read_queue,),
}


def read_direct(
    value: str, index: int = 0, header_index: int = 0, after: datetime | None = None
) -> Hop | None:
    """The hop of ``value`` if a direct reader takes it whole, else ``None``."""
    readers = READERS.get(value[: value.find(" ")])
    if readers is None:
        return None
    text = unfold(value)
    for read in readers:
        hop = read(text, value, index, header_index, after)
        if hop is not None:
            return hop
    return None
