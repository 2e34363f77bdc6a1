"""What the relay probe found: frozen records with ``to_dict()``, and the verdict rules.

JSON schema (``ProbeReport.to_dict()``), stable keys first::

    {"schema", "host", "port", "banner", "ehlo", "starttls",
     "summary": {"status": "closed|open|inconclusive", "accepted": [names],
                 "control": "passed|failed|auth-required|skipped",
                 "catch_all": "detected|none|unknown|skipped", "catch_all_at": [landings],
                 "reasons": [...]},
     "tests": [{"name", "helo", "mail_from", "rcpt_to", "reply_code", "reply_text",
                "outcome", "kind", "landing", "stage", "reason", "needs_auth",
                "connection", "new_connection", "attempts", "description", "commands"}],
     "auth": null | {...}, "server_name", "address_literal", "helo_name",
     "mail_from", "rcpt_to", "our_domain", "error", "transcript"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Literal

from headertrace.exitstatus import ExitStatus

SCHEMA = "headertrace.probe/1"

Outcome = Literal["refused", "accepted", "inconclusive", "tempfail", "error", "skipped"]
"""``accepted`` means the server took the recipient: for a relay test, it relays.
``inconclusive``: taken at ``RCPT``, but where a catch-all takes anything, so it proves nothing."""
Stage = Literal["helo", "mail", "rcpt"]
Status = Literal["closed", "open", "inconclusive"]
ControlStatus = Literal["passed", "failed", "auth-required", "skipped"]
CatchAllStatus = Literal["detected", "none", "unknown", "skipped"]
TestKind = Literal["relay", "control", "catch-all"]
Landing = Literal["outside", "our-domain", "server-name", "server-literal", "unqualified"]
"""Where a recipient lands if the server ignores the routing tricks in it."""
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

EXIT_CODES: dict[Status, ExitStatus] = {
    "closed": ExitStatus.OK,
    "open": ExitStatus.PROBLEM,
    "inconclusive": ExitStatus.NO_ANSWER,
}


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
    """Why a test was skipped, errored or is inconclusive, or how an unusual reply was read."""
    commands: tuple[Exchange, ...] = ()
    """Every command of the test with its reply, both attempts when it was retried."""
    landing: Landing = "outside"
    needs_auth: bool = False
    """Refused because the client had not authenticated (530, "authentication required")."""
    connection: int | None = None
    """Which connection of the run the test's last attempt used (1 is the first)."""
    new_connection: bool = False
    """It needed a new connection: the first test on one opened because the server had
    closed the previous one (after the last test, or on this test's first attempt)."""
    attempts: int = 0
    """1, or 2 when the first attempt was cut off (hang-up, timeout, 421) and retried."""

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
            "landing": self.landing,
            "stage": self.stage,
            "reason": self.reason,
            "needs_auth": self.needs_auth,
            "connection": self.connection,
            "new_connection": self.new_connection,
            "attempts": self.attempts,
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
    control_with_auth: ProbeResult | None = None
    """The control test again after AUTH (needs ``our_domain``)."""

    def to_dict(self) -> JSONDict:
        return {
            "user": self.user,
            "mechanism": self.mechanism,
            "authenticated": self.authenticated,
            "reply_code": self.reply_code,
            "reply_text": self.reply_text,
            "without_auth": self.without_auth.to_dict() if self.without_auth else None,
            "control_with_auth": (
                self.control_with_auth.to_dict() if self.control_with_auth else None
            ),
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
    catch_all: CatchAllStatus = "skipped"
    catch_all_at: tuple[Landing, ...] = ()
    """The landings where an unguessable local part was accepted."""

    def to_dict(self) -> JSONDict:
        return {
            "status": self.status,
            "accepted": list(self.accepted),
            "control": self.control,
            "catch_all": self.catch_all,
            "catch_all_at": list(self.catch_all_at),
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
    error: str | None = None
    """Why the probe could not run to the end (no connection, no banner, setup broke)."""
    transcript: tuple[Exchange, ...] = ()
    """Every command and reply of the run, reconnections included, credentials redacted."""

    @property
    def status(self) -> Status:
        return self.summary.status

    @property
    def exit_code(self) -> ExitStatus:
        """0 closed, 1 open, 2 inconclusive (:class:`~headertrace.exitstatus.ExitStatus`)."""
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
            "error": self.error,
            "transcript": [e.to_dict() for e in self.transcript],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def summarize(
    tests: tuple[ProbeResult, ...], auth: AuthCheck | None = None, *, refused_session: str = ""
) -> ProbeSummary:
    """Apply the verdict rules.

    * any relay test accepted (or the unauthenticated half of the auth check) -> ``open``:
      one acceptance is proof, whatever else happened. Tests accepted only where a catch-all
      takes any local part are ``inconclusive``, not accepted, and never make ``open``;
    * otherwise the control test refused, tempfailed or errored -> ``inconclusive``: a server
      that refuses its own postmaster is not telling us anything about relaying. Except when
      it refused it for want of authentication (530): the server is closed to strangers;
    * otherwise any relay test inconclusive, tempfailed or errored (catch-all, greylisting,
      timeouts, drops), or none ran -> ``inconclusive``;
    * otherwise ``closed``. Without ``--our-domain`` the control is ``skipped`` and a reason
      says that a server refusing everyone would look closed.
    """
    relay = [t for t in tests if t.kind == "relay"]
    control = _control_status(tests)
    catch_all, catch_all_at = _catch_all_status(tests)
    found = ProbeSummary("closed", (), control, (), catch_all, catch_all_at)
    head = [refused_session] if refused_session else []
    notes = _notes(tests, control, catch_all_at, auth)
    accepted = _accepted(relay, auth)
    if accepted:
        relayed = f"{len(accepted)} test(s) relayed: {', '.join(accepted)}"
        return replace(found, status="open", accepted=accepted, reasons=(*head, relayed, *notes))
    doubts = _doubts(relay, control)
    if doubts or head:
        return replace(found, status="inconclusive", reasons=(*head, *doubts, *notes))
    if control == "skipped":
        notes.append("no control test (--our-domain): a server refusing all mail looks closed")
    return replace(found, reasons=tuple(notes))


def _accepted(relay: list[ProbeResult], auth: AuthCheck | None) -> tuple[str, ...]:
    accepted = [t.name for t in relay if t.outcome == "accepted"]
    without = auth.without_auth if auth is not None else None
    if without is not None and without.outcome == "accepted":
        accepted.append(f"auth:{without.name}")
    return tuple(accepted)


def _doubts(relay: list[ProbeResult], control: ControlStatus) -> list[str]:
    """Why nothing accepted does not mean closed."""
    doubts: list[str] = []
    if control == "failed":
        doubts.append("the control test (a local recipient) was not accepted")
    unproven = [t.name for t in relay if t.outcome == "inconclusive"]
    if unproven:
        doubts.append(
            f"{len(unproven)} test(s) accepted only where the server may deliver locally "
            f"(catch-all or unchecked local parts), so not counted as relayed: "
            f"{', '.join(unproven)}"
        )
    unsure = [t for t in relay if t.outcome in ("tempfail", "error")]
    if unsure:
        kinds = sorted({t.outcome for t in unsure})
        doubts.append(f"{len(unsure)} test(s) did not get a final answer ({', '.join(kinds)})")
    if not [t for t in relay if t.outcome != "skipped"]:
        doubts.append("no relay test ran")
    return doubts


def _notes(
    tests: tuple[ProbeResult, ...],
    control: ControlStatus,
    catch_all_at: tuple[Landing, ...],
    auth: AuthCheck | None,
) -> list[str]:
    """What the administrator should know whatever the status."""
    notes: list[str] = []
    if control == "auth-required":
        refused = next(t for t in tests if t.kind == "control" and t.needs_auth)
        reply = f"{refused.reply_code} {refused.reply_text}".splitlines()[0].strip()
        notes.append(
            "closed to unauthenticated clients: the control was refused for want of "
            f"authentication ({reply})"
        )
        notes.extend(_control_after_auth(auth))
    if catch_all_at:
        notes.append(
            f"the server accepts any local part at {', '.join(catch_all_at)} (catch-all): "
            "accepting a routing trick that lands there proves nothing"
        )
    renewed = [t.name for t in tests if t.new_connection]
    if renewed:
        notes.append(
            f"the server closed the connection; {len(renewed)} test(s) ran on a new one: "
            f"{', '.join(renewed)}"
        )
    return notes


def _control_after_auth(auth: AuthCheck | None) -> list[str]:
    result = auth.control_with_auth if auth is not None else None
    if result is None:
        return []
    if result.outcome == "accepted":
        return ["the control was accepted after AUTH"]
    return [f"the control was not accepted after AUTH either ({result.outcome})"]


def _control_status(tests: tuple[ProbeResult, ...]) -> ControlStatus:
    controls = [t for t in tests if t.kind == "control" and t.outcome != "skipped"]
    if not controls:
        return "skipped"
    if all(t.outcome == "accepted" for t in controls):
        return "passed"
    if all(t.needs_auth for t in controls):
        return "auth-required"
    return "failed"


def _catch_all_status(tests: tuple[ProbeResult, ...]) -> tuple[CatchAllStatus, tuple[Landing, ...]]:
    checks = [t for t in tests if t.kind == "catch-all" and t.outcome != "skipped"]
    detected = tuple(t.landing for t in checks if t.outcome == "accepted")
    if detected:
        return "detected", detected
    if not checks:
        return "skipped", ()
    if all(refuses_recipient(t) for t in checks):
        return "none", ()
    return "unknown", ()


def refuses_recipient(result: ProbeResult) -> bool:
    """Refused at ``RCPT`` for the recipient itself, not for want of authentication.

    Only such a refusal of an unguessable local part shows that local parts are checked.
    """
    return result.outcome == "refused" and result.stage == "rcpt" and not result.needs_auth
