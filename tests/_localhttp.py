"""A tiny HTTP server on 127.0.0.1 serving canned answers (RDAP, registries' web whois) for
the tests; a POST is answered like a GET of its path, and its form is kept in ``forms``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass
class Canned:
    status: int = 200
    body: bytes | str | Any = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    trickle: float = 0.0
    """Seconds between single bytes of the body (a server that drips its answer)."""

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


class LocalHTTP:
    """``with LocalHTTP({"/ip/1.2.3.4": Canned(200, {...})}) as http: http.url``."""

    def __init__(self, routes: Mapping[str, Canned]) -> None:
        self.routes = dict(routes)
        self.requests: list[str] = []
        self.forms: list[bytes] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.forms.append(self.rfile.read(length))
                self.do_GET()

            def do_GET(self) -> None:
                outer.requests.append(self.path)
                canned = outer.routes.get(
                    self.path,
                    Canned(404, {"errorCode": 404, "title": "Not Found"}),
                )
                if canned.delay:
                    time.sleep(canned.delay)
                body = canned.payload()
                try:
                    self.send_response(canned.status)
                    self.send_header("Content-Type", "application/rdap+json")
                    self.send_header("Content-Length", str(len(body)))
                    for key, value in canned.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    if canned.trickle:
                        for i in range(len(body)):
                            self.wfile.write(body[i : i + 1])
                            self.wfile.flush()
                            time.sleep(canned.trickle)
                    else:
                        self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port: int = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalHTTP:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=2)
