"""The judge on real organisation layouts: split tiers, role names, other networks' private ranges.

Each case in ``fixtures/judge/layouts/cases.json`` is one organisation (its ``org.toml``, written
the way its admin would) and the message a complainant received, with the verdict it must give:
the kind, the entry hop (named by the host in its ``by`` clause) and the sender. Most messages were
written by real Postfix instances laid out as organisations in network namespaces
(``make_realmta.py`` beside them); a few products that cannot run here (Exchange with Exchange
Online Protection, a webmail cluster, IronPort) are written by hand in their formats.

Everything below the entry hop is a claim, so forged Received lines there change nothing: each
real-MTA case has a ``forged`` copy whose client put such lines in its own headers, and every case
is also checked with forged lines inserted below its entry hop here (our servers' names, our
private addresses, another organisation's 10.x and 100.64.x).
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from headertrace import Organisation, Trace, trace

LAYOUTS = Path(__file__).parent / "fixtures" / "judge" / "layouts"
CASES: list[dict[str, Any]] = json.loads((LAYOUTS / "cases.json").read_text())


def _load(case: dict[str, Any]) -> Organisation:
    return Organisation.load(LAYOUTS / case["org"])


def _entry_by(t: Trace) -> str | None:
    assert t.verdict is not None
    if t.verdict.hop is None:
        return None
    return t.hops[t.verdict.hop].server.host


def _check(t: Trace, case: dict[str, Any]) -> None:
    v = t.verdict
    assert v is not None
    codes = sorted({f.code for f in t.findings})
    said = f"{v.kind} at {_entry_by(t)}: {v.summary} (findings {codes})"
    assert v.kind == case["kind"], said
    by = _entry_by(t)
    assert by is not None and by.lower() == case["by"].lower(), said
    for key, want in case["sender"].items():
        assert getattr(v.sender, key) == want, (key, v.sender, said)


def _variants() -> list[tuple[str, dict[str, Any], str]]:
    out = []
    for case in CASES:
        out.append((case["name"], case, case["message"]))
        if case["forged"]:
            out.append((case["name"] + "-forged", case, case["forged"]))
    return out


VARIANTS = _variants()


def _limited(case: dict[str, Any]) -> Any:
    """A forged copy that hits a documented known limit fails on purpose (strict xfail): the
    day the limit is lifted, the test says so."""
    reason = case.get("known_limit")
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, marks=marks, id=case["name"])


def _variant_params() -> list[Any]:
    out = []
    for name, case, path in VARIANTS:
        forged = name.endswith("-forged") and case.get("known_limit")
        marks = [pytest.mark.xfail(strict=True, reason=case["known_limit"])] if forged else []
        out.append(pytest.param(name, case, path, marks=marks, id=name))
    return out


def test_manifest_is_complete() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        for key in ("message", "org"):
            assert (LAYOUTS / case[key]).is_file(), case[key]
        if case["forged"]:
            assert (LAYOUTS / case["forged"]).is_file(), case["forged"]
        assert case["kind"] in (
            "open_relay",
            "authenticated_relay",
            "local_injection",
            "internal_origin",
            "inbound",
            "forged",
        )
    # every real-MTA layout directory is in the manifest
    dirs = {p.name for p in LAYOUTS.iterdir() if p.is_dir() and (p / "org.toml").exists()}
    assert dirs <= {c["message"].split("/")[0] for c in CASES}


@pytest.mark.parametrize(("name", "case", "path"), _variant_params())
def test_layout_verdict(name: str, case: dict[str, Any], path: str) -> None:
    _check(trace(LAYOUTS / path, org=_load(case)), case)


def _received_spans(lines: list[str]) -> list[tuple[int, int]]:
    """(first line, end) of each Received header in a header block, newest first."""
    spans = []
    for i, line in enumerate(lines):
        if line.lower().startswith("received:"):
            end = i + 1
            while end < len(lines) and lines[end][:1] in (" ", "\t"):
                end += 1
            spans.append((i, end))
    return spans


def _entry_span(lines: list[str], entry_by: str) -> tuple[int, int]:
    by = re.compile(rf"\bby\s+{re.escape(entry_by)}(?![\w.-])", re.IGNORECASE)
    found = [(a, b) for a, b in _received_spans(lines) if by.search(" ".join(lines[a:b]))]
    assert found, entry_by
    return found[-1]  # the entry is the oldest header that server wrote


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_a_header_names_the_entry_server(case: dict[str, Any]) -> None:
    """What inserting forged lines below the entry relies on: a header written by it."""
    text = (LAYOUTS / case["message"]).read_text().replace("\r\n", "\n")
    _entry_span(text.partition("\n\n")[0].split("\n"), case["by"])


def _private_address(org: Organisation) -> str:
    """An address inside our first non-global network (or 10.1.2.3 when we list none)."""
    for net in (*org.networks, *org.submission_networks):
        if net.version == 4 and not net.is_global and net.num_addresses > 8:
            return str(net.network_address + 7)
    return "10.1.2.3"


def _with_forged_below(raw: bytes, entry_by: str, org: Organisation) -> bytes:
    """Insert forged Received lines directly below the entry hop's Received header."""
    text = raw.decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    head, sep, body = text.partition(newline + newline)
    lines = head.split(newline)
    last, end = _entry_span(lines, entry_by)
    dated = re.search(r";\s*([^;]+)$", " ".join(lines[last:end]))
    assert dated is not None
    when = email.utils.parsedate_to_datetime(dated.group(1).strip())
    domain = org.domains[0]
    ours = _private_address(org)
    theirs = "10.99.3.4"
    cgnat = "100.64.9.9"
    assert not ipaddress.ip_address(theirs).is_global
    forged = [
        f"Received: from pc-42.{domain} (pc-42.{domain} [{ours}])",
        f"\tby {entry_by} (Postfix) with ESMTP id 4FORGED1",
        f"\tfor <x@victim.example>; {email.utils.format_datetime(when - timedelta(minutes=3))}",
        f"Received: from ws.corp.other.example ([{theirs}])",
        f"\tby pc-42.{domain} (Postfix) with ESMTP id 4FORGED2;",
        f"\t{email.utils.format_datetime(when - timedelta(minutes=9))}",
        f"Received: from [{cgnat}] (unknown [{cgnat}])",
        "\tby smtp.other-isp.example (Postfix) with ESMTPA id 4FORGED3;",
        f"\t{email.utils.format_datetime(when - timedelta(minutes=15))}",
    ]
    lines[end:end] = forged
    return (newline.join(lines) + sep + body).encode("utf-8")


@pytest.mark.parametrize("case", [_limited(c) for c in CASES])
def test_forged_lines_below_change_nothing(case: dict[str, Any]) -> None:
    org = _load(case)
    raw = (LAYOUTS / case["message"]).read_bytes()
    forged = trace(_with_forged_below(raw, case["by"], org), org=org)
    assert len(forged.hops) == len(trace(raw, org=org).hops) + 3
    _check(forged, case)


@pytest.mark.parametrize("case", [_limited(c) for c in CASES if c["forged"]])
def test_real_forged_copy_agrees_with_the_clean_one(case: dict[str, Any]) -> None:
    org = _load(case)
    clean = trace(LAYOUTS / case["message"], org=org)
    forged = trace(LAYOUTS / case["forged"], org=org)
    assert clean.verdict is not None and forged.verdict is not None
    assert (forged.verdict.kind, _entry_by(forged), forged.verdict.sender) == (
        clean.verdict.kind,
        _entry_by(clean),
        clean.verdict.sender,
    )
