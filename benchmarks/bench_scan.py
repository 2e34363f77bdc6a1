"""Throughput and memory of headertrace.scan, on mbox files generated in a temporary folder.

    python benchmarks/bench_scan.py [speed] [memory] [big] [--corpus PATH] [--tmp DIR]

- ``speed``: one mbox of 20,000 corpus messages, scanned with ``jobs=1`` and ``jobs=2``
  (what ``headertrace scan --jsonl`` does: each result encoded to its JSONL line and flat
  row and counted into the summary), next to ``headertrace.trace`` on the same messages in
  one process. Prints messages per second and the ratio of ``jobs=2`` to ``jobs=1``.
- ``memory``: one scan of 200,000 messages (headers of corpus messages, bodies cut, so the
  file stays small); the resident memory of the main process and of the workers after
  20,000 and after 200,000 results.
- ``big``: a 2 GB mbox of whole corpus messages scanned with ``jobs=2``; the peak resident
  memory of every process (it is never read whole).

Messages come from ``../shared/corpus`` (never copied into the repository); the files are
written under ``--tmp`` (default: the system's temporary folder) and removed afterwards.
Figures are printed, never asserted: timings are not tests.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import headertrace
from headertrace.scan import ScanResult, Tally, scan

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
SEPARATOR = b"From bench@example.com Mon Oct  6 10:00:00 2025\n"


def corpus_messages(corpus: Path, *, headers_only: bool = False) -> list[bytes]:
    out = []
    for path in sorted((corpus / "messages").rglob("*.eml")):
        data = path.read_bytes().replace(b"\r\n", b"\n")
        if headers_only:
            end = data.find(b"\n\n")
            data = data[: end + 1] + b"\nbody\n" if end >= 0 else data
        if not data.endswith(b"\n"):
            data += b"\n"
        out.append(SEPARATOR + data.replace(b"\nFrom ", b"\n>From ") + b"\n")
    return out


def write_mbox(path: Path, messages: list[bytes], *, count: int = 0, size: int = 0) -> int:
    """Write ``count`` messages (or ``size`` bytes) cycling through ``messages``."""
    written = n = 0
    with path.open("wb") as handle:
        while (count and n < count) or (size and written < size):
            data = messages[n % len(messages)]
            handle.write(data)
            written += len(data)
            n += 1
    return n


def rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def children() -> list[int]:
    me = os.getpid()
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me:
                pids.append(int(entry))
    return pids


def consume(results: Iterator[ScanResult]) -> int:
    """What the command does with each result: write its line, count its row."""
    tally = Tally()
    n = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for result in results:
            sink.write(result.to_json() + "\n")
            tally.add_result(result)
            n += 1
    tally.summary()
    return n


def bench_speed(corpus: Path, tmp: Path) -> None:
    messages = corpus_messages(corpus)
    box = tmp / "speed.mbox"
    count = write_mbox(box, messages, count=20_000)
    mb = box.stat().st_size / 1e6
    print(f"speed: {count:,} messages, {mb:,.0f} MB ({box})")
    raw = [m[len(SEPARATOR) :] for m in messages[:: max(1, len(messages) // 3000)]]
    t0 = time.perf_counter()
    for data in raw:
        headertrace.trace(data)
    trace_rate = len(raw) / (time.perf_counter() - t0)
    print(f"  headertrace.trace, one process:   {trace_rate:8,.0f} messages/s")
    rates: dict[int, list[float]] = {}
    for jobs in (1, 2, 1, 2):
        t0 = time.perf_counter()
        n = consume(scan([box], jobs=jobs, encode=True, chunk_size=8 << 20))
        rate = n / (time.perf_counter() - t0)
        rates.setdefault(jobs, []).append(rate)
        print(f"  scan jobs={jobs}:                    {rate:8,.0f} messages/s ({n:,})")
    best1, best2 = max(rates[1]), max(rates[2])
    print(f"  jobs=2 / jobs=1: {best2 / best1:.2f}x (best of two runs each)")


def bench_memory(corpus: Path, tmp: Path) -> None:
    messages = corpus_messages(corpus, headers_only=True)
    box = tmp / "memory.mbox"
    count = write_mbox(box, messages, count=200_000)
    del messages
    gc.collect()
    print(f"memory: {count:,} messages, {box.stat().st_size / 1e6:,.0f} MB")
    tally = Tally()
    marks: dict[int, tuple[float, float]] = {}
    t0 = time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for n, result in enumerate(scan([box], jobs=2, encode=True), start=1):
            sink.write(result.to_json() + "\n")
            tally.add_result(result)
            if n in (20_000, 200_000):
                marks[n] = (rss_mb(), sum(rss_mb(p) for p in children()))
    elapsed = time.perf_counter() - t0
    for n, (main, workers) in marks.items():
        print(f"  after {n:>7,}: main {main:6.1f} MB, workers {workers:6.1f} MB")
    a, b = marks[20_000], marks[200_000]
    print(
        f"  main grew {100 * (b[0] / a[0] - 1):+.1f}%,"
        f" main+workers {100 * (sum(b) / sum(a) - 1):+.1f}%"
    )
    print(f"  {count / elapsed:,.0f} messages/s; {len(tally.origins):,} distinct origins counted")


def _generate_big(corpus: Path, box: Path) -> None:
    write_mbox(box, corpus_messages(corpus), size=2 << 30)


def bench_big(corpus: Path, tmp: Path) -> None:
    box = tmp / "big.mbox"
    # Written by another process, so that this one never holds the corpus: the memory
    # figures below are the scan's own.
    writer = multiprocessing.get_context("spawn").Process(target=_generate_big, args=(corpus, box))
    writer.start()
    writer.join()
    size = box.stat().st_size
    print(f"big: {size / (1 << 30):.2f} GiB")
    tally = Tally()
    peak_main = peak_worker = 0.0
    n = 0
    t0 = time.perf_counter()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for n, result in enumerate(scan([box], jobs=2, encode=True), start=1):
            sink.write(result.to_json() + "\n")
            tally.add_result(result)
            if n % 2000 == 0:
                peak_main = max(peak_main, rss_mb())
                peak_worker = max([peak_worker, *(rss_mb(p) for p in children())])
    elapsed = time.perf_counter() - t0
    print(f"  {n:,} results in {elapsed:,.0f} s ({n / elapsed:,.0f} messages/s)")
    print(
        f"  resident memory, highest of samples every 2,000 results: main {peak_main:,.0f} MB,"
        f" a worker {peak_worker:,.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", choices=["speed", "memory", "big"], default=[])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--tmp", type=Path, default=None)
    args = parser.parse_args()
    which = args.which or ["speed", "memory", "big"]
    tmp = Path(tempfile.mkdtemp(prefix="bench-scan-", dir=args.tmp))
    try:
        for name in which:
            {"speed": bench_speed, "memory": bench_memory, "big": bench_big}[name](args.corpus, tmp)
            for path in tmp.iterdir():
                path.unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
