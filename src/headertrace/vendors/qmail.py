"""qmail: the direct readers of its headers, with their examples.

    from mx.example.org (HELO laptop) (192.0.2.7) by mail.example.com with SMTP;
        9 Jun 2008 01:34:05 -0000
    from unknown (192.0.2.7) by mail.example.com with SMTP; 9 Jun 2008 01:34:05 -0000
    (qmail 5087 invoked by uid 110); 9 Jun 2008 01:34:06 -0000
    (qmail 5063 invoked from network); 9 Jun 2008 01:34:05 -0000

qmail-smtpd writes the reverse name (``unknown`` for none) and the bare address, the HELO
only where it differs from the name; qmail never names itself there, so the shape is the
sign (``FROM_STYLES["qmail"]``), unless the host names other software. qmail-queue writes
a stamp of its own: the process id, and who handed the message over.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.addresses import normalise_ip
from headertrace.models import Hop, Server, new_client, new_server
from headertrace.parse import tables
from headertrace.parse.software import software_named
from headertrace.parse.vendors import FROM_STYLES
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org (HELO laptop) (192.0.2.7) by mail.example.com with SMTP;"
    " 9 Jun 2008 01:34:05 -0000",
    "from unknown (192.0.2.7) by mail.example.com with SMTP; 9 Jun 2008 01:34:05 -0000",
    "(qmail 5087 invoked by uid 110); 9 Jun 2008 01:34:06 -0000",
    "(qmail 5063 invoked from network); 9 Jun 2008 01:34:05 -0000",
)

_SMTPD = re.compile(
    rf"from (?P<name>{b.HOST})(?: \(HELO (?:(?P<helo>{b.HOST})|(?P<helo_lit>\[{b.LITERAL}\]))\))?"
    rf" \((?P<ip>[0-9A-Fa-f:.]+)\) by (?P<by>{b.HOST}) with (?P<proto>[A-Za-z0-9]+);{b.DATE}"
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
    if helo is not None:  # "from NAME (HELO H) (IP)": NAME is the rDNS
        if no_name:
            client = new_client(helo=helo, rdns_status="none", ip=ip)
        else:
            client = new_client(
                helo=helo, rdns=name.rstrip(".") or None, rdns_status="present", ip=ip
            )
    elif no_name:  # "from unknown (IP)"
        client = new_client(rdns_status="none", ip=ip)
    else:  # "from NAME (IP)": the HELO was NAME
        client = new_client(helo=name, rdns=name.rstrip(".") or None, rdns_status="present", ip=ip)
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
