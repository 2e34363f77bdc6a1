"""The JSON contract: one golden trace of the bundled example, and the documented fields.

``docs/trace-format.md`` lists every field of a trace, section by section. The fields that
traces actually carry (over every judge fixture and layout, and a trace with online
attribution) must be exactly those: a documented field that disappears fails here, and so
does a new field nobody documented. The golden file shows any change of the schema, or of
the example's reading, in review; regenerate it with
``python -m tests.test_schema`` after a deliberate change.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from headertrace import Organisation, trace
from headertrace.models import Owner, Trace

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "complaint.eml"
GOLDEN = Path(__file__).parent / "fixtures" / "schema" / "example-complaint.json"
DOC = ROOT / "docs" / "trace-format.md"
JUDGE = Path(__file__).parent / "fixtures" / "judge"

OPAQUE = ("hops[].attribution", "source.wrappers[].fields")
"""Subtrees with contracts of their own (docs/attribution.md) or free-form report fields."""


def example_trace() -> Trace:
    """What ``make demo`` traces: the example complaint for the organisation example.com."""
    return trace(EXAMPLE, org=Organisation.from_options(domains=["example.com"]))


def _stable(data: dict[str, Any]) -> dict[str, Any]:
    data["source"]["path"] = "examples/complaint.eml"  # not where the checkout happens to be
    return data


def test_the_example_traces_exactly_as_the_golden_file() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert _stable(example_trace().to_dict()) == golden


def documented() -> set[str]:
    """Every field path that docs/trace-format.md lists, as ``hops[].from.helo``."""
    paths: set[str] = set()
    section = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (?:`([^`]+)`|Top level)", line)
        if heading:
            section = heading.group(1) or ""
            continue
        row = re.match(r"^\| `([a-z_][a-z_.\[\]]*)` \|", line)
        if row and not line.startswith("| field"):
            name = row.group(1)
            path = f"{section}.{name}" if section else name
            paths.add(path)
            # a row for a.b.c documents the objects a and a.b too
            parts = path.split(".")
            paths.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return {p.removesuffix("[]") for p in paths}


def produced(data: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path
            if path not in OPAQUE:
                yield from produced(value, path)
    elif isinstance(data, list):
        for item in data:
            yield from produced(item, prefix + "[]")


def sample_traces() -> Iterator[Trace]:
    org = Organisation.from_dict({"domains": ["example.com"], "networks": ["203.0.113.0/24"]})
    yield example_trace()
    for path in sorted(JUDGE.glob("*.eml")):
        yield trace(path, org=org)
        yield trace(path)
    for toml in sorted((JUDGE / "layouts").glob("*/org.toml")):
        yield trace(toml.parent / "message.eml", org=Organisation.load(toml))
    # what the server's own log adds (a real Postfix log, tests/fixtures/logs)
    from headertrace.logs import LogOptions, read_passwd

    logs = Path(__file__).parent / "fixtures" / "logs"
    options = LogOptions(passwd=read_passwd(logs / "passwd"), passwd_source="passwd FILE")
    log_org = Organisation.load(logs / "org.toml")
    for name in ("sasl.eml", "pickup.eml"):
        yield trace(logs / name, org=log_org, logs=[logs / "maillog"], log_options=options)
    # what online attribution adds to the verdict's sender
    t = example_trace()
    assert t.verdict is not None
    owner = Owner(asn=64500, as_name="EXAMPLE-AS", abuse_emails=("abuse@example.net",))
    yield replace(t, verdict=replace(t.verdict, sender=replace(t.verdict.sender, owner=owner)))


def test_the_documented_fields_are_exactly_the_fields_traces_carry() -> None:
    seen: set[str] = set()
    for t in sample_traces():
        seen.update(produced(t.to_dict()))
    docs = documented()
    assert sorted(docs - seen) == [], "documented but never produced"
    assert sorted(seen - docs) == [], "produced but not documented in docs/trace-format.md"


def test_records_are_frozen_and_hashable() -> None:
    t = example_trace()
    assert t.verdict is not None
    hash(t.verdict)
    hash(t.hops[0])
    hash(t.source)
    try:
        t.verdict.sender.ip = "192.0.2.1"  # type: ignore[misc]
    except AttributeError:
        pass
    else:  # pragma: no cover - the assertion below reports it
        raise AssertionError("Sender is not frozen")


if __name__ == "__main__":  # regenerate the golden file after a deliberate change
    GOLDEN.write_text(
        json.dumps(_stable(example_trace().to_dict()), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    sys.stdout.write(f"wrote {GOLDEN}\n")
