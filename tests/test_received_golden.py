"""Golden cases as data: one JSON line per header with the fields it must yield.

Adding a case is adding a line to ``tests/fixtures/received/golden.jsonl``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from headertrace import parse_received

GOLDEN = Path(__file__).parent / "fixtures" / "received" / "golden.jsonl"
CASES = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line]


def _get(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for key in dotted.split("."):
        value = value[key] if isinstance(value, dict) else None
    return value


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['family']}" for i, c in enumerate(CASES)])
def test_golden(case: dict[str, Any]) -> None:
    hop = parse_received(case["header"])
    data = hop.to_dict()
    json.dumps(data)  # JSON-safe
    assert data["raw"] == case["header"]
    mismatches = {
        key: (_get(data, key), want)
        for key, want in case["expect"].items()
        if (_get(data, key) != want and not isinstance(want, list))
        or (isinstance(want, list) and not set(want) <= set(_get(data, key) or []))
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
        plain = parse_received(" ".join(case["header"].split())).to_dict()
        folded = parse_received(_refolded(case["header"], every)).to_dict()
        plain.pop("raw")
        folded.pop("raw")
        assert folded == plain, case["header"]
