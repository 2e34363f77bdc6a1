"""Properties of the judge (hypothesis).

* A trace never claims ``open_relay`` or ``authenticated_relay`` without an entry hop and
  evidence.
* Received lines added below the entry hop (what a spammer can do: they are part of the
  message the spammer hands over) never change the verdict or the sender.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headertrace import Organisation, trace
from headertrace.models import Evidence, Trace
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
    """A relay verdict rests on a hop and quotes it; no hop hides a parser exception."""
    for h in t.hops:
        assert not any(d.startswith("internal-error") for d in h.defects), h.raw
    v = t.verdict
    assert v is not None
    if v.kind in ("open_relay", "authenticated_relay"):
        assert v.hop is not None
        assert v.evidence
        assert Evidence.received(t.hops[v.hop].raw) in v.evidence


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


# -- organisation layouts: split tiers and private ranges reused by other networks ---------

LAYOUT_ORG = Organisation.from_dict(
    {
        "domains": ["example.com"],
        "servers": ["relay.example.com", "mx-ip01.example.com", "smtp.example.com"],
        "networks": ["192.0.2.14", "10.0.0.0/8", "100.64.0.0/10", "fd00::/8"],
    }
)
ENTRY_SERVERS = ["relay.example.com", "mx-ip01.example.com", "smtp.example.com"]
INTERNAL = ["[10.1.1.7]", "[100.64.9.1]", "[IPv6:fd00:1::7]"]
# (client part, protocol, expected kind, expected sender ip, expected account)
ENTRY_CLIENTS = [
    ("bot.spam.example (unknown [198.51.100.9])", "ESMTP", "open_relay", "198.51.100.9", None),
    (
        "[192.168.1.2] (dyn.isp.example [198.51.100.44])"
        "\n\t(Authenticated sender: bob@example.com)",
        "ESMTPSA",
        "authenticated_relay",
        "198.51.100.44",
        "bob@example.com",
    ),
    ("pc17 (unknown [10.0.5.17])", "ESMTP", "internal_origin", "10.0.5.17", None),
]
FORGED_BELOW = [
    "from pc3 (unknown [10.0.0.3]) by relay.example.com (Postfix) with ESMTP id F1; {date}",
    "from x (x [10.9.9.9]) by hub.sender.example (Postfix) with ESMTP id F2; {date}",
    "from mx-ip01.example.com (mx-ip01.example.com [192.0.2.14]) by smtp.example.com "
    "(Postfix) with ESMTP id F3; {date}",
    "from helo ([203.0.113.50]) by mail.example.com with esmtp (Exim 4.96) id 1qF-00-00; {date}",
    "from [100.64.1.1] (helo=cg) by 10.0.0.1 with esmtpa (Exim 4.96) id 1qG-00-00; {date}",
]


@st.composite
def layout(draw: st.DrawFn) -> tuple[bytes, bytes, str, str, str | None, str]:
    """A chain through our tiers (entry, any number of internal relays, egress as the
    victim records it), optional private hops of the victim above and of the sender below,
    and the same chain with forged lines added below the entry hop."""
    entry_server = draw(st.sampled_from(ENTRY_SERVERS))
    client, proto, kind, ip, account = draw(st.sampled_from(ENTRY_CLIENTS))
    n_internal = draw(st.integers(min_value=0, max_value=3))
    date = "Mon, 2 Oct 2023 12:00:{:02d} +0000"
    lines = [
        f"from {client}\n\tby {entry_server} (Postfix) with {proto} id E1\n\t"
        f"for <x@victim.example>; {date.format(10)}"
    ]
    previous = entry_server
    for i in range(n_internal):
        literal = draw(st.sampled_from(INTERNAL))
        name = f"hub{i}.example.com"
        lines.append(
            f"from {previous} ({previous} {literal})\n\tby {name} (Postfix) with ESMTP id "
            f"H{i}; {date.format(11 + i)}"
        )
        previous = name
    if n_internal:
        # the last internal relay is listed (it wrote our topmost header)
        org = Organisation.from_dict(
            {**LAYOUT_ORG.to_dict(), "servers": [*LAYOUT_ORG.servers, "hub*.example.com"]}
        )
    else:
        org = LAYOUT_ORG
    lines.append(
        "from out-3.example.com (out-3.example.com [192.0.2.14])\n\tby mx.victim.example "
        f"(Postfix) with ESMTPS id V1\n\tfor <x@victim.example>; {date.format(30)}"
    )
    if draw(st.booleans()):  # the victim's own internal hop, on a private address
        lines.append(
            "from mx.victim.example (mx.victim.example [10.0.9.9])\n\tby mbox.victim.example "
            f"(Postfix) with LMTP id V2; {date.format(31)}"
        )
    extra = draw(st.lists(st.sampled_from(FORGED_BELOW), min_size=1, max_size=3))
    below = [e.format(date=date.format(5)) for e in extra]
    head = "\n".join(f"Received: {v}" for v in reversed(lines))
    head_forged = head + "\n" + "\n".join(f"Received: {v}" for v in below)
    tail = "\nFrom: a@spam.example\nTo: x@victim.example\nSubject: s\n\nbody\n"
    return (
        (head + tail).encode(),
        (head_forged + tail).encode(),
        kind,
        ip,
        account,
        json.dumps(org.to_dict()),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=layout())
def test_layouts_give_the_entry_hop_and_forged_lines_below_change_nothing(
    case: tuple[bytes, bytes, str, str, str | None, str],
) -> None:
    data, forged, kind, ip, account, org_json = case
    org = Organisation.from_dict(json.loads(org_json))
    before = trace(data, org=org)
    after = trace(forged, org=org)
    for t in (before, after):
        _check_relay_claims(t)
        assert t.verdict is not None
        assert t.verdict.kind == kind, t.verdict.summary
        assert t.verdict.sender.ip == ip
        assert t.verdict.sender.account == account
        assert t.verdict.hop is not None
        assert t.hops[t.verdict.hop].raw.startswith("from ")
        assert " id E1" in t.hops[t.verdict.hop].raw
    assert before.verdict is not None and after.verdict is not None
    assert after.hops[after.verdict.hop or 0].raw == before.hops[before.verdict.hop or 0].raw
    assert after.verdict.confidence == before.verdict.confidence
