"""The direct readers of ``headertrace.vendors`` against the general reader.

Wherever a direct reader takes a header, its ``Hop`` must equal the general reader's field
for field (timestamps, ``timestamp_raw``, defects, TLS, authentication, ``helo_inferred``
and the rest). Checked on every golden header, on every rewrite of the property tests
(``tests/test_received_properties.py`` parses through both), on each family's examples and
on every Received header of ../shared/corpus, with the share taken directly.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from headertrace import parse_received
from headertrace.intake import open_complaint
from headertrace.parse import dates
from headertrace.parse.headers import split_header_block
from headertrace.parse.received import parse_received_general
from headertrace.vendors import (
    exim,
    fetchmail,
    google,
    microsoft,
    postfix,
    qmail,
    read_direct,
    sendmail,
)

GOLDEN = Path(__file__).parent / "fixtures" / "received" / "golden.jsonl"
HEADERS = [
    json.loads(line)["header"] for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line
]
AFTER = datetime(2001, 1, 1, tzinfo=timezone.utc)
EXAMPLES = (
    postfix.EXAMPLE,
    postfix.PICKUP_EXAMPLE,
    *sendmail.EXAMPLES,
    fetchmail.EXAMPLE,
    *microsoft.EXAMPLES,
    google.EXAMPLE,
    *exim.EXAMPLES,
    *qmail.EXAMPLES,
)


def _same(header: str) -> bool:
    """Whether a direct reader takes ``header``; fails when it reads it otherwise."""
    direct = read_direct(header, 4, 1, AFTER)
    if direct is None:
        return False
    general = parse_received_general(header, index=4, header_index=1, after=AFTER)
    assert direct == general, header
    return True


def test_each_family_example_is_taken_directly_and_read_alike() -> None:
    for example in EXAMPLES:
        assert _same(example), example


def test_golden_headers_read_alike() -> None:
    taken = sum(_same(header) for header in HEADERS)
    assert taken >= 5  # the common shapes have golden cases


def test_parse_received_uses_the_direct_reader_and_falls_back() -> None:
    assert parse_received(postfix.EXAMPLE) == parse_received_general(postfix.EXAMPLE)
    odd = "from x (y [192.0.2.7]) by mx (Postfix) with ESMTP id Q; not a date"
    assert read_direct(odd) is not None and parse_received(odd).defects == ("unparseable-date",)
    assert read_direct("from x ([192.0.2.7]) by mx with ESMTP; Mon, 1 Jan 2024") is None


def test_direct_readers_stay_linear_on_hostile_headers() -> None:
    for header in (
        "from " + "a" * 200_000,
        "from a (b [" + "1" * 100_000,
        "from a (b [192.0.2.7]) by c (Postfix) with ESMTP id Q; " + "(" * 10_000,
        "from a (b [192.0.2.7]) by c (8.1/8.1) with ESMTP id Q; Mon" + " x" * 50_000 + " (",
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
                date = value.rpartition(";")[2]
                fast = dates._fast(date)
                if fast is not None:
                    read += 1
                    general = dates.scan_date(date)
                    assert general.value is not None, date
                    assert fast.value is not None
                    assert (fast.value, fast.value.utcoffset(), fast.defect) == (
                        general.value,
                        general.value.utcoffset(),
                        general.defect,
                    ), date
    assert read > 30_000
