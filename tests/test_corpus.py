"""Real mail from ../shared/corpus (skipped when absent).

Checks that no message raises, and that the client address of every relay SpamAssassin
found agrees with ours at the same header in at least 98% of relays. Disagreements are
written to reports/received-disagreements.jsonl for a person to read; the ones where
SpamAssassin is wrong are recorded as golden cases (family "disagrees-with-spamassassin").
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from headertrace.tracing import trace_bytes

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"


@pytest.mark.corpus
def test_corpus_agrees_with_spamassassin(corpus: Path) -> None:
    reference = corpus / "reference" / "spamassassin-relays.jsonl.gz"
    total = agree = unparsed = 0
    disagreements: list[dict[str, object]] = []
    with gzip.open(reference, "rt", encoding="utf-8") as lines:
        for line in lines:
            ref = json.loads(line)
            t = trace_bytes((corpus / ref["path"]).read_bytes())
            by_header = {h.header_index: h for h in t.hops}
            unparsed += sum(h.status == "unparsed" for h in t.hops)
            for h in t.hops:
                assert not any(d.startswith("internal-error") for d in h.defects), h.raw
            for relay in ref["relays"]:
                total += 1
                hop = by_header.get(relay["rcvd_index"])
                mine = hop.client.ip if hop else None
                if mine == relay["ip"]:
                    agree += 1
                else:
                    disagreements.append(
                        {
                            "path": ref["path"],
                            "header": relay["rcvd_index"],
                            "spamassassin": relay["ip"],
                            "headertrace": mine,
                            "raw": hop.raw if hop else None,
                        }
                    )
    REPORTS.mkdir(exist_ok=True)
    with (REPORTS / "received-disagreements.jsonl").open("w", encoding="utf-8") as out:
        for row in disagreements:
            out.write(json.dumps(row) + "\n")
    rate = agree / total
    print(f"\nrelays {total}, agree {agree} ({rate:.2%}), unparsed headers {unparsed}")
    assert total > 20_000
    assert rate >= 0.98


@pytest.mark.corpus
def test_every_corpus_message_traces(corpus: Path) -> None:
    """Every message traces to JSON, and no Received header of any of them makes the
    parser catch an exception (an ``internal-error`` defect)."""
    count = hops = 0
    crashed: list[str] = []
    for path in sorted((corpus / "messages").rglob("*.eml")):
        t = trace_bytes(path.read_bytes())
        json.dumps(t.to_dict())
        count += 1
        hops += len(t.hops)
        crashed.extend(
            f"{path.relative_to(corpus)} header {h.header_index}: {d}"
            for h in t.hops
            for d in h.defects
            if d.startswith("internal-error")
        )
    assert count > 8_000
    assert hops > 40_000
    assert not crashed, crashed[:20]


@pytest.mark.corpus
def test_every_corpus_message_gets_a_verdict_for_its_own_receiver(corpus: Path) -> None:
    """Each message judged for the organisation that received it (the domain of its top
    `by` host) and for one it never touched: no exception, always a verdict."""
    from headertrace import Organisation
    from headertrace.enrich import registered_domain
    from headertrace.tracing import trace

    stranger = Organisation.from_options(domains=["example.com"])
    kinds: dict[str, int] = {}
    for path in sorted((corpus / "messages").rglob("*.eml"))[::4]:
        data = path.read_bytes()
        plain = trace_bytes(data)
        top = plain.hops[-1].server.host if plain.hops else None
        domain = registered_domain(top) if top else None
        orgs = [stranger] + ([Organisation.from_options(domains=[domain])] if domain else [])
        for org in orgs:
            t = trace(data, org=org, unwrap=False)
            assert t.verdict is not None
            kinds[t.verdict.kind] = kinds.get(t.verdict.kind, 0) + 1
    print("\nverdicts:", dict(sorted(kinds.items())))
    assert kinds.get("not_involved", 0) > 0
