"""Run the battery against one server: setup, one transaction per test, the auth check.

Connection policy (documented in ``docs/probe.md``):

* setup (banner, EHLO, STARTTLS) must succeed, or :class:`~headertrace.errors.ProbeError`
  is raised, carrying an ``inconclusive`` report of the dialogue so far; a server that
  answers the banner or EHLO with an error gets a report whose tests are all ``skipped`` and
  whose status is ``inconclusive``;
* when the server closes the connection (a hang-up, a 421, "too many syntax errors") or a
  reply times out, the probe waits ``reconnect_delay`` seconds, opens a new connection and
  carries on; a test cut off without an answer is tried once more there. Reconnections are
  bounded (``reconnects`` per run), and the probe gives up when :data:`MAX_BARREN`
  connections in a row end before any test got an answer: a server that hangs up on
  everything is not hammered. Every test records which connection it ran on.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from headertrace.errors import ConfigurationError, ProbeError
from headertrace.probe import battery, catchall
from headertrace.probe.battery import ProbeTest
from headertrace.probe.config import MAX_RECONNECTS, RECONNECT_DELAY, ProbeConfig
from headertrace.probe.report import (
    AuthCheck,
    AuthVerdict,
    Exchange,
    Greeting,
    Outcome,
    ProbeReport,
    ProbeResult,
    Stage,
    TLSInfo,
    summarize,
)
from headertrace.probe.smtp import Dialogue, DialogueError, Reply, ReplyTimeout, address_literal

MAX_BARREN = 2
"""Give up after this many connections in a row lost before any test got an answer."""
SESSION_TRANSACTIONS = 10

_HOSTNAME = re.compile(
    r"^(?=.{1,253}\.?$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$"
)
# A 4xx naming relaying is a refusal phrased as temporary (Postfix's defer_unauth_destination,
# the default safety net): it is not greylisting, and retrying will not change it.
_RELAY_DENIED = re.compile(
    r"relay(ing)?\b.{0,40}\b(denied|not permitted|not allowed|prohibited|refused|forbidden)"
    r"|\b(unable|not (permitted|allowed)) to relay\b",
    re.IGNORECASE,
)
# "530 5.7.0 Authentication required" (aiosmtpd, Gmail), "530 5.7.1 Client was not
# authenticated" (Exchange), "550 ... must authenticate" (Exim ACLs written by hand).
_NEEDS_AUTH = re.compile(
    r"auth\w*\s+(is\s+)?required|requires?\s+auth|must\s+(first\s+)?auth"
    r"|not\s+authenticated|authenticate\s+first|sender\s+login",
    re.IGNORECASE,
)
# The same code also asks for TLS ("530 5.7.0 Must issue a STARTTLS command first"); that
# server is not closed to strangers, who can start TLS.
_NEEDS_TLS = re.compile(r"\bSTARTTLS\b|\bTLS\b", re.IGNORECASE)

AUTH_WITHOUT = ProbeTest("auth-without", "relay attempt before AUTH", "<{from}>", "<{to}>")
AUTH_WITH = ProbeTest("auth-with", "relay attempt after AUTH", "<{from}>", "<{to}>")
AUTH_CONTROL = replace(
    battery.CONTROL, name="control-with-auth", description="the control again, after AUTH"
)


@dataclass(slots=True)
class _Options:
    host: str
    port: int
    helo_name: str | None
    starttls: bool
    timeout: float
    delay: float
    sleep: Callable[[float], None] = time.sleep
    reconnects: int = MAX_RECONNECTS
    reconnect_delay: float = RECONNECT_DELAY


@dataclass(slots=True)
class _Session:
    """The live connection, its identity, and the reconnection budget."""

    opts: _Options
    transcript: list[Exchange] = field(default_factory=list)
    dialogue: Dialogue | None = None
    esmtp: bool = True
    current_helo: str | None = None
    banner: Reply | None = None
    greeting: Greeting | None = None
    tls: TLSInfo | None = None
    reconnects_left: int = 0
    lost: str | None = None
    """Why the connection is gone for good (set when the probe gives up reconnecting)."""
    last_failure: str = ""
    transactions: int = 0
    in_session: int = 0
    """Transactions on the current connection."""
    connections: int = 0
    after_loss: bool = False
    """The current connection was opened because the server closed the previous one."""
    answered: int = 0
    """Tests answered on the current connection."""
    completed: int = 0
    """Tests answered and reset (RSET accepted) on the current connection."""
    barren: int = 0
    """Connections in a row that ended (or never opened) before any test got an answer."""
    renew_after: int = SESSION_TRANSACTIONS
    """Transactions per connection before a planned renewal; lowered by each hang-up."""

    def __post_init__(self) -> None:
        self.reconnects_left = self.opts.reconnects

    # -- setup ------------------------------------------------------------------------
    def open(self) -> Reply:
        """Connect and return the banner (raises DialogueError)."""
        self.dialogue, self.banner = Dialogue.connect(
            self.opts.host, self.opts.port, self.opts.timeout, self.transcript
        )
        self.connections += 1
        self.current_helo = None
        self.in_session = self.answered = self.completed = 0
        self.after_loss = False
        return self.banner

    def cmd(self, line: str, *, shown: str | None = None) -> Reply:
        if self.dialogue is None:
            raise DialogueError("not connected")
        reply = self.dialogue.command(line, shown=shown)
        if reply.code == 421:  # the server is closing the channel
            self.drop(f"server closed the session: {reply.code} {reply.text}")
        return reply

    def greet(self, name: str, *, fallback: bool = False) -> Greeting:
        """EHLO (or HELO once the server has refused EHLO); EHLO resets the session."""
        verb = "EHLO" if self.esmtp else "HELO"
        reply = self.cmd(f"{verb} {name}")
        if fallback and verb == "EHLO" and 500 <= reply.code < 600:
            verb, self.esmtp = "HELO", False
            reply = self.cmd(f"HELO {name}")
        self.current_helo = name if reply.code // 100 == 2 else None
        extensions = tuple(_extension(line) for line in reply.lines[1:]) if verb == "EHLO" else ()
        return Greeting(verb, name, reply.code, reply.text, extensions)

    def setup(self, helo_name: str) -> Reply:
        """Connect, then :meth:`start`."""
        return self.start(self.open(), helo_name)

    def start(self, banner: Reply, helo_name: str) -> Reply:
        """Greeting and STARTTLS after the banner: returns the refusing reply, if any."""
        if banner.code != 220:
            return banner
        greeting = self.greet(helo_name, fallback=True)
        self.greeting = greeting
        if greeting.reply_code // 100 != 2:
            return Reply(greeting.reply_code, tuple(greeting.reply_text.split("\n")))
        if self.opts.starttls:
            self._starttls(helo_name)
        return banner

    def _starttls(self, helo_name: str) -> None:
        assert self.greeting is not None and self.dialogue is not None
        if "STARTTLS" not in {e.split(" ")[0] for e in self.greeting.extensions}:
            raise ProbeError("--starttls was asked for, but the server does not offer STARTTLS")
        reply = self.cmd("STARTTLS")
        if reply.code != 220:
            raise ProbeError(f"STARTTLS refused: {reply.code} {reply.text}")
        self.dialogue.starttls(None if _is_ip(self.opts.host) else self.opts.host)
        tls = self.dialogue.tls or {}
        self.tls = TLSInfo(reply.code, reply.text, tls.get("version"), tls.get("cipher"))
        self.current_helo = None  # RFC 3207: the session starts over after TLS
        self.greeting = self.greet(helo_name)
        if self.greeting.reply_code // 100 != 2:
            raise ProbeError(f"EHLO after STARTTLS refused: {self.greeting.reply_code}")

    # -- connection loss --------------------------------------------------------------
    def drop(self, why: str, *, by_server: bool = True) -> None:
        """Forget a broken connection; the next test may reconnect.

        A server that hung up (not a timeout of ours) after some complete transactions may
        count errors per connection: later connections are renewed before that count.
        """
        if self.dialogue is not None:
            self.dialogue.close()
            if not self.answered:
                self.barren += 1
            elif by_server:  # one to spare: its count may include transactions it liked
                self.renew_after = max(1, min(self.renew_after, self.completed - 1))
        self.dialogue = None
        self.last_failure = why

    def got_answer(self) -> None:
        """A test got its final answer: the server is talking, reconnecting is worth it."""
        self.answered += 1
        self.barren = 0

    def ensure(self, helo_name: str) -> bool:
        """Make sure there is a usable connection.

        A session is renewed (QUIT, reconnect) after :data:`SESSION_TRANSACTIONS`
        transactions, before the server's error limits kick in (Postfix hangs up after 20
        refused commands, Exim after 3 syntax errors, others tarpit); that is not charged to
        the reconnection budget. A server that hung up after K complete transactions on one
        connection gets renewals after K-1 from then on. A lost connection is re-opened by
        :meth:`recover`.
        """
        if self.dialogue is not None and self.in_session >= self.renew_after:
            self.quit()
            if self._reopen(helo_name, self.opts.delay):
                return True
            self.barren += 1
        if self.dialogue is not None:
            return True
        return self.recover(helo_name)

    def recover(self, helo_name: str) -> bool:
        """Reconnect after a loss, pausing first, within the budget; False once given up."""
        while self.lost is None:
            if self.barren >= MAX_BARREN:
                self.lost = (
                    f"not run: gave up after {self.barren} connections in a row ended "
                    f"before any answer ({self.last_failure})"
                )
            elif self.reconnects_left <= 0:
                self.lost = (
                    f"not run: connection lost and all {self.opts.reconnects} reconnections "
                    f"used ({self.last_failure})"
                )
            else:
                self.reconnects_left -= 1
                if self._reopen(helo_name, self.opts.reconnect_delay):
                    self.after_loss = True
                    return True
                self.barren += 1
        return False

    def _reopen(self, helo_name: str, pause: float) -> bool:
        self.opts.sleep(pause)
        try:
            refusal = self.setup(helo_name)
        except (DialogueError, ProbeError) as exc:
            self.last_failure = str(exc)
        else:
            if refusal.code // 100 == 2:
                return True
            self.last_failure = f"server refused the new session: {refusal.code} {refusal.text}"
        if self.dialogue is not None:
            self.dialogue.close()
            self.dialogue = None
        return False

    def pace(self) -> None:
        """Wait between transactions, to be polite."""
        if self.transactions:
            self.opts.sleep(self.opts.delay)
        self.transactions += 1
        self.in_session += 1

    def quit(self) -> None:
        if self.dialogue is not None:
            self.dialogue.quit()
            self.dialogue = None


# -- helpers --------------------------------------------------------------------------
def _extension(line: str) -> str:
    keyword, _, params = line.partition(" ")
    return f"{keyword.upper()} {params}".strip()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", maxsplit=1)[0])
    except ValueError:
        return False
    return True


def _is_loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip.split("%", maxsplit=1)[0]).is_loopback
    except ValueError:
        return False


def default_helo_name(local_ip: str) -> str:
    """The probe's EHLO name: this machine's name if it is qualified, else its address literal.

    ``socket.gethostname()`` is used, not ``getfqdn()``, because the latter may query DNS.
    """
    name = socket.gethostname()
    if _HOSTNAME.match(name) and not name.lower().startswith("localhost"):
        return name.rstrip(".")
    return address_literal(local_ip)


def server_name(banner: Reply, greeting: Greeting | None, host: str, literal: str) -> str:
    """The server's own name: the first word of its banner or EHLO reply, if it is a name."""
    texts = [banner.lines[0] if banner.lines else ""]
    if greeting is not None:
        texts.append(greeting.reply_text.split("\n")[0])
    for text in texts:
        words = text.split()
        if words and _HOSTNAME.match(words[0]) and not _is_ip(words[0]):
            return words[0].rstrip(".")
    if _HOSTNAME.match(host) and not _is_ip(host):
        return host.rstrip(".")
    return literal


def needs_auth(reply: Reply) -> bool:
    """A refusal for want of authentication (not for want of TLS)."""
    if reply.code // 100 != 5 or _NEEDS_TLS.search(reply.text):
        return False
    return reply.code == 530 or _NEEDS_AUTH.search(reply.text) is not None


def classify(reply: Reply, stage: Stage) -> tuple[Outcome, str | None]:
    """Read a final reply: 2xx at RCPT accepted, 5xx refused, 4xx tempfail."""
    kind = reply.code // 100
    if kind == 2 and stage == "rcpt":
        return "accepted", None
    if needs_auth(reply):
        return "refused", "authentication required"
    if kind == 5 and reply.code == 530:
        return "refused", "the server wants STARTTLS first (try --starttls)"
    if kind == 5:
        return "refused", None
    if kind == 4:
        if stage == "rcpt" and _RELAY_DENIED.search(reply.text):
            return "refused", "temporary reply refusing to relay (not greylisting)"
        return "tempfail", None
    return "error", f"unexpected reply {reply.code} at {stage}"


# -- one test -------------------------------------------------------------------------
def _transaction(
    session: _Session, helo: str, mail_from: str, rcpt_to: str
) -> tuple[Outcome, Stage, Reply, str | None]:
    if session.current_helo != helo:
        greeting = session.greet(helo)
        if greeting.reply_code // 100 != 2:
            reply = Reply(greeting.reply_code, tuple(greeting.reply_text.split("\n")))
            outcome, reason = classify(reply, "helo")
            return outcome, "helo", reply, reason
    reply = session.cmd(f"MAIL FROM:{mail_from}")
    if reply.code // 100 != 2:
        outcome, reason = classify(reply, "mail")
        return outcome, "mail", reply, reason
    reply = session.cmd(f"RCPT TO:{rcpt_to}")
    outcome, reason = classify(reply, "rcpt")
    return outcome, "rcpt", reply, reason


def _run_one(
    session: _Session,
    test: ProbeTest,
    fields: dict[str, str],
    helo_name: str,
    *,
    may_reconnect: bool = True,
) -> ProbeResult:
    """One test; tried once more on a new connection if the first try was cut off."""
    base = ProbeResult(
        test.name, "skipped", kind=test.kind, description=test.description, landing=test.landing
    )
    try:
        helo = battery.render(test.helo, fields) if test.helo else helo_name
        mail_from = battery.render(test.mail_from, fields)
        rcpt_to = battery.render(test.rcpt_to, fields)
    except KeyError as exc:
        return replace(base, reason=f"needs --our-domain (field {exc})")
    base = replace(base, helo=helo, mail_from=mail_from, rcpt_to=rcpt_to)
    envelope = (helo, mail_from, rcpt_to)
    first, cut = _attempt(session, base, envelope, helo_name, may_reconnect)
    if not cut or not may_reconnect:
        return first
    second, _ = _attempt(session, base, envelope, helo_name, may_reconnect)
    if second.attempts == 0:  # no new connection to retry on
        return first
    why = f"retried on a new connection after the first attempt was cut off ({first.reason})"
    return replace(
        second,
        attempts=2,
        commands=first.commands + second.commands,
        reason=f"{why}; {second.reason}" if second.reason else why,
    )


def _attempt(
    session: _Session,
    base: ProbeResult,
    envelope: tuple[str, str, str],
    helo_name: str,
    may_reconnect: bool,
) -> tuple[ProbeResult, bool]:
    """One try of a prepared test (HELO, MAIL FROM, RCPT TO), and whether it was cut off."""
    usable = session.ensure(helo_name) if may_reconnect else session.dialogue is not None
    if not usable:
        return replace(
            base, outcome="error", reason=session.lost or "not run: connection lost"
        ), False
    session.pace()
    start = len(session.transcript)
    ran = replace(
        base, connection=session.connections, new_connection=session.after_loss, attempts=1
    )
    session.after_loss = False  # only the first test on it needed the new connection
    try:
        outcome, stage, reply, reason = _transaction(session, *envelope)
    except DialogueError as exc:
        session.drop(str(exc), by_server=not isinstance(exc, ReplyTimeout))
        commands = tuple(session.transcript[start:])
        return replace(
            ran, outcome="error", reply_text=str(exc), reason=str(exc), commands=commands
        ), True
    cut = session.dialogue is None  # a 421: the server closed the session on this test
    if cut:
        reason = f"server closed the session: {reply.code}"
    else:
        session.got_answer()
    _reset(session)
    return replace(
        ran,
        outcome=outcome,
        stage=stage,
        reply_code=reply.code,
        reply_text=reply.text,
        reason=reason,
        needs_auth=outcome == "refused" and needs_auth(reply),
        commands=tuple(session.transcript[start:]),
    ), cut


def _reset(session: _Session) -> None:
    """End the transaction with RSET; a failure here only costs the connection."""
    if session.dialogue is None:
        return
    try:
        reply = session.cmd("RSET")
    except DialogueError as exc:
        session.drop(str(exc), by_server=not isinstance(exc, ReplyTimeout))
        return
    if reply.code // 100 != 2:
        session.current_helo = None  # start the next test from a fresh EHLO
    else:
        session.completed += 1


# -- the authenticated check ----------------------------------------------------------
def _mechanisms(greeting: Greeting | None) -> list[str]:
    for ext in greeting.extensions if greeting else ():
        keyword, _, params = ext.partition(" ")
        if keyword == "AUTH":
            return params.upper().split()
        if keyword.startswith("AUTH="):  # pre-RFC 4954 servers
            return [keyword[5:], *params.upper().split()]
    return []


def _authenticate(session: _Session, mechanism: str, user: str, password: str) -> Reply:
    if mechanism == "PLAIN":
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        reply = session.cmd(f"AUTH PLAIN {token}", shown="AUTH PLAIN <credentials>")
        if reply.code == 334:  # a server that wants the response on its own line
            reply = session.cmd(token, shown="<credentials>")
        return reply
    reply = session.cmd("AUTH LOGIN")
    if reply.code == 334:
        reply = session.cmd(base64.b64encode(user.encode()).decode(), shown=f"<username {user}>")
    if reply.code == 334:
        reply = session.cmd(base64.b64encode(password.encode()).decode(), shown="<password>")
    return reply


def _auth_check(
    session: _Session,
    fields: dict[str, str],
    helo_name: str,
    credentials: tuple[str, str],
    allow_plaintext: bool,
) -> AuthCheck:
    user, password = credentials
    without = _run_one(session, AUTH_WITHOUT, fields, helo_name)
    result = AuthCheck(user, "inconclusive", "", without_auth=without)
    if not session.ensure(helo_name):
        return replace(result, message=session.lost or "connection lost")
    if session.current_helo != helo_name:
        session.greeting = session.greet(helo_name)
    mechanisms = [m for m in ("PLAIN", "LOGIN") if m in _mechanisms(session.greeting)]
    if not mechanisms:
        hint = "" if session.tls else " (some servers offer AUTH only after --starttls)"
        return replace(result, verdict="not-offered", message=f"no AUTH PLAIN/LOGIN{hint}")
    peer = session.dialogue.peer_ip if session.dialogue else ""
    if session.tls is None and not _is_loopback(peer) and not allow_plaintext:
        return replace(
            result,
            verdict="not-attempted",
            message="refusing to send a password in clear: use --starttls "
            "(or --allow-plaintext-auth)",
        )
    try:
        reply = _authenticate(session, mechanisms[0], user, password)
    except DialogueError as exc:
        session.drop(str(exc))
        return replace(result, mechanism=mechanisms[0], message=f"AUTH failed: {exc}")
    result = replace(
        result,
        mechanism=mechanisms[0],
        authenticated=reply.code == 235,
        reply_code=reply.code,
        reply_text=reply.text,
    )
    if reply.code != 235:
        verdict: AuthVerdict = "auth-failed" if reply.code // 100 == 5 else "inconclusive"
        return replace(result, verdict=verdict, message=f"AUTH refused: {reply.code}")
    # No reconnection here: a new session would be unauthenticated and prove nothing.
    control = None
    if "our" in fields:  # a submission port refusing strangers is checked for its own users
        control = _run_one(session, AUTH_CONTROL, fields, helo_name, may_reconnect=False)
    with_auth = _run_one(session, AUTH_WITH, fields, helo_name, may_reconnect=False)
    return _auth_verdict(replace(result, with_auth=with_auth, control_with_auth=control))


def _auth_verdict(check: AuthCheck) -> AuthCheck:
    without = check.without_auth.outcome if check.without_auth else "error"
    with_auth = check.with_auth.outcome if check.with_auth else "error"
    if without == "accepted":
        return replace(check, verdict="open-without-auth", message="relays without AUTH")
    if with_auth == "refused":
        return replace(
            check,
            verdict="authenticated-cannot-send",
            message="authenticated users cannot send: relaying refused after AUTH",
        )
    if with_auth == "accepted" and without == "refused":
        return replace(
            check, verdict="good", message="relaying refused without AUTH, accepted with it"
        )
    return replace(
        check, message=f"no final answer (without AUTH: {without}, with AUTH: {with_auth})"
    )


# -- the entry point ------------------------------------------------------------------
def _validate(
    host: str, port: int, our_domain: str | None, helo_name: str | None, timeout: float
) -> str:
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or any(c.isspace() for c in host):
        raise ConfigurationError(f"invalid host {host!r}", key="host", value=host)
    if not 0 < port < 65536:
        raise ConfigurationError(f"invalid port {port}", key="port", value=port)
    if our_domain is not None and not _HOSTNAME.match(our_domain):
        raise ConfigurationError(
            f"--our-domain must be a domain name, got {our_domain!r}",
            key="our_domain",
            value=our_domain,
        )
    if helo_name is not None and not (
        _HOSTNAME.match(helo_name) or re.fullmatch(r"\[[0-9A-Fa-f:.IPv]+\]", helo_name)
    ):
        raise ConfigurationError(
            f"invalid HELO name {helo_name!r}", key="helo_name", value=helo_name
        )
    if timeout <= 0:
        raise ConfigurationError("timeout must be positive", key="timeout", value=timeout)
    return host


def probe(
    host: str,
    config: ProbeConfig | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> ProbeReport:
    """Ask one SMTP server whether it relays, without ever sending a message::

        probe("mx.example.com", ProbeConfig(port=587, our_domain="example.com"))

    Each test is a transaction ended at ``RCPT TO`` (then ``RSET``); ``DATA`` is never
    sent. :class:`ProbeConfig` says how (the port, our domain, the tester's addresses, the
    tests, TLS, the authenticated check, the timeouts); without one, port 25 and the
    defaults of ``headertrace probe``. With ``config.auth`` the password is only sent over
    TLS, to a loopback server, or with ``allow_plaintext_auth``. ``config.reconnects``
    bounds the new connections opened after the server closed one, each after
    ``reconnect_delay`` seconds.

    ``sleep`` is how the probe waits between transactions (tests pass a recorder).

    Raises :class:`~headertrace.errors.ProbeError` when the server cannot be reached or
    the session cannot be set up (its ``report`` holds the dialogue so far), and
    :class:`~headertrace.errors.ConfigurationError` for invalid settings.
    """
    config = config or ProbeConfig()
    port, our_domain, helo_name = config.port, config.our_domain, config.helo_name
    mail_from, rcpt_to, auth = config.mail_from, config.rcpt_to, config.auth
    timeout, delay, tests = config.timeout, config.delay, config.tests
    starttls, allow_plaintext_auth = config.starttls, config.allow_plaintext_auth
    reconnects, reconnect_delay = config.reconnects, config.reconnect_delay
    host = _validate(host, port, our_domain, helo_name, timeout)
    battery.check_address(mail_from, "mail_from")
    battery.check_address(rcpt_to, "rcpt_to")
    selected = battery.select(tests)
    opts = _Options(
        host,
        port,
        helo_name,
        starttls,
        timeout,
        max(delay, 0.0),
        sleep,
        max(reconnects, 0),
        max(reconnect_delay, 0.0),
    )
    session = _Session(opts)
    try:
        return _probe(
            session,
            selected=selected,
            mail_from=mail_from,
            rcpt_to=rcpt_to,
            our_domain=our_domain,
            auth=auth,
            allow_plaintext_auth=allow_plaintext_auth,
        )
    except (DialogueError, ProbeError) as exc:
        if isinstance(exc, DialogueError):
            session.drop(str(exc))  # broken: no QUIT into it
        why = f"{host} port {port}: {exc}"
        unfinished = _unfinished(session, selected, why, (mail_from, rcpt_to, our_domain))
        raise ProbeError(why, report=unfinished) from exc
    finally:
        session.quit()


def _unfinished(
    session: _Session,
    selected: tuple[ProbeTest, ...],
    why: str,
    identity: tuple[str, str, str | None],
) -> ProbeReport:
    """The report of a run that broke before its tests: inconclusive, with the dialogue."""
    session.quit()
    mail_from, rcpt_to, our_domain = identity
    not_run = tuple(
        ProbeResult(
            t.name,
            "skipped",
            kind=t.kind,
            description=t.description,
            landing=t.landing,
            reason=f"not run: {why}",
        )
        for t in selected
    )
    return ProbeReport(
        host=session.opts.host,
        port=session.opts.port,
        banner=session.banner.text if session.banner else "",
        summary=summarize(not_run, refused_session=f"the probe could not run: {why}"),
        tests=not_run,
        ehlo=session.greeting,
        starttls=session.tls,
        mail_from=mail_from,
        rcpt_to=rcpt_to,
        our_domain=our_domain,
        error=why,
        transcript=tuple(session.transcript),
    )


def _probe(
    session: _Session,
    *,
    selected: tuple[ProbeTest, ...],
    mail_from: str,
    rcpt_to: str,
    our_domain: str | None,
    auth: tuple[str, str] | None,
    allow_plaintext_auth: bool,
) -> ProbeReport:
    opts = session.opts
    banner = session.open()
    assert session.dialogue is not None
    literal = address_literal(session.dialogue.peer_ip)
    helo_name = opts.helo_name or default_helo_name(session.dialogue.local_ip)
    refusal = session.start(banner, helo_name)
    name = server_name(banner, session.greeting, opts.host, literal)
    report = ProbeReport(
        host=opts.host,
        port=opts.port,
        banner=banner.text,
        summary=summarize(()),
        ehlo=session.greeting,
        starttls=session.tls,
        server_name=name,
        address_literal=literal,
        helo_name=helo_name,
        mail_from=mail_from,
        rcpt_to=rcpt_to,
        our_domain=our_domain,
    )
    if refusal.code // 100 != 2:
        why = f"server refused the session: {refusal.code} {refusal.text}"
        skipped = tuple(
            ProbeResult(
                t.name,
                "skipped",
                kind=t.kind,
                description=t.description,
                landing=t.landing,
                reason=why,
            )
            for t in selected
        )
        return _finish(report, session, skipped, None, refused=why)
    fields = battery.context(
        server_name=name,
        literal=literal,
        mail_from=mail_from,
        rcpt_to=rcpt_to,
        our_domain=our_domain,
        helo_name=helo_name,
    )
    results = catchall.weigh(_run_one(session, t, fields, helo_name) for t in selected)
    auth_check = (
        _auth_check(session, fields, helo_name, auth, allow_plaintext_auth) if auth else None
    )
    return _finish(report, session, results, auth_check)


def _finish(
    report: ProbeReport,
    session: _Session,
    results: tuple[ProbeResult, ...],
    auth_check: AuthCheck | None,
    *,
    refused: str = "",
) -> ProbeReport:
    session.quit()
    return replace(
        report,
        tests=results,
        auth=auth_check,
        summary=summarize(results, auth_check, refused_session=refused),
        transcript=tuple(session.transcript),
    )
