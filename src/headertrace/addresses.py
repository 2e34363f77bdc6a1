"""Addresses and host names, offline: one spelling of each, their classes, registered domains.

Pure: nothing here opens a socket or imports network code, so the parser, the judge and
offline attribution share it (``import headertrace`` stays light).

Addresses::

    normalise_ip("[IPv6:2001:DB8::1]")   -> "2001:db8::1"
    normalise_ip("::ffff:192.0.2.1")     -> "192.0.2.1"    (IPv4-mapped IPv6 unwrapped)
    normalise_ip("[fe80::1%11]")         -> "fe80::1"      (the zone id dropped)
    classify_ip("100.64.0.1")            -> "shared"
    is_internal("10.0.0.1")              -> True           (cannot identify a sender)

Names::

    normalise_host("MX.Example.COM.")    -> "mx.example.com"
    registered_domain("mail.example.co.uk") -> "example.co.uk"
    helo_kind("localhost")               -> "localhost"

Registered domains follow the Public Suffix List snapshot bundled with ``tldextract``, read
here directly (``tldextract`` itself is not imported: it loads ``requests`` and ``ssl``) and
matched the way ``tldextract`` matches it; the list is never fetched.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import re
import threading
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Final

_ADDRESS = re.compile(r"[0-9A-Fa-f.:]+")

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD: Final = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")
"""IPv4 exactly as ``str(IPv4Address)`` writes it: ASCII digits, no leading zero, each
octet at most 255. Most addresses in headers are written so, and such a text is its own
canonical form: no ``ipaddress`` object is needed to say so (``tests/test_addresses.py``
proves both paths equal)."""


_HEXTET = r"[0-9A-Fa-f]{1,4}"
_IPV6_HEXTETS: Final = re.compile(
    rf"(?:{_HEXTET}(?::{_HEXTET})*)?(?:::(?:{_HEXTET}(?::{_HEXTET})*)?)?"
)
"""IPv6 written as hextets alone (no embedded IPv4, zone id or tag), ``::`` at most once:
how headers write nearly every IPv6 address. Each hextet ends at a colon, so the match
never backtracks further than a hextet."""


@lru_cache(maxsize=16384)
def normalise_ip(text: str | None) -> str | None:
    """The canonical text of an address, or ``None`` if ``text`` is not one.

    Accepts brackets (``[192.0.2.1]``), the ``IPv6:`` tag of address literals and a zone id
    (``fe80::1%eth0``); IPv4-mapped IPv6 is returned as IPv4.
    """
    if not text:
        return None
    s = text.strip().strip("[]").strip()
    if ":" not in s:  # a dotted quad has no colon: IPv6 text is not matched against one
        if _DOTTED_QUAD.fullmatch(s) is not None:
            return s
        if "%" not in s:
            return None  # no IPv6, no zone id: only a dotted quad could have been an address
        return _normalise_general(text)
    bare = s[5:] if s[:5].lower() == "ipv6:" else s
    if len(bare) <= 39 and _IPV6_HEXTETS.fullmatch(bare) is not None:
        canonical = _ipv6_canonical(bare)
        if canonical is not None:
            return canonical
    return _normalise_general(text)


def _ipv6_hextets(s: str) -> list[str] | None:
    """The eight hextets of a text :data:`_IPV6_HEXTETS` matches, or ``None`` when there
    are not eight (``::`` standing for at least one)."""
    head, compressed, tail = s.partition("::")
    if not compressed:
        hextets = s.split(":")
        return hextets if len(hextets) == 8 else None
    left = head.split(":") if head else []
    right = tail.split(":") if tail else []
    missing = 8 - len(left) - len(right)
    return [*left, *["0"] * missing, *right] if missing >= 1 else None


def _ipv6_canonical(s: str) -> str | None:
    """``str(IPv6Address(s))``, or the IPv4 address an IPv4-mapped one carries, without
    ``ipaddress``: hextets in lower case without leading zeros, the longest run of two
    or more zero hextets (the first of equals) written ``::``. ``None`` when ``s`` does
    not have eight hextets (then ``ipaddress`` decides)."""
    full = _ipv6_full(s)
    if full is None:
        return None
    if full.startswith(_MAPPED):
        high_text, low_text = full[len(_MAPPED) : -1].split(":")
        high, low = int(high_text, 16), int(low_text, 16)
        return f"{high >> 8}.{high & 255}.{low >> 8}.{low & 255}"
    if ":0:0:" in full:
        # The longest run first, each found leftmost: the first of the longest.
        for run in _ZERO_RUNS:
            at = full.find(run)
            if at >= 0:
                return full[1:at] + "::" + full[at + len(run) : -1]
    return full[1:-1]


_MAPPED: Final = ":0:0:0:0:0:ffff:"
_ZERO_RUNS: Final = tuple(":0" * n + ":" for n in range(8, 1, -1))


def _ipv6_full(s: str) -> str | None:
    """The eight hextets of a text :data:`_IPV6_HEXTETS` matches, in lower case without
    leading zeros, each between colons (``:2001:db8:0:0:0:0:0:1:``), or ``None`` when
    there are not eight. A few whole-string operations in C instead of a list of
    hextets handled one by one (about 21,000 machine instructions a miss instead of
    24,000 on the corpus addresses, cachegrind)."""
    s = s.lower()
    padded = ":" + s + ":"
    # Twice: one pass skips a zero hextet that follows another (":0:0:").
    if ":0" in padded and ":0" in padded.replace(":0:", ":-:").replace(":0:", ":-:"):
        return _ipv6_full(":".join([h.lstrip("0") or "0" if h else "" for h in s.split(":")]))
    head, compressed, tail = s.partition("::")
    if not compressed:
        return padded if s.count(":") == 7 else None
    missing = 8 - head.count(":") - tail.count(":") - bool(head) - bool(tail)
    if missing < 1:
        return None
    return (":" + head if head else "") + ":0" * missing + (":" + tail if tail else "") + ":"


def _ipv6_int(canonical: str) -> int:
    """The integer of a canonical IPv6 text (what :func:`normalise_ip` returns)."""
    hextets = None if "." in canonical else _ipv6_hextets(canonical)
    if hextets is None:  # pragma: no cover - a Python that writes IPv6 otherwise
        return int(ipaddress.IPv6Address(canonical))
    return int("".join([hextet.zfill(4) for hextet in hextets]), 16)


def _normalise_general(text: str | None) -> str | None:
    """:func:`normalise_ip` through ``ipaddress`` alone: the reference its direct path for
    dotted quads is tested against, and what it does with everything else."""
    if not text:
        return None
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
        addr = _ip_address(s)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _ip_address(text: str) -> IPAddress:
    """``ipaddress.ip_address`` without its IPv4 attempt (and the exception it raises) for
    IPv6 text: a text with a colon is never IPv4, one without is never IPv6."""
    if ":" in text:
        return ipaddress.IPv6Address(text)
    return ipaddress.IPv4Address(text)


IP_CLASSES: Final = (
    "private",
    "loopback",
    "link-local",
    "shared",
    "documentation",
    "reserved",
    "multicast",
    "unspecified",
    "global",
    "invalid",
)

_N4 = ipaddress.IPv4Network
_N6 = ipaddress.IPv6Network

# (network, class, note), checked in order after the unspecified/loopback/link-local/multicast
# tests. Notes follow the IANA special-purpose address registries.
_SPECIAL: Final[tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str, str], ...]] = (
    (_N4("0.0.0.0/8"), "reserved", "This network, RFC 791"),
    (_N4("100.64.0.0/10"), "shared", "Shared address space (CGNAT), RFC 6598"),
    (_N4("192.0.2.0/24"), "documentation", "TEST-NET-1, RFC 5737"),
    (_N4("198.51.100.0/24"), "documentation", "TEST-NET-2, RFC 5737"),
    (_N4("203.0.113.0/24"), "documentation", "TEST-NET-3, RFC 5737"),
    (_N4("10.0.0.0/8"), "private", "Private use, RFC 1918"),
    (_N4("172.16.0.0/12"), "private", "Private use, RFC 1918"),
    (_N4("192.168.0.0/16"), "private", "Private use, RFC 1918"),
    (_N4("192.0.0.0/24"), "reserved", "IETF protocol assignments, RFC 6890"),
    (_N4("198.18.0.0/15"), "reserved", "Benchmarking, RFC 2544"),
    (_N4("240.0.0.0/4"), "reserved", "Reserved, RFC 1112"),
    (_N6("2001:db8::/32"), "documentation", "Documentation, RFC 3849"),
    (_N6("3fff::/20"), "documentation", "Documentation, RFC 9637"),
    (_N6("fc00::/7"), "private", "Unique local, RFC 4193"),
    (_N6("fec0::/10"), "reserved", "Site-local (deprecated), RFC 3879"),
    (_N6("100::/64"), "reserved", "Discard-only, RFC 6666"),
    (_N6("64:ff9b:1::/48"), "private", "Local-use IPv4/IPv6 translation, RFC 8215"),
    (_N6("2001:2::/48"), "reserved", "Benchmarking, RFC 5180"),
    (_N6("2001:10::/28"), "reserved", "ORCHID, RFC 4843"),
    (_N6("::/8"), "reserved", "Reserved by IETF, RFC 4291"),
)


@lru_cache(maxsize=16384)
def parse_ip(text: str | None) -> IPAddress | None:
    """Parse an address as headers write it; IPv4-mapped IPv6 is returned as IPv4.

    Accepts brackets (``[192.0.2.1]``), the ``IPv6:`` tag of address literals and a zone id
    (``fe80::1%eth0``), as :func:`normalise_ip` does. Returns ``None`` for
    anything that is not an address.
    """
    canonical = normalise_ip(text)
    if canonical is None:
        return None
    # Built from the integer of the canonical text: no text parsed twice.
    if ":" not in canonical:
        return ipaddress.IPv4Address(_ipv4_int(canonical))
    return ipaddress.IPv6Address(_ipv6_int(canonical))


def _ipv4_int(canonical: str) -> int:
    """The integer of a canonical IPv4 text (what :func:`normalise_ip` returns)."""
    a, b, c, d = canonical.split(".")
    return (int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)


def _block(network: str, cls: str, note: str) -> tuple[int, int, int, str, str]:
    net = ipaddress.ip_network(network)
    return net.version, int(net.network_address), int(net.broadcast_address), cls, note


# Every special block as an integer range, in the order they are tested: the first that
# holds the address names its class. Integer compares, because ``address in network`` and
# the ``is_*`` properties of ``ipaddress`` cost microseconds each.
_BLOCKS: Final = (
    _block("0.0.0.0/32", "unspecified", "Unspecified address"),
    _block("::/128", "unspecified", "Unspecified address"),
    _block("127.0.0.0/8", "loopback", "Loopback"),
    _block("::1/128", "loopback", "Loopback"),
    _block("169.254.0.0/16", "link-local", "Link-local"),
    _block("fe80::/10", "link-local", "Link-local"),
    _block("224.0.0.0/4", "multicast", "Multicast"),
    _block("ff00::/8", "multicast", "Multicast"),
    _block("255.255.255.255/32", "reserved", "Limited broadcast, RFC 919"),
    *(_block(str(network), cls, note) for network, cls, note in _SPECIAL),
)


def _classify_int(version: int, value: int) -> tuple[str, str | None]:
    """(class, note) of an address by walking the blocks in order; :func:`_class_of`
    answers the same from a table built with it."""
    for block_version, first, last, cls, note in _BLOCKS:
        if block_version == version and first <= value <= last:
            return cls, note
    return "global", None


_Table = tuple[tuple[int, ...], tuple[tuple[str, str | None], ...]]


def _table(version: int) -> _Table:
    """A version's blocks cut into ranges that no block boundary splits, each with what
    :func:`_classify_int` says of its first address: every address of a range falls in
    the same blocks, so that answer holds for the whole range. A bisect over the starts
    replaces the walk over every block (``tests/test_addresses.py`` checks both agree at
    every boundary)."""
    cuts = {0}
    for block_version, first, last, _cls, _note in _BLOCKS:
        if block_version == version:
            cuts.update((first, last + 1))
    size = 1 << (32 if version == 4 else 128)
    starts = tuple(sorted(cut for cut in cuts if cut < size))
    return starts, tuple(_classify_int(version, start) for start in starts)


_TABLES: Final = {4: _table(4), 6: _table(6)}


def _class_of(version: int, value: int) -> tuple[str, str | None]:
    starts, classes = _TABLES[version]
    return classes[bisect_right(starts, value) - 1]


@lru_cache(maxsize=16384)
def ip_facts(ip: str | None) -> tuple[str, str, str | None] | None:
    """(:func:`normalise_ip`, :func:`classify_ip`, :func:`ip_note`) of an address, or
    ``None`` when ``ip`` is not one: what offline attribution reads of every client and
    server address, from one cache entry and one reading of the text."""
    canonical = normalise_ip(ip)
    if canonical is None:
        return None
    if ":" not in canonical:
        cls, note = _class_of(4, _ipv4_int(canonical))
    else:
        cls, note = _class_of(6, _ipv6_int(canonical))
    return canonical, cls, note


def classify_ip(ip: str | None) -> str:
    """The class of an address: ``private``, ``loopback``, ``link-local``, ``shared``
    (100.64/10), ``documentation``, ``reserved``, ``multicast``, ``unspecified``, ``global``,
    or ``invalid`` when the text is not an address. IPv4-mapped IPv6 is unwrapped first."""
    found = ip_facts(ip)
    return "invalid" if found is None else found[1]


def ip_note(ip: str | None) -> str | None:
    """The special-purpose block an address belongs to, in words, or ``None`` for a global
    (or invalid) address."""
    found = ip_facts(ip)
    return None if found is None else found[2]


def is_loopback(ip: str) -> bool:
    """127.0.0.0/8 or ::1 (normalised addresses): the same machine."""
    return ip.startswith("127.") or ip == "::1"


@lru_cache(maxsize=4096)
def is_internal(ip: str) -> bool:
    """True for addresses that cannot identify a sender on the public internet.

    RFC 1918, loopback, link-local, shared (RFC 6598), unique-local IPv6 and unspecified.
    Documentation ranges (RFC 5737, RFC 3849) are *not* internal: they stand for public
    addresses in examples, and a header that uses one is treated like any outside client.
    ``ip`` must be a normalised address (``ValueError`` otherwise).
    """
    # A dotted quad is exactly what ``IPv4Address`` accepts of a text of digits and
    # dots: its integer is looked up directly (``tests/test_addresses.py`` proves it).
    if _DOTTED_QUAD.fullmatch(ip) is not None:
        starts, internal = _INTERNAL_TABLE
        return internal[bisect_right(starts, _ipv4_int(ip)) - 1]
    return _is_internal_general(ip)


def _is_internal_general(ip: str) -> bool:
    """:func:`is_internal` through ``ipaddress``: any address text, and the reference for
    the direct reading of dotted quads."""
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


def _internal_table() -> tuple[tuple[int, ...], tuple[bool, ...]]:
    """The IPv4 space cut at every internal network's bounds, each range with whether
    its first address (and so every address of it) is internal."""
    bounds = [(int(n.network_address), int(n.broadcast_address)) for n in _INTERNAL_V4]
    cuts = {0} | {first for first, _ in bounds} | {last + 1 for _, last in bounds}
    starts = tuple(sorted(cut for cut in cuts if cut < 1 << 32))
    inside = tuple(any(first <= start <= last for first, last in bounds) for start in starts)
    return starts, inside


_INTERNAL_TABLE: Final = _internal_table()


# --- names --------------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def normalise_host(host: str | None) -> str | None:
    """Lower-case, strip one trailing dot and brackets; ``None`` for empty input."""
    if host is None:
        return None
    value = host.strip().rstrip(".").lower()
    return value or None


def to_ascii(host: str) -> str:
    """The IDNA (punycode) form of a host name, label by label; labels that cannot be
    encoded are kept as they are."""
    labels = []
    for label in host.split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            labels.append(label.encode("idna").decode("ascii"))
        except UnicodeError:
            labels.append(label)
    return ".".join(labels)


@lru_cache(maxsize=16384)
def registered_domain(host: str | None, *, include_private: bool = False) -> str | None:
    """The registered domain (public suffix plus one label) of a host name, in ASCII.

    ``mail.example.co.uk`` gives ``example.co.uk``; ``пример.рф`` gives
    ``xn--e1afmkfd.xn--p1ai``. Address literals, bare names (``localhost``), names under no
    known suffix (``host.local``) and names that are themselves a suffix give ``None``. With
    ``include_private`` the private section of the list counts too
    (``foo.blogspot.com`` instead of ``blogspot.com``).
    """
    value = normalise_host(host)
    if value is None or "." not in value:
        return None
    if len(value) <= 253 and _PLAIN_NAME.fullmatch(value) is not None and "xn--" not in value:
        return _plain_registered(value, include_private=include_private)
    return _registered_general(value, include_private=include_private)


_PLAIN_NAME: Final = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)+")
"""A lower-case ASCII name of non-empty labels, the shape of nearly every name in headers:
nothing in it for the URL reading, the label decoding or the IDNA encoding to change.
Tried only on names DNS allows (253 characters): a long text costs the pattern more than
the general reading."""


def _plain_registered(value: str, *, include_private: bool) -> str | None:
    """:func:`registered_domain` of a name :data:`_PLAIN_NAME` matches (without
    ``xn--``): its labels are their own decoded and encoded forms, and the only address
    it can spell is a dotted quad, so the answer is its last labels from the suffix's
    own label back. ``tests/test_addresses.py`` proves it equal to the general path."""
    # Only a name ending in a digit can be a dotted quad: most end in a letter.
    if value[-1].isdigit() and _DOTTED_QUAD.fullmatch(value) is not None:
        return None
    labels = value.split(".")
    try:
        start = _suffix_start(labels, _trie(include_private), plain=True)
    except OSError:  # pragma: no cover - a tldextract release that moved its snapshot
        return _by_tldextract(value, include_private=include_private)
    if not start:  # no suffix, or the name is one
        return None
    return ".".join(labels[start - 1 :])


def _registered_general(value: str, *, include_private: bool) -> str | None:
    """:func:`registered_domain` of a normalised name with a dot, for any name."""
    if normalise_ip(value) is not None:
        return None
    if value.startswith("[") or any(c in value for c in " /@:[]"):
        return None
    try:
        found = _public_suffix(value, include_private=include_private)
    except OSError:  # pragma: no cover - a tldextract release that moved its snapshot
        return _by_tldextract(value, include_private=include_private)
    if found is None:
        return None
    domain, suffix = found
    return to_ascii(f"{domain}.{suffix}")


def _by_tldextract(value: str, *, include_private: bool) -> str | None:  # pragma: no cover
    """tldextract itself, offline, when its bundled list is not where it has been: slower
    to import (it loads ``requests``), the same answers."""
    import tldextract  # noqa: PLC0415 - only when the snapshot file cannot be read

    extract = tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=include_private
    )
    parts = extract(value)
    if not parts.suffix or not parts.domain:
        return None
    return to_ascii(f"{parts.domain}.{parts.suffix}")


# --- the public suffix list ----------------------------------------------------------------
#
# What tldextract does with its bundled snapshot (``suffix_list.extract_tlds_from_suffix_list``,
# ``Trie`` and ``_PublicSuffixListTLDExtractor.suffix_index``), without importing it:
# tldextract's package imports ``requests``, and with it ``ssl`` and ``urllib.request``.
# ``tests/test_addresses.py`` checks that both give the same answers.

_PSL_RULE: Final = re.compile(r"^(?P<suffix>[.*!]*\w[\S]*)", re.UNICODE | re.MULTILINE)
_PSL_PRIVATE: Final = "// ===BEGIN PRIVATE DOMAINS==="
_IDEOGRAPHIC_DOTS: Final = "\u3002\uff0e\uff61"


class _Node:
    """One label of the suffix trie (labels in reverse order)."""

    __slots__ = ("end", "matches")

    def __init__(self) -> None:
        self.matches: dict[str, _Node] = {}
        self.end = False

    def add(self, suffix: str) -> None:
        node = self
        for label in reversed(suffix.split(".")):
            node = node.matches.setdefault(label, _Node())
        node.end = True


_tries: dict[bool, _Node] = {}
_tries_lock = threading.Lock()


def _snapshot() -> str:
    """The text of tldextract's bundled list, found without importing the package."""
    spec = importlib.util.find_spec("tldextract")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        raise RuntimeError("tldextract is not installed: its public suffix list is needed")
    return Path(spec.origin).with_name(".tld_set_snapshot").read_text(encoding="utf-8")


def _trie(include_private: bool) -> _Node:
    """The suffix trie, with or without the private section, built once."""
    trie = _tries.get(include_private)
    if trie is None:
        with _tries_lock:
            if not _tries:
                public_text, _, private_text = _snapshot().partition(_PSL_PRIVATE)
                public = [m.group("suffix") for m in _PSL_RULE.finditer(public_text)]
                private = [m.group("suffix") for m in _PSL_RULE.finditer(private_text)]
                excluding, including = _Node(), _Node()
                for suffix in public:
                    excluding.add(suffix)
                    including.add(suffix)
                for suffix in private:
                    including.add(suffix)
                _tries[False], _tries[True] = excluding, including
            trie = _tries[include_private]
    return trie


def _decode_label(label: str) -> str:
    lowered = label.lower()
    if lowered.startswith("xn--"):
        import idna  # noqa: PLC0415 - only for punycode labels

        try:
            return str(idna.decode(lowered))
        except (UnicodeError, IndexError):
            pass
    return lowered


def _suffix_start(labels: list[str], trie: _Node, *, plain: bool = False) -> int | None:
    """The index of the first label of the public suffix, or ``None`` for none. ``plain``
    labels are lower-case ASCII without ``xn--``: their own decoded form."""
    node = trie
    start = at = len(labels)
    # Decoded lazily, as tldextract does: labels left of the first miss are never read.
    decoded_labels = reversed(labels) if plain else map(_decode_label, reversed(labels))
    for decoded in decoded_labels:
        if decoded in node.matches:
            at -= 1
            node = node.matches[decoded]
            if node.end:
                start = at
            continue
        if "*" in node.matches:
            return at if "!" + decoded in node.matches else at - 1
        break
    return None if start == len(labels) else start


def _public_suffix(host: str, *, include_private: bool) -> tuple[str, str] | None:
    """(domain label, public suffix) of a host name, read as tldextract reads a URL."""
    netloc = host.partition("/")[0].partition("?")[0].partition("#")[0]
    netloc = netloc.rpartition("@")[-1].partition(":")[0].strip().rstrip("." + _IDEOGRAPHIC_DOTS)
    for dot in _IDEOGRAPHIC_DOTS:
        netloc = netloc.replace(dot, ".")
    labels = netloc.split(".")
    start = _suffix_start(labels, _trie(include_private))
    if start is None:
        return None
    domain = labels[start - 1] if start > 0 else ""
    suffix = ".".join(labels[start:])
    if not suffix or not domain:
        return None
    return domain, suffix


# --- HELO and reverse-DNS names -----------------------------------------------------------

_LOCALHOST_NAMES: Final = frozenset({"localhost", "localhost.localdomain", "localhost6"})
_DYNAMIC_WORDS: Final = re.compile(
    r"(?:^|[.\-_\d])(?:dyn|dynamic|dhcp|pool|dial(?:up)?|ppp|dsl|adsl|vdsl|cable|broadband|"
    r"cust(?:omer)?|client|residential|cpe)(?=[.\-_\d]|$)"
)


@lru_cache(maxsize=16384)
def helo_kind(helo: str | None) -> str | None:
    """The shape of a HELO argument: ``literal``, ``localhost``, ``bare``, ``fqdn`` or
    ``None``."""
    value = normalise_host(helo)
    if value is None:
        return None
    if normalise_ip(value) is not None:  # an address: only then is one built
        address = parse_ip(value)
        return "localhost" if address is not None and address.is_loopback else "literal"
    if value in _LOCALHOST_NAMES or value.startswith("localhost."):
        return "localhost"
    if "." not in value:
        return "bare"
    return "fqdn"


_SEPARATORS: Final = frozenset(".-_x")


def _spells_at(name: str, at: int, octets: Sequence[str], k: int) -> bool:
    """Whether ``octets[k:]`` are written at ``name[at:]``: each octet with up to two leading
    zeros, one optional separator between octets, and no digit after the last."""
    octet = octets[k]
    for pad in range(3):
        if pad and name[at + pad - 1 : at + pad] != "0":
            break
        end = at + pad + len(octet)
        if name[at + pad : end] != octet:
            continue
        if k == 3:
            if not name[end : end + 1].isdigit():
                return True
            continue
        if _spells_at(name, end, octets, k + 1):
            return True
        if name[end : end + 1] in _SEPARATORS and _spells_at(name, end + 1, octets, k + 1):
            return True
    return False


def _spells_ipv4(name: str, canonical: str) -> bool:
    """``203-0-113-5``, ``5.113.0.203``, ``ip203000113005``, ``cb007105`` (hex) in ``name``,
    not inside a longer run of digits (``canonical``: an IPv4 text as :func:`normalise_ip`
    writes it). Plain string work, no pattern compiled per address (compiling one per
    unique address once cost more than the rest of a trace)."""
    forward = canonical.split(".")
    hexed = f"{_ipv4_int(canonical):08x}"
    at = name.find(hexed)
    while at >= 0:
        if not name[at - 1 : at].isdigit() and not name[at + 8 : at + 9].isdigit():
            return True
        at = name.find(hexed, at + 1)
    # Either spelling writes every octet's digits: a name without one of them (nearly
    # every name of a fixed server) is not walked character by character.
    if not all(octet in name for octet in forward):
        return False
    for start, char in enumerate(name):
        if not char.isdigit() or name[start - 1 : start].isdigit():
            continue  # an octet starts a run of digits
        if _spells_at(name, start, forward, 0) or _spells_at(name, start, forward[::-1], 0):
            return True
    return False


def rdns_embeds_address(rdns: str | None, ip: str | None) -> bool:
    """True when a reverse-DNS name spells out the address it belongs to, as dynamic and
    residential pools do (``203-0-113-5.pool.example.net``, ``cb007105.example.net``,
    ``5.113.0.203.dsl.example.net``). IPv6 addresses are matched on their hex groups."""
    if not rdns or not ip:  # most clients have no rDNS: no cache entry for them
        return False
    return _rdns_embeds_address(rdns, ip)


@lru_cache(maxsize=16384)
def _rdns_embeds_address(rdns: str, ip: str) -> bool:
    name = normalise_host(rdns)
    if name is None:
        return False
    # From the canonical text: no address object is built for it.
    canonical = normalise_ip(ip)
    if canonical is None:
        return False
    if ":" not in canonical:
        return _spells_ipv4(name, canonical)
    # The last four hextets as ``exploded`` writes them (zero-padded), without colons.
    compact = f"{_ipv6_int(canonical):032x}"[16:]
    flat = name.replace(".", "").replace("-", "").replace("_", "")
    return compact in flat


@lru_cache(maxsize=16384)
def rdns_has_dynamic_word(rdns: str | None) -> bool:
    """The name carries a pool keyword (``dyn``, ``dhcp``, ``pool``, ``dsl``, ...)."""
    name = normalise_host(rdns)
    return bool(name and _DYNAMIC_WORDS.search(name))
