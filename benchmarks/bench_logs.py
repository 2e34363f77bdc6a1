"""Finding one message in a large Postfix log: headertrace.logs against ``grep -F``.

    python benchmarks/bench_logs.py [--size-mb 1024] [--path /tmp/headertrace-bench-mail.log]

Writes (once; reused if present with the same size) a syslog-format Postfix log of about
``--size-mb`` MiB in /tmp: messages of six lines each (smtpd client= with a SASL login,
cleanup, qmgr, smtp delivery, removed), one per second of simulated time over the file, with
unique short queue ids. Then, in the same run, on the same file: ``grep -F QUEUEID`` (its
wall time), ``headertrace.logs.timeline(QUEUEID)`` (reads the whole file, as ``headertrace
log ID`` does) and the windowed read that ``trace(..., logs=...)`` does (stops past the
message's time window). The message sought is in the middle of the file. Prints times, the
ratio to grep and the peak resident memory of this process (flat: the file is streamed).
Never used as a timed assertion in tests.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from headertrace.logs import timeline
from headertrace.logs.matcher import collect
from headertrace.logs.syslog import Clock

START = datetime(2026, 1, 5, tzinfo=timezone.utc)


def _message(n: int, when: datetime) -> str:
    qid = f"{0x100000000 + n * 7919:X}"[-11:]
    stamp = when.strftime("%b %d %H:%M:%S")
    head = f"{stamp} mx postfix/"
    return (
        f"{head}smtpd[{1000 + n % 5000}]: {qid}: client=host{n % 997}.example.net"
        f"[198.51.100.{n % 250}], sasl_method=PLAIN, sasl_username=user{n % 3001}@example.com\n"
        f"{head}cleanup[2001]: {qid}: message-id=<bench-{n}@example.com>\n"
        f"{head}qmgr[2002]: {qid}: from=<user{n % 3001}@example.com>, size={2000 + n % 9000}, "
        "nrcpt=1 (queue active)\n"
        f"{head}smtp[2003]: {qid}: to=<rcpt{n % 1013}@example.org>, relay=mx.example.org"
        "[203.0.113.25]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=2.0.0, status=sent "
        "(250 2.0.0 Ok: queued as 4Xyz)\n"
        f"{head}qmgr[2002]: {qid}: removed\n"
        f"{head}anvil[2004]: statistics: max connection rate 1/60s "
        f"for (smtp:198.51.100.{n % 250})\n"
    )


def write_log(path: Path, size: int) -> int:
    """Write the log; return the number of messages."""
    n = 0
    written = 0
    with path.open("w", encoding="ascii") as f:
        while written < size:
            chunk = "".join(_message(n + k, START + timedelta(seconds=n + k)) for k in range(2000))
            f.write(chunk)
            written += len(chunk)
            n += 2000
    return n


def qid_of(n: int) -> str:
    return f"{0x100000000 + n * 7919:X}"[-11:]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--path", default="/tmp/headertrace-bench-mail.log")
    args = ap.parse_args()
    path = Path(args.path)
    size = args.size_mb * 1024 * 1024
    meta = path.with_suffix(".count")
    if not path.exists() or abs(path.stat().st_size - size) > 4 * 1024 * 1024 or not meta.exists():
        t0 = time.perf_counter()
        count = write_log(path, size)
        meta.write_text(str(count))
        took = time.perf_counter() - t0
        print(f"wrote {path} ({path.stat().st_size / 2**20:.0f} MiB) in {took:.1f} s")
    count = int(meta.read_text())
    target = count // 2
    qid = qid_of(target)
    when = START + timedelta(seconds=target)
    print(f"{path}: {path.stat().st_size / 2**20:.0f} MiB, {count} messages; looking for {qid}")

    grep = shutil.which("grep") or "grep"
    t0 = time.perf_counter()
    out = subprocess.run([grep, "-F", qid, str(path)], capture_output=True, check=False)
    t_grep = time.perf_counter() - t0
    grep_lines = out.stdout.count(b"\n")

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    tl = timeline(qid, [path], year_hint=when)
    t_full = time.perf_counter() - t0
    assert len(tl.events) == grep_lines, (len(tl.events), grep_lines)
    t0 = time.perf_counter()
    window = collect([str(path)], [qid], Clock(year_hint=when),
                     stop_after=when + timedelta(minutes=10) + timedelta(days=1))  # fmt: skip
    t_window = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    print(f"grep -F:                       {t_grep:7.2f} s  ({grep_lines} lines)")
    print(f"headertrace log ID (whole):    {t_full:7.2f} s  ({len(tl.events)} events)  "
          f"ratio {t_full / t_grep:.2f}x grep")  # fmt: skip
    stopped = window.files[0].read.stopped_early
    print(f"trace --log (time window):     {t_window:7.2f} s  (stopped early: {stopped})  "
          f"ratio {t_window / t_grep:.2f}x grep")  # fmt: skip
    print(f"peak RSS: {rss0 / 1024:.0f} MiB before reading, {rss1 / 1024:.0f} MiB after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
