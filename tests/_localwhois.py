"""A tiny port-43 whois server on 127.0.0.1 for the tests: one query line in, canned text
out, then the connection is closed (as the registries' whois servers do)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Mapping

from tests._loopback import LoopbackServer


class LocalWhois(LoopbackServer):
    """``with LocalWhois({"n + 1.2.3.4": "NetRange: ..."}) as whois: whois.port``.

    A query not in ``answers`` gets ``default``; ``trickle`` drips the answer byte by byte."""

    def __init__(self, answers: Mapping[str, str], default: str = "", trickle: float = 0.0) -> None:
        self.answers = dict(answers)
        self.default = default
        self.trickle = trickle
        self.queries: list[str] = []
        super().__init__(socket.SOCK_STREAM)

    def _serve_once(self) -> None:
        try:
            conn, _peer = self.sock.accept()
        except (TimeoutError, OSError):
            return
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
