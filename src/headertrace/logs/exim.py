"""Exim's mainlog: ``DATE TIME [ZONE] [[PID]] ID FLAG ADDRESS FIELD=VALUE ...``.

Read: the arrival (``<=`` with ``H=NAME (HELO) [IP]:PORT``, ``I=``, ``P=``, ``A=AUTHENTICATOR:ID``,
``U=``, ``S=``, ``id=``, ``T=``), deliveries (``=>`` and ``->`` delivered, ``*>`` suppressed,
``**`` failed, ``==`` deferred) and ``Completed``. The ``log_selector`` options that change the
line are handled where they move things: ``+pid`` (``[PID]``), ``log_timezone`` (a zone after
the time), ``+millisec`` (``.mmm``), ``-host_lookup`` variants of ``H=``, ``+incoming_interface``
(``I=``), ``+received_sender``/``+sender_on_delivery`` (``F=``). Exim lines read through syslog
(``exim[PID]: ID <= ...``) carry no time of their own. Pure: no I/O.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.logs.records import Entry, Event, norm_address, split_client
from headertrace.logs.syslog import Clock, iso_time
from headertrace.models import LogLine

ID = re.compile(r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}")
_HEAD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
_FIELD = re.compile(r"\s([A-Za-z]{1,3})=(\"(?:[^\"\\]|\\.)*\"|.*?)(?=\s[A-Za-z]{1,3}=|$)")
_FLAGS = {
    "<=": "arrival",
    "=>": "delivered",
    "->": "delivered",
    "*>": "suppressed",
    "**": "failed",
    "==": "deferred",
}


def is_mainlog(text: str) -> bool:
    return _HEAD.match(text) is not None


def parse_mainlog(line: LogLine, text: str, clock: Clock) -> Entry | None:
    """One mainlog line (its own time stamp first)."""
    t, _given, used = iso_time(text, clock)
    if t is None:
        return None
    rest = text[used:].lstrip()
    if rest.startswith("["):  # +pid
        rest = rest.partition("] ")[2]
    return parse_message(line, rest, t, None)


def _h(value: str) -> dict[str, str]:
    v = value.strip()
    out: dict[str, str] = {}
    if "(" in v:
        helo = v[v.find("(") + 1 : v.find(")")] if ")" in v else ""
        if helo:
            out["helo"] = helo
    name, ip = split_client(v)
    if name and not name.startswith("("):
        out["client_name"] = name.split(" ", 1)[0]
    if ip:
        out["client_ip"] = ip
    return out


def parse_message(line: LogLine, text: str, t: datetime | None, host: str | None) -> Entry | None:
    """``ID FLAG ...`` (the part after the time stamp and pid)."""
    m = ID.match(text)
    if not m:
        return None
    key = m.group(0)
    body = text[m.end() :].lstrip()
    flag = body[:2]
    facts: dict[str, str] = {}
    event: Event = "other"
    if body.startswith("Completed"):
        event = "removed"
    elif flag in _FLAGS and body[2:3] == " ":
        event = "arrival" if flag == "<=" else "delivery"
        addr, _, tail = body[3:].partition(" ")
        # +received_recipients ends the arrival with " for ADDR ...": not part of a field
        cut = tail.rfind(" for ")
        if flag == "<=" and cut >= 0 and "=" not in tail[cut:] and tail[:cut].count('"') % 2 == 0:
            facts["recipient"] = tail[cut + 5 :].strip()
            tail = tail[:cut]
        found = {f.group(1): f.group(2) for f in _FIELD.finditer(" " + tail)}
        if flag == "<=":
            facts["sender"] = norm_address(addr)
            if "H" in found:
                facts.update(_h(found["H"]))
            if "A" in found:
                auth, _, ident = found["A"].partition(":")
                facts["auth_method"] = auth
                if ident:
                    facts["account"] = ident
            for src, dst in (("P", "protocol"), ("U", "user"), ("S", "size"), ("id", "message_id")):
                if src in found:
                    facts[dst] = found[src].strip('"')
        else:
            facts["recipient"] = norm_address(addr)
            facts["status"] = _FLAGS[flag]
            relay = found.get("H") or found.get("T")
            if relay:
                facts["relay"] = relay.strip().rstrip(":")
            detail = found.get("C", "").strip('"')
            if flag in ("**", "=="):
                detail = tail.split(": ", 1)[1] if ": " in tail else tail
            if detail:
                facts["detail"] = detail
            q = re.search(r"queued as ([0-9A-Za-z]{5,24})|id=(" + ID.pattern + ")", detail)
            if q:
                facts["next_id"] = q.group(1) or q.group(2)
    return Entry(line, "exim", t, host, "exim", key, event, facts)
