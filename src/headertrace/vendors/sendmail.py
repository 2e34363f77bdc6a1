"""sendmail: the direct readers of its usual headers, with their examples.

    from mx.example.org (host.example.org [192.0.2.7]) by mail.example.com
        (8.14.4/8.14.4) with ESMTP id q0AA0xx1012345 for <bob@example.com>;
        Mon, 1 Jan 2024 10:00:00 +0000
    from mx.example.org ([192.0.2.7]) by mail.example.com (8.12.8/8.12.8) with SMTP
        id h1234; Mon, 1 Jan 2024 10:00:00 +0000
    (from apache@localhost) by mail.example.com (8.11.6/8.11.6) id fB69L7c12619;
        Thu, 6 Dec 2001 09:21:07 GMT

sendmail names itself by its version alone, as a comment after the ``by`` host
(:func:`headertrace.parse.vendors.sendmail_version`). ``HELO ([IP])``: the reverse lookup
found no name; ``(USER@RDNS [IP])``: the ident; ``(RDNS [IP] (may be forged))``: the name
does not resolve back. A TLS session is written after the id: ``(version=TLSv1/SSLv3
cipher=EDH-DSS-DES-CBC3-SHA bits=168 verify=NO)``. ``(from USER@HOST) by ...`` with no from
part: a local submission (sendmail's submission program), USER the local user.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from headertrace.addresses import normalise_ip
from headertrace.models import Auth, Hop, new_client
from headertrace.parse import tables
from headertrace.parse.vendors import sendmail_version
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org (host.example.org [192.0.2.7]) by mail.example.com (8.14.4/8.14.4)"
    " with ESMTP id q0AA0xx1012345 for <bob@example.com>; Mon, 1 Jan 2024 10:00:00 +0000",
    "from mx.example.org ([192.0.2.7]) by mail.example.com (8.12.8/8.12.8) with SMTP"
    " id h1234; Mon, 1 Jan 2024 10:00:00 +0000",
    "(from apache@localhost) by mail.example.com (8.11.6/8.11.6) id fB69L7c12619;"
    " Thu, 6 Dec 2001 09:21:07 GMT",
)

_SMTP = re.compile(
    rf"{b.FROM_RDNS} by (?P<by>{b.HOST}) \((?P<version>[A-Za-z0-9][A-Za-z0-9./+_-]*)\)"
    rf" with (?P<proto>[A-Za-z0-9]+) id (?P<id>{b.QUEUE_ID})"
    r"(?: \(version=(?P<tls>[A-Za-z0-9./_-]+) cipher=(?P<cipher>[A-Za-z0-9_-]+)"
    r" bits=[0-9]+(?:/[0-9]+)? verify=(?P<verify>[A-Za-z]+)\))?"
    rf"{b.RECIPIENT};{b.DATE}"
)

# "(version=TLSv1/SSLv3 cipher=... bits=256 verify=OK)": a client certificate verified.
_VERIFIED = Auth(True, "tls-client-certificate", None, "verify=OK")
_SUBMIT = re.compile(
    rf"\(from (?P<user>[A-Za-z0-9_.+-]+)(?:@{b.HOST})?\)"
    rf" by (?P<by>{b.HOST}) \((?P<version>[A-Za-z0-9][A-Za-z0-9./+_-]*)\)"
    rf" id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)
# A few versions ("8.12.8/8.12.8") stand in most headers: read each once.
_version = lru_cache(maxsize=1024)(sendmail_version)


def read_submission(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SUBMIT.fullmatch(text)
    if m is None:
        return None
    version = _version(m["version"])
    server = None if version is None else b.server(m["by"], "sendmail", version)
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


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    version = _version(m["version"])
    if version is None:
        return None
    parts = b.relay_parts(m.group(*b.RELAY_GROUPS), "sendmail", version)
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
        tls=b.tls(m["tls"], m["cipher"]) if m["tls"] else tls,
        auth=_VERIFIED if (m["verify"] or "").upper() == "OK" else auth,
    )


# sendmail's from part for a client with no address it recorded (a connection over the
# loopback read by ident, UUCP): the ident and the host name, no brackets.
IDENT_EXAMPLE = (
    "from localhost (bob@localhost) by mail.example.com (8.11.6/8.11.6) with ESMTP"
    " id g7LBjoZ12345 for <alice@example.org>; Wed, 21 Aug 2002 12:45:50 +0100"
)

_IDENT = re.compile(
    rf"from (?P<helo>{b.HOST}) \((?P<user>[A-Za-z0-9_.+-]+)@(?P<host>{b.HOST})\)"
    rf" by (?P<by>{b.HOST}) \((?P<version>[A-Za-z0-9][A-Za-z0-9./+_-]*)\)"
    rf" with (?P<proto>[A-Za-z0-9]+) id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)


def read_ident(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _IDENT.fullmatch(text)
    if m is None:
        return None
    version = _version(m["version"])
    helo, host, protocol = m["helo"], m["host"], m["proto"]
    if version is None or not b.plain(helo) or not b.plain(m["id"]):
        return None
    if host.replace(".", "").isdigit() or normalise_ip(host) is not None:
        return None  # an address, or a number the comment reader takes for no name
    server = b.server(m["by"], "sendmail", version)
    if host.lower() in tables.NO_NAME:
        client = new_client(helo=helo, rdns_status="none", ident=m["user"])
    else:
        rdns = host.rstrip(".") or None
        client = new_client(helo=helo, rdns=rdns, rdns_status="present", ident=m["user"])
    kind = b.kind_of(protocol, client)
    if server is None or kind is None:
        return None
    return b.hop(
        value,
        m,
        client=client,
        server=server,
        protocol=protocol,
        hop_id=m["id"],
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, "sendmail", True),
    )
