"""Metamorphic tests: rewrites of a Received header that must not change what it means.

Each test rewrites every golden header (``tests/fixtures/received/golden.jsonl``) in one
way that RFC 5321 section 4.4 / RFC 5322 or real MTAs treat as the same header, and requires
the same hop. Where a field legitimately follows the spelling (``from.helo`` is the HELO as
the client wrote it), the test says so and compares only what must not move.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from headertrace.models import Hop
from headertrace.parse.headers import unfold
from headertrace.parse.lexer import Kind, Lexer, Token
from headertrace.parse.received import parse_received_general
from headertrace.vendors import read_direct

GOLDEN = Path(__file__).parent / "fixtures" / "received" / "golden.jsonl"
HEADERS = [
    json.loads(line)["header"] for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line
]
KEYWORDS = ("from", "by", "via", "with", "id", "for")


def parse_received(header: str) -> Hop:
    """``headertrace.parse_received``, proving on the way that a direct reader of
    ``headertrace.vendors`` that takes the rewrite reads it as the general reader does."""
    general = parse_received_general(header)
    direct = read_direct(header)
    assert direct is None or direct == general, (header, direct, general)
    return direct or general


def _hop(header: str) -> dict[str, Any]:
    """The hop of ``header`` minus what follows the spelling; never one that hides an
    exception (an ``internal-error`` defect would make every rewrite compare equal)."""
    hop = parse_received(header)
    assert not any(d.startswith("internal-error") for d in hop.defects), (header, hop.defects)
    data = hop.to_dict()
    data.pop("raw")
    data.pop("timestamp_raw")  # the date as written, by definition
    return data


def _get(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for key in dotted.split("."):
        value = value[key] if isinstance(value, dict) else None
    return value


def _tokens(header: str) -> tuple[str, list[Token]]:
    text = unfold(header)
    return text, Lexer(text).tokens()


def _rewrite(header: str, change: Callable[[Token, str], str]) -> str:
    """``header`` unfolded, each top-level token passed through ``change``; the blanks before
    a token are given to ``change`` as a token of kind ``"blank"``."""
    text, tokens = _tokens(header)
    out: list[str] = []
    pos = 0
    for tok in tokens:
        gap = text[pos : tok.start]
        out.append(change(Token("blank", gap, pos, tok.start), gap) if gap.isspace() else gap)
        out.append(change(tok, text[tok.start : tok.end]))
        pos = tok.end
    out.append(text[pos:])
    return "".join(out)


def _assert_same(rewrite: Callable[[str], str | None], keys: tuple[str, ...] = ()) -> None:
    """Every golden header and its rewrite give the same hop (only ``keys``, when given)."""
    checked = 0
    for header in HEADERS:
        rewritten = rewrite(header)
        if rewritten is None:
            continue
        checked += 1
        want, got = _hop(header), _hop(rewritten)
        if keys:
            want, got = {k: _get(want, k) for k in keys}, {k: _get(got, k) for k in keys}
        assert got == want, (header, rewritten)
    assert checked >= 10, "the rewrite applied to too few golden headers to test anything"


# --- blanks -----------------------------------------------------------------------------------


def _more_blanks(tok: Token, written: str) -> str:
    return written + " \t " if tok.kind == "blank" else written


def _blanks_in_comment(tok: Token, written: str) -> str:
    """Each run of blanks inside a comment, nested ones included, becomes a longer run of
    spaces and tabs; blanks inside quoted strings, literals and angle brackets are left
    alone (there they are part of the value), and so is anything after a backslash."""
    if tok.kind != Kind.COMMENT or not written.endswith(")"):
        return written
    out: list[str] = []
    closer = ""
    escaped = False
    for char in written:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif closer:
            closer = "" if char == closer else closer
        elif char in '"[<':
            closer = {'"': '"', "[": "]", "<": ">"}[char]
        elif char in " \t":
            out.append(" \t ")
            continue
        out.append(char)
    return "".join(out)


def _padded_comment(tok: Token, written: str) -> str:
    """``(a b)`` -> ``( a b )``: RFC 5322 allows blanks after ``(`` and before ``)``."""
    if tok.kind != Kind.COMMENT or not written.endswith(")") or written.endswith("\\)"):
        return written
    return f"( {written[1:-1]} )"


def test_blanks_between_tokens_never_change_a_hop() -> None:
    _assert_same(lambda h: _rewrite(h, _more_blanks))


def test_blanks_inside_comments_never_change_a_hop() -> None:
    """Found: a tab in "(verified\\tOK)", "(LHLO\\tx)", "(CIPHER\\tencrypted)" changed the
    reading (readers matched one space only)."""
    _assert_same(lambda h: _rewrite(h, _blanks_in_comment))


def test_blanks_just_inside_the_parentheses_never_change_a_hop() -> None:
    """Found: Zimbra's "( LHLO mail.example.com)" lost its software."""
    _assert_same(lambda h: _rewrite(h, _padded_comment))


def test_blanks_around_the_semicolon_never_change_a_hop() -> None:
    def around(header: str) -> str:
        return _rewrite(header, lambda tok, w: " \t; " if tok.kind == Kind.SEMI else w)

    _assert_same(around)


# --- keywords, clauses ----------------------------------------------------------------------


@pytest.mark.parametrize("case", [str.upper, str.title], ids=["upper", "title"])
def test_keyword_case_never_changes_a_hop(case: Callable[[str], str]) -> None:
    """RFC 5321 keywords are case-insensitive: ``FROM``/``By``/``WITH`` read as ``from``..."""

    def recased(header: str) -> str:
        return _rewrite(header, lambda tok, w: case(w) if w.lower() in KEYWORDS else w)

    _assert_same(recased)


def _clauses(header: str) -> tuple[str, list[tuple[str, str]], str] | None:
    """``header`` as (text before the first clause, [(keyword, clause text)], ``; date``),
    cut at the first occurrence of each keyword, as the parser cuts it."""
    text, tokens = _tokens(header)
    semi = next((k for k in range(len(tokens) - 1, -1, -1) if tokens[k].kind == Kind.SEMI), None)
    if semi is None:
        return None
    starts: list[tuple[str, int]] = []
    for tok in tokens[:semi]:
        low = tok.text.lower()
        if tok.kind == Kind.WORD and low in KEYWORDS and low not in dict(starts):
            starts.append((low, tok.start))
    if not starts:
        return None
    ends = [start for _, start in starts[1:]] + [tokens[semi].start]
    clauses = [(kw, text[s:e].strip()) for (kw, s), e in zip(starts, ends, strict=True)]
    return text[: starts[0][1]], clauses, text[tokens[semi].start :]


def _joined(pre: str, clauses: list[tuple[str, str]], date: str) -> str:
    return (pre + " ".join(text for _, text in clauses if text)).strip() + date


def _moved_before(first: str, second: str) -> Callable[[str], str | None]:
    """The ``second`` clause moved just before the ``first`` (real MTAs differ in order:
    ``id`` before ``with``, ``for`` before ``id``)."""

    def move(header: str) -> str | None:
        cut = _clauses(header)
        if cut is None:
            return None
        pre, clauses, date = cut
        keys = [kw for kw, _ in clauses]
        if first not in keys or second not in keys or keys.index(first) > keys.index(second):
            return None
        i, j = keys.index(first), keys.index(second)
        return _joined(pre, [*clauses[:i], clauses[j], *clauses[i:j], *clauses[j + 1 :]], date)

    return move


@pytest.mark.parametrize(("first", "second"), [("with", "id"), ("id", "for"), ("with", "for")])
def test_clause_order_never_changes_a_hop(first: str, second: str) -> None:
    _assert_same(_moved_before(first, second))


CORE = ("from", "by", "auth", "tls", "kind", "protocol")
"""What a ``for`` or ``id`` clause has no bearing on."""


def _without(keyword: str) -> Callable[[str], str | None]:
    """The ``keyword`` clause's value removed; comments after it stay (Gmail writes TLS after
    the recipient: "for <x> (version=TLS1_3 ...)")."""

    def drop(header: str) -> str | None:
        cut = _clauses(header)
        if cut is None or keyword not in dict(cut[1]):
            return None
        pre, clauses, date = cut
        kept = []
        for kw, text in clauses:
            if kw == keyword:
                tokens = Lexer(text).tokens()
                if len(tokens) < 2 or tokens[1].kind not in (Kind.WORD, Kind.ANGLE):
                    return None
                kept.append((kw, text[tokens[1].end :].strip()))
                continue
            kept.append((kw, text))
        if keyword == "id" and "Microsoft SMTP" in header:
            return None  # Exchange writes its build as the id: by.version follows it
        return _joined(pre, kept, date)

    return drop


def _with_added(clause: str) -> Callable[[str], str | None]:
    def add(header: str) -> str | None:
        cut = _clauses(header)
        keyword = clause.split(maxsplit=1)[0]
        if cut is None or keyword in dict(cut[1]) or "by" not in dict(cut[1]):
            return None
        pre, clauses, date = cut
        return _joined(pre, [*clauses, (keyword, clause)], date)

    return add


@pytest.mark.parametrize(
    "rewrite",
    [
        _without("for"),
        _without("id"),
        _with_added("for <carol@example.com>"),
        _with_added("id 4B2C1"),
    ],
    ids=["drop-for", "drop-id", "add-for", "add-id"],
)
def test_for_and_id_never_change_client_server_auth_tls_kind(
    rewrite: Callable[[str], str | None],
) -> None:
    _assert_same(rewrite, CORE)


# --- dates ------------------------------------------------------------------------------------

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _date(when: datetime, *, weekday: bool = True, zone: str | None = None) -> str:
    minutes = int((when.utcoffset() or timedelta()).total_seconds()) // 60
    offset = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    text = f"{when.day} {_MONTHS[when.month - 1]} {when.year} {when:%H:%M:%S} {zone or offset}"
    return f"{_DAYS[when.weekday()]}, {text}" if weekday else text


def _in_zone(when: datetime, minutes: int) -> datetime:
    return when.astimezone(timezone(timedelta(minutes=minutes)))


# The same instant, written another valid way. ``same_offset``: the offset is kept too.
DATE_FORMS: dict[str, tuple[bool, Callable[[datetime], str]]] = {
    "no-weekday": (True, lambda w: _date(w, weekday=False)),
    "two-digit-day": (True, lambda w: _date(w).replace(f" {w.day} ", f" {w.day:02d} ", 1)),
    "lower-case": (True, lambda w: _date(w).lower()),
    "upper-case": (True, lambda w: _date(w).upper()),
    "zone-comment": (True, lambda w: _date(w) + " (XYZ)"),
    "more-blanks": (True, lambda w: _date(w).replace(" ", " \t ")),
    "two-digit-year": (True, lambda w: _date(w).replace(f" {w.year} ", f" {w.year % 100:02d} ")),
    "other-offset": (False, lambda w: _date(_in_zone(w, 570))),
    # RFC 5322 -0000: UTC, the local zone unknown; the instant is the same.
    "minus-zero": (False, lambda w: _date(_in_zone(w, 0), zone="-0000")),
    # RFC 822 zone names (obsolete, still written).
    "GMT": (False, lambda w: _date(_in_zone(w, 0), zone="GMT")),
    "UT": (False, lambda w: _date(_in_zone(w, 0), zone="UT")),
    "EST": (False, lambda w: _date(_in_zone(w, -300), zone="EST")),
    "EDT": (False, lambda w: _date(_in_zone(w, -240), zone="EDT")),
    "CST": (False, lambda w: _date(_in_zone(w, -360), zone="CST")),
    "MDT": (False, lambda w: _date(_in_zone(w, -360), zone="MDT")),
    "PDT": (False, lambda w: _date(_in_zone(w, -420), zone="PDT")),
    "PST": (False, lambda w: _date(_in_zone(w, -480), zone="PST")),
}


@pytest.mark.parametrize("form", list(DATE_FORMS))
def test_the_same_instant_written_another_way_gives_the_same_timestamp(form: str) -> None:
    same_offset, write = DATE_FORMS[form]
    checked = 0
    for header in HEADERS:
        hop = parse_received(header)
        cut = _clauses(header)
        when = hop.timestamp
        if when is None or cut is None or not 1950 <= when.year < 2050:
            continue
        head = unfold(header)[: len(unfold(header)) - len(cut[2])]
        plain = _hop(f"{head}; {_date(when)}")
        if {k: v for k, v in plain.items() if k not in ("defects", "status")} != {
            k: v for k, v in _hop(header).items() if k not in ("defects", "status")
        }:
            continue  # text after the date (Courier's id, envelope-from): not only a date
        checked += 1
        got = parse_received(f"{head}; {write(when)}")
        assert got.timestamp == when, (header, write(when))
        if same_offset:
            assert got.timestamp is not None and got.timestamp.utcoffset() == when.utcoffset()
        rest = _hop(f"{head}; {write(when)}")
        assert {k: v for k, v in rest.items() if k != "timestamp"} == {
            k: v for k, v in plain.items() if k != "timestamp"
        }, (header, write(when))
    assert checked >= 50


def _unclosed(header: str) -> bool:
    """Narrowed: after a comment that never closes, what follows is inside it."""
    return any(d.startswith(("unclosed-", "unbalanced-")) for d in parse_received(header).defects)


def test_a_comment_after_the_date_never_changes_a_hop() -> None:
    def commented(header: str) -> str | None:
        if _unclosed(header):
            return None
        return " ".join(unfold(header).split()) + " (queued for delivery)"

    _assert_same(commented)


def test_a_zone_comment_after_a_dated_zone_never_changes_a_hop() -> None:
    """Narrowed: after a date with no zone, "(UTC)" supplies one, and the
    ``date-without-zone`` defect rightly goes."""

    def commented(header: str) -> str | None:
        if "date-without-zone" in parse_received(header).defects or _unclosed(header):
            return None
        return " ".join(unfold(header).split()) + " (UTC)"

    _assert_same(commented)


# --- addresses and names --------------------------------------------------------------------


def _client_literal(spell: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """Every ``[ip]`` literal of the client's address respelt by ``spell``."""

    def respell(header: str) -> str | None:
        ip = parse_received(header).client.ip
        text = unfold(header)
        new = spell(ip) if ip else None
        if ip is None or new is None:
            return None
        for old in (f"[IPv6:{ip}]", f"[{ip}]"):
            if old in text:
                return text.replace(old, new)
        return None

    return respell


@pytest.mark.parametrize(
    "spell",
    [lambda ip: f"[::ffff:{ip}]", lambda ip: f"[IPv6:::ffff:{ip}]"],
    ids=["ipv4-mapped", "ipv6-prefixed-ipv4-mapped"],
)
def test_ipv4_mapped_spelling_never_changes_the_client_ip(
    spell: Callable[[str], str | None],
) -> None:
    """Narrowed to ``from.ip``: ``from.helo`` is what the client wrote, spelling included."""
    _assert_same(_client_literal(lambda ip: spell(ip) if "." in ip else None), ("from.ip",))


@pytest.mark.parametrize(
    "spelt",
    ["2001:db8::1", "2001:DB8::1", "2001:db8:0:0::1", "2001:0DB8:0000:0000:0000:0000:0000:0001"],
)
@pytest.mark.parametrize(
    "layout",
    [
        "from a.example.net (a.example.net [IPv6:{}]) by mx.example.com (Postfix) with ESMTP",
        "from a.example.net ([IPv6:{}]:50123 helo=a.example.net) by mx.example.com with esmtp",
        "from [IPv6:{}] by mx.example.com",
    ],
    ids=["postfix", "exim", "bare"],
)
def test_ipv6_spelling_never_changes_the_client_ip(spelt: str, layout: str) -> None:
    hop = parse_received(layout.format(spelt) + "; Thu, 22 Aug 2002 10:14:23 +0100")
    assert hop.client.ip == "2001:db8::1"


def test_a_trailing_dot_on_the_server_name_never_changes_a_hop() -> None:
    """A fully-qualified name may end with the root's dot: ``by mx.example.com.``."""

    def dotted(header: str) -> str | None:
        host = parse_received(header).server.host
        text = unfold(header)
        if not host or f"by {host}" not in text or f"by {host}." in text:
            return None
        return text.replace(f"by {host}", f"by {host}.", 1)

    _assert_same(dotted)


@pytest.mark.parametrize("case", [str.lower, str.upper], ids=["lower", "upper"])
def test_protocol_case_never_changes_auth_tls_or_kind(case: Callable[[str], str]) -> None:
    """RFC 3848 protocol names are case-insensitive (``ESMTPSA``, ``esmtpsa``). Narrowed:
    ``protocol``, ``auth.evidence`` and a cipher written inside it stay as written."""

    def recased(header: str) -> str | None:
        cut = _clauses(header)
        if cut is None or "with" not in dict(cut[1]):
            return None
        pre, clauses, date = cut
        out = []
        for kw, text in clauses:
            if kw == "with":
                tokens = Lexer(text).tokens()
                if len(tokens) < 2 or tokens[1].kind != Kind.WORD:
                    return None
                word = tokens[1]
                out.append((kw, text[: word.start] + case(word.text) + text[word.end :]))
                continue
            out.append((kw, text))
        return _joined(pre, out, date)

    _assert_same(recased, ("kind", "auth.authenticated", "auth.mechanism", "auth.identity"))
