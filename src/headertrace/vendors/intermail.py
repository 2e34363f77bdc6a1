"""InterMail (Openwave, then Critical Path's and the cable ISPs' front ends): the direct
reader of its SMTP receipt, with its examples.

    from mx.example.org ([192.0.2.7]) by mta01.example.net (InterMail vM.5.01.05.12
        201-253-122-126-112-20020820) with ESMTP id
        <20030407012009.DZS311274.mta01.example.net@mx.example.org> for <bob@example.net>;
        Sun, 6 Apr 2003 21:20:09 -0400

sendmail's layout: the HELO, then the address in a comment (the reverse name before it
where the server looked one up); the product's version and build after the ``by`` host;
the id in angle brackets, the time, the message count and the host.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Hop
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org ([192.0.2.7]) by mta01.example.net (InterMail vM.5.01.05.12"
    " 201-253-122-126-112-20020820) with ESMTP id"
    " <20030407012009.DZS311274.mta01.example.net@mx.example.org> for <bob@example.net>;"
    " Sun, 6 Apr 2003 21:20:09 -0400",
    "from laptop (dsl.example.org [192.0.2.8]) by mta02.example.net (InterMail"
    " vK.4.04.00.00 201-232-137 license dcc4e84cb8fc01ca8f8654c982ec8526) with SMTP id"
    " <20020823081149.JPJZ17240.mta02@laptop>; Fri, 23 Aug 2002 04:11:49 -0400",
)

_SMTP = re.compile(
    rf"{b.FROM_RDNS} by (?P<by>{b.HOST})"
    r" \((?P<stamp>InterMail v[A-Za-z]\.[0-9][0-9.]* [A-Za-z0-9 -]*)\)"
    rf" with (?P<proto>[A-Za-z0-9]+) id {b.ID}{b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    return b.named_relay(value, m, "InterMail", index=index, header_index=header_index, after=after)
