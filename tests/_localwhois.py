"""A tiny port-43 whois server on 127.0.0.1 for the tests: one query line in, canned text
out, then the connection is closed (as the registries' whois servers do)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Mapping
from types import TracebackType


class LocalWhois:
    """``with LocalWhois({"n + 1.2.3.4": "NetRange: ..."}) as whois: whois.port``.

    A query not in ``answers`` gets ``default``; ``trickle`` drips the answer byte by byte."""

    def __init__(self, answers: Mapping[str, str], default: str = "", trickle: float = 0.0) -> None:
        self.answers = dict(answers)
        self.default = default
        self.trickle = trickle
        self.queries: list[str] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)
        self.port: int = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def __enter__(self) -> LocalWhois:
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
            try:
                conn, _peer = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(2)
            data = b""
            while b"\n" not in data and len(data) < 1024:
                chunk = conn.recv(1024)
                if not chunk:
                    break
                data += chunk
            query = data.decode("ascii", "replace").strip()
            self.queries.append(query)
            body = self.answers.get(query, self.default).encode()
            if self.trickle:
                for i in range(len(body)):
                    if self._stop.is_set():
                        return
                    conn.sendall(body[i : i + 1])
                    time.sleep(self.trickle)
            else:
                conn.sendall(body)
