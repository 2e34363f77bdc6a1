"""Cyrus IMAP's lmtpd: the direct reader of its delivery header, with its examples.

    from mx.example.org (mx.internal [10.0.0.7]) by imap.example.org (Cyrus v2.1.5)
        with LMTP; Mon, 19 Aug 2002 13:32:16 -0500

sendmail's layout: the LHLO name, then the delivering MTA's name and address in a
comment; the version after the ``by`` host; no queue id.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Hop
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org (mx.internal [10.0.0.7]) by imap.example.org (Cyrus v2.1.5)"
    " with LMTP; Mon, 19 Aug 2002 13:32:16 -0500",
    "from mx.example.org (mx.example.org [192.0.2.7]) by imap.example.org"
    " (Cyrus 3.8.0-alpha0-588-g85cd82fdd) with LMTPA; Thu, 17 Apr 2025 10:39:02 -0400",
)

_LMTP = re.compile(
    rf"{b.FROM_RDNS} by (?P<by>{b.HOST}) \((?P<stamp>Cyrus(?: v?[0-9][A-Za-z0-9._+-]*)?)\)"
    rf" with (?P<proto>[A-Za-z0-9]+)(?: id {b.ID})?{b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _LMTP.fullmatch(text)
    if m is None:
        return None
    return b.named_relay(value, m, "Cyrus", index=index, header_index=header_index, after=after)
