"""Who owns it: address classes, registered domains, and opt-in network attribution.

This is where the attribution API lives (``from headertrace.enrich import Enricher,
LookupConfig``); ``import headertrace`` does not load it.

Offline (always, no socket): :func:`classify_ip`, :func:`registered_domain` and the other
address and name helpers (defined in :mod:`headertrace.addresses`, re-exported here),
:func:`attribute_offline`, :func:`consistency_findings`, :func:`enrich_offline`.

Online (only when asked): :class:`Enricher` configured by :class:`LookupConfig` -- Team Cymru
ASN data, RDAP owner and abuse contacts (with ipwhois' national-registry and whois readers as
a second step), forward-confirmed reverse DNS, DNS blocklists, and our own standing
(:meth:`Enricher.standing`, :func:`watch`; the addresses from :mod:`headertrace.enrich.ours`).
The records it returns: :class:`IpInfo`, :class:`HostInfo`, :class:`BlocklistResult`,
:class:`Attribution` (on each hop), :class:`Standing`.

The network code (dnspython, sqlite3, urllib, ipwhois) is imported the first time
:class:`Enricher` or :func:`owner_of` is used, not when this package is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headertrace.addresses import (
    classify_ip,
    helo_kind,
    ip_note,
    normalise_ip,
    rdns_embeds_address,
    registered_domain,
)
from headertrace.enrich.config import LookupConfig, default_cache_path, parse_nameserver
from headertrace.enrich.delisting import DELISTING, Delisting, delisting_for
from headertrace.enrich.dnsbl import DEFAULT_ZONE_NAMES, DEFAULT_ZONES, Zone
from headertrace.enrich.offline import (
    attribute_offline,
    consistency_findings,
    enrich_offline,
    is_external,
)
from headertrace.enrich.records import (
    Attribution,
    BlocklistResult,
    Contact,
    HostInfo,
    IpInfo,
    LookupIssue,
)
from headertrace.enrich.standing import (
    AddressStanding,
    Change,
    Note,
    OwnAddress,
    Round,
    Standing,
    Targets,
    watch,
)

if TYPE_CHECKING:
    from headertrace.enrich.lookup import Enricher, owner_of

_NETWORK = frozenset({"Enricher", "owner_of"})


def __getattr__(name: str) -> Any:
    """Load the network code (:mod:`headertrace.enrich.lookup`) when it is first asked for."""
    if name in _NETWORK:
        from headertrace.enrich import lookup  # noqa: PLC0415 - network code only on demand

        return getattr(lookup, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_ZONES",
    "DEFAULT_ZONE_NAMES",
    "DELISTING",
    "AddressStanding",
    "Attribution",
    "BlocklistResult",
    "Change",
    "Contact",
    "Delisting",
    "Enricher",
    "HostInfo",
    "IpInfo",
    "LookupConfig",
    "LookupIssue",
    "Note",
    "OwnAddress",
    "Round",
    "Standing",
    "Targets",
    "Zone",
    "attribute_offline",
    "classify_ip",
    "consistency_findings",
    "default_cache_path",
    "delisting_for",
    "enrich_offline",
    "helo_kind",
    "ip_note",
    "is_external",
    "normalise_ip",
    "owner_of",
    "parse_nameserver",
    "rdns_embeds_address",
    "registered_domain",
    "watch",
]
