"""What a comment says (:class:`Facts`), and the small token readers that fill it.

Shared by the general reader (:mod:`headertrace.parse.comments`,
:mod:`headertrace.parse.received`) and the family quirks it calls in
:mod:`headertrace.vendors` (Courier's ``AUTH:``, qmail's ``invoked by uid``...). This module
imports nothing of the general reader, so a family module can import it while the general
reader imports the family modules: no cycle.
"""

from __future__ import annotations

from collections.abc import Callable

from headertrace.parse.lexer import Kind, Token
from headertrace.parse.tables import NO_NAME


class Facts:
    """What the comments of one part of a header say (mutable while reading).

    A plain class with class-level defaults: four are made per header, and an instance
    that stays empty then costs one attribute, not twenty.
    """

    helo: str | None = None
    helo_verb: str | None = None  # HELO / EHLO / LHLO / helo=
    host: str | None = None  # a host name written next to the address: the rDNS
    host_unknown: bool = False  # "unknown [ip]": the server found no rDNS
    ip: str | None = None
    ip_bare: bool = False  # written without brackets: qmail "(192.0.2.7)", "(user@192.0.2.7)"
    port: int | None = None
    ident: str | None = None
    forged: bool = False
    auth_evidence: str | None = None
    auth_mechanism: str | None = None
    auth_identity: str | None = None
    auth_denied: bool = False  # OpenSMTPD "auth=no"
    tls_version: str | None = None
    tls_cipher: str | None = None
    tls_seen: bool = False
    envelope_from: str | None = None
    local_user: str | None = None  # "from userid 33", "(from apache@localhost)"
    local_socket: bool = False  # sendmail "[[UNIX: localhost]]", OpenSMTPD "[local]"
    name_verified: bool = False  # CommuniGate Pro "[192.0.2.7] verified"
    words: list[str]  # lower-cased words, for markers

    def __init__(self) -> None:
        self.words = []


Reader = Callable[[list[Token], int, Facts], int | None]
"""A marker's reader: given the comment's tokens and the index of the word that opens the
marker, it returns the index of the next token to read, or ``None`` when the words after
the marker word do not make the marker (the word is then read like any other)."""


def following(tokens: list[Token], i: int) -> Token | None:
    return tokens[i + 1] if i + 1 < len(tokens) else None


def next_word(tokens: list[Token], i: int) -> str | None:
    """The word, literal (``[...]``) or angle address at ``i``, as written."""
    if i < len(tokens) and tokens[i].kind in (Kind.WORD, Kind.LITERAL, Kind.ANGLE):
        tok = tokens[i]
        return f"[{tok.text}]" if tok.kind is Kind.LITERAL else tok.text
    return None


def followed_by(tokens: list[Token], i: int, words: tuple[str, ...]) -> bool:
    for k, word in enumerate(words, start=1):
        if i + k >= len(tokens) or tokens[i + k].text.lower().rstrip(",") != word:
            return False
    return True


def rest_text(tokens: list[Token], i: int) -> str:
    """The text of the next tokens, each run of blanks as one space: "(verified  OK)",
    "(verified\tOK)" read as "(verified OK)"."""
    return " ".join(" ".join(t.text.split()) for t in tokens[i : i + 12])


def set_auth(facts: Facts, evidence: str, mechanism: str | None, identity: str | None) -> None:
    if facts.auth_evidence is None:
        facts.auth_evidence = evidence
    facts.auth_mechanism = facts.auth_mechanism or mechanism
    facts.auth_identity = facts.auth_identity or identity


_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_")


def hostlike(text: str) -> bool:
    low = text.lower().rstrip(".")
    # issuperset walks the characters in C; all() over a generator, in Python.
    return bool(low) and len(low) < 256 and _HOST_CHARS.issuperset(low)


def first_value(part: list[Token] | None) -> str | None:
    """The first token of a clause as a value: a word, address or quoted text, a literal
    with its brackets."""
    if not part:
        return None
    tok = part[0]
    if tok.kind in (Kind.WORD, Kind.ANGLE, Kind.QUOTED):
        return tok.text.strip("<>").rstrip(";") or None
    if tok.kind is Kind.LITERAL:
        return f"[{tok.text}]"
    return None


def no_name(name: str | None) -> bool:
    """``unknown``, ``softdnserr``...: written where the server has no name for the client."""
    return name is not None and name.lower().strip("<>") in NO_NAME
