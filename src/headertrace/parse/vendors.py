"""What the generic grammar cannot know: how each MTA family lays out the ``from`` part.

The same shape means different things to different servers. ``from X ([192.0.2.7])``:

* sendmail: X is the HELO; the missing name means the reverse lookup failed.
* Exim: X is the reverse DNS; Exim leaves out ``helo=`` when the HELO equals it.
* qmail: ``from X (192.0.2.7)``; X is the reverse DNS, HELO equal to it when no
  ``(HELO y)`` is written (qmail-smtpd.c writes the HELO only when it differs from the
  remote host name). qmail never names itself in this header, so the shape is the sign:
  an address written without brackets, when no other software is named.
* Exim 3: ``from X (Y) [192.0.2.7]``; X is the reverse DNS, Y the HELO (the address
  stands after the comments).
* TIS smap, Sidewinder: ``from X(192.0.2.7)``, no blank before the comment; X is the
  reverse DNS and the HELO is not written (``claiming to be "y"`` when it differed).
* Microsoft (IMS, SMTPSVC, Exchange 2007+): X is the HELO; Exchange never records rDNS.

Each family is one entry of :data:`FROM_STYLES`, with an example header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Style = Literal["helo_first", "rdns_first"]


@dataclass(frozen=True, slots=True)
class FromStyle:
    """How to read ``from X ([ip])`` when no host name stands beside the address."""

    bare: Style
    """``helo_first``: X is the HELO; ``rdns_first``: X is the reverse DNS (and the HELO)."""
    records_rdns: bool
    """Whether this family writes the reverse DNS name at all."""
    example: str
    has_helo: bool = True
    """False where the client speaks no SMTP (webmail): the name is never a HELO."""
    local_without_address: bool = False
    """A from part with no address is a local submission whose first word is the ident."""
    omits_matching_helo: bool = False
    """The HELO is left out where it equalled the verified name or the address literal
    (or none was sent), so ``from NAME ([IP])`` and ``from [IP]`` say what it was: the
    client's ``helo`` is then inferred, never recorded."""


FROM_STYLES: dict[str, FromStyle] = {
    "sendmail": FromStyle(
        "helo_first", True, "from mx.example.org ([192.0.2.7]) by mail.example.com (8.12.8/8.12.8)"
    ),
    "Postfix": FromStyle(
        "helo_first", True, "from mx.example.org (unknown [192.0.2.7]) by mail (Postfix)"
    ),
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
    # "(HELO)". The shape alone tells it: the software is often unnamed ("(v3.35.1)").
    "Exim 3": FromStyle(
        "rdns_first",
        True,
        "from mx.example.org (laptop) [192.0.2.7.1234] (bob) by mail with esmtp (Exim 3.36)",
    ),
    # TIS Gauntlet smap/csmap and Sidewinder write the reverse DNS name (or "unknown",
    # "nodnsquery") against the bare address, and no HELO unless the client's differed:
    # "from mx.example.org(192.0.2.7) by fw via smap (V2.0)",
    # "from mx.example.org(192.0.2.7, HELO other.example)",
    # 'from mx.example.org(192.0.2.7), claiming to be "other.example" via SMTP by fw'.
    # JetMail and AIMC write "from HELO([192.0.2.7])": brackets, so a HELO.
    "firewall": FromStyle(
        "rdns_first", True, "from mx.example.org(192.0.2.7) by fw.example.com via smap (V2.0)"
    ),
    # SquirrelMail names the web client by its reverse DNS when the web server looked it
    # up (often it does not: then the address alone); HTTP has no HELO:
    # "from client.example.org ([192.0.2.7]) (SquirrelMail authenticated user bob) by www
    # with HTTP". Recognised by its comment in the from part.
    "SquirrelMail": FromStyle(
        "rdns_first",
        False,
        "from client.example.org ([192.0.2.7]) (SquirrelMail authenticated user bob)",
        has_helo=False,
    ),
    "qmail": FromStyle("rdns_first", True, "from mx.example.org (192.0.2.7) by mail with SMTP"),
    "qmail-ldap": FromStyle("rdns_first", True, "from mx.example.org (192.0.2.7) by mail"),
    "Zimbra": FromStyle("rdns_first", True, "from mail (LHLO mail) (10.0.0.5) by mail with LMTP"),
    "Microsoft SMTP Server": FromStyle(
        "helo_first", False, "from EX01.corp.example.com (10.0.0.5) by EX02 with Microsoft SMTP"
    ),
    "Microsoft SMTPSVC": FromStyle(
        "helo_first", False, "from client ([192.0.2.7]) by exch with Microsoft SMTPSVC(6.0)"
    ),
    "Microsoft Exchange IMS": FromStyle(
        "helo_first", False, "from client ([192.0.2.7]) by exch with SMTP (Microsoft Exchange"
    ),
    "Lotus Domino": FromStyle(
        "helo_first", False, "from client ([192.0.2.7]) by notes (Lotus Domino Release 5.0.8)"
    ),
    "MDaemon": FromStyle("helo_first", False, "from client [192.0.2.7] by mx (MDaemon PRO v6)"),
    "Kerio": FromStyle("helo_first", False, "from client ([192.0.2.7]) by mx (Kerio Connect 9)"),
    "CommuniGate Pro": FromStyle(
        "helo_first", False, "from [192.0.2.7] (HELO client) by mx (CommuniGate Pro SMTP 6)"
    ),
}

DEFAULT_STYLE = FromStyle("helo_first", False, "from client ([192.0.2.7]) by mx")


def style_for(software: str | None, qmail_shape: bool = False) -> FromStyle:
    """The from-part layout of ``software`` (the generic one when unknown).

    ``qmail_shape``: ``from mx.example.org (192.0.2.7) by mx with SMTP``: the address
    without brackets and no comment naming software after ``by``. When the software has
    no layout of its own (none named, or only known by its host, as Yahoo's qmail
    servers), that is qmail's header, also copied by Critical Path. Exchange 2007+ writes
    the same from part, but names itself ("with Microsoft SMTP Server").
    """
    style = FROM_STYLES.get(software or "")
    if style is None:
        return FROM_STYLES["qmail"] if qmail_shape else DEFAULT_STYLE
    return style


_SENDMAIL_PREFIXES = ("smi-", "switch-", "sentrion")


def sendmail_version(comment: str) -> str | None:
    """sendmail writes its version as a bare comment: ``(8.12.8/8.12.8)``,
    ``(8.14.4/8.14.4/Debian-4)``, ``(8.13.8/8.13.8/Submit)``, ``(SMI-8.6/SMI-SVR4)``,
    ``(Switch-3.3.1/Switch-3.3.1)``. A site's own suffix may hold blanks:
    ``(8.14.9/8.14.9/Example v10.0)``, ``(8.12.3/8.12.3/Debian -4)``; the version up to its
    first ``/`` may not. Blank runs are written as one space."""
    text = " ".join(comment.split())
    if not text or len(text) > 80:
        return None
    low = text.lower()
    head = low.split("/", 1)[0]
    if " " in head:
        return None
    for prefix in _SENDMAIL_PREFIXES:
        if head.startswith(prefix):
            return text
    parts = head.split(".")
    if len(parts) >= 2 and all(p.isdigit() for p in parts[:2]) and "/" in low:
        return text
    return None
