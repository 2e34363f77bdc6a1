"""Attribution records: who owns an address, and what the network said about it.

Plain, frozen data with ``to_dict()`` returning JSON-safe values. Nothing here does I/O, and
nothing here imports the rest of headertrace but the pure JSON rule and the fast
constructors of ``_frozen`` (``headertrace.models`` imports this module).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from headertrace._frozen import fast_init
from headertrace._json import as_json_dict

JSONDict = dict[str, Any]

BlocklistStatus = Literal["listed", "not_listed", "refused", "error", "timeout", "skipped"]
"""``listed``: the zone lists the address; ``not_listed``: NXDOMAIN; ``refused``: the zone
answered with a "we do not answer you" code (Spamhaus 127.255.255.x), never a listing;
``error``/``timeout``: no usable answer; ``skipped``: not asked (address not global, zone has
no IPv6 data, time budget spent)."""


@fast_init
@dataclass(frozen=True, slots=True)
class LookupIssue:
    """One lookup step that did not produce an answer, and why."""

    step: str
    """What was asked: ``asn``, ``as-name``, ``rdap``, ``ptr``, ``forward``, ``dnsbl:ZONE``,
    ``resolver``, ``budget``."""
    status: str
    """``timeout``, ``nxdomain``, ``no-answer``, ``error``, ``malformed``, ``not-found``,
    ``rate-limited``, ``unreachable``, ``http-error``, ``skipped``, ``budget``."""
    detail: str = ""

    def to_dict(self) -> JSONDict:
        return {"step": self.step, "status": self.status, "detail": self.detail}


@fast_init
@dataclass(frozen=True, slots=True)
class Contact:
    """An RDAP entity: a person, role account or organisation with its roles."""

    handle: str | None = None
    name: str | None = None
    kind: str | None = None
    """vCard ``kind``: ``org``, ``individual``, ``group``."""
    roles: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    address: str | None = None

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class BlocklistResult:
    """What one DNS blocklist zone said about one address."""

    zone: str
    ip: str
    status: BlocklistStatus
    query: str | None = None
    """The DNS name that was asked (``4.3.2.1.zen.spamhaus.org``)."""
    codes: tuple[str, ...] = ()
    """The A records returned (``127.0.0.2``)."""
    meanings: tuple[str, ...] = ()
    """The decoded codes, one per code, in the same order."""
    txt: tuple[str, ...] = ()
    """The zone's TXT reasons, as given."""
    detail: str = ""

    @property
    def failed(self) -> bool:
        """True when the check gave no answer either way."""
        return self.status not in ("listed", "not_listed")

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class IpInfo:
    """What the network said about one address (Team Cymru, RDAP, reverse DNS)."""

    ip: str
    ip_class: str
    asn: int | None = None
    as_name: str | None = None
    prefix: str | None = None
    country: str | None = None
    registry: str | None = None
    allocated: str | None = None
    network_name: str | None = None
    network_handle: str | None = None
    network_range: str | None = None
    registrant: str | None = None
    abuse_emails: tuple[str, ...] = ()
    abuse_phones: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    rdap_source: str | None = None
    """The URL the RDAP answer came from."""
    abuse_source: str | None = None
    """Which source gave ``abuse_emails``: ``rdap``, ``nir:jpnic``, ``nir:krnic`` or
    ``whois:<registry>`` (``whois:ripencc``); ``None`` when none gave one."""
    ptr: tuple[str, ...] = ()
    """Reverse DNS names, without the trailing dot."""
    fcrdns: bool | None = None
    """Forward-confirmed reverse DNS: a PTR name resolves back to the address (``None``:
    could not be determined)."""
    confirmed_name: str | None = None
    errors: tuple[LookupIssue, ...] = ()

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class HostInfo:
    """What the network said about one host name."""

    name: str
    registered_domain: str | None
    addresses: tuple[str, ...] = ()
    ips: tuple[IpInfo, ...] = ()
    errors: tuple[LookupIssue, ...] = ()

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class Domains:
    """Registered domains (public-suffix list) of a hop's names: ``None`` where none."""

    helo: str | None = None
    rdns: str | None = None
    by: str | None = None

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)


@fast_init
@dataclass(frozen=True, slots=True)
class Attribution:
    """Who owns a hop's client address and names.

    The offline part (address class, registered domains, HELO shape, dynamic-looking rDNS) is
    always filled; ``network`` and ``blocklists`` only after an opt-in online lookup.
    """

    ip: str | None = None
    """The client address, IPv4-mapped IPv6 unwrapped."""
    ip_class: str | None = None
    """``private``, ``loopback``, ``link-local``, ``shared``, ``documentation``, ``reserved``,
    ``multicast``, ``unspecified``, ``global`` or ``invalid``."""
    ip_note: str | None = None
    """The special-purpose block the address is in (``TEST-NET-1, RFC 5737``)."""
    server_ip: str | None = None
    server_ip_class: str | None = None
    helo_kind: str | None = None
    """``fqdn``, ``literal``, ``localhost``, ``bare`` (no dot) or ``None`` (no HELO)."""
    domains: Domains = field(default_factory=Domains)
    """The registered domains of the HELO, the rDNS name and the ``by`` host."""
    rdns_dynamic: bool = False
    """The rDNS name embeds the address (``host-203-0-113-5.dyn.example.net``)."""
    network: IpInfo | None = None
    blocklists: tuple[BlocklistResult, ...] = ()

    @property
    def listed(self) -> bool:
        return any(b.status == "listed" for b in self.blocklists)

    def to_dict(self) -> JSONDict:
        return as_json_dict(self)
