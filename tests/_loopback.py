"""What every test server of ours shares: a socket on 127.0.0.1 (never another address), a
thread that serves it, and a ``with`` block that starts and stops it."""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import TypeVar

_S = TypeVar("_S", bound="LoopbackServer")


class LoopbackServer:
    """Subclasses implement ``_serve_once``: one wait for a request (the socket times out
    every 50 ms so that ``__exit__`` stops the thread promptly)."""

    def __init__(self, kind: socket.SocketKind) -> None:
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", 0))
        if kind == socket.SOCK_STREAM:
            self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.port: int = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def __enter__(self: _S) -> _S:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            self._serve_once()

    def _serve_once(self) -> None:  # pragma: no cover - every subclass has its own
        raise NotImplementedError
