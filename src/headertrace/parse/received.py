"""One ``Received:`` header value -> one typed :class:`~headertrace.models.Hop`.

The generic grammar of RFC 5321 section 4.4::

    from <helo> (<comments>) by <host> (<comments>) via <link> with <protocol>
    id <queue-id> for <recipient> ; <date>

Clauses may be missing, repeated, out of order or followed by free text; the date may have
no ``;``. The header is tokenized once (``lexer``), split into clauses at the keywords,
then each clause is read: comments by ``comments``, dates by ``dates``. What only one MTA
family writes (the layout of its ``from`` part, Exim 3's address after the comments,
qmail's stamps, Exchange's protocol name...) is read by that family's module in
:mod:`headertrace.vendors`, called here by name or gathered by ``vendors._general``.
Nothing here raises: what cannot be read is kept in ``raw`` and named in ``defects``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from headertrace.addresses import normalise_ip
from headertrace.models import (
    TLS,
    Auth,
    Client,
    Hop,
    HopKind,
    ParseStatus,
    RdnsStatus,
    Server,
    new_client,
    new_hop,
    new_server,
)
from headertrace.parse import tables
from headertrace.parse.comments import read_comment
from headertrace.parse.dates import looks_like_date_start, parse_date
from headertrace.parse.facts import Facts, first_value, no_name
from headertrace.parse.headers import one_line, unfold
from headertrace.parse.lexer import (
    MAX_COMMENTS,
    MAX_TOKENS,
    Kind,
    Lexer,
    Token,
    cut_comments,
)
from headertrace.parse.literals import literal_address, split_port
from headertrace.parse.software import software_named
from headertrace.parse.vendors import FromStyle
from headertrace.vendors import (
    communigate,
    courier,
    exim,
    firewall,
    google,
    haraka,
    mercury,
    microsoft,
    qmail,
    read_direct,
    smail,
    squirrelmail,
    zimbra,
)
from headertrace.vendors._build import tls as shared_tls
from headertrace.vendors._general import style_for

MAX_HEADER_LENGTH = 16_384
"""Longer values are cut (a defect); real Received headers are well under 2 KB."""

KEYWORDS = frozenset(("from", "by", "via", "with", "id", "for"))


def _spellings(word: str) -> list[str]:
    """``word`` in every mix of upper and lower case."""
    if not word:
        return [""]
    return [head + rest for head in {word[0], word[0].upper()} for rest in _spellings(word[1:])]


# Each keyword as it may be written, to its lower case: a word is a keyword exactly when it
# is one of these (no other character lower-cases to one of their letters), found with
# one lookup instead of a length test and lower() for each word.
_KEYWORD_SPELLINGS = {spelled: word for word in KEYWORDS for spelled in _spellings(word)}

# What the text after the last ";" holds when its tokens must be read: a comment, a
# delimiter the lexer may name a defect of, Courier's "id" in any case (no other character
# lower-cases to "i" or "d"; see _split_at_last_semicolon). Written as one character class
# first, which the engine scans for in C: four times faster than '[(\[<"]|id' with
# IGNORECASE.
_READ_AFTER_DATE = re.compile(r'[(\[<"iI](?:(?<=[iI])[dD]|(?<![iI]))')

# The caps that leave part of the value unread: the hop is then never "parsed".
_CUTS = frozenset(("header-too-long", "comment-cap", "token-cap"))


@dataclass(slots=True)
class _Clauses:
    """The header's tokens, grouped by the keyword that opens each clause."""

    preamble: list[Token] = field(default_factory=list)
    parts: dict[str, list[Token]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)


def parse_received(
    value: str, *, index: int = 0, header_index: int = 0, after: datetime | None = None
) -> Hop:
    """Parse one Received header value (folded or not, without the ``Received:`` name).

    ``index`` and ``header_index`` place the hop in its message (see :class:`Hop`);
    ``after`` is the timestamp of the previous (older) hop, from which ``delay_seconds``
    is measured. Never raises: a value that cannot be read comes back with
    ``status="unparsed"``.
    """
    try:
        if len(value) <= MAX_HEADER_LENGTH:
            hop = read_direct(value, index, header_index, after)
            if hop is not None:
                return hop
        return _parse(value, index, header_index, after)
    except Exception as exc:  # pragma: no cover - a bug, reported rather than raised
        return Hop(
            raw=value,
            status="unparsed",
            defects=(f"internal-error: {exc!r}",),
            index=index,
            header_index=header_index,
        )


def parse_received_general(
    value: str, *, index: int = 0, header_index: int = 0, after: datetime | None = None
) -> Hop:
    """:func:`parse_received` without the direct readers of :mod:`headertrace.vendors`:
    the general reader, the reference they are proved equal to."""
    try:
        return _parse(value, index, header_index, after)
    except Exception as exc:  # pragma: no cover - a bug, reported rather than raised
        return Hop(
            raw=value,
            status="unparsed",
            defects=(f"internal-error: {exc!r}",),
            index=index,
            header_index=header_index,
        )


def _parse(value: str, index: int, header_index: int, after: datetime | None) -> Hop:
    defects: list[str] = []
    text = value
    if len(text) > MAX_HEADER_LENGTH:
        text = text[:MAX_HEADER_LENGTH]
        defects.append("header-too-long")
    # Where a server or a mail client folded the line (inside a comment, a quoted HELO,
    # "[unix socket]") must not change the reading.
    text = whole = unfold(text)
    if text.count("(") > MAX_COMMENTS:  # counted here: a call for each header costs more
        text = cut_comments(text) or text  # hostile: thousands of comments; raw keeps it all
        defects.append("comment-cap")
    tokens, date_text, trailer = _lex(whole, text, defects)
    clauses = _split_clauses(tokens)
    every = _read_facts(clauses, trailer, defects)
    by_facts = every[1]

    parts = clauses.parts
    protocol, proto_tls = _protocol(parts.get("with", []))
    software, version = _software(clauses, by_facts)
    hop_id = first_value(parts.get("id")) or courier.id_after_date(trailer)
    if software == microsoft.SMTP_SERVER:
        version = microsoft.build_in_id(hop_id) or version

    client = _hop_client(clauses, every, software)
    server = _server(parts.get("by", []), by_facts, software, version)
    kind = _kind(clauses, protocol, client, every, software)
    client = _checked_client(client, kind, clauses, every, defects)
    timestamp = _timestamp(date_text, defects)
    status = _status(clauses, client, server, kind, timestamp)
    if status == "parsed" and not _CUTS.isdisjoint(defects):
        status = "partial"  # what was not read might have said otherwise
    if status == "unparsed":
        defects.append("unparsed")
    # new_hop: every field, in field order, without the frozen dataclass's __init__.
    return new_hop(
        index,
        header_index,
        value,
        client,
        server,
        protocol,
        _via(parts.get("via")),
        hop_id,
        _recipient(parts.get("for")),
        _envelope_from(every)
        or _sender_after_for(parts.get("for"))
        or haraka.envelope_from(clauses.parts)
        or communigate.rules_sender(parts.get("from", []), protocol),
        _tls(protocol, proto_tls, every),
        _auth(protocol, software, every, clauses),
        timestamp,
        one_line(date_text) if date_text is not None else None,
        # total_seconds(), never .seconds: a negative delay must stay negative.
        (timestamp - after).total_seconds() if timestamp and after else None,
        kind,
        status,
        tuple(dict.fromkeys(defects)),
        None,
    )


def _envelope_from(every: tuple[Facts, ...]) -> str | None:
    for facts in every:
        if facts.envelope_from:
            return facts.envelope_from
    return None


def _read_facts(
    clauses: _Clauses, trailer: list[Token], defects: list[str]
) -> tuple[Facts, Facts, Facts, Facts]:
    """The facts of the comments of the ``from`` part, of the ``by`` part, of the other
    clauses (which share theirs), and of the text outside any clause."""
    from_facts, by_facts, with_facts, other = Facts(), Facts(), Facts(), Facts()
    parts = clauses.parts
    # Read in this order whatever the header's order.
    for key, facts in (
        ("from", from_facts), ("by", by_facts), ("with", with_facts), ("id", with_facts),
        ("for", with_facts), ("via", with_facts),
    ):  # fmt: skip
        part = parts.get(key)
        if part:
            # The by host itself is no comment: "by mx.example.com (Postfix)".
            _read_part_comments(part[1:] if key == "by" else part, facts, defects)
    if clauses.preamble:
        _read_part_comments(clauses.preamble, other, defects)
    if trailer:
        # Comments after the date: PowerMTA "; date (envelope-from <x>)".
        _read_part_comments([t for t in trailer if t.kind is Kind.COMMENT], other, defects)
    return from_facts, by_facts, with_facts, other


def _hop_client(clauses: _Clauses, every: tuple[Facts, ...], software: str | None) -> Client:
    """The client, from the ``from`` part or, with none, from a stamp that names it."""
    from_facts, other = every[0], every[3]
    if "from" not in clauses.parts and other.ip is not None:
        # qmail-queue's "(qmail 1 invoked from network[192.0.2.7/host.example])",
        # NAVGW's "(from helo [192.0.2.7])"
        return new_client(
            helo=other.helo,
            rdns=other.host,
            rdns_status="present" if other.host else "not_recorded",
            ip=other.ip,
        )
    parts = clauses.parts
    qmail_by = qmail.by_part(parts.get("by", []), "with" in parts)
    return _client(parts.get("from", []), from_facts, software, qmail_by)


def _checked_client(
    client: Client, kind: HopKind, clauses: _Clauses, every: tuple[Facts, ...], defects: list[str]
) -> Client:
    """The client once the hop's kind is known, and the doubts about it as defects."""
    if kind == "local" and not smail.from_stdin(clauses.parts.get("via", [])):
        # smail's "from HOST ... from stdin": HOST is where the program said it came from.
        client = _local_client(client, every, "from" in clauses.parts)
    if every[0].forged:
        defects.append("rdns-may-be-forged")
    if _by_in_helo(clauses):
        client = new_client(helo=client.helo, helo_inferred=client.helo_inferred)
        defects.append("ambiguous-from")
    return client


def _timestamp(date_text: str | None, defects: list[str]) -> datetime | None:
    if date_text is None:
        defects.append("no-date")
        return None
    result = parse_date(date_text)
    if result.defect:
        defects.append(result.defect)
    return result.value


# --- splitting ------------------------------------------------------------------------------


def _lex(whole: str, text: str, defects: list[str]) -> tuple[list[Token], str | None, list[Token]]:
    """The tokens before the date, the date, and the tokens after the ``;`` (see
    :func:`_split_date`); ``text``: ``whole`` cut at a cap, or ``whole`` itself."""
    if text is whole:
        split = _split_at_last_semicolon(Lexer(text))
        if split is not None:
            tokens, date_text, trailer, lex_defects = split
            defects.extend(lex_defects)
            return tokens, date_text, trailer
    lexer = Lexer(text)
    tokens = lexer.tokens()
    defects.extend(lexer.defects)
    if text is not whole or "token-cap" in lexer.defects:
        tokens = _with_date_after_cut(whole, tokens, defects)
    return _split_date(whole, tokens)


def _split_date(text: str, tokens: list[Token]) -> tuple[list[Token], str | None, list[Token]]:
    """Cut the date off the end: after the last top-level ``;`` or, when there is none,
    at the first word that opens a parseable date (SendGrid and others omit the ``;``)."""
    for k in range(len(tokens) - 1, -1, -1):
        if tokens[k].kind is Kind.SEMI:
            return tokens[:k], text[tokens[k].end :], tokens[k + 1 :]
    words = [t for t in tokens if t.kind is Kind.WORD]
    if not any(w.text.lower() in KEYWORDS for w in words):
        return tokens, None, []
    for k, tok in enumerate(tokens):
        if tok.kind is not Kind.WORD or k == 0:
            continue
        following = tokens[k + 1].text if k + 1 < len(tokens) else ""
        if looks_like_date_start(tok.text, following) and tokens[k - 1].text.lower() not in (
            "id",
            "for",
            "by",
            "from",
        ):
            candidate = text[tok.start :]
            if parse_date(candidate).value is not None:
                return tokens[:k], candidate, tokens[k + 1 :]
    return tokens, None, []


def _split_at_last_semicolon(
    lexer: Lexer,
) -> tuple[list[Token], str, list[Token], list[str]] | None:
    """What ``_split_date(text, tokens)`` gives for the tokens of the whole text, and the
    lexer's defects, when its last ``;`` stands outside any comment, literal or quoted
    text: every token before it then ends before it (``Lexer.tokens_before``). The date
    after it (a third of a header's tokens) is lexed only when something there is read:
    a comment (PowerMTA's "(envelope-from <x>)"), Courier's ``id`` after the date, or a
    delimiter whose defect the lexer would name; else its tokens are words and commas,
    which nothing reads. ``None``: read the whole text with ``Lexer.tokens``."""
    text = lexer.text
    semi = text.rfind(";")
    if semi < 0:
        return None
    tokens = lexer.tokens_before(semi)
    if tokens is None:
        return None
    room = MAX_TOKENS - len(tokens) - 1  # the ";" is a token too
    if _READ_AFTER_DATE.search(text, semi + 1) is None and len(text) - semi - 1 <= room:
        return tokens, text[semi + 1 :], [], []  # each token is a character at least
    trailer = lexer.tokens(semi + 1)
    if len(trailer) > room:
        return None
    if trailer and trailer[0].start == semi + 1:
        kind, value, start, end, _ = trailer[0]  # joined, as the whole text's lexing says
        trailer[0] = Token(kind, value, start, end, True)
    return tokens, text[semi + 1 :], trailer, lexer.defects


def _with_date_after_cut(text: str, tokens: list[Token], defects: list[str]) -> list[Token]:
    """``tokens``, cut by a cap (``MAX_TOKENS``, ``MAX_COMMENTS``), and the tokens of
    ``text`` from its last ``;`` on when the cut fell before it: the date of a long header
    is still read, only the clauses are cut. What follows that ``;`` is capped alike.

    A ``;`` inside a comment or quoted text past the cut cannot be told from a top-level
    one without reading what the cap left unread; it is taken as the separator (the hop
    is partial anyway, see ``_CUTS``)."""
    semi = text.rfind(";")
    if semi < 0 or (tokens and semi < tokens[-1].end):
        return tokens  # no ';', or the last one was read
    after = text[semi:]
    if after.count("(") > MAX_COMMENTS:
        after = cut_comments(after) or after
    tail = Lexer(text[:semi] + after)
    tokens = tokens + tail.tokens(semi)
    defects.extend(tail.defects)
    return tokens


def _split_clauses(tokens: list[Token]) -> _Clauses:
    """Group the tokens by the keyword that opens each clause; the first ``from``, ``by``,
    ... opens its clause, a repeated keyword is an ordinary word of the clause it is in."""
    clauses = _Clauses()
    parts, order = clauses.parts, clauses.order
    current: list[Token] = clauses.preamble
    word = Kind.WORD
    keyword = _KEYWORD_SPELLINGS.get
    for tok in tokens:
        if tok.kind is word:
            low = keyword(tok.text)
            if low is not None and low not in parts:
                current = parts[low] = []
                order.append(low)
                continue
        current.append(tok)
    return clauses


def _read_part_comments(tokens: list[Token], facts: Facts, defects: list[str]) -> None:
    comment, word = Kind.COMMENT, Kind.WORD
    words = facts.words  # the same list throughout: reading extends it, never replaces it
    for tok in tokens:
        kind = tok.kind
        if kind is comment:
            read_comment(tok.text, facts, defects)
        elif kind is word:
            # Free words after a clause: OpenSMTPD "auth=yes user=bob", Exim "tls CIPHER".
            low = tok.text.lower()
            if low.startswith(("auth=", "user=")):
                read_comment(tok.text, facts, defects)
            words.append(low)


def _via(part: list[Token] | None) -> str | None:
    """The link after ``via``: RFC 5321 makes it one atom, but Exchange writes two words
    ("via Frontend Transport"). A keyword already used ends it: smail's "via smail from
    stdin" is the link ``smail`` and then where the message came from
    (``smail.from_stdin``)."""
    words: list[str] = []
    for tok in part or []:
        if tok.kind is not Kind.WORD:
            continue
        if tok.text.lower() in KEYWORDS:
            break
        words.append(tok.text)
    return " ".join(words) or None


def _sender_after_for(part: list[Token] | None) -> str | None:
    """XMail and IBM's gateways write the envelope sender after the recipient:
    ``for <bob@example.org> from <alice@example.net>``."""
    words = [t.text.lower() if t.kind is Kind.WORD else "" for t in part or []]
    if "from" not in words or part is None:
        return None
    return first_value(part[words.index("from") + 1 :])


def _recipient(part: list[Token] | None) -> str | None:
    if not part:
        return None
    found: list[str] = []
    for tok in part:
        if tok.kind is Kind.ANGLE:
            found.append(tok.text.strip())
        elif tok.kind is Kind.WORD and ("@" in tok.text or not found):
            found.append(tok.text.strip("<>"))
        elif tok.kind is Kind.COMMA:
            continue
        elif found:
            break
    value = ", ".join(f for f in found if f)
    if value.strip("<>").lower() in tables.NO_RECIPIENT:
        return None
    return value or None


# --- the parts --------------------------------------------------------------------------------


_ProtoTLS = tuple[str | None, str | None] | None
"""TLS written inside the with clause: its version and cipher (either may be unnamed), or
``None`` when the clause says nothing of TLS."""

_TLS_UNNAMED: _ProtoTLS = (None, None)


def _protocol(part: list[Token]) -> tuple[str | None, _ProtoTLS]:
    """The ``with`` protocol; and TLS details written inside it (IronPort's
    ``ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384``, Exim's ``esmtps (TLS1.2) tls CIPHER``,
    Exchange's ``Microsoft SMTP Server (TLS)``)."""
    words = [t for t in part if t.kind is Kind.WORD]
    if not words:
        return None, None
    encrypted = _encrypted_with(part, words)
    if encrypted is not None:
        return encrypted
    first = words[0].text
    low = first.lower()
    if low == microsoft.PROTOCOL_WORD:
        return microsoft.protocol_name(part), _TLS_UNNAMED if microsoft.tls_noted(part) else None
    if low == microsoft.IMS_WORD:
        ims = microsoft.ims_protocol(part)
        if ims is not None:
            return ims, None
    if "/" in first and low.startswith(("esmtp", "smtp")):
        pieces = first.split("/")
        if len(pieces) >= 3 and pieces[1].upper() == "TLS":
            return pieces[0], ("TLS", pieces[2])
        return pieces[0], None
    # Exim's "with esmtps (TLS1.2) tls CIPHER": three words at least.
    cipher = exim.tls_cipher(words) if len(words) > 2 else None
    return first, None if cipher is None else (None, cipher)


def _encrypted_with(part: list[Token], words: list[Token]) -> tuple[str, _ProtoTLS] | None:
    """The cipher written before the protocol: MessageLabs ``with AES256-GCM-SHA384
    encrypted SMTP``, the qmail TLS patch ``with (DHE-RSA-AES256-SHA encrypted) SMTP``."""
    if len(words) >= 3 and words[1].text.lower() == "encrypted":
        return words[2].text, (None, words[0].text)
    head = part[0]
    if head.kind is Kind.COMMENT:
        pieces = head.text.split()
        if len(pieces) == 2 and pieces[1].lower() == "encrypted":
            return words[0].text, (None, pieces[0])
    return None


def _software(clauses: _Clauses, by_facts: Facts) -> tuple[str | None, str | None]:
    """Which MTA wrote the header, from the comments of ``by`` and the ``with`` clause."""
    parts = clauses.parts
    by_comments = tuple([t.text for t in parts.get("by", [])[1:] if t.kind is Kind.COMMENT])
    # Each clause is read as one text, so that a name spread over words ("with Microsoft
    # SMTP Server") is found and a version is never taken from another clause. The queue
    # id itself names no software; leaving it out lets the answer be reused.
    id_part = parts.get("id", [])
    if id_part and id_part[0].kind is Kind.WORD:
        id_part = id_part[1:]
    clause_texts = (
        _clause_text(parts.get("with")),
        _clause_text(id_part),
        _clause_text(parts.get("via")),
    )
    preamble = tuple([t.text for t in clauses.preamble if t.kind is Kind.COMMENT])
    lhlo = "lhlo" in by_facts.words or zimbra.lhlo_in(parts.get("from", []))
    host = (first_value(parts.get("by")) or "").lower().rstrip(".")
    return software_named(by_comments, clause_texts, preamble, lhlo, host)


def _clause_text(part: list[Token] | None) -> str:
    """A clause's tokens as one text for ``software_named``, addresses left out."""
    if not part:
        return ""
    angle = Kind.ANGLE
    return " ".join([t.text for t in part if t.kind is not angle])


def _client(part: list[Token], facts: Facts, software: str | None, qmail_by: bool) -> Client:
    """Read the ``from`` part with the layout of the server's family; ``qmail_by``: the
    ``by`` part is written as qmail writes it."""
    if not part:
        return new_client()
    if facts.ip is None and _clientless(part):
        return new_client(ident=facts.ident)
    if mercury.spool_pickup(part, software):
        return _NO_CLIENT
    project = google.api_project(part)
    if project is not None:
        return new_client(ident=project)
    head = part[0]
    value, value_ip = _head_value(part, facts)
    later = _address_after_helo_comment(part)
    if later is not None:
        part, facts = [head, *part[2:]], later
    shaped = exim.fullhost_client(part, value if value_ip is None else None) or firewall.client(
        part, facts, value, value_ip
    )
    if shaped is not None:
        return shaped
    _read_literal_outside_comments(part, facts)
    ip = facts.ip or value_ip
    if squirrelmail.MARK in facts.words:
        style = squirrelmail.STYLE
    else:
        style = style_for(software, facts.ip_bare and head.kind is Kind.WORD and qmail_by)
    if ip is None and _one_word(part):
        if style.local_without_address:
            return new_client(helo=facts.helo, ident=value)
        if value is not None and "@" in value:
            # qmail-scanner "from bob@example.org by host by uid 502", AOL "from bob@aol.com
            # by imo...": the sender's address, not a HELO.
            return new_client(ident=value)
    helo, rdns, status = _helo_and_rdns(value, value_ip, facts, style, ip)
    return new_client(
        helo=helo,
        rdns=rdns,
        rdns_status=status,
        ip=ip,
        port=facts.port,
        ident=facts.ident,
        helo_inferred=helo is not None and _helo_left_out(part, facts, style, ip),
    )


_NO_CLIENT = Client()


def _clientless(part: list[Token]) -> bool:
    """The from part is a fixed phrase that names no client (``tables.CLIENTLESS_FROM``)."""
    words = tuple(t.text.lower() for t in part if t.kind is not Kind.COMMENT)
    return words in tables.CLIENTLESS_FROM


def _helo_left_out(part: list[Token], facts: Facts, style: FromStyle, ip: str | None) -> bool:
    """Whether the header leaves the HELO out where it equalled what it does write (see
    ``FromStyle.omits_matching_helo``): an address literal, even one that does not read
    as an address ("([192.0.2.300])"), and no ``helo=`` or name beside it."""
    return (
        style.omits_matching_helo
        and (ip is not None or any(_opens_with_literal(t) for t in part))
        and facts.helo is None
        and facts.helo_verb is None
        and facts.host is None
        and not facts.host_unknown
    )


def _head_value(part: list[Token], facts: Facts) -> tuple[str | None, str | None]:
    """The word or literal right after ``from``, and the address it spells, if any."""
    head = part[0]
    if head.kind is Kind.LITERAL:
        value_ip, port = literal_address(head.text)
        after = part[1] if len(part) > 1 else None
        if after is not None and after.joined and after.text[:1] == ":":
            # F-Secure "from [192.0.2.7]:50999 (HELO x)": the port after the literal.
            port = port or split_port("0.0.0.0" + after.text)[1]
        facts.port = facts.port or port
        return f"[{head.text}]", value_ip
    if head.kind is Kind.WORD:
        return head.text, normalise_ip(head.text)
    return None, None


def _read_literal_outside_comments(part: list[Token], facts: Facts) -> None:
    """MDaemon "from host [ip]" (19+: "[(ip)]"), Exim 3 "from helo (rdns) [ip]"."""
    for tok in part[1:]:
        if tok.kind is Kind.LITERAL and facts.ip is None:
            facts.ip, port = literal_address(tok.text.strip("()"))
            facts.port = facts.port or port


def _helo_and_rdns(
    value: str | None, value_ip: str | None, facts: Facts, style: FromStyle, ip: str | None
) -> tuple[str | None, str | None, RdnsStatus]:
    """What the name after ``from`` is (HELO or rDNS), given what the comments said."""
    helo: str | None
    rdns: str | None = None
    status: RdnsStatus = "not_recorded"
    if facts.helo is not None or facts.helo_verb is not None:
        # "from rdns (HELO helo)" / "from rdns ([ip] helo=helo)": the name is the rDNS.
        # qmail "from rdns (HELO ) (ip)": an empty HELO, still not the name.
        helo = facts.helo
        if value is None or value_ip is not None or no_name(value):
            literal = value_ip is not None and style.literal_means_no_name
            status = "none" if no_name(value) or literal else status
        else:
            rdns, status = value, "present"
    elif facts.host is not None or facts.host_unknown:
        # "from helo (rdns [ip])" / "from helo (unknown [ip])": sendmail, Postfix, Gmail...
        helo = value
        if facts.host_unknown or no_name(facts.host):
            status = "none"
        else:
            rdns, status = facts.host, "present"
    elif value_ip is not None and facts.ip is None:
        helo = None  # "from [192.0.2.7] by ...": only the address is known
        if style.omits_matching_helo:
            helo = value  # Exim: no name, no "helo=": the client said this literal
        if style.records_rdns:
            status = "none"
    elif style.bare == "rdns_first":
        # Exim/qmail "from rdns ([ip])": HELO equal to the rDNS, so not written twice.
        helo = value if value_ip is None and style.has_helo else None
        if value is not None and value_ip is None and not no_name(value):
            rdns, status = value, "present"
        else:
            status = "none"
            helo = None if no_name(value) else helo
    elif value is not None and value.lower() in tables.NO_NAME_NOT_HELO:
        helo = None  # "from no.name.available by fw via smtpd": the rDNS, and there is none
        status = "none"
    else:
        helo = value
        if facts.name_verified and value_ip is None and value is not None:
            # CommuniGate Pro "from name ([ip] verified)": the name resolves to the address,
            # forward-confirmed, so it stands as the rDNS too.
            rdns, status = value, "present"
        elif style.records_rdns and ip is not None:
            status = "none"  # sendmail "from helo ([ip])": the lookup found no name
    return helo, (rdns.rstrip(".") or None) if rdns is not None else None, status


def _address_after_helo_comment(part: list[Token]) -> Facts | None:
    """Postfix and sendmail copy the HELO as the client sent it, parentheses included, then
    write their own ``(RDNS [IP])`` after a blank: ``from x([203.0.113.9]) (unknown
    [192.0.2.7])``. A comment against the first word is then part of the HELO, and the
    facts are those of the comments after it (JetMail's ``from HELO([192.0.2.7])``, with
    no comment after, keeps its address)."""
    if (
        len(part) < 3
        or part[0].kind is not Kind.WORD
        or part[1].kind is not Kind.COMMENT
        or not part[1].joined
    ):
        return None
    facts = Facts()
    for tok in part[2:]:
        if tok.kind is Kind.COMMENT and not tok.joined:
            read_comment(tok.text, facts, [])
    return facts if facts.ip is not None else None


def _by_in_helo(clauses: _Clauses) -> bool:
    """Postfix copies the HELO as sent, so a client can send ``HELO x (a [203.0.113.9]) by``
    and the header reads ``from x (a [203.0.113.9]) by (unknown [192.0.2.7]) by mx ...``:
    ``by`` with no host after it, another ``by`` later. Where the from part ends is then
    the client's choice, so no address or name in it is the server's."""
    by = clauses.parts.get("by")
    if not by or by[0].kind is not Kind.COMMENT or "from" not in clauses.parts:
        return False
    return any(t.kind is Kind.WORD and t.text.lower() == "by" for t in by[1:])


def _opens_with_literal(tok: Token) -> bool:
    return tok.kind is Kind.LITERAL or (tok.kind is Kind.COMMENT and tok.text.lstrip()[:1] == "[")


def _one_word(part: list[Token]) -> bool:
    """``from root (helo=x)``: one word and comments, as Exim writes a local sender (not a
    custom text such as Debian's "from authenticated user"). A comment opening with an
    address literal is a network client's, even one no address parser accepts:
    "from mx.example.org ([192.0.2.300]) by mail with esmtp (Exim 4.96)" is no local user."""
    words = [t for t in part if t.kind is not Kind.COMMENT]
    if any(t.kind is Kind.COMMENT and _opens_with_literal(t) for t in part):
        return False
    return len(words) == 1 and words[0].kind is Kind.WORD


def _local_client(client: Client, every: tuple[Facts, ...], has_from: bool) -> Client:
    """The ident of a local submission: the user a comment names ("invoked by uid 48"),
    else the word after ``from`` ("from www-data by host"), except over a unix socket,
    where that word is the HELO ("from localhost (localhost [[UNIX: localhost]])")."""
    if client.ident is not None:
        return client
    local_user = next((f.local_user for f in every if f.local_user), None)
    if local_user:
        return _with_ident(client, local_user)
    if has_from and client.ip is None and not any(f.local_socket for f in every):
        return _with_ident(client, client.helo)
    return client


def _with_ident(client: Client, ident: str | None) -> Client:
    return new_client(
        helo=client.helo,
        rdns=client.rdns,
        rdns_status=client.rdns_status,
        ip=client.ip,
        port=client.port,
        ident=ident,
        helo_inferred=client.helo_inferred,
    )


def _server(part: list[Token], facts: Facts, software: str | None, version: str | None) -> Server:
    host: str | None = None
    ip: str | None = None
    if part:
        head = part[0]
        # MailGate "by <server> (MailGate 3.5)": the host in angle brackets.
        if head.kind in (Kind.WORD, Kind.LITERAL, Kind.ANGLE):
            as_ip = normalise_ip(head.text)
            if as_ip is not None:
                ip = as_ip
            else:
                host = head.text.rstrip(".") or None
    # MDaemon: "by mx.example.com [192.0.2.8]"
    literal = part[1] if len(part) > 1 and host is not None else None
    if ip is None and literal is not None and literal.kind is Kind.LITERAL:
        ip = normalise_ip(literal.text.strip("()"))
    ip = ip or facts.ip
    return new_server(host=host, ip=ip, software=software, version=version)


def _auth(
    protocol: str | None, software: str | None, every: tuple[Facts, ...], clauses: _Clauses
) -> Auth:
    denied = False
    for facts in every:
        if facts.auth_evidence is not None:
            return Auth(True, facts.auth_mechanism, facts.auth_identity, facts.auth_evidence)
        denied = denied or facts.auth_denied
    low = (protocol or "").lower()
    if low in tables.AUTH_PROTOCOLS:
        return _shared_auth(True, protocol)
    if low in microsoft.MAILBOX_PROTOCOLS:
        return _shared_auth(True, f"with {protocol}")  # Outlook, logged in to a mailbox
    if denied:
        return _shared_auth(False, "auth=no")
    has_client = "from" in clauses.parts
    if (
        has_client
        and low in tables.PLAIN_PROTOCOLS
        and not (software or "").startswith(microsoft.NAME_PREFIX)
    ):
        # These families write ...A when the client authenticated (RFC 3848).
        return _shared_auth(False, f"with {protocol}")
    return _shared_auth(None, None)


@lru_cache(maxsize=256)
def _shared_auth(authenticated: bool | None, evidence: str | None) -> Auth:
    """An ``Auth`` with no mechanism or identity: what the protocol or a comment's
    ``auth=no`` says. A few stand in most headers, and records are frozen: shared."""
    return Auth(authenticated, None, None, evidence)


def _tls(protocol: str | None, proto_tls: _ProtoTLS, every: tuple[Facts, ...]) -> TLS | None:
    seen = proto_tls is not None
    version, cipher = proto_tls or (None, None)
    for facts in every:
        if facts.tls_seen:
            seen = True
            version = version or facts.tls_version
            cipher = cipher or facts.tls_cipher
    low = (protocol or "").lower()
    if seen or low in tables.TLS_PROTOCOLS or low == "https":
        return shared_tls(version, cipher)
    return None


def _kind(
    clauses: _Clauses,
    protocol: str | None,
    client: Client,
    every: tuple[Facts, ...],
    software: str | None,
) -> HopKind:
    low = (protocol or "").lower()
    if low in tables.FETCH_PROTOCOLS:
        return "fetch"
    via = clauses.parts.get("via")  # most headers have none
    if low.startswith(tables.LOCAL_PROTOCOL_PREFIX) or (via is not None and smail.from_stdin(via)):
        return "local"
    words = [*every[0].words, *every[1].words, *every[2].words, *every[3].words]
    if _names_local(every) or qmail.local_stamp(words):
        return "local"
    if client.ip is None and client.ident is not None and "@" in client.ident:
        return "local"  # "from bob@example.org by host": a sender, not a client
    from_words = tuple(
        [t.text.lower() for t in clauses.parts.get("from", []) if t.kind is Kind.WORD]
    )
    if from_words == microsoft.PICKUP_SERVICE:
        return "local"  # a file dropped in Exchange's pickup folder
    from_part = clauses.parts.get("from", [])
    if mercury.spool_pickup(from_part, software):
        return "local"  # taken out of Mercury's queue directory
    if communigate.rules_sender(from_part, protocol) is not None:
        return "local"  # sent on by CommuniGate Pro's Rules engine
    if from_words == exim.AUTHENTICATED_USER:
        return "relay"  # Debian's Exim: a client that logged in, its address not written
    if client.ip is None and style_for(software).local_without_address and _one_word(from_part):
        return "local"  # Exim "from amavis by mail with scanned-ok"
    if low in tables.CLIENT_PROTOCOLS and client.ip is None and client.helo is None:
        return "local"  # webmail/API submission with no client recorded (Gmail "with HTTP")
    if client.ip is not None or ("from" in clauses.parts and client.helo is not None):
        return "relay"
    if "from" in clauses.parts and client.rdns_status == "none":
        return "relay"  # "from no.name.available by fw via smtpd": a client with no name
    if qmail.network_stamp(words):
        return "relay"  # "(qmail 123 invoked from network)"
    return "unknown"


def _names_local(every: tuple[Facts, ...]) -> bool:
    """A comment names a local user or a local socket (a loop: any() over a generator
    costs a generator's frame, for every header)."""
    for facts in every:  # noqa: SIM110
        if facts.local_user or facts.local_socket:
            return True
    return False


def _status(
    clauses: _Clauses, client: Client, server: Server, kind: HopKind, timestamp: object
) -> ParseStatus:
    if not clauses.parts:
        # "(qmail 1 invoked by uid 48); date", Yahoo Groups "(EGP: mail-8_1_0_1); date":
        # a stamp with no clause still dates the message.
        stamp = any(t.kind is Kind.COMMENT for t in clauses.preamble) and timestamp is not None
        return "partial" if kind == "local" or stamp else "unparsed"
    complete = timestamp is not None and (server.host is not None or server.ip is not None)
    if "from" in clauses.parts and client.ip is None and kind == "relay":
        complete = complete and client.helo is not None and _hidden_ok(clauses)
    return "parsed" if complete else "partial"


def _hidden_ok(clauses: _Clauses) -> bool:
    """A ``from`` with a name and no address is complete only where the format never
    writes one (``from mail pickup service``, Exchange's internal ``from X by Y``)."""
    return len(clauses.parts.get("from", [])) <= 3
