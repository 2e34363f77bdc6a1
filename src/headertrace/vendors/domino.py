"""Lotus Domino: its from part for the general reader, with its example (no direct reader).

    from client.example.net ([198.51.100.80]) by notes.example.com
        (Lotus Domino Release 5.0.8) with ESMTP id 2002082210142345:1234 ;
        Thu, 22 Aug 2002 10:14:23 +0100

The name after ``from`` is the HELO; Domino writes no reverse name.
"""

from __future__ import annotations

from headertrace.parse.vendors import FromStyle

GENERAL_EXAMPLES = (
    "from client.example.net ([198.51.100.80]) by notes.example.com"
    " (Lotus Domino Release 5.0.8) with ESMTP id 2002082210142345:1234 ;"
    " Thu, 22 Aug 2002 10:14:23 +0100",
)

STYLES = {
    "Lotus Domino": FromStyle(
        "helo_first", False, "from client ([192.0.2.7]) by notes (Lotus Domino Release 5.0.8)"
    ),
}
