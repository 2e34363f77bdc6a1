"""How online lookups are done: resolver, RDAP endpoint, zones, time limits, cache."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from headertrace.addresses import parse_ip
from headertrace.enrich.dnsbl import DEFAULT_ZONE_NAMES
from headertrace.errors import ConfigurationError

DEFAULT_RDAP_URL: Final = "https://rdap.org"
"""The bootstrap redirector: ``/ip/ADDRESS`` is redirected to the registry that holds it."""
DEFAULT_TIMEOUT: Final = 2.0
DEFAULT_BUDGET: Final = 10.0
DEFAULT_CONCURRENCY: Final = 8
DEFAULT_CACHE_TTL: Final = 24 * 3600.0
DEFAULT_BLOCKLIST_TTL: Final = 3600.0


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/headertrace/cache.sqlite3``, else ``~/.cache/headertrace/...``."""
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "headertrace" / "cache.sqlite3"


def parse_nameserver(text: str) -> tuple[str, int]:
    """``HOST[:PORT]`` -> (host, port). IPv6 with a port is written ``[::1]:5353``; a bare
    IPv6 address (``::1``) takes port 53."""
    value = text.strip()
    if not value:
        raise ConfigurationError("empty nameserver", key="nameserver", value=text)
    host, port_text = value, ""
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            raise ConfigurationError(f"bad nameserver {text!r}", key="nameserver", value=text)
        host, rest = value[1:end], value[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ConfigurationError(f"bad nameserver {text!r}", key="nameserver", value=text)
            port_text = rest[1:]
    elif value.count(":") == 1:
        host, port_text = value.split(":")
    port = 53
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigurationError(
                f"bad nameserver port in {text!r}", key="nameserver", value=text
            )
        port = int(port_text)
    if not host:
        raise ConfigurationError(f"bad nameserver {text!r}", key="nameserver", value=text)
    return host, port


@dataclass(frozen=True, slots=True)
class LookupConfig:
    """Everything an online lookup needs; the defaults suit a user at a terminal.

    ``nameservers`` empty means the system resolver configuration (``/etc/resolv.conf``).
    Blocklists such as Spamhaus refuse queries that come through public resolvers, so point
    ``nameservers`` at your own recursive resolver for ``blocklists``.
    """

    nameservers: tuple[tuple[str, int], ...] = ()
    rdap_url: str = DEFAULT_RDAP_URL
    zones: tuple[str, ...] = DEFAULT_ZONE_NAMES
    timeout: float = DEFAULT_TIMEOUT
    """Per query (one DNS question, one HTTP request), in seconds."""
    budget: float = DEFAULT_BUDGET
    """For a whole lookup (``lookup_ip``, ``blocklists``, ``enrich_trace``), in seconds."""
    concurrency: int = DEFAULT_CONCURRENCY
    cache_path: Path | None = None
    """``None``: :func:`default_cache_path`."""
    use_cache: bool = True
    cache_ttl: float = DEFAULT_CACHE_TTL
    blocklist_ttl: float = DEFAULT_BLOCKLIST_TTL
    second_step: bool = True
    """When RDAP gives no abuse contact, or only the registry's own, ask the national
    registry (JPNIC, KRNIC) or the regional registry's whois, read with ipwhois."""
    nir_urls: tuple[tuple[str, str], ...] = ()
    """``(("jpnic", "http://127.0.0.1:8080"), ...)``: where each national registry's web
    whois is asked (the path ipwhois builds is kept); default: the registries' own sites."""
    whois_server: tuple[str, int] | None = None
    """One whois server (host, port) for every registry; default: each registry's own
    (``whois.ripe.net:43``, ...)."""
    include_private_suffixes: bool = False
    user_agent: str = field(default="headertrace (+https://pypi.org/project/headertrace/)")

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ConfigurationError("timeout must be positive", key="timeout", value=self.timeout)
        if self.budget <= 0:
            raise ConfigurationError("budget must be positive", key="budget", value=self.budget)
        if self.concurrency < 1:
            raise ConfigurationError(
                "concurrency must be at least 1", key="concurrency", value=self.concurrency
            )
        for host, port in self.nameservers:
            if parse_ip(host) is None:
                raise ConfigurationError(
                    f"nameserver {host!r} is not an IP address", key="nameserver", value=host
                )
            if not 0 < port < 65536:
                raise ConfigurationError("bad nameserver port", key="nameserver", value=port)
        for nir, url in self.nir_urls:
            if not url.startswith(("http://", "https://")):
                raise ConfigurationError(
                    f"the {nir} URL must be http:// or https://", key="nir_url", value=url
                )
        if self.whois_server is not None and not 0 < self.whois_server[1] < 65536:
            raise ConfigurationError(
                "bad whois server port", key="whois_server", value=self.whois_server
            )
        if not self.rdap_url.startswith(("http://", "https://")):
            raise ConfigurationError(
                "the RDAP URL must be http:// or https://", key="rdap_url", value=self.rdap_url
            )

    @property
    def resolved_cache_path(self) -> Path:
        return self.cache_path if self.cache_path is not None else default_cache_path()
