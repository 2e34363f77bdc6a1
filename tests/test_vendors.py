"""The direct readers of ``headertrace.vendors`` against the general reader.

Wherever a direct reader takes a header, its ``Hop`` must equal the general reader's field
for field (timestamps, ``timestamp_raw``, defects, TLS, authentication, ``helo_inferred``
and the rest). Checked on every golden header, on every rewrite of the property tests
(``tests/test_received_properties.py`` parses through both), on each family's examples and
on every Received header of ../shared/corpus, with the share taken directly.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headertrace import parse_received, vendors
from headertrace.intake import open_complaint
from headertrace.models import Client
from headertrace.parse import dates
from headertrace.parse.headers import split_header_block
from headertrace.parse.received import parse_received_general
from headertrace.vendors import (
    _build,
    microsoft,
    postfix,
    read_direct,
)

GOLDEN = Path(__file__).parent / "fixtures" / "received" / "golden.jsonl"
HEADERS = [
    json.loads(line)["header"] for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line
]
AFTER = datetime(2001, 1, 1, tzinfo=timezone.utc)


def _family_examples() -> tuple[str, ...]:
    """Every direct reader's examples, from every module of ``headertrace.vendors``: the
    constants named ``EXAMPLE``, ``EXAMPLES`` or ending so (``GENERAL_EXAMPLES`` are the
    general reader's). A new family's examples are tested without being listed here."""
    found: list[str] = []
    for info in pkgutil.iter_modules(vendors.__path__):
        module = importlib.import_module(f"{vendors.__name__}.{info.name}")
        for name, value in sorted(vars(module).items()):
            if name.endswith(("EXAMPLE", "EXAMPLES")) and not name.startswith("GENERAL_"):
                found.extend([value] if isinstance(value, str) else value)
    return tuple(found)


EXAMPLES = _family_examples()


def _same(header: str) -> bool:
    """Whether a direct reader takes ``header``; fails when it reads it otherwise."""
    direct = read_direct(header, 4, 1, AFTER)
    if direct is None:
        return False
    general = parse_received_general(header, index=4, header_index=1, after=AFTER)
    assert direct == general, header
    return True


def test_each_family_example_is_taken_directly_and_read_alike() -> None:
    assert len(EXAMPLES) >= 88  # the examples of every family as of #13's third round
    for example in EXAMPLES:
        assert _same(example), example


def test_golden_headers_read_alike() -> None:
    taken = sum(_same(header) for header in HEADERS)
    assert taken >= 5  # the common shapes have golden cases


def test_parse_received_uses_the_direct_reader_and_falls_back() -> None:
    assert parse_received(postfix.EXAMPLE) == parse_received_general(postfix.EXAMPLE)
    odd = "from x (y [192.0.2.7]) by mx (Postfix) with ESMTP id Q; not a date"
    assert read_direct(odd) is not None and parse_received(odd).defects == ("unparseable-date",)
    assert read_direct("from x ([192.0.2.7]) by mx with ESMTP (z); Mon, 1 Jan 2024") is None


def test_direct_readers_stay_linear_on_hostile_headers() -> None:
    for header in (
        "from " + "a" * 200_000,
        "from a (b [" + "1" * 100_000,
        "from a (b [192.0.2.7]) by c (Postfix) with ESMTP id Q; " + "(" * 10_000,
        "from a (b [192.0.2.7]) by c (8.1/8.1) with ESMTP id Q; Mon" + " x" * 50_000 + " (",
        "from [192.0.2.7] (port=1 " + "helo=x " * 30_000,
        "from a ([192.0.2.7]:25" + " ident=x" * 30_000 + ") by b with esmtp (Exim 4.96) id",
        "from a (b [192.0.2.7]) by c with ESMTPS id d for <" + "a" * 200_000,
        "from a (b [192.0.2.7]) by c with ESMTPS id d (version=" + "T" * 200_000,
        "from [192.0.2.7] by c via " + "H" * 200_000,
        "from a ([192.0.2.7]) by c with Microsoft SMTPSVC(" + "6." * 100_000,
        "(qmail 1 invoked from network[192.0.2.7/" + "a" * 200_000,
        "(EGP: " + "m" * 200_000,
        "by 10.0.0.1 with " + "H" * 200_000,
        "(majordomo@" + "a" * 200_000,
        "(majordomo@a) by b via listexpand id c (ORCPT <rfc822;" + "a" * 200_000,
        'from a ([192.0.2.7]:1 "EHLO ' + "x " * 100_000,
        'from a ([192.0.2.7]:1 "EHLO x" rhost-flags-' + "OK-" * 60_000,
        "by a (Postfix) via " + "B" * 200_000,
        "from a (b [192.0.2.7]) by c with SMTP (Microsoft Exchange Internet Mail Service"
        " Version " + "5." * 100_000,
        "from a (" + "x" * 200_000 + "@[192.0.2.7]) (envelope-sender <b>) by c (qmail-ldap-1",
        "from a ([192.0.2.7]) by c (InterMail vM.5 " + "1-" * 100_000,
        "from a ([192.0.2.7]) by c (iPlanet Messaging Server 5 " + "1 " * 100_000,
        "from a ([192.0.2.7]) by c (Cyrus v" + "2." * 100_000,
        "from a (192.0.2.7) by c (PowerMTA(TM) v" + "1." * 100_000,
        "from a ([192.0.2.7] verified) by c (CommuniGate Pro SMTP " + "4." * 100_000,
        "from a [192.0.2.7] by c with ESMTP (SMTPD32-" + "7." * 100_000,
        "from a ([192.0.2.7]) by c with hMailServer" + " " * 200_000,
        "from a ([192.0.2.7]) by c with LMTP id d (envelope-from <" + "e" * 200_000,
        "from a ([192.0.2.7]) by c with ESMTP/TLS/" + "A" * 200_000,
        "from a (" + "u" * 200_000 + "@[192.0.2.7]) by c (8.1/8.1) with SMTP id " + "d" * 99,
        "from " + "1" * 200_000 + " named x by c with HTTPREST",
        "by a with Internet Mail Service (" + "5." * 100_000,
        "from " + "a" * 200_000 + "/SpoolDir by c (Mercury 1." + "4" * 100_000,
    ):
        assert read_direct(header) is None


@pytest.mark.corpus
def test_corpus_headers_read_alike(corpus: Path) -> None:
    taken = total = 0
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for reported in open_complaint(path.read_bytes()).reported:
            for value in split_header_block(reported.raw).get_all("Received"):
                total += 1
                taken += _same(value)
    share = taken / total
    print(f"\n{taken} of {total} corpus Received headers read directly ({share:.1%})")
    assert share >= 0.8


@pytest.mark.corpus
def test_the_one_expression_date_reader_equals_the_general_one(corpus: Path) -> None:
    read = 0
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for reported in open_complaint(path.read_bytes()).reported:
            for value in split_header_block(reported.raw).get_all("Received"):
                read += _same_date(value.rpartition(";")[2])
    assert read > 30_000


def _same_date(text: str) -> bool:
    """Whether the one-expression reader reads ``text``; fails when it reads it otherwise
    than the word-by-word reader (instant, offset, defect)."""
    fast = dates._fast(text)
    if fast is None:
        return False
    general = dates.scan_date(text)
    assert fast.value is not None and general.value is not None, text
    assert (fast.value, fast.value.utcoffset(), fast.defect) == (
        general.value,
        general.value.utcoffset(),
        general.defect,
    ), text
    return True


@given(
    st.sampled_from(["", "Mon, ", "Tue ", "sun,  ", "Xyz, "]),
    st.integers(0, 39),
    st.sampled_from(["Jan", "jan", "FEB", "mAr", "Sep", "dec", "Foo", "Jun"]),
    st.integers(1000, 9999),
    st.integers(0, 29),
    st.integers(0, 69),
    st.none() | st.integers(0, 99),
    st.sampled_from(["+", "-"]),
    st.integers(0, 29),
    st.integers(0, 69),
    st.sampled_from(["", " (UTC)", " (MET DST)", " +0000", ":5", "0", " GMT", "\n\t(PDT)"]),
)
def test_generated_dates_read_alike(  # noqa: PLR0917 - one per piece of the date
    weekday: str,
    day: int,
    month: str,
    year: int,
    hour: int,
    minute: int,
    second: int | None,
    sign: str,
    zone_hours: int,
    zone_minutes: int,
    tail: str,
) -> None:
    seconds = "" if second is None else f":{second:02d}"
    text = (
        f" {weekday}{day} {month} {year} {hour}:{minute:02d}{seconds}"
        f" {sign}{zone_hours:02d}{zone_minutes:02d}{tail}"
    )
    _same_date(text)


def test_dates_read_alike_at_the_edges() -> None:
    for text in (
        "Mon, 1 Jan 2024 10:00:00 +0000",
        "1 JAN 2024 10:00 -2359",
        "29 Feb 2023 10:00:00 +0000",  # no such day: both fall back, then fail alike
        "1 Jan 2024 10:00:60 +0100",  # a leap second is read as :59
        "1 Jan 2024 10:00:00 +2400",
        "1 Jan 2024 10:00:00 +0060",
    ):
        _same_date(text)
        assert dates.parse_date(text).value == dates.scan_date(text).value, text


@given(st.text(alphabet="0123456789²³¹⁰٣۴ :+-,./()JanMoGT", max_size=40))
def test_dates_of_any_digits_never_raise(text: str) -> None:
    # "²".isdigit() holds and int("²") raises: digits are read where isdecimal() holds.
    result = dates.parse_date(text)
    assert (result.value is None) == (result.defect in ("unparseable-date", "invalid-date"))
    first, _, rest = text.partition(" ")
    dates.looks_like_date_start(first, rest)


def test_exchange_smtp_hops_are_relays() -> None:
    """What microsoft.read takes as given for ``with Microsoft SMTP Server``: a client
    with an address makes the hop a relay."""
    assert _build.kind_of("Microsoft SMTP Server", Client(ip="192.0.2.7")) == "relay"
    assert _build.kind_of("Microsoft SMTP Server", Client(helo="x", ip="::1")) == "relay"


@given(st.from_regex(microsoft._SMTP_ID, fullmatch=True))
def test_exchange_smtp_ids_are_builds(hop_id: str) -> None:
    """Whatever microsoft.read's pattern takes as the id is a plain word and a build."""
    assert _build.plain(hop_id)
    assert microsoft.build_in_id(hop_id) == hop_id
