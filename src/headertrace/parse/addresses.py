"""Address literals as MTAs write them, normalised to one spelling.

[192.0.2.1]            -> 192.0.2.1
[IPv6:2001:db8::1]     -> 2001:db8::1
::ffff:192.0.2.1       -> 192.0.2.1      (IPv4-mapped, Courier and dual-stack sockets)
[fe80::1%11]           -> fe80::1        (Exchange writes the zone id)
192.0.2.1:2525         -> 192.0.2.1, port 2525
[2001:DB8:0:0::1]:587  -> 2001:db8::1, port 587
[192.0.2.1.2525]       -> 192.0.2.1, port 2525 (Exim 3: the port after a dot)
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

_ADDRESS = re.compile(r"[0-9A-Fa-f.:]+")


@lru_cache(maxsize=16384)
def normalise_ip(text: str) -> str | None:
    """Return the canonical form of an address literal, or ``None`` if it is not one."""
    s = text.strip().strip("[]").strip()
    if s[:5].lower() == "ipv6:":
        s = s[5:]
    if "%" in s:
        s = s.split("%", 1)[0]
    if not s or len(s) > 64:
        return None
    if _ADDRESS.fullmatch(s) is None:
        return None  # a host name: no exception raised and caught for it
    try:
        addr = ipaddress.ip_address(s)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def split_port(text: str) -> tuple[str, int | None]:
    """Split ``addr:port`` where the port is unambiguous (IPv4 or a bracketed literal)."""
    if text.startswith("[") and "]:" in text:
        addr, _, port = text.rpartition(":")
        if port.isdigit():
            return addr, _port(port)
    if text.count(":") == 1:
        addr, _, port = text.partition(":")
        if port.isdigit():
            return addr, _port(port)
    return text, None


def literal_address(text: str) -> tuple[str | None, int | None]:
    """The address and port of the text inside ``[ ]``: ``192.0.2.1``, ``192.0.2.1:4237``
    (ecelerity writes the port inside the brackets) or Exim 3's ``192.0.2.1.4237`` (its
    ``$sender_fullhost`` separates the port with a dot, as its logs do)."""
    ip = normalise_ip(text)
    if ip is not None:
        return ip, None
    if ":" in text:
        bare, port = split_port(text)
        ip = normalise_ip(bare)
        if ip is not None:
            return ip, port
    bare, dot, digits = text.rpartition(".")
    if dot and digits.isdigit() and (bare.count(".") == 3 or ":" in bare):
        ip = normalise_ip(bare)
        if ip is not None:
            return ip, _port(digits)
    return None, None


def _port(digits: str) -> int | None:
    value = int(digits) if len(digits) <= 5 else 0
    return value if 0 < value < 65536 else None


def is_loopback(ip: str) -> bool:
    """127.0.0.0/8 or ::1 (normalised addresses): the same machine."""
    return ip.startswith("127.") or ip == "::1"


@lru_cache(maxsize=4096)
def is_internal(ip: str) -> bool:
    """True for addresses that cannot identify a sender on the public internet.

    RFC 1918, loopback, link-local, shared (RFC 6598), unique-local IPv6 and unspecified.
    Documentation ranges (RFC 5737, RFC 3849) are *not* internal: they stand for public
    addresses in examples, and a header that uses one is treated like any outside client.
    """
    addr = ipaddress.ip_address(ip)
    return any(addr in net for net in _INTERNAL_V4 if addr.version == 4) or any(
        addr in net for net in _INTERNAL_V6 if addr.version == 6
    )


_INTERNAL_V4 = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "100.64.0.0/10",
        "0.0.0.0/8",
    )
)
_INTERNAL_V6 = tuple(
    ipaddress.ip_network(n) for n in ("::1/128", "::/128", "fe80::/10", "fc00::/7", "fec0::/10")
)
