"""What the direct readers share: the pieces of their patterns, and building the ``Hop``.

A direct reader reads one whole header of one shape with one anchored regular expression
and fills the same :class:`~headertrace.models.Hop` as the general reader
(:func:`headertrace.parse.received.parse_received`), which stays the reference: a header a
direct reader does not take whole goes there. The patterns use single character classes
between fixed delimiters and no nested quantifiers, so a match or a failure is linear in
the length of the header.
"""

from __future__ import annotations

from datetime import datetime

from headertrace.addresses import normalise_ip
from headertrace.models import TLS, Auth, Client, Hop, HopKind, Server
from headertrace.parse import tables
from headertrace.parse.dates import parse_date
from headertrace.parse.headers import one_line
from headertrace.parse.literals import literal_address

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
DATE = rf"(?P<date>{_DATE_CHARS}(?:\({_ZONE}\){_DATE_CHARS})?)"
RECIPIENT = rf"(?: for <(?P<rcpt>{ANGLE_ADDR})>)?"

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


def rdns_client(helo: str, rdns: str, literal: str) -> Client | None:
    """``from HELO (RDNS [IP])``, as Postfix and sendmail write it (``unknown`` for no
    name); ``None`` when the name is one the comment reader takes for something else."""
    address = client_literal(literal)
    low = rdns.lower()
    if (
        address is None
        or not plain(helo)
        or low in _MARKER_WORDS
        or low.startswith(("tls", "ssl", "ident:"))
        or len(rdns) > 255
        or rdns.replace(".", "").isdigit()
    ):
        return None
    ip, port = address
    if low in tables.NO_NAME:
        return Client(helo=helo, rdns_status="none", ip=ip, port=port)
    return Client(helo=helo, rdns=rdns.rstrip(".") or None, rdns_status="present", ip=ip, port=port)


def server(by: str, software: str | None, version: str | None) -> Server | None:
    """The ``by`` host (no address, no keyword), with the software the header names."""
    if not plain(by) or normalise_ip(by) is not None:
        return None
    return Server(host=by.rstrip(".") or None, software=software, version=version)


def tls_of(protocol: str) -> TLS | None:
    low = protocol.lower()
    return TLS() if low in tables.TLS_PROTOCOLS or low == "https" else None


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


def kind_of(protocol: str, client: Client) -> HopKind | None:
    """The kind of a hop whose from part names a client; ``None`` for protocols the
    general reader reads further (local submissions)."""
    low = protocol.lower()
    if low in tables.FETCH_PROTOCOLS:
        return "fetch"
    if low.startswith(tables.LOCAL_PROTOCOL_PREFIX) or low in tables.CLIENT_PROTOCOLS:
        return None
    if client.ip is not None or client.helo is not None:
        return "relay"
    return None


def recipient(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if not value or value.lower() in tables.NO_RECIPIENT else value


def hop(
    value: str,
    date_text: str,
    zone: str | None,
    *,
    client: Client,
    server: Server,
    protocol: str | None,
    hop_id: str | None,
    recipient: str | None,
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
    when the comment after the date is a word the comment reader takes for a fact."""
    if zone is not None and (
        zone.lower() in _MARKER_WORDS or zone.lower().startswith(("tls", "ssl"))
    ):
        return None
    result = parse_date(date_text)
    timestamp = result.value
    complete = timestamp is not None and (server.host is not None or server.ip is not None)
    return Hop(
        raw=value,
        client=client,
        server=server,
        protocol=protocol,
        via=via,
        id=hop_id,
        recipient=recipient,
        envelope_from=envelope_from,
        tls=tls,
        auth=auth or Auth(),
        timestamp=timestamp,
        timestamp_raw=one_line(date_text),
        kind=kind,
        status="parsed" if complete else "partial",
        defects=(result.defect,) if result.defect else (),
        index=index,
        header_index=header_index,
        delay_seconds=(timestamp - after).total_seconds() if timestamp and after else None,
    )
