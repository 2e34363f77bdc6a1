"""Run units on worker processes and stream their results back, memory flat.

Each worker has its own pipe: the main process hands it at most ``QUEUED_PER_WORKER`` units
at a time, and the worker says which unit it starts, then sends its results in small batches
(a pipe send is synchronous: nothing sits in a buffer a dying process would lose). The main
process waits on every pipe and every worker's sentinel at once, so a worker that dies
(killed, out of memory, a crash in C code) is seen at once: the unit it was reading becomes
an error row with the reason, the units queued behind it go to a new worker, and the scan
goes on.

Workers ignore SIGINT: Ctrl-C reaches the main process, which stops the workers and ends the
stream (the caller finishes its output lines and exits 130).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from headertrace.scan.inputs import Unit
from headertrace.scan.model import ScanOptions, ScanResult
from headertrace.scan.read import run_unit

BATCH = 64
"""Results a worker sends at once."""
QUEUED_PER_WORKER = 2


def _worker(conn: Connection, options: ScanOptions) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        uid, unit = item
        conn.send(("start", uid, []))
        batch: list[ScanResult] = []
        try:
            for result in run_unit(unit, options):
                batch.append(result)
                if len(batch) >= BATCH:
                    conn.send(("rows", uid, batch))
                    batch = []
        except Exception as exc:  # report it as the unit's error, go on
            batch.append(
                ScanResult(unit.path, error=f"internal error: {type(exc).__name__}: {exc}")
            )
        conn.send(("done", uid, batch))


def _drain(conn: Connection) -> Iterator[tuple[str, int, list[ScanResult]]]:
    try:
        while conn.poll():
            yield conn.recv()
    except (EOFError, OSError):
        return  # the worker died: its sentinel says so


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
    def __init__(self, ctx: Any, options: ScanOptions) -> None:
        mine, theirs = ctx.Pipe()
        self.conn: Connection = mine
        self.process: BaseProcess = ctx.Process(target=_worker, args=(theirs, options), daemon=True)
        self.process.start()
        theirs.close()
        self.queued: deque[int] = deque()
        """Units handed to this worker and not done, oldest (the one it reads) first."""
        self.started: int | None = None


def run_parallel(units: Iterator[Unit], options: ScanOptions, jobs: int) -> Iterator[ScanResult]:
    """The results of ``units`` from ``jobs`` worker processes, as they come."""
    # fork where there is one: workers start at once, and a script that calls scan() needs
    # no ``if __name__ == "__main__"`` guard; spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    workers = [_Worker(ctx, options) for _ in range(jobs)]
    todo: deque[tuple[int, Unit]] = deque()  # handed back by a dead worker: first again
    pending: dict[int, Unit] = {}
    given: dict[int, int] = {}
    next_uid = 0
    exhausted = False
    try:
        while True:
            for worker in workers:
                while len(worker.queued) < QUEUED_PER_WORKER:
                    if todo:
                        uid, unit = todo.popleft()
                    else:
                        if exhausted:
                            break
                        got = next(units, None)
                        if got is None:
                            exhausted = True
                            break
                        if got.error is not None:  # nothing for a worker to do
                            yield from run_unit(got, options)
                            continue
                        uid, unit = next_uid, got
                        next_uid += 1
                        pending[uid] = unit
                        given[uid] = 0
                    worker.conn.send((uid, unit))
                    worker.queued.append(uid)
            if exhausted and not pending and not todo:
                return
            by_handle: dict[Any, _Worker] = {w.conn: w for w in workers}
            by_handle.update({w.process.sentinel: w for w in workers})
            for ready in wait(list(by_handle)):
                worker = by_handle[ready]
                if worker not in workers:
                    continue
                # what it sent, even when it died just after
                for what, uid, batch in _drain(worker.conn):
                    given[uid] += len(batch)
                    yield from batch
                    if what == "done":
                        del pending[uid], given[uid]
                        worker.queued.remove(uid)
                if worker.process.is_alive():
                    continue
                worker.process.join()
                if worker.queued:  # the oldest unit not done is the one it was reading
                    uid = worker.queued.popleft()
                    yield died(pending.pop(uid), worker.process.exitcode, given.pop(uid))
                    todo.extend((u, pending[u]) for u in worker.queued)
                worker.conn.close()
                workers[workers.index(worker)] = _Worker(ctx, options)
    finally:
        for worker in workers:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in workers:
            worker.process.join(timeout=5)
            worker.conn.close()
