"""MDaemon: its from part for the general reader, with its examples (no direct reader).

    from client.example.net [198.51.100.81] by mail.example.com (MDaemon PRO v10.1.2)
        with ESMTP id md50000012345.msg for <bob@example.com>;
        Mon, 07 Mar 2011 10:00:00 +0100

The name after ``from`` is the HELO, the address a literal outside any comment (MDaemon 19
and later: ``[(198.51.100.63)]``); MDaemon writes no reverse name.
"""

from __future__ import annotations

from headertrace.parse.vendors import FromStyle

GENERAL_EXAMPLES = (
    "from client.example.net [198.51.100.81] by mail.example.com (MDaemon PRO v10.1.2)"
    " with ESMTP id md50000012345.msg for <bob@example.com>; Mon, 07 Mar 2011 10:00:00 +0100",
    "from relay.example.net [(198.51.100.63)] by mx.example.com (203.0.113.65)"
    " (MDaemon PRO v19.0.2) with ESMTP id md50018233933.msg; Tue, 16 Jul 2019 11:39:22 +0200",
)

STYLES = {
    "MDaemon": FromStyle("helo_first", False, "from client [192.0.2.7] by mx (MDaemon PRO v6)"),
}
