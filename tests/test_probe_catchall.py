"""Catch-all domains: accepting a routing trick that lands on the server proves nothing."""

from __future__ import annotations

from typing import Any

import pytest

from headertrace.probe import BATTERY, ProbeConfig, ProbeReport, ProbeResult, probe
from headertrace.probe.battery import landing_of
from headertrace.probe.catchall import weigh
from headertrace.probe.report import summarize
from tests.test_probe_fakes import (
    OUR_DOMAIN,
    CatchAllPolicy,
    FooledPolicy,
    OpenPolicy,
    Policy,
    smtp_server,
)

pytestmark = pytest.mark.timeout(30)

FAST: dict[str, Any] = {"timeout": 2.0, "delay": 0.0, "reconnect_delay": 0.0}

# Written out by hand, test by test: what each recipient addresses once its trick is ignored.
LANDINGS = {
    "control-local": "our-domain",
    "catch-all-our-domain": "our-domain",
    "catch-all-name": "server-name",
    "catch-all-literal": "server-literal",
    "catch-all-unqualified": "unqualified",
    "plain": "outside",
    "null-sender": "outside",
    "unqualified-sender": "outside",
    "sender-own-name": "outside",
    "sender-own-literal": "outside",
    "sender-our-domain": "outside",
    "percent-hack": "server-name",
    "percent-hack-literal": "server-literal",
    "percent-hack-our-domain": "our-domain",
    "quoted-at": "unqualified",
    "quoted-at-name": "server-name",
    "quoted-percent": "unqualified",
    "quoted-percent-name": "server-name",
    "double-at": "server-name",
    "double-at-literal": "server-literal",
    "source-route": "outside",
    "source-route-literal": "outside",
    "source-route-chain": "outside",
    "bang-path": "unqualified",
    "bang-path-name": "server-name",
    "bang-path-literal": "server-literal",
    "rcpt-literal": "outside",
    "rcpt-literal-v6": "outside",
    "trailing-dot": "outside",
    "trailing-dot-name": "server-name",
    "case-mixed": "outside",
    "case-percent": "server-name",
    "helo-localhost": "outside",
    "helo-own-name": "outside",
    "helo-own-literal": "outside",
}


def run(policy: Policy, **kwargs: Any) -> ProbeReport:
    with smtp_server(policy) as port:
        report = probe(
            "127.0.0.1", ProbeConfig(port=port, **{**FAST, "our_domain": OUR_DOMAIN, **kwargs})
        )
    assert not policy.data_reached
    return report


# -- where each test lands --------------------------------------------------------------
def test_every_test_lands_where_the_table_says() -> None:
    assert {t.name: t.landing for t in BATTERY} == LANDINGS


@pytest.mark.parametrize(
    ("template", "where"),
    [
        ("<{to}>", "outside"),
        ('<"{to}"@{our}>', "our-domain"),
        ("<@{our}:{to}>", "outside"),
        ("<{to_local}@{name_upper}.>", "server-name"),
        ("<{to_domain}!{to_local}>", "unqualified"),
        ('<"a@{our}">', "unqualified"),
    ],
)
def test_landing_of_templates(template: str, where: str) -> None:
    assert landing_of(template) == where


# -- against servers ----------------------------------------------------------------------
def test_catch_all_server_is_not_called_open() -> None:
    report = run(CatchAllPolicy())
    assert report.status == "inconclusive", report.summary.reasons
    assert report.exit_code == 2
    assert report.summary.accepted == ()
    assert report.summary.catch_all == "detected"
    assert set(report.summary.catch_all_at) == {"our-domain", "server-name", "server-literal"}
    hack = report.result("percent-hack-our-domain")
    assert hack.outcome == "inconclusive"
    assert hack.reply_code == 250  # what the server said is kept
    assert hack.reason is not None and "catch-all" in hack.reason
    assert str(report.result("catch-all-our-domain").rcpt_to) in hack.reason
    assert report.result("percent-hack").outcome == "inconclusive"
    assert report.result("plain").outcome == "refused"
    assert any("catch-all" in r for r in report.summary.reasons)
    assert not any("test(s) relayed:" in r for r in report.summary.reasons)


def test_catch_all_checks_use_one_unguessable_local_part() -> None:
    report = run(CatchAllPolicy())
    checks = [t for t in report.tests if t.kind == "catch-all"]
    assert [t.name for t in checks] == [
        "catch-all-our-domain",
        "catch-all-name",
        "catch-all-literal",
        "catch-all-unqualified",
    ]
    locals_ = {(t.rcpt_to or "").strip("<>").split("@")[0] for t in checks}
    assert len(locals_) == 1
    (local,) = locals_
    assert local.startswith("no-such-user-") and len(local) == len("no-such-user-") + 16
    again = run(CatchAllPolicy(), tests=("percent-hack-our-domain",))
    assert again.result("catch-all-our-domain").rcpt_to != f"<{local}@{OUR_DOMAIN}>"


def test_closed_server_checking_local_parts_has_no_catch_all() -> None:
    report = run(Policy())
    assert report.status == "closed"
    assert report.summary.catch_all == "none"
    assert report.summary.catch_all_at == ()
    assert report.result("catch-all-name").reply_code == 550


def test_fooled_server_without_catch_all_is_still_open() -> None:
    report = run(FooledPolicy())
    assert report.status == "open"
    assert report.summary.catch_all == "none"
    assert report.result("percent-hack-our-domain").outcome == "accepted"


def test_open_server_stays_open_on_its_outside_tests() -> None:
    report = run(OpenPolicy())
    assert report.status == "open"
    assert report.summary.catch_all == "detected"
    assert "plain" in report.summary.accepted
    assert "percent-hack" not in report.summary.accepted
    assert report.result("percent-hack").outcome == "inconclusive"


def test_only_runs_the_checks_its_tests_need() -> None:
    report = run(Policy(), tests=("plain", "percent-hack-literal"))
    names = [t.name for t in report.tests]
    assert names == ["control-local", "catch-all-literal", "plain", "percent-hack-literal"]


def test_catch_all_json() -> None:
    data = run(CatchAllPolicy(), tests=("percent-hack-our-domain",)).to_dict()
    assert data["summary"]["catch_all"] == "detected"
    assert data["summary"]["catch_all_at"] == ["our-domain"]
    assert [t["landing"] for t in data["tests"]] == ["our-domain", "our-domain", "our-domain"]
    assert [t["kind"] for t in data["tests"]] == ["control", "catch-all", "relay"]


# -- the rules alone ----------------------------------------------------------------------
def r(name: str, outcome: str, kind: str = "relay", landing: str = "outside") -> ProbeResult:
    return ProbeResult(name, outcome, kind=kind, landing=landing, stage="rcpt")  # type: ignore[arg-type]


def test_weigh_needs_a_refused_check_for_each_landing() -> None:
    control = r("control-local", "accepted", "control", "our-domain")
    hack = r("hack", "accepted", landing="server-name")
    outside = r("plain", "accepted")
    for check_outcome, expected in [
        ("refused", "accepted"),
        ("accepted", "inconclusive"),
        ("tempfail", "inconclusive"),
        ("error", "inconclusive"),
    ]:
        check = r("catch-all-name", check_outcome, "catch-all", "server-name")
        weighed = weigh((control, check, hack, outside))
        assert weighed[2].outcome == expected, check_outcome
        assert weighed[3].outcome == "accepted"
    # No check at all (it could not run): not proof either.
    assert weigh((control, hack))[1].outcome == "inconclusive"


def test_summary_never_open_on_catch_all_tests_alone() -> None:
    control = r("control-local", "accepted", "control", "our-domain")
    check = r("catch-all-our-domain", "accepted", "catch-all", "our-domain")
    hack = r("percent-hack-our-domain", "accepted", landing="our-domain")
    summary = summarize(weigh((control, check, hack, r("plain", "refused"))))
    assert summary.status == "inconclusive"
    assert summary.catch_all == "detected"
    assert summary.catch_all_at == ("our-domain",)
    unknown = summarize((control, r("catch-all-name", "error", "catch-all", "server-name")))
    assert unknown.catch_all == "unknown"
