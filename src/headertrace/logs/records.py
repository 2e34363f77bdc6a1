"""What a log reader produces: one :class:`Entry` per log line that concerns a message.

Every reader (one module per log family) turns a line into an ``Entry``: the line quoted
(file, number, text), its time, the host and program that wrote it, the id that joins lines
of one message (``key``: a Postfix or sendmail queue id, an Exim message id, an OpenSMTPD
message id, an Exchange Message-ID), what the line says (``event``) and the facts it
carries, by fixed names (``FACTS``). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from headertrace.models import LogFileRead, LogLine

Family = Literal["postfix", "exim", "sendmail", "opensmtpd", "exchange"]

Event = Literal[
    "arrival",  # the message entered the queue (smtpd client=, pickup, Exim <=, from=)
    "auth",  # a login (sendmail AUTH=server, OpenSMTPD smtp authentication)
    "session",  # a connection (OpenSMTPD smtp connected)
    "message-id",  # Postfix cleanup
    "queued",  # Postfix qmgr from= size= nrcpt=
    "delivery",  # one recipient delivered, deferred or bounced
    "removed",  # the queue is done with it (Postfix removed, Exim Completed)
    "other",  # a line about the message that adds nothing the timeline needs
    "unreadable",  # the needle is in it, but it does not parse (truncated, binary)
]

FACTS = (
    "client_ip",
    "client_name",
    "helo",
    "account",
    "auth_method",
    "uid",
    "user",
    "sender",
    "message_id",
    "size",
    "nrcpt",
    "protocol",
    "recipient",
    "status",
    "relay",
    "dsn",
    "detail",
    "next_id",
    "session",
)
"""The fact names a reader may fill; ``next_id`` is the queue id a content filter's
re-injection gave the message (``queued as NEWID``), ``session`` an OpenSMTPD session."""

TERMINAL: frozenset[str] = frozenset({"removed"})


@dataclass(slots=True)
class Entry:
    """One log line about a message, read."""

    line: LogLine
    family: Family
    time: datetime | None
    host: str | None
    service: str | None
    """The instance or program: Postfix's ``syslog_name`` (``postfix``, ``postfix-out``),
    ``sendmail``, ``exim``; ``None`` where the log does not say."""
    key: str | None
    event: Event
    facts: dict[str, str] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    """Other ids this line ties to the same message (an OpenSMTPD session id)."""


def norm_address(value: str) -> str:
    """An envelope address as logged, angle brackets removed."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
    return v


def split_client(value: str) -> tuple[str | None, str | None]:
    """``name[ip]`` or ``name[ip]:port`` (Postfix), ``name [ip]`` (sendmail) -> (name, ip)."""
    v = value.strip()
    if "[" not in v:
        return (v or None), None
    name, _, rest = v.partition("[")
    ip = rest.split("]", 1)[0]
    if ip.lower().startswith("ipv6:"):
        ip = ip[5:]
    name = name.strip()
    return (None if name in ("", "unknown") else name), (ip or None)


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One step of a message's life on our servers, with the line that records it."""

    time: datetime | None
    server: str | None
    service: str | None
    queue_id: str | None
    event: str
    text: str
    """The step in words (``arrival from laptop.example.net[203.0.113.7] as bob``)."""
    line: LogLine

    def to_dict(self) -> dict[str, object]:
        from headertrace._json import as_json_dict  # noqa: PLC0415 - tiny, pure

        return as_json_dict(self)


@dataclass(frozen=True, slots=True)
class Timeline:
    """A message's life through our servers: what ``headertrace log ID`` prints."""

    query: str
    queue_ids: tuple[str, ...]
    events: tuple[TimelineEvent, ...]
    files: tuple[LogFileRead, ...]
    messages: int = 1
    """How many distinct lives the query matched (a reused queue id gives several; the
    events of all are listed, each with its queue id)."""

    def to_dict(self) -> dict[str, object]:
        from headertrace._json import as_json_dict  # noqa: PLC0415

        return {"schema": "headertrace.log-timeline/1", **as_json_dict(self)}
