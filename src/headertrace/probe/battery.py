"""The test catalogue, as data.

Each test is one transaction: an optional HELO identity, a reverse path and a forward path,
written as templates. The fields a template may use:

=================  ====================================================================
``{from}``         the tester sender (``--from``), ``{from_local}`` and ``{from_domain}``
``{to}``           the third-party recipient (``--to``), ``{to_local}``, ``{to_domain}``
``{to_local_upper}``, ``{to_domain_mixed}``  the same in changed case, for case games
``{name}``         the server's own name (from its banner), ``{name_upper}`` upper-cased
``{literal}``      the server's address literal, ``[192.0.2.1]`` or ``[IPv6:...]``
``{our}``          the organisation's domain (``--our-domain``); tests using it are skipped
                   without it
``{helo}``         the probe's own HELO name
``{nobody}``       an unguessable local part, new each run, for the catch-all checks
=================  ====================================================================

Each test also says where its recipient lands if the server ignores every routing trick in
it (:attr:`ProbeTest.landing`): ``outside`` (a third party), or one of the server's own
destinations (``our-domain``, ``server-name``, ``server-literal``, or ``unqualified``, which the
server completes with a domain of its own). Acceptance of a recipient that lands on the server
proves relaying only if the server checks local parts there; the catch-all checks, one per
landing, ask with ``{nobody}``.

Third-party address literals use the documentation ranges (RFC 5737, RFC 3849), so an
accepting server could never deliver there even if a message followed, and none does.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from headertrace.errors import ConfigurationError
from headertrace.probe.report import Landing, TestKind

DEFAULT_FROM = "relay-probe@example.org"
DEFAULT_TO = "relay-probe@example.net"

_FIELD = re.compile(r"\{(\w+)\}")
_ADDRESS = re.compile(r"^[^\s<>()\[\]\\,;:@\"]+@[A-Za-z0-9.-]+$")
_SOURCE_ROUTE = re.compile(r"^@[^:]*:")
_QUOTED = re.compile(r'"[^"]*"')
# Which template field in the domain says the recipient lands on the server itself.
_OWN_DOMAINS: tuple[tuple[str, Landing], ...] = (
    ("{our}", "our-domain"),
    ("{name", "server-name"),
    ("{literal}", "server-literal"),
)


def landing_of(rcpt_to: str) -> Landing:
    """Where a recipient template lands for a server that ignores routing tricks in it.

    Such a server drops a source route (RFC 5321 says to), does not look inside quotes, and
    delivers to the domain after the last ``@``; without one, to a domain of its own.
    """
    address = rcpt_to.strip("<>").replace("{to}", "{to_local}@{to_domain}")
    address = _QUOTED.sub("q", _SOURCE_ROUTE.sub("", address))
    if "@" not in address:
        return "unqualified"
    domain = address.rpartition("@")[2]
    for field, place in _OWN_DOMAINS:
        if field in domain:
            return place
    return "outside"


@dataclass(frozen=True, slots=True)
class ProbeTest:
    """One test definition. ``helo`` ``None`` means the probe's own name."""

    name: str
    description: str
    mail_from: str
    rcpt_to: str
    helo: str | None = None
    kind: TestKind = "relay"

    @property
    def fields(self) -> frozenset[str]:
        """The template fields the test uses."""
        text = f"{self.helo or ''} {self.mail_from} {self.rcpt_to}"
        return frozenset(_FIELD.findall(text))

    @property
    def needs_our_domain(self) -> bool:
        return "our" in self.fields

    @property
    def landing(self) -> Landing:
        """Where the recipient lands if the server ignores its routing tricks."""
        return landing_of(self.rcpt_to)


def _relay(name: str, description: str, rcpt_to: str, mail_from: str = "<{from}>") -> ProbeTest:
    return ProbeTest(name, description, mail_from, rcpt_to)


def _helo(name: str, description: str, helo: str) -> ProbeTest:
    return ProbeTest(name, description, "<{from}>", "<{to}>", helo=helo)


CONTROL = ProbeTest(
    "control-local",
    "control: the postmaster of --our-domain must be accepted, else nothing can be concluded",
    "<{from}>",
    "<postmaster@{our}>",
    kind="control",
)


def _catch_all(name: str, where: str, rcpt_to: str) -> ProbeTest:
    description = f"catch-all check: an unguessable local part {where} must be refused"
    return ProbeTest(name, description, "<{from}>", rcpt_to, kind="catch-all")


CATCH_ALL_CHECKS: tuple[ProbeTest, ...] = (
    _catch_all("catch-all-our-domain", "at --our-domain", "<{nobody}@{our}>"),
    _catch_all("catch-all-name", "at the server's name", "<{nobody}@{name}>"),
    _catch_all("catch-all-literal", "at the server's address literal", "<{nobody}@{literal}>"),
    _catch_all("catch-all-unqualified", "without a domain", "<{nobody}>"),
)
"""One check per landing on the server; each runs only if a selected test lands there."""

BATTERY: tuple[ProbeTest, ...] = (
    CONTROL,
    *CATCH_ALL_CHECKS,
    _relay("plain", "third-party sender to third-party recipient", "<{to}>"),
    _relay("null-sender", "null reverse path (as a bounce)", "<{to}>", "<>"),
    _relay("unqualified-sender", "sender without a domain", "<{to}>", "<{from_local}>"),
    _relay("sender-own-name", "sender at the server's own name", "<{to}>", "<{from_local}@{name}>"),
    _relay(
        "sender-own-literal",
        "sender at the server's address literal",
        "<{to}>",
        "<{from_local}@{literal}>",
    ),
    _relay("sender-our-domain", "sender spoofing our own domain", "<{to}>", "<{from_local}@{our}>"),
    _relay("percent-hack", "% hack at the server's name", "<{to_local}%{to_domain}@{name}>"),
    _relay(
        "percent-hack-literal",
        "% hack at the server's address literal",
        "<{to_local}%{to_domain}@{literal}>",
    ),
    _relay("percent-hack-our-domain", "% hack at our own domain", "<{to_local}%{to_domain}@{our}>"),
    _relay("quoted-at", "quoted local part holding @, no domain", '<"{to}">'),
    _relay("quoted-at-name", "quoted local part holding @, at the server", '<"{to}"@{name}>'),
    _relay(
        "quoted-percent", "quoted local part holding %, no domain", '<"{to_local}%{to_domain}">'
    ),
    _relay(
        "quoted-percent-name",
        "quoted local part holding %, at the server",
        '<"{to_local}%{to_domain}"@{name}>',
    ),
    _relay("double-at", "two @ signs, the last at the server's name", "<{to}@{name}>"),
    _relay("double-at-literal", "two @ signs, the last at the address literal", "<{to}@{literal}>"),
    _relay("source-route", "RFC 821 source route through the server", "<@{name}:{to}>"),
    _relay("source-route-literal", "source route through the address literal", "<@{literal}:{to}>"),
    _relay("source-route-chain", "source route with two hops", "<@{name},@{literal}:{to}>"),
    _relay("bang-path", "UUCP bang path", "<{to_domain}!{to_local}>"),
    _relay(
        "bang-path-name", "UUCP bang path at the server's name", "<{to_domain}!{to_local}@{name}>"
    ),
    _relay(
        "bang-path-literal",
        "UUCP bang path at the address literal",
        "<{to_domain}!{to_local}@{literal}>",
    ),
    _relay("rcpt-literal", "recipient at a third party's IPv4 literal", "<{to_local}@[192.0.2.1]>"),
    _relay(
        "rcpt-literal-v6",
        "recipient at a third party's IPv6 literal",
        "<{to_local}@[IPv6:2001:db8::25]>",
    ),
    _relay("trailing-dot", "recipient domain with a trailing dot", "<{to}.>"),
    _relay(
        "trailing-dot-name",
        "% hack at the server's name written with a trailing dot",
        "<{to_local}%{to_domain}@{name}.>",
    ),
    _relay("case-mixed", "recipient in changed case", "<{to_local_upper}@{to_domain_mixed}>"),
    _relay(
        "case-percent",
        "% hack at the server's name in upper case",
        "<{to_local}%{to_domain}@{name_upper}>",
    ),
    _helo("helo-localhost", "HELO localhost, then a plain relay attempt", "localhost"),
    _helo("helo-own-name", "HELO with the server's own name", "{name}"),
    _helo("helo-own-literal", "HELO with the server's address literal", "{literal}"),
)
"""The whole battery, control first. Names are stable: they appear in reports and ``--only``."""

TEST_NAMES: tuple[str, ...] = tuple(t.name for t in BATTERY)


def select(names: Iterable[str] | None) -> tuple[ProbeTest, ...]:
    """The tests to run, in battery order.

    The control test is always included, and the catch-all check of every landing that a
    selected test uses.
    """
    if names is None:
        return BATTERY
    wanted = {names} if isinstance(names, str) else set(names)
    unknown = sorted(wanted - set(TEST_NAMES))
    if unknown:
        raise ConfigurationError(
            f"unknown probe test(s): {', '.join(unknown)}; known: {', '.join(TEST_NAMES)}",
            key="tests",
            value=unknown,
        )
    relay = [t for t in BATTERY if t.kind == "relay" and t.name in wanted]
    landings = {t.landing for t in relay}
    return tuple(
        t
        for t in BATTERY
        if t.kind == "control" or (t.kind == "catch-all" and t.landing in landings) or t in relay
    )


def unguessable_local_part() -> str:
    """A local part no real mailbox has: 64 random bits, new each run."""
    return f"no-such-user-{secrets.token_hex(8)}"


def check_address(value: str, key: str) -> str:
    """Validate a tester address (``local@domain``, nothing that could break a command)."""
    if not _ADDRESS.match(value):
        raise ConfigurationError(
            f"{key} must be a plain local@domain address, got {value!r}", key=key, value=value
        )
    return value


def _mixed_case(text: str) -> str:
    return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))


def context(
    *,
    server_name: str,
    literal: str,
    mail_from: str,
    rcpt_to: str,
    our_domain: str | None,
    helo_name: str,
    nobody: str | None = None,
) -> dict[str, str]:
    """The template fields for one server (``our`` absent without an organisation domain).

    ``nobody`` is the catch-all checks' local part; a fresh unguessable one by default.
    """
    from_local, _, from_domain = mail_from.rpartition("@")
    to_local, _, to_domain = rcpt_to.rpartition("@")
    fields = {
        "from": mail_from,
        "from_local": from_local,
        "from_domain": from_domain,
        "to": rcpt_to,
        "to_local": to_local,
        "to_domain": to_domain,
        "to_local_upper": to_local.upper(),
        "to_domain_mixed": _mixed_case(to_domain),
        "name": server_name,
        "name_upper": server_name.upper(),
        "literal": literal,
        "helo": helo_name,
        "nobody": nobody or unguessable_local_part(),
    }
    if our_domain:
        fields["our"] = our_domain
    return fields


def render(template: str, fields: Mapping[str, str]) -> str:
    """Fill a template (``KeyError`` names a missing field)."""
    return template.format_map(fields)
