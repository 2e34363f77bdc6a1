"""ZMailer (vger.kernel.org, the Linux kernel lists): the direct readers of the two
headers it writes, with their examples.

    (majordomo@vger.kernel.org) by vger.kernel.org via listexpand id S1726919AbhAJVQz
        (ORCPT <rfc822;bob@example.org>); Sun, 10 Jan 2021 16:16:55 -0500
    from mail.example.org ([192.0.2.10]:1118 "EHLO mail.example.org"
        rhost-flags-OK-OK-OK-OK) by vger.kernel.org with ESMTP id S1751901Ab0KODF1
        (ORCPT <rfc822;bob@example.org>); Mon, 15 Nov 2010 03:05:27 +0000

The general reader names no software for either (nothing in them is a name it knows) and
reads the from part by the default layout: the word after ``from`` is the HELO, the
quoted ``"EHLO ..."`` is skipped (a quoted text is no fact), the reverse name is not
recorded. Where the texts it reads name software after all (an ORCPT address holding
"exim"), the layout changes, and these readers leave the header to it.
"""

from __future__ import annotations

import re
from datetime import datetime

from headertrace.addresses import normalise_ip
from headertrace.models import Client, Hop, new_client
from headertrace.parse import tables
from headertrace.parse.literals import literal_address, split_port
from headertrace.parse.software import software_named
from headertrace.vendors import _build as b

LISTEXPAND_EXAMPLES = (
    "(majordomo@vger.kernel.org) by vger.kernel.org via listexpand id S1726919AbhAJVQz"
    " (ORCPT <rfc822;bob@example.org>); Sun, 10 Jan 2021 16:16:55 -0500",
    "(majordomo-Ab12Cd@lists.example.org) by lists.example.org via listexpand"
    " id S1726919AbhAJVQz convert rfc822-to-quoted-printable"
    " (ORCPT <rfc822;bob@example.org> + 2 others); Sun, 10 Jan 2021 16:16:55 -0500",
    "(majordomo@lists.example.org) by lists.example.org via listexpand id S17269AbhAJ;"
    " Sun, 10 Jan 2021 16:16:55 -0500 (EST)",
)

SMTP_EXAMPLES = (
    'from mail.example.org ([192.0.2.10]:1118 "EHLO mail.example.org"'
    " rhost-flags-OK-OK-OK-OK) by vger.kernel.org with ESMTP id S1751901Ab0KODF1"
    " (ORCPT <rfc822;bob@example.org>); Mon, 15 Nov 2010 03:05:27 +0000",
    'from mx.example.com ([IPv6:2001:db8::7]:40112 "HELO [192.0.2.9]"'
    " rhost-flags-OK-FAIL-OK-FAIL) by lists.example.org with SMTP id S1751901Ab0KODF1"
    " convert rfc822-to-8bit (ORCPT <rfc822;bob@example.org>); Mon, 15 Nov 2010 03:05:27 +0000",
    'from [192.0.2.10] ([192.0.2.10]:25 "EHLO [192.0.2.10]" rhost-flags-FAIL-FAIL-OK-FAIL)'
    " by lists.example.org with ESMTPS id S1751901Ab0KODF1 for <bob@example.org>;"
    " Mon, 15 Nov 2010 03:05:27 +0000",
)

# After the queue id: the conversion ZMailer made ("convert rfc822-to-8bit") and the
# original recipient (RFC 3461), the others counted, never named.
_AFTER_ID = (
    r"(?P<convert> convert rfc822-to-[A-Za-z0-9-]+)?"
    rf"(?: \((?P<orcpt>ORCPT <rfc822;{b.ANGLE_ADDR}>(?: \+ [0-9]{{1,6}} others?)?)\))?"
)

_LISTEXPAND = re.compile(
    rf"\((?P<sender>[A-Za-z0-9_.+-]+@(?P<sender_host>{b.HOST}))\) by (?P<by>{b.HOST})"
    rf" via listexpand id (?P<id>{b.QUEUE_ID}){_AFTER_ID};{b.DATE}"
)


def read_listexpand(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    """The list's expansion of a message to its subscribers: no client, the list's
    address alone in a comment before ``by``."""
    m = _LISTEXPAND.fullmatch(text)
    if m is None or normalise_ip(m["sender_host"]) is not None:
        return None  # "(bob@192.0.2.7)": the comment reader takes the client's address
    by = m["by"]
    software, version = software_named(
        (), ("", _id_text(m), "listexpand"), (m["sender"],), False, by.lower().rstrip(".")
    )
    server = b.server(by, software, version)
    if server is None:
        return None
    return b.hop(
        value,
        m,
        client=_NO_CLIENT,
        server=server,
        protocol=None,
        hop_id=m["id"],
        kind="unknown",
        index=index,
        header_index=header_index,
        after=after,
        via="listexpand",
    )


_SMTP = re.compile(
    rf"from (?:(?P<helo>{b.HOST})|\[(?P<helo_lit>{b.LITERAL})\])"
    rf" \(\[(?P<ip>{b.LITERAL})\](?::(?P<port>[0-9]{{1,5}}))?"
    r' "(?:EHLO|HELO) [^"()\\\r\n]*" rhost-flags-[A-Za-z-]*\)'
    rf" by (?P<by>{b.HOST}) with (?P<proto>[A-Za-z0-9]+) id (?P<id>{b.QUEUE_ID})"
    rf"{_AFTER_ID}{b.RECIPIENT};{b.DATE}"
)


def read_smtp(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    """A message taken in over SMTP, the client's address and port in the comment."""
    m = _SMTP.fullmatch(text)
    if m is None:
        return None
    protocol, by = m["proto"], m["by"]
    low = protocol.lower()
    if not b.plain(protocol) or low in _NOT_PLAIN_PROTOCOLS:
        return None
    named = software_named((), (protocol, _id_text(m), ""), (), False, by.lower().rstrip("."))
    if named[0] is not None:
        return None  # another family's layout of the from part
    client = _client(m)
    server = b.server(by, None, None)
    if client is None or server is None:
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
        hop_id=m["id"],
        kind=kind,
        index=index,
        header_index=header_index,
        after=after,
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, None, True),
    )


# Read otherwise by the general reader: Exchange's "with Microsoft ...", Outlook's mapi.
_NOT_PLAIN_PROTOCOLS = frozenset(("microsoft", "mapi"))


def _client(m: re.Match[str]) -> Client | None:
    """The default layout: the word after ``from`` is the HELO, with no reverse name."""
    ip, port = literal_address(m["ip"])
    if ip is None:
        return None
    if m["port"] is not None:  # "[192.0.2.10]:1118", read as the comment reader reads it
        port = port or split_port("0.0.0.0:" + m["port"])[1]
    helo_lit = m["helo_lit"]
    if helo_lit is not None:
        helo = f"[{helo_lit}]"
        port = port or literal_address(helo_lit)[1]
    else:
        helo = m["helo"]
        if not b.plain(helo) or helo.lower() in tables.NO_NAME_NOT_HELO:
            return None
    return new_client(helo=helo, rdns_status="not_recorded", ip=ip, port=port)


def _id_text(m: re.Match[str]) -> str:
    """What the general reader reads for software after the queue id: the words and the
    comment's text, joined by single blanks."""
    return " ".join(part.strip() for part in (m["convert"], m["orcpt"]) if part)


_NO_CLIENT = Client()
