"""Our own standing: which of our sending addresses the blocklists list, and what changed.

Plain records (:class:`OwnAddress`, :class:`Targets`, :class:`Standing`) and the watch loop
(:func:`watch`). The checking itself is :meth:`headertrace.enrich.Enricher.standing`; the
addresses come from :mod:`headertrace.enrich.ours` (organisation, server names, traces).
Nothing here opens a socket.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from headertrace.enrich.delisting import delisting_for
from headertrace.enrich.records import BlocklistResult, JSONDict


@dataclass(frozen=True, slots=True)
class OwnAddress:
    """One sending address of ours, and everything that said it is ours."""

    ip: str
    sources: tuple[str, ...] = ()
    """``networks: 81.2.69.142/32``, ``servers: mx1.example.com (A)``, ``trace f.eml: hop 3``,
    ``argument``."""
    evidence: tuple[str, ...] = ()
    """Quoted header lines (the Received header that recorded it, for trace addresses)."""

    def to_dict(self) -> JSONDict:
        return {"ip": self.ip, "sources": list(self.sources), "evidence": list(self.evidence)}


@dataclass(frozen=True, slots=True)
class Note:
    """Something of ours that was not checked, or not completely, and why."""

    subject: str
    reason: str

    def to_dict(self) -> JSONDict:
        return {"subject": self.subject, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Targets:
    """What to check: addresses, server names still to resolve, and what was left out."""

    addresses: tuple[OwnAddress, ...] = ()
    servers: tuple[str, ...] = ()
    """Host names to resolve (A and AAAA) when checking; globs are already in ``notes``."""
    notes: tuple[Note, ...] = ()

    def merge(self, other: Targets) -> Targets:
        return Targets(
            addresses=merge_addresses(self.addresses, other.addresses),
            servers=tuple(dict.fromkeys(self.servers + other.servers)),
            notes=self.notes + other.notes,
        )

    @property
    def is_empty(self) -> bool:
        return not (self.addresses or self.servers)


def merge_addresses(*groups: Sequence[OwnAddress]) -> tuple[OwnAddress, ...]:
    """One entry per address, in first-seen order, with every source and evidence kept."""
    merged: dict[str, OwnAddress] = {}
    for group in groups:
        for item in group:
            seen = merged.get(item.ip)
            if seen is None:
                merged[item.ip] = item
            else:
                merged[item.ip] = OwnAddress(
                    item.ip,
                    tuple(dict.fromkeys(seen.sources + item.sources)),
                    tuple(dict.fromkeys(seen.evidence + item.evidence)),
                )
    return tuple(merged.values())


def listing_dict(result: BlocklistResult) -> JSONDict:
    """A blocklist result with where to ask for removal (``delisting``: ``null`` when the
    table has no row for the zone, and ``delisting_note`` says so)."""
    data = result.to_dict()
    row = delisting_for(result.zone)
    data["delisting"] = row.to_dict(result.ip) if row else None
    data["delisting_note"] = (
        "" if row else f"{result.zone} is not in headertrace's table of delisting pages"
    )
    return data


@dataclass(frozen=True, slots=True)
class AddressStanding:
    """What every zone said about one of our addresses."""

    address: OwnAddress
    results: tuple[BlocklistResult, ...] = ()

    @property
    def listed(self) -> tuple[BlocklistResult, ...]:
        return tuple(r for r in self.results if r.status == "listed")

    def to_dict(self) -> JSONDict:
        data = self.address.to_dict()
        data["listed"] = bool(self.listed)
        data["results"] = [listing_dict(r) for r in self.results]
        return data


@dataclass(frozen=True, slots=True)
class Standing:
    """One round of checks of our addresses against the zones."""

    addresses: tuple[AddressStanding, ...] = ()
    notes: tuple[Note, ...] = ()
    zones: tuple[str, ...] = ()

    @property
    def results(self) -> list[BlocklistResult]:
        return [r for a in self.addresses for r in a.results]

    @property
    def listings(self) -> list[tuple[AddressStanding, BlocklistResult]]:
        """Every listing, address by address."""
        return [(a, r) for a in self.addresses for r in a.listed]

    def summary(self) -> JSONDict:
        results = self.results
        return {
            "addresses": len(self.addresses),
            "listed_addresses": sum(1 for a in self.addresses if a.listed),
            "listings": len(self.listings),
            "failed_checks": sum(1 for r in results if r.failed and r.status != "skipped"),
            "checks": len(results),
            "not_checked": len(self.notes),
        }

    def to_dict(self) -> JSONDict:
        return {
            "summary": self.summary(),
            "listed": [
                {**listing_dict(r), "sources": list(a.address.sources)} for a, r in self.listings
            ],
            "addresses": [a.to_dict() for a in self.addresses],
            "notes": [n.to_dict() for n in self.notes],
            "zones": list(self.zones),
        }


ChangeKind = Literal["listed", "delisted"]


@dataclass(frozen=True, slots=True)
class Change:
    """An address newly listed on a zone, or no longer listed."""

    kind: ChangeKind
    ip: str
    zone: str
    result: BlocklistResult
    """The result that showed the change (``listed``, or ``not_listed`` for a delisting)."""

    def to_dict(self) -> JSONDict:
        return {"change": self.kind, **listing_dict(self.result)}


@dataclass(frozen=True, slots=True)
class Round:
    """One round of a watch: its number (from 1), the standing, and what changed since the
    round before (in round 1: every listing)."""

    number: int
    standing: Standing
    changes: tuple[Change, ...] = field(default=())


def changes(previous: dict[tuple[str, str], bool], standing: Standing) -> list[Change]:
    """What changed since ``previous`` (``(ip, zone) -> listed``), which is updated in place.

    A check without an answer (timeout, refusal, error) changes nothing: the last known state
    stands until a zone answers again."""
    out: list[Change] = []
    for result in standing.results:
        key = (result.ip, result.zone)
        if result.status == "listed":
            if not previous.get(key, False):
                out.append(Change("listed", result.ip, result.zone, result))
            previous[key] = True
        elif result.status == "not_listed":
            if previous.get(key, False):
                out.append(Change("delisted", result.ip, result.zone, result))
            previous[key] = False
    return out


class _Checker(Protocol):
    def standing(
        self, targets: Targets, zones: Sequence[str] | None = None, *, fresh: bool = False
    ) -> Standing: ...


def watch(
    checker: _Checker,
    targets: Targets,
    interval: float,
    *,
    zones: Sequence[str] | None = None,
    rounds: int | None = None,
    sleep: Callable[[float], Any] = time.sleep,
    stop: Callable[[], bool] | None = None,
) -> Iterator[Round]:
    """Check ``targets`` every ``interval`` seconds and yield each round with its changes.

    Each round runs under the checker's budget and asks the zones afresh (cached listings are
    not reused, answers are still stored). Runs until ``rounds`` rounds are done, ``stop()``
    returns true, or the caller stops iterating (Ctrl-C in the command). ``sleep`` is called
    between rounds (never after the last)."""
    previous: dict[tuple[str, str], bool] = {}
    number = 0
    while True:
        number += 1
        standing = checker.standing(targets, zones, fresh=True)
        yield Round(number, standing, tuple(changes(previous, standing)))
        if (rounds is not None and number >= rounds) or (stop is not None and stop()):
            return
        sleep(interval)
