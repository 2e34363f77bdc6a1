"""crosscheck: what an ARF report claims against the trace of its original."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from headertrace.judge.crosscheck import crosscheck
from headertrace.models import Client, Hop, Source, Wrapper

ARRIVAL = datetime(2021, 6, 1, 10, 0, 3, tzinfo=timezone.utc)


def arf_source(**fields: str) -> Source:
    wrapper = Wrapper(kind="arf", fields=dict(fields))
    return Source(kind="arf", part="3", wrappers=(Wrapper(kind="forward"), wrapper))


def hops(*ips: str | None, newest: datetime = ARRIVAL) -> list[Hop]:
    out = []
    for position, ip in enumerate(ips):
        moment = newest - timedelta(seconds=len(ips) - 1 - position)
        out.append(Hop(raw=f"from x [{ip}]", client=Client(ip=ip), timestamp=moment))
    return out


def codes(source: Source, trace: list[Hop]) -> list[str]:
    return [f.code for f in crosscheck(source, trace)]


def test_agreement_is_info() -> None:
    source = arf_source(
        **{"Source-IP": "192.0.2.77", "Arrival-Date": "Tue, 1 Jun 2021 10:00:03 +0000"}
    )
    found = crosscheck(source, hops("192.0.2.77", "198.51.100.25"))
    assert [f.code for f in found] == ["report-source-ip-match", "report-arrival-date-match"]
    assert all(f.severity == "info" for f in found)
    assert found[0].hop == 0
    assert found[1].hop == 1


def test_source_ip_not_in_any_hop() -> None:
    found = crosscheck(
        arf_source(**{"Source-IP": "203.0.113.9"}), hops("192.0.2.77", "198.51.100.25")
    )
    (mismatch,) = found
    assert mismatch.code == "report-source-ip-mismatch"
    assert mismatch.severity == "warning"
    assert "192.0.2.77" in mismatch.evidence[-1].text


def test_ip_forms_are_normalised() -> None:
    assert codes(arf_source(**{"Source-IP": "[IPv6:2001:db8::1]"}), hops("2001:DB8:0::1")) == [
        "report-source-ip-match"
    ]
    assert codes(arf_source(**{"Source-IP": "::ffff:192.0.2.77"}), hops("192.0.2.77")) == [
        "report-source-ip-match"
    ]


def test_arrival_date_far_from_the_newest_hop() -> None:
    source = arf_source(**{"Arrival-Date": "Thu, 3 Jun 2021 10:00:00 +0000"})
    (found,) = crosscheck(source, hops("192.0.2.77"))
    assert found.code == "report-arrival-date-mismatch"
    assert found.severity == "warning"


def test_received_date_is_read_when_arrival_date_is_absent() -> None:
    source = arf_source(**{"Received-Date": "Tue, 1 Jun 2021 06:00:00 -0400 (EDT)"})
    assert codes(source, hops("192.0.2.77")) == ["report-arrival-date-match"]


def test_naive_timestamps_are_utc() -> None:
    trace = [Hop(raw="x", client=Client(ip="192.0.2.1"), timestamp=datetime(2021, 6, 1, 10, 0))]
    source = arf_source(**{"Arrival-Date": "Tue, 1 Jun 2021 10:00:00 +0000"})
    assert codes(source, trace) == ["report-arrival-date-match"]


def test_nothing_to_compare() -> None:
    assert crosscheck(Source(kind="attachment"), hops("192.0.2.77")) == []
    assert crosscheck(arf_source(**{"Feedback-Type": "abuse"}), hops("192.0.2.77")) == []
    assert codes(arf_source(**{"Source-IP": "192.0.2.77"}), hops(None)) == [
        "report-source-ip-unchecked"
    ]
    assert codes(arf_source(**{"Source-IP": "not an ip"}), hops("192.0.2.77")) == [
        "report-source-ip-invalid"
    ]
    assert codes(arf_source(**{"Arrival-Date": "yesterday"}), hops("192.0.2.77")) == [
        "report-arrival-date-invalid"
    ]
    no_time = [Hop(raw="x", client=Client(ip="192.0.2.77"))]
    assert (
        crosscheck(arf_source(**{"Arrival-Date": "Tue, 1 Jun 2021 10:00:00 +0000"}), no_time) == []
    )
