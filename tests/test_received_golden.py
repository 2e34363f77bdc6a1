"""Golden cases as data: one JSON line per header with the whole hop it must yield.

Adding a case is adding a line to ``tests/fixtures/received/golden.jsonl``: ``family``, an
optional ``note`` saying what the case is about, the ``header`` value and ``expect``.

``expect`` is the hop's full ``Hop.to_dict()`` without the fields the parser does not
decide from the header alone, and the test compares it exactly: every key, lists equal (not
subsets), ``null`` where the parser must find nothing. The fields left out, and why:

- ``raw``: the input itself (the test checks it is the header, unchanged);
- ``index``, ``header_index``: the hop's place in its message, given by the caller;
- ``delay_seconds``: measured from the previous hop's timestamp, given by the caller;
- ``attribution``: filled by ``headertrace.enrich``, never by the parser.

The test checks those four hold their defaults for a lone header, so a parser that starts
setting one is seen too. A case never passes with an ``internal-error`` defect, whatever its
``expect`` says: that defect is an exception the parser caught.

To change expectations after a parser change, run
``PYTHONPATH=src python tests/fixtures/received/update_golden.py`` and review ``git diff``:
each changed line is a behaviour change to justify in the commit. The test itself never
accepts new output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from headertrace import parse_received
from headertrace.models import Hop

GOLDEN = Path(__file__).parent / "fixtures" / "received" / "golden.jsonl"
CASES = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line]

NOT_FROM_THE_HEADER: dict[str, Any] = {
    "index": 0,
    "header_index": 0,
    "delay_seconds": None,
    "attribution": None,
}
"""Fields of ``Hop.to_dict()`` left out of ``expect``, with their value for a lone header."""


def expectation(hop: Hop) -> dict[str, Any]:
    """What a golden case's ``expect`` holds for ``hop``: its ``to_dict()`` without ``raw``
    and the fields in ``NOT_FROM_THE_HEADER``, in ``to_dict()`` order."""
    return {
        key: value
        for key, value in hop.to_dict().items()
        if key != "raw" and key not in NOT_FROM_THE_HEADER
    }


def internal_errors(hop: Hop) -> list[str]:
    """The ``internal-error`` defects of ``hop``: exceptions ``parse_received`` caught."""
    return [d for d in hop.defects if d.startswith("internal-error")]


def _id(number: int, case: dict[str, Any]) -> str:
    return f"{number}-{case['family']}"


def test_cases_are_well_formed() -> None:
    """Every line has the keys a case needs and no other; no header is there twice."""
    for number, case in enumerate(CASES):
        assert set(case) - {"note"} == {"family", "header", "expect"}, _id(number, case)
    headers = [case["header"] for case in CASES]
    assert len(set(headers)) == len(headers), "a header is in the golden file twice"


@pytest.mark.parametrize("case", CASES, ids=[_id(i, c) for i, c in enumerate(CASES)])
def test_golden(case: dict[str, Any]) -> None:
    hop = parse_received(case["header"])
    assert not internal_errors(hop), internal_errors(hop)
    data = hop.to_dict()
    json.dumps(data)  # JSON-safe
    assert data["raw"] == case["header"]
    assert {key: data[key] for key in NOT_FROM_THE_HEADER} == NOT_FROM_THE_HEADER
    got = expectation(hop)
    want = case["expect"]
    mismatches = {
        key: {"got": got.get(key, "<missing>"), "want": want.get(key, "<missing>")}
        for key in sorted(set(got) | set(want))
        if got.get(key, "<missing>") != want.get(key, "<missing>")
    }
    assert not mismatches, mismatches


def _refolded(header: str, every: int) -> str:
    """``header`` unfolded, then folded again before every ``every``-th blank, as servers
    and mail clients fold long lines."""
    words = header.split()
    return "".join(
        ("\r\n\t" if k % every == 0 else " ") + word if k else word for k, word in enumerate(words)
    )


@pytest.mark.parametrize("every", [1, 2, 3])
def test_folding_never_changes_a_hop(every: int) -> None:
    """RFC 5322 folding is whitespace: a header reads the same folded anywhere or not at all."""
    for case in CASES:
        plain_hop = parse_received(" ".join(case["header"].split()))
        folded_hop = parse_received(_refolded(case["header"], every))
        assert not internal_errors(plain_hop) and not internal_errors(folded_hop), case["header"]
        plain, folded = plain_hop.to_dict(), folded_hop.to_dict()
        plain.pop("raw")
        folded.pop("raw")
        assert folded == plain, case["header"]
