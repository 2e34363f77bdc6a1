"""A small RDAP client (RFC 9082/9083) for IP networks: name, registrant, abuse contacts.

``GET {rdap_url}/ip/{address}`` with ``Accept: application/rdap+json``. ``https://rdap.org``
redirects to the registry that holds the address; a registry's own base URL
(``https://rdap.arin.net/registry``, ``https://rdap.db.ripe.net``) answers directly. Entities
are walked recursively, because ARIN nests the abuse contact inside the organisation.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Final

from headertrace.enrich.records import Contact, LookupIssue

MAX_BYTES: Final = 2 * 1024 * 1024
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


@dataclass(frozen=True, slots=True)
class RdapNetwork:
    source: str
    name: str | None = None
    handle: str | None = None
    range: str | None = None
    country: str | None = None
    registrant: str | None = None
    abuse_emails: tuple[str, ...] = ()
    abuse_phones: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "name": self.name,
            "handle": self.handle,
            "range": self.range,
            "country": self.country,
            "registrant": self.registrant,
            "abuse_emails": list(self.abuse_emails),
            "abuse_phones": list(self.abuse_phones),
            "contacts": [c.to_dict() for c in self.contacts],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RdapNetwork:
        return cls(
            source=str(data["source"]),
            name=data.get("name"),
            handle=data.get("handle"),
            range=data.get("range"),
            country=data.get("country"),
            registrant=data.get("registrant"),
            abuse_emails=tuple(data.get("abuse_emails", ())),
            abuse_phones=tuple(data.get("abuse_phones", ())),
            contacts=tuple(
                Contact(
                    handle=c.get("handle"),
                    name=c.get("name"),
                    kind=c.get("kind"),
                    roles=tuple(c.get("roles", ())),
                    emails=tuple(c.get("emails", ())),
                    phones=tuple(c.get("phones", ())),
                    address=c.get("address"),
                )
                for c in data.get("contacts", ())
            ),
        )


class RdapError(Exception):
    """An RDAP request gave no usable answer; ``issue`` says why."""

    def __init__(self, issue: LookupIssue) -> None:
        super().__init__(issue.detail)
        self.issue = issue


def ip_url(base: str, ip: str) -> str:
    return f"{base.rstrip('/')}/ip/{urllib.parse.quote(ip, safe=':.')}"


def read_limited(response: Any, deadline: float | None, url: str) -> bytes:
    """Read the body in chunks, giving up at ``deadline`` (a ``time.monotonic`` value), so
    a server that trickles bytes cannot hold the lookup past its budget."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if deadline is not None and time.monotonic() > deadline:
            raise RdapError(LookupIssue("rdap", "timeout", f"answer from {url} too slow"))
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BYTES:
            raise RdapError(LookupIssue("rdap", "malformed", f"answer from {url} is too large"))


def fetch(
    url: str, *, timeout: float, user_agent: str, deadline: float | None = None
) -> tuple[Any, str]:
    """GET an RDAP URL and decode its JSON; returns (data, final URL after redirects).

    ``timeout`` bounds each socket operation, ``deadline`` (``time.monotonic``) the whole
    read. Raises :class:`RdapError` for every failure."""
    request = urllib.request.Request(
        url,
        headers={
            "Accept": "application/rdap+json, application/json;q=0.9",
            "User-Agent": user_agent,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = read_limited(response, deadline, url)
            final = response.geturl() or url
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 404:
            raise RdapError(LookupIssue("rdap", "not-found", f"HTTP 404 from {url}")) from exc
        if exc.code == 429:
            retry = exc.headers.get("Retry-After") if exc.headers else None
            hint = f" (Retry-After: {retry})" if retry else ""
            raise RdapError(
                LookupIssue("rdap", "rate-limited", f"HTTP 429 from {url}{hint}")
            ) from exc
        raise RdapError(LookupIssue("rdap", "http-error", f"HTTP {exc.code} from {url}")) from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise RdapError(LookupIssue("rdap", "timeout", f"no answer from {url}")) from exc
        raise RdapError(LookupIssue("rdap", "unreachable", f"{url}: {reason}")) from exc
    except TimeoutError as exc:
        raise RdapError(LookupIssue("rdap", "timeout", f"no answer from {url}")) from exc
    except (OSError, ValueError) as exc:
        raise RdapError(LookupIssue("rdap", "unreachable", f"{url}: {exc}")) from exc
    try:
        return json.loads(body.decode("utf-8")), final
    except (UnicodeDecodeError, ValueError) as exc:
        raise RdapError(LookupIssue("rdap", "malformed", f"answer from {url} is not JSON")) from exc


def _vcard_props(entity: dict[str, Any]) -> list[list[Any]]:
    card = entity.get("vcardArray")
    if isinstance(card, list) and len(card) >= 2 and isinstance(card[1], list):
        return [p for p in card[1] if isinstance(p, list) and len(p) >= 4]
    return []


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        parts = [str(v).strip() for v in value if isinstance(v, (str, int)) and str(v).strip()]
        return ", ".join(parts) or None
    return None


def _phone(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if text.lower().startswith("tel:"):
        text = text[4:]
    return text.split(";", 1)[0].strip() or None


def parse_contact(entity: dict[str, Any]) -> Contact:
    name = kind = address = None
    emails: list[str] = []
    phones: list[str] = []
    org = None
    for prop in _vcard_props(entity):
        key = str(prop[0]).lower()
        params = prop[1] if isinstance(prop[1], dict) else {}
        value = prop[3]
        if key == "fn":
            name = _text(value)
        elif key == "org":
            org = _text(value)
        elif key == "kind":
            kind = _text(value)
        elif key == "email":
            email = _text(value)
            if email and email not in emails:
                emails.append(email)
        elif key == "tel":
            phone = _phone(value)
            if phone and phone not in phones:
                phones.append(phone)
        elif key == "adr":
            label = params.get("label")
            address = _text(label) if label else _text(value)
    roles = entity.get("roles")
    return Contact(
        handle=_text(entity.get("handle")),
        name=name or org,
        kind=kind,
        roles=tuple(str(r).lower() for r in roles) if isinstance(roles, list) else (),
        emails=tuple(emails),
        phones=tuple(phones),
        address=address,
    )


def _walk(entities: Any, out: list[Contact], depth: int = 0) -> None:
    if not isinstance(entities, list) or depth > 5:
        return
    for entity in entities:
        if isinstance(entity, dict):
            out.append(parse_contact(entity))
            _walk(entity.get("entities"), out, depth + 1)


def _range(data: dict[str, Any]) -> str | None:
    cidrs = data.get("cidr0_cidrs")
    if isinstance(cidrs, list):
        texts = []
        for c in cidrs:
            if isinstance(c, dict):
                prefix = c.get("v4prefix") or c.get("v6prefix")
                if prefix is not None and c.get("length") is not None:
                    texts.append(f"{prefix}/{c['length']}")
        if texts:
            return ", ".join(texts)
    start, end = _text(data.get("startAddress")), _text(data.get("endAddress"))
    if start and end:
        return f"{start} - {end}"
    return None


def _remark_emails(data: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for remark in data.get("remarks") or []:
        if not isinstance(remark, dict):
            continue
        lines = remark.get("description") or []
        text = " ".join(str(x) for x in lines) if isinstance(lines, list) else str(lines)
        title = str(remark.get("title") or "")
        for email in _EMAIL.findall(text):
            if ("abuse" in email.lower() or "abuse" in title.lower()) and email not in found:
                found.append(email)
    return found


def parse_network(data: Any, source: str) -> RdapNetwork:
    """The parts of an RDAP ``ip network`` object that say who owns it and who to tell."""
    if not isinstance(data, dict) or data.get("objectClassName", "ip network") != "ip network":
        raise RdapError(
            LookupIssue("rdap", "malformed", f"answer from {source} is not an ip network")
        )
    contacts: list[Contact] = []
    _walk(data.get("entities"), contacts)
    abuse_emails: list[str] = []
    abuse_phones: list[str] = []
    registrant = None
    for contact in contacts:
        if "abuse" in contact.roles:
            abuse_emails.extend(e for e in contact.emails if e not in abuse_emails)
            abuse_phones.extend(p for p in contact.phones if p not in abuse_phones)
        if registrant is None and "registrant" in contact.roles:
            registrant = contact.name
    if not abuse_emails:
        abuse_emails = _remark_emails(data)
    return RdapNetwork(
        source=source,
        name=_text(data.get("name")),
        handle=_text(data.get("handle")),
        range=_range(data),
        country=_text(data.get("country")),
        registrant=registrant,
        abuse_emails=tuple(abuse_emails),
        abuse_phones=tuple(abuse_phones),
        contacts=tuple(contacts),
    )
