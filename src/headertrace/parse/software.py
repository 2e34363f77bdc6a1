"""Which MTA wrote a Received header, and its version, from the texts that name it.

Shared by the general reader (:mod:`headertrace.parse.received`) and the direct readers
(:mod:`headertrace.vendors`), so that both name the software alike.
"""

from __future__ import annotations

from functools import lru_cache

from headertrace.parse import tables
from headertrace.parse.vendors import sendmail_version


@lru_cache(maxsize=4096)
def software_named(
    by_comments: tuple[str, ...],
    clause_texts: tuple[str, ...],
    preamble: tuple[str, ...],
    lhlo: bool,
    host: str,
) -> tuple[str | None, str | None]:
    """The software and version named by these texts. The same ``by`` part stands in
    header after header (the receiving server's own stamp), so answers are kept."""
    for comment in by_comments:
        version = sendmail_version(comment)
        if version is not None:
            return "sendmail", version
    # Folded names are found too: "(Internet Mail\n\tService (5.5.2653.19))".
    texts = [" ".join(text.split()) for text in (*by_comments, *clause_texts)]
    texts.extend(preamble)
    for text in texts:
        exact = tables.SOFTWARE_EXACT_COMMENTS.get(text.strip().lower())
        if exact is not None:
            return exact, None
    best: tuple[int, str, str, int] | None = None  # priority, name, text, end of name
    for text in texts:
        for m in tables.SOFTWARE_SEARCH.finditer(text.lower()):
            priority, name = tables.SOFTWARE_PRIORITY[m.group()]
            if best is None or priority < best[0]:
                best = (priority, name, text, m.end())
    if best is not None:
        _, name, text, end = best
        # The version stands in the same comment or clause as the name; the words after it
        # belong to other clauses ("(Postfix) with ESMTP id 4B2D").
        # "(qmail 4711 invoked ...)": the number after qmail is a process id;
        # "(KumoMTA 192.0.2.8)": an address.
        no_version = name == "qmail" or name.lower() in tables.ADDRESS_AFTER_NAME
        return name, None if no_version else version_after(text, end)
    if lhlo:
        return "Zimbra", None
    for suffix, name in tables.SOFTWARE_BY_HOST:
        if host.endswith(suffix) or host == suffix[1:]:
            return name, None
    return None, None


def version_after(text: str, at: int) -> str | None:
    """The version written after a software name: ``Exim 4.96``, ``Release 5.0.8``,
    ``SMTPSVC(6.0.3790.1830)``, ``Version 5.5.2653.13``, ``PRO v6.8.4``, and joined to it:
    ``Haraka/3.0.3``, ``qmail-scanner-1.25``.

    The name's phrase ends at a comma or a colon: what follows is another fact (``Postfix,
    from userid 33``, ``amavisd-new, port 10024``) or another product's version
    (``qmail-scanner-1.25 (clamdscan: 0.88. ...)``), and at ``on``: the system the program
    runs on follows (``Postfix on SuSE Linux 8.0 (i386)``)."""
    rest = text[at : at + 60].replace("(", " ").replace(")", " ").split()
    for word in rest[:4]:
        w = word.rstrip(",;")
        if w[:1] in "-/" and w[1:2].isdigit():
            w = w[1:]
        if w[:1].isdigit() or (w[:1] in "vV" and w[1:2].isdigit()):
            return w
        if word.endswith((",", ":")) or w.lower() == "on":
            # "(Postfix on SuSE Linux 8.0 (i386))": after "on", the system it runs on,
            # whose release that number is.
            return None
    return None
