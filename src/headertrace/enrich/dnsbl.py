"""DNS blocklist zones, their return codes, and the decoding of an answer.

A zone lists an address when ``<reversed address>.<zone>`` has an A record in 127.0.0.0/8;
NXDOMAIN means not listed. Answers in 127.255.255.0/24 are the operators' way of saying "we
do not answer you" (Spamhaus: 127.255.255.252 typing error, .254 public/open resolver, .255
too many queries): they are reported as ``refused``, never as a listing. An answer outside
127.0.0.0/8 is a resolver rewriting NXDOMAIN (or a zone gone wild) and is an ``error``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Final

from headertrace.addresses import IPAddress
from headertrace.enrich.records import BlocklistStatus


@dataclass(frozen=True, slots=True)
class Zone:
    """A DNS blocklist zone and what its answers mean."""

    name: str
    description: str = ""
    codes: dict[str, str] = field(default_factory=dict)
    """Return code (``127.0.0.2``) -> meaning."""
    refused: dict[str, str] = field(default_factory=dict)
    """Return codes that mean the query was refused, with the reason."""
    ipv6: bool = False
    """Whether the zone lists IPv6 addresses (nibble-reversed queries)."""


_GENERIC_REFUSED: Final = "the blocklist refused to answer this resolver"

SPAMHAUS_REFUSED: Final = {
    "127.255.255.252": "query refused: typing error in the DNSBL name",
    "127.255.255.254": "query refused: sent through a public or open resolver "
    "(use your own resolver or a Spamhaus DQS key)",
    "127.255.255.255": "query refused: too many queries from this resolver",
}

DEFAULT_ZONES: Final[tuple[Zone, ...]] = (
    Zone(
        "zen.spamhaus.org",
        "Spamhaus ZEN (SBL, CSS, XBL, PBL, DROP)",
        codes={
            "127.0.0.2": "SBL: Spamhaus Block List (known spam source or operation)",
            "127.0.0.3": "SBL CSS: snowshoe or low-reputation sending",
            "127.0.0.4": "XBL: exploited or infected host (CBL)",
            "127.0.0.5": "XBL: exploited or infected host",
            "127.0.0.6": "XBL: exploited or infected host",
            "127.0.0.7": "XBL: exploited or infected host",
            "127.0.0.9": "SBL DROP/EDROP: hijacked or criminal netblock",
            "127.0.0.10": "PBL: end-user address that should not send directly (ISP listed)",
            "127.0.0.11": "PBL: end-user address that should not send directly (Spamhaus listed)",
        },
        refused=SPAMHAUS_REFUSED,
        ipv6=True,
    ),
    Zone(
        "bl.spamcop.net",
        "SpamCop Blocking List",
        codes={"127.0.0.2": "SpamCop: reported as a spam source"},
    ),
    Zone(
        "b.barracudacentral.org",
        "Barracuda Reputation Block List (needs a registered resolver)",
        codes={"127.0.0.2": "Barracuda BRBL: poor sending reputation"},
    ),
    Zone(
        "psbl.surriel.com",
        "Passive Spam Block List",
        codes={"127.0.0.2": "PSBL: sent mail to spam traps"},
    ),
    Zone(
        "dnsbl.dronebl.org",
        "DroneBL (drones, proxies, botnets)",
        codes={
            "127.0.0.2": "DroneBL: sample/test entry",
            "127.0.0.3": "DroneBL: IRC drone",
            "127.0.0.5": "DroneBL: bottler",
            "127.0.0.6": "DroneBL: unknown spambot or drone",
            "127.0.0.7": "DroneBL: DDoS drone",
            "127.0.0.8": "DroneBL: open SOCKS proxy",
            "127.0.0.9": "DroneBL: open HTTP proxy",
            "127.0.0.10": "DroneBL: proxy chain",
            "127.0.0.11": "DroneBL: web page proxy",
            "127.0.0.12": "DroneBL: open DNS resolver",
            "127.0.0.13": "DroneBL: brute-force attacker",
            "127.0.0.14": "DroneBL: open Wingate proxy",
            "127.0.0.15": "DroneBL: compromised router or gateway",
            "127.0.0.16": "DroneBL: autorooting worm",
            "127.0.0.17": "DroneBL: automatically detected botnet address",
            "127.0.0.19": "DroneBL: abused VPN service",
            "127.0.0.255": "DroneBL: uncategorised threat",
        },
        ipv6=True,
    ),
)

DEFAULT_ZONE_NAMES: Final[tuple[str, ...]] = tuple(z.name for z in DEFAULT_ZONES)
_KNOWN: Final = {z.name: z for z in DEFAULT_ZONES}


def zone_for(name: str) -> Zone:
    """The known zone of that name, or a generic zone (any 127/8 code is a listing)."""
    key = name.strip().rstrip(".").lower()
    return _KNOWN.get(key, Zone(key, ipv6=True))


def reversed_name(address: IPAddress) -> str:
    """``4.3.2.1`` for 1.2.3.4; 32 reversed nibbles for IPv6 (no trailing dot)."""
    if isinstance(address, ipaddress.IPv4Address):
        return ".".join(reversed(str(address).split(".")))
    return ".".join(reversed(address.exploded.replace(":", "")))


def query_name(address: IPAddress, zone: Zone) -> str:
    return f"{reversed_name(address)}.{zone.name}"


_LOOPBACK8: Final = ipaddress.IPv4Network("127.0.0.0/8")
_REFUSED24: Final = ipaddress.IPv4Network("127.255.255.0/24")


def decode(zone: Zone, codes: list[str]) -> tuple[BlocklistStatus, tuple[str, ...], str]:
    """The status, the meaning of each code, and a detail line for a zone's A answers."""
    meanings: list[str] = []
    listed = refused = bad = False
    for code in codes:
        try:
            value = ipaddress.IPv4Address(code)
        except ValueError:
            meanings.append("not an IPv4 address")
            bad = True
            continue
        if code in zone.refused:
            meanings.append(zone.refused[code])
            refused = True
        elif value in _REFUSED24:
            meanings.append(_GENERIC_REFUSED)
            refused = True
        elif value not in _LOOPBACK8:
            meanings.append("answer outside 127.0.0.0/8 (resolver rewriting NXDOMAIN?)")
            bad = True
        else:
            meanings.append(zone.codes.get(code, f"listed (return code {code})"))
            listed = True
    if listed:
        return "listed", tuple(meanings), ""
    if refused:
        return "refused", tuple(meanings), "; ".join(meanings)
    if bad or not codes:
        return "error", tuple(meanings), "the zone's answer is not a blocklist return code"
    return "error", tuple(meanings), ""
