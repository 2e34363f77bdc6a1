"""Submission ports: a server that refuses everything without AUTH is closed to strangers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from headertrace.probe import ProbeConfig, ProbeReport, ProbeResult, probe
from headertrace.probe.report import summarize
from headertrace.probe.runner import classify, needs_auth
from headertrace.probe.smtp import Reply
from tests.test_probe_fakes import (
    OUR_DOMAIN,
    PASSWORD,
    USER,
    Policy,
    SubmissionPolicy,
    check_credentials,
    smtp_server,
    tls_context,
)

pytestmark = [
    pytest.mark.timeout(30),
    # aiosmtpd's own warning about auth_required without TLS: these servers are on loopback.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

FAST: dict[str, Any] = {"timeout": 2.0, "delay": 0.0, "reconnect_delay": 0.0}


def run_submission(**kwargs: Any) -> ProbeReport:
    policy = SubmissionPolicy()
    with smtp_server(policy, authenticator=check_credentials, auth_required=True) as port:
        report = probe(
            "127.0.0.1", ProbeConfig(port=port, **{**FAST, "our_domain": OUR_DOMAIN, **kwargs})
        )
    assert not policy.data_reached
    return report


def test_submission_port_is_closed_to_strangers() -> None:
    report = run_submission()
    assert report.status == "closed", report.summary.reasons
    assert report.exit_code == 0
    assert report.summary.control == "auth-required"
    control = report.result("control-local")
    assert control.reply_code == 530 and control.stage == "mail"
    assert control.needs_auth and control.reason == "authentication required"
    assert all(t.needs_auth for t in report.tests if t.outcome != "skipped")
    assert report.summary.catch_all == "unknown"  # a 530 says nothing about local parts
    reason = report.summary.reasons[0]
    assert "closed to unauthenticated clients" in reason
    assert "530 5.7.0 Authentication required" in reason


def test_with_auth_the_control_runs_after_auth() -> None:
    report = run_submission(tests=("plain",), auth=(USER, PASSWORD))
    assert report.status == "closed"
    assert report.auth is not None
    assert report.auth.verdict == "good"
    control = report.auth.control_with_auth
    assert control is not None and control.outcome == "accepted"
    assert control.rcpt_to == f"<postmaster@{OUR_DOMAIN}>"
    assert any("accepted after AUTH" in r for r in report.summary.reasons)
    assert report.to_dict()["auth"]["control_with_auth"]["outcome"] == "accepted"


def test_control_after_auth_also_on_ordinary_servers() -> None:
    with smtp_server(SubmissionPolicy(), authenticator=check_credentials) as port:
        report = probe(
            "127.0.0.1",
            ProbeConfig(
                port=port, **FAST, our_domain=OUR_DOMAIN, tests=("plain",), auth=(USER, PASSWORD)
            ),
        )
    assert report.summary.control == "passed"
    assert report.auth is not None and report.auth.control_with_auth is not None
    assert report.auth.control_with_auth.outcome == "accepted"


def test_starttls_required_is_not_closed(tmp_path: Path) -> None:
    context = tls_context(tmp_path)
    policy = Policy()
    with smtp_server(policy, tls_context=context, require_starttls=True) as port:
        report = probe(
            "127.0.0.1", ProbeConfig(port=port, **FAST, our_domain=OUR_DOMAIN, tests=("plain",))
        )
    assert report.status == "inconclusive"
    control = report.result("control-local")
    assert control.reply_code == 530 and not control.needs_auth
    assert control.reason is not None and "--starttls" in control.reason
    assert not policy.data_reached


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        (530, "5.7.0 Authentication required", True),
        (530, "5.7.1 Client was not authenticated", True),
        (550, "5.7.1 Please authenticate first", True),
        (554, "5.7.1 Relay access denied", False),
        (530, "5.7.0 Must issue a STARTTLS command first", False),
        (454, "4.7.0 Authentication required, try later", False),
        (250, "2.1.5 Ok", False),
    ],
)
def test_needs_auth(code: int, text: str, expected: bool) -> None:
    assert needs_auth(Reply(code, (text,))) is expected
    if expected:
        assert classify(Reply(code, (text,)), "mail") == ("refused", "authentication required")


def test_summary_needs_every_relay_test_refused() -> None:
    control = ProbeResult(
        "control-local", "refused", kind="control", reply_code=530, needs_auth=True
    )
    refused = ProbeResult("plain", "refused", reply_code=530, needs_auth=True)
    greylisted = ProbeResult("null-sender", "tempfail", reply_code=451)
    assert summarize((control, refused)).status == "closed"
    assert summarize((control, refused, greylisted)).status == "inconclusive"
    other = ProbeResult("control-local", "refused", kind="control", reply_code=550)
    assert summarize((other, refused)).control == "failed"
