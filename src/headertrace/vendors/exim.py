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
from headertrace.models import Client, Hop, RdnsStatus, Server, new_client
from headertrace.parse import tables
from headertrace.parse.facts import no_name
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.literals import literal_address
from headertrace.parse.software import software_named
from headertrace.parse.vendors import FromStyle
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
            return new_client(
                helo=f"[{m['lit']}]", rdns_status="none", ip=ip, port=port, helo_inferred=True
            )
        return new_client(helo=helo, rdns_status="none", ip=ip, port=port)
    ip, port = literal_address(m["ip"])
    if ip is None or not b.plain(name):
        return None
    no_name = name.lower() in tables.NO_NAME or normalise_ip(name) is not None
    helo = m["helo"]
    if helo is not None:  # "from NAME ([IP] helo=HELO)": NAME is the verified rDNS
        if no_name:
            return new_client(helo=helo, rdns_status="none", ip=ip, port=port)
        return new_client(
            helo=helo, rdns=name.rstrip(".") or None, rdns_status="present", ip=ip, port=port
        )
    if no_name:  # "from NAME ([IP])": the HELO was NAME, or none
        return None
    return new_client(
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
            _naming(m["wenv"]),
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
        tls = b.tls(tls_version, cipher)
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


# The other layouts of Exim's received_header_text, with their examples: the client's port
# ("[IP]:PORT", "(port=PORT)"), its ident, an older TLS comment ("(Cipher TLSv1:...:168)"),
# Exim without a version, and local submissions ("from USER by HOST with local").
MORE_EXAMPLES = (
    "from [192.0.2.7] (port=49152 helo=mx.example.org) by mail.example.com with esmtp"
    " (Exim 4.96) (envelope-from <a@example.org>) id 1mfq4n-0001K3-CU;"
    " Wed, 27 Oct 2021 21:03:11 +0000",
    "from mx.example.org ([192.0.2.7]:49152 helo=laptop) by mail.example.com with esmtps"
    " (TLS1.2:ECDHE-RSA-AES128-GCM-SHA256:128) (Exim 4.96) id 1mfq4n-0001K3-CU"
    " for bob@example.com; Wed, 27 Oct 2021 21:03:11 +0000",
    "from mx.example.org ([192.0.2.7] helo=laptop) by mail.example.com with esmtp"
    " (Cipher TLSv1:DES-CBC3-SHA:168) (Exim 3.35 #1 (Debian)) id 17nNYv-0001Ry-00"
    " for <bob@example.com>; Wed, 27 Oct 2002 21:03:11 +0100",
)
LOCAL_EXAMPLE = (
    "from bob by mail.example.com with local (Exim 4.96) (envelope-from <bob@example.com>)"
    " id 1mfq4n-0001K3-CU for alice@example.org; Wed, 27 Oct 2021 21:03:11 +0000"
)

# The comment after "[IP]" in the from part: "port=P", "helo=H", "ident=I", in any order,
# checked word by word in _assignments.
_ASSIGNMENTS = r"[A-Za-z0-9_.:=\[\] -]+"
_TLS_COMMENT = (
    r"(?: \((?P<tlsc>(?:Cipher )?TLSv?1(?:\.[0-3])?:[A-Za-z0-9_-]+:[0-9]+|TLS1\.[0-3])\)"
    r"(?: tls (?P<tls_cipher>[A-Za-z0-9_-]+))?)?"
)
_EXIM = r" \((?P<exim>Exim(?: [0-9][A-Za-z0-9._-]*)?(?: #[0-9]+)?(?: \((?:Debian|FreeBSD)\))?)\)"
_TAIL = (
    rf"(?: \((?P<wenv>envelope-from <(?P<sender>{b.ANGLE_ADDR})>)\))?"
    rf" id (?P<id>{b.QUEUE_ID}){b.RECIPIENT};{b.DATE}"
)
_MORE = re.compile(
    rf"from (?:(?P<name>{b.HOST}) \(\[(?P<ip>{b.LITERAL})\](?::(?P<port>[0-9]{{1,5}}))?"
    rf"(?P<name_kv> {_ASSIGNMENTS})?\)"
    rf"|\[(?P<lit>{b.LITERAL})\](?: \((?P<lit_kv>{_ASSIGNMENTS})\))?)"
    rf" by (?P<by>{b.HOST}) with (?P<proto>[A-Za-z0-9-]+){_TLS_COMMENT}{_EXIM}{_TAIL}"
)
_LOCAL = re.compile(
    rf"from (?P<user>[A-Za-z0-9_][A-Za-z0-9_.+-]*) by (?P<by>{b.HOST})"
    rf" with (?P<proto>[A-Za-z0-9-]+){_EXIM}{_TAIL}"
)
_HELO_VALUE = re.compile(rf"{b.HOST}|\[{b.LITERAL}\]")


def _assignments(text: str | None) -> dict[str, str] | None:
    """The ``port=``, ``helo=`` and ``ident=`` of a from-part comment, each once, as the
    comment reader reads them; ``None`` for anything else in it."""
    found: dict[str, str] = {}
    for word in text.split(" ") if text else ():
        key, _, value = word.partition("=")
        if key in found or _VALUES.get(key, _NOTHING).fullmatch(value) is None:
            return None
        found[key] = value
    return found


_VALUES = {
    "port": re.compile("[0-9]{1,5}"),
    "helo": re.compile(rf"{b.HOST}|\[{b.LITERAL}\]"),
    "ident": re.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*"),
}
_NOTHING = re.compile("(?!)")


def _more_client(m: re.Match[str]) -> Client | None:
    """The client of :data:`_MORE`, as the general reader reads Exim's from part."""
    name, kv = m["name"], m["name_kv"]
    said = _assignments(kv[1:] if kv else m["lit_kv"])
    if said is None:
        return None
    helo, ident = said.get("helo"), said.get("ident")
    if helo is not None and not b.plain(helo):
        return None
    if name is None:  # "from [IP] (port=P helo=H ident=I)"
        ip, port = literal_address(m["lit"])
        if ip is None:
            return None
        # A port= in the comment is read first; the literal's own comes second.
        port = (_port(said["port"]) if "port" in said else None) or port
        if helo is None:
            return new_client(
                helo=f"[{m['lit']}]",
                rdns_status="none",
                ip=ip,
                port=port,
                ident=ident,
                helo_inferred=True,
            )
        return new_client(helo=helo, rdns_status="none", ip=ip, port=port, ident=ident)
    ip, port = literal_address(m["ip"])
    if ip is None or not b.plain(name):
        return None
    if m["port"] is not None:  # "[IP]:PORT"
        port = port or _port(m["port"])
    if "port" in said:  # the assignment replaces what the literal said
        port = _port(said["port"])
    no_name = name.lower() in tables.NO_NAME or normalise_ip(name) is not None
    if helo is not None:
        if no_name:
            return new_client(helo=helo, rdns_status="none", ip=ip, port=port, ident=ident)
        rdns = name.rstrip(".") or None
        return new_client(
            helo=helo, rdns=rdns, rdns_status="present", ip=ip, port=port, ident=ident
        )
    if no_name:
        return None
    return new_client(
        helo=name,
        rdns=name.rstrip(".") or None,
        rdns_status="present",
        ip=ip,
        port=port,
        ident=ident,
        helo_inferred=True,
    )


def _port(digits: str) -> int | None:
    value = int(digits)
    return value if 0 < value < 65536 else None


def read_more(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _MORE.fullmatch(text)
    if m is None:
        return None
    client = _more_client(m)
    protocol, hop_id = m["proto"], m["id"]
    if client is None or not b.plain(protocol) or not b.plain(hop_id):
        return None
    software, server = _software(m, m["tlsc"], m["tls_cipher"])
    kind = b.kind_of(protocol, client)
    if server is None or kind is None or software != "Exim":
        return None
    tls = b.tls_of(protocol)
    if m["tlsc"] is not None:
        # "(TLS1.2:CIPHER:BITS)", "(Cipher TLSv1:CIPHER:BITS)", "(TLS1.3) tls CIPHER"; a
        # cipher after "tls" comes first.
        version_text, _, rest = m["tlsc"].rpartition(" ")[2].partition(":")
        tls = b.tls(version_text, m["tls_cipher"] or rest.partition(":")[0] or None)
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


def _software(
    m: re.Match[str], tls_comment: str | None = None, cipher: str | None = None
) -> tuple[str | None, Server | None]:
    """The software (and the server) the with clause names, read as the general reader
    joins the clause: the protocol, the TLS comment and cipher, Exim's comment and the
    envelope sender's."""
    words = (m["proto"], tls_comment, cipher and "tls", cipher, m["exim"], _naming(m["wenv"]))
    with_text = " ".join(word for word in words if word)
    by = m["by"]
    software, version = software_named((), (with_text, "", ""), (), False, by.lower().rstrip("."))
    return software, b.server(by, software, version)


def read_local(
    text: str, value: str, index: int, header_index: int, after: datetime | None
) -> Hop | None:
    m = _LOCAL.fullmatch(text)
    if m is None:
        return None
    user, protocol, hop_id = m["user"], m["proto"], m["id"]
    if not b.plain(user) or not b.plain(protocol) or not b.plain(hop_id):
        return None
    if normalise_ip(user) is not None or protocol.lower() in tables.FETCH_PROTOCOLS:
        return None
    software, server = _software(m)
    if server is None or software != "Exim":
        return None
    return b.hop(
        value,
        m,
        client=new_client(ident=user),
        server=server,
        protocol=protocol,
        hop_id=hop_id,
        kind="local",  # Exim writes a local sender's login alone
        index=index,
        header_index=header_index,
        after=after,
        tls=b.tls_of(protocol),
        auth=b.auth_of(protocol, software, True),
        envelope_from=m["sender"],
    )


def _naming(envelope: str | None) -> str | None:
    """The envelope-from comment where it may name software, else ``None``. It stands last
    in the with clause's text, after Exim's own comment, so a comment naming none changes
    neither the name nor the version read there; left out, the answer is kept across
    senders (software_named is cached by its texts)."""
    if envelope is None or tables.SOFTWARE_SEARCH.search(envelope.lower()) is None:
        return None
    return envelope


# === For the general reader =================================================================
# What headertrace.parse.received and .comments must know of this family, each with its
# example (GENERAL_EXAMPLES); headertrace.vendors._general gathers the tables. A block of
# its own, so that it and the direct readers above change apart.


GENERAL_EXAMPLES = (
    "from relay.example.net (laptop.example.org) [198.51.100.70.41234] (alice)"
    " by mx.example.com with esmtp (Exim 3.36 #1 (Debian)) id 1CQ5z8-0002xD-00;"
    " Sun, 31 Oct 2004 04:01:23 +0100",
    "from (pc17) [203.0.113.71] by mx.example.com with smtp (Exim 3.12 #1)"
    " id 15F0HM-00019f-00; Tue, 26 Jun 2001 23:21:48 +0200",
    "from authenticated user by lists.example.org with esmtpsa"
    " (TLS1.3:TLS_AES_256_GCM_SHA384:256) (Exim 4.94.2) (envelope-from <dave@example.org>)"
    " id 1vkfq9-00GuDy-KF; Tue, 27 Jan 2026 09:58:29 +0000",
    "from www-data by web.example.com with local (Exim 4.92)"
    " (envelope-from <www-data@web.example.com>) id 1abc-0001-AA;"
    " Mon, 02 Oct 2023 12:00:00 +0000",
)

STYLES = {
    # Exim's received_header_text writes "from $sender_rcvhost" (always with "[ip]") for a
    # remote host, else "from IDENT (helo=HELO)":
    # "from root (helo=localhost) by mail with local-esmtp (Exim 4.50)".
    # $sender_rcvhost names the host by its verified name, and writes "helo=" only when
    # the HELO differs from that name (compared without case) and from the address
    # literal (compared as addresses); a client that sent no HELO gets none either:
    #   "from NAME ([IP])", "from NAME ([IP]:PORT)", "from NAME ([IP] ident=ID)":
    #     the HELO was NAME or [IP] (or none);
    #   "from NAME ([IP] helo=HELO)": it was HELO;
    #   "from [IP]", "from [IP] (port=PORT ident=ID)": no verified name; the HELO was
    #     [IP] (or none);
    #   "from [IP] (helo=HELO)": it was HELO.
    "Exim": FromStyle(
        "rdns_first",
        True,
        "from mx.example.org ([192.0.2.7]) by mail with esmtp (Exim 4.96)",
        local_without_address=True,
        omits_matching_helo=True,
    ),
    # Exim 3 wrote "from $sender_fullhost ($sender_ident)": the address outside the
    # comments and after them, the port after a dot, a verified rDNS first and the HELO in
    # parentheses (left out when equal to the rDNS); with no verified name it starts at
    # "(HELO)". The shape alone tells it: the software is often unnamed ("(v3.35.1)"); see
    # fullhost_client.
    "Exim 3": FromStyle(
        "rdns_first",
        True,
        "from mx.example.org (laptop) [192.0.2.7.1234] (bob) by mail with esmtp (Exim 3.36)",
    ),
}

AUTHENTICATED_USER = ("authenticated", "user")
"""Debian's received_header_text for a client that logged in: ``from authenticated user by
mail.example.org with esmtpsa``, the words of the whole from part. Its address is not
written: a relay hop with no client address."""


def fullhost_client(part: list[Token], name: str | None) -> Client | None:
    """Exim 3's ``from RDNS (HELO) [ip.port] (ident)``, ``from (HELO) [ip]``: the address
    after a comment and outside it (``STYLES["Exim 3"]``), or ``None`` for another layout.
    ``part``: the from clause; ``name``: the word before the comment, when it is no
    address."""
    at = 1 if part[0].kind is not Kind.COMMENT else 0
    tail = part[at + 2 :]
    if len(part) < at + 2 or part[at].kind is not Kind.COMMENT or len(tail) > 1:
        return None
    literal = part[at + 1]
    said = part[at].text.strip()
    if literal.kind is not Kind.LITERAL or not said or " " in said or "=" in said:
        return None  # "(helo=x)", "(HELO x)": other layouts, read by the comments
    ip, port = literal_address(literal.text)
    if ip is None or (tail and tail[0].kind is not Kind.COMMENT):
        return None
    ident = tail[0].text.strip() if tail else None
    rdns = name if name is not None and not no_name(name) else None
    status: RdnsStatus = "present" if rdns else "none"
    return Client(
        helo=said if normalise_ip(said) != ip else None,
        rdns=rdns.rstrip(".") if rdns else None,
        rdns_status=status,
        ip=ip,
        port=port,
        ident=ident if ident and " " not in ident else None,
    )


def tls_cipher(with_words: list[Token]) -> str | None:
    """The cipher Exim 4.92+ writes after ``tls`` in the with clause: ``with esmtps (TLS1.2)
    tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384`` (``with_words``: its words)."""
    cipher = None
    for k, tok in enumerate(with_words[:-1]):
        if tok.text.lower() == "tls" and k > 0:
            cipher = with_words[k + 1].text
    return cipher
