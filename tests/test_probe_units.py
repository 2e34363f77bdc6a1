"""The probe's parts without a server: reply reading, guards, battery, verdict rules."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headertrace.errors import ConfigurationError
from headertrace.probe import BATTERY, TEST_NAMES, ProbeConfig, ProbeResult, probe
from headertrace.probe.battery import check_address, context, render, select
from headertrace.probe.report import AuthCheck, Exchange, summarize
from headertrace.probe.runner import classify
from headertrace.probe.smtp import (
    ConnectionLost,
    Dialogue,
    ProtocolViolation,
    Reply,
    ReplyTimeout,
    address_literal,
    check_command,
)

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def pair() -> Iterator[tuple[Dialogue, socket.socket]]:
    ours, theirs = socket.socketpair()
    dialogue = Dialogue(ours, 0.3, [])
    yield dialogue, theirs
    dialogue.close()
    theirs.close()


# -- reading replies --------------------------------------------------------------------
def test_multiline_reply(pair: tuple[Dialogue, socket.socket]) -> None:
    dialogue, server = pair
    server.sendall(b"250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
    reply = dialogue.read_reply()
    assert reply == Reply(250, ("mx.example", "PIPELINING", "8BITMIME"))
    assert reply.text == "mx.example\nPIPELINING\n8BITMIME"


def test_bare_code_and_lf_only(pair: tuple[Dialogue, socket.socket]) -> None:
    dialogue, server = pair
    server.sendall(b"354\n")
    assert dialogue.read_reply() == Reply(354, ("",))


def test_garbage_is_a_protocol_violation(pair: tuple[Dialogue, socket.socket]) -> None:
    dialogue, server = pair
    server.sendall(b"HTTP/1.1 400 Bad Request\r\n")
    with pytest.raises(ProtocolViolation):
        dialogue.read_reply()


def test_endless_line_is_a_protocol_violation(pair: tuple[Dialogue, socket.socket]) -> None:
    dialogue, server = pair
    server.sendall(b"250 " + b"x" * 5000)
    with pytest.raises(ProtocolViolation):
        dialogue.read_reply()


def test_timeout(pair: tuple[Dialogue, socket.socket]) -> None:
    dialogue, server = pair
    server.sendall(b"250-partial\r\n")
    with pytest.raises(ReplyTimeout):
        dialogue.read_reply()


def test_hangup(pair: tuple[Dialogue, socket.socket]) -> None:
    dialogue, server = pair
    server.close()
    with pytest.raises(ConnectionLost):
        dialogue.read_reply()


def test_command_is_recorded_with_redaction(pair: tuple[Dialogue, socket.socket]) -> None:
    dialogue, server = pair
    server.sendall(b"235 2.7.0 ok\r\n")
    dialogue.command("AUTH PLAIN c2VjcmV0", shown="AUTH PLAIN <credentials>")
    assert server.recv(100) == b"AUTH PLAIN c2VjcmV0\r\n"
    assert dialogue.transcript == [Exchange("AUTH PLAIN <credentials>", 235, "2.7.0 ok")]


line_text = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=0, max_size=60
)


@given(code=st.integers(200, 599), lines=st.lists(line_text, min_size=1, max_size=8))
def test_any_reply_round_trips(code: int, lines: list[str]) -> None:
    ours, theirs = socket.socketpair()
    try:
        wire = "".join(
            f"{code}{'-' if i < len(lines) - 1 else ' '}{text}\r\n" for i, text in enumerate(lines)
        )
        theirs.sendall(wire.encode())
        assert Dialogue(ours, 1.0, []).read_reply() == Reply(code, tuple(lines))
    finally:
        ours.close()
        theirs.close()


# -- the guards -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line", ["DATA", "data", "BDAT 100 LAST", "MAIL FROM:<a@b>\r\nDATA", "RCPT TO:<a@b>\n"]
)
def test_never_data_and_never_two_lines(line: str) -> None:
    with pytest.raises(ValueError):
        check_command(line)


def test_ordinary_commands_pass() -> None:
    check_command('RCPT TO:<"a@b"@c>')
    check_command("MAIL FROM:<>")


@pytest.mark.parametrize(
    ("ip", "literal"),
    [
        ("192.0.2.1", "[192.0.2.1]"),
        ("2001:db8::1", "[IPv6:2001:db8::1]"),
        ("::ffff:192.0.2.1", "[192.0.2.1]"),
        ("fe80::1%eth0", "[IPv6:fe80::1]"),
    ],
)
def test_address_literal(ip: str, literal: str) -> None:
    assert address_literal(ip) == literal


# -- the battery ------------------------------------------------------------------------
def test_battery_names_are_unique_and_control_first() -> None:
    assert len(set(TEST_NAMES)) == len(TEST_NAMES)
    assert BATTERY[0].kind == "control"
    assert BATTERY[0].needs_our_domain


def test_every_template_renders_and_is_one_address() -> None:
    fields = context(
        server_name="mx.example.com",
        literal="[192.0.2.25]",
        mail_from="a@example.org",
        rcpt_to="b@example.net",
        our_domain="example.com",
        helo_name="probe.example.org",
    )
    for test in BATTERY:
        for template in (test.mail_from, test.rcpt_to):
            path = render(template, fields)
            assert path.startswith("<") and path.endswith(">"), test.name
            check_command(f"RCPT TO:{path}")


def test_recipient_tricks_render_as_documented() -> None:
    fields = context(
        server_name="mx.example.com",
        literal="[192.0.2.25]",
        mail_from="a@example.org",
        rcpt_to="b@example.net",
        our_domain=None,
        helo_name="p.example",
    )
    rendered = {t.name: render(t.rcpt_to, fields) for t in BATTERY if not t.needs_our_domain}
    assert rendered["percent-hack"] == "<b%example.net@mx.example.com>"
    assert rendered["percent-hack-literal"] == "<b%example.net@[192.0.2.25]>"
    assert rendered["quoted-at"] == '<"b@example.net">'
    assert rendered["double-at"] == "<b@example.net@mx.example.com>"
    assert rendered["source-route-chain"] == "<@mx.example.com,@[192.0.2.25]:b@example.net>"
    assert rendered["bang-path"] == "<example.net!b>"
    assert rendered["bang-path-literal"] == "<example.net!b@[192.0.2.25]>"
    assert rendered["trailing-dot"] == "<b@example.net.>"
    assert rendered["case-mixed"] == "<B@eXaMpLe.nEt>"


def test_select_keeps_battery_order() -> None:
    names = [t.name for t in select(["bang-path", "plain"])]
    # bang-path lands on the server without a domain: its catch-all check comes with it.
    assert names == ["control-local", "catch-all-unqualified", "plain", "bang-path"]


@pytest.mark.parametrize("bad", ["", "a", "a@", "@b", "<a@b>", "a b@c", "a@b\r\nDATA"])
def test_check_address_rejects(bad: str) -> None:
    with pytest.raises(ConfigurationError):
        check_address(bad, "mail_from")


# -- classification and verdict ---------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "text", "stage", "outcome"),
    [
        (250, "ok", "rcpt", "accepted"),
        (251, "will forward", "rcpt", "accepted"),
        (550, "no", "rcpt", "refused"),
        (553, "malformed", "mail", "refused"),
        (451, "Greylisted", "rcpt", "tempfail"),
        (454, "4.7.1 <x@y>: Relay access denied", "rcpt", "refused"),
        (450, "Relaying temporarily denied", "rcpt", "refused"),
        (421, "closing", "mail", "tempfail"),
        (354, "go ahead", "rcpt", "error"),
    ],
)
def test_classify(code: int, text: str, stage: str, outcome: str) -> None:
    assert classify(Reply(code, (text,)), stage)[0] == outcome  # type: ignore[arg-type]


def r(name: str, outcome: str, kind: str = "relay") -> ProbeResult:
    return ProbeResult(name, outcome, kind=kind)  # type: ignore[arg-type]


def test_summary_rules() -> None:
    control = r("control-local", "accepted", "control")
    assert summarize((control, r("a", "refused"))).status == "closed"
    assert summarize((control, r("a", "accepted"), r("b", "error"))).status == "open"
    assert summarize((control, r("a", "refused"), r("b", "tempfail"))).status == "inconclusive"
    assert summarize((control, r("a", "refused"), r("b", "error"))).status == "inconclusive"
    failed = r("control-local", "refused", "control")
    assert summarize((failed, r("a", "refused"))).status == "inconclusive"
    assert summarize((control, r("a", "skipped"))).status == "inconclusive"
    no_control = summarize((r("control-local", "skipped", "control"), r("a", "refused")))
    assert no_control.status == "closed"
    assert no_control.control == "skipped"


def test_unauthenticated_half_of_auth_check_counts_as_open() -> None:
    auth = AuthCheck("u", "open-without-auth", "", without_auth=r("auth-without", "accepted"))
    summary = summarize((r("a", "refused"),), auth)
    assert summary.status == "open"
    assert summary.accepted == ("auth:auth-without",)


def test_probe_config_is_a_frozen_record_with_the_command_defaults() -> None:
    config = ProbeConfig(tests=["plain"], auth=("alice", "s3cret"))  # type: ignore[arg-type]
    assert config.tests == ("plain",)
    assert ProbeConfig(tests="plain").tests == ("plain",)  # type: ignore[arg-type]
    assert "s3cret" not in repr(config)
    assert config == ProbeConfig(tests=("plain",), auth=("alice", "s3cret"))
    with pytest.raises(AttributeError):
        config.port = 587  # type: ignore[misc]
    default = ProbeConfig()
    assert (default.port, default.timeout, default.delay, default.tests) == (25, 10.0, 1.0, None)
    assert (default.reconnects, default.reconnect_delay) == (10, 3.0)


@pytest.mark.parametrize(
    "config",
    [ProbeConfig(port=0), ProbeConfig(tests=("nope",)), ProbeConfig(mail_from="a@b\r\nDATA")],
)
def test_probe_checks_its_config_before_connecting(config: ProbeConfig) -> None:
    with pytest.raises(ConfigurationError):
        probe("127.0.0.1", config)
