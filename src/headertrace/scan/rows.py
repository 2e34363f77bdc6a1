"""The flat row of one result: the columns of ``--csv`` and ``--parquet``, and what the
summary counts. Built from the JSON form (a JSONL line), so a resumed scan counts the lines
it already wrote exactly as it counts new ones. The column set is stable: docs/scan.md."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

Row = dict[str, Any]

COLUMNS: tuple[tuple[str, str], ...] = (
    ("input", "str"),
    ("part", "str"),
    ("offset", "int"),
    ("index", "int"),
    ("size", "int"),
    ("error", "str"),
    ("source", "str"),
    ("verdict", "str"),
    ("confidence", "str"),
    ("entry_hop", "int"),
    ("entry_server", "str"),
    ("entry_date", "str"),
    ("sender_ip", "str"),
    ("sender_rdns", "str"),
    ("sender_helo", "str"),
    ("sender_account", "str"),
    ("sender_script", "str"),
    ("sender_client", "str"),
    ("sender_asn", "int"),
    ("origin_ip", "str"),
    ("origin_rdns", "str"),
    ("origin_helo", "str"),
    ("origin_asn", "int"),
    ("hops", "int"),
    ("first_date", "str"),
    ("last_date", "str"),
    ("message_id", "str"),
    ("message_date", "str"),
    ("findings", "str"),
)
"""(name, type) of every column, in order. Dates are UTC, ISO 8601 (``...Z``); ``findings``
is the finding codes separated by spaces; a missing value is empty (CSV) or null."""

COLUMN_NAMES = tuple(name for name, _ in COLUMNS)


def utc(value: str | None) -> str | None:
    """An ISO 8601 timestamp as UTC (``2025-10-14T09:11:58Z``); a naive one as written."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return moment.isoformat() + "Z"
    return moment.isoformat()


def _get(d: Any, *keys: str | int) -> Any:
    for key in keys:
        if d is None:
            return None
        if isinstance(key, int):
            d = d[key] if isinstance(d, list) and -len(d) <= key < len(d) else None
        else:
            d = d.get(key) if isinstance(d, dict) else None
    return d


def _asn(attribution: Any) -> int | None:
    value = _get(attribution, "network", "asn")
    return value if isinstance(value, int) else None


def flat_row(record: dict[str, Any]) -> Row:
    """The row of one JSONL object (``ScanResult.to_dict()``)."""
    scan = record.get("scan") or {}
    row: Row = dict.fromkeys(COLUMN_NAMES)
    row["input"] = scan.get("input")
    row["part"] = scan.get("part")
    row["offset"] = scan.get("offset")
    row["index"] = scan.get("index")
    row["size"] = scan.get("size")
    row["error"] = scan.get("error")
    if "hops" not in record:
        return row
    hops = record.get("hops") or []
    verdict = record.get("verdict") or {}
    origin = record.get("origin") or {}
    sender = verdict.get("sender") or {}
    row["source"] = _get(record, "source", "kind")
    row["verdict"] = verdict.get("kind")
    row["confidence"] = verdict.get("confidence")
    entry = verdict.get("hop")
    row["entry_hop"] = entry
    if isinstance(entry, int):
        row["entry_server"] = _get(hops, entry, "by", "host")
        row["entry_date"] = utc(_get(hops, entry, "timestamp"))
    for key in ("ip", "rdns", "helo", "account", "script", "client"):
        row[f"sender_{key}"] = sender.get(key)
    row["sender_asn"] = sender.get("asn") if isinstance(sender.get("asn"), int) else None
    row["origin_ip"] = origin.get("ip")
    row["origin_rdns"] = origin.get("rdns")
    row["origin_helo"] = origin.get("helo")
    if isinstance(origin.get("hop"), int):
        row["origin_asn"] = _asn(_get(hops, origin["hop"], "attribution"))
    row["hops"] = len(hops)
    dates = [d for d in (utc(h.get("timestamp")) for h in hops) if d]
    if dates:
        row["first_date"] = min(dates)
        row["last_date"] = max(dates)
    row["message_id"] = _get(record, "message", "message_id")
    row["message_date"] = _get(record, "message", "date")
    row["findings"] = " ".join(f.get("code", "") for f in record.get("findings") or [])
    return row
