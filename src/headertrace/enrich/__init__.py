"""Who owns it: address classes, registered domains, and opt-in network attribution.

Offline (always, no socket): :func:`classify_ip`, :func:`registered_domain`,
:func:`attribute_offline`, :func:`consistency_findings`, :func:`enrich_offline`.

Online (only when asked): :class:`Enricher` configured by :class:`LookupConfig` -- Team Cymru
ASN data, RDAP owner and abuse contacts (with ipwhois' national-registry and whois readers as
a second step), forward-confirmed reverse DNS, DNS blocklists, and our own standing
(:meth:`Enricher.standing`, :func:`watch`; the addresses from :mod:`headertrace.enrich.ours`).
"""

from __future__ import annotations

from headertrace.enrich.classify import (
    classify_ip,
    helo_kind,
    ip_note,
    normalize_ip,
    rdns_embeds_address,
    registered_domain,
)
from headertrace.enrich.config import LookupConfig, default_cache_path, parse_nameserver
from headertrace.enrich.delisting import DELISTING, Delisting, delisting_for
from headertrace.enrich.dnsbl import DEFAULT_ZONE_NAMES, DEFAULT_ZONES, Zone
from headertrace.enrich.lookup import Enricher, owner_of
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
    "normalize_ip",
    "owner_of",
    "parse_nameserver",
    "rdns_embeds_address",
    "registered_domain",
    "watch",
]
