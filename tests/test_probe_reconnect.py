"""Servers that hang up mid-run: every test still runs, and says on which connection."""

from __future__ import annotations

from typing import Any

import pytest

from headertrace.probe import ProbeConfig, probe
from tests.test_probe_fakes import (
    OUR_DOMAIN,
    SERVER_NAME,
    Conn,
    EximSyntaxLimitPolicy,
    ScriptedServer,
    polite,
    serve_until,
    smtp_server,
)

pytestmark = pytest.mark.timeout(30)

FAST: dict[str, Any] = {"timeout": 2.0, "delay": 0.0, "reconnect_delay": 0.0}


@pytest.mark.parametrize(
    ("limit", "reconnects", "hangups"),
    [(3, 10, 1), (1, 10, 1), (0, 20, 3)],  # 0: hangs up on the first syntax error
)
def test_hang_up_after_syntax_errors_runs_every_test(
    limit: int, reconnects: int, hangups: int
) -> None:
    policy = EximSyntaxLimitPolicy(limit)
    sleeps: list[float] = []
    with smtp_server(policy) as port:
        report = probe(
            "127.0.0.1",
            ProbeConfig(
                port=port,
                **{**FAST, "reconnect_delay": 0.01},
                our_domain=OUR_DOMAIN,
                reconnects=reconnects,
            ),
            sleep=sleeps.append,
        )
    assert policy.hangups >= hangups  # the probe used to reconnect once, then give up
    assert not policy.data_reached
    assert [t.outcome for t in report.tests if t.outcome in ("error", "skipped")] == []
    assert report.status == "closed", report.summary.reasons
    assert report.summary.accepted == ()
    renewed = [t for t in report.tests if t.new_connection]
    assert len(renewed) == policy.hangups
    for test in renewed:
        previous = report.tests[report.tests.index(test) - 1]
        assert "Too many syntax" in previous.reply_text
        assert test.connection is not None and previous.connection is not None
        assert test.connection == previous.connection + 1
        assert test.attempts == 1  # the hang-up came after a final answer: nothing to retry
    assert sleeps.count(0.01) == policy.hangups
    assert any("ran on a new one" in r for r in report.summary.reasons)


def test_every_test_records_its_connection() -> None:
    policy = EximSyntaxLimitPolicy()
    with smtp_server(policy) as port:
        data = probe("127.0.0.1", ProbeConfig(port=port, **FAST, our_domain=OUR_DOMAIN)).to_dict()
    connections = [t["connection"] for t in data["tests"]]
    assert connections[0] == 1
    assert connections == sorted(connections)
    assert all({"connection", "new_connection", "attempts"} <= set(t) for t in data["tests"])


def test_reconnections_are_bounded() -> None:
    # Hangs up after every answered RCPT: each connection makes progress, so only the
    # budget stops the probe.
    def script(conn: Conn) -> None:
        conn.send(f"220 {SERVER_NAME} ESMTP")

        def answer(line: str) -> str | None:
            if line.startswith("RSET"):
                return None
            return polite(line)

        serve_until(conn, answer)

    with ScriptedServer(script) as server:
        report = probe(
            "127.0.0.1", ProbeConfig(port=server.port, **FAST, reconnects=3, our_domain=OUR_DOMAIN)
        )
    assert server.connections == 4
    ran = [t for t in report.tests if t.attempts]
    assert len(ran) == 4
    not_run = [t for t in report.tests if not t.attempts]
    assert not_run and all(t.outcome == "error" for t in not_run)
    assert not_run[0].reason is not None and "all 3 reconnections used" in not_run[0].reason
    assert report.status == "inconclusive"
    assert not server.data_reached


def test_a_test_cut_off_is_retried_once() -> None:
    cut = {"done": False}

    def script(conn: Conn) -> None:
        conn.send(f"220 {SERVER_NAME} ESMTP")

        def answer(line: str) -> str | None:
            if line.startswith("RCPT") and "example.net" in line and not cut["done"]:
                cut["done"] = True
                return None  # hang up without answering
            return polite(line)

        serve_until(conn, answer)

    with ScriptedServer(script) as server:
        report = probe(
            "127.0.0.1",
            ProbeConfig(
                port=server.port, **FAST, our_domain=OUR_DOMAIN, tests=("plain", "null-sender")
            ),
        )
    plain = report.result("plain")
    assert plain.outcome == "refused"
    assert plain.attempts == 2
    assert plain.connection == 2 and plain.new_connection
    assert plain.reason is not None and "cut off" in plain.reason
    assert [c.command for c in plain.commands].count("RCPT TO:<relay-probe@example.net>") == 2
    assert report.status == "closed"
    # The hang-up came after one complete transaction: from then on one test per connection,
    # ended with QUIT (a planned renewal, not a new_connection).
    after = report.result("null-sender")
    assert after.connection == 3 and not after.new_connection
    assert server.connections == 3


def test_after_a_hang_up_sessions_are_renewed_before_the_limit() -> None:
    # Postfix's smtpd_hard_error_limit: the command after the 3rd refusal gets a 421.
    per_connection: list[int] = []

    def script(conn: Conn) -> None:
        conn.send(f"220 {SERVER_NAME} ESMTP")
        per_connection.append(0)
        index = len(per_connection) - 1

        def answer(line: str) -> str | None:
            if per_connection[index] >= 3:
                return "421 4.7.0 mx Error: too many errors"
            reply = polite(line)
            if reply is not None and reply.startswith("5"):
                per_connection[index] += 1
            return reply

        serve_until(conn, answer)

    with ScriptedServer(script) as server:
        report = probe("127.0.0.1", ProbeConfig(port=server.port, **FAST, our_domain=OUR_DOMAIN))
    assert report.status == "closed", report.summary.reasons
    assert [t for t in report.tests if t.outcome != "refused" and t.kind == "relay"] == []
    # One hang-up taught the limit: later connections end with QUIT before it.
    assert sum(t.new_connection for t in report.tests) == 1
    assert "421" not in [str(e.reply_code) for e in report.transcript[-4:]]
    assert not server.data_reached
