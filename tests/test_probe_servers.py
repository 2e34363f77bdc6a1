"""The probe against real SMTP servers on 127.0.0.1 (aiosmtpd) and misbehaving raw ones."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from headertrace.errors import ConfigurationError, ProbeError
from headertrace.probe import ProbeConfig, ProbeReport, probe
from headertrace.probe import runner as runner_module
from tests.test_probe_fakes import (
    OUR_DOMAIN,
    PASSWORD,
    SERVER_NAME,
    USER,
    AuthPolicy,
    Conn,
    DeferRelayPolicy,
    FooledPolicy,
    GreylistPolicy,
    OpenPolicy,
    Policy,
    ScriptedServer,
    check_credentials,
    free_port,
    polite,
    serve_until,
    smtp_server,
    tls_context,
)

pytestmark = pytest.mark.timeout(30)

FAST: dict[str, Any] = {"timeout": 2.0, "delay": 0.0, "reconnect_delay": 0.0}


def run(port: int, *, sleep: Callable[[float], None] = time.sleep, **kwargs: Any) -> ProbeReport:
    options = {**FAST, "our_domain": OUR_DOMAIN, **kwargs}
    return probe("127.0.0.1", ProbeConfig(port=port, **options), sleep=sleep)


def assert_no_data(report: ProbeReport) -> None:
    sent = [e.command.split(" ")[0].upper() for e in report.transcript]
    assert "DATA" not in sent
    assert "BDAT" not in sent


# -- the four kinds of aiosmtpd server ---------------------------------------------------
def test_closed_server_is_closed() -> None:
    policy = Policy()
    with smtp_server(policy) as port:
        report = run(port)
    assert report.status == "closed"
    assert report.exit_code == 0
    assert report.summary.control == "passed"
    assert report.summary.accepted == ()
    assert report.server_name == SERVER_NAME
    assert report.address_literal == "[127.0.0.1]"
    relay = [t for t in report.tests if t.kind == "relay"]
    assert len(relay) >= 25
    assert all(t.outcome == "refused" for t in relay)
    assert not policy.data_reached
    assert_no_data(report)


def test_open_server_is_open() -> None:
    policy = OpenPolicy()
    with smtp_server(policy) as port:
        report = run(port)
    assert report.status == "open"
    assert report.exit_code == 1
    assert "plain" in report.summary.accepted
    assert "null-sender" in report.summary.accepted
    assert report.result("plain").reply_code == 250
    assert report.result("plain").rcpt_to == "<relay-probe@example.net>"
    assert not policy.data_reached
    assert_no_data(report)


def test_fooled_server_is_open_through_percent_and_bang() -> None:
    policy = FooledPolicy()
    with smtp_server(policy) as port:
        report = run(port)
    accepted = set(report.summary.accepted)
    assert report.status == "open"
    assert {"percent-hack", "percent-hack-literal", "bang-path-name", "bang-path-literal"} <= (
        accepted
    )
    assert "plain" not in accepted
    assert "rcpt-literal" not in accepted
    assert report.result("percent-hack").rcpt_to == (f"<relay-probe%example.net@{SERVER_NAME}>")
    assert not policy.data_reached


def test_open_only_after_auth_is_closed_and_auth_is_good() -> None:
    policy = AuthPolicy()
    with smtp_server(policy, authenticator=check_credentials) as port:
        plain = run(port, tests=("plain",))
        report = run(port, tests=("plain",), auth=(USER, PASSWORD))
    assert plain.status == "closed"
    assert plain.auth is None
    assert report.status == "closed"
    assert report.auth is not None
    assert report.auth.verdict == "good"
    assert report.auth.authenticated is True
    assert report.auth.mechanism == "PLAIN"
    assert report.auth.without_auth is not None and report.auth.without_auth.outcome == "refused"
    assert report.auth.with_auth is not None and report.auth.with_auth.outcome == "accepted"
    assert not policy.data_reached


def test_password_never_in_transcript() -> None:
    with smtp_server(AuthPolicy(), authenticator=check_credentials) as port:
        report = run(port, tests=("plain",), auth=(USER, PASSWORD))
    text = report.to_json()
    assert PASSWORD not in text
    assert "AUTH PLAIN <credentials>" in text


def test_wrong_password_is_auth_failed() -> None:
    with smtp_server(AuthPolicy(), authenticator=check_credentials) as port:
        report = run(port, tests=("plain",), auth=(USER, "wrong"))
    assert report.auth is not None
    assert report.auth.verdict == "auth-failed"
    assert report.auth.authenticated is False
    assert report.auth.with_auth is None
    assert report.status == "closed"


def test_authenticated_users_cannot_send() -> None:
    with smtp_server(Policy(), authenticator=check_credentials) as port:
        report = run(port, tests=("plain",), auth=(USER, PASSWORD))
    assert report.auth is not None
    assert report.auth.verdict == "authenticated-cannot-send"
    assert "cannot send" in report.auth.message


def test_auth_not_offered() -> None:
    with smtp_server(Policy()) as port:
        report = run(port, tests=("plain",), auth=(USER, PASSWORD))
    assert report.auth is not None
    assert report.auth.verdict == "not-offered"


def test_no_password_in_clear_to_a_remote_server(monkeypatch: pytest.MonkeyPatch) -> None:
    # The only way to test the non-loopback rule without leaving loopback.
    monkeypatch.setattr(runner_module, "_is_loopback", lambda ip: False)
    with smtp_server(AuthPolicy(), authenticator=check_credentials) as port:
        refused = run(port, tests=("plain",), auth=(USER, PASSWORD))
        allowed = run(port, tests=("plain",), auth=(USER, PASSWORD), allow_plaintext_auth=True)
    assert refused.auth is not None and refused.auth.verdict == "not-attempted"
    assert not any(e.command.startswith("AUTH") for e in refused.transcript)
    assert allowed.auth is not None and allowed.auth.verdict == "good"


def test_auth_login_mechanism() -> None:
    with smtp_server(
        AuthPolicy(), authenticator=check_credentials, auth_exclude_mechanism=["PLAIN"]
    ) as port:
        report = run(port, tests=("plain",), auth=(USER, PASSWORD))
    assert report.auth is not None
    assert report.auth.mechanism == "LOGIN"
    assert report.auth.verdict == "good"
    assert PASSWORD not in report.to_json()


def test_starttls_then_auth(tmp_path: Path) -> None:
    context = tls_context(tmp_path)
    policy = AuthPolicy()
    with smtp_server(
        policy, authenticator=check_credentials, tls_context=context, auth_require_tls=True
    ) as port:
        report = run(port, tests=("plain",), starttls=True, auth=(USER, PASSWORD))
    assert report.starttls is not None
    assert report.starttls.version is not None and report.starttls.version.startswith("TLS")
    assert report.auth is not None and report.auth.verdict == "good"
    assert report.to_dict()["starttls"]["certificate_verified"] is False


def test_starttls_not_offered_is_an_error() -> None:
    with smtp_server(Policy()) as port, pytest.raises(ProbeError, match="STARTTLS"):
        run(port, starttls=True)


# -- inconclusive servers ---------------------------------------------------------------
def test_greylisting_is_inconclusive() -> None:
    policy = GreylistPolicy()
    with smtp_server(policy) as port:
        report = run(port)
    assert report.status == "inconclusive"
    assert report.exit_code == 2
    assert report.summary.control == "failed"
    # aiosmtpd itself refuses the addresses it cannot parse (553) before the handler runs.
    assert {t.outcome for t in report.tests} == {"tempfail", "refused"}
    assert report.result("plain").outcome == "tempfail"
    assert report.result("plain").reply_code == 451


def test_deferred_relay_denial_counts_as_refused() -> None:
    # Postfix's default defer_unauth_destination answers 454 "Relay access denied".
    with smtp_server(DeferRelayPolicy()) as port:
        report = run(port)
    assert report.status == "closed"
    plain = report.result("plain")
    assert plain.outcome == "refused"
    assert plain.reply_code == 454
    assert plain.reason is not None and "not greylisting" in plain.reason


def test_control_refused_is_inconclusive() -> None:
    with smtp_server(Policy()) as port:
        report = run(port, our_domain="elsewhere.example")
    assert report.summary.control == "failed"
    assert report.status == "inconclusive"
    assert any("control" in r for r in report.summary.reasons)


def test_without_our_domain_control_is_skipped() -> None:
    with smtp_server(Policy()) as port:
        report = run(port, our_domain=None)
    control = report.result("control-local")
    assert control.outcome == "skipped"
    assert control.reason is not None and "--our-domain" in control.reason
    assert report.result("sender-our-domain").outcome == "skipped"
    assert report.summary.control == "skipped"
    assert report.status == "closed"
    assert any("no control" in r for r in report.summary.reasons)


# -- the dialogue itself ----------------------------------------------------------------
def test_each_test_is_its_own_transaction() -> None:
    with smtp_server(Policy()) as port:
        report = run(port, tests=("plain", "percent-hack"))
    for result in report.tests:
        verbs = [c.command.split(" ")[0] for c in result.commands]
        assert verbs[-3:] == ["MAIL", "RCPT", "RSET"]
    assert report.transcript[0].command == "(banner)"
    assert report.transcript[-1].command == "QUIT"


def test_helo_spoofing_sends_a_fresh_ehlo_per_test() -> None:
    policy = Policy()
    with smtp_server(policy) as port:
        report = run(
            port,
            helo_name="probe.tester.example",
            tests=("helo-localhost", "helo-own-name", "helo-own-literal", "plain"),
        )
    # Battery order: control and plain under our own name, then the spoofed names.
    assert policy.helos == ["probe.tester.example", "localhost", SERVER_NAME, "[127.0.0.1]"]
    assert report.result("helo-localhost").helo == "localhost"
    assert report.result("helo-own-name").commands[0].command == f"EHLO {SERVER_NAME}"
    assert report.result("plain").helo == "probe.tester.example"


def test_only_selects_tests_and_keeps_the_control() -> None:
    with smtp_server(Policy()) as port:
        report = run(port, tests=("plain",))
    assert [t.name for t in report.tests] == ["control-local", "plain"]


def test_unknown_test_name_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="nope"):
        probe("127.0.0.1", ProbeConfig(port=25, tests=("nope",)))


@pytest.mark.parametrize("bad", ["a@b.example>\r\nDATA", "no-at-sign", "a b@c.example"])
def test_tester_addresses_cannot_inject_commands(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        probe("127.0.0.1", ProbeConfig(port=25, mail_from=bad))


def test_delay_between_transactions() -> None:
    sleeps: list[float] = []
    with smtp_server(Policy()) as port:
        report = run(port, tests=("plain", "null-sender"), delay=0.25, sleep=sleeps.append)
    ran = [t for t in report.tests if t.outcome != "skipped"]
    assert sleeps == [0.25] * (len(ran) - 1)


def test_json_has_the_promised_keys() -> None:
    with smtp_server(Policy()) as port:
        data = run(port, tests=("plain",)).to_dict()
    assert {"host", "port", "banner", "ehlo", "starttls", "summary", "tests"} <= set(data)
    assert set(data["summary"]) >= {"status", "accepted"}
    for test in data["tests"]:
        assert {
            "name",
            "helo",
            "mail_from",
            "rcpt_to",
            "reply_code",
            "reply_text",
            "outcome",
            "commands",
        } <= set(test)


# -- misbehaving servers ----------------------------------------------------------------
def banner_and_ehlo(conn: Conn) -> bool:
    """Greet, answer one EHLO; False if the client went away."""
    conn.send(f"220 {SERVER_NAME} ESMTP")
    line = conn.readline()
    if line is None:
        return False
    conn.send(f"250-{SERVER_NAME}\r\n250 8BITMIME")
    return True


def test_drop_after_ehlo_reconnects_once_then_gives_up() -> None:
    def script(conn: Conn) -> None:
        if banner_and_ehlo(conn):
            conn.readline()  # the first MAIL: hang up on it

    with ScriptedServer(script) as server:
        report = probe("127.0.0.1", ProbeConfig(port=server.port, **FAST, our_domain=OUR_DOMAIN))
    assert server.connections == 2
    assert report.status == "inconclusive"
    assert {t.outcome for t in report.tests} == {"error"}
    assert "closed the connection" in report.tests[0].reply_text
    assert report.tests[-1].reason is not None and report.tests[-1].reason.startswith("not run")
    assert not server.data_reached


def test_server_that_stops_answering_is_bounded_by_the_timeout() -> None:
    def script(conn: Conn) -> None:
        if banner_and_ehlo(conn):
            while conn.readline() is not None:
                pass  # read everything, answer nothing

    start = time.monotonic()
    with ScriptedServer(script) as server:
        report = probe(
            "127.0.0.1",
            ProbeConfig(
                port=server.port, timeout=0.5, delay=0, reconnect_delay=0, our_domain=OUR_DOMAIN
            ),
        )
    elapsed = time.monotonic() - start
    assert elapsed < 4
    assert report.status == "inconclusive"
    assert report.tests[0].outcome == "error"
    assert "no reply within 0.5s" in report.tests[0].reply_text
    assert server.connections == 2
    assert not server.data_reached


def test_421_mid_session_retries_the_test_on_a_new_connection() -> None:
    calls = {"n": 0}

    def answer(line: str) -> str | None:
        if line.startswith("RCPT") and calls["n"] == 0 and "postmaster" not in line:
            calls["n"] += 1
            return "421 4.3.2 shutting down"
        return polite(line)

    def script(conn: Conn) -> None:
        conn.send(f"220 {SERVER_NAME} ESMTP")
        serve_until(conn, answer)

    with ScriptedServer(script) as server:
        report = probe(
            "127.0.0.1",
            ProbeConfig(
                port=server.port, **FAST, our_domain=OUR_DOMAIN, tests=("plain", "null-sender")
            ),
        )
    plain = report.result("plain")
    # A 421 is the server closing the channel, not an answer about relaying: asked again.
    assert plain.outcome == "refused"
    assert plain.attempts == 2
    assert plain.new_connection and plain.connection == 2
    assert plain.reason is not None and "421" in plain.reason
    assert [c.reply_code for c in plain.commands if c.command.startswith("RCPT")] == [421, 550]
    assert report.result("null-sender").outcome == "refused"
    after = report.result("null-sender")
    assert after.connection == 3 and not after.new_connection  # a planned renewal
    assert server.connections == 3
    assert report.status == "closed"
    assert any("ran on a new one" in r for r in report.summary.reasons)


def test_421_on_every_retry_stays_tempfail() -> None:
    def answer(line: str) -> str | None:
        if line.startswith("RCPT") and "postmaster" not in line:
            return "421 4.3.2 shutting down"
        return polite(line)

    def script(conn: Conn) -> None:
        conn.send(f"220 {SERVER_NAME} ESMTP")
        serve_until(conn, answer)

    with ScriptedServer(script) as server:
        report = probe(
            "127.0.0.1",
            ProbeConfig(port=server.port, **FAST, our_domain=OUR_DOMAIN, tests=("plain",)),
        )
    assert report.result("plain").outcome == "tempfail"
    assert report.result("plain").attempts == 2
    assert report.status == "inconclusive"
    assert not server.data_reached


def test_server_without_ehlo_gets_helo() -> None:
    def answer(line: str) -> str | None:
        return "502 5.5.2 EHLO not implemented" if line.startswith("EHLO") else polite(line)

    def script(conn: Conn) -> None:
        conn.send(f"220 {SERVER_NAME} SMTP")
        serve_until(conn, answer)

    with ScriptedServer(script) as server:
        report = probe(
            "127.0.0.1",
            ProbeConfig(port=server.port, **FAST, our_domain=OUR_DOMAIN, tests=("helo-localhost",)),
        )
    assert report.ehlo is not None and report.ehlo.verb == "HELO"
    assert report.status == "closed"
    assert "HELO localhost" in [c.command for c in report.result("helo-localhost").commands]


def test_banner_refusal_is_inconclusive_not_an_exception() -> None:
    def script(conn: Conn) -> None:
        conn.send("554 5.7.1 no SMTP service for you")
        serve_until(conn, polite)

    with ScriptedServer(script) as server:
        report = probe("127.0.0.1", ProbeConfig(port=server.port, **FAST))
    assert report.status == "inconclusive"
    assert report.banner == "5.7.1 no SMTP service for you"
    assert {t.outcome for t in report.tests} == {"skipped"}


def test_silent_server_raises_probe_error_within_timeout() -> None:
    def script(conn: Conn) -> None:
        conn.readline()  # never greet

    start = time.monotonic()
    with ScriptedServer(script) as server, pytest.raises(ProbeError, match="no reply"):
        probe("127.0.0.1", ProbeConfig(port=server.port, timeout=0.5, delay=0))
    assert time.monotonic() - start < 3


def test_dribbling_server_cannot_outlast_the_timeout() -> None:
    def script(conn: Conn) -> None:
        for char in "220 slowly, very slowly\r\n":
            conn.sock.sendall(char.encode())
            time.sleep(0.1)

    start = time.monotonic()
    with ScriptedServer(script) as server, pytest.raises(ProbeError):
        probe("127.0.0.1", ProbeConfig(port=server.port, timeout=0.5, delay=0))
    assert time.monotonic() - start < 2


def test_nothing_listening_raises_probe_error() -> None:
    with pytest.raises(ProbeError, match="cannot connect"):
        probe("127.0.0.1", ProbeConfig(port=free_port(), timeout=1, delay=0))


def test_multiline_replies_are_joined() -> None:
    def answer(line: str) -> str | None:
        if line.startswith("RCPT") and "postmaster" not in line:
            return "550-5.7.1 Relaying denied.\r\n550-See the policy page\r\n550 5.7.1 Bye"
        return polite(line)

    def script(conn: Conn) -> None:
        conn.send(f"220 {SERVER_NAME} ESMTP")
        serve_until(conn, answer)

    with ScriptedServer(script) as server:
        report = probe("127.0.0.1", ProbeConfig(port=server.port, **FAST, tests=("plain",)))
    plain = report.result("plain")
    assert plain.reply_text == "5.7.1 Relaying denied.\nSee the policy page\n5.7.1 Bye"
    assert plain.outcome == "refused"


def test_sessions_are_renewed_before_error_limits() -> None:
    mails_per_connection: list[int] = []

    def script(conn: Conn) -> None:
        conn.send(f"220 {SERVER_NAME} ESMTP")
        mails_per_connection.append(0)
        index = len(mails_per_connection) - 1

        def answer(line: str) -> str | None:
            if line.startswith("MAIL"):
                mails_per_connection[index] += 1
            return polite(line)

        serve_until(conn, answer)

    with ScriptedServer(script) as server:
        report = probe("127.0.0.1", ProbeConfig(port=server.port, **FAST, our_domain=OUR_DOMAIN))
    assert report.status == "closed"
    assert sum(mails_per_connection) == len(report.tests)
    assert max(mails_per_connection) <= 10
    assert server.received.count("QUIT") == len(mails_per_connection)
