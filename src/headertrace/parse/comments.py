"""Facts read out of the comments of a Received header.

Servers put most of what matters in comments: the client's reverse DNS and address, what it
said in HELO, TLS, authentication, the envelope sender. This module reads every comment
the same way, word by word, and records what it finds in :class:`Facts`. Which facts
describe the *client* is decided by where the comment stands (see ``received.py``) and by
the server's family (see ``vendors``). The forms only one family writes (Courier's
``AUTH:``, qmail's ``invoked``, Postfix's ``using``...) are read by that family's module in
:mod:`headertrace.vendors`, which :data:`_MARKERS` gathers.

Examples of comment texts and what they yield::

    mail.example.org [192.0.2.7]                  host + ip            (sendmail, Postfix)
    [192.0.2.7] verified                          ip + name verified   (CommuniGate Pro)
    IDENT:root@mail.example.org [192.0.2.7]       ident + host + ip    (sendmail)
    unknown [192.0.2.7]                           rdns none + ip       (Postfix)
    192.0.2.7] (may be forged)                    forged flag          (sendmail)
    [192.0.2.7]:49152 helo=mx.example.org         ip + port + helo     (Exim)
    port=38406 helo=mx.example.org                port + helo          (Exim)
    HELO mx.example.org                           helo                 (qmail, IronPort)
    192.0.2.7                                     ip                   (qmail, Exchange)
    Authenticated sender: bob                     auth                 (Postfix)
    authenticated bits=0                          auth                 (sendmail)
    user=bob@example.org mech=LOGIN bits=0        auth + account       (sendmail)
    AUTH: LOGIN bob, TLS: TLSv1/SSLv3,256bits,... auth + tls           (Courier)
    account bob@example.org HELO mx               auth + helo          (CommuniGate)
    authenticated user bob                        auth                 (Kerio)
    bob@192.0.2.7 with login                      auth + ip            (Yahoo)
    bala@localhost                                ident + host         (old sendmail)
    using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)    (Postfix)
    version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128          (sendmail, Gmail)
    version=TLSv1.2 cipher=... bits=256 verify=OK                      (client cert verified)
    Client CN "bob", Issuer "CA" (verified OK)                         (Postfix client cert)
    TLSv1.2:ECDHE-RSA-AES128-GCM-SHA256:128                            (Exim 4.x, OpenSMTPD)
    tls_cipher TLS-1.0:RSA_AES_256_CBC_SHA:32                          (Exim 4 + GnuTLS)
    TLS: TLSv1/SSLv3, 168bits,DES-CBC3-SHA                             (Courier)
    envelope-from <bob@example.org>                                    (Exim, qmail-scanner)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from headertrace.addresses import normalise_ip
from headertrace.parse.facts import Facts, Reader, following, hostlike, next_word, set_auth
from headertrace.parse.lexer import Kind, Lexer, Token
from headertrace.parse.literals import literal_address, split_port
from headertrace.parse.tables import ADDRESS_AFTER_NAME, NO_NAME, SASL_MECHANISMS
from headertrace.vendors import opensmtpd, sendmail
from headertrace.vendors._general import COMMENT_MARKERS

MAX_NESTED = 3  # comments inside comments read for facts: "(may be forged)", "(verified OK)"


def read_comment(text: str, facts: Facts, defects: list[str], depth: int = 0) -> None:
    """Read one comment's text into ``facts``."""
    if depth == 0 and len(vars(facts)) == 1:
        # Nothing read yet but words, which reading never consults: what this comment
        # yields depends on its text alone, so it is read once ("(Postfix)",
        # "(localhost [127.0.0.1])" and "(8.14.4/8.14.4)" stand in header after header).
        found, found_defects, words = _read_alone(text)
        if found:
            vars(facts).update(found)
        facts.words.extend(words)
        if found_defects:
            defects.extend(found_defects)
        return
    _read_text(text, facts, defects, depth)


def _read_text(text: str, facts: Facts, defects: list[str], depth: int) -> None:
    tokens, lex_defects = _lex(text)
    defects.extend(lex_defects)
    _read_tokens(tokens, facts, defects, depth)


@lru_cache(maxsize=8192)
def _read_alone(text: str) -> tuple[Mapping[str, object], tuple[str, ...], tuple[str, ...]]:
    """The facts, defects and words one comment yields when read into empty facts. The
    facts are a plain dict, shared and never written (``read_comment`` only copies it):
    ``dict.update`` takes another dict in one step, a read-only proxy key by key."""
    facts = Facts()
    defects: list[str] = []
    _read_text(text, facts, defects, 0)
    found = {name: value for name, value in vars(facts).items() if name != "words"}
    return found, tuple(defects), tuple(facts.words)


@lru_cache(maxsize=8192)
def _lex(text: str) -> tuple[list[Token], tuple[str, ...]]:
    """Comments repeat across headers ("(Postfix)", "(PDT)", "(Exim 4.96)"): lex each once.
    The token list is shared between callers, which only read it."""
    lexer = Lexer(text)
    return lexer.tokens(), tuple(lexer.defects)


def _read_tokens(tokens: list[Token], facts: Facts, defects: list[str], depth: int) -> None:
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else None
        if tok.kind is Kind.COMMENT:
            if depth < MAX_NESTED:
                read_comment(tok.text, facts, defects, depth + 1)
            i += 1
            continue
        if tok.kind is Kind.LITERAL:
            i = _literal(tokens, i, facts)
            continue
        if tok.kind is not Kind.WORD:
            i += 1
            continue
        facts.words.append(tok.text.lower())
        i = _word(tokens, i, tok, nxt, facts)


def _literal(tokens: list[Token], i: int, facts: Facts) -> int:
    tok = tokens[i]
    if i == 0 and tok.text.lower() == "unix socket":
        facts.local_socket = True  # Cyrus "([unix socket])": no network client
        return i + 1
    ip, port = literal_address(tok.text)  # "[192.0.2.1:4237]", Exim 3 "[192.0.2.1.4237]"
    if ip is not None and facts.ip is None:
        facts.port = facts.port or port
    if ip and facts.ip is None:
        facts.ip = ip
        # "[192.0.2.1]:49152" (Exim, Postfix with port logging)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and nxt.joined and nxt.kind is Kind.WORD and nxt.text[:1] == ":":
            _, port = split_port("0.0.0.0" + nxt.text)
            facts.port = facts.port or port
            return i + 2
    return i + 1


def _word(tokens: list[Token], i: int, tok: Token, nxt: Token | None, facts: Facts) -> int:
    """Read the word at ``i``; return the index of the next token to read."""
    text = tok.text
    low = text.lower()
    eq = low.find("=")
    if eq > 0:
        value = text[eq + 1 :]
        if not value and nxt is not None and nxt.joined and nxt.kind is Kind.LITERAL:
            # Exim "helo=[192.168.1.20]": the client said an address literal.
            _assignment(tokens, i, low[:eq], f"[{nxt.text}]", facts)
            return i + 2
        return _assignment(tokens, i, low[:eq], value, facts)
    reader = _MARKERS.get(low)
    if reader is not None:
        end = reader(tokens, i, facts)
        if end is not None:
            return end
    if low.startswith("ident:"):
        _ident_at_host(text[6:], facts)
        return i + 1
    if low.strip("<>") in NO_NAME and nxt is not None and nxt.kind is Kind.LITERAL:
        facts.host_unknown = True  # "unknown [192.0.2.7]": the server found no name
        return i + 1
    if _tls_colon_form(text, facts):
        return i + 1
    if "@" in text:
        return _user_at(tokens, i, text, facts)
    return _address_or_host(tokens, i, text, facts)


def _address_or_host(tokens: list[Token], i: int, text: str, facts: Facts) -> int:
    """A bare address, ``host [ip]`` or a lone host name."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    ip = normalise_ip(text)
    if ip is None and ":" in text:
        bare, port = split_port(text)
        ip = normalise_ip(bare)
        if ip is not None and port is not None:
            facts.port = facts.port or port
    if ip is not None:
        # Only a comment that opens with it carries an address: "(192.0.2.7)". After a
        # product name it is a version: "(NAVGW 2.5.2.12)", but see ADDRESS_AFTER_NAME.
        # An IPv6 address is never a version: Facebook "(opaque-token 2001:db8::2f)".
        after_name = i > 0 and tokens[i - 1].text.lower() in ADDRESS_AFTER_NAME
        if facts.ip is None and (i == 0 or after_name or ":" in ip):
            facts.ip, facts.ip_bare = ip, True
        return i + 1
    if nxt is not None and nxt.kind is Kind.LITERAL and _local_socket(nxt.text):
        # The client came over a unix socket: "localhost [[UNIX: localhost]]" (sendmail
        # submission), "example.com [local]" (OpenSMTPD); the name is no rDNS.
        facts.local_socket = True
        return i + 2
    if nxt is not None and nxt.kind is Kind.LITERAL and _named_host(text):
        facts.host = facts.host or text  # "rdns [ip]"
    elif facts.host is None and facts.ip is None and i == 0 and _named_host(text) and "." in text:
        facts.host = text  # "(host.example.org)" with the address elsewhere
    return i + 1


# --- markers: a word that opens one, and its reader (see facts.Reader) ----------------------
# The forms one family writes are read by that family's module (COMMENT_MARKERS, gathered by
# headertrace.vendors._general); the ones several write are read here.


def _helo(tokens: list[Token], i: int, facts: Facts) -> int | None:
    """``HELO x``, ``EHLO x``, ``LHLO x``: the client chose everything to the end of this
    comment ("HELO x [192.0.2.9]", "HELO x (y [192.0.2.9])"); it may name the HELO, never
    the client's address. qmail "(HELO )": an empty argument, still not the host name."""
    verb = tokens[i].text.upper()
    nxt = following(tokens, i)
    if nxt is None:
        facts.helo_verb = verb
        return i + 1
    said = nxt.text if nxt.kind is Kind.QUOTED else next_word(tokens, i + 1)
    if said is None:
        return None
    facts.helo, facts.helo_verb = said, verb
    return len(tokens)


def _envelope_from(tokens: list[Token], i: int, facts: Facts) -> int | None:
    """Exim, qmail-scanner "(envelope-from <bob@example.org>)"."""
    if following(tokens, i) is None:
        return None
    sender = next_word(tokens, i + 1)
    if sender:
        facts.envelope_from = sender.strip("<>")
    return i + 2


def _from(tokens: list[Token], i: int, facts: Facts) -> int | None:
    nxt = following(tokens, i)
    return _local_from(tokens, i, facts) if nxt is not None and nxt.kind is Kind.WORD else None


def _assignment(tokens: list[Token], i: int, key: str, value: str, facts: Facts) -> int:
    value = value.rstrip(",")
    if key == "helo":
        facts.helo, facts.helo_verb = value or None, "helo="
        return _helo_value_end(tokens, i + 1)
    if key == "port" and value.isdigit():
        facts.port = int(value) if 0 < int(value) < 65536 else None
    elif key == "ident":
        facts.ident = value or None
    elif key == "version":
        facts.tls_version, facts.tls_seen = value, True
    elif key == "cipher":
        facts.tls_cipher, facts.tls_seen = value, True
    elif key == "verify" and value.upper() == "OK":
        set_auth(facts, "verify=OK", "tls-client-certificate", None)
    elif key in opensmtpd.AUTH_KEYS:
        opensmtpd.auth_assignment(key, value, facts)
    elif key == "mech":
        sendmail.login(tokens, i, value, facts)
    return i + 1


def _helo_value_end(tokens: list[Token], i: int) -> int:
    """Exim writes the HELO argument as ``helo=`` and then ``ident=``; what stands between
    (a junk HELO with spaces, "helo=x [192.0.2.9]") was sent by the client and is skipped,
    so it never becomes the client's address. That includes parentheses the client sent:
    "([192.0.2.66] helo=(unknown [203.0.113.9])x)" is a HELO, never the address."""
    while i < len(tokens) and not (tokens[i].kind is Kind.WORD and "=" in tokens[i].text):
        i += 1
    return i


def _authenticated(tokens: list[Token], i: int, facts: Facts) -> int:
    """sendmail ``authenticated bits=N``, ``authenticated as bob``, Kerio ``authenticated
    user bob``, Postfix ``Authenticated sender: bob``."""
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
    low = nxt.lower()
    value = next_word(tokens, i + 2)
    if low == "sender:" and value:
        set_auth(facts, f"Authenticated sender: {value}", None, value.strip("<>"))
        return i + 3
    if low in ("as", "user") and value:
        set_auth(facts, f"authenticated {low} {value}", None, value.strip("<>"))
        return i + 3
    if low.startswith("bits="):
        set_auth(facts, f"authenticated {nxt}", None, None)
        return i + 2
    set_auth(facts, "authenticated", None, None)
    return i + 1


def _tls_colon_form(text: str, facts: Facts) -> bool:
    """Exim 4 and OpenSMTPD: ``TLSv1.2:ECDHE-RSA-AES128-GCM-SHA256:128[:NO]``;
    Exim 4.92+: ``TLS1.3`` alone, the cipher following as ``tls CIPHER``."""
    low = text.lower()
    if not low.startswith(("tls", "ssl")):
        return False
    head, sep, rest = text.partition(":")
    if sep and head[3:4] in ("v", "1", "_", "-") and rest:  # "TLS-1.0:": Exim with GnuTLS
        facts.tls_seen = True
        facts.tls_version = head
        facts.tls_cipher = rest.split(":", 1)[0] or None
        return True
    if (
        not sep
        and len(low) > 3
        and low[3] in "v1"
        and low.replace("_", ".")[3:].strip("v.0123456789/sl") in ("", "ssl", "sslv3")
    ):
        facts.tls_seen = True
        facts.tls_version = facts.tls_version or text
        return True
    return False


def _ident_at_host(text: str, facts: Facts) -> None:
    user, _, host = text.partition("@")
    facts.ident = user or None
    if host and facts.host is None:
        facts.host = host


def _user_at(tokens: list[Token], i: int, text: str, facts: Facts) -> int:
    """``ident@rdns [ip]`` (sendmail), ``bob@192.0.2.7 with login`` (Yahoo), ``ident@rdns``
    alone (old sendmail, a client with no address: "from helo (bala@localhost)")."""
    # "bob@example.org@192.0.2.7": the account is itself an address; the host is last.
    user, _, host = text.rpartition("@")
    ip = normalise_ip(host)
    mech = tokens[i + 2].text if i + 2 < len(tokens) else ""
    if mech.lower() in SASL_MECHANISMS and tokens[i + 1].text.lower() == "with":
        set_auth(facts, f"{text} with {mech}", mech, user)
        if ip:
            facts.ip = facts.ip or ip
        return i + 3
    if ip is not None:
        if facts.ip is None:
            facts.ip, facts.ip_bare = ip, True
        facts.ident = facts.ident or user or None
        return i + 1
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    alone = len(tokens) == 1 and _named_host(host)
    if (nxt is not None and nxt.kind is Kind.LITERAL) or alone:
        facts.ident = facts.ident or user or None
        if host and facts.host is None and hostlike(host):
            facts.host = host
    return i + 1


def _local_from(tokens: list[Token], i: int, facts: Facts) -> int:
    """``from userid 33`` (Postfix pickup), ``from apache@localhost`` (sendmail submit);
    Symantec NAVGW puts the whole client in a comment: ``(from HELO [192.0.2.7]) by ...``."""
    nxt = tokens[i + 1].text
    after = tokens[i + 2] if i + 2 < len(tokens) else None
    if after is not None and after.kind is Kind.LITERAL and normalise_ip(after.text):
        facts.helo, facts.helo_verb = nxt, "from"
        facts.ip = facts.ip or normalise_ip(after.text)
        return i + 3
    if nxt.lower() == "userid" and i + 2 < len(tokens):
        facts.local_user = tokens[i + 2].text
        return i + 3
    user, at, _ = nxt.partition("@")
    facts.local_user = user if at else nxt
    return i + 2


def _local_socket(literal: str) -> bool:
    """sendmail "[[UNIX: localhost]]", OpenSMTPD "[local]", Cyrus "from mx.example.com
    ([unix socket]) by mx.example.com (Cyrus 3.8.1) with LMTPA" (Postfix's lmtp client
    delivering over a unix socket)."""
    low = literal.lstrip("[").lower()
    return low.startswith("unix:") or low in ("local", "unix socket")


def _named_host(text: str) -> bool:
    """A host name, not a version ("AVG SMTP 9.0.935 [4365.1.1/10645]")."""
    return hostlike(text) and not text.replace(".", "").isdigit()


_MARKERS: dict[str, Reader] = {
    "helo": _helo,
    "ehlo": _helo,
    "lhlo": _helo,
    "authenticated": _authenticated,
    "envelope-from": _envelope_from,
    "envelope-sender": _envelope_from,
    "from": _from,
    **COMMENT_MARKERS,
}
