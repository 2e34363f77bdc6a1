"""What the direct readers share: the pieces of their patterns, and building the ``Hop``.

A direct reader reads one whole header of one shape with one anchored regular expression
and fills the same :class:`~headertrace.models.Hop` as the general reader
(:func:`headertrace.parse.received.parse_received`), which stays the reference: a header a
direct reader does not take whole goes there. The patterns use single character classes
between fixed delimiters and no nested quantifiers, so a match or a failure is linear in
the length of the header.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import cast

from headertrace.addresses import normalise_ip
from headertrace.models import (
    TLS,
    Auth,
    Client,
    Hop,
    HopKind,
    RdnsStatus,
    Server,
    new_client,
    new_hop,
    new_server,
)
from headertrace.parse import tables
from headertrace.parse.dates import parse_date
from headertrace.parse.headers import one_line
from headertrace.parse.literals import literal_address
from headertrace.parse.software import software_named
from headertrace.parse.vendors import DEFAULT_STYLE, FROM_STYLES, FromStyle

# Pattern pieces. A host name or HELO word as servers write it; the text of an address
# literal; a queue id; an address in angle brackets; the date after the ";": no ";" and no
# delimiter the tokenizer pairs, with at most one comment, a zone ("(PDT)", "(MET DST)",
# "(-03)"): other comments there ("(envelope-from x)") are read for facts.
HOST = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
LITERAL = r"(?:IPv6:)?[0-9A-Fa-f:.]+"
QUEUE_ID = r"[A-Za-z0-9][A-Za-z0-9._/+=-]*"
ANGLE_ADDR = r"[^\s<>()\[\];,\"\\]+"
_DATE_CHARS = r"[^;()\"<>\[\]\\]*"
_ZONE = r"(?P<zone>[A-Za-z]{1,8}(?: DST)?|[+-][0-9]{2,4})"
# sendmail and others: "; DATE (envelope-from bob@example.org)", read as a comment.
_ENVELOPE = rf"\(envelope-from (?:<(?P<env>{ANGLE_ADDR})>|(?P<env_bare>{ANGLE_ADDR}))\)"
DATE = rf"(?P<date>{_DATE_CHARS}(?:\({_ZONE}\){_DATE_CHARS})?(?:{_ENVELOPE}{_DATE_CHARS})?)"
# "from HELO (RDNS [IP])", "from [HELO] (RDNS [IP])", "from HELO ([IP])", and with
# sendmail's ident: "from HELO (USER@RDNS [IP])", "(IDENT:USER@RDNS [IP])", with no name
# "(USER@[IP])"; sendmail's
# "(RDNS [IP] (may be forged))": the name does not resolve back (a defect of the hop).
FROM_RDNS = (
    rf"from (?:(?P<helo>{HOST})|\[(?P<helo_lit>{LITERAL})\])"
    rf" \((?:(?P<ident_tag>IDENT:)?(?P<ident>[A-Za-z0-9_.+-]+)@)?(?:(?P<rdns>{HOST}) )?"
    rf"\[(?P<ip>{LITERAL})\](?P<forged> \(may be forged\))?\)"
)
RECIPIENT = rf"(?: for (?:<(?P<rcpt>{ANGLE_ADDR})>|(?P<rcpt_bare>{ANGLE_ADDR})))?"

_KEYWORDS = frozenset(("from", "by", "via", "with", "id", "for"))
# Words a comment reader takes as the start of something other than "rdns [ip]".
_MARKER_WORDS = frozenset(
    (
        "proxying", "helo", "ehlo", "lhlo", "verified", "may", "authenticated", "account",
        "using", "envelope-from", "envelope-sender", "invoked", "from", "cn",
    )
)  # fmt: skip


def plain(word: str) -> bool:
    """A word the general reader reads as itself: no clause keyword."""
    return len(word) > 4 or word.lower() not in _KEYWORDS


def client_literal(text: str) -> tuple[str, int | None] | None:
    """The address and port of ``[text]``, or ``None`` when it is no address."""
    ip, port = literal_address(text)
    return None if ip is None else (ip, port)


def from_client(m: re.Match[str], records_rdns: bool = True) -> Client | None:
    """The client of :data:`FROM_RDNS`, as Postfix and sendmail write it (``unknown``
    for no name; no name at all: the reverse lookup found none); ``None`` when a name is
    one the comment reader takes for something else. ``records_rdns=False``: a family
    that may not look the name up (``FromStyle.records_rdns``): no name says nothing."""
    return _from_client(
        m["helo"], m["helo_lit"], m["ident"], m["rdns"], m["ip"], records_rdns=records_rdns
    )


def named_client(
    helo: str, rdns: str | None, literal: str, *, records_rdns: bool = True
) -> Client | None:
    """:func:`from_client` of ``from HELO (RDNS [LITERAL])``, the name left out where
    ``rdns`` is ``None``: no ident, no literal HELO."""
    return _from_client(helo, None, None, rdns, literal, records_rdns=records_rdns)


@lru_cache(maxsize=4096)
def _from_client(
    helo: str | None,
    helo_lit: str | None,
    ident: str | None,
    rdns: str | None,
    literal: str,
    *,
    records_rdns: bool = True,
) -> Client | None:
    """Records are frozen, so one is shared by every header with the same from part (a
    server's own relays and content filter come back message after message)."""
    address = client_literal(literal)
    if address is None:
        return None
    ip, port = address
    if helo_lit is not None:
        helo = f"[{helo_lit}]"
        port = port or literal_address(helo_lit)[1]
    elif helo is None or not plain(helo):
        return None
    if rdns is None:
        if helo_lit is None and helo.lower() in tables.NO_NAME_NOT_HELO:
            return new_client(rdns_status="none", ip=ip, port=port, ident=ident)
        status: RdnsStatus = "none" if records_rdns else "not_recorded"
        return new_client(helo=helo, rdns_status=status, ip=ip, port=port, ident=ident)
    low = rdns.lower()
    if (
        low in _MARKER_WORDS
        or low.startswith(("tls", "ssl", "ident:"))
        or len(rdns) > 255
        or rdns.replace(".", "").isdigit()
    ):
        return None
    if low in tables.NO_NAME:
        return new_client(helo=helo, rdns_status="none", ip=ip, port=port, ident=ident)
    rdns = rdns.rstrip(".") or None
    return new_client(helo=helo, rdns=rdns, rdns_status="present", ip=ip, port=port, ident=ident)


@lru_cache(maxsize=4096)
def server(
    by: str, software: str | None, version: str | None, ip: str | None = None
) -> Server | None:
    """The ``by`` host (no keyword), with the software the header names and the address
    a comment gives; ``by 192.0.2.8`` is the server's address."""
    if not plain(by):
        return None
    by_ip = normalise_ip(by)
    if by_ip is not None:
        return new_server(ip=by_ip, software=software, version=version)
    return new_server(host=by.rstrip(".") or None, ip=ip, software=software, version=version)


@lru_cache(maxsize=256)
def tls(version: str | None, cipher: str | None) -> TLS:
    """``TLS(version, cipher)``, one record for each pair: a few stand in most headers."""
    return TLS(version, cipher)


@lru_cache(maxsize=256)
def tls_of(protocol: str) -> TLS | None:
    low = protocol.lower()
    return TLS() if low in tables.TLS_PROTOCOLS or low == "https" else None


@lru_cache(maxsize=256)
def auth_of(protocol: str, software: str | None, has_client: bool) -> Auth:
    """What the protocol alone says about authentication (no comment says more)."""
    low = protocol.lower()
    if low in tables.AUTH_PROTOCOLS:
        return Auth(True, None, None, protocol)
    if low == "mapi":
        return Auth(True, None, None, f"with {protocol}")
    if has_client and low in tables.PLAIN_PROTOCOLS and not (software or "").startswith("Micro"):
        return Auth(False, None, None, f"with {protocol}")
    return Auth()


def kind_of(protocol: str | None, client: Client) -> HopKind | None:
    """The kind of a hop whose comments name no local user or socket, as the general
    reader decides it; ``None`` for the protocols of local submissions, which it reads
    further."""
    low = (protocol or "").lower()
    if low in tables.FETCH_PROTOCOLS:
        return "fetch"
    if low.startswith(tables.LOCAL_PROTOCOL_PREFIX):
        return None
    if low in tables.CLIENT_PROTOCOLS and client.ip is None and client.helo is None:
        return "local"  # webmail/API submission with no client recorded (Gmail "with HTTP")
    if client.ip is not None or client.helo is not None:
        return "relay"
    return "unknown"


def software_by_host(host: str) -> str | None:
    """The software a ``by`` host's name implies where the header names none."""
    low = host.lower().rstrip(".")
    for suffix, name in tables.SOFTWARE_BY_HOST:
        if low.endswith(suffix) or low == suffix[1:]:
            return name
    return None


def hop(
    value: str,
    m: re.Match[str],
    *,
    client: Client,
    server: Server,
    protocol: str | None,
    hop_id: str | None,
    kind: HopKind,
    index: int,
    header_index: int,
    after: datetime | None,
    tls: TLS | None = None,
    auth: Auth | None = None,
    via: str | None = None,
    envelope_from: str | None = None,
) -> Hop | None:
    """The hop of a header read whole, dated as the general reader dates it; ``None``
    when the comment after the date is a word the comment reader takes for a fact. The
    recipient is read from the groups ``rcpt`` (in angle brackets) or ``rcpt_bare``; an
    ``envelope_from`` before the date comes first."""
    has_rcpt, has_rcpt_bare, has_forged = _OPTIONAL.get(m.re) or _optional_groups(m.re)
    recipient = forged = None
    if has_rcpt:
        recipient = m["rcpt"]
    if has_rcpt_bare and recipient is None and m["rcpt_bare"] is not None:
        recipient = m["rcpt_bare"]
        if not plain(recipient):
            return None  # "for id": the general reader opens a clause there
    if recipient is not None and recipient.lower() in tables.NO_RECIPIENT:
        recipient = None
    if has_forged:
        forged = m["forged"]
    zone, date_text = m["zone"], m["date"]
    if zone is not None and (
        zone.lower() in _MARKER_WORDS or zone.lower().startswith(("tls", "ssl"))
    ):
        return None
    result = parse_date(date_text)
    timestamp, defect = result.value, result.defect
    complete = timestamp is not None and (server.host is not None or server.ip is not None)
    defects: tuple[str, ...] = _FORGED if forged else ()
    if defect:
        defects = (*defects, defect)
    return new_hop(
        index,
        header_index,
        value,
        client,
        server,
        protocol,
        via,
        hop_id,
        recipient,
        envelope_from or m["env"] or m["env_bare"],
        tls,
        auth or NO_AUTH,
        timestamp,
        one_line(date_text),
        (timestamp - after).total_seconds() if timestamp and after else None,
        kind,
        "parsed" if complete else "partial",
        defects,
        None,
    )


_FORGED = ("rdns-may-be-forged",)
NO_AUTH = Auth()
# Per pattern: whether it has the groups rcpt, rcpt_bare and forged (a lookup costs less
# than the groupdict() of every match).
_OPTIONAL: dict[re.Pattern[str], tuple[bool, bool, bool]] = {}


def _optional_groups(pattern: re.Pattern[str]) -> tuple[bool, bool, bool]:
    groups = pattern.groupindex
    found = _OPTIONAL[pattern] = ("rcpt" in groups, "rcpt_bare" in groups, "forged" in groups)
    return found


def reads_as_name(word: str) -> bool:
    """Whether the comment reader reads ``word`` before ``[IP]`` as a host name, not as a
    marker of something else ("helo", "authenticated", "TLSv1.2") or an address."""
    low = word.lower()
    return not (
        low in _MARKER_WORDS
        or low.startswith(("tls", "ssl", "ident:"))
        or word.replace(".", "").isdigit()
    )


RELAY_GROUPS = ("helo", "helo_lit", "ident", "rdns", "ip", "by", "proto")
"""The groups of a pattern with :data:`FROM_RDNS`, a ``by`` host and a protocol that
:func:`relay_parts` reads (``m.group(*RELAY_GROUPS)``: one call)."""

RelayParts = tuple[Client, Server, HopKind, TLS | None, Auth]


@lru_cache(maxsize=4096)
def relay_parts(
    groups: tuple[str | None, ...], software: str, version: str | None
) -> RelayParts | None:
    """The client, server, kind, TLS and authentication of a header of a family that
    records the reverse name (Postfix, sendmail), as :func:`from_client`, :func:`server`,
    :func:`kind_of`, :func:`tls_of` and :func:`auth_of` make them, from the groups
    :data:`RELAY_GROUPS`; ``None`` where one of them says no. One lookup instead of five:
    a server's relays and content filter come back header after header (85% of the
    Postfix and sendmail headers of the bench sample repeat all seven groups)."""
    helo, helo_lit, ident, rdns, ip, by, protocol = groups
    client = _from_client(helo, helo_lit, ident, rdns, cast(str, ip))
    by_server = server(cast(str, by), software, version)
    if client is None or by_server is None:
        return None
    kind = kind_of(protocol, client)
    if kind is None:
        return None
    return (
        client,
        by_server,
        kind,
        tls_of(cast(str, protocol)),
        auth_of(cast(str, protocol), software, True),
    )


def style_of(software: str | None) -> FromStyle:
    """The from-part layout of ``software`` as the general reader chooses it for a from
    part whose address is in brackets (``style_for(software)``; no qmail shape)."""
    return FROM_STYLES.get(software or "", DEFAULT_STYLE)


ID = rf"(?:<(?P<id_angle>{ANGLE_ADDR})>|(?P<id>{QUEUE_ID}))"
"""A queue id, bare or in angle brackets (``id <0H3N006X7ZLZ03@mta6.example.net>``)."""


def named_relay(
    value: str,
    m: re.Match[str],
    name: str,
    *,
    index: int,
    header_index: int,
    after: datetime | None,
) -> Hop | None:
    """The hop of a header in sendmail's layout (:data:`FROM_RDNS`, ``by`` host, a comment
    naming the software, then ``with`` and ``id``, either may be missing) whose comment
    (group ``stamp``) names ``name``, a family that lays out its from part as the HELO
    first. The software and version are named as the general reader names them, from
    that comment and the with clause; ``None`` where that names another family."""
    protocol, hop_id, by = m["proto"], m["id"], m["by"]
    if (hop_id is not None and not plain(hop_id)) or (
        protocol is not None and (not plain(protocol) or protocol.lower() == "microsoft")
    ):
        return None  # a keyword opens a clause there; "with Microsoft ..." reads whole
    software, version = software_named(
        (m["stamp"],), (protocol or "", "", ""), (), False, by.lower().rstrip(".")
    )
    style = style_of(software)
    if software != name or style.bare != "helo_first":
        return None
    client = from_client(m, style.records_rdns)
    by_server = server(by, software, version)
    if client is None or by_server is None:
        return None
    kind = kind_of(protocol, client)
    if kind is None:
        return None
    return hop(
        value,
        m,
        client=client,
        server=by_server,
        protocol=protocol,
        hop_id=hop_id or m["id_angle"],
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=None if protocol is None else tls_of(protocol),
        auth=NO_AUTH if protocol is None else auth_of(protocol, software, True),
    )
