"""Run units on worker processes and stream their results back, memory flat.

Workers take units from a task queue and send results back in small batches; the main
process keeps at most a few units per worker queued, so neither side holds more than a few
batches. Each worker writes the unit it is on into shared memory before it starts, so when a
worker dies (killed, out of memory, a crash in C code) the unit it held becomes an error row
with the reason, a new worker takes its place, and the scan goes on.

Workers ignore SIGINT: Ctrl-C reaches the main process, which stops the workers and ends the
stream (the caller finishes its output lines and exits 130).
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import time
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from headertrace.scan.inputs import Unit
from headertrace.scan.model import ScanOptions, ScanResult
from headertrace.scan.read import run_unit

BATCH = 64
"""Results a worker sends at once."""
QUEUED_PER_WORKER = 2
IDLE = -1


def _worker(
    tasks: Queue[tuple[int, Unit] | None],
    results: Queue[tuple[Any, ...]],
    busy: Synchronized[int],
    options: ScanOptions,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        item = tasks.get()
        if item is None:
            return
        uid, unit = item
        busy.value = uid
        batch: list[ScanResult] = []
        try:
            for result in run_unit(unit, options):
                batch.append(result)
                if len(batch) >= BATCH:
                    results.put(("rows", uid, batch))
                    batch = []
        except Exception as exc:  # report it as the unit's error, go on
            batch.append(
                ScanResult(unit.path, error=f"internal error: {type(exc).__name__}: {exc}")
            )
        results.put(("done", uid, batch))
        busy.value = IDLE


def died(unit: Unit, exitcode: int | None, given: int) -> ScanResult:
    """The error row of a unit whose worker died."""
    if exitcode is not None and exitcode < 0:
        try:
            how = f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"killed by signal {-exitcode}"
    else:
        how = f"exit status {exitcode}"
    what = "this file" if unit.kind != "mbox" else f"bytes {unit.start}-{unit.end} of this mbox"
    after = f" after {given} results" if given else ""
    part = f"mbox@{unit.start}-{unit.end}" if unit.kind == "mbox" else None
    return ScanResult(
        unit.path,
        part,
        unit.start if unit.kind == "mbox" else None,
        error=f"worker died ({how}) while reading {what}{after}",
    )


class _Worker:
    def __init__(self, ctx: Any, tasks: Any, results: Any, options: ScanOptions) -> None:
        self.busy: Synchronized[int] = ctx.Value("q", IDLE, lock=False)
        self.process: BaseProcess = ctx.Process(
            target=_worker, args=(tasks, results, self.busy, options), daemon=True
        )
        self.process.start()


def run_parallel(units: Iterator[Unit], options: ScanOptions, jobs: int) -> Iterator[ScanResult]:
    """The results of ``units`` from ``jobs`` worker processes, as they come."""
    # fork where there is one: workers start at once, and a script that calls scan() needs
    # no ``if __name__ == "__main__"`` guard; spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    tasks: Any = ctx.Queue()
    results: Any = ctx.Queue()
    workers = [_Worker(ctx, tasks, results, options) for _ in range(jobs)]
    pending: dict[int, Unit] = {}
    given: dict[int, int] = {}
    next_uid = 0
    exhausted = False
    last_check = time.monotonic()
    try:
        while True:
            while not exhausted and len(pending) < jobs * QUEUED_PER_WORKER:
                unit = next(units, None)
                if unit is None:
                    exhausted = True
                    break
                if unit.error is not None:  # nothing for a worker to do
                    yield from run_unit(unit, options)
                    continue
                pending[next_uid] = unit
                given[next_uid] = 0
                tasks.put((next_uid, unit))
                next_uid += 1
            if exhausted and not pending:
                return
            try:
                message = results.get(timeout=0.25)
            except queue.Empty:
                message = None
            if message is not None:
                what, uid, batch = message
                if uid in pending:
                    given[uid] += len(batch)
                    yield from batch
                    if what == "done":
                        del pending[uid], given[uid]
            now = time.monotonic()
            if message is None or now - last_check > 1.0:
                last_check = now
                for k, worker in enumerate(workers):
                    if worker.process.is_alive():
                        continue
                    uid = worker.busy.value
                    if uid in pending:
                        yield died(pending.pop(uid), worker.process.exitcode, given.pop(uid))
                    workers[k] = _Worker(ctx, tasks, results, options)
    finally:
        for worker in workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in workers:
            worker.process.join(timeout=5)
        tasks.cancel_join_thread()
        results.cancel_join_thread()
