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

This module holds the form of that knowledge (:class:`FromStyle`) and the table of it
(:data:`FROM_STYLES`); each family's entry, with its example header, lives in the family's
module of :mod:`headertrace.vendors` (``exim.STYLES``, ``qmail.STYLES``...).
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
    literal_means_no_name: bool = True
    """``from [192.0.2.7] (HELO x)``: the address literal stands where the reverse name
    would, so the lookup found none (rDNS ``none``). False where the family never writes a
    reverse name there (``not_recorded``)."""


FROM_STYLES: dict[str, FromStyle] = {}
"""The layout of each family that has one, by software name: each family module of
:mod:`headertrace.vendors` holds its own (``STYLES``, with an example header), and
:mod:`headertrace.vendors._general` gathers them here when the general reader is imported.
The direct readers consult this same table (qmail's: a host naming software with a layout
of its own is not qmail's)."""

DEFAULT_STYLE = FromStyle("helo_first", False, "from client ([192.0.2.7]) by mx")


# sendmail's version comment is read here rather than in vendors/sendmail.py because that
# module's direct readers import it from here at load time, before any of its own names.
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
