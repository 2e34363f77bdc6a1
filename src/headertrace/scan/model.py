"""What a scan yields: plain, frozen, picklable records."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from headertrace.judge.org import Organisation
from headertrace.logs.matcher import LogOptions
from headertrace.models import Trace

SCAN_SCHEMA = "headertrace.scan/1"

MAX_SIZE = 32 << 20
"""Bytes of one message (or one file that is not an mbox) past which it is not traced but
reported as an error row."""


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How each message is traced (the same for every worker)."""

    org: Organisation | None = None
    unwrap: bool = True
    max_size: int = MAX_SIZE
    encode: bool = False
    """Workers send each result's JSONL line and flat row instead of the trace (what the
    command writes), which costs the main process far less than unpickling traces."""
    logs: tuple[str, ...] = ()
    """Our servers' mail logs: each worker joins its traces to them a batch at a time
    (:func:`headertrace.logs.attach_all`: one read of the logs per batch)."""
    log_options: LogOptions | None = None


@dataclass(frozen=True, slots=True)
class ScanResult:
    """One traced message, or one thing that could not be traced, and where it was found.

    Exactly one of ``trace`` and ``error`` is set."""

    input: str
    """The file (as ``os.fsdecode`` gives it: undecodable bytes kept as surrogates)."""
    part: str | None = None
    """Where in the file: ``mbox@OFFSET`` for a message of an mbox, then ``/PART`` for a
    message found inside a complaint (``2``: the attached original); ``None`` for the file."""
    offset: int | None = None
    """Byte offset of the message's ``From_`` line in the (decompressed) mbox."""
    index: int | None = None
    """1-based position in the mbox, when one worker read it from its start (a compressed
    or small mbox); ``None`` for a message of a range of a big mbox."""
    size: int = 0
    """Bytes of the message (of the file, for a message file)."""
    trace: Trace | None = None
    error: str | None = None
    """Why nothing was traced, in words (``empty file``, ``not mail: a PDF document``)."""
    line: str | None = field(default=None, compare=False, hash=False, repr=False)
    """The JSONL line, when the worker made it (``ScanOptions.encode``: then ``trace`` is
    ``None`` even for a traced message; ``ok`` still tells)."""
    row: dict[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)
    """The flat row (:mod:`headertrace.scan.rows`), when the worker made it."""

    @property
    def ok(self) -> bool:
        return self.error is None

    def found(self) -> dict[str, Any]:
        """Where the message was found, as JSON (the ``scan`` object of a JSONL line)."""
        return {
            "input": self.input,
            "part": self.part,
            "offset": self.offset,
            "index": self.index,
            "size": self.size,
            "error": self.error,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSONL object: the trace format of docs/trace-format.md (absent for an error
        row) plus ``scan``, where the message was found (docs/scan.md)."""
        out: dict[str, Any] = self.trace.to_dict() if self.trace is not None else {}
        out["scan"] = self.found()
        return out

    def to_json(self) -> str:
        """One line of JSON (the one the worker made, if it did). Undecodable bytes of a file
        name (surrogates) are written as ``\\udcXX`` escapes,
        which ``json.loads`` reads back to the same name."""
        if self.line is not None:
            return self.line
        return json_line(self.to_dict())


def json_line(data: dict[str, Any]) -> str:
    """``data`` as one line of JSON, UTF-8 safe (lone surrogates escaped)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text
