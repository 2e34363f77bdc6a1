"""Address literals as MTAs write them, normalised to one spelling.

[192.0.2.1]            -> 192.0.2.1
[IPv6:2001:db8::1]     -> 2001:db8::1
::ffff:192.0.2.1       -> 192.0.2.1      (IPv4-mapped, Courier and dual-stack sockets)
[fe80::1%11]           -> fe80::1        (Exchange writes the zone id)
192.0.2.1:2525         -> 192.0.2.1, port 2525
[2001:DB8:0:0::1]:587  -> 2001:db8::1, port 587
[192.0.2.1.2525]       -> 192.0.2.1, port 2525 (Exim 3: the port after a dot)

The address itself is normalised by :func:`headertrace.addresses.normalise_ip`; this module
reads the literals and ports around it.
"""

from __future__ import annotations

from headertrace.addresses import normalise_ip


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
