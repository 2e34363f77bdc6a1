"""Kerio Connect: its from part for the general reader, with its example (no direct
reader).

    from [192.168.0.10] ([198.51.100.82]) (authenticated user bob@example.com)
        by mail.example.com (Kerio Connect 9.2.1) for x@elsewhere.example;
        Mon, 7 Mar 2016 10:00:00 +0100

The word or literal after ``from`` is the HELO; Kerio writes no reverse name.
"""

from __future__ import annotations

from headertrace.parse.vendors import FromStyle

GENERAL_EXAMPLES = (
    "from [192.168.0.10] ([198.51.100.82]) (authenticated user bob@example.com)"
    " by mail.example.com (Kerio Connect 9.2.1) for x@elsewhere.example;"
    " Mon, 7 Mar 2016 10:00:00 +0100",
)

STYLES = {
    "Kerio": FromStyle("helo_first", False, "from client ([192.0.2.7]) by mx (Kerio Connect 9)"),
}
