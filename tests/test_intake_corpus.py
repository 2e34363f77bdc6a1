"""open_complaint over the real-mail corpus (../shared/corpus): reports, bounces, forwards."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from headertrace.intake import open_complaint

pytestmark = pytest.mark.corpus


def manifest(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_every_report_bounce_and_forward_yields_a_message_or_says_why(corpus: Path) -> None:
    rows = [r for r in manifest(corpus) if "1" in (r["is_arf"], r["is_dsn"], r["has_rfc822_part"])]
    assert rows
    kinds: Counter[str] = Counter()
    unexplained = []
    for row in rows:
        complaint = open_complaint(corpus / row["path"])
        for rep in complaint.reported:
            kinds[rep.source.kind] += 1
            assert rep.raw.strip()
        if not complaint.reported:
            kinds["none"] += 1
            if not any(f.code == "no-reported-message" for f in complaint.findings):
                unexplained.append(row["path"])
        if row["is_arf"] == "1" and complaint.reported:
            assert complaint.reported[0].source.kind == "arf", row["path"]
            assert complaint.wrappers[0].fields.get("Feedback-Type"), row["path"]
    print(f"\n{len(rows)} flagged corpus messages: {dict(kinds)}")
    assert unexplained == []
    # Regression floor: nearly all of them carry the reported message.
    assert kinds["none"] <= 6


def test_no_corpus_message_makes_intake_raise(corpus: Path) -> None:
    kinds: Counter[str] = Counter()
    for row in manifest(corpus):
        complaint = open_complaint(corpus / row["path"])
        assert complaint.reported or complaint.findings, row["path"]
        kinds.update(r.source.kind for r in complaint.reported)
    print(f"\nall corpus messages: {dict(kinds)}")
