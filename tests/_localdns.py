"""A tiny authoritative-looking DNS server on 127.0.0.1 for the tests (dnslib, UDP).

It answers from a table of recorded-looking records, NXDOMAIN for every other name, and can
be told to drop the queries for some names (a server that never answers) or to answer them
with bytes that are not DNS (a malformed answer).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType

from dnslib import QTYPE, RCODE, RR, DNSRecord


@dataclass
class Zone:
    """``records`` maps (name, type) to zone-file rdata strings (``"127.0.0.2"``,
    ``'"15169 | 8.8.8.0/24 | US | arin | 1992-12-01"'``)."""

    records: Mapping[tuple[str, str], Iterable[str]] = field(default_factory=dict)
    drop: set[str] = field(default_factory=set)
    """Names (or ``*.suffix``) whose queries are silently dropped."""
    garbage: set[str] = field(default_factory=set)
    """Names answered with bytes that are not a DNS message."""
    servfail: set[str] = field(default_factory=set)


def _matches(name: str, patterns: set[str]) -> bool:
    return name in patterns or any(p.startswith("*.") and name.endswith(p[1:]) for p in patterns)


class LocalDNS:
    """``with LocalDNS(zone) as dns: dns.port``; counts the queries it received."""

    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port: int = self.sock.getsockname()[1]
        self.queries: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def __enter__(self) -> LocalDNS:
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
                data, peer = self.sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            reply = self._answer(data)
            if reply is not None:
                with contextlib.suppress(OSError):
                    self.sock.sendto(reply, peer)

    def _answer(self, data: bytes) -> bytes | None:
        try:
            request = DNSRecord.parse(data)
        except Exception:
            return None
        qname = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        self.queries.append((qname, qtype))
        if _matches(qname, self.zone.drop):
            return None
        if _matches(qname, self.zone.garbage):
            return b"\x00\x01not a dns message"
        reply = request.reply()
        if _matches(qname, self.zone.servfail):
            reply.header.rcode = RCODE.SERVFAIL
            return bytes(reply.pack())
        answers = self.zone.records.get((qname, qtype))
        if answers is None:
            exists = any(name == qname for name, _ in self.zone.records)
            if not exists:
                reply.header.rcode = RCODE.NXDOMAIN
            return bytes(reply.pack())
        for rdata in answers:
            reply.add_answer(*RR.fromZone(f"{qname}. 300 IN {qtype} {rdata}"))
        return bytes(reply.pack())


def dead_udp_port() -> int:
    """A loopback UDP port nobody listens on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def dead_tcp_port() -> int:
    """A loopback TCP port nobody listens on."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port
