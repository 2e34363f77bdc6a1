"""Exchange message tracking logs: CSV with a ``#Fields:`` header line.

Read: ``RECEIVE`` (``client-ip``, ``client-hostname``, ``original-client-ip``,
``sender-address``, ``connector-id``), ``SEND`` and ``DELIVER`` (``recipient-address``,
``recipient-status``, ``server-hostname``), ``FAIL`` and ``DEFER``. ``key`` is the
``message-id`` (Exchange's Received headers carry its build number, not a queue id).
Pure: no I/O.
"""

from __future__ import annotations

import csv

from headertrace.logs.records import Entry, Event, norm_address
from headertrace.logs.syslog import Clock, iso_time
from headertrace.models import LogLine

_DELIVERY = {"SEND": "sent", "DELIVER": "delivered", "FAIL": "failed", "DEFER": "deferred"}


def field_names(header: str) -> tuple[str, ...] | None:
    """The column names of a ``#Fields: a,b,c`` line."""
    if not header.startswith("#Fields:"):
        return None
    return tuple(n.strip().lower() for n in header[len("#Fields:") :].split(","))


def parse(line: LogLine, names: tuple[str, ...], clock: Clock) -> Entry | None:
    try:
        row = next(csv.reader([line.raw]))
    except (csv.Error, StopIteration):
        return None
    if len(row) < 2 or line.raw.startswith("#"):
        return None
    rec = dict(zip(names, row, strict=False))
    t, _given, _used = iso_time(rec.get("date-time", ""), clock)
    mid = norm_address(rec.get("message-id", ""))
    if not mid:
        return None
    kind = rec.get("event-id", "").upper()
    facts: dict[str, str] = {"message_id": mid}
    event: Event = "other"
    pairs: tuple[tuple[str, str], ...] = ()
    if kind == "RECEIVE":
        event = "arrival"
        pairs = (
            ("client_ip", "client-ip"),
            ("client_name", "client-hostname"),
            ("orig_client_ip", "original-client-ip"),
            ("sender", "sender-address"),
            ("protocol", "source"),
            ("relay", "connector-id"),
            ("size", "total-bytes"),
            ("nrcpt", "recipient-count"),
        )
        facts.update({k: rec[c] for k, c in pairs if rec.get(c)})
    elif kind in _DELIVERY:
        event = "delivery"
        facts["status"] = _DELIVERY[kind]
        pairs = (
            ("recipient", "recipient-address"),
            ("detail", "recipient-status"),
            ("relay", "connector-id"),
            ("sender", "sender-address"),
        )
        facts.update({k: rec[c] for k, c in pairs if rec.get(c)})
    host = rec.get("server-hostname") or None
    return Entry(line, "exchange", t, host, "exchange", mid, event, facts)
