"""Yahoo: the direct reader of the header its web and mail servers write for a message
handed to them, with its examples.

    from [192.0.2.7] by web42104.mail.yahoo.com via HTTP; Fri, 20 May 2005 05:26:12 PDT
    from [192.0.2.7] by nm12.bullet.mail.yahoo.com with NNFMP; Thu, 1 Jul 2010 10:00:00 -0000

The from part is the client's address alone, no name and no HELO; the software comes
from the host's name (``SOFTWARE_BY_HOST``). Other servers write the same shape, with the
address bare or in brackets ("from 192.0.2.7 by mail.example.com with HTTP"), and are read
alike, as the family the header names (an Exim or sendmail host reads ``from [IP]`` as its
own layout says).
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.addresses import normalise_ip
from headertrace.models import Client, Hop, RdnsStatus, new_client, new_server
from headertrace.parse.literals import literal_address
from headertrace.parse.software import software_named
from headertrace.vendors import _build as b

EXAMPLES = (
    "from [192.0.2.7] by web42104.mail.yahoo.com via HTTP; Fri, 20 May 2005 05:26:12 PDT",
    "from [192.0.2.7] by nm12.bullet.mail.yahoo.com with NNFMP; Thu, 1 Jul 2010 10:00:00 -0000",
    "from 192.0.2.7 by mail.example.com with HTTP; Fri, 20 May 2005 05:26:12 +0000",
)

_ADDRESS_ONLY = re.compile(
    rf"from (?:\[(?P<lit>{b.LITERAL})\]|(?P<bare>[0-9A-Fa-f:.]+)) by (?P<by>{b.HOST})"
    rf" (?:with (?P<proto>[A-Za-z0-9]+)|via (?P<via>[A-Za-z0-9]+));{b.DATE}"
)


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _ADDRESS_ONLY.fullmatch(text)
    if m is None:
        return None
    protocol, via, by = m["proto"], m["via"], m["by"]
    if not b.plain(protocol or via):
        return None
    software, version = software_named(
        (), (protocol or "", "", via or ""), (), False, by.lower().rstrip(".")
    )
    server = b.server(by, software, version)
    client = _client(m["lit"], m["bare"], software)
    if server is None or client is None:
        return None
    kind = b.kind_of(protocol, client)
    if kind is None:
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
        tls=b.tls_of(protocol or ""),
        auth=b.auth_of(protocol or "", software, True),
        via=via,
    )


def _client(literal: str | None, bare: str | None, software: str | None) -> Client | None:
    """``from [IP]`` or ``from IP``: the address alone, read by the from-part layout of the
    family the header names."""
    port = None
    if literal is not None:
        written = f"[{literal}]"
        ip, port = literal_address(literal)
    else:
        written, ip = bare or "", normalise_ip(bare)
    if ip is None:
        return None
    style = b.style_of(software)
    status: RdnsStatus = "none" if style.records_rdns else "not_recorded"
    if style.omits_matching_helo:  # Exim: no helo= means the client said this
        return new_client(helo=written, rdns_status=status, ip=ip, port=port, helo_inferred=True)
    return new_client(rdns_status=status, ip=ip, port=port)


# Yahoo Groups (eGroups) stamps a message it takes in, a comment alone before the date.
EGP_EXAMPLE = "(EGP: mail-8_1_0_1); 22 Aug 2002 11:46:29 -0000"

_EGP = re.compile(rf"\((?P<stamp>EGP: [A-Za-z0-9][A-Za-z0-9_.-]*)\);{b.DATE}")


def read_egp(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _EGP.fullmatch(text)
    if m is None:
        return None
    software, version = software_named((), ("", "", ""), (m["stamp"],), False, "")
    hop = b.hop(
        value,
        m,
        client=_NO_CLIENT,
        server=new_server(software=software, version=version),
        protocol=None,
        hop_id=None,
        kind="unknown",
        index=index,
        header_index=header_index,
        after=after,
    )
    if hop is None or hop.timestamp is None:
        return None  # an undated stamp: the general reader says "unparsed"
    return hop


_NO_CLIENT = Client()
