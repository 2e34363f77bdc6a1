"""The syslog line: time, host, program[pid], message.

Three time stamps are read: RFC 3164 (``Dec  3 15:19:03``, no year and no zone: the year is
the one that puts the date nearest a hint, the zone is the reader's assumption), ISO 8601 as
rsyslog's RFC 3339 templates and ``journalctl -o short-iso`` write it
(``2026-12-03T15:19:03.123456+00:00``, ``...+0000``), and RFC 5424 with its
``<PRI>1`` head and ``APP PROCID MSGID SD`` fields. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}

_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s?(Z|[+-]\d\d:?\d\d)?"
)
_TAG = re.compile(r"([^\s\[:]+)(?:\[(\d+)\])?:\s?")


@dataclass(frozen=True, slots=True)
class Clock:
    """How to read times that lack a year or a zone."""

    year_hint: datetime | None = None
    """Dates without a year take the year that puts them nearest this."""
    zone: tzinfo = timezone.utc
    """Times without a zone are read in this one."""


@dataclass(frozen=True, slots=True)
class SyslogLine:
    time: datetime | None
    zone_given: bool
    host: str | None
    program: str
    pid: str | None
    message: str


def _offset(text: str | None, clock: Clock) -> tuple[tzinfo, bool]:
    if not text:
        return clock.zone, False
    if text == "Z":
        return timezone.utc, True
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    try:
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
        return timezone(sign * delta), True
    except ValueError:
        return clock.zone, False


def iso_time(text: str, clock: Clock) -> tuple[datetime | None, bool, int]:
    """An ISO 8601 time at the start of ``text``: (time, zone given, characters used)."""
    m = _ISO.match(text)
    if not m:
        return None, False, 0
    tz, given = _offset(m.group(8), clock)
    frac = (m.group(7) or "0")[:6].ljust(6, "0")
    try:
        t = datetime(
            int(m.group(1)),
            int(m.group(2)),
            int(m.group(3)),
            int(m.group(4)),
            int(m.group(5)),
            int(m.group(6)),
            int(frac),
            tzinfo=tz,
        )
    except ValueError:
        return None, False, 0
    return t, given, m.end()


def bsd_time(text: str, clock: Clock) -> tuple[datetime | None, int]:
    """An RFC 3164 time (``Mmm dd hh:mm:ss``) at the start of ``text``, its year inferred."""
    if len(text) < 15:
        return None, 0
    month = MONTHS.get(text[:3].lower())
    if month is None or text[3] != " ":
        return None, 0
    rest = text[4:].lstrip(" ")
    used = len(text) - len(rest)
    day, _, rest2 = rest.partition(" ")
    clock_text = rest2[:8]
    try:
        hh, mm, ss = (int(x) for x in clock_text.split(":"))
        d = int(day)
    except ValueError:
        return None, 0
    used += len(day) + 1 + 8
    rest3 = text[used:]
    if rest3.startswith("."):  # fractional seconds (rsyslog high precision without a year)
        frac_end = 1
        while frac_end < len(rest3) and rest3[frac_end].isdigit():
            frac_end += 1
        used += frac_end
    hint = clock.year_hint
    years = [hint.year - 1, hint.year, hint.year + 1] if hint else [datetime.now().year]
    best: datetime | None = None
    for y in years:
        try:
            t = datetime(y, month, d, hh, mm, ss, tzinfo=clock.zone)
        except ValueError:
            continue
        if best is None or (hint and abs(t - hint) < abs(best - hint)):
            best = t
    return best, used


def parse_syslog(text: str, clock: Clock) -> SyslogLine | None:
    """Split a syslog line; ``None`` when it is not one."""
    s = text
    if s.startswith("<"):
        end = s.find(">")
        if 0 < end < 5:
            s = s[end + 1 :]
    rfc5424 = s.startswith("1 ")
    if rfc5424:
        s = s[2:]
    if s[:1].isdigit():
        t, given, used = iso_time(s, clock)
    else:
        t, used = bsd_time(s, clock)
        given = False
    if t is None:
        return None
    s = s[used:].lstrip(" ")
    host, _, s = s.partition(" ")
    if rfc5424:
        parts = s.split(" ", 3)
        if len(parts) < 4:
            return None
        app, procid, _msgid, rest = parts
        if rest.startswith("-"):
            rest = rest[1:]
        elif rest.startswith("["):
            depth_end = rest.find("] ")
            rest = rest[depth_end + 1 :] if depth_end >= 0 else ""
        return SyslogLine(t, given, host, app, None if procid == "-" else procid, rest.lstrip())
    m = _TAG.match(s)
    if not m:
        return None
    return SyslogLine(t, given, host or None, m.group(1), m.group(2), s[m.end() :])
