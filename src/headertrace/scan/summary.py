"""Many results -> the answer across them: who of ours sent what, through which servers,
and where the rest came from.

:class:`Tally` counts flat rows (:mod:`headertrace.scan.rows`) and merges with another tally
(so a cluster can count partitions apart and add them up); :meth:`Tally.summary` gives the
:class:`Summary`: plain, frozen data with ``to_dict``/``from_dict`` that round-trip.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from headertrace._json import as_json_dict
from headertrace.addresses import registered_domain
from headertrace.scan.model import ScanResult
from headertrace.scan.rows import Row, flat_row

TOP = 10

SENDER_KINDS = (
    "authenticated_relay",
    "local_injection",
    "internal_origin",
    "open_relay",
    "forged",
    "undetermined",
)
"""Verdict kinds whose sender the summary breaks down (those where the organisation is
involved; ``inbound``, ``not_involved`` and ``no_organisation`` count as origins outside)."""

OURS = frozenset({"local_injection", "internal_origin"})
"""Verdict kinds whose origin is one of our own machines, not an origin outside."""

CATEGORIES = ("accounts", "addresses", "scripts", "hosts")
"""What a sender is counted by: the account that logged in, the client address (with its
rDNS name or HELO), the script or local user, and (for ``internal_origin``) the internal
host by name."""


@dataclass(frozen=True, slots=True)
class Count:
    """How often one value was seen, when first and last (UTC, by the entry hop's date or
    the newest hop's), and one input where it was seen."""

    value: str
    count: int
    first_seen: str | None = None
    last_seen: str | None = None
    example: str | None = None
    """An input, with ``#part`` when the message was inside it."""
    name: str | None = None
    """For an address: its rDNS name, or the HELO it gave."""
    network: str | None = None
    """For an origin: its /24 (IPv4) or /48 (IPv6)."""
    domain: str | None = None
    """For an origin: the registered domain of its name."""
    asn: int | None = None
    """For an origin: its AS, when the scan was online."""

    def to_dict(self) -> dict[str, Any]:
        return as_json_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Count:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Summary:
    """The answer across a scan (see docs/scan.md)."""

    read: int = 0
    """Results: messages traced plus inputs or messages that failed."""
    traced: int = 0
    failed: int = 0
    kinds: dict[str, int] = field(default_factory=dict, hash=False)
    """Verdict kind -> messages, most first."""
    senders: dict[str, dict[str, tuple[Count, ...]]] = field(default_factory=dict, hash=False)
    """Verdict kind -> category (``CATEGORIES``) -> top values."""
    entry_servers: tuple[Count, ...] = ()
    """Our servers that took the messages in (the entry hop's ``by`` host)."""
    origins: tuple[Count, ...] = ()
    """The top origins outside: addresses with their network, domain and AS."""
    errors: tuple[Count, ...] = ()
    """Why inputs failed: the reason (up to its first colon) with counts and an example."""

    def to_dict(self) -> dict[str, Any]:
        return {"schema": "headertrace.scan-summary/1", **as_json_dict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        def counts(items: Iterable[dict[str, Any]]) -> tuple[Count, ...]:
            return tuple(Count.from_dict(c) for c in items)

        return cls(
            read=data["read"],
            traced=data["traced"],
            failed=data["failed"],
            kinds=dict(data["kinds"]),
            senders={
                kind: {cat: counts(items) for cat, items in cats.items()}
                for kind, cats in data["senders"].items()
            },
            entry_servers=counts(data["entry_servers"]),
            origins=counts(data["origins"]),
            errors=counts(data["errors"]),
        )


class _Seen:
    __slots__ = ("count", "example", "extra", "first", "last")

    def __init__(self, example: str | None, extra: dict[str, Any]) -> None:
        self.count = 0
        self.first: str | None = None
        self.last: str | None = None
        self.example = example
        self.extra = extra

    def see(self, when: str | None) -> None:
        self.count += 1
        if when:
            if self.first is None or when < self.first:
                self.first = when
            if self.last is None or when > self.last:
                self.last = when

    def merge(self, other: _Seen) -> None:
        self.count += other.count
        for when in (other.first, other.last):
            if when:
                if self.first is None or when < self.first:
                    self.first = when
                if self.last is None or when > self.last:
                    self.last = when
        for key, value in other.extra.items():
            if self.extra.get(key) is None:
                self.extra[key] = value
        if self.example is None:
            self.example = other.example

    def count_record(self, value: str) -> Count:
        return Count(value, self.count, self.first, self.last, self.example, **self.extra)


def _network(ip: str) -> str | None:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _is_outside(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_global
    except ValueError:
        return False


class Tally:
    """Counts rows; mergeable. ``summary()`` gives the top values."""

    def __init__(self) -> None:
        self.read = 0
        self.failed = 0
        self.kinds: dict[str, int] = {}
        self.senders: dict[tuple[str, str, str], _Seen] = {}
        self.entry_servers: dict[str, _Seen] = {}
        self.origins: dict[str, _Seen] = {}
        self.errors: dict[str, _Seen] = {}

    @staticmethod
    def _bump(
        table: dict[Any, _Seen],
        key: Any,
        when: str | None,
        example: str | None,
        **extra: Any,
    ) -> None:
        seen = table.get(key)
        if seen is None:
            seen = table[key] = _Seen(example, extra)
        seen.see(when)

    def add(self, row: Row) -> None:
        self.read += 1
        example = row["input"] if not row.get("part") else f"{row['input']}#{row['part']}"
        error = row.get("error")
        if error:
            self.failed += 1
            self._bump(self.errors, error.split(":", 1)[0], None, example)
            return
        kind = row.get("verdict") or "undetermined"
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        when = row.get("entry_date") or row.get("last_date")
        if kind in SENDER_KINDS:
            name = row.get("sender_rdns") or row.get("sender_helo")
            if row.get("sender_account"):
                self._bump(self.senders, (kind, "accounts", row["sender_account"]), when, example)
            if row.get("sender_ip"):
                self._bump(
                    self.senders, (kind, "addresses", row["sender_ip"]), when, example, name=name
                )
            if row.get("sender_script"):
                self._bump(self.senders, (kind, "scripts", row["sender_script"]), when, example)
            if kind == "internal_origin" and (name or row.get("sender_ip")):
                self._bump(self.senders, (kind, "hosts", name or row["sender_ip"]), when, example)
        if row.get("entry_server") and kind not in ("no_organisation", "not_involved"):
            self._bump(self.entry_servers, row["entry_server"], when, example)
        ip = row.get("origin_ip")
        if ip and kind not in OURS and _is_outside(ip):
            rdns = row.get("origin_rdns")
            self._bump(
                self.origins,
                ip,
                when,
                example,
                name=rdns or row.get("origin_helo"),
                network=_network(ip),
                domain=registered_domain(rdns.lower()) if rdns else None,
                asn=row.get("origin_asn"),
            )

    def add_result(self, result: ScanResult) -> None:
        self.add(result_row(result))

    def merge(self, other: Tally) -> Tally:
        self.read += other.read
        self.failed += other.failed
        for kind, n in other.kinds.items():
            self.kinds[kind] = self.kinds.get(kind, 0) + n
        tables: tuple[tuple[dict[Any, _Seen], dict[Any, _Seen]], ...] = (
            (self.senders, other.senders),
            (self.entry_servers, other.entry_servers),
            (self.origins, other.origins),
            (self.errors, other.errors),
        )
        for mine, theirs in tables:
            for key, seen in theirs.items():
                if key in mine:
                    mine[key].merge(seen)
                else:
                    mine[key] = seen
        return self

    def summary(self, top: int = TOP) -> Summary:
        def best(table: dict[Any, _Seen], label: Any = lambda k: k) -> tuple[Count, ...]:
            ranked = sorted(table.items(), key=lambda kv: (-kv[1].count, str(kv[0])))
            return tuple(seen.count_record(label(key)) for key, seen in ranked[:top])

        senders: dict[str, dict[str, tuple[Count, ...]]] = {}
        for kind in sorted(self.kinds, key=lambda k: -self.kinds[k]):
            if kind not in SENDER_KINDS:
                continue
            for category in CATEGORIES:
                table = {
                    k[2]: s for k, s in self.senders.items() if k[0] == kind and k[1] == category
                }
                if table:
                    senders.setdefault(kind, {})[category] = best(table)
        return Summary(
            read=self.read,
            traced=self.read - self.failed,
            failed=self.failed,
            kinds=dict(sorted(self.kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
            senders=senders,
            entry_servers=best(self.entry_servers),
            origins=best(self.origins),
            errors=best(self.errors),
        )


def result_row(result: ScanResult) -> Row:
    """The flat row of a result (the one its worker made, or made now)."""
    if result.row is not None:
        return result.row
    return flat_row(result.to_dict())


def summarise(results: Iterable[ScanResult | Row], *, top: int = TOP) -> Summary:
    """The summary of ``results`` (what :func:`headertrace.scan` yields, or flat rows),
    read once, as a stream: memory grows with the distinct senders, not the messages."""
    tally = Tally()
    for result in results:
        tally.add(result if isinstance(result, dict) else result_row(result))
    return tally.summary(top)
