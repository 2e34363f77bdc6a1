"""The second step after RDAP: national registries and legacy whois, parsed by ipwhois.

RDAP at a regional registry often stops at a national registry (JPNIC, KRNIC) or gives only
the registry's own mailbox. :func:`second_step` then asks where ipwhois knows to ask:

* ``nir:jpnic`` / ``nir:krnic`` -- the national registry's web whois, read with
  :class:`ipwhois.nir.NIRWhois` (network page, then JPNIC's contact pages);
* ``whois:<registry>`` -- the regional registry's port-43 whois, read with
  :class:`ipwhois.whois.Whois`.

ipwhois decides what to ask and parses the answers; headertrace does every fetch itself
through :class:`_Transport`, a :class:`ipwhois.net.Net` whose two fetch methods are replaced:
requests go to the configured endpoints (``LookupConfig.nir_urls``, ``whois_server``; a
registry's own whois host is resolved through the configured resolver first), each under the
per-query timeout and all under the lookup's deadline, with no retry and no wait.
A rate-limit answer (HTTP 429, "Query rate limit exceeded", RIPE's ``%ERROR:201``) is recorded
as ``rate-limited`` at once, where ipwhois itself would sleep and retry.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ipwhois.net import Net
from ipwhois.nir import NIR_WHOIS, NIRWhois
from ipwhois.whois import RIR_WHOIS, Whois

from headertrace.enrich.rdap import MAX_BYTES, RdapError, read_limited
from headertrace.enrich.records import LookupIssue

REGISTRY_DOMAINS: Final = {
    "arin.net": "arin",
    "ripe.net": "ripencc",
    "apnic.net": "apnic",
    "lacnic.net": "lacnic",
    "afrinic.net": "afrinic",
    "nic.ad.jp": "jpnic",
    "nic.or.kr": "krnic",
    "kisa.or.kr": "krnic",
    "twnic.net.tw": "twnic",
    "cnnic.cn": "cnnic",
}
"""Mail domains of the registries themselves: an abuse address there is not the ISP's."""

NIR_MARKERS: Final = {"jpnic": ("JPNIC", "nic.ad.jp"), "krnic": ("KRNIC", "KISA", "nic.or.kr")}
"""Words in an RDAP answer (network name, handle, registrant, abuse address) that say the
address is managed by a national registry ipwhois can read."""

DEFAULT_NIR_URLS: Final = {
    nir: "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(str(spec["url"])))
    for nir, spec in NIR_WHOIS.items()
}
"""The origin of each national registry's whois page, from ipwhois' table."""

WHOIS_PORT: Final = 43


@dataclass(frozen=True, slots=True)
class SecondStep:
    """What the second step found: the contact, and which source gave it."""

    source: str
    """``nir:jpnic``, ``nir:krnic``, ``whois:ripencc``, ..."""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    network: str | None = None
    """The network name or organisation the source gave."""

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "emails": list(self.emails),
            "phones": list(self.phones),
            "network": self.network,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SecondStep:
        return cls(
            source=str(data["source"]),
            emails=tuple(str(e) for e in data.get("emails", ())),
            phones=tuple(str(p) for p in data.get("phones", ())),
            network=data.get("network"),
        )


class StepFailed(Exception):
    """A fetch or a parse of the second step failed; ``issue`` says how."""

    def __init__(self, issue: LookupIssue) -> None:
        super().__init__(issue.detail)
        self.issue = issue


def whois_host(registry: str) -> str | None:
    """The registry's port-43 whois server, from ipwhois' table (``whois.ripe.net``)."""
    spec = RIR_WHOIS.get(registry)
    return str(spec["server"]) if spec else None


def registry_of(email: str) -> str | None:
    """The registry whose own mailbox this is (``hostmaster@nic.ad.jp`` -> ``jpnic``)."""
    domain = email.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    for suffix, registry in REGISTRY_DOMAINS.items():
        if domain == suffix or domain.endswith("." + suffix):
            return registry
    return None


def plan(
    abuse_emails: tuple[str, ...], words: tuple[str | None, ...], registry: str | None
) -> str | None:
    """Which second step to take, or ``None`` when RDAP already gave the ISP's contact.

    ``words`` are the RDAP network name, handle and registrant; ``registry`` is Team Cymru's
    (``arin``, ``ripencc``, ...). Returns ``nir:jpnic``, ``nir:krnic`` or ``whois:REGISTRY``.
    """
    own = [e for e in abuse_emails if registry_of(e) is None]
    if own:
        return None
    text = " ".join(w for w in (*words, *abuse_emails) if w).lower()
    for nir, markers in NIR_MARKERS.items():
        if any(m.lower() in text for m in markers):
            return f"nir:{nir}"
    if registry in RIR_WHOIS:
        return f"whois:{registry}"
    return None


class _Transport(Net):  # type: ignore[misc]  # ipwhois is untyped
    """An :class:`ipwhois.net.Net` that fetches through headertrace's endpoints and limits.

    ``Net.__init__`` is not called: it builds a resolver from the system configuration and
    refuses special-purpose addresses, and nothing here may resolve anything on its own."""

    def __init__(
        self,
        address: str,
        *,
        step: str,
        timeout: float,
        deadline: float,
        user_agent: str,
        nir_base: str | None = None,
        whois_server: tuple[str, int] | None = None,
    ) -> None:
        self.address = ipaddress.ip_address(address)
        self.address_str = str(self.address)
        self.version = self.address.version
        self.timeout = timeout
        self.step = step
        self.deadline = deadline
        self.user_agent = user_agent
        self.nir_base = nir_base
        self.whois_server = whois_server
        self.requests: list[str] = []

    def _limit(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining < 0.01:
            raise StepFailed(LookupIssue(self.step, "budget", "time budget spent"))
        return min(self.timeout, remaining)

    def _fail(self, status: str, detail: str) -> StepFailed:
        return StepFailed(LookupIssue(self.step, status, detail))

    def get_http_raw(
        self,
        url: str | None = None,
        retry_count: int = 0,
        headers: Mapping[str, str] | None = None,
        request_type: str = "GET",
        form_data: Mapping[str, str] | None = None,
    ) -> str:
        """One request to the configured NIR endpoint (the path and query ipwhois built)."""
        del retry_count  # never retried: the budget decides
        parts = urllib.parse.urlsplit(url or "")
        target = (self.nir_base or f"{parts.scheme}://{parts.netloc}").rstrip("/") + parts.path
        if parts.query:
            target += "?" + parts.query
        data = urllib.parse.urlencode(form_data).encode("ascii") if form_data else None
        request = urllib.request.Request(
            target,
            data=data,
            headers={**(headers or {}), "User-Agent": self.user_agent},
            method=request_type,
        )
        self.requests.append(target)
        timeout = self._limit()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = read_limited(response, self.deadline, target)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 429:
                retry = exc.headers.get("Retry-After") if exc.headers else None
                hint = f" (Retry-After: {retry}; not waited for)" if retry else ""
                raise self._fail("rate-limited", f"HTTP 429 from {target}{hint}") from exc
            raise self._fail("http-error", f"HTTP {exc.code} from {target}") from exc
        except RdapError as exc:
            raise self._fail(exc.issue.status, exc.issue.detail) from exc
        except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
                raise self._fail("timeout", f"no answer from {target}") from exc
            raise self._fail("unreachable", f"{target}: {reason}") from exc
        return body.decode("utf-8", "replace")

    def get_whois(  # noqa: PLR0917 - the signature of ipwhois.net.Net.get_whois
        self,
        asn_registry: str = "arin",
        retry_count: int = 0,
        server: str | None = None,
        port: int = WHOIS_PORT,
        extra_blacklist: Any = None,
        get_recursive: bool = True,
    ) -> str:
        """One port-43 query to the configured server (else the registry's own)."""
        del retry_count, extra_blacklist, get_recursive
        del server, port  # the caller resolved the server through headertrace's resolver
        if self.whois_server is None:
            raise self._fail("error", f"no whois server for {asn_registry}")
        host, port = self.whois_server
        query = f"n + {self.address_str}" if asn_registry == "arin" else self.address_str
        where = f"{host}:{port}"
        self.requests.append(where)
        chunks: list[bytes] = []
        size = 0
        try:
            with socket.create_connection((host, port), timeout=self._limit()) as conn:
                conn.sendall(query.encode("ascii") + b"\r\n")
                while True:
                    conn.settimeout(self._limit())
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise self._fail("malformed", f"answer from {where} is too large")
        except TimeoutError as exc:
            raise self._fail("timeout", f"no answer from {where}") from exc
        except OSError as exc:
            raise self._fail("unreachable", f"{where}: {exc}") from exc
        text = b"".join(chunks).decode("utf-8", "replace")
        if "query rate limit exceeded" in text.lower() or "%ERROR:201" in text:
            first = next((line for line in text.splitlines() if line.strip()), "")
            raise self._fail("rate-limited", f"{where}: {first.strip()[:200]} (not waited for)")
        return text


def _split(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.splitlines() if v.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return []


def _add(out: list[str], values: list[str]) -> None:
    out.extend(v for v in values if v not in out)


def _from_nir(nir: str, result: Mapping[str, Any]) -> SecondStep:
    emails: list[str] = []
    phones: list[str] = []
    network = None
    for net in result.get("nets") or []:
        if not isinstance(net, Mapping):
            continue
        network = network or net.get("name") or net.get("handle")
        contacts = net.get("contacts") or {}
        # JPNIC and KRNIC record no abuse role. JPNIC: the technical contact runs the
        # network, the administrative one next. KRNIC: ipwhois files the ISP's contact as
        # "admin" and the user organisation's as "tech"; the ISP's comes first
        for role in ("admin", "tech") if nir == "krnic" else ("tech", "admin"):
            contact = contacts.get(role) if isinstance(contacts, Mapping) else None
            if isinstance(contact, Mapping):
                _add(emails, _split(contact.get("email")) + _split(contact.get("reply_email")))
                _add(phones, _split(contact.get("phone")))
    emails = [e for e in emails if "@" in e and registry_of(e) is None]
    return SecondStep(f"nir:{nir}", tuple(emails), tuple(phones), network)


def _from_whois(registry: str, result: Mapping[str, Any]) -> SecondStep:
    emails: list[str] = []
    network = None
    # the most specific network comes last in a RIR whois answer
    for net in reversed(result.get("nets") or []):
        if not isinstance(net, Mapping):
            continue
        found = [e for e in _split(net.get("emails")) if registry_of(e) is None]
        if found:
            abuse = [e for e in found if "abuse" in e.lower()]
            _add(emails, abuse or found)
            network = net.get("name") or net.get("description")
            break
    return SecondStep(f"whois:{registry}", tuple(emails), (), network)


def second_step(
    address: str,
    step: str,
    *,
    timeout: float,
    deadline: float,
    user_agent: str,
    nir_urls: Mapping[str, str],
    whois_server: tuple[str, int] | None,
) -> SecondStep:
    """Run the step :func:`plan` chose. Raises :class:`StepFailed` (never anything else)."""
    kind, _, name = step.partition(":")
    transport = _Transport(
        address,
        step=step,
        timeout=timeout,
        deadline=deadline,
        user_agent=user_agent,
        nir_base=nir_urls.get(name, DEFAULT_NIR_URLS.get(name)),
        whois_server=whois_server,
    )
    try:
        if kind == "nir":
            result = NIRWhois(transport).lookup(nir=name, retry_count=0)
            return _from_nir(name, result)
        result = Whois(transport).lookup(
            retry_count=0, get_referral=False, asn_data={"asn_registry": name}
        )
        return _from_whois(name, result)
    except StepFailed:
        raise
    except Exception as exc:  # ipwhois parses hostile text: no exception of its escapes
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        raise StepFailed(LookupIssue(step, "malformed", f"unreadable answer ({detail})")) from exc
