"""``headertrace scan``: paths -> results -> output files, a progress bar, the summary.

The click command itself sits in :mod:`headertrace.cli` beside ``trace`` (it shares the
organisation options); this module does the work.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from headertrace.exitstatus import ExitStatus
from headertrace.judge.org import Organisation
from headertrace.logs.matcher import LogOptions
from headertrace.render.scan import print_summary
from headertrace.scan import ScanOptions, ScanResult, Tally, scan_units
from headertrace.scan.inputs import CHUNK_SIZE, Unit, plan
from headertrace.scan.outputs import Outputs, read_done
from headertrace.scan.rows import flat_row

PIPED_WIDTH = 140
INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""


def paths_from(arguments: Sequence[str]) -> Iterator[str]:
    """The paths given, ``-`` replaced by the lines of standard input (one path a line,
    bytes as they are: a name with undecodable bytes stays that name)."""
    for argument in arguments:
        if argument == "-":
            for line in sys.stdin.buffer:
                name = line.rstrip(b"\r\n")
                if name:
                    yield os.fsdecode(name)
        else:
            yield argument


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.fields[messages]:,}[/] messages"),
        TextColumn("{task.fields[rate]:,.0f}/s"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        TextColumn("[red]{task.fields[errors]:,} errors"),
        console=console,
        transient=False,
    )


def run_scan(
    arguments: Sequence[str],
    org: Organisation | None,
    *,
    jobs: int | None,
    glob: str,
    unwrap: bool,
    max_size: int,
    jsonl: str | None,
    csv_path: str | None,
    parquet: str | None,
    summary_json: str | None,
    resume: bool,
    quiet: bool,
    enricher: Any = None,
    dask: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    logs: tuple[str, ...] = (),
    log_options: LogOptions | None = None,
) -> int:
    """Run a scan as the command does; return its exit status."""
    err = Console(stderr=True, highlight=False)
    out = Console(highlight=False, soft_wrap=False)
    if not out.is_terminal:
        out.width = PIPED_WIDTH
    tally = Tally()
    done: set[tuple[str, int | None]] = set()
    if resume and jsonl is not None:
        for record in read_done(jsonl):
            scan = record.get("scan") or {}
            done.add((str(scan.get("input")), scan.get("offset")))
            tally.add(flat_row(record))
    units: list[Unit] = list(plan(paths_from(arguments), glob=glob, chunk_size=chunk_size))
    total = sum(u.size for u in units)
    options = ScanOptions(
        org=org,
        unwrap=unwrap,
        max_size=max_size,
        encode=True,
        logs=logs,
        log_options=log_options,
    )
    outputs = Outputs(jsonl=jsonl, csv_path=csv_path, parquet=parquet, append=resume)
    results: Iterable[ScanResult]
    if dask is not None:
        from headertrace.scan.dask import run_on_cluster  # noqa: PLC0415 - optional extra

        results = run_on_cluster(dask, units, options, done=done)
    else:
        results = scan_units(units, options, jobs=jobs, enricher=enricher, encode=True, done=done)
    show = not quiet and err.is_terminal
    progress = _progress(err) if show else None
    interrupted = False
    started = time.monotonic()
    try:
        if progress is not None:
            progress.start()
            task = progress.add_task("scan", total=total or None, messages=0, rate=0.0, errors=0)
        messages = errors = 0
        read = 0
        last = 0.0
        for result in results:
            row = outputs.write(result)
            tally.add(row)
            messages += 1  # noqa: SIM113 - counted with errors and bytes
            errors += 0 if result.ok else 1
            read += result.size
            if progress is not None:
                now = time.monotonic()
                if now - last > 0.1:
                    last = now
                    progress.update(
                        task,
                        completed=min(read, total),
                        messages=messages,
                        errors=errors,
                        rate=messages / max(now - started, 1e-9),
                    )
    except KeyboardInterrupt:
        interrupted = True
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
        if progress is not None:
            progress.stop()
        outputs.close()
    summary = tally.summary()
    if summary_json is not None:
        with open(summary_json, "w", encoding="utf-8") as handle:
            json.dump(summary.to_dict(), handle, indent=2, ensure_ascii=True)
            handle.write("\n")
    if not quiet:
        print_summary(summary, out)
    if interrupted:
        err.print("headertrace: interrupted; every output holds complete lines", markup=False)
        return INTERRUPTED
    return ExitStatus.PROBLEM if summary.failed else ExitStatus.OK
