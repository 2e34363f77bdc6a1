"""What the relay probe found: frozen records with ``to_dict()``, and the verdict rules.

JSON schema (``ProbeReport.to_dict()``), stable keys first::

    {"schema", "host", "port", "banner", "ehlo", "starttls",
     "summary": {"status": "closed|open|inconclusive", "accepted": [names],
                 "control": "passed|failed|skipped", "reasons": [...]},
     "tests": [{"name", "helo", "mail_from", "rcpt_to", "reply_code", "reply_text",
                "outcome", "kind", "stage", "reason", "description", "commands"}],
     "auth": null | {...}, "server_name", "address_literal", "helo_name",
     "mail_from", "rcpt_to", "our_domain", "transcript"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

SCHEMA = "headertrace.probe/1"

Outcome = Literal["refused", "accepted", "tempfail", "error", "skipped"]
"""``accepted`` means the server took the recipient: for a relay test, it relays."""
Stage = Literal["helo", "mail", "rcpt"]
Status = Literal["closed", "open", "inconclusive"]
ControlStatus = Literal["passed", "failed", "skipped"]
TestKind = Literal["relay", "control"]
AuthVerdict = Literal[
    "good",
    "open-without-auth",
    "authenticated-cannot-send",
    "auth-failed",
    "not-offered",
    "not-attempted",
    "inconclusive",
]

JSONDict = dict[str, Any]

EXIT_CODES: dict[Status, int] = {"closed": 0, "open": 1, "inconclusive": 2}


@dataclass(frozen=True, slots=True)
class Exchange:
    """One command and the reply it got (``reply_code`` is ``None`` when none came)."""

    command: str
    """As sent, except credentials, which are replaced by a placeholder."""
    reply_code: int | None
    reply_text: str

    def to_dict(self) -> JSONDict:
        return {
            "command": self.command,
            "reply_code": self.reply_code,
            "reply_text": self.reply_text,
        }


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """The result of one test: one transaction, ended at ``RCPT TO``."""

    name: str
    outcome: Outcome
    kind: TestKind = "relay"
    description: str = ""
    helo: str | None = None
    mail_from: str | None = None
    """The reverse path as sent, angle brackets included (``<>`` for the null sender)."""
    rcpt_to: str | None = None
    reply_code: int | None = None
    """The code of the reply the outcome rests on (the last one received)."""
    reply_text: str = ""
    stage: Stage | None = None
    """Where the transaction ended: ``rcpt`` normally, ``mail`` or ``helo`` if refused earlier."""
    reason: str | None = None
    """Why a test was skipped or errored, or how an unusual reply was read."""
    commands: tuple[Exchange, ...] = ()

    def to_dict(self) -> JSONDict:
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "helo": self.helo,
            "mail_from": self.mail_from,
            "rcpt_to": self.rcpt_to,
            "reply_code": self.reply_code,
            "reply_text": self.reply_text,
            "outcome": self.outcome,
            "stage": self.stage,
            "reason": self.reason,
            "commands": [c.to_dict() for c in self.commands],
        }


@dataclass(frozen=True, slots=True)
class Greeting:
    """The session greeting: EHLO, or HELO when the server refused EHLO."""

    verb: str
    name: str
    """The name the probe announced."""
    reply_code: int
    reply_text: str
    extensions: tuple[str, ...] = ()
    """EHLO keywords with their parameters (``AUTH PLAIN LOGIN``), upper-cased keyword."""

    def to_dict(self) -> JSONDict:
        return {
            "verb": self.verb,
            "name": self.name,
            "reply_code": self.reply_code,
            "reply_text": self.reply_text,
            "extensions": list(self.extensions),
        }


@dataclass(frozen=True, slots=True)
class TLSInfo:
    """The STARTTLS exchange, when ``--starttls`` was asked for and succeeded."""

    reply_code: int
    reply_text: str
    version: str | None = None
    cipher: str | None = None

    def to_dict(self) -> JSONDict:
        return {
            "reply_code": self.reply_code,
            "reply_text": self.reply_text,
            "version": self.version,
            "cipher": self.cipher,
            "certificate_verified": False,
        }


@dataclass(frozen=True, slots=True)
class AuthCheck:
    """The authenticated check: relaying must be refused without AUTH and accepted with it."""

    user: str
    verdict: AuthVerdict
    message: str
    mechanism: str | None = None
    authenticated: bool | None = None
    """``None`` when AUTH was not attempted."""
    reply_code: int | None = None
    reply_text: str = ""
    without_auth: ProbeResult | None = None
    with_auth: ProbeResult | None = None

    def to_dict(self) -> JSONDict:
        return {
            "user": self.user,
            "mechanism": self.mechanism,
            "authenticated": self.authenticated,
            "reply_code": self.reply_code,
            "reply_text": self.reply_text,
            "without_auth": self.without_auth.to_dict() if self.without_auth else None,
            "with_auth": self.with_auth.to_dict() if self.with_auth else None,
            "verdict": self.verdict,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class ProbeSummary:
    """The verdict: ``closed``, ``open`` (with the accepting tests) or ``inconclusive``."""

    status: Status
    accepted: tuple[str, ...] = ()
    control: ControlStatus = "skipped"
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> JSONDict:
        return {
            "status": self.status,
            "accepted": list(self.accepted),
            "control": self.control,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class ProbeReport:
    """Everything one probe run saw, in order, with its summary."""

    host: str
    port: int
    banner: str
    summary: ProbeSummary
    tests: tuple[ProbeResult, ...] = ()
    ehlo: Greeting | None = None
    starttls: TLSInfo | None = None
    auth: AuthCheck | None = None
    server_name: str | None = None
    """The server's own name, from its banner or EHLO reply (used by the tests)."""
    address_literal: str | None = None
    helo_name: str | None = None
    mail_from: str | None = None
    rcpt_to: str | None = None
    our_domain: str | None = None
    transcript: tuple[Exchange, ...] = ()
    """Every command and reply of the run, reconnections included, credentials redacted."""

    @property
    def status(self) -> Status:
        return self.summary.status

    @property
    def exit_code(self) -> int:
        """0 closed, 1 open, 2 inconclusive."""
        return EXIT_CODES[self.summary.status]

    def result(self, name: str) -> ProbeResult:
        """The result of the test called ``name`` (``KeyError`` if it is not in the report)."""
        for res in self.tests:
            if res.name == name:
                return res
        raise KeyError(name)

    def to_dict(self) -> JSONDict:
        return {
            "schema": SCHEMA,
            "host": self.host,
            "port": self.port,
            "banner": self.banner,
            "ehlo": self.ehlo.to_dict() if self.ehlo else None,
            "starttls": self.starttls.to_dict() if self.starttls else None,
            "summary": self.summary.to_dict(),
            "tests": [t.to_dict() for t in self.tests],
            "auth": self.auth.to_dict() if self.auth else None,
            "server_name": self.server_name,
            "address_literal": self.address_literal,
            "helo_name": self.helo_name,
            "mail_from": self.mail_from,
            "rcpt_to": self.rcpt_to,
            "our_domain": self.our_domain,
            "transcript": [e.to_dict() for e in self.transcript],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def summarize(
    tests: tuple[ProbeResult, ...], auth: AuthCheck | None = None, *, refused_session: str = ""
) -> ProbeSummary:
    """Apply the verdict rules.

    * any relay test accepted (or the unauthenticated half of the auth check) -> ``open``:
      one acceptance is proof, whatever else happened;
    * otherwise the control test refused, tempfailed or errored -> ``inconclusive``: a server
      that refuses its own postmaster is not telling us anything about relaying;
    * otherwise any relay test tempfailed or errored (greylisting, timeouts, drops), or none
      ran -> ``inconclusive``;
    * otherwise ``closed``. Without ``--our-domain`` the control is ``skipped`` and a reason
      says that a server refusing everyone would look closed.
    """
    relay = [t for t in tests if t.kind == "relay"]
    accepted = [t.name for t in relay if t.outcome == "accepted"]
    without = auth.without_auth if auth is not None else None
    if without is not None and without.outcome == "accepted":
        accepted.append(f"auth:{without.name}")
    control = _control_status(tests)
    reasons: list[str] = []
    if refused_session:
        reasons.append(refused_session)
    if accepted:
        reasons.append(f"{len(accepted)} test(s) relayed: {', '.join(accepted)}")
        return ProbeSummary("open", tuple(accepted), control, tuple(reasons))
    if control == "failed":
        reasons.append("the control test (a local recipient) was not accepted")
    unsure = [t for t in relay if t.outcome in ("tempfail", "error")]
    if unsure:
        kinds = sorted({t.outcome for t in unsure})
        reasons.append(f"{len(unsure)} test(s) did not get a final answer ({', '.join(kinds)})")
    ran = [t for t in relay if t.outcome != "skipped"]
    if not ran:
        reasons.append("no relay test ran")
    if reasons:
        return ProbeSummary("inconclusive", (), control, tuple(reasons))
    if control == "skipped":
        reasons.append("no control test (--our-domain): a server refusing all mail looks closed")
    return ProbeSummary("closed", (), control, tuple(reasons))


def _control_status(tests: tuple[ProbeResult, ...]) -> ControlStatus:
    controls = [t for t in tests if t.kind == "control" and t.outcome != "skipped"]
    if not controls:
        return "skipped"
    return "passed" if all(t.outcome == "accepted" for t in controls) else "failed"
