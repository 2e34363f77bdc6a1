"""Reading log files: one streaming pass per file that keeps only the lines naming an id.

A file is read in blocks of ``BLOCK`` bytes (gzip, bzip2 and xz are recognised by their magic
bytes and decompressed as a stream), never whole; a line is decoded and parsed only when one
of the needles (queue ids, Message-IDs) occurs in it, found with ``bytes.find`` over the
block, so reading costs about what ``grep -F`` costs. Line numbers are counted per block.
When ``stop_after`` is given and the file is in time order (the first line of each block is
no older than the previous block's, give or take ``DISORDER``), reading stops at the first
block that starts past it, once a block has started before it (a file that begins after the
window is read on: it may be newer files concatenated before older ones).

This is the only module of :mod:`headertrace.logs` that does I/O.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Literal

from headertrace.logs import exchange, exim, opensmtpd, postfix, sendmail
from headertrace.logs.records import Entry
from headertrace.logs.syslog import Clock, SyslogLine, iso_time, parse_syslog
from headertrace.models import LogFileRead, LogLine

BLOCK = 1 << 20
MAX_LINE = 64 * 1024
"""A line longer than this is cut (and its rest read as further lines): binary junk."""
DISORDER = timedelta(minutes=5)
"""How far back a block may start before the file no longer counts as in time order."""

Format = Literal["syslog", "exim", "exchange", "journal-json", "empty", "unknown"]


@dataclass(slots=True)
class FileScan:
    """What one file gave: its entries, its lines that named an id and did not parse."""

    read: LogFileRead
    entries: list[Entry] = field(default_factory=list)
    unreadable: list[LogLine] = field(default_factory=list)
    zone_assumed: bool = False
    """The file's times carry no zone (RFC 3164, an Exim mainlog without log_timezone)."""
    error: str | None = None
    """Why the file could not be read at all."""


def open_log(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when its first bytes say gzip, bzip2 or xz."""
    with path.open("rb") as f:
        magic = f.read(6)
    if magic[:2] == b"\x1f\x8b":
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    if magic[:3] == b"BZh":
        return bz2.open(path, "rb")
    if magic == b"\xfd7zXZ\x00":
        return lzma.open(path, "rb")
    return path.open("rb")


def _blocks(f: IO[bytes]) -> Iterator[tuple[bytearray, int]]:
    """``(buffer, n)``: ``buffer[:n]`` is the next block, ending at a line end (the last may
    not, and neither may a line longer than ``MAX_LINE``, which is cut). One buffer is reused
    (no copy of the block is made): use it before asking for the next."""
    buf = bytearray(BLOCK + MAX_LINE)
    view = memoryview(buf)
    have = 0
    while True:
        n = f.readinto(view[have : have + BLOCK])  # type: ignore[attr-defined]
        if not n:
            if have:
                yield buf, have
            return
        total = have + n
        cut = buf.rfind(b"\n", 0, total)
        if cut < 0:
            if total >= MAX_LINE:
                yield buf, total
                have = 0
            else:
                have = total
            continue
        yield buf, cut + 1
        have = total - (cut + 1)
        if have >= MAX_LINE:
            buf[:have] = buf[cut + 1 : total]
            yield buf, have
            have = 0
        elif have:
            buf[:have] = buf[cut + 1 : total]


@dataclass(slots=True)
class _Sniffed:
    format: Format
    fields: tuple[str, ...] = ()
    zone_assumed: bool = False


def _sniff(head: bytes, clock: Clock) -> _Sniffed:
    fields: tuple[str, ...] = ()
    for raw in head.split(b"\n", 200)[:200]:
        text = raw.decode("utf-8", "replace").strip("\r\ufeff ")
        if not text:
            continue
        if text.startswith("#"):
            fields = exchange.field_names(text) or fields
            continue
        if fields:
            return _Sniffed("exchange", fields)
        if text.startswith("{"):
            return _Sniffed("journal-json")
        if exim.is_mainlog(text):
            _t, given, _used = iso_time(text, clock)
            zoned = given or (len(text) > 25 and text[20:21] in "+-" and text[21:25].isdigit())
            return _Sniffed("exim", zone_assumed=not zoned)
        sl = parse_syslog(text, clock)
        if sl is not None:
            return _Sniffed("syslog", zone_assumed=not sl.zone_given)
        return _Sniffed("unknown")
    return _Sniffed("exchange", fields) if fields else _Sniffed("empty")


def _journal(obj: object) -> SyslogLine | None:
    if not isinstance(obj, dict):
        return None
    message = obj.get("MESSAGE")
    if isinstance(message, list):  # journald writes non-UTF-8 messages as byte arrays
        try:
            message = bytes(int(b) & 0xFF for b in message).decode("utf-8", "replace")
        except (TypeError, ValueError):
            return None
    if not isinstance(message, str):
        return None
    t = None
    micro = obj.get("__REALTIME_TIMESTAMP")
    try:
        t = datetime.fromtimestamp(int(str(micro)) / 1e6, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        t = None
    program = str(obj.get("SYSLOG_IDENTIFIER") or obj.get("_COMM") or "")
    host = obj.get("_HOSTNAME")
    pid = obj.get("SYSLOG_PID") or obj.get("_PID")
    return SyslogLine(
        t, True, str(host) if host else None, program, str(pid) if pid else None, message
    )


def _from_syslog(line: LogLine, sl: SyslogLine) -> Entry | None:
    program = sl.program
    if postfix.is_postfix(program):
        return postfix.parse(line, sl)
    if program in sendmail.PROGRAMS:
        return sendmail.parse(line, sl)
    if program.startswith("exim"):
        return exim.parse_message(line, sl.message, sl.time, sl.host)
    if opensmtpd.looks_like(sl.message):
        return opensmtpd.parse(line, sl)
    return None


def parse_line(line: LogLine, sniffed: _Sniffed, clock: Clock) -> Entry | None:
    """The entry of one line of a file of the sniffed format."""
    text = line.raw
    if sniffed.format == "exim":
        return exim.parse_mainlog(line, text, clock)
    if sniffed.format == "exchange":
        return exchange.parse(line, sniffed.fields, clock)
    if sniffed.format == "journal-json":
        try:
            sl = _journal(json.loads(text))
        except (ValueError, RecursionError):
            return None
        return _from_syslog(line, sl) if sl else None
    sl2 = parse_syslog(text, clock)
    return _from_syslog(line, sl2) if sl2 else None


def _line_time(raw: bytes, sniffed: _Sniffed, clock: Clock) -> datetime | None:
    text = raw.decode("utf-8", "replace").strip()
    if not text or text.startswith("#"):
        return None
    if sniffed.format in ("exim", "exchange"):
        return iso_time(text, clock)[0]
    if sniffed.format == "journal-json":
        try:
            sl = _journal(json.loads(text))
        except (ValueError, RecursionError):
            return None
        return sl.time if sl else None
    sl2 = parse_syslog(text, clock)
    return sl2.time if sl2 else None


def _hits(buf: bytearray, size: int, needles: Collection[bytes]) -> list[int]:
    """Start offsets of the lines of ``buf[:size]`` that contain a needle, in order."""
    starts: set[int] = set()
    for needle in needles:
        pos = buf.find(needle, 0, size)
        while pos >= 0:
            start = buf.rfind(b"\n", 0, pos) + 1
            starts.add(start)
            end = buf.find(b"\n", pos, size)
            if end < 0:
                break
            pos = buf.find(needle, end, size)
    return sorted(starts)


def _unreadable(raw: bytes) -> bool:
    return b"\x00" in raw or len(raw) >= MAX_LINE


def scan_file(
    path: str | os.PathLike[str],
    needles: Collection[str],
    clock: Clock,
    *,
    stop_after: datetime | None = None,
) -> FileScan:
    """Read one file once; the entries of the lines that contain any of ``needles``."""
    p = Path(path)
    name = str(path)
    bneedles = [n.encode() for n in needles if n]
    try:
        f = open_log(p)
    except OSError as exc:
        return FileScan(LogFileRead(name, "unknown", 0), error=exc.strerror or str(exc))
    result = FileScan(LogFileRead(name, "empty", 0))
    sniffed: _Sniffed | None = None
    lines = 0
    first: datetime | None = None
    last_block_time: datetime | None = None
    last_text = b""
    in_order = True
    reached = False  # a block started at or before stop_after
    stopped = False
    try:
        with f:
            for buf, size in _blocks(f):
                if sniffed is None:
                    sniffed = _sniff(bytes(buf[: min(size, 64 * 1024)]), clock)
                    result.zone_assumed = sniffed.zone_assumed
                nl = buf.find(b"\n", 0, size)
                t0 = _line_time(bytes(buf[: nl + 1 if nl >= 0 else size]), sniffed, clock)
                if t0 is not None:
                    first = first or t0
                    if last_block_time is not None and t0 < last_block_time - DISORDER:
                        in_order = False
                    last_block_time = t0
                    if stop_after is not None and t0 <= stop_after:
                        reached = True
                    elif stop_after is not None and in_order and reached:
                        stopped = True
                        break
                counted, counted_at = 0, 0
                for start in _hits(buf, size, bneedles):
                    counted += buf.count(b"\n", counted_at, start)
                    counted_at = start
                    end = buf.find(b"\n", start, size)
                    raw = bytes(buf[start : end if end >= 0 else size]).rstrip(b"\r")
                    ll = LogLine(name, lines + counted + 1, raw.decode("utf-8", "replace"))
                    entry = None if _unreadable(raw) else parse_line(ll, sniffed, clock)
                    if entry is None:
                        result.unreadable.append(ll)
                    else:
                        result.entries.append(entry)
                ends_line = buf[size - 1] == 0x0A
                lines += buf.count(b"\n", 0, size) + (0 if ends_line else 1)
                end_at = size - 1 if ends_line else size
                last_text = bytes(buf[buf.rfind(b"\n", 0, end_at) + 1 : end_at])
    except (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    last = _line_time(last_text, sniffed, clock) if sniffed and last_text else None
    fmt: str = sniffed.format if sniffed else "empty"
    result.read = LogFileRead(name, fmt, lines, first, last or last_block_time, stopped)
    return result
