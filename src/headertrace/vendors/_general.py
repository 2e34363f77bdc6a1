"""What the general reader takes from each family: held by the family, gathered here.

Each family module of this package holds, beside its direct readers (if it has any), what
the general reader (:mod:`headertrace.parse.received`, :mod:`headertrace.parse.comments`)
must know of that family, each quirk with its example header (``GENERAL_EXAMPLES``). This
module gathers the two that are tables:

* ``COMMENT_MARKERS``: a word that opens a comment form only that family writes, and its
  reader (Courier's ``AUTH:``, qmail's ``invoked``, Postfix's ``using``...);
* ``STYLES``: how the family lays out the ``from`` part, into
  :data:`headertrace.parse.vendors.FROM_STYLES`.

The general reader calls the other quirks by name (``qmail.local_stamp``,
``exim.fullhost_client``...), and takes a family's layout from :func:`style_for`.

Layering: the family modules import only the leaves of :mod:`headertrace.parse` (``facts``,
``lexer``, ``tables``, ``literals``, ``vendors``, ``software``...), never the general reader
itself, so the general reader imports them at load time without a cycle
(``tests/test_vendor_quirks.py`` holds the line).
"""

from __future__ import annotations

from types import ModuleType

from headertrace.parse.facts import Reader
from headertrace.parse.vendors import DEFAULT_STYLE, FROM_STYLES, FromStyle
from headertrace.vendors import (
    communigate,
    courier,
    domino,
    exim,
    firewall,
    google,
    haraka,
    kerio,
    mdaemon,
    mercury,
    microsoft,
    opensmtpd,
    postfix,
    qmail,
    sendmail,
    smail,
    squirrelmail,
    zimbra,
)

FAMILIES: tuple[ModuleType, ...] = (
    sendmail,
    postfix,
    exim,
    firewall,
    squirrelmail,
    qmail,
    zimbra,
    microsoft,
    domino,
    mdaemon,
    kerio,
    communigate,
    courier,
    opensmtpd,
    haraka,
    smail,
    mercury,
    google,
)
"""Every family with a quirk of the general reader, in the order of :data:`FROM_STYLES`
(those with no from-part layout last)."""

COMMENT_MARKERS: dict[str, Reader] = {
    **sendmail.COMMENT_MARKERS,
    **postfix.COMMENT_MARKERS,
    **squirrelmail.COMMENT_MARKERS,
    **qmail.COMMENT_MARKERS,
    **communigate.COMMENT_MARKERS,
    **courier.COMMENT_MARKERS,
}

STYLES: dict[str, FromStyle] = {
    **sendmail.STYLES,
    **postfix.STYLES,
    **exim.STYLES,
    **firewall.STYLES,
    **squirrelmail.STYLES,
    **qmail.STYLES,
    **zimbra.STYLES,
    **microsoft.STYLES,
    **domino.STYLES,
    **mdaemon.STYLES,
    **kerio.STYLES,
    **communigate.STYLES,
}

# One table, filled once: the direct readers hold a reference to it from their own import.
FROM_STYLES.update(STYLES)


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
