"""Google: the direct reader of the header Gmail's servers write with no from part, with
its example.

    by rv-out-0506.google.com with SMTP id b17so970201rvf.44
        for <bob@example.org>; Mon, 14 Apr 2008 08:03:14 -0700 (PDT)

No client is recorded; the software comes from the host's name (``SOFTWARE_BY_HOST``),
so the same shape from another host (``by 10.141.164.13 with SMTP id ...``) is read alike.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.models import Client, Hop, new_client
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.software import software_named
from headertrace.vendors import _build as b

EXAMPLE = (
    "by rv-out-0506.google.com with SMTP id b17so970201rvf.44"
    " for <bob@example.org>; Mon, 14 Apr 2008 08:03:14 -0700 (PDT)"
)

_BY = re.compile(
    rf"by (?P<by>{b.HOST}) with (?P<proto>[A-Za-z0-9]+) id (?P<id>{b.QUEUE_ID})"
    rf"{b.RECIPIENT};{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _BY.fullmatch(text)
    if m is None:
        return None
    protocol, hop_id = m["proto"], m["id"]
    server = b.server(m["by"], b.software_by_host(m["by"]), None)
    client = new_client()
    kind = b.kind_of(protocol, client)
    if server is None or kind is None or not b.plain(hop_id) or not b.plain(protocol):
        return None
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
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, server.software, False),
    )


# Gmail's servers with a from part: sendmail's layout with no version comment after the
# ``by`` host, and the TLS session (or "Google Transport Security") in a comment after the
# id or the recipient. Other servers write the same shape without that comment ("by
# mx.example.com with ESMTP id 4B2D"), named by their host or not at all.
SMTP_EXAMPLES = (
    "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])"
    " by mx.google.com with SMTPS id a640c23a62f3a-a8a6c1c5fd5sor229446166b.5.2024.09.02"
    " for <bob@example.org> (Google Transport Security);"
    " Mon, 02 Sep 2024 05:51:08 -0700 (PDT)",
    "from [192.168.1.10] (host.example.net. [192.0.2.7]) by smtp.gmail.com with ESMTPSA"
    " id 5b1f17b1804b1-42bb6df9c9bsm1400001.20.2024.09.02.05.51.07"
    " (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128);"
    " Mon, 02 Sep 2024 05:51:07 -0700 (PDT)",
    "from mx.example.org ([192.0.2.7]) by mail.example.com with ESMTP id 4B2D3C1A2F"
    " for <bob@example.com>; Mon, 1 Jan 2024 10:00:00 +0000",
)

# The comment reader takes "version=" and "cipher=" for the TLS session.
_TLS_COMMENT = (
    r" \((?P<{0}>version=(?P<{0}_version>[A-Za-z0-9._/-]+) cipher=(?P<{0}_cipher>[A-Za-z0-9_-]+)"
    r"(?: bits=[0-9]+(?:/[0-9]+)?)?|Google Transport Security)\)"
)
_SMTP = re.compile(
    rf"{b.FROM_RDNS} by (?P<by>{b.HOST}) with (?P<proto>[A-Za-z0-9]+) id (?P<id>{b.QUEUE_ID})"
    rf"(?:{_TLS_COMMENT.format('after_id')})?{b.RECIPIENT}(?:{_TLS_COMMENT.format('after_for')})?"
    rf";{b.DATE}"
)


def read_smtp(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    after_id, after_for = m["after_id"], m["after_for"]
    protocol, hop_id, by = m["proto"], m["id"], m["by"]
    if (after_id and after_for) or not b.plain(protocol) or not b.plain(hop_id):
        return None
    # Named as the general reader names it: from the with clause, then what follows the id
    # in its clause (the comment, when it stands there), then the host.
    software, version = software_named(
        (), (protocol, after_id or "", ""), (), False, by.lower().rstrip(".")
    )
    if software == "Microsoft SMTP Server" and _looks_like_version(hop_id):
        version = hop_id  # Exchange writes its build as the id
    style = b.style_of(software)
    if style.bare != "helo_first" or (m["rdns"] or "").lower() == "squirrelmail":
        return None  # another layout of the from part
    client = b.from_client(m, style.records_rdns)
    server = b.server(by, software, version)
    if client is None or server is None:
        return None
    kind = b.kind_of(protocol, client)
    if kind is None:
        return None
    tls_version = m["after_id_version"] or m["after_for_version"]
    tls = b.tls_of(protocol)
    if tls_version is not None:
        tls = b.tls(tls_version, m["after_id_cipher"] or m["after_for_cipher"])
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
        auth=b.auth_of(protocol, software, True),
    )


def _looks_like_version(text: str) -> bool:
    parts = text.split(".")
    return len(parts) >= 3 and all(p.isdigit() for p in parts)


# Gmail's web interface: no from part and no id, the server's internal address as the by
# host. Other servers write the same ("by luna.mailgun.net with HTTP").
HTTP_EXAMPLE = "by 10.54.110.5 with HTTP; Tue, 10 May 2005 10:26:39 -0700 (PDT)"

_BY_WITH = re.compile(rf"by (?P<by>{b.HOST}) with (?P<proto>[A-Za-z0-9]+);{b.DATE}")


def read_http(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _BY_WITH.fullmatch(text)
    if m is None:
        return None
    protocol, by = m["proto"], m["by"]
    software, version = software_named((), (protocol, "", ""), (), False, by.lower().rstrip("."))
    server = b.server(by, software, version)
    kind = b.kind_of(protocol, _NO_CLIENT)
    if server is None or kind is None or not b.plain(protocol):
        return None
    return b.hop(
        value,
        m,
        client=_NO_CLIENT,
        server=server,
        protocol=protocol,
        hop_id=None,
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, software, False),
    )


_NO_CLIENT = Client()


# The Gmail API: the Google Cloud project of the calling program and the name it
# registered, no client, no id (the general reader's ``api_project``).
API_EXAMPLES = (
    "from 123456789012 named unknown by gmailapi.google.com with HTTPREST;"
    " Thu, 26 Jan 2023 11:30:26 -0800",
)

_API = re.compile(
    rf"from (?P<project>[0-9]+) named (?P<name>{b.HOST}) by (?P<by>{b.HOST})"
    rf" with (?P<proto>HTTPREST);{b.DATE}"
)


def read_api(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _API.fullmatch(text)
    if m is None or not b.plain(m["name"]):
        return None
    protocol, by = m["proto"], m["by"]
    software, version = software_named((), (protocol, "", ""), (), False, by.lower().rstrip("."))
    server = b.server(by, software, version)
    client = new_client(ident=m["project"])
    kind = b.kind_of(protocol, client)
    if server is None or kind is None:
        return None
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol=protocol,
        hop_id=None,
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, software, True),
    )


# === For the general reader =================================================================
# What headertrace.parse.received must know of this family, with its example
# (GENERAL_EXAMPLES), gathered by headertrace.vendors._general.

GENERAL_EXAMPLES = (
    "from 123456789012 named unknown by gmailapi.google.com with HTTPREST;"
    " Thu, 26 Jan 2023 11:30:26 -0800",
)


def api_project(from_part: list[Token]) -> str | None:
    """A message sent through the Gmail API: ``from 123456789012 named unknown by
    gmailapi.google.com with HTTPREST``. The number is the Google Cloud project of the
    program that called the API, ``named`` the name it registered (``unknown``: none).
    No client connected to a mail server: the project is who submitted it (the ident),
    never a HELO."""
    words = [t.text for t in from_part if t.kind is Kind.WORD]
    if (
        len(words) != 3
        or len(from_part) != 3
        or not words[0].isdigit()
        or not words[0].isascii()
        or words[1].lower() != "named"
    ):
        return None
    return words[0]
