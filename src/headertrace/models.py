"""Frozen, typed records: what the parser and the judge produce.

Every record is plain data (picklable, hashable, comparable, no I/O). ``to_dict()`` returns
JSON-safe values in the stable schema documented in ``docs/trace-format.md``; it is derived
from the fields (:mod:`headertrace._json`), so the schema is the records.

Attribute names follow the Received grammar where Python allows it: the ``from`` part of a
header is ``Hop.client`` (JSON ``"from"``), the ``by`` part is ``Hop.server`` (JSON ``"by"``),
and the ``for`` clause is ``Hop.recipient`` (JSON ``"for"``): the one map of such names is
``headertrace._json.JSON_NAMES``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

from headertrace._frozen import fast_init, slot_filler
from headertrace._json import as_json_dict

if TYPE_CHECKING:
    from headertrace.enrich.records import Attribution

SCHEMA = "headertrace.trace/1"

RdnsStatus = Literal["present", "none", "not_recorded"]
HeloSource = Literal["recorded", "inferred"]
HopKind = Literal["relay", "local", "fetch", "unknown"]
ParseStatus = Literal["parsed", "partial", "unparsed"]
Severity = Literal["info", "warning", "critical"]
Confidence = Literal["high", "medium", "low"]
VerdictKind = Literal[
    "forged",
    "local_injection",
    "authenticated_relay",
    "internal_origin",
    "inbound",
    "open_relay",
    "not_involved",
    "no_organisation",
    "undetermined",
]
"""The organisation's part in the message: see ``docs/verdicts.md``."""
SourceKind = Literal["message", "arf", "dsn", "attachment", "pasted", "msg", "mbox", "maildir"]
"""Where the traced message was found: the input itself, a report, a bounce, an attached
message, headers pasted into a text, an Outlook .msg file, an mbox or a Maildir."""
WrapperKind = Literal["arf", "dsn", "report", "forward"]
"""What wrapped the traced message: an ARF report, a delivery status notification, another
``multipart/report``, a forward."""
EvidenceKind = Literal["received", "header", "note"]
"""What a piece of evidence is: a ``Received`` header's value as found, another header as a
``Name: value`` line, or a note that points at something (``part: 2``, ``hop 3: ...``)."""

JSONDict = dict[str, Any]


@fast_init
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
    helo_inferred: bool = field(default=False, metadata={"json": False})
    """The header leaves the HELO out, and ``helo`` is what its format says that means
    rather than what the client said (see ``helo_source``; JSON has that instead)."""

    _json_computed: ClassVar[dict[str, str]] = {"helo_source": "helo"}

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
        return as_json_dict(self)


@fast_init
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
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class TLS:
    version: str | None = None
    cipher: str | None = None

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
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
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Hop:
    """One ``Received:`` header as a typed record."""

    index: int = 0
    """Chronological position (0 = oldest, the bottom header)."""
    header_index: int = 0
    """Position among the message's Received headers (0 = topmost)."""
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
    delay_seconds: float | None = None
    """Seconds since the previous (older) hop; negative when time ran backwards."""
    kind: HopKind = "unknown"
    status: ParseStatus = "unparsed"
    defects: tuple[str, ...] = ()
    attribution: Attribution | None = None
    """Who owns the client address and names (filled by ``headertrace.enrich``)."""

    @property
    def ip(self) -> str | None:
        """Shortcut for ``hop.client.ip``."""
        return self.client.ip

    def with_attribution(self, attribution: Attribution | None) -> Hop:
        """A copy with ``attribution`` set. What ``dataclasses.replace`` does, several times
        faster: it runs for every hop of every trace."""
        return _hop_with_attribution(self, attribution)

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


_Record = TypeVar("_Record")


class HopBuilder(Protocol):
    """:func:`new_hop`: every field of :class:`Hop`, positional, in field order."""

    def __call__(  # noqa: PLR0917 - one parameter per field
        self,
        index: int,
        header_index: int,
        raw: str,
        client: Client,
        server: Server,
        protocol: str | None,
        via: str | None,
        id: str | None,
        recipient: str | None,
        envelope_from: str | None,
        tls: TLS | None,
        auth: Auth,
        timestamp: datetime | None,
        timestamp_raw: str | None,
        delay_seconds: float | None,
        kind: HopKind,
        status: ParseStatus,
        defects: tuple[str, ...],
        attribution: Attribution | None,
        /,
    ) -> Hop: ...


_HOP_FIELDS = tuple(f.name for f in fields(Hop))
new_hop: HopBuilder = slot_filler(Hop, "new_hop", ", ".join(_HOP_FIELDS), _HOP_FIELDS)
"""``Hop(...)`` with every field given, positionally, in field order: what the direct
readers build for each header they take (:func:`headertrace._frozen.slot_filler`)."""
_hop_with_attribution: Callable[[Hop, Attribution | None], Hop] = slot_filler(
    Hop,
    "_hop_with_attribution",
    "hop, attribution",
    [n if n == "attribution" else f"hop.{n}" for n in _HOP_FIELDS],
)


def _init_like(cls: type[_Record]) -> Callable[..., _Record]:
    """A builder of ``cls`` taking what its ``__init__`` takes, by keyword (each field,
    defaults as declared; none may be a factory)."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    defaults = {f"_default_{f.name}": f.default for f in fields(cls)}  # type: ignore[arg-type]
    params = "*, " + ", ".join(f"{name}=_default_{name}" for name in names)
    return slot_filler(cls, f"new_{cls.__name__.lower()}", params, names, defaults)


class ClientBuilder(Protocol):
    """:func:`new_client`: the parameters of ``Client(...)``, by keyword."""

    def __call__(
        self,
        *,
        helo: str | None = None,
        rdns: str | None = None,
        rdns_status: RdnsStatus = "not_recorded",
        ip: str | None = None,
        port: int | None = None,
        ident: str | None = None,
        helo_inferred: bool = False,
    ) -> Client: ...


class ServerBuilder(Protocol):
    """:func:`new_server`: the parameters of ``Server(...)``, by keyword."""

    def __call__(
        self,
        *,
        host: str | None = None,
        ip: str | None = None,
        software: str | None = None,
        version: str | None = None,
    ) -> Server: ...


new_client: ClientBuilder = _init_like(Client)
"""``Client(...)``, built as :func:`new_hop` builds a hop: what the direct readers build
for a from part they read."""
new_server: ServerBuilder = _init_like(Server)
"""``Server(...)``, built as :func:`new_hop` builds a hop."""


@fast_init
@dataclass(frozen=True, slots=True)
class Evidence:
    """One thing a verdict or finding rests on, quoted: what it is, and its text.

    JSON writes the text alone (``evidence`` is an array of strings); ``kind`` lets a
    renderer show a Received value as ``Received: ...`` without guessing."""

    text: str
    kind: EvidenceKind = "note"

    _json_leaf: ClassVar[bool] = True

    @classmethod
    def received(cls, raw: str) -> Evidence:
        """A ``Received`` header's value as found (``Hop.raw``)."""
        return cls(raw, "received")

    @classmethod
    def header(cls, line: str) -> Evidence:
        """Another header, as a ``Name: value`` line."""
        return cls(line, "header")

    @classmethod
    def note(cls, text: str) -> Evidence:
        """A pointer or a fact in words (``part: 2``, ``hop 3: 2023-10-02T12:00:00+00:00``)."""
        return cls(text, "note")

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> str:
        return self.text


def received(*raws: str) -> tuple[Evidence, ...]:
    """Received values as evidence (the raw values of hops, in the order given)."""
    return tuple(Evidence(r, "received") for r in raws)


def headers(*lines: str) -> tuple[Evidence, ...]:
    """``Name: value`` lines as evidence."""
    return tuple(Evidence(line, "header") for line in lines)


def notes(*texts: str) -> tuple[Evidence, ...]:
    return tuple(Evidence(t, "note") for t in texts)


@fast_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """Something worth a person's attention, with the rule that found it and its evidence."""

    code: str
    severity: Severity
    hop: int | None = None
    message: str
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
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
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class MessageInfo:
    """The message's own identifying headers, decoded."""

    message_id: str | None = None
    subject: str | None = None
    from_: str | None = None
    """The From header (JSON ``"from"``)."""
    to: str | None = None
    date: str | None = None
    return_path: str | None = None

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class Wrapper:
    """Something the traced message came wrapped in: a report, a bounce or a forward."""

    kind: WrapperKind
    sender: str | None = None
    """Who sent the wrapper (its From, JSON ``"from"``)."""
    subject: str | None = None
    fields: dict[str, Any] = field(default_factory=dict, hash=False)
    """The report's own fields as read (ARF ``Feedback-Type``, ``Source-IP``; DSN
    ``Reporting-MTA`` and ``recipients``): JSON-ready data, not to be changed."""

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class Source:
    """How the traced message was found in what the caller handed over."""

    kind: SourceKind = "message"
    path: str | None = None
    part: str | None = None
    """MIME part path (``"2"``, ``"2.1"``, ``"mbox:17"``), ``None`` for the message itself."""
    wrappers: tuple[Wrapper, ...] = ()
    """Outermost first."""

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class Owner:
    """Who owns the sender's address: what online attribution adds to :class:`Sender`."""

    asn: int | None = None
    as_name: str | None = None
    network: str | None = None
    network_owner: str | None = None
    country: str | None = None
    abuse_emails: tuple[str, ...] = ()
    abuse_phones: tuple[str, ...] = ()
    abuse_source: str | None = None
    """Which lookup gave the abuse contact (``rdap``, ``nir:jpnic``, ``whois:ripe``)."""
    fcrdns: bool | None = None

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class Sender:
    """Who handed the message to the organisation (the verdict's answer), built once by the
    judge; ``None`` where unknown."""

    ip: str | None = None
    rdns: str | None = None
    helo: str | None = None
    """Only a HELO the header records as the client's (see ``Client.helo_source``)."""
    account: str | None = None
    script: str | None = None
    client: str | None = None
    """The mail program it named (``X-Mailer``, ``User-Agent``)."""
    owner: Owner | None = field(default=None, metadata={"json": "flatten"})
    """Filled by online attribution; JSON writes its fields inside ``sender``."""

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """What the organisation's part in the message was (filled by the judge)."""

    kind: VerdictKind
    hop: int | None = None
    sender: Sender = field(default_factory=Sender)
    confidence: Confidence = "low"
    summary: str
    evidence: tuple[Evidence, ...] = ()
    custody: tuple[int, ...] = ()
    """The hops of the organisation whose custody is verified (chronological indices,
    oldest first; the first is the entry hop). Empty when custody reached no hop of ours."""

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
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
    log: LogEvidence | None = None
    """What our servers' mail logs say, when ``trace(..., logs=[...])`` read some."""

    def to_dict(self) -> JSONDict:
        return {"schema": SCHEMA, **as_json_dict(self)}

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_html(self, raw: bytes | None = None) -> str:
        """The trace as one self-contained HTML report (:mod:`headertrace.render.html`).
        ``raw``, the traced message's bytes, adds what was in it (subject, attachments)."""
        from headertrace.render.html import render_html  # noqa: PLC0415 - Jinja2 on demand

        return render_html(self, raw)

    def _repr_html_(self) -> str:
        """Jupyter shows a trace as its HTML report (a fragment with scoped CSS)."""
        from headertrace.render.html import render_html  # noqa: PLC0415 - Jinja2 on demand

        return render_html(self, fragment=True)


LogMatch = Literal["strong", "weak", "none"]
"""How well the log lines found fit the message: ``strong`` (queue id, server, time and
client agree, and the Message-ID where both have one), ``weak`` (found, but something
disagrees: see the findings), ``none`` (nothing found)."""


@fast_init
@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of a mail log, quoted: the file, its line number (1-based), the line."""

    file: str
    line: int
    raw: str

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class LogDelivery:
    """One delivery attempt the log records for a recipient."""

    recipient: str | None = None
    status: str | None = None
    """As written: ``sent``, ``bounced``, ``deferred``, ``expired`` (Postfix); ``delivered``,
    ``failed``, ``deferred`` (Exim ``=>``/``->``, ``**``, ``==``); ``Sent``, ``Deferred``...
    (sendmail ``stat=``); ``Ok``, ``TempFail``, ``PermFail`` (OpenSMTPD); ``DELIVER``,
    ``SEND``, ``FAIL`` (Exchange)."""
    relay: str | None = None
    dsn: str | None = None
    detail: str | None = None
    """The server's reply or the text in parentheses."""
    queue_id: str | None = None
    next_id: str | None = None
    """The queue id the next server (a content filter's re-injection) gave it."""

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class LogFileRead:
    """One log file as read: what time range it covered, and how far it was read."""

    path: str
    format: str
    """``postfix``, ``exim``, ``sendmail``, ``opensmtpd``, ``exchange``, ``journal-json``,
    ``empty`` or ``unknown`` (of the first readable line)."""
    lines: int
    """Lines read (all of them unless ``stopped_early``)."""
    first: datetime | None = None
    last: datetime | None = None
    stopped_early: bool = False
    """Reading stopped past the time window (the file is in time order)."""

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True, kw_only=True)
class LogEvidence:
    """What our servers' own mail logs say about the message (``trace(..., logs=[...])``)."""

    match: LogMatch = "none"
    hops: tuple[int, ...] = ()
    """Chronological indices of the hops whose queue ids were found in the logs."""
    server: str | None = None
    """The host name the log lines carry."""
    software: str | None = None
    queue_ids: tuple[str, ...] = ()
    """Every queue id followed, oldest first (content filters re-queue under a new id)."""
    message_id: str | None = None
    client_ip: str | None = None
    client_name: str | None = None
    account: str | None = None
    """The login (Postfix ``sasl_username``, Exim ``A=``, sendmail ``authid``, OpenSMTPD
    ``user=``, Exchange's authenticated user)."""
    auth_method: str | None = None
    uid: int | None = None
    """A local submission's uid (Postfix pickup ``uid=``)."""
    user: str | None = None
    """The uid's user name, or the local user the log names (Exim ``U=``, sendmail
    ``ctladdr=``)."""
    user_source: str | None = None
    """Where ``user`` came from: ``log``, ``passwd FILE``, ``/etc/passwd on this machine``."""
    envelope_from: str | None = None
    recipients: tuple[LogDelivery, ...] = ()
    lines: tuple[LogLine, ...] = ()
    """The matched lines, in file order."""
    files: tuple[LogFileRead, ...] = ()

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)
