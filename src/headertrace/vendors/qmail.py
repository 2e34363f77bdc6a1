"""qmail: the direct readers of its headers, with their examples.

    from mx.example.org (HELO laptop) (192.0.2.7) by mail.example.com with SMTP;
        9 Jun 2008 01:34:05 -0000
    from unknown (192.0.2.7) by mail.example.com with SMTP; 9 Jun 2008 01:34:05 -0000
    (qmail 5087 invoked by uid 110); 9 Jun 2008 01:34:06 -0000
    (qmail 5063 invoked from network); 9 Jun 2008 01:34:05 -0000

qmail-smtpd writes the reverse name (``unknown`` for none) and the bare address (after the
ident reply and an ``@`` where tcpserver got one), the HELO only where it differs from the
name; qmail never names itself there, so the shape is the
sign (``FROM_STYLES["qmail"]``), unless the host names other software. qmail-queue writes
a stamp of its own: the process id, and who handed the message over.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.addresses import normalise_ip
from headertrace.models import Client, Hop, Server, new_client, new_server
from headertrace.parse import tables
from headertrace.parse.facts import Facts, Reader, hostlike
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.software import software_named
from headertrace.parse.vendors import FROM_STYLES, FromStyle
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org (HELO laptop) (192.0.2.7) by mail.example.com with SMTP;"
    " 9 Jun 2008 01:34:05 -0000",
    "from localhost (bob@127.0.0.1) by mail.example.com with SMTP; 9 Jun 2008 01:34:05 -0000",
    "from unknown (192.0.2.7) by mail.example.com with SMTP; 9 Jun 2008 01:34:05 -0000",
    "(qmail 5087 invoked by uid 110); 9 Jun 2008 01:34:06 -0000",
    "(qmail 5063 invoked from network); 9 Jun 2008 01:34:05 -0000",
)

_SMTPD = re.compile(
    rf"from (?P<name>{b.HOST})(?: \(HELO (?:(?P<helo>{b.HOST})|(?P<helo_lit>\[{b.LITERAL}\]))\))?"
    rf" \((?:(?P<ident>[A-Za-z0-9_.+-]+)@)?(?P<ip>[0-9A-Fa-f:.]+)\) by (?P<by>{b.HOST})"
    rf" with (?P<proto>[A-Za-z0-9]+);{b.DATE}"
)
_QUEUE = re.compile(
    r"\(qmail [0-9]+ invoked (?:by uid (?P<uid>[0-9]+)|(?P<network>from network)"
    rf"|by alias|for bounce)\);{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTPD.fullmatch(text)
    if m is None:
        return None
    name, by, protocol = m["name"], m["by"], m["proto"]
    ip = normalise_ip(m["ip"])
    software = b.software_by_host(by)
    if ip is None or software in FROM_STYLES or not b.plain(name) or not b.plain(protocol):
        return None
    no_name = name.lower() in tables.NO_NAME or normalise_ip(name) is not None
    helo = m["helo"] or m["helo_lit"]
    ident = m["ident"]  # the ident reply (tcpserver's TCPREMOTEINFO): "(bob@192.0.2.7)"
    if ident is not None and ident.lower().startswith(("tls", "ssl")):
        return None  # the comment reader may take it for a TLS version
    if helo is not None:  # "from NAME (HELO H) (IP)": NAME is the rDNS
        if no_name:
            client = new_client(helo=helo, rdns_status="none", ip=ip, ident=ident)
        else:
            rdns = name.rstrip(".") or None
            client = new_client(helo=helo, rdns=rdns, rdns_status="present", ip=ip, ident=ident)
    elif no_name:  # "from unknown (IP)"
        client = new_client(rdns_status="none", ip=ip, ident=ident)
    else:  # "from NAME (IP)": the HELO was NAME
        rdns = name.rstrip(".") or None
        client = new_client(helo=name, rdns=rdns, rdns_status="present", ip=ip, ident=ident)
    server = b.server(by, software, None)
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


_QMAIL = Server(software="qmail")


def read_queue(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _QUEUE.fullmatch(text)
    if m is None:
        return None
    uid = m["uid"]
    hop = b.hop(
        value,
        m,
        client=new_client(ident=uid),
        server=_QMAIL,
        protocol=None,
        hop_id=None,
        kind="relay" if m["network"] else "local",
        index=index,
        header_index=header_index,
        after=after,
    )
    if hop is None or hop.timestamp is not None or not m["network"]:
        return hop
    return None  # an undated stamp of the network: the general reader says "unparsed"


# qmail-queue with the client it was handed by (qmail-ldap and patched qmail write it, with
# the message number of the qmail-ldap patch): the address and the reverse name.
NETWORK_EXAMPLES = (
    "(qmail 5063 invoked from network[192.0.2.7/mx.example.org]); 9 Jun 2008 01:34:05 -0000",
    "(qmail 28719 messnum 339861 invoked from network[192.0.2.7/unknown]);"
    " 9 Jun 2008 01:34:05 -0000",
)

_NETWORK = re.compile(
    r"\((?P<stamp>qmail [0-9]+(?: messnum [0-9]+)? invoked from"
    rf" network\[(?P<ip>[0-9A-Fa-f:.]+)/(?P<host>{b.HOST})\])\);{b.DATE}"
)


def read_queue_network(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _NETWORK.fullmatch(text)
    if m is None:
        return None
    ip = normalise_ip(m["ip"])
    if ip is None:
        return None
    software, version = software_named((), ("", "", ""), (m["stamp"],), False, "")
    hop = b.hop(
        value,
        m,
        client=new_client(rdns=m["host"], rdns_status="present", ip=ip),  # the name as written
        server=new_server(software=software, version=version),
        protocol=None,
        hop_id=None,
        kind="relay",
        index=index,
        header_index=header_index,
        after=after,
    )
    if hop is None or hop.timestamp is None:
        return None  # an undated stamp: the general reader says "unparsed"
    return hop


# qmail-ldap's qmail-smtpd: the reverse name (``unknown`` for none), the HELO where it
# differs, the ident reply (often empty) before the address literal, the envelope sender
# in a comment, and its own name and version after the by host; examples.
LDAP_EXAMPLES = (
    "from mx.example.org (@[192.0.2.7]) (envelope-sender <bob@example.org>) by"
    " mail.example.com (qmail-ldap-1.03) with SMTP for <alice@example.com>;"
    " 22 Aug 2002 15:25:56 -0000",
    "from unknown (HELO laptop) ([192.0.2.7]) (envelope-sender <bob@example.org>) by"
    " 198.51.100.5 (qmail-ldap-1.03) with SMTP for <alice@example.com>;"
    " 26 Aug 2002 19:24:22 -0000",
    "from localhost (HELO mx.example.org) (a1B2+c3/D4?@[127.0.0.1])"
    " (envelope-sender <>) by localhost (qmail-ldap-1.03) with ESMTP for"
    " <alice@example.com>; 22 Aug 2002 15:25:53 -0000",
)

_LDAP = re.compile(
    rf"from (?P<name>{b.HOST})(?: \(HELO (?:(?P<helo>{b.HOST})|(?P<helo_lit>\[{b.LITERAL}\]))\))?"
    rf" \((?:(?P<ident>[A-Za-z0-9_.+/?-]*)@)?\[(?P<ip>{b.LITERAL})\]\)"
    rf"(?: \(envelope-sender <(?P<sender>{b.ANGLE_ADDR})?>\))?"
    rf" by (?P<by>{b.HOST}) \((?P<stamp>qmail-ldap-[0-9][0-9.]*)\) with (?P<proto>[A-Za-z0-9]+)"
    rf"{b.RECIPIENT};{b.DATE}"
)


def read_ldap(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _LDAP.fullmatch(text)
    if m is None:
        return None
    name, by, protocol = m["name"], m["by"], m["proto"]
    address = b.client_literal(m["ip"])
    if address is None or not b.plain(name) or not b.plain(protocol):
        return None
    software, version = software_named(
        (m["stamp"],), (protocol, "", ""), (), False, by.lower().rstrip(".")
    )
    server = b.server(by, software, version)
    client = _ldap_client(m, name, address)
    kind = b.kind_of(protocol, client)
    if server is None or kind is None or software != "qmail-ldap":
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
        envelope_from=m["sender"],
    )


def _ldap_client(m: re.Match[str], name: str, address: tuple[str, int | None]) -> Client:
    """qmail's layout (``STYLES["qmail-ldap"]``): the name is the reverse lookup's, and
    the HELO too where none is written."""
    ip, port = address
    ident = m["ident"] or None
    helo = m["helo"] or m["helo_lit"]
    no_name = name.lower() in tables.NO_NAME or normalise_ip(name) is not None
    if no_name:
        return new_client(helo=helo, rdns_status="none", ip=ip, port=port, ident=ident)
    rdns = name.rstrip(".") or None
    return new_client(
        helo=helo or name, rdns=rdns, rdns_status="present", ip=ip, port=port, ident=ident
    )


# === For the general reader =================================================================
# What headertrace.parse.received and .comments must know of this family, each with its
# example (GENERAL_EXAMPLES); headertrace.vendors._general gathers the tables. A block of
# its own, so that it and the direct readers above change apart.


GENERAL_EXAMPLES = (
    "(qmail 1866 messnum 187485 invoked from network[198.51.100.44/client.example.net]);"
    " 19 Jul 2002 20:53:16 -0000",
    "(qmail 12345 invoked by uid 48); 22 Aug 2002 10:14:23 -0000",
    "from dsl-7.example.net (203.0.113.50) by mail.example.com (7.0.030.2)"
    " (authenticated as dave) id 414B418B002D65F1 for list@example.org;"
    " Thu, 23 Sep 2004 18:42:17 +0000",
)

STYLES = {
    "qmail": FromStyle("rdns_first", True, "from mx.example.org (192.0.2.7) by mail with SMTP"),
    "qmail-ldap": FromStyle("rdns_first", True, "from mx.example.org (192.0.2.7) by mail"),
}


def invoked(tokens: list[Token], i: int, facts: Facts) -> int:
    """qmail-queue's stamp: ``invoked by uid 48`` (a local user), ``invoked from network``
    (qmail-smtpd), ``invoked from network[192.0.2.7/host.example]`` (with the client),
    ``invoked by alias`` (a .qmail forward), ``invoked for bounce``."""
    rest = tokens[i + 1 : i + 4]
    words = [t.text.lower() for t in rest if t.kind is Kind.WORD]
    facts.words.extend(words)
    if words[:2] == ["by", "uid"] and len(rest) == 3:
        facts.local_user = rest[2].text
    elif words[:2] == ["from", "network"] and len(rest) == 3 and rest[2].kind is Kind.LITERAL:
        address, _, host = rest[2].text.partition("/")
        facts.ip = facts.ip or normalise_ip(address)
        if host and hostlike(host) and facts.host is None:
            facts.host = host
    return i + 1 + len(rest)


COMMENT_MARKERS: dict[str, Reader] = {"invoked": invoked}


def by_part(by: list[Token], has_with: bool) -> bool:
    """Whether the rest of the header is written as qmail writes it: ``by host with SMTP``,
    no comment naming software (``by``: the by clause, ``has_with``: a with clause
    follows). Critical Path copies qmail's from part and writes only its version: ``by
    host (7.0.030.2) (authenticated as bob) id ...``. Not: "(LSMTP for Windows NT v1.1b)",
    "by host (10.0.0.5)", or PowerMTA with its banner hidden ("by host id ...; date
    (envelope-from <x>)")."""
    for tok in by[1:]:
        if tok.kind is Kind.COMMENT:  # the first one, where servers name themselves
            text = tok.text.strip()
            return normalise_ip(text) is None and text.replace(".", "").isdigit()
    return has_with


def local_stamp(words: list[str]) -> bool:
    """``(qmail 123 invoked by uid 48)``, ``invoked by alias``, ``invoked for bounce``: a
    local submission (``words``: the lower-cased words of the header's comments)."""
    if "invoked" not in words:
        return False
    at = words.index("invoked")
    return words[at + 1 : at + 2] in (["by"], ["for"]) and "network" not in words[at:]


def network_stamp(words: list[str]) -> bool:
    """``(qmail 123 invoked from network)``: qmail-queue after qmail-smtpd, a relay."""
    return "qmail" in words and "network" in words
