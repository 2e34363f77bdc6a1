"""A tiny authoritative-looking DNS server on 127.0.0.1 for the tests (dnslib, UDP).

It answers from a table of recorded-looking records, NXDOMAIN for every other name, and can
be told to drop the queries for some names (a server that never answers) or to answer them
with bytes that are not DNS (a malformed answer).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dnslib import QTYPE, RCODE, RR, DNSRecord

from tests._loopback import LoopbackServer


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


class LocalDNS(LoopbackServer):
    """``with LocalDNS(zone) as dns: dns.port``; counts the queries it received."""

    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        self.queries: list[tuple[str, str]] = []
        super().__init__(socket.SOCK_DGRAM)

    def _serve_once(self) -> None:
        try:
            data, peer = self.sock.recvfrom(4096)
        except (TimeoutError, OSError):
            return
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
