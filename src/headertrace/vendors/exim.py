"""Exim: the direct reader of its usual header, with its examples.

    from mx.example.org ([192.0.2.7] helo=laptop) by mail.example.com with esmtp
        (Exim 4.96) id 1mfq4n-0001K3-CU for bob@example.com; Wed, 27 Oct 2021 21:03:11 +0000
    from [192.0.2.7] (helo=mx.example.org) by mail.example.com with esmtps (TLS1.2) tls
        TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim 4.94.2) (envelope-from <a@example.org>)
        id 1mfq4n-0001K3-CU; Wed, 27 Oct 2021 21:03:11 +0000

Exim writes the client's verified name first and ``helo=`` only where the HELO differed
from it (``FROM_STYLES["Exim"]``): with no ``helo=`` the HELO is inferred, not recorded.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.addresses import normalise_ip
from headertrace.models import TLS, Client, Hop
from headertrace.parse import tables
from headertrace.parse.literals import literal_address
from headertrace.parse.software import software_named
from headertrace.vendors import _build as b

EXAMPLES = (
    "from mx.example.org ([192.0.2.7] helo=laptop) by mail.example.com with esmtp"
    " (Exim 4.96) id 1mfq4n-0001K3-CU for bob@example.com; Wed, 27 Oct 2021 21:03:11 +0000",
    "from [192.0.2.7] (helo=mx.example.org) by mail.example.com with esmtps (TLS1.2) tls"
    " TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim 4.94.2) (envelope-from <a@example.org>)"
    " id 1mfq4n-0001K3-CU; Wed, 27 Oct 2021 21:03:11 +0000",
    "from mx.example.org ([192.0.2.7]) by mail.example.com with esmtp (Exim 4.96)"
    " id 1mfq4n-0001K3-CU; Wed, 27 Oct 2021 21:03:11 +0000",
)

_SMTP = re.compile(
    rf"from (?:(?P<name>{b.HOST}) \(\[(?P<ip>{b.LITERAL})\](?: helo=(?P<helo>{b.HOST}))?\)"
    rf"|\[(?P<lit>{b.LITERAL})\](?: \(helo=(?P<lit_helo>{b.HOST})\))?)"
    rf" by (?P<by>{b.HOST}) with (?P<proto>[A-Za-z0-9]+)"
    r"(?: \((?P<tlsc>(?P<tls>TLS1\.[0-3])"
    r"|(?P<tlsv>TLSv?1\.[0-3]):(?P<cipher>[A-Za-z0-9_-]+):[0-9]+)\)"
    r"(?: tls (?P<tls_cipher>[A-Za-z0-9_-]+))?)?"
    r" \((?P<exim>Exim [0-9][A-Za-z0-9._-]*(?: #[0-9]+)?(?: \(Debian\))?)\)"
    rf"(?: \((?P<wenv>envelope-from <(?P<sender>{b.ANGLE_ADDR})>)\))?"
    rf" id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)


def _client(m: re.Match[str]) -> Client | None:
    name = m["name"]
    if name is None:  # "from [IP]", "from [IP] (helo=HELO)"
        ip, port = literal_address(m["lit"])
        if ip is None:
            return None
        helo = m["lit_helo"]
        if helo is None:
            return Client(
                helo=f"[{m['lit']}]", rdns_status="none", ip=ip, port=port, helo_inferred=True
            )
        return Client(helo=helo, rdns_status="none", ip=ip, port=port)
    ip, port = literal_address(m["ip"])
    if ip is None or not b.plain(name):
        return None
    no_name = name.lower() in tables.NO_NAME or normalise_ip(name) is not None
    helo = m["helo"]
    if helo is not None:  # "from NAME ([IP] helo=HELO)": NAME is the verified rDNS
        if no_name:
            return Client(helo=helo, rdns_status="none", ip=ip, port=port)
        return Client(
            helo=helo, rdns=name.rstrip(".") or None, rdns_status="present", ip=ip, port=port
        )
    if no_name:  # "from NAME ([IP])": the HELO was NAME, or none
        return None
    return Client(
        helo=name,
        rdns=name.rstrip(".") or None,
        rdns_status="present",
        ip=ip,
        port=port,
        helo_inferred=True,
    )


def read(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    client = _client(m)
    protocol, hop_id = m["proto"], m["id"]
    if client is None or not b.plain(protocol) or not b.plain(hop_id):
        return None
    if protocol.lower().startswith("microsoft"):
        return None
    # The with clause as the general reader joins it to name the software.
    with_text = " ".join(
        word
        for word in (
            protocol,
            m["tlsc"],
            m["tls_cipher"] and "tls",
            m["tls_cipher"],
            m["exim"],
            m["wenv"],
        )
        if word
    )
    by = m["by"]
    software, version = software_named((), (with_text, "", ""), (), False, by.lower().rstrip("."))
    server = b.server(by, software, version)
    kind = b.kind_of(protocol, client)
    if server is None or kind is None:
        return None
    tls_version, cipher = m["tls"] or m["tlsv"], m["tls_cipher"] or m["cipher"]
    tls = b.tls_of(protocol)
    if tls_version is not None or cipher is not None:
        tls = TLS(tls_version, cipher)
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
        envelope_from=m["sender"],
    )
