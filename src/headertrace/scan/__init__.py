"""Many inputs -> a stream of results -> a summary: ``headertrace scan``.

::

    import headertrace

    results = headertrace.scan(["complaints/", "trap.mbox.gz"], org=org, jobs=4)
    summary = headertrace.summarise(results)

:func:`scan` plans units of work (:mod:`headertrace.scan.inputs`: files, Maildir messages,
byte ranges of big mbox files), runs them on worker processes (:mod:`headertrace.scan.pool`)
and yields :class:`ScanResult` records as they come, memory flat. :func:`summarise`
(:mod:`headertrace.scan.summary`) counts them into a :class:`Summary`. The Dask integration
is :mod:`headertrace.scan.dask` (an optional extra). See docs/scan.md.
"""

from __future__ import annotations

import os
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from headertrace.judge.org import Organisation
from headertrace.logs.matcher import LogOptions
from headertrace.scan.inputs import CHUNK_SIZE, Unit, plan
from headertrace.scan.model import MAX_SIZE, SCAN_SCHEMA, ScanOptions, ScanResult
from headertrace.scan.read import encoded, run_unit
from headertrace.scan.rows import COLUMN_NAMES, COLUMNS, flat_row
from headertrace.scan.summary import Count, Summary, Tally, summarise

if TYPE_CHECKING:
    from headertrace.enrich.config import LookupConfig
    from headertrace.enrich.lookup import Enricher

PathLike = str | os.PathLike[str] | bytes


def scan(
    paths: Iterable[PathLike],
    org: Organisation | None = None,
    *,
    jobs: int | None = None,
    glob: str = "*",
    unwrap: bool = True,
    max_size: int = MAX_SIZE,
    chunk_size: int = CHUNK_SIZE,
    online: bool = False,
    lookup: LookupConfig | None = None,
    enricher: Enricher | None = None,
    encode: bool = False,
    done: Container[tuple[str, int | None]] = (),
    logs: Sequence[PathLike] = (),
    log_options: LogOptions | None = None,
) -> Iterator[ScanResult]:
    """Trace every message in ``paths``, in parallel; yield a :class:`ScanResult` for each
    (or for each input that could not be read), in the order they finish.

    ``paths`` are files of any kind :func:`headertrace.trace` reads, directories (searched
    recursively for names matching ``glob``), Maildirs and mbox files (plain, gzip, bzip2 or
    xz); it is read lazily, so it may be a generator. ``jobs`` worker processes (default:
    every core; ``1`` traces in this process) share the work; a plain mbox bigger than
    ``chunk_size`` is cut into byte ranges at message boundaries, so one huge mailbox spreads
    over them. A message over ``max_size`` bytes, a file that is not mail, an unreadable or
    empty file, a symlink loop and a worker that dies each give a result with ``error`` set.

    ``online=True`` (or an ``enricher``) attributes each trace here, in this process, with
    one enricher and its cache. ``encode=True`` has workers send the JSONL line and the flat
    row instead of the trace (:attr:`ScanResult.line`, :attr:`ScanResult.row`: what the
    command writes). ``logs`` (our servers' mail logs) joins each trace to them as
    :func:`headertrace.trace` does (``Trace.log``), read once per batch of 500 messages in
    each worker. ``done`` holds ``(input, offset)`` pairs to leave out (``--resume``):
    a message file whose ``(input, None)`` is in it is not read at all.
    """
    if online and enricher is None:
        from headertrace.enrich.lookup import Enricher  # noqa: PLC0415 - network on demand

        enricher = Enricher(lookup)
    options = ScanOptions(
        org=org,
        unwrap=unwrap,
        max_size=max_size,
        encode=encode,
        logs=tuple(str(p) for p in logs),
        log_options=log_options,
    )
    yield from scan_units(
        plan(paths, glob=glob, chunk_size=chunk_size),
        options,
        jobs=jobs,
        enricher=enricher,
        encode=encode,
        done=done,
    )


def scan_units(
    units: Iterable[Unit],
    options: ScanOptions,
    *,
    jobs: int | None = None,
    enricher: Enricher | None = None,
    encode: bool = False,
    done: Container[tuple[str, int | None]] = (),
) -> Iterator[ScanResult]:
    """:func:`scan` of units already planned (:func:`plan`), with ``options`` made."""
    todo: Iterator[Unit] = iter(units)
    if done:
        todo = (u for u in todo if u.kind != "file" or (u.path, None) not in done)
    if enricher is not None:  # attributed here first, then encoded
        options = replace(options, encode=False)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1:
        results: Iterator[ScanResult] = (r for u in todo for r in run_unit(u, options))
    else:
        from headertrace.scan.pool import run_parallel  # noqa: PLC0415

        results = run_parallel(todo, options, workers)
    try:
        for result in results:
            if done and (result.input, result.offset) in done:
                continue
            if enricher is None or result.trace is None:
                yield result
                continue
            attributed = replace(result, trace=enricher.enrich_trace(result.trace))
            yield encoded(attributed) if encode else attributed
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()


__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "MAX_SIZE",
    "SCAN_SCHEMA",
    "Count",
    "ScanOptions",
    "ScanResult",
    "Summary",
    "Tally",
    "Unit",
    "flat_row",
    "plan",
    "run_unit",
    "scan",
    "scan_units",
    "summarise",
]
