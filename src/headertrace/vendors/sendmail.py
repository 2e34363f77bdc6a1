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
from headertrace.parse.facts import Facts, Reader, followed_by, set_auth
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.tables import SASL_MECHANISMS
from headertrace.parse.vendors import FromStyle, sendmail_version
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org (host.example.org [192.0.2.7]) by mail.example.com (8.14.4/8.14.4)"
    " with ESMTP id q0AA0xx1012345 for <bob@example.com>; Mon, 1 Jan 2024 10:00:00 +0000",
    "from laptop (dsl.example.net [192.0.2.9]) (authenticated bits=0) by mail.example.com"
    " (8.13.8/8.13.8) with ESMTP id l2FH1xYZ012345 for <bob@example.com>;"
    " Thu, 15 Mar 2007 18:01:59 +0100",
    "from laptop (bob@[192.0.2.10]) by mail.example.com (8.9.3/8.9.3) with ESMTP"
    " id QAA32731; Mon, 22 Jul 2002 16:02:25 +0100",
    "from mx.example.org ([192.0.2.7]) by mail.example.com (8.12.8/8.12.8) with SMTP"
    " id h1234; Mon, 1 Jan 2024 10:00:00 +0000",
    "(from apache@localhost) by mail.example.com (8.11.6/8.11.6) id fB69L7c12619;"
    " Thu, 6 Dec 2001 09:21:07 GMT",
)

_SMTP = re.compile(
    rf"{b.FROM_RDNS}(?: \((?P<authn>authenticated(?: bits=[0-9]+)?)\))?"
    rf" by (?P<by>{b.HOST}) \((?P<version>[A-Za-z0-9][A-Za-z0-9./+_-]*)\)"
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
        auth=_auth(m, auth),
    )


def _auth(m: re.Match[str], auth: Auth) -> Auth:
    """The client's login as the general reader finds it: the from part's comment first
    (``(authenticated bits=0)``, sendmail's confRECEIVED_HEADER with ``{auth_type}``), then
    a verified certificate, else what the protocol says."""
    logged_in = m["authn"]
    if logged_in is not None:
        return _logged_in(logged_in)
    return _VERIFIED if (m["verify"] or "").upper() == "OK" else auth


@lru_cache(maxsize=64)
def _logged_in(evidence: str) -> Auth:
    return Auth(True, None, None, evidence)


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


# === For the general reader =================================================================
# What headertrace.parse.received and .comments must know of this family, each with its
# example (GENERAL_EXAMPLES); headertrace.vendors._general gathers the tables. A block of
# its own, so that it and the direct readers above change apart.


GENERAL_EXAMPLES = (
    "from helo.example.net (rdns.example.net [198.51.100.5] (may be forged))"
    " by mail.example.com (8.12.8/8.12.8) with ESMTP id g7M2; Thu, 22 Aug 2002 10:14:23 -0400",
    "from laptop (dsl.example.net [198.51.100.87]) (user=bob@example.com mech=LOGIN bits=0)"
    " by mail.example.com (8.15.2/8.15.2) with ESMTPSA id 3A9J57bm029150"
    " (version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT);"
    " Mon, 02 Oct 2023 12:00:00 +0000",
    "from laptop (dsl.example.net [198.51.100.90])"
    " (user=bob@example.com author=alice@example.com mech=LOGIN bits=0)"
    " by mail.example.com (8.14.4/8.14.4) with ESMTPSA id 3A9J57bm029152;"
    " Mon, 02 Oct 2023 12:00:00 +0000",
)

STYLES = {
    "sendmail": FromStyle(
        "helo_first", True, "from mx.example.org ([192.0.2.7]) by mail.example.com (8.12.8/8.12.8)"
    ),
}


def may_be_forged(tokens: list[Token], i: int, facts: Facts) -> int | None:
    """``[192.0.2.7] (may be forged)``: the rDNS does not resolve back."""
    if followed_by(tokens, i, ("be", "forged")):
        facts.forged = True
        return i + 3
    return None


COMMENT_MARKERS: dict[str, Reader] = {"may": may_be_forged}

_LOGIN_KEYS = ("user", "author", "mech", "bits")


def login(tokens: list[Token], i: int, mech: str, facts: Facts) -> None:
    """sendmail set to name the login (its ``_REC_FULL_AUTH_`` in a confRECEIVED_HEADER):
    ``(user=bob@example.com mech=LOGIN bits=0)``, with ``author=`` before ``mech=`` when
    the client gave ``AUTH=`` on MAIL. ``user=`` is the account that logged in. The
    assignments are read only beside ``mech=`` (at ``i``, three words either way), so a
    comment costs the same however many it holds."""
    if mech.lower() not in SASL_MECHANISMS:
        return
    user: str | None = None
    written: list[str] = []
    for tok in tokens[max(0, i - 3) : i + 4]:
        key, eq, value = tok.text.partition("=")
        if tok.kind is Kind.WORD and eq and key.lower() in _LOGIN_KEYS:
            written.append(tok.text)
            if key.lower() == "user" and user is None:
                user = value or None
    set_auth(facts, " ".join(written), mech, user)
