"""Paths -> units of work: files, Maildir messages, and byte ranges of big mbox files.

Planning reads at most the first bytes of each file (to tell an mbox or a compressed file
from a message); it never reads a file whole. A plain mbox bigger than ``chunk_size`` is cut
into byte ranges that workers read on their own: each range owns the messages whose
``From_`` line starts inside it (see :mod:`headertrace.scan.read`). Anything that cannot be
planned (a missing file, a symlink loop, an empty file) becomes a unit that carries its
error, so the scan reports it as a row and goes on.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

UnitKind = Literal["file", "mbox", "compressed", "error"]

CHUNK_SIZE = 64 << 20
"""Bytes of a plain mbox one unit reads: a bigger mbox is spread over the workers."""

COMPRESSED_MAGIC: dict[bytes, str] = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
}


@dataclass(frozen=True, slots=True)
class Unit:
    """One piece of work: a file, or the byte range ``[start, end)`` of an mbox file.

    ``path`` is the file name as given or found (``os.fsdecode``: undecodable bytes are kept
    as surrogates, so ``os.fsencode(path)`` gives the name back)."""

    path: str
    kind: UnitKind
    start: int = 0
    end: int | None = None
    size: int = 0
    """Bytes of the file this unit reads (its range, for a part of an mbox)."""
    error: str | None = None
    compression: str | None = None


def compression_of(head: bytes) -> str | None:
    for magic, name in COMPRESSED_MAGIC.items():
        if head.startswith(magic):
            return name
    return None


def plan(
    paths: Iterable[str | os.PathLike[str] | bytes],
    *,
    glob: str = "*",
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[Unit]:
    """The units of work for ``paths`` (files, directories searched recursively for names
    matching ``glob``, Maildirs, mbox files), lazily, in the order given."""
    for given in paths:
        path = os.fsdecode(given)
        yield from _expand(path, glob, chunk_size, set(), top=True)


def _error(path: str, exc: OSError) -> Unit:
    reason = "symlink loop" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
    return Unit(path, "error", error=f"cannot read: {reason}")


def _expand(
    path: str, glob: str, chunk_size: int, seen: set[tuple[int, int]], *, top: bool
) -> Iterator[Unit]:
    try:
        info = os.stat(path)
    except OSError as exc:
        yield _error(path, exc)
        return
    except ValueError as exc:  # an embedded NUL
        yield Unit(path, "error", error=f"not a file name: {exc}")
        return
    if stat.S_ISDIR(info.st_mode):
        key = (info.st_dev, info.st_ino)
        if key in seen:
            yield Unit(path, "error", error="symlink loop: this directory was already searched")
            return
        seen.add(key)
        yield from _directory(path, glob, chunk_size, seen)
        return
    if not stat.S_ISREG(info.st_mode):
        yield Unit(path, "error", error="not a regular file")
        return
    if not top and not fnmatch.fnmatch(os.path.basename(path), glob):
        return
    yield from file_units(path, info.st_size, chunk_size)


def _directory(path: str, glob: str, chunk_size: int, seen: set[tuple[int, int]]) -> Iterator[Unit]:
    maildir = [sub for sub in ("cur", "new") if os.path.isdir(os.path.join(path, sub))]
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        yield _error(path, exc)
        return
    if maildir:  # a Maildir: its messages are the files of cur/ and new/ (tmp/ is arriving)
        for sub in maildir:
            folder = os.path.join(path, sub)
            try:
                files = sorted(os.listdir(folder))
            except OSError as exc:
                yield _error(folder, exc)
                continue
            for name in files:
                if not name.startswith("."):
                    yield from _expand(os.path.join(folder, name), "*", chunk_size, seen, top=False)
        names = [n for n in names if n not in ("cur", "new", "tmp")]
    for name in names:
        if name.startswith("."):
            continue
        yield from _expand(os.path.join(path, name), glob, chunk_size, seen, top=False)


def file_units(path: str, size: int, chunk_size: int = CHUNK_SIZE) -> Iterator[Unit]:
    """The units of one regular file of ``size`` bytes."""
    if size == 0:
        yield Unit(path, "error", error="empty file")
        return
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        yield _error(path, exc)
        return
    compression = compression_of(head)
    if compression is not None:
        yield Unit(path, "compressed", size=size, compression=compression)
    elif head.startswith(b"From "):
        for start in range(0, size, chunk_size):
            end = min(size, start + chunk_size)
            yield Unit(path, "mbox", start=start, end=end, size=end - start)
    else:
        yield Unit(path, "file", size=size)
