"""The organisation the trace is judged for: its domains, servers, networks and relays.

The TOML format is part of the contract (see ``docs/verdicts.md``)::

    name = "Example Corp"
    domains = ["example.com"]
    servers = ["exchange.example.com", "*.mx.example.com"]
    networks = ["203.0.113.0/24", "10.0.0.0/8", "2001:db8::/32"]
    submission_networks = []
    relays = []

A domain matches itself and its subdomains; a server name under one of our domains is one
of our servers. Every mistake raises :class:`~headertrace.errors.ConfigurationError`
naming the key and the value.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any

from headertrace.addresses import normalise_ip
from headertrace.errors import ConfigurationError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

KEYS = ("name", "domains", "servers", "networks", "submission_networks", "relays")


def _clean_name(name: str) -> str:
    return name.strip().rstrip(".").lower()


@dataclass(frozen=True, slots=True)
class Organisation:
    """Who "we" are when a trace is judged: the complainant's view is the other side."""

    name: str | None = None
    domains: tuple[str, ...] = ()
    servers: tuple[str, ...] = ()
    """Glob patterns (``fnmatch``), lower case."""
    networks: tuple[IPNetwork, ...] = ()
    submission_networks: tuple[IPNetwork, ...] = ()
    relay_names: tuple[str, ...] = ()
    """Third-party relays (smarthost, filtering service) by name: glob patterns."""
    relay_networks: tuple[IPNetwork, ...] = ()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> Organisation:
        """Read an organisation TOML file."""
        p = Path(path)
        try:
            text = p.read_bytes()
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read organisation file {p}: {exc.strerror or exc}", key=None, value=str(p)
            ) from exc
        try:
            data = tomllib.loads(text.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigurationError(
                f"organisation file {p} is not valid TOML: {exc}", key=None, value=str(p)
            ) from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Organisation:
        """Build from the parsed TOML (or any mapping with the same keys)."""
        if not isinstance(data, Mapping):
            raise ConfigurationError("the organisation must be a table", value=data)
        for key in data:
            if key not in KEYS:
                raise ConfigurationError(
                    f"unknown organisation key {key!r} (known: {', '.join(KEYS)})",
                    key=str(key),
                    value=data[key],
                )
        name = data.get("name")
        if name is not None and not isinstance(name, str):
            raise ConfigurationError(
                f"'name' must be a string, not {name!r}", key="name", value=name
            )
        domains = tuple(_domain(v) for v in _strings(data, "domains"))
        servers = tuple(_glob("servers", v) for v in _strings(data, "servers"))
        networks = tuple(_network("networks", v) for v in _strings(data, "networks"))
        submission = tuple(
            _network("submission_networks", v) for v in _strings(data, "submission_networks")
        )
        relay_names: list[str] = []
        relay_networks: list[IPNetwork] = []
        for v in _strings(data, "relays"):
            if _looks_like_address(v):
                relay_networks.append(_network("relays", v))
            else:
                relay_names.append(_glob("relays", v))
        return cls(
            name=name,
            domains=domains,
            servers=servers,
            networks=networks,
            submission_networks=submission,
            relay_names=tuple(relay_names),
            relay_networks=tuple(relay_networks),
        )

    @classmethod
    def from_options(
        cls,
        *,
        domains: Iterable[str] = (),
        servers: Iterable[str] = (),
        networks: Iterable[str] = (),
        relays: Iterable[str] = (),
        name: str | None = None,
    ) -> Organisation:
        """Build from command-line shorthands (``--our-domain`` and friends)."""
        data: dict[str, Any] = {
            "domains": list(domains),
            "servers": list(servers),
            "networks": list(networks),
            "relays": list(relays),
        }
        if name is not None:
            data["name"] = name
        return cls.from_dict(data)

    # -- questions ----------------------------------------------------------------------

    @property
    def label(self) -> str:
        """How the organisation is called in summaries."""
        if self.name:
            return self.name
        if self.domains:
            return self.domains[0]
        return "the organisation"

    def is_our_domain(self, addr_or_domain: str | None) -> bool:
        """True for one of our domains, a subdomain of one, or an address at one."""
        return _our_domain(addr_or_domain, self.domains)

    def is_our_server(self, host: str | None) -> bool:
        """True for a name matching ``servers`` or under one of our domains."""
        # The custody walk asks about the same few names some twenty times a message.
        try:
            return _our_server(host, self.servers, self.domains)
        except TypeError:  # lists where tuples are declared: unhashable, so not remembered
            return _our_server.__wrapped__(host, self.servers, self.domains)

    def is_configured_server(self, host: str | None) -> bool:
        """True for a name matching ``servers``: one the administrator listed, not merely a
        name under one of our domains (any machine of ours may take such a name)."""
        return _configured_server(host, self.servers)

    def is_our_address(self, ip: str | None) -> bool:
        """True for an address in ``networks`` or ``submission_networks``."""
        addr = _address(ip)
        if addr is None:
            return False
        version = addr.version  # a property: once, not once a network
        for networks in (self.networks, self.submission_networks):
            for net in networks:
                if net.version == version and addr in net:
                    return True
        return False

    def is_submission_address(self, ip: str | None) -> bool:
        addr = _address(ip)
        return addr is not None and any(
            addr.version == net.version and addr in net for net in self.submission_networks
        )

    def is_relay(self, host_or_ip: str | None) -> bool:
        """True for a third-party relay we listed (by name glob or by address)."""
        if not host_or_ip:
            return False
        addr = _address(host_or_ip)
        if addr is not None:
            return any(addr.version == n.version and addr in n for n in self.relay_networks)
        h = _clean_name(host_or_ip)
        return any(fnmatchcase(h, pattern) for pattern in self.relay_names)

    @property
    def is_empty(self) -> bool:
        return not (self.domains or self.servers or self.networks or self.submission_networks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "domains": list(self.domains),
            "servers": list(self.servers),
            "networks": [str(n) for n in self.networks],
            "submission_networks": [str(n) for n in self.submission_networks],
            "relays": list(self.relay_names) + [str(n) for n in self.relay_networks],
        }


def _our_domain(addr_or_domain: str | None, domains: tuple[str, ...]) -> bool:
    if not addr_or_domain:
        return False
    text = addr_or_domain.strip().strip("<>").strip()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    d = _clean_name(text)
    return any(d == ours or d.endswith("." + ours) for ours in domains)


def _configured_server(host: str | None, servers: tuple[str, ...]) -> bool:
    h = _clean_name(host or "")
    if not h or h.startswith("["):
        return False
    return any(fnmatchcase(h, pattern) for pattern in servers)


@lru_cache(maxsize=4096)
def _our_server(host: str | None, servers: tuple[str, ...], domains: tuple[str, ...]) -> bool:
    """:meth:`Organisation.is_our_server`, remembered by name and organisation (bounded:
    the key holds the two tuples it reads, not the organisation, whose networks hash
    slowly)."""
    if _configured_server(host, servers):
        return True
    h = _clean_name(host or "")
    return "." in h and not h.startswith("[") and _our_domain(h, domains)


@lru_cache(maxsize=4096)
def _address(ip: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``ip`` read as an address. Cached (addresses are immutable): the custody walk asks
    about each hop's addresses several times, and ``ip_address`` costs more than the test."""
    if not ip:
        return None
    norm = normalise_ip(ip)
    if norm is None:
        return None
    return ipaddress.ip_address(norm)


def _strings(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ConfigurationError(
            f"{key!r} must be a list of strings, not {value!r}", key=key, value=value
        )
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ConfigurationError(
                f"{key!r} must hold non-empty strings; {item!r} is not one", key=key, value=item
            )
        out.append(item.strip())
    return out


def _domain(value: str) -> str:
    d = _clean_name(value.lstrip("@").removeprefix("*."))
    if not d or any(c in d for c in " /@[]*?") or d.startswith("."):
        raise ConfigurationError(
            f"'domains' holds {value!r}, which is not a domain name", key="domains", value=value
        )
    return d


def _glob(key: str, value: str) -> str:
    g = _clean_name(value)
    if not g or any(c in g for c in " /@"):
        raise ConfigurationError(
            f"{key!r} holds {value!r}, which is not a host name or glob", key=key, value=value
        )
    return g


def _looks_like_address(value: str) -> bool:
    head = value.split("/", 1)[0].strip("[]")
    return (
        normalise_ip(head) is not None
        or ("/" in value and ":" in head)
        or ("/" in value and head.replace(".", "").isdigit())
    )


def _network(key: str, value: str) -> IPNetwork:
    text = value.strip()
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise ConfigurationError(
            f"{key!r} holds {value!r}, which is not an address or CIDR network: {exc}",
            key=key,
            value=value,
        ) from exc
