"""Custody on real organisation layouts (issue #10): split tiers continue custody on the
configuration, private addresses belong to whoever recorded them.

Each case is a chain written the way its servers write it (Postfix syntax), newest first.
Our organisation: ``example.com``; the entry server ``relay.example.com`` under ``servers``;
the egress address 192.0.2.14 and the internal range 10.0.0.0/8 under ``networks``.
"""

from __future__ import annotations

import pytest

from headertrace import Organisation, trace
from headertrace.models import Trace

ORG = Organisation.from_dict(
    {
        "domains": ["example.com"],
        "servers": ["relay.example.com", "mx-*.example.com"],
        "networks": ["192.0.2.14", "10.0.0.0/8"],
    }
)
DATE = "Mon, 2 Oct 2023 12:00:{s:02d} +0000"


def rcvd(frm: str, by: str, s: int, *, proto: str = "ESMTP", extra: str = "") -> str:
    return f"Received: from {frm}\n\tby {by} (Postfix) with {proto} id {s:02d}A{extra};\n\t" + (
        DATE.format(s=s)
    )


def message(*received: str, to: str = "x@victim.example") -> bytes:
    head = "\n".join(received)
    return (f"{head}\nFrom: a@spam.example\nTo: {to}\nSubject: hi\n\nhi\n").encode()


VICTIM = rcvd(
    "out-3.example.com (out-3.example.com [192.0.2.14])",
    "mx.victim.example",
    30,
    extra="\n\tfor <x@victim.example>",
)
GATEWAY_OPEN = rcvd(
    "bot.spam.example (unknown [198.51.100.9])",
    "relay.example.com",
    10,
    extra="\n\tfor <x@victim.example>",
)


def entry_server(t: Trace) -> str | None:
    assert t.verdict is not None and t.verdict.hop is not None
    return t.hops[t.verdict.hop].server.host


def codes(t: Trace) -> set[str]:
    return {f.code for f in t.findings}


def test_egress_address_above_a_configured_gateway_continues_custody() -> None:
    t = trace(message(VICTIM, GATEWAY_OPEN), org=ORG)
    assert t.verdict is not None
    assert t.verdict.kind == "open_relay", t.verdict.summary
    assert entry_server(t) == "relay.example.com"
    assert t.verdict.sender.ip == "198.51.100.9"
    finding = next(f for f in t.findings if f.code == "custody-by-configuration")
    assert "out-3.example.com" in finding.message and "relay.example.com" in finding.message
    assert len(finding.evidence) == 2


def test_a_name_merely_under_our_domain_does_not_continue_custody() -> None:
    """The same layout with the gateway only under our domain: the egress address handed it
    out, and the header below it is a claim (the protection against any machine of ours
    writing headers that name itself)."""
    org = Organisation.from_dict({"domains": ["example.com"], "networks": ["192.0.2.14"]})
    t = trace(message(VICTIM, GATEWAY_OPEN), org=org)
    assert t.verdict is not None
    assert t.verdict.kind == "internal_origin"
    assert t.verdict.sender.ip == "192.0.2.14"
    assert "custody-by-configuration" not in codes(t)


def test_a_by_address_in_our_networks_is_a_configured_server() -> None:
    org = Organisation.from_dict(
        {"domains": ["example.com"], "networks": ["192.0.2.14", "203.0.113.0/24"]}
    )
    gateway = rcvd(
        "bot.spam.example (unknown [198.51.100.9])",
        "gw.corp.example.net ([203.0.113.25])",
        10,
        extra="\n\tfor <x@victim.example>",
    )
    t = trace(message(VICTIM, gateway), org=org)
    assert t.verdict is not None
    assert t.verdict.kind == "open_relay", t.verdict.summary
    assert t.verdict.sender.ip == "198.51.100.9"
    assert "custody-by-configuration" in codes(t)


def test_three_tiers_in_internal_out() -> None:
    """Proxy in (mx-ip01), internal relay, proxy out (mx-ep02) that the victim records by
    its egress address; the internal relay names itself differently from its rDNS."""
    victim = rcvd(
        "mx-ep02.example.com (mx-ep02.example.com [192.0.2.14])",
        "mx.victim.example",
        30,
        extra="\n\tfor <x@victim.example>",
    )
    out = rcvd("hub7.example.com (unknown [10.1.1.7])", "mx-ep02.example.com", 25, proto="ESMTPS")
    internal = rcvd("mx-ip01.example.com (mx-ip01.example.com [10.1.1.2])", "hub.example.com", 20)
    gateway = rcvd(
        "bot.spam.example (unknown [198.51.100.9])",
        "mx-ip01.example.com",
        10,
        extra="\n\tfor <x@victim.example>",
    )
    t = trace(message(victim, out, internal, gateway), org=ORG)
    assert t.verdict is not None
    # hub7.example.com [10.1.1.7] wrote 'by hub.example.com', a name merely under our
    # domain: custody stops there, at the internal relay, unless it is listed
    assert t.verdict.kind == "internal_origin"
    assert t.verdict.sender.ip == "10.1.1.7"
    listed = Organisation.from_dict(
        {**ORG.to_dict(), "servers": ["mx-*.example.com", "hub.example.com"]}
    )
    t = trace(message(victim, out, internal, gateway), org=listed)
    assert t.verdict is not None
    assert t.verdict.kind == "open_relay", t.verdict.summary
    assert entry_server(t) == "mx-ip01.example.com"
    assert t.verdict.sender.ip == "198.51.100.9"
    steps = [f for f in t.findings if f.code == "custody-by-configuration"]
    assert len(steps) == 1  # hub7 -> hub.example.com; the other steps match by name


def test_authenticated_submission_front_end_and_mail_out_cluster() -> None:
    org = Organisation.from_dict(
        {
            "domains": ["example.com"],
            "servers": ["smtp.example.com", "mout*.example.com"],
            "networks": ["192.0.2.0/28", "10.0.0.0/8"],
        }
    )
    victim = rcvd(
        "mout-xa01.example.com (mout-xa01.example.com [192.0.2.3])",
        "mx.victim.example",
        30,
        extra="\n\tfor <x@victim.example>",
    )
    out = rcvd("smtp.example.com (smtp-7.int [10.2.0.7])", "mout.example.com", 20)
    front = rcvd(
        "[192.168.1.20] (dyn.isp.example [198.51.100.44])"
        "\n\t(Authenticated sender: bob@example.com)",
        "smtp.example.com",
        10,
        proto="ESMTPSA",
    )
    t = trace(message(victim, out, front), org=org)
    assert t.verdict is not None
    assert t.verdict.kind == "authenticated_relay", t.verdict.summary
    assert entry_server(t) == "smtp.example.com"
    assert t.verdict.sender.account == "bob@example.com"
    assert t.verdict.sender.ip == "198.51.100.44"


def test_webmail_on_the_server_logged_in_over_loopback_names_the_account() -> None:
    webmail = rcvd(
        "webmail.example.com (localhost [127.0.0.1])\n\t(Authenticated sender: carol@example.com)",
        "relay.example.com",
        10,
        proto="ESMTPSA",
    )
    t = trace(message(VICTIM, webmail), org=ORG)
    assert t.verdict is not None
    assert t.verdict.kind == "authenticated_relay", t.verdict.summary
    assert t.verdict.sender.account == "carol@example.com"


# -- private addresses belong to whoever recorded them ----------------------------------------


def test_the_victims_internal_10_relay_above_us_is_not_ours() -> None:
    """The complainant's own hub at 10.9.9.9 hands the message on inside their network."""
    inner = rcvd("mx.victim.example (mx.victim.example [10.9.9.9])", "mbox.victim.example", 40)
    t = trace(message(inner, VICTIM, GATEWAY_OPEN), org=ORG)
    assert t.verdict is not None
    assert t.verdict.kind == "open_relay", t.verdict.summary
    assert entry_server(t) == "relay.example.com"
    assert t.verdict.sender.ip == "198.51.100.9"


def test_another_organisations_10_relay_that_writes_no_header_of_ours() -> None:
    """Mail from an outside network that relays inside 10/8, to us: their 10.x is theirs."""
    outside_mx = rcvd(
        "hub.sender.example (hub.sender.example [10.0.3.3])",
        "mx.sender.example",
        20,
        extra="\n\tfor <x@victim.example>",
    )
    top = rcvd(
        "mx.sender.example (mx.sender.example [198.51.100.80])",
        "mx.victim.example",
        30,
        extra="\n\tfor <x@victim.example>",
    )
    t = trace(message(top, outside_mx), org=ORG)
    assert t.verdict is not None
    assert t.verdict.kind == "not_involved", t.verdict.summary


def test_a_private_by_address_of_another_network_does_not_name_our_server() -> None:
    """Microsoft 365 writes its own 10.x as the by address: not ours though 10/8 is listed."""
    eop = rcvd(
        "bot.spam.example (198.51.100.9)",
        "AM5EUR03FT012.mail.protection.outlook.com (10.152.16.137)",
        30,
        extra="\n\tfor <x@victim.example>",
    )
    t = trace(message(eop), org=ORG)
    assert t.verdict is not None
    assert t.verdict.kind == "not_involved", t.verdict.summary


def test_a_private_client_of_ours_counts_once_custody_reached_it() -> None:
    desktop = rcvd(
        "pc17 (unknown [10.0.5.17])", "relay.example.com", 10, extra="\n\tfor <x@victim.example>"
    )
    t = trace(message(VICTIM, desktop), org=ORG)
    assert t.verdict is not None
    assert t.verdict.kind == "internal_origin", t.verdict.summary
    assert t.verdict.sender.ip == "10.0.5.17"


@pytest.mark.parametrize(
    ("client", "ip"),
    [
        ("cgnat (unknown [100.64.3.9])", "100.64.3.9"),
        ("v6 (unknown [IPv6:fd00:5::9])", "fd00:5::9"),
    ],
)
def test_cgnat_and_ula_clients_of_ours(client: str, ip: str) -> None:
    org = Organisation.from_dict(
        {
            "domains": ["example.com"],
            "servers": ["relay.example.com"],
            "networks": ["192.0.2.14", "100.64.0.0/10", "fd00::/8"],
        }
    )
    inside = rcvd(client, "relay.example.com", 10, extra="\n\tfor <x@victim.example>")
    t = trace(message(VICTIM, inside), org=org)
    assert t.verdict is not None
    assert t.verdict.kind == "internal_origin", t.verdict.summary
    assert t.verdict.sender.ip == ip
    # the same address recorded by the complainant above us is theirs, not ours
    theirs = rcvd(client, "mx.victim.example", 30, extra="\n\tfor <x@victim.example>")
    t = trace(message(theirs), org=org)
    assert t.verdict is not None
    assert t.verdict.kind == "not_involved", t.verdict.summary


def test_a_desktop_that_writes_a_header_naming_our_relay_does_not_move_the_blame() -> None:
    """A private client that does not look like a server of ours (no server name as rDNS or
    HELO) does not continue custody on the configuration: its own headers are claims."""
    desktop = rcvd(
        "pc17 (unknown [10.0.5.17])", "relay.example.com", 10, extra="\n\tfor <x@victim.example>"
    )
    forged = rcvd("bot.spam.example (unknown [198.51.100.9])", "mx-ip01.example.com", 5)
    t = trace(message(VICTIM, desktop, forged), org=ORG)
    assert t.verdict is not None
    assert t.verdict.kind == "internal_origin", t.verdict.summary
    assert t.verdict.sender.ip == "10.0.5.17"
