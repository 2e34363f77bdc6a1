"""``headertrace probe`` in-process, through a click group of our own."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from headertrace.probe.command import PASSWORD_ENV, parse_target, probe_command
from tests.test_probe_fakes import (
    OUR_DOMAIN,
    PASSWORD,
    SERVER_NAME,
    USER,
    AuthPolicy,
    CatchAllPolicy,
    Conn,
    GreylistPolicy,
    OpenPolicy,
    Policy,
    ScriptedServer,
    check_credentials,
    free_port,
    smtp_server,
)

pytestmark = pytest.mark.timeout(30)


@click.group()
def cli() -> None:
    """A stand-in for headertrace's main group."""


cli.add_command(probe_command)

FAST = ["--timeout", "2", "--delay", "0", "--reconnect-delay", "0"]


def invoke(*args: str, **kwargs: object) -> click.testing.Result:
    return CliRunner().invoke(cli, ["probe", *args], **kwargs)  # type: ignore[arg-type]


def test_closed_server_exits_0_with_a_table() -> None:
    with smtp_server(Policy()) as port:
        result = invoke(f"127.0.0.1:{port}", "--our-domain", OUR_DOMAIN, *FAST)
    assert result.exit_code == 0, result.output
    assert "CLOSED" in result.output
    assert "percent-hack" in result.output
    assert "EHLO [127.0.0.1]" in result.output  # rich markup must not eat address literals


def test_open_server_exits_1_and_names_the_tests() -> None:
    with smtp_server(OpenPolicy()) as port:
        result = invoke("127.0.0.1", "--port", str(port), "--our-domain", OUR_DOMAIN, *FAST)
    assert result.exit_code == 1
    assert "OPEN" in result.output
    assert "plain" in result.output


def test_catch_all_table_says_inconclusive_not_open() -> None:
    with smtp_server(CatchAllPolicy()) as port:
        result = invoke(
            f"127.0.0.1:{port}",
            "--our-domain",
            OUR_DOMAIN,
            "--only",
            "percent-hack-our-domain",
            *FAST,
            env={"COLUMNS": "200"},  # one table row per line
        )
    assert result.exit_code == 2, result.output
    assert "INCONCLUSIVE" in result.output
    assert "may be delivered locally" in result.output
    assert "catch-all" in result.output


def test_greylisting_exits_2() -> None:
    with smtp_server(GreylistPolicy()) as port:
        result = invoke(f"127.0.0.1:{port}", "--our-domain", OUR_DOMAIN, *FAST)
    assert result.exit_code == 2
    assert "INCONCLUSIVE" in result.output


def test_json_output() -> None:
    with smtp_server(OpenPolicy()) as port:
        result = invoke(
            f"127.0.0.1:{port}", "--json", "--only", "plain", "--only", "bang-path", *FAST
        )
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["host"] == "127.0.0.1"
    assert data["port"] == port
    assert data["summary"]["status"] == "open"
    # This server takes anything, so its taking a bang path proves nothing on its own.
    assert data["summary"]["accepted"] == ["plain"]
    assert data["summary"]["catch_all"] == "detected"
    assert data["summary"]["catch_all_at"] == ["unqualified"]
    names = [t["name"] for t in data["tests"]]
    assert names == ["control-local", "catch-all-unqualified", "plain", "bang-path"]
    assert data["tests"][0]["outcome"] == "skipped"
    assert data["tests"][3]["outcome"] == "inconclusive"
    assert data["tests"][3]["landing"] == "unqualified"


def test_tester_addresses_and_helo_name_are_used() -> None:
    policy = Policy()
    with smtp_server(policy) as port:
        result = invoke(
            f"127.0.0.1:{port}",
            "--from",
            "me@tester.example",
            "--to",
            "you@victim.example",
            "--helo-name",
            "probe.tester.example",
            "--only",
            "plain",
            "--json",
            *FAST,
        )
    assert result.exit_code == 0
    assert policy.mail_from == ["me@tester.example"]
    assert policy.rcpt_to == ["you@victim.example"]
    assert policy.helos == ["probe.tester.example"]


def test_auth_password_from_environment() -> None:
    with smtp_server(AuthPolicy(), authenticator=check_credentials) as port:
        result = invoke(
            f"127.0.0.1:{port}",
            "--auth",
            USER,
            "--only",
            "plain",
            "--json",
            *FAST,
            env={PASSWORD_ENV: PASSWORD},
        )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["auth"]["verdict"] == "good"


def test_auth_password_from_prompt() -> None:
    with smtp_server(AuthPolicy(), authenticator=check_credentials) as port:
        result = invoke(
            f"127.0.0.1:{port}",
            "--auth",
            USER,
            "--only",
            "plain",
            *FAST,
            input=f"{PASSWORD}\n",
            env={PASSWORD_ENV: ""},
        )
    assert result.exit_code == 0, result.output
    assert "good" in result.output
    assert PASSWORD not in result.output


def test_unreachable_server_exits_2_with_an_error() -> None:
    result = invoke(f"127.0.0.1:{free_port()}", "--timeout", "1")
    assert result.exit_code == 2
    assert "error:" in result.stderr
    assert result.stdout == ""


def json_report(result: click.testing.Result) -> dict[str, object]:
    """The report on standard output: one JSON document, nothing else."""
    assert result.exit_code == 2, result.output
    assert "error:" in result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    summary = data["summary"]
    assert isinstance(summary, dict)
    assert summary["status"] == "inconclusive"
    assert summary["accepted"] == []
    assert isinstance(data["error"], str)
    assert any("could not run" in r for r in summary["reasons"])
    tests = data["tests"]
    assert isinstance(tests, list) and tests
    assert {t["outcome"] for t in tests} == {"skipped"}
    return data


def test_json_when_nothing_listens() -> None:
    port = free_port()
    data = json_report(invoke(f"127.0.0.1:{port}", "--json", *FAST))
    assert data["port"] == port
    assert data["transcript"] == [
        {
            "command": "(connect)",
            "reply_code": None,
            "reply_text": str(data["error"]).split(": ", 1)[1],
        }
    ]


def test_json_when_the_server_never_answers() -> None:
    def script(conn: Conn) -> None:
        conn.readline()  # never greet

    with ScriptedServer(script) as server:
        result = invoke(f"127.0.0.1:{server.port}", "--json", "--timeout", "0.3", "--delay", "0")
    data = json_report(result)
    assert "no reply within 0.3s" in str(data["error"])
    assert data["transcript"] == [
        {"command": "(banner)", "reply_code": None, "reply_text": "no reply within 0.3s"}
    ]


def test_json_when_the_server_drops_during_setup() -> None:
    def script(conn: Conn) -> None:
        conn.send(f"220 {SERVER_NAME} ESMTP")
        conn.readline()  # the EHLO: hang up on it

    with ScriptedServer(script) as server:
        result = invoke(f"127.0.0.1:{server.port}", "--json", "--our-domain", OUR_DOMAIN, *FAST)
        assert not server.data_reached
    data = json_report(result)
    assert data["banner"] == f"{SERVER_NAME} ESMTP"
    transcript = data["transcript"]
    assert isinstance(transcript, list)
    assert [e["command"] for e in transcript] == ["(banner)", "EHLO [127.0.0.1]"]
    assert transcript[1]["reply_code"] is None
    assert "closed the connection" in str(data["error"])


def test_json_when_starttls_is_not_offered() -> None:
    with smtp_server(Policy()) as port:
        data = json_report(invoke(f"127.0.0.1:{port}", "--json", "--starttls", *FAST))
    assert "STARTTLS" in str(data["error"])
    ehlo = data["ehlo"]
    assert isinstance(ehlo, dict) and ehlo["reply_code"] == 250


def test_unknown_test_is_a_usage_error() -> None:
    result = invoke("127.0.0.1:2525", "--only", "nope")
    assert result.exit_code == 2
    assert "nope" in result.output


def test_bad_tester_address_is_a_usage_error() -> None:
    result = invoke("127.0.0.1:2525", "--from", "x\r\nDATA")
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("target", "port", "expected"),
    [
        ("mx.example.com", None, ("mx.example.com", 25)),
        ("mx.example.com:2525", None, ("mx.example.com", 2525)),
        ("mx.example.com", 587, ("mx.example.com", 587)),
        ("192.0.2.1:25", 25, ("192.0.2.1", 25)),
        ("[2001:db8::1]:2525", None, ("2001:db8::1", 2525)),
        ("[2001:db8::1]", None, ("2001:db8::1", 25)),
        ("2001:db8::1", 2525, ("2001:db8::1", 2525)),
    ],
)
def test_parse_target(target: str, port: int | None, expected: tuple[str, int]) -> None:
    assert parse_target(target, port) == expected


@pytest.mark.parametrize(
    ("target", "port"),
    [("mx.example.com:99999", None), ("mx.example.com:25", 2525), ("[::1", None), ("", None)],
)
def test_parse_target_rejects(target: str, port: int | None) -> None:
    with pytest.raises(click.BadParameter):
        parse_target(target, port)
