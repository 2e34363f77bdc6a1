"""One module per MTA family: the direct readers of the header shapes it writes, each with
its example.

:func:`read_direct` tries them; a header none takes whole goes to the general reader
(:mod:`headertrace.parse.received`), which stays the reference. ``tests/test_vendors.py``
proves that wherever a direct reader takes a header, its ``Hop`` equals the general
reader's, field for field. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from headertrace.models import Hop
from headertrace.parse.headers import unfold
from headertrace.vendors import (
    amavis,
    communigate,
    cyrus,
    dovecot,
    exim,
    fetchmail,
    google,
    hmailserver,
    imail,
    intermail,
    iplanet,
    ironport,
    mercury,
    microsoft,
    postfix,
    powermta,
    qmail,
    sendmail,
    yahoo,
    zmailer,
)

Reader = Callable[[str, str, int, int, datetime | None], Hop | None]

# Readers of headers whose first word is a comment no key names: ZMailer's list expansion
# opens with the list's own address ("(majordomo@vger.kernel.org)", "(owner-x@example.org)").
_OTHER_COMMENT = "("

Gate = tuple[str, ...]
"""Texts one of which a header must hold for the reader to be tried (``()``: always):
an ``in`` test costs far less than a failing match."""

# By the header's first word. Each fails fast, its pattern being anchored, and a gate
# spares most of the failures: the gated readers come first, the frequent before the rare
# (a header two readers could take reads alike by both, each being equal to the general
# reader, so the order changes nothing but the time).
READERS: dict[str, tuple[tuple[Gate, Reader], ...]] = {
    "from": (
        (("(Postfix)",), postfix.read),
        (("(Postfix)",), postfix.read_more),
        (("(fetchmail-",), fetchmail.read),
        ((" with Microsoft SMTP Server", " with HTTP", " with mapi"), microsoft.read),
        (("(Exim ",), exim.read),
        (("rhost-flags-",), zmailer.read_smtp),
        ((") with ",), sendmail.read),
        (("@",), sendmail.read_ident),
        ((" (amavisd-new, ",), amavis.read),
        (("(Exim",), exim.read_more),
        (("(Exim",), exim.read_local),
        ((" SMTPSVC",), microsoft.read_smtpsvc),
        (("Internet Mail Service Version",), microsoft.read_ims),
        ((") by ",), qmail.read),
        (("(qmail-ldap-",), qmail.read_ldap),
        (("(InterMail ",), intermail.read),
        ((" Messaging Server ",), iplanet.read),
        (("(Cyrus",), cyrus.read),
        (("(PowerMTA",), powermta.read),
        ((" verified) by ",), communigate.read),
        (("(SMTPD32-",), imail.read),
        ((" with hMailServer",), hmailserver.read),
        ((" with LMTP id ",), dovecot.read),
        ((" id ",), google.read_smtp),
        ((" with HTTPREST",), google.read_api),
        (("]) by ",), ironport.read),
        (("(Mercury",), mercury.read),
        ((), yahoo.read),
    ),
    "by": (
        ((" with ",), google.read),
        (("(Postfix, from userid ",), postfix.read_pickup),
        (("(Postfix) ",), postfix.read_own),
        (("(PowerMTA",), powermta.read),
        ((" with ",), google.read_http),
        ((" with Internet Mail Service (",), microsoft.read_ims_out),
    ),
    "(from": (((), sendmail.read_submission),),
    "(qmail": (((), qmail.read_queue), ((" network[",), qmail.read_queue_network)),
    "(EGP:": (((), yahoo.read_egp),),
    _OTHER_COMMENT: (((" via listexpand ",), zmailer.read_listexpand),),
}


def read_direct(
    value: str, index: int = 0, header_index: int = 0, after: datetime | None = None
) -> Hop | None:
    """The hop of ``value`` if a direct reader takes it whole, else ``None``."""
    readers = READERS.get(value[: value.find(" ")])
    text = unfold(value)
    if readers is None:
        # Folded right after the first word ("from\n mx.example.org ..."), as Exchange
        # Online folds long lines: the word is looked up again once unfolded.
        readers = READERS.get(text[: text.find(" ")])
        if readers is None:
            if not text.startswith(_OTHER_COMMENT):
                return None
            readers = READERS[_OTHER_COMMENT]
    for gate, read in readers:
        if gate:  # a loop, not any() over a generator: this runs for every header
            for mark in gate:
                if mark in text:
                    break
            else:
                continue
        hop = read(text, value, index, header_index, after)
        if hop is not None:
            return hop
    return None
