"""Resident memory while tracing many messages (docs/speed.md, Memory).

    python benchmarks/bench_memory.py [--messages N] [--corpus PATH]

Traces the corpus over and over, printing the resident set size every 10,000 messages:
every cache is bounded, so it must stay flat. Linux only (reads /proc/self/status).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import headertrace

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    messages = [p.read_bytes() for p in sorted((args.corpus / "messages").rglob("*.eml"))]
    if not messages:
        raise SystemExit(f"no messages under {args.corpus}/messages")
    start = time.process_time()
    for n in range(1, args.messages + 1):
        headertrace.trace(messages[n % len(messages)])
        if n % 10_000 == 0:
            print(f"{n:8} messages  {_rss_mb():7.1f} MB  {time.process_time() - start:5.0f} s")


if __name__ == "__main__":
    main()
