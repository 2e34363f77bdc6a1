"""Netscape's Messaging Server and its successors (iPlanet, Sun ONE, Sun Java System,
Oracle Communications Messaging Server): the direct reader of their SMTP receipt, with
its examples.

    from mx.example.org ([192.0.2.7]) by mta6.example.net (iPlanet Messaging Server 5.1
        (built May  7 2001)) with ESMTP id <0H3N006X7ZLZ03@mta6.example.net> for
        bob@example.net; Tue, 08 Oct 2002 06:17:59 -0700 (PDT)

sendmail's layout: the HELO, then the address in a comment, the reverse name before it
where the server looked one up; the product, version, patch level and build date after
the ``by`` host; the id in angle brackets, the recipient often without them.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Hop
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org ([192.0.2.7]) by mta6.example.net (iPlanet Messaging Server 5.1"
    " (built May  7 2001)) with ESMTP id <0H3N006X7ZLZ03@mta6.example.net> for"
    " bob@example.net; Tue, 08 Oct 2002 06:17:59 -0700 (PDT)",
    "from laptop (dsl.example.org [192.0.2.8]) by mta.example.net (iPlanet Messaging"
    " Server 5.2 HotFix 1.24 (built Dec 19 2003)) with SMTP id"
    " <0I1U00MWPMO68W@mta.example.net> for bob@example.net;"
    " Mon, 02 Aug 2004 21:24:06 -0500 (CDT)",
    "from mx.example.org ([192.0.2.7]) by mail.example.net (Netscape Messaging Server"
    " 4.15) with ESMTP id H1MDJE00.QC6 for <bob@example.net>;"
    " Thu, 29 Aug 2002 12:16:26 -0700",
    "from relay.example.org (relay.example.org [192.0.2.9]) by mx.example.net (Oracle"
    " Communications Messaging Server 8.1.0.23.20230328 64bit (built Mar 28 2023)) with"
    " ESMTPS id <0S0M00K0GX4CGN90@mx.example.net> for bob@example.net;"
    " Thu, 07 Sep 2023 10:00:00 +0000 (GMT)",
)

_PRODUCT = (
    r"(?:Netscape|iPlanet|Sun ONE|Sun Java\(tm\) System|Sun Java System"
    r"|Oracle Communications) Messaging Server"
)
_SMTP = re.compile(
    rf"{b.FROM_RDNS} by (?P<by>{b.HOST})"
    rf" \((?P<stamp>{_PRODUCT} [0-9][A-Za-z0-9. ]*(?:\(built [A-Za-z0-9 ]*\))?)\)"
    rf" with (?P<proto>[A-Za-z0-9]+) id {b.ID}{b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    return b.named_relay(
        value, m, "Sun Messaging Server", index=index, header_index=header_index, after=after
    )
