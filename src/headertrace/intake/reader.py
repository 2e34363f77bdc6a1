"""Read a source (bytes, text, path or Message) into raw bytes, without interpreting it."""

from __future__ import annotations

import os
from email.message import Message
from pathlib import Path

from headertrace.errors import InputError

SourceLike = bytes | bytearray | memoryview | str | os.PathLike[str] | Message

# A str this short with no line break is a file name, not a message.
_MAX_PATH_LENGTH = 4096


def read_source(source: SourceLike) -> tuple[bytes, str | None]:
    """Return the raw bytes of ``source`` and the file path it came from (or ``None``).

    A ``str`` is a path when it names an existing file and holds no line break; otherwise it
    is the message text itself.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    if isinstance(source, Message):
        return _message_bytes(source), None
    if isinstance(source, os.PathLike):
        return _read_file(Path(source))
    if isinstance(source, str):
        if "\n" not in source and len(source) < _MAX_PATH_LENGTH and Path(source).is_file():
            return _read_file(Path(source))
        return source.encode("utf-8", "surrogateescape"), None
    raise InputError(
        f"cannot trace a {type(source).__name__}: pass bytes, str, a path or an email Message"
    )


def _read_file(path: Path) -> tuple[bytes, str]:
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _message_bytes(message: Message) -> bytes:
    try:
        return message.as_bytes()
    except (UnicodeError, LookupError, TypeError, ValueError):
        # A damaged Message can fail to serialise; its headers are what tracing needs.
        lines = [f"{name}: {value}" for name, value in message.items()]
        return ("\n".join(lines) + "\n\n").encode("utf-8", "surrogateescape")
