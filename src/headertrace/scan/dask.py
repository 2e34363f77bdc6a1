"""``headertrace scan`` on a Dask cluster (``pip install 'headertrace[dask]'``).

:func:`scan_bag` is a ``dask.bag`` of :class:`~headertrace.scan.ScanResult` records with one
partition per unit of work: a file, or a byte range of a big mbox (the same units the local
scan runs, :func:`headertrace.scan.plan`), so a huge mailbox spreads over the cluster.
:func:`summarise_bag` computes the same :class:`~headertrace.scan.Summary` on the cluster:
each partition is counted where it was traced, and only the counts travel.
:func:`run_on_cluster` is what ``headertrace scan --dask ADDRESS`` runs. Every worker must
be able to read the paths (a shared file system, or the same mount on every machine).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Container, Iterable, Iterator, Sequence
from typing import Any

from headertrace.judge.org import Organisation
from headertrace.scan.inputs import CHUNK_SIZE, Unit, plan
from headertrace.scan.model import MAX_SIZE, ScanOptions, ScanResult
from headertrace.scan.read import run_unit
from headertrace.scan.summary import TOP, Summary, Tally, result_row

db: Any = importlib.import_module("dask.bag")  # partly typed: used as Any here
Bag = Any

WINDOW = 4
"""Units in flight per worker thread of the cluster (:func:`run_on_cluster`)."""


def _partition(units: Iterable[Unit], options: ScanOptions) -> list[ScanResult]:
    return [r for unit in units for r in run_unit(unit, options)]


def scan_bag(
    paths: Iterable[str | os.PathLike[str] | bytes],
    org: Organisation | None = None,
    *,
    glob: str = "*",
    unwrap: bool = True,
    max_size: int = MAX_SIZE,
    chunk_size: int = CHUNK_SIZE,
    encode: bool = False,
) -> Bag:
    """A bag of the results of ``paths``: one partition per file or mbox range."""
    units = list(plan(paths, glob=glob, chunk_size=chunk_size))
    options = ScanOptions(org=org, unwrap=unwrap, max_size=max_size, encode=encode)
    return units_bag(units, options)


def units_bag(units: Sequence[Unit], options: ScanOptions) -> Bag:
    """A bag of the results of ``units`` (one partition each)."""
    if not units:
        return db.from_sequence([], npartitions=1)
    bag = db.from_sequence(list(units), npartitions=len(units))
    return bag.map_partitions(_partition, options)


def _tally(results: Iterable[ScanResult]) -> Tally:
    tally = Tally()
    for result in results:
        tally.add(result_row(result))
    return tally


def _merge(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    return total


def summarise_bag(bag: Bag, *, top: int = TOP) -> Summary:
    """The summary of a bag of results, counted on the cluster (``bag.reduction``)."""
    tally: Tally = bag.reduction(_tally, _merge).compute()
    return tally.summary(top)


def run_on_cluster(
    address: str,
    units: Sequence[Unit],
    options: ScanOptions,
    *,
    done: Container[tuple[str, int | None]] = (),
) -> Iterator[ScanResult]:
    """Results of ``units`` traced on the cluster at ``address``, as they finish, with a
    few units per worker thread in flight (memory flat on this side too)."""
    distributed: Any = importlib.import_module("distributed")
    with distributed.Client(address) as client:
        threads = max(1, sum(client.nthreads().values()))
        todo = iter(units)
        running = distributed.as_completed()
        for unit in todo:
            running.add(client.submit(_partition, [unit], options, pure=False))
            if running.count() >= threads * WINDOW:
                break
        for future in running:
            batch: list[ScanResult] = future.result()
            future.release()
            for result in batch:
                if not done or (result.input, result.offset) not in done:
                    yield result
            more = next(todo, None)
            if more is not None:
                running.add(client.submit(_partition, [more], options, pure=False))
