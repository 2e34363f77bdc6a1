"""Frozen, typed records: what the parser and the judge produce.

Every record is plain data (picklable, comparable, no I/O) and has ``to_dict()`` returning
JSON-safe values in the stable schema documented in ``docs/trace-format.md``.

Attribute names follow the Received grammar where Python allows it: the ``from`` part of a
header is ``Hop.client`` (JSON ``"from"``), the ``by`` part is ``Hop.server`` (JSON ``"by"``),
and the ``for`` clause is ``Hop.recipient`` (JSON ``"for"``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from headertrace.enrich.records import Attribution

SCHEMA = "headertrace.trace/1"

RdnsStatus = Literal["present", "none", "not_recorded"]
HeloSource = Literal["recorded", "inferred"]
HopKind = Literal["relay", "local", "fetch", "unknown"]
ParseStatus = Literal["parsed", "partial", "unparsed"]
Severity = Literal["info", "warning", "critical"]
Confidence = Literal["high", "medium", "low"]

JSONDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Client:
    """The ``from`` part: who handed the message to the server that wrote the header."""

    helo: str | None = None
    """What the client claimed in HELO/EHLO/LHLO (unverified); see ``helo_source``."""
    rdns: str | None = None
    """The reverse-DNS name the receiving server recorded."""
    rdns_status: RdnsStatus = "not_recorded"
    """``present``: a name was recorded; ``none``: the server looked and found none
    (``unknown``); ``not_recorded``: this header format does not say."""
    ip: str | None = None
    """The connecting address, normalised (no brackets, ``IPv6:`` prefix or zone id;
    IPv4-mapped IPv6 written as IPv4)."""
    port: int | None = None
    ident: str | None = None
    """RFC 1413 ident or the local user the server recorded."""
    helo_inferred: bool = False
    """The header leaves the HELO out, and ``helo`` is what its format says that means
    rather than what the client said (see ``helo_source``)."""

    @property
    def helo_source(self) -> HeloSource | None:
        """``recorded``: ``helo`` is written in the header as the client sent it;
        ``inferred``: the header leaves it out where it equalled a value the header does
        write (Exim's ``from NAME ([IP])``: the HELO was NAME or the address literal, or
        none was sent), and ``helo`` holds that value; ``None`` when ``helo`` is."""
        if self.helo is None:
            return None
        return "inferred" if self.helo_inferred else "recorded"

    @property
    def said_helo(self) -> str | None:
        """``helo`` when the header records it as the client's, else ``None``: what a
        finding may quote as "the client said HELO x"."""
        return None if self.helo_inferred else self.helo

    def to_dict(self) -> JSONDict:
        return {
            "helo": self.helo,
            "helo_source": self.helo_source,
            "rdns": self.rdns,
            "rdns_status": self.rdns_status,
            "ip": self.ip,
            "port": self.port,
            "ident": self.ident,
        }


@dataclass(frozen=True, slots=True)
class Server:
    """The ``by`` part: the server that wrote the header."""

    host: str | None = None
    ip: str | None = None
    software: str | None = None
    """The MTA family, normalised (``Postfix``, ``Exim``, ``sendmail``, ...)."""
    version: str | None = None
    """The version exactly as written."""

    def to_dict(self) -> JSONDict:
        return {
            "host": self.host,
            "ip": self.ip,
            "software": self.software,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class TLS:
    version: str | None = None
    cipher: str | None = None

    def to_dict(self) -> JSONDict:
        return {"version": self.version, "cipher": self.cipher}


@dataclass(frozen=True, slots=True)
class Auth:
    """Whether the client authenticated to the server that wrote the header.

    ``authenticated`` is ``None`` when the header format cannot say, ``False`` when the
    header records an unauthenticated session (``with ESMTP`` and no other marker).
    """

    authenticated: bool | None = None
    mechanism: str | None = None
    """SASL mechanism, or ``tls-client-certificate``."""
    identity: str | None = None
    """The account, where the header shows it."""
    evidence: str | None = None
    """The marker text the answer rests on (``ESMTPSA``, ``Authenticated sender: bob``)."""

    def to_dict(self) -> JSONDict:
        return {
            "authenticated": self.authenticated,
            "mechanism": self.mechanism,
            "identity": self.identity,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class Hop:
    """One ``Received:`` header as a typed record."""

    raw: str
    """The header value as found (without the ``Received:`` name)."""
    client: Client = field(default_factory=Client)
    server: Server = field(default_factory=Server)
    protocol: str | None = None
    """The ``with`` protocol as written (``ESMTPSA``, ``SMTP``, ``mapi``, ``HTTP``)."""
    via: str | None = None
    id: str | None = None
    """Queue id as written, angle brackets removed."""
    recipient: str | None = None
    """The ``for`` clause (JSON ``"for"``), angle brackets removed."""
    envelope_from: str | None = None
    tls: TLS | None = None
    auth: Auth = field(default_factory=Auth)
    timestamp: datetime | None = None
    timestamp_raw: str | None = None
    kind: HopKind = "unknown"
    status: ParseStatus = "unparsed"
    defects: tuple[str, ...] = ()
    index: int = 0
    """Chronological position (0 = oldest, the bottom header)."""
    header_index: int = 0
    """Position among the message's Received headers (0 = topmost)."""
    delay_seconds: float | None = None
    """Seconds since the previous (older) hop; negative when time ran backwards."""
    attribution: Attribution | None = None
    """Who owns the client address and names (filled by ``headertrace.enrich``)."""

    @property
    def ip(self) -> str | None:
        """Shortcut for ``hop.client.ip``."""
        return self.client.ip

    def with_attribution(self, attribution: Attribution | None) -> Hop:
        """A copy with ``attribution`` set. What ``dataclasses.replace`` does, several times
        faster: it runs for every hop of every trace."""
        new = object.__new__(Hop)
        for name in _HOP_FIELDS:
            object.__setattr__(new, name, getattr(self, name))
        object.__setattr__(new, "attribution", attribution)
        return new

    def to_dict(self) -> JSONDict:
        return {
            "index": self.index,
            "header_index": self.header_index,
            "raw": self.raw,
            "from": self.client.to_dict(),
            "by": self.server.to_dict(),
            "protocol": self.protocol,
            "via": self.via,
            "id": self.id,
            "for": self.recipient,
            "envelope_from": self.envelope_from,
            "tls": self.tls.to_dict() if self.tls else None,
            "auth": self.auth.to_dict(),
            "timestamp": self.timestamp.isoformat() if self.timestamp else None,
            "timestamp_raw": self.timestamp_raw,
            "delay_seconds": self.delay_seconds,
            "kind": self.kind,
            "status": self.status,
            "defects": list(self.defects),
            "attribution": self.attribution.to_dict() if self.attribution else None,
        }


_HOP_FIELDS = tuple(f.name for f in fields(Hop) if f.name != "attribution")


@dataclass(frozen=True, slots=True)
class Finding:
    """Something worth a person's attention, with the rule that found it and its evidence."""

    code: str
    severity: Severity
    message: str
    hop: int | None = None
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> JSONDict:
        return {
            "code": self.code,
            "severity": self.severity,
            "hop": self.hop,
            "message": self.message,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class Origin:
    """The first client that nothing above it vouches for: where the message came from."""

    hop: int
    """Chronological index of the hop that recorded this client."""
    ip: str | None
    rdns: str | None
    helo: str | None
    reason: str
    """The rule that chose this hop, in words."""
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> JSONDict:
        return {
            "hop": self.hop,
            "ip": self.ip,
            "rdns": self.rdns,
            "helo": self.helo,
            "reason": self.reason,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class MessageInfo:
    """The message's own identifying headers, decoded."""

    message_id: str | None = None
    subject: str | None = None
    from_: str | None = None
    to: str | None = None
    date: str | None = None
    return_path: str | None = None

    def to_dict(self) -> JSONDict:
        return {
            "message_id": self.message_id,
            "subject": self.subject,
            "from": self.from_,
            "to": self.to,
            "date": self.date,
            "return_path": self.return_path,
        }


@dataclass(frozen=True, slots=True)
class Source:
    """How the traced message was found in what the caller handed over."""

    kind: str = "message"
    """``message``, ``arf``, ``dsn``, ``attachment``, ``pasted``, ``msg``, ``mbox``, ``maildir``."""
    path: str | None = None
    part: str | None = None
    wrappers: tuple[JSONDict, ...] = ()

    def to_dict(self) -> JSONDict:
        return {
            "kind": self.kind,
            "path": self.path,
            "part": self.part,
            "wrappers": [dict(w) for w in self.wrappers],
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the organisation's part in the message was (filled by the judge)."""

    kind: str
    summary: str
    confidence: Confidence = "low"
    hop: int | None = None
    sender: JSONDict = field(default_factory=dict)
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> JSONDict:
        return {
            "kind": self.kind,
            "hop": self.hop,
            "sender": dict(self.sender),
            "confidence": self.confidence,
            "summary": self.summary,
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class Trace:
    """The result of tracing one message."""

    hops: tuple[Hop, ...]
    """Chronological: ``hops[0]`` is the oldest (bottom) header, ``hops[-1]`` the newest."""
    message: MessageInfo = field(default_factory=MessageInfo)
    source: Source = field(default_factory=Source)
    origin: Origin | None = None
    verdict: Verdict | None = None
    findings: tuple[Finding, ...] = ()
    defects: tuple[str, ...] = ()
    """Message-level defects (caps hit, unreadable header block)."""

    def to_dict(self) -> JSONDict:
        return {
            "schema": SCHEMA,
            "message": self.message.to_dict(),
            "source": self.source.to_dict(),
            "hops": [h.to_dict() for h in self.hops],
            "origin": self.origin.to_dict() if self.origin else None,
            "verdict": self.verdict.to_dict() if self.verdict else None,
            "findings": [f.to_dict() for f in self.findings],
            "defects": list(self.defects),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)
