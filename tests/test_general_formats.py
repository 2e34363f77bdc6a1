"""Formats the general reader once read wrongly (issue #13, round 2), each read as the
format is written: the examples are made up here, in each family's layout."""

from __future__ import annotations

from headertrace.models import TLS
from headertrace.parse.received import parse_received_general


def test_exchange_ims_without_a_from_part_names_its_protocol_whole() -> None:
    hop = parse_received_general(
        "by exch.example.com with Internet Mail Service (5.5.2653.19) id <QX1RT2B7>;"
        " Wed, 28 Aug 2002 09:56:42 +0100"
    )
    assert hop.protocol == "Internet Mail Service"
    assert hop.server.software == "Microsoft Exchange IMS"
    assert hop.server.version == "5.5.2653.19"
    assert hop.id == "QX1RT2B7"
    folded = parse_received_general(
        "by exch.example.com with Internet Mail\n\tService (5.5.2653.19) id <QX1RT2B7>;"
        " Wed, 28 Aug 2002 09:56:42 +0100"
    )
    assert folded.protocol == "Internet Mail Service"


def test_postfix_on_suse_has_no_version_of_its_own() -> None:
    hop = parse_received_general(
        "from localhost (localhost [127.0.0.1]) by mail.example.com (Postfix on SuSE Linux"
        " 8.1 (i386)) with ESMTP id 4B2D; Tue, 2 Jul 2002 12:49:36 +0100"
    )
    assert hop.server.software == "Postfix"
    assert hop.server.version is None  # 8.1 is SuSE's release
    assert (
        parse_received_general(
            "from a (a [192.0.2.7]) by mx (Exim 4.96) with esmtp id 1;"
            " Tue, 2 Jul 2002 12:49:36 +0100"
        ).server.version
        == "4.96"
    )


def test_exchange_tls_comment_says_tls() -> None:
    hop = parse_received_general(
        "from EX01.corp.example.com (10.0.0.5) by EX02.corp.example.com (10.0.0.6) with"
        " Microsoft SMTP Server (TLS) id 14.3.123.3; Mon, 2 Oct 2023 12:00:00 +0000"
    )
    assert hop.tls == TLS(None, None)
    assert hop.protocol == "Microsoft SMTP Server"
    assert hop.server.version == "14.3.123.3"
    plain = parse_received_general(
        "from EX01.corp.example.com (10.0.0.5) by EX02.corp.example.com (10.0.0.6) with"
        " Microsoft SMTP Server id 14.3.123.3; Mon, 2 Oct 2023 12:00:00 +0000"
    )
    assert plain.tls is None


def test_communigate_literal_with_helo_records_no_reverse_name() -> None:
    hop = parse_received_general(
        "from [198.51.100.73] (HELO laptop.example.net) by mail.example.com"
        " (CommuniGate Pro SMTP 3.5.9) with ESMTP id 734102; Mon, 27 Oct 2003 09:40:52 +0300"
    )
    assert hop.client.helo == "laptop.example.net"
    assert hop.client.ip == "198.51.100.73"
    assert hop.client.rdns_status == "not_recorded"
    # Another family's "from [ip] (HELO x)": the literal stands for a failed lookup.
    other = parse_received_general(
        "from [198.51.100.73] (HELO laptop.example.net) by mail.example.com"
        " (8.12.8/8.12.8) with ESMTP id g1; Mon, 27 Oct 2003 09:40:52 +0300"
    )
    assert other.client.rdns_status == "none"


def test_communigate_esmtp_tls_is_tls() -> None:
    hop = parse_received_general(
        "from [198.51.100.73] (HELO laptop.example.net) by mail.example.com"
        " (CommuniGate Pro SMTP 4.1.5) with ESMTP-TLS id 734102 for bob@example.com;"
        " Mon, 27 Oct 2003 09:40:52 +0300"
    )
    assert hop.tls == TLS(None, None)
    assert hop.protocol == "ESMTP-TLS"


def test_communigate_rules_keeps_the_sender() -> None:
    hop = parse_received_general(
        "from <owner-list@example.org> by mail.example.com (CommuniGate Pro RULES 3.4)"
        " with RULES id 734103; Mon, 02 Apr 2001 06:23:54 -0400"
    )
    assert hop.envelope_from == "owner-list@example.org"
    assert hop.kind == "local"
    assert hop.client.helo is None and hop.client.ip is None
    assert hop.status == "parsed"


def test_mercury_spool_pickup_is_local_and_names_mercury() -> None:
    for value in (
        "from SRV1/SpoolDir by mail.example.com (Mercury 1.44); 22 Aug 02 14:50:58 +0000",
        "from SpoolDir by SRV1 (Mercury 1.44); 22 Aug 02 14:50:31 +0000",
    ):
        hop = parse_received_general(value)
        assert hop.server.software == "Mercury"
        assert hop.server.version == "1.44"
        assert hop.kind == "local"
        assert hop.client.helo is None
        assert hop.status == "parsed"
    windows = parse_received_general(
        "from Spooler by mail.example.com (Mercury/32 v3.21c) ID MO000F96; 23 Aug 02 14:56:22 +0900"
    )
    assert (windows.server.software, windows.server.version) == ("Mercury/32", "v3.21c")
    assert windows.kind == "local"
    relay = parse_received_general(
        "from laptop (192.0.2.7) by mail.example.com (Mercury/32 v3.21c) ID MG000F77;"
        " 23 Aug 02 14:31:34 +0900"
    )
    assert relay.kind == "relay"
    assert relay.client.helo == "laptop"
    # "SpoolDir" from another server's header is a name like any other.
    assert (
        parse_received_general(
            "from SpoolDir by mail.example.com (8.12.8/8.12.8) id g1; 22 Aug 02 14:50:31 +0000"
        ).client.helo
        == "SpoolDir"
    )


def test_gmail_api_project_is_no_helo() -> None:
    hop = parse_received_general(
        "from 123456789012 named unknown by gmailapi.google.com with HTTPREST;"
        " Thu, 26 Jan 2023 11:30:26 -0800"
    )
    assert hop.client.helo is None
    assert hop.client.ident == "123456789012"
    assert hop.kind == "local"
    assert hop.server.software == "Google"
    assert hop.status == "parsed"
