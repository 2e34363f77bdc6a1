"""mbox files and Maildir folders, read one message at a time."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from headertrace.errors import InputError
from headertrace.intake.model import Reported
from headertrace.intake.reader import SourceLike, read_source
from headertrace.models import Source

# "From sender date": a From_ line has a sender and at least one digit (the date).
_FROM_LINE = re.compile(rb"From [^\s]{1,1000}[ \t][^\r\n]{0,1000}\d")
_ESCAPED_FROM = re.compile(rb"(?m)^>(>*From )")
_MAX_MESSAGE = 256 << 20


def is_maildir(path: Path) -> bool:
    return path.is_dir() and ((path / "cur").is_dir() or (path / "new").is_dir())


def _as_path(source: object) -> Path | None:
    if isinstance(source, os.PathLike):
        return Path(source)
    if isinstance(source, str) and "\n" not in source and 0 < len(source) < 4096:
        return Path(source)
    return None


def as_directory(source: object) -> Path | None:
    """The directory ``source`` names, if it names one."""
    path = _as_path(source)
    try:
        return path if path is not None and path.is_dir() else None
    except OSError:
        return None


def as_file(source: object) -> Path | None:
    """The file ``source`` names: any PathLike, or a str naming an existing file."""
    path = _as_path(source)
    if path is None or isinstance(source, os.PathLike):
        return path
    try:
        return path if path.is_file() else None
    except OSError:
        return None


def maildir_files(path: Path) -> list[Path]:
    """The message files of a Maildir: ``cur`` then ``new`` (``tmp`` is mail still arriving)."""
    if not is_maildir(path):
        raise InputError(f"{path} is a directory but not a Maildir (it has no cur/ or new/)")
    files: list[Path] = []
    for sub in ("cur", "new"):
        folder = path / sub
        if not folder.is_dir():
            continue
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            raise InputError(f"cannot read {folder}: {exc.strerror or exc}") from exc
        files.extend(folder / n for n in names if not n.startswith(".") and (folder / n).is_file())
    return files


def is_from_line(line: bytes) -> bool:
    return _FROM_LINE.match(line) is not None


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox held in memory (``From_`` lines removed, ``>From`` unescaped)."""
    return list(_split_lines(iter(data.splitlines(keepends=True))))


def _split_lines(lines: Iterator[bytes]) -> Iterator[bytes]:
    current: list[bytes] = []
    size = 0
    prev_blank = True
    started = False
    for line in lines:
        if prev_blank and line.startswith(b"From ") and is_from_line(line):
            if started:
                yield _finish(current)
            current, size, started = [], 0, True
            prev_blank = False
            continue
        if not started:
            started = True  # text before the first From_ line is a message of its own
        prev_blank = line.strip(b"\r\n") == b""
        if size < _MAX_MESSAGE:
            current.append(line)
            size += len(line)
    if started:
        yield _finish(current)


def _finish(lines: list[bytes]) -> bytes:
    data = b"".join(lines)
    # The blank line before the next From_ line belongs to the mbox, not the message.
    if data.endswith(b"\r\n\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n\n"):
        data = data[:-1]
    return _ESCAPED_FROM.sub(rb"\1", data)


def looks_like_mbox(data: bytes) -> bool:
    """Starts with a From_ line and holds at least one more."""
    if not data.startswith(b"From "):
        return False
    first_end = data.find(b"\n")
    if first_end < 0 or not is_from_line(data[:first_end]):
        return False
    # One pass for both separators, "\n\nFrom " and "\r\n\r\nFrom ": each ends in "\nFrom ".
    pos = data.find(b"\nFrom ", first_end)
    while pos >= 0:
        if data[pos - 1 : pos] == b"\n" or data[pos - 3 : pos] == b"\r\n\r":
            end = data.find(b"\n", pos + 1)
            if is_from_line(data[pos + 1 : end if end >= 0 else len(data)]):
                return True
        pos = data.find(b"\nFrom ", pos + 1)
    return False


def iter_messages(source: SourceLike) -> Iterator[Reported]:
    """Yield the messages of an mbox or Maildir one at a time, as themselves (not unwrapped).

    A path to an mbox file is read lazily, line by line. Any other source yields itself once
    (kind ``message``). ``InputError`` is raised when the path cannot be read.
    """
    directory = as_directory(source)
    if directory is not None:
        for file in maildir_files(directory):
            try:
                raw = file.read_bytes()
            except OSError:
                continue  # the message was moved (read, expunged) while we listed the folder
            yield Reported(raw, Source(kind="maildir", path=str(file)))
        return
    path = as_file(source)
    if path is not None:
        yield from _iter_mbox_file(path)
        return
    raw, path_str = read_source(source)
    if looks_like_mbox(raw):
        for index, message in enumerate(split_mbox(raw), start=1):
            yield Reported(message, Source(kind="mbox", path=path_str, part=f"mbox:{index}"))
    else:
        yield Reported(raw, Source(kind="message", path=path_str))


def _iter_mbox_file(path: Path) -> Iterator[Reported]:
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
            handle.seek(0)
            if not head.startswith(b"From "):
                yield Reported(handle.read(), Source(kind="message", path=str(path)))
                return
            messages = _split_lines(iter(handle))
            first = next(messages, None)
            second = next(messages, None)
            if second is None:
                handle.seek(0)
                yield Reported(handle.read(), Source(kind="message", path=str(path)))
                return
            for index, message in enumerate(_chain(first, second, messages), start=1):
                yield Reported(message, Source(kind="mbox", path=str(path), part=f"mbox:{index}"))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _chain(first: bytes | None, second: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first is not None:
        yield first
    yield second
    yield from rest
