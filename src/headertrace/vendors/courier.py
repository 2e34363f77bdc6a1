"""Courier: its forms for the general reader, with their examples (no direct reader).

    from laptop (dsl.example.net [::ffff:198.51.100.83])
        (AUTH: LOGIN bob, TLS: TLSv1/SSLv3,256bits,AES256-SHA)
        by mail.example.com with ESMTPSA; Mon, 07 Mar 2011 10:00:00 -0500
        id 0001ABCD.4D74F8C0.00001234

Courier writes the login and the TLS session in one comment of the from part, each after
a label (``AUTH:``, ``TLS:`` or ``SSL:``), and its queue id after the date.
"""

from __future__ import annotations

from headertrace.parse.facts import Facts, Reader, first_value, next_word, set_auth
from headertrace.parse.lexer import Kind, Token
from headertrace.parse.tables import SASL_MECHANISMS

GENERAL_EXAMPLES = (
    "from laptop (dsl.example.net [::ffff:198.51.100.83])"
    " (AUTH: LOGIN bob, TLS: TLSv1/SSLv3,256bits,AES256-SHA)"
    " by mail.example.com with ESMTPSA; Mon, 07 Mar 2011 10:00:00 -0500"
    " id 0001ABCD.4D74F8C0.00001234",
    "from desk (dsl.example.net [198.51.100.60]) (AUTH: LOGIN henry@example.com,"
    " SSL: TLSv1/SSLv3,128bits,RC4-MD5) by mail.example.com with esmtp;"
    " Thu, 10 Nov 2005 08:24:21 -0600 id 000000DB.43735815.00001E11",
    "from (AUTH: 5f3a9c1e) by mail.example.com with esmtp (courier-0.40)"
    " for <ivy@example.org>; Mon, 03 Mar 2003 14:49:28 +0000",
)


def auth(tokens: list[Token], i: int, facts: Facts) -> int:
    """``AUTH: LOGIN bob, TLS: TLSv1/SSLv3,256bits,AES256-SHA``."""
    mech = next_word(tokens, i + 1)
    ident = next_word(tokens, i + 2)
    evidence = " ".join(x for x in ("AUTH:", mech, ident) if x)
    if ident is None and (mech or "").lower() not in SASL_MECHANISMS:
        mech, ident = None, mech  # old Courier: "(AUTH: e40a9cea)", the user alone
    set_auth(facts, evidence, mech, ident)
    return i + 3


def tls(tokens: list[Token], i: int, facts: Facts) -> int:
    """``TLS: TLSv1.2,256bits,ECDHE-RSA-AES256-GCM-SHA384``, older
    ``TLS: TLSv1/SSLv3, 168bits,DES-CBC3-SHA`` and ``SSL: ...``: version first, cipher
    last."""
    parts = [t.text for t in tokens[i + 1 : i + 6] if t.kind is Kind.WORD]
    if parts:
        facts.tls_seen = True
        facts.tls_version = parts[0]
        facts.tls_cipher = parts[-1] if len(parts) > 1 else None
    return i + 1 + len(parts)


COMMENT_MARKERS: dict[str, Reader] = {"auth:": auth, "tls:": tls, "ssl:": tls}


def id_after_date(trailer: list[Token]) -> str | None:
    """The id Courier writes after the date: ``with esmtp; Thu, 10 Nov 2005 08:24:21
    -0600\n  id 000000DB.43735815.00001E11``. ``trailer``: the tokens after the ``;``."""
    for k, tok in enumerate(trailer[:-1]):
        if tok.kind is Kind.WORD and tok.text.lower() == "id":
            return first_value(trailer[k + 1 :])
    return None
