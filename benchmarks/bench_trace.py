"""Throughput of headertrace.trace against its peers, on the same messages, in one run.

    python benchmarks/bench_trace.py [--limit N] [--corpus PATH] [--stages]

Peers: ``mailparser.parse_from_bytes(...).received`` (a full MIME parse plus its Received
parser), the standard library's ``BytesHeaderParser(policy=compat32)`` (headers split
only, no Received parsing: the floor any Python tool pays) and, where Perl has
Mail::SpamAssassin (Debian: ``apt-get install spamassassin``), SpamAssassin's parse and
Received relays (``benchmarks/peer_spamassassin.pl``, a Perl process fed the same files and
timing itself in CPU seconds; no rules, no network). Prints messages per second for each
and the ratios. ``--stages`` also shows where headertrace's time goes, stage by stage
of the pipeline. Never used as a timed assertion in tests.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path

import mailparser

import headertrace
from headertrace.enrich import enrich_offline
from headertrace.intake import open_complaint
from headertrace.judge.chain import chain_findings, infer_origin
from headertrace.judge.verdict import judge
from headertrace.models import Hop
from headertrace.parse.headers import HeaderBlock, split_header_block
from headertrace.parse.received import parse_received_general
from headertrace.tracing import hops_from_values, message_info, trace_headers
from headertrace.vendors import read_direct

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def _load(corpus: Path, limit: int) -> list[Path]:
    root = corpus / "messages" if (corpus / "messages").is_dir() else corpus
    paths = sorted(root.rglob("*.eml"))
    step = max(1, len(paths) // limit)  # every n-th message: all sources, in proportion
    return paths[::step][:limit]


def _headertrace(data: bytes) -> object:
    return headertrace.trace(data).hops


def _mailparser(data: bytes) -> object:
    return mailparser.parse_from_bytes(data).received


_PARSER = BytesHeaderParser(policy=compat32)


def _stdlib(data: bytes) -> object:
    return _PARSER.parsebytes(data).get_all("Received")


def _warm_up(func: Callable[[bytes], object], messages: list[bytes]) -> None:
    for data in messages[:20]:  # imports, caches, the public-suffix list
        try:
            func(data)
        except Exception:
            continue


class SpamAssassin:
    """SpamAssassin in a Perl process of its own, fed batches of paths; ``None`` where Perl
    or Mail::SpamAssassin is missing."""

    SCRIPT = Path(__file__).with_name("peer_spamassassin.pl")

    def __init__(self, process: subprocess.Popen[str], empty: str) -> None:
        self.process, self._empty = process, empty

    @classmethod
    def start(cls) -> SpamAssassin | None:
        if shutil.which("perl") is None:
            return None
        empty = tempfile.mkdtemp(prefix="bench-sa-")  # no rules, no user preferences
        process = subprocess.Popen(
            ["perl", str(cls.SCRIPT), empty],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        if not process.stdout.readline().startswith("ready"):
            process.wait()
            shutil.rmtree(empty, ignore_errors=True)
            return None
        return cls(process, empty)

    def seconds(self, paths: list[Path]) -> float:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{len(paths)}\n" + "".join(f"{p}\n" for p in paths))
        self.process.stdin.flush()
        return float(self.process.stdout.readline().split()[0])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()
        shutil.rmtree(self._empty, ignore_errors=True)


def _seconds(func: Callable[[bytes], object], messages: list[bytes]) -> float:
    """CPU seconds (process time, so other load on the machine counts less)."""
    start = time.process_time()
    for data in messages:
        try:
            func(data)
        except Exception:  # a peer failing on a message still costs its time
            continue
    return time.process_time() - start


def _rates(
    peers: dict[str, Callable[[bytes], object]],
    paths: list[Path],
    messages: list[bytes],
    spamassassin: SpamAssassin | None = None,
    rounds: int = 10,
) -> dict[str, float]:
    """Messages per CPU second for each peer. The messages are cut into ``rounds`` slices
    and the peers take turns on each slice, so that a slow spell of a shared machine
    weighs on all of them alike and the ratios stay steady."""
    for func in peers.values():
        _warm_up(func, messages)
    spent = dict.fromkeys(peers, 0.0)
    if spamassassin is not None:
        spamassassin.seconds(paths[:20])
        spent[SA_NAME] = 0.0
    for k in range(rounds):
        chunk = messages[k::rounds]
        for name, func in peers.items():
            spent[name] += _seconds(func, chunk)
        if spamassassin is not None:
            spent[SA_NAME] += spamassassin.seconds(paths[k::rounds])
    return {name: len(messages) / seconds for name, seconds in spent.items()}


SA_NAME = "SpamAssassin (Perl)"


def _stage_seconds(func: Callable[[int], object], n: int) -> float:
    """CPU seconds for ``func(k)`` over ``k in range(n)``, after a warm-up."""
    for k in range(min(n, 20)):
        func(k)
    start = time.process_time()
    for k in range(n):
        func(k)
    return time.process_time() - start


def _judged(block: HeaderBlock, hops: list[Hop]) -> object:
    origin = infer_origin(hops)
    judge(hops, None, block, origin)
    return chain_findings(hops, origin), message_info(block)


def _stages(messages: list[bytes]) -> None:
    """CPU time per message of each stage of ``trace``, each fed the previous one's output."""
    raws = [c.reported[0].raw for c in map(open_complaint, messages) if c.reported]
    blocks = [split_header_block(raw) for raw in raws]
    values = [block.get_all("Received") for block in blocks]
    hops = [hops_from_values(v) for v in values]
    traces = [trace_headers(block) for block in blocks]
    n = len(raws)
    spent = {
        "intake (open_complaint)": _stage_seconds(lambda k: open_complaint(messages[k]), n),
        "header split": _stage_seconds(lambda k: split_header_block(raws[k]), n),
        "Received parsing": _stage_seconds(lambda k: hops_from_values(values[k]), n),
        "origin, judge, findings": _stage_seconds(lambda k: _judged(blocks[k], hops[k]), n),
        "offline attribution": _stage_seconds(lambda k: enrich_offline(traces[k]), n),
    }
    headers = sum(map(len, values))
    print(f"\nstages of headertrace.trace ({headers / n:.1f} Received headers a message):")
    total = sum(spent.values())
    for name, seconds in spent.items():
        print(f"  {name:26} {seconds / n * 1e6:8.1f} us/msg  {seconds / total:5.0%}")
    per_header = spent["Received parsing"] / headers * 1e6
    print(f"  {'(parsing, per header)':26} {per_header:8.1f} us")
    every = [value for vs in values for value in vs]
    direct = [value for value in every if read_direct(value) is not None]
    general = [value for value in every if read_direct(value) is None]
    print(f"  {'(taken directly)':26} {len(direct) / len(every):8.1%} of headers")
    for name, func, chosen in (
        ("(direct reader)", read_direct, direct),
        ("(general reader, the rest)", parse_received_general, general),
        ("(general reader, all)", parse_received_general, every),
    ):
        seconds = _stage_seconds(lambda k, f=func, c=chosen: f(c[k]), len(chosen))  # type: ignore[misc]
        print(f"  {name:26} {seconds / max(1, len(chosen)) * 1e6:8.1f} us a header")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=3000)
    parser.add_argument("--stages", action="store_true", help="time each stage of trace")
    parser.add_argument(
        "--no-spamassassin", action="store_true", help="leave SpamAssassin out even if installed"
    )
    args = parser.parse_args()
    # mail-parser logs every MIME type it does not handle; that is not what is measured.
    logging.getLogger("mailparser").setLevel(logging.CRITICAL)
    paths = _load(args.corpus, args.limit)
    if not paths:
        raise SystemExit(f"no .eml messages under {args.corpus}")
    messages = [p.read_bytes() for p in paths]
    size = sum(map(len, messages)) / len(messages)
    print(f"{len(messages)} messages, {size / 1024:.1f} KiB average")
    spamassassin = None if args.no_spamassassin else SpamAssassin.start()
    try:
        rates = _rates(
            {
                "headertrace.trace": _headertrace,
                "mailparser .received": _mailparser,
                "stdlib BytesHeaderParser": _stdlib,
            },
            paths,
            messages,
            spamassassin,
        )
    finally:
        if spamassassin is not None:
            spamassassin.close()
    base = rates["headertrace.trace"]
    for name, rate in rates.items():
        ratio = base / rate
        print(f"{name:26} {rate:10.0f} msg/s  {1e3 / rate:7.3f} ms/msg  headertrace x{ratio:.2f}")
    if args.stages:
        _stages(messages)


if __name__ == "__main__":
    main()
