"""``headertrace trace --online``: one enricher for the run, each trace attributed once."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from headertrace.cli import main
from headertrace.enrich.lookup import Enricher
from headertrace.enrich.offline import enrich_offline
from headertrace.models import Trace
from tests._localdns import LocalDNS
from tests._localhttp import LocalHTTP
from tests.test_enrich_online import ROUTES, SPAM, ZEN, ZONE

MESSAGE = (
    "Received: from mx1.example.org (mx1.example.org [10.0.0.25]) by imap.example.org\r\n"
    " with ESMTP id B; Tue, 1 Jun 2021 10:00:06 +0000\r\n"
    "Received: from localhost (host-185-129-62-62.dyn.example-hosting.dk [185.129.62.62])\r\n"
    " by mx1.example.org (Postfix) with ESMTP id A; Tue, 1 Jun 2021 10:00:05 +0000\r\n"
    "From: a@example.net\r\nTo: b@example.org\r\nSubject: hi\r\n\r\nbody\r\n"
)


@pytest.fixture(scope="module")
def servers() -> Iterator[list[str]]:
    with LocalDNS(ZONE) as dns, LocalHTTP(ROUTES) as http:
        yield [
            "--nameserver",
            f"127.0.0.1:{dns.port}",
            "--rdap-url",
            http.url,
            "--timeout",
            "0.3",
            "--no-cache",
        ]


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count enrichers built, traces enriched online and offline, and addresses looked up."""
    seen: Counter[str] = Counter()
    init, enrich_trace, ip_jobs = Enricher.__init__, Enricher.enrich_trace, Enricher._ip_jobs

    def counted_init(self: Enricher, *args: Any, **kwargs: Any) -> None:
        seen["enricher"] += 1
        init(self, *args, **kwargs)

    def counted_enrich_trace(self: Enricher, trace: Trace, *args: Any, **kwargs: Any) -> Trace:
        seen["enrich_trace"] += 1
        return enrich_trace(self, trace, *args, **kwargs)

    def counted_ip_jobs(self: Enricher, address: Any, deadline: Any) -> Any:
        seen[f"lookup {address}"] += 1
        return ip_jobs(self, address, deadline)

    def counted_offline(trace: Trace, **kwargs: Any) -> Trace:
        seen["enrich_offline"] += 1
        return enrich_offline(trace, **kwargs)

    monkeypatch.setattr(Enricher, "__init__", counted_init)
    monkeypatch.setattr(Enricher, "enrich_trace", counted_enrich_trace)
    monkeypatch.setattr(Enricher, "_ip_jobs", counted_ip_jobs)
    # Both the pipeline and the enricher call it, each through its own import.
    monkeypatch.setattr("headertrace.enrich.lookup.enrich_offline", counted_offline)
    monkeypatch.setattr("headertrace.tracing.enrich_offline", counted_offline)
    return seen


def test_each_trace_is_enriched_once_by_one_enricher(
    tmp_path: Path, servers: list[str], counts: Counter[str]
) -> None:
    files = []
    for name in ("a.eml", "b.eml", "c.eml"):
        path = tmp_path / name
        path.write_text(MESSAGE)
        files.append(str(path))
    result = CliRunner().invoke(main, ["trace", "--online", "--json", *files, *servers])
    assert result.exit_code == 0, result.output
    traces = json.loads(result.output)
    assert len(traces) == 3
    assert counts == Counter(
        {"enricher": 1, "enrich_trace": 3, "enrich_offline": 3, f"lookup {SPAM}": 3}
    )
    for data in traces:
        attribution = data["hops"][0]["attribution"]
        assert attribution["network"]["asn"] == 57043
        assert ZEN in [b["zone"] for b in attribution["blocklists"]]


def test_offline_trace_builds_no_enricher(tmp_path: Path, counts: Counter[str]) -> None:
    path = tmp_path / "a.eml"
    path.write_text(MESSAGE)
    result = CliRunner().invoke(main, ["trace", "--json", str(path), str(path)])
    assert result.exit_code == 0, result.output
    assert counts == Counter({"enrich_offline": 2})


def test_a_bad_lookup_option_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "a.eml"
    path.write_text(MESSAGE)
    result = CliRunner().invoke(
        main, ["trace", "--online", str(path), "--nameserver", "resolver.example"]
    )
    assert result.exit_code == 2
    assert "headertrace: --nameserver needs an IP address" in result.output
