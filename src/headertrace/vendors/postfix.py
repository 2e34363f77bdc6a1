"""Postfix: the direct reader of its usual header, with its example.

    from mx.example.org (unknown [192.0.2.7]) by mail.example.com (Postfix) with ESMTP
        id 4B2D3C1A2F for <bob@example.com>; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)

The from part is ``HELO (RDNS [IP])``, ``unknown`` where the reverse lookup found no name.
A message submitted on the server itself (the pickup service) has no from part, and the
local user in the ``by`` comment:

    by mail.example.com (Postfix, from userid 500) id 66ADCD88BE;
        Thu, 10 Aug 2000 06:18:47 +0000 (UTC)
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Auth, Client, Hop, new_client
from headertrace.parse.facts import (
    Facts,
    Reader,
    followed_by,
    following,
    rest_text,
    set_auth,
)
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.software import software_named
from headertrace.parse.vendors import FromStyle
from headertrace.vendors import _build as b

EXAMPLE = (
    "from mx.example.org (unknown [192.0.2.7]) by mail.example.com (Postfix) with ESMTP"
    " id 4B2D3C1A2F for <bob@example.com>; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)"
)

PICKUP_EXAMPLE = (
    "by mail.example.com (Postfix, from userid 500) id 66ADCD88BE;"
    " Thu, 10 Aug 2000 06:18:47 +0000 (UTC)"
)

_PICKUP = re.compile(
    rf"by (?P<by>{b.HOST}) \(Postfix, from userid (?P<user>[0-9]+)\)"
    rf" id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)
_SMTP = re.compile(
    rf"{b.FROM_RDNS} by (?P<by>{b.HOST}) \(Postfix\) with (?P<proto>[A-Za-z0-9]+)"
    rf" id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    parts = b.relay_parts(m.group(*b.RELAY_GROUPS), "Postfix", None)
    if parts is None or not b.plain(m["id"]):
        return None
    client, server, kind, tls, auth = parts
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol=m["proto"],
        hop_id=m["id"],
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=tls,
        auth=auth,
    )


def read_pickup(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _PICKUP.fullmatch(text)
    if m is None:
        return None
    server = b.server(m["by"], "Postfix", None)
    if server is None or not b.plain(m["id"]):
        return None
    return b.hop(
        value,
        m,
        client=new_client(ident=m["user"]),
        server=server,
        protocol=None,
        hop_id=m["id"],
        kind="local",
        index=index,
        header_index=header_index,
        after=after,
    )


# Postfix with its TLS comment (smtpd_tls_received_header), the client certificate it did
# or did not ask for, the SASL login (smtpd_sasl_authenticated_header), and no queue id
# (a header written before the queue file): examples.
MORE_EXAMPLES = (
    "from mx.example.org (mx.example.org [192.0.2.7]) (using TLSv1.3 with cipher"
    " TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS"
    " (2048 bits) server-digest SHA256) (No client certificate requested) by"
    " mail.example.com (Postfix) with ESMTPS id 4B2D3C1A2F for <bob@example.com>;"
    " Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
    "from laptop (unknown [192.0.2.7]) (Authenticated sender: bob@example.com) by"
    " mail.example.com (Postfix) with ESMTPSA id 4B2D3C1A2F for <alice@example.org>;"
    " Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
    "from mx.example.org (unknown [192.0.2.7]) by mail.example.com (Postfix) with ESMTP;"
    " Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
)

_WORD = "[A-Za-z0-9_-]+"
_TLS = (
    rf" \(using (?P<tls>(?:TLS|SSL)v[0-9.]+) with cipher (?P<cipher>{_WORD})"
    rf" \([0-9]+/[0-9]+ bits\)(?: key-exchange {_WORD})?(?: server-signature {_WORD}"
    rf" \([0-9]+ bits\))?(?: server-digest {_WORD})?\)"
    r"(?: \((?:No client certificate requested|Client did not present a certificate)\))?"
)
_MORE = re.compile(
    rf"{b.FROM_RDNS}(?:{_TLS})?(?: \(Authenticated sender: (?P<sender>[A-Za-z0-9_.+@-]+)\))?"
    rf" by (?P<by>{b.HOST}) \(Postfix\) with (?P<proto>[A-Za-z0-9]+)"
    rf"(?: id (?P<id>{b.QUEUE_ID}))?{b.RECIPIENT};{b.DATE}"
)


def read_more(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _MORE.fullmatch(text)
    if m is None:
        return None
    client = b.from_client(m)
    server = b.server(m["by"], "Postfix", None)
    protocol, hop_id, sender = m["proto"], m["id"], m["sender"]
    if client is None or server is None or (hop_id is not None and not b.plain(hop_id)):
        return None
    kind = b.kind_of(protocol, client)
    if kind is None:
        return None
    auth = b.auth_of(protocol, "Postfix", True)
    if sender is not None:
        auth = Auth(True, None, sender, f"Authenticated sender: {sender}")
    tls = b.tls_of(protocol) if m["tls"] is None else b.tls(m["tls"], m["cipher"])
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol=protocol,
        hop_id=hop_id,
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=tls,
        auth=auth,
    )


# Postfix's own headers with no from part: a bounce or a notice it wrote itself (the
# bounce daemon, "via BOUNCE"), and a submission whose client part a site's header_checks
# cut away. No client is recorded.
OWN_EXAMPLES = (
    "by mail.example.com (Postfix) id 4B2D3C1A2F; Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
    "by mail.example.com (Postfix) via BOUNCE id 4B2D3C1A2F; Mon,  1 Jan 2024 10:00:00 -0500 (EST)",
    "by mail.example.com (Postfix) with ESMTPSA id 4B2D3C1A2F for <bob@example.org>;"
    " Mon, 1 Jan 2024 10:00:00 +0000 (UTC)",
    "by mail.example.com (Postfix) with ESMTPA; Mon, 1 Jan 2024 10:00:00 -0400 (EDT)",
)

_OWN = re.compile(
    rf"by (?P<by>{b.HOST}) \(Postfix\)(?: via (?P<via>[A-Za-z]+))?"
    rf"(?: with (?P<proto>[A-Za-z0-9]+))?(?: id (?P<id>{b.QUEUE_ID}))?{b.RECIPIENT};{b.DATE}"
)


def read_own(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _OWN.fullmatch(text)
    if m is None:
        return None
    via, protocol, hop_id = m["via"], m["proto"], m["id"]
    for word in (via, protocol, hop_id):
        if word is not None and not b.plain(word):
            return None  # a keyword: the general reader opens a clause there
    by = m["by"]
    named = software_named(
        _POSTFIX, (protocol or "", "", via or ""), (), False, by.lower().rstrip(".")
    )
    server = b.server(by, "Postfix", None)
    if server is None or named != _NAMED or (protocol or "").lower() == "microsoft":
        return None  # "with Microsoft ...": a protocol name the general reader reads whole
    kind = b.kind_of(protocol, _NO_CLIENT)
    if kind is None:
        return None
    return b.hop(
        value,
        m,
        client=_NO_CLIENT,
        server=server,
        protocol=protocol,
        hop_id=hop_id,
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=None if protocol is None else b.tls_of(protocol),
        auth=b.NO_AUTH if protocol is None else b.auth_of(protocol, "Postfix", False),
        via=via,
    )


_NO_CLIENT = Client()
_POSTFIX = ("Postfix",)
_NAMED = ("Postfix", None)


# === For the general reader =================================================================
# What headertrace.parse.received and .comments must know of this family, each with its
# example (GENERAL_EXAMPLES); headertrace.vendors._general gathers the tables. A block of
# its own, so that it and the direct readers above change apart.

GENERAL_EXAMPLES = (
    "from mail.example.org (mail.example.org [IPv6:2001:db8::25])"
    " (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"
    " key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)"
    " (No client certificate requested) by mx.example.com (Postfix) with ESMTPS id 4Q1;"
    " Tue,  3 Jan 2023 08:01:02 +0000 (UTC)",
    "from relay.example.org (relay.example.org [198.51.100.20])"
    " (using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))"
    ' (Client CN "relay.example.org", Issuer "Example CA" (verified OK))'
    " by mx.example.com (Postfix) with ESMTPS id 4Q2; Tue,  3 Jan 2023 08:01:02 +0000",
)

STYLES = {
    "Postfix": FromStyle(
        "helo_first", True, "from mx.example.org (unknown [192.0.2.7]) by mail (Postfix)"
    ),
}


def using(tokens: list[Token], i: int, facts: Facts) -> int | None:
    """``(using TLSv1.3 with cipher ...)``: the TLS session, when a TLS or SSL version
    follows the word."""
    nxt = following(tokens, i)
    if nxt is not None and nxt.text.lower().startswith(("tls", "ssl")):
        return tls(tokens, i, facts)
    return None


def tls(tokens: list[Token], i: int, facts: Facts) -> int:
    """``using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)``."""
    facts.tls_seen = True
    facts.tls_version = tokens[i + 1].text
    if followed_by(tokens, i + 1, ("with", "cipher")) and i + 4 < len(tokens):
        facts.tls_cipher = tokens[i + 4].text
        return i + 5
    return i + 2


def client_cn(tokens: list[Token], i: int, facts: Facts) -> int | None:
    """``(Client CN "bob", Issuer "CA" (verified OK))``: a verified client certificate."""
    nxt = following(tokens, i)
    if nxt is None or nxt.kind is not Kind.QUOTED:
        return None
    if "verified ok" in rest_text(tokens, i).lower():
        evidence = f'Client CN "{nxt.text}" (verified OK)'
        set_auth(facts, evidence, "tls-client-certificate", nxt.text)
    return i + 2


COMMENT_MARKERS: dict[str, Reader] = {"using": using, "cn": client_cn}
