"""One unit of work -> results: what each worker runs.

A range ``[start, end)`` of a plain mbox owns the messages whose ``From_`` line (at the
start of a line, after a blank line or at the start of the file) begins inside it. The
worker seeks to ``start``, skips the tail of the message the range before it owns, and reads
on past ``end`` to finish its last message: ranges are cut by byte offset, messages never.
A message over ``max_size`` bytes becomes an error row; its bytes are counted, not held.

Tracing never raises on bad mail; anything else that goes wrong with one message becomes an
error row for it, and the worker goes on with the next.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import IO, Any

from headertrace.intake.mailbox import _finish, is_from_line
from headertrace.intake.mime import OLE_MAGIC
from headertrace.logs import attach_all
from headertrace.models import Trace
from headertrace.scan.inputs import Unit
from headertrace.scan.model import ScanOptions, ScanResult, json_line
from headertrace.scan.rows import flat_row
from headertrace.tracing import trace_all

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x7fELF", "an executable"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)
_HEADER_LINE = re.compile(rb"[!-9;-~]{1,200}:")


def not_mail(data: bytes) -> str | None:
    """Why ``data`` is no message (``not mail: a PDF document``), or ``None``."""
    if not data.strip():
        return "empty message"
    if data.startswith(OLE_MAGIC):
        return None  # an Outlook .msg
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            return f"not mail: {what}"
    head = data[:8192]
    if b"\x00" in head:
        return "not mail: binary data"
    return None


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB"


def _too_big(size: int, max_size: int) -> str:
    return f"too big: {_mb(size)}, over the limit of {_mb(max_size)} (--max-size)"


def run_unit(unit: Unit, options: ScanOptions) -> Iterator[ScanResult]:
    """The results of one unit, message by message (encoded if ``options.encode``)."""
    results = _run_unit(unit, options)
    if options.logs:
        results = _with_logs(results, options)
    if options.encode:
        return (encoded(r) for r in results)
    return results


LOG_BATCH = 500
"""Messages joined to the logs together: one read of the logs for each such batch."""


def _with_logs(results: Iterator[ScanResult], options: ScanOptions) -> Iterator[ScanResult]:
    """The results with their traces joined to our mail logs, a batch at a time, in order."""
    batch: list[ScanResult] = []
    for result in results:
        batch.append(result)
        if len(batch) >= LOG_BATCH:
            yield from _joined(batch, options)
            batch = []
    yield from _joined(batch, options)


def _joined(batch: list[ScanResult], options: ScanOptions) -> list[ScanResult]:
    traced = [r for r in batch if r.trace is not None]
    if not traced:
        return batch
    joined = iter(
        attach_all(
            [r.trace for r in traced if r.trace is not None],
            options.org,
            options.logs,
            options.log_options,
        )
    )
    return [replace(r, trace=next(joined)) if r.trace is not None else r for r in batch]


def _run_unit(unit: Unit, options: ScanOptions) -> Iterator[ScanResult]:
    if unit.error is not None:
        yield ScanResult(unit.path, error=unit.error)
        return
    try:
        if unit.kind == "file":
            yield from _file(unit, options)
        elif unit.kind == "mbox":
            with open(unit.path, "rb") as handle:
                yield from _mbox(unit.path, handle, unit.start, unit.end, options)
        else:
            with _open_compressed(unit) as handle:
                head = handle.peek(5)[:5] if hasattr(handle, "peek") else b""
                if head.startswith(b"From "):
                    yield from _mbox(unit.path, handle, 0, None, options)
                else:
                    data = handle.read(options.max_size + 1)
                    if len(data) > options.max_size:
                        yield ScanResult(
                            unit.path, size=len(data), error=_too_big(len(data), options.max_size)
                        )
                    else:
                        yield from _message(
                            unit.path,
                            where=None,
                            offset=None,
                            index=None,
                            data=data,
                            options=options,
                        )
    except OSError as exc:
        yield ScanResult(unit.path, error=f"cannot read: {exc.strerror or exc}")
    except (EOFError, lzma.LZMAError, ValueError) as exc:
        yield ScanResult(unit.path, error=f"cannot decompress ({unit.compression}): {exc}")


def _open_compressed(unit: Unit) -> Any:
    if unit.compression == "gzip":
        return gzip.open(unit.path, "rb")
    if unit.compression == "bzip2":
        return bz2.open(unit.path, "rb")
    return lzma.open(unit.path, "rb")


def _file(unit: Unit, options: ScanOptions) -> Iterator[ScanResult]:
    if unit.size > options.max_size:
        yield ScanResult(unit.path, size=unit.size, error=_too_big(unit.size, options.max_size))
        return
    with open(unit.path, "rb") as handle:
        data = handle.read(options.max_size + 1)
    yield from _message(unit.path, where=None, offset=None, index=None, data=data, options=options)


def _message(
    path: str,
    *,
    where: str | None,
    offset: int | None,
    index: int | None,
    data: bytes,
    options: ScanOptions,
) -> Iterator[ScanResult]:
    reason = not_mail(data)
    if reason is not None:
        if where is None and reason == "empty message":
            reason = "empty file"
        yield ScanResult(path, where, offset, index, len(data), error=reason)
        return
    try:
        traces = trace_all(data, options.org, unwrap=options.unwrap)
    except Exception as exc:  # one bad message must not stop the scan
        yield ScanResult(
            path,
            where,
            offset,
            index,
            len(data),
            error=f"internal error: {type(exc).__name__}: {exc}",
        )
        return
    for t in traces:
        yield ScanResult(path, _part(where, t), offset, index, len(data), trace=_located(t, path))


def _part(where: str | None, t: Trace) -> str | None:
    inner = t.source.part
    if where is None:
        return inner
    return f"{where}/{inner}" if inner else where


def _located(t: Trace, path: str) -> Trace:
    return replace(t, source=replace(t.source, path=path))


def _line_start(handle: IO[bytes], start: int) -> tuple[int, bool]:
    """Seek to the first line that begins at or after ``start``; return its offset and
    whether the line before it is blank (so that a ``From_`` line there starts a message)."""
    if start == 0:
        handle.seek(0)
        return 0, True
    back = max(0, start - 3)
    handle.seek(back)
    before = handle.read(start - back)
    if before.endswith(b"\n"):
        pos = start
    else:
        rest = handle.readline()
        pos = start + len(rest)
        if not rest.endswith(b"\n"):
            return pos, False
        before = (before + rest)[-3:]
        handle.seek(pos)
    blank = before.endswith((b"\n\n", b"\n\r\n")) or pos - 1 == 0
    handle.seek(pos)
    return pos, blank


def _mbox(
    path: str, handle: IO[bytes], start: int, end: int | None, options: ScanOptions
) -> Iterator[ScanResult]:
    """The messages whose ``From_`` line starts in ``[start, end)`` of an mbox."""
    pos, prev_blank = _line_start(handle, start)
    whole = start == 0
    index = 0
    current: list[bytes] | None = None
    current_at = 0
    size = 0
    for line in handle:
        at = pos
        pos += len(line)
        if prev_blank and line.startswith(b"From ") and is_from_line(line):
            if current is not None or size:
                yield from _emit(
                    path,
                    lines=current,
                    offset=current_at,
                    index=index if whole else None,
                    size=size,
                    options=options,
                )
            if end is not None and at >= end:
                return
            index += 1
            current, current_at, size = [], at, 0
            prev_blank = False
            continue
        prev_blank = line.strip(b"\r\n") == b""
        if current is None and not size:
            if at != 0:
                continue  # the tail of the message the range before this one owns
            current, current_at = [], 0  # text before the first From_ line: a message too
            index += 1
        size += len(line)
        if current is not None:
            if size > options.max_size:
                current = None  # too big: keep counting, stop holding
            else:
                current.append(line)
    if current is not None or size:
        yield from _emit(
            path,
            lines=current,
            offset=current_at,
            index=index if whole else None,
            size=size,
            options=options,
        )


def _emit(
    path: str,
    *,
    lines: list[bytes] | None,
    offset: int,
    index: int | None,
    size: int,
    options: ScanOptions,
) -> Iterator[ScanResult]:
    where = f"mbox@{offset}"
    if lines is None:
        yield ScanResult(path, where, offset, index, size, error=_too_big(size, options.max_size))
        return
    yield from _message(
        path, where=where, offset=offset, index=index, data=_finish(lines), options=options
    )


def encoded(result: ScanResult) -> ScanResult:
    """``result`` with its JSONL line and flat row made, and the trace dropped."""
    data = result.to_dict()
    return replace(result, trace=None, line=json_line(data), row=flat_row(data))
