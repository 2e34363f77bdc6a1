"""The judge on fixture messages: one per verdict kind and server family, plus the traps.

Our organisation in every fixture: ``example.com``, networks 203.0.113.0/24 and 10.0.0.0/8.
Outside clients use 198.51.100.0/24 and 192.0.2.0/24; the complainant is mx.victim.example.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from headertrace import Organisation, trace
from headertrace.judge.recipients import recipient_trick
from headertrace.judge.verdict import KINDS
from headertrace.models import Evidence

JUDGE = Path(__file__).parent / "fixtures" / "judge"

STANDARD: dict[str, Any] = {
    "domains": ["example.com"],
    "networks": ["203.0.113.0/24", "10.0.0.0/8"],
}
M365: dict[str, Any] = {
    "domains": ["example.com"],
    "servers": ["*.prod.outlook.com", "*.outbound.protection.outlook.com"],
}
SMARTHOST: dict[str, Any] = {
    "domains": ["example.com"],
    "networks": ["203.0.113.0/24"],
    "relays": ["*.relayco.example"],
}
FILTER: dict[str, Any] = {
    "domains": ["example.com"],
    "networks": ["203.0.113.0/24"],
    "relays": ["192.0.2.130/32"],
}
V6: dict[str, Any] = {"domains": ["example.com"], "networks": ["2001:db8:1::/48"]}
DOMAIN_ONLY: dict[str, Any] = {"domains": ["example.com"]}

# (fixture, organisation, kind, hop, expected sender fields, finding codes that must appear)
CASES: list[tuple[str, dict[str, Any], str, int | None, dict[str, Any], set[str]]] = [
    # fetchmail re-injects over 127.0.0.1: received mail, not a local injection
    # Bcc to our tenant: no for clause, no To of ours; our Exchange's stamp says Incoming.
    # Custody crosses CD2PR03CA0003.outlook.office365.com = CD2PR03CA0003.prod.outlook.com.
    (
        "inbound_m365_bcc.eml",
        {"domains": ["example.com"], "servers": ["*.outlook.com"]},
        "inbound",
        0,
        {"ip": "198.51.100.77"},
        set(),
    ),
    ("inbound_fetchmail.eml", DOMAIN_ONLY, "inbound", 2, {"ip": "198.51.100.60"}, set()),
    ("open_relay_sendmail.eml", STANDARD, "open_relay", 1, {"ip": "198.51.100.7"}, set()),
    ("open_relay_sendmail.eml", DOMAIN_ONLY, "open_relay", 1, {"ip": "198.51.100.7"}, set()),
    (
        "open_relay_exchange55.eml",
        STANDARD,
        "open_relay",
        0,
        {"ip": "198.51.100.50", "helo": "client.spam.example"},
        set(),
    ),
    (
        "open_relay_mdaemon_percent.eml",
        STANDARD,
        "open_relay",
        0,
        {"ip": "192.0.2.33"},
        {"recipient-trick"},
    ),
    ("open_relay_smarthost.eml", SMARTHOST, "open_relay", 0, {"ip": "198.51.100.9"}, set()),
    (
        "open_relay_postfix_content_filter.eml",
        STANDARD,
        "open_relay",
        0,
        {"ip": "192.0.2.77", "helo": "bot.spam.example"},
        set(),
    ),
    (
        "private_client_postfix.eml",
        STANDARD,
        "open_relay",
        0,
        {"ip": "192.168.77.5"},
        {"private-client-external"},
    ),
    (
        "auth_relay_postfix.eml",
        STANDARD,
        "authenticated_relay",
        0,
        {"ip": "198.51.100.23", "account": "bob@example.com", "rdns": "dsl.isp.example"},
        set(),
    ),
    (
        "auth_relay_cpanel.eml",
        STANDARD,
        "authenticated_relay",
        0,
        {"ip": "198.51.100.44", "account": "joe@example.com"},
        set(),
    ),
    ("auth_relay_m365.eml", M365, "authenticated_relay", 0, {"ip": "198.51.100.99"}, set()),
    (
        "internal_origin_exchange2016.eml",
        STANDARD,
        "internal_origin",
        0,
        {"ip": "10.1.2.3", "helo": "PC-0042.corp.example.com"},
        set(),
    ),
    ("internal_origin_qmail.eml", STANDARD, "internal_origin", 0, {"ip": "10.20.30.40"}, set()),
    (
        "internal_origin_ipv6_hidden.eml",
        V6,
        "internal_origin",
        0,
        {"ip": "2001:db8:1::77"},
        set(),
    ),
    (
        "direct_to_mx_internal.eml",
        STANDARD,
        "internal_origin",
        0,
        {"ip": "203.0.113.77"},
        set(),
    ),
    (
        "local_injection_cpanel.eml",
        STANDARD,
        "local_injection",
        0,
        {"script": "shop.example.com/wp-content/uploads/x.php", "account": "shopuser"},
        set(),
    ),
    (
        "local_injection_postfix.eml",
        STANDARD,
        "local_injection",
        0,
        {"script": "mailer.php", "account": "uid 33"},
        set(),
    ),
    ("local_injection_qmail.eml", STANDARD, "local_injection", 0, {"account": "uid 48"}, set()),
    (
        "inbound_postfix_filter.eml",
        STANDARD,
        "inbound",
        0,
        {"ip": "198.51.100.80"},
        set(),
    ),
    (
        "inbound_forwarded_kerio.eml",
        STANDARD,
        "inbound",
        0,
        {"ip": "198.51.100.82"},
        {"forwarded-outside"},
    ),
    ("inbound_filtering_service.eml", FILTER, "inbound", 1, {"ip": "198.51.100.131"}, set()),
    (
        "forged_postfix.eml",
        STANDARD,
        "forged",
        None,
        {"ip": "192.0.2.66"},
        {"our-server-forged", "helo-claims-our-name"},
    ),
    ("forged_postfix.eml", DOMAIN_ONLY, "forged", None, {"ip": "192.0.2.66"}, set()),
    ("not_involved.eml", STANDARD, "not_involved", None, {}, set()),
    ("undetermined_hidden.eml", STANDARD, "undetermined", None, {}, set()),
    (
        "future_date_localhost_helo.eml",
        STANDARD,
        "open_relay",
        1,
        {"ip": "198.51.100.12"},
        # helo-localhost-external is offline attribution's (one rule, one home): it looks at
        # global addresses, and 198.51.100.12 is a documentation address
        {"future-date"},
    ),
]


@pytest.mark.parametrize(
    ("name", "org", "kind", "hop", "sender", "codes"),
    CASES,
    ids=[f"{c[0]}-{c[2]}-{len(c[1])}" for c in CASES],
)
def test_fixture_verdict(  # noqa: PLR0917 - one argument per column of CASES
    name: str,
    org: dict[str, Any],
    kind: str,
    hop: int | None,
    sender: dict[str, Any],
    codes: set[str],
) -> None:
    t = trace(JUDGE / name, org=Organisation.from_dict(org))
    assert t.verdict is not None
    v = t.verdict
    assert v.kind == kind, v.summary
    assert v.hop == hop
    for key, want in sender.items():
        assert getattr(v.sender, key) == want, (key, v.sender)
    assert codes <= {f.code for f in t.findings}
    assert v.summary and v.confidence in ("high", "medium", "low")
    if kind in ("open_relay", "authenticated_relay", "internal_origin", "local_injection"):
        assert v.evidence
    data = json.loads(t.to_json())
    assert data["verdict"]["kind"] == kind
    assert set(data["verdict"]["sender"]) == {"ip", "rdns", "helo", "account", "script", "client"}


def test_every_kind_and_eight_families_covered() -> None:
    kinds = {c[2] for c in CASES} | {"no_organisation"}
    assert kinds == set(KINDS)
    families = set()
    for name, org, *_ in CASES:
        t = trace(JUDGE / name, org=Organisation.from_dict(org))
        for h in t.hops:
            if h.server.software:
                families.add(h.server.software.split()[0])
    assert len(families) >= 8, families


def test_without_organisation_names_the_origin() -> None:
    t = trace(JUDGE / "open_relay_sendmail.eml")
    assert t.verdict is not None
    assert t.verdict.kind == "no_organisation"
    assert t.origin is not None
    assert t.verdict.hop == t.origin.hop
    assert t.origin.ip is not None and t.origin.ip in t.verdict.summary


def test_summaries_are_one_pasteable_sentence() -> None:
    org = Organisation.from_dict(STANDARD)
    t = trace(JUDGE / "open_relay_sendmail.eml", org=org)
    assert t.verdict is not None
    s = t.verdict.summary
    assert s.startswith("mail.example.com accepted this from 198.51.100.7")
    assert "without authentication" in s and "x@victim.example" in s
    assert "\n" not in s


def test_authenticated_relay_evidence_carries_header_lines() -> None:
    t = trace(JUDGE / "auth_relay_cpanel.eml", org=Organisation.from_dict(STANDARD))
    assert t.verdict is not None
    ev = t.verdict.evidence
    assert Evidence.header(
        "X-Get-Message-Sender-Via: server.example.com: authenticated_id: mallory@example.com"
    ) in ev or any(
        e.kind == "header" and e.text.startswith("X-Get-Message-Sender-Via: server.example.com")
        for e in ev
    )
    assert any(e.kind == "received" and "esmtpsa" in e.text for e in ev)


def test_local_injection_evidence_names_the_script_header() -> None:
    t = trace(JUDGE / "local_injection_postfix.eml", org=Organisation.from_dict(STANDARD))
    assert t.verdict is not None
    assert Evidence.header("X-PHP-Originating-Script: 33:mailer.php") in t.verdict.evidence


def test_header_below_entry_is_a_claim() -> None:
    t = trace(JUDGE / "forged_postfix.eml", org=Organisation.from_dict(STANDARD))
    claims = [f for f in t.findings if f.code == "claimed-header"]
    assert claims and Evidence.header("X-Originating-IP: [10.0.0.9]") in claims[0].evidence


def test_undetermined_says_what_is_missing() -> None:
    t = trace(JUDGE / "undetermined_hidden.eml", org=Organisation.from_dict(STANDARD))
    assert t.verdict is not None
    assert "records no client" in t.verdict.summary
    assert "our-server-forged" not in {f.code for f in t.findings}


def test_no_received_headers_is_undetermined() -> None:
    t = trace(b"From: a@example.com\nSubject: x\n\nbody\n", org=Organisation.from_dict(STANDARD))
    assert t.verdict is not None
    assert t.verdict.kind == "undetermined"
    assert t.verdict.hop is None


@pytest.mark.parametrize(
    ("address", "trick"),
    [
        ("x%victim.example@mail.example.com", "the % hack"),
        ("victim.example!x@mail.example.com", "a ! bang path"),
        ("@mail.example.com:x@victim.example", "an @host: source route"),
        ('"x@victim.example"@mail.example.com', "a quoted @ in the local part"),
        ("x@victim.example", None),
        ("bob@example.com", None),
    ],
)
def test_recipient_tricks(address: str, trick: str | None) -> None:
    assert recipient_trick(address) == trick


def test_content_filter_on_localhost_keeps_custody() -> None:
    t = trace(JUDGE / "open_relay_postfix_content_filter.eml", org=Organisation.from_dict(STANDARD))
    assert t.verdict is not None
    assert t.verdict.confidence == "high"
    assert len(t.verdict.evidence) == 4  # the complainant's hop and our three


def test_origin_follows_the_entry_hop_with_an_organisation() -> None:
    t = trace(JUDGE / "auth_relay_cpanel.eml", org=Organisation.from_dict(STANDARD))
    assert t.origin is not None and t.origin.hop == 0
    assert t.origin.ip == "198.51.100.44"
    assert "unverified-hops" not in {f.code for f in t.findings}


VICTIM_TOP = (
    "Received: from mail.example.com (mail.example.com [203.0.113.5])\n"
    "\tby mx.victim.example (Postfix) with ESMTP id 4QXZ\n"
    "\tfor <x@victim.example>; Mon,  2 Oct 2023 12:00:09 +0000 (UTC)\n"
)
TAIL = "From: a@example.com\nTo: x@victim.example\nSubject: s\n\nbody\n"


def test_entry_hop_without_client_is_undetermined() -> None:
    msg = (
        VICTIM_TOP
        + "Received: by mail.example.com with SMTP id q1; Mon, 2 Oct 2023 12:00:01 +0000\n"
    )
    t = trace((msg + TAIL).encode(), org=Organisation.from_dict(STANDARD))
    assert t.verdict is not None
    assert t.verdict.kind == "undetermined"
    assert "no client" in t.verdict.summary


def test_authenticated_from_inside_is_authenticated_relay() -> None:
    msg = VICTIM_TOP + (
        "Received: from laptop (laptop.example.com [10.9.8.7])\n"
        "\t(Authenticated sender: carol@example.com)\n"
        "\tby mail.example.com (Postfix) with ESMTPSA id 1F\n"
        "\tfor <x@victim.example>; Mon,  2 Oct 2023 12:00:01 +0000 (UTC)\n"
    )
    t = trace((msg + TAIL).encode(), org=Organisation.from_dict(STANDARD))
    assert t.verdict is not None
    assert t.verdict.kind == "authenticated_relay"
    assert t.verdict.sender.account == "carol@example.com"
    assert t.verdict.sender.ip == "10.9.8.7"


def test_helo_claiming_our_name_from_outside() -> None:
    msg = VICTIM_TOP + (
        "Received: from mail.example.com ([198.51.100.61])\n"
        "\tby mail.example.com (8.14.4/8.14.4) with SMTP id q2\n"
        "\tfor <x@victim.example>; Mon, 2 Oct 2023 12:00:01 +0000\n"
    )
    t = trace((msg + TAIL).encode(), org=Organisation.from_dict(STANDARD))
    assert t.verdict is not None and t.verdict.kind == "open_relay"
    assert "helo-claims-our-name" in {f.code for f in t.findings}


def test_inferred_helo_is_never_quoted_as_said() -> None:
    """Exim's "from NAME ([IP])" leaves the HELO out because it matched the verified name
    (or the literal): the header never says the client said NAME, so no finding or
    verdict may quote it as said."""
    msg = VICTIM_TOP + (
        "Received: from mail.example.com ([198.51.100.61])\n"
        "\tby mail.example.com with esmtp (Exim 4.96)\n"
        "\tid 1qAbCf-000125-6Z\n"
        "\tfor <x@victim.example>; Mon, 2 Oct 2023 12:00:01 +0000\n"
    )
    t = trace((msg + TAIL).encode(), org=Organisation.from_dict(STANDARD))
    assert t.verdict is not None
    assert t.verdict.sender.helo is None
    assert t.verdict.sender.rdns == "mail.example.com"
    assert "HELO" not in t.verdict.summary
    assert "helo-claims-our-name" not in {f.code for f in t.findings}


def test_sendmail_login_names_the_account() -> None:
    msg = VICTIM_TOP + (
        "Received: from laptop (laptop.example.com [10.9.8.7])\n"
        "\t(user=carol@example.com mech=LOGIN bits=0)\n"
        "\tby mail.example.com (8.15.2/8.15.2) with ESMTPSA id 3A9J57bm029150\n"
        "\tfor <x@victim.example>; Mon, 2 Oct 2023 12:00:01 +0000\n"
    )
    t = trace((msg + TAIL).encode(), org=Organisation.from_dict(STANDARD))
    assert t.verdict is not None
    assert t.verdict.kind == "authenticated_relay"
    assert t.verdict.sender.account == "carol@example.com"
