"""Properties of the judge (hypothesis).

* A trace never claims ``open_relay`` or ``authenticated_relay`` without an entry hop and
  evidence.
* Received lines added below the entry hop (what a spammer can do: they are part of the
  message the spammer hands over) never change the verdict or the sender.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headertrace import Organisation, trace
from headertrace.models import Trace
from tests.test_judge import CASES, JUDGE

OUTSIDE_NAMES = ["spamhost", "bot.spam.example", "relay.example.net", "[192.0.2.9]", "localhost"]
OUR_NAMES = ["mail.example.com", "mx.example.com", "server.example.com", "web.example.com"]
IPS = ["198.51.100.3", "192.0.2.44", "10.0.0.77", "203.0.113.5", "127.0.0.1", "2001:db8:1::9"]
RCPTS = [None, "x@victim.example", "bob@example.com", "a%b@example.com", '"a@b"@example.com']


@st.composite
def fake_received(draw: st.DrawFn) -> str:
    helo = draw(st.sampled_from(OUTSIDE_NAMES + OUR_NAMES))
    ip = draw(st.sampled_from(IPS))
    by = draw(st.sampled_from([*OUR_NAMES, "fake.example.org", "localhost"]))
    proto = draw(st.sampled_from(["SMTP", "ESMTP", "ESMTPA", "ESMTPSA", "HTTP"]))
    rcpt = draw(st.sampled_from(RCPTS))
    auth = draw(st.sampled_from(["", "\n\t(Authenticated sender: mallory@example.com)"]))
    day = draw(st.integers(min_value=1, max_value=28))
    style = draw(st.sampled_from(["sendmail", "exim", "local"]))
    date = f"Mon, {day} Oct 2023 11:00:00 +0000"
    for_clause = f"\n\tfor <{rcpt}>" if rcpt else ""
    if style == "exim":
        return (
            f"from [{ip}] (helo={helo})\n\tby {by} with {proto.lower()} (Exim 4.96)\n"
            f"\tid 1qFake-0000{day:02d}-00{for_clause}; {date}"
        )
    if style == "local":
        return f"by {by} (Postfix, from userid {day})\n\tid 9F{day}; {date}"
    return (
        f"from {helo} ({helo} [{ip}]){auth}\n\tby {by} (8.14.4/8.14.4) with {proto} "
        f"id f{day}{for_clause}; {date}"
    )


def _with_extra_received(data: bytes, extra: list[str]) -> bytes:
    text = data.decode("utf-8")
    lines = text.split("\n")
    # the end of the last Received field (its continuation lines included)
    last = max(i for i, line in enumerate(lines) if line.lower().startswith("received:"))
    end = last + 1
    while end < len(lines) and lines[end][:1] in (" ", "\t"):
        end += 1
    added = [f"Received: {value}" for value in extra]
    return "\n".join(lines[:end] + added + lines[end:]).encode("utf-8")


def _check_relay_claims(t: Trace) -> None:
    v = t.verdict
    assert v is not None
    if v.kind in ("open_relay", "authenticated_relay"):
        assert v.hop is not None
        assert v.evidence
        assert t.hops[v.hop].raw in v.evidence


CASE_IDS = list(range(len(CASES)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASE_IDS), extra=st.lists(fake_received(), min_size=1, max_size=4))
def test_received_lines_below_the_entry_hop_change_nothing(case: int, extra: list[str]) -> None:
    name, org_data, kind, hop, _sender, _codes = CASES[case]
    if hop is None:
        return  # no entry hop: nothing to add below
    org = Organisation.from_dict(org_data)
    data = (JUDGE / name).read_bytes()
    before = trace(data, org=org)
    after = trace(_with_extra_received(data, extra), org=org)
    assert len(after.hops) == len(before.hops) + len(extra)
    assert before.verdict is not None and after.verdict is not None
    assert before.verdict.kind == kind
    assert after.verdict.kind == before.verdict.kind, after.verdict.summary
    assert after.verdict.sender == before.verdict.sender
    assert after.verdict.confidence == before.verdict.confidence
    assert after.verdict.hop is not None
    assert after.hops[after.verdict.hop].raw == before.hops[hop].raw
    _check_relay_claims(before)
    _check_relay_claims(after)


@settings(max_examples=200, deadline=None)
@given(extra=st.lists(fake_received(), min_size=1, max_size=6))
def test_relay_verdicts_always_rest_on_an_entry_hop(extra: list[str]) -> None:
    org = Organisation.from_options(domains=["example.com"], networks=["203.0.113.0/24"])
    data = b"\n".join(
        [b"Received: " + e.encode() for e in reversed(extra)]
        + [b"To: x@victim.example", b"Subject: s", b"", b"body"]
    )
    _check_relay_claims(trace(data, org=org))


def test_fixture_paths_exist() -> None:
    assert all(Path(JUDGE / c[0]).is_file() for c in CASES)
