"""Dates as RFC 5322 writes them and as real servers write them.

Handled, each seen in real ``Received:`` headers::

    Thu, 22 Aug 2002 10:14:23 +0100           RFC 5322
    22 Aug 2002 10:14:23 -0000                no weekday
    Thu, 22 Aug 02 10:14:23 +0100             two-digit year (RFC 5322 4.3: 00-49 -> 20xx)
    Thu, 22 Aug 2002 10:14:23 EDT             named zone (RFC 822 and common abbreviations)
    Thu, 22 Aug 2002 10:14:23 +0100 (BST)     zone comment
    Thu Aug 22 10:14:23 2002                  asctime (qmail, some scanners)
    Thu, 22 Aug 2002 10:14 +0100              no seconds
    2021-03-04 05:06:07.123 +0000 UTC m=+0.12 Go's time.String()
    Thu, 22 Aug 2002 10:14:23 +0100 GMT       zone twice
    Thu, 22 Aug 2002 10:14:23                 no zone (taken as UTC, with a defect)
    26/08/2002 09:29:26                       qmail-scanner, day first (no zone)

The scan is a single pass over whitespace-separated words; anything it cannot place is
ignored, so trailing junk does not break an otherwise good date.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import product

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
WEEKDAYS = frozenset(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))

# RFC 822 zones and the abbreviations servers really write. Ambiguous ones (IST, CST in
# China) take their most common meaning in mail headers; the raw text is always kept.
ZONES = {
    "ut": 0,
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "wet": 0,
    "bst": 60,
    "ist": 60,
    "cet": 60,
    "met": 60,
    "mez": 60,
    "cest": 120,
    "mest": 120,
    "eet": 120,
    "eest": 180,
    "msk": 180,
    "edt": -240,
    "est": -300,
    "cdt": -300,
    "cst": -360,
    "mdt": -360,
    "mst": -420,
    "pdt": -420,
    "pst": -480,
    "akdt": -480,
    "akst": -540,
    "hst": -600,
    "jst": 540,
    "kst": 540,
    "hkt": 480,
    "sgt": 480,
    "awst": 480,
    "acst": 570,
    "aest": 600,
    "aedt": 660,
    "nzst": 720,
    "nzdt": 780,
}


class DateResult:
    """A parsed date: ``value`` is timezone-aware, or ``None`` with ``defect`` saying why."""

    __slots__ = ("defect", "value")

    def __init__(self, value: datetime | None, defect: str | None = None) -> None:
        self.value = value
        self.defect = defect


def _offset_minutes(word: str) -> int | None:
    """``+0100`` / ``-0500`` / ``+01:00`` -> minutes; ``None`` when not an offset."""
    if len(word) < 3 or word[0] not in "+-":
        return None
    digits = word[1:].replace(":", "")
    if not digits.isdecimal() or len(digits) not in (2, 4):
        return None
    hours = int(digits[:2])
    minutes = int(digits[2:]) if len(digits) == 4 else 0
    if hours > 23 or minutes > 59:
        return None
    sign = -1 if word[0] == "-" else 1
    return sign * (hours * 60 + minutes)


def _time(word: str) -> tuple[int, int, int] | None:
    parts = word.split(":")
    if len(parts) not in (2, 3):
        return None
    if len(parts) == 3 and "." in parts[2]:  # fractional seconds (Go, some scanners)
        parts[2] = parts[2].split(".", 1)[0]
    if not all(p.isdecimal() and len(p) <= 2 for p in parts):
        return None
    h, m = int(parts[0]), int(parts[1])
    s = int(parts[2]) if len(parts) == 3 else 0
    if h > 23 or m > 59 or s > 60:
        return None
    return h, m, min(s, 59)


def _iso_date(word: str) -> tuple[int, int, int] | None:
    parts = word.split("-")
    if len(parts) != 3 or not all(p.isdecimal() for p in parts) or len(parts[0]) != 4:
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


def _slash_date(word: str) -> tuple[int, int, int] | None:
    """``26/08/2002``: day first, as qmail-scanner writes it (``%d/%m/%Y``)."""
    parts = word.split("/")
    if len(parts) != 3 or not all(p.isdecimal() for p in parts) or len(parts[2]) != 4:
        return None
    return int(parts[2]), int(parts[1]), int(parts[0])


def _year(word: str) -> int | None:
    if not word.isdecimal() or len(word) not in (2, 3, 4):
        return None
    y = int(word)
    if len(word) == 2:
        return 2000 + y if y < 50 else 1900 + y
    if len(word) == 3:  # RFC 5322 obs-year: add 1900
        return 1900 + y
    return y


# The common RFC 5322 form, read in one match: "[Day,] DD Mon YYYY HH:MM[:SS] +ZZZZ".
# Fixed-width pieces and single character classes: no backtracking. Anything else goes
# through the word scanner below.
_RFC5322 = re.compile(
    r"\s*(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+"
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s+([+-]\d{4})(?![\d:])"
)
# The month of each spelling ("Jan", "JAN", "jan", ...): no lower() per date.
_MONTH_SPELLINGS = {
    "".join(letters): month
    for name, month in MONTHS.items()
    for letters in product(*((c, c.upper()) for c in name))
}
# "+0200" -> its timezone, filled as met: at most the 2,880 offsets of 23:59 or less.
_OFFSETS: dict[str, timezone] = {}


def _offset_zone(text: str) -> timezone | None:
    """The zone of a ``+HHMM`` / ``-HHMM`` offset, ``None`` past 23:59."""
    hours, minutes = int(text[1:3]), int(text[3:5])
    if hours > 23 or minutes > 59:
        return None
    zone = _OFFSETS[text] = _zone((hours * 60 + minutes) * (-1 if text[0] == "-" else 1))
    return zone


# "0".."99" and "00".."09" -> their value: int() of a short text costs several times a
# lookup, and a date has five numbers. Other digits ("٣", which \d also matches) go
# through int() as before.
_NUMBERS = {text: n for n in range(100) for text in (str(n), f"{n:02d}")}
_YEARS: dict[str, int] = {}  # filled as met, with ASCII years only: at most 10,000


def _fast(text: str) -> DateResult | None:
    m = _RFC5322.match(text)
    if m is None:
        return None
    day, mon, year, hour, minute, second, offset = m.groups()
    month = _MONTH_SPELLINGS.get(mon)
    zone = _OFFSETS.get(offset) or _offset_zone(offset)
    if month is None or zone is None:
        return None
    numbers = _NUMBERS
    d, h, mi = numbers.get(day), numbers.get(hour), numbers.get(minute)
    s = numbers.get(second) if second else 0
    y = _YEARS.get(year)
    if y is None:
        y = int(year)
        if year.isascii():
            _YEARS[year] = y
    if d is None or h is None or mi is None or s is None:
        d, h, mi, s = int(day), int(hour), int(minute), int(second or 0)
    if s > 59:  # a leap second is read as :59; past it, as scan_date reads it
        if s > 60:
            return None
        s = 59
    try:
        value = datetime(y, month, d, h, mi, s, 0, zone)
    except ValueError:
        return None
    return DateResult(value)


@lru_cache(maxsize=256)
def _zone(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


def parse_date(text: str) -> DateResult:
    """Parse a date as found after the ``;`` of a Received header."""
    fast = _fast(text)
    if fast is not None:
        return fast
    return scan_date(text)


def scan_date(text: str) -> DateResult:
    """The general date reader, word by word: every form :func:`parse_date` knows. Its
    one-expression form (``_fast``) gives the same answer wherever it matches (tested
    on every corpus date)."""
    words = text.replace(",", " ").replace("(", " (").split()
    if len(words) > 40:  # a date is short; a long tail is junk
        words = words[:40]
    day = month = year = None
    hms: tuple[int, int, int] | None = None
    offset: int | None = None
    for word in words:
        low = word.lower().strip(".()")
        if not low:
            continue
        if low[:3] in MONTHS and month is None and low.isalpha() and len(low) >= 3:
            month = MONTHS[low[:3]]
        elif low[:3] in WEEKDAYS and low.isalpha():
            continue
        elif hms is None and ":" in low and (t := _time(low)) is not None:
            hms = t
        elif offset is None and (o := _offset_minutes(word.strip("()"))) is not None:
            offset = o
        elif offset is None and low in ZONES and hms is not None:
            offset = ZONES[low]
        elif low.isdecimal():
            if day is None and len(low) <= 2 and month is None and year is None:
                day = int(low)
            elif day is None and len(low) <= 2 and month is not None and hms is None:
                day = int(low)  # asctime: "Aug 22"
            elif year is None:
                year = _year(low)
        elif ((d := _iso_date(low)) is not None and year is None) or (
            (d := _slash_date(low)) is not None and year is None
        ):
            year, month, day = d
    if day is None or month is None or year is None or hms is None:
        return DateResult(None, "unparseable-date")
    defect = None
    if offset is None:
        offset, defect = 0, "date-without-zone"
    try:
        tz = _zone(offset)
        value = datetime(year, month, day, hms[0], hms[1], hms[2], tzinfo=tz)
    except ValueError:
        return DateResult(None, "invalid-date")
    return DateResult(value, defect)


def looks_like_date_start(word: str, following: str) -> bool:
    """True when ``word`` (with the word after it) could open a date.

    Used to find dates that follow the last clause without the ``;`` separator
    (SendGrid, some scanners): a weekday, or a day number followed by a month name.
    """
    low = word.lower().rstrip(",")
    if low in WEEKDAYS:
        return True
    if _iso_date(low) is not None:
        return True  # Go's time.String(): "2023-03-23 15:00:00.123 +0000 UTC"
    return low.isdecimal() and len(low) <= 2 and following.lower()[:3] in MONTHS
