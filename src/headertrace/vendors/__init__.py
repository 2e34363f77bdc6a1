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
from headertrace.vendors import fetchmail, postfix, sendmail

Reader = Callable[[str, str, int, int, datetime | None], Hop | None]

READERS: tuple[Reader, ...] = (postfix.read, sendmail.read, fetchmail.read)
"""Most frequent first; each fails fast, its pattern being anchored."""


def read_direct(
    value: str, index: int = 0, header_index: int = 0, after: datetime | None = None
) -> Hop | None:
    """The hop of ``value`` if a direct reader takes it whole, else ``None``."""
    if not value.startswith("from "):
        return None
    text = unfold(value)
    for read in READERS:
        hop = read(text, value, index, header_index, after)
        if hop is not None:
            return hop
    return None
