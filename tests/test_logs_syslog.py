"""Time stamps of log lines, and lines no reader should raise on."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from headertrace.logs.reader import scan_file
from headertrace.logs.syslog import Clock, parse_syslog

UTC = timezone.utc


def test_rfc3164_year_is_the_one_nearest_the_hint() -> None:
    new_year = Clock(year_hint=datetime(2027, 1, 1, 0, 0, 10, tzinfo=UTC))
    sl = parse_syslog("Dec 31 23:59:59 mx postfix/smtpd[1]: X: client=a[192.0.2.1]", new_year)
    assert sl is not None and sl.time == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    sl = parse_syslog(
        "Jan  1 00:00:05 mx postfix/smtpd[1]: x",
        Clock(year_hint=datetime(2026, 12, 31, 23, 59, tzinfo=UTC)),
    )
    assert sl is not None and sl.time is not None and sl.time.year == 2027
    assert not sl.zone_given


def test_zone_less_times_take_the_clock_zone() -> None:
    plus2 = timezone(timedelta(hours=2))
    sl = parse_syslog(
        "Dec  3 17:19:03 mx postfix/qmgr[2]: Y: removed",
        Clock(datetime(2026, 12, 3, tzinfo=UTC), plus2),
    )
    assert sl is not None and sl.time == datetime(2026, 12, 3, 15, 19, 3, tzinfo=UTC)


def test_iso_and_rfc5424() -> None:
    c = Clock()
    for text in (
        "2026-12-03T15:19:03+0000 mx postfix/smtpd[7]: msg",
        "2026-12-03T15:19:03.123456+00:00 mx postfix/smtpd[7]: msg",
        "<22>1 2026-12-03T15:19:03Z mx postfix/smtpd 7 - - msg",
        '<22>1 2026-12-03T15:19:03Z mx postfix/smtpd 7 - [meta x="1"] msg',
    ):
        sl = parse_syslog(text, c)
        assert sl is not None, text
        assert (sl.host, sl.program, sl.pid, sl.message, sl.zone_given) == (
            "mx",
            "postfix/smtpd",
            "7",
            "msg",
            True,
        )
        assert sl.time is not None and sl.time.replace(microsecond=0) == datetime(
            2026, 12, 3, 15, 19, 3, tzinfo=UTC
        )


def test_not_syslog() -> None:
    for text in (
        "",
        "Foo 99 99:99:99 x",
        "2026-13-45T99:00:00 x y",
        "Dec",
        "<1>",
        "<22>1 2026-12-03T15:19:03Z",
    ):
        assert parse_syslog(text, Clock()) is None


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.binary(max_size=200) | st.text(max_size=200).map(str.encode), max_size=8),
    st.sampled_from(
        [
            b"",
            b"Dec  3 15:19:03 mx postfix/smtpd[1]: ",
            b"2026-12-03 15:19:03 ",
            b'{"MESSAGE": ',
            b"#Fields: date-time,message-id\n",
            b"<22>1 2026-12-03T15:19:03Z mx smtpd 1 - - ",
        ]
    ),
)
def test_hostile_lines_never_raise(
    tmp_path_factory: object, junk: list[bytes], head: bytes
) -> None:
    path = Path(tmp_path_factory.mktemp("h")) / "log"  # type: ignore[attr-defined]
    needle = b"4829120C3A1"
    path.write_bytes(b"\n".join(head + j + needle + j for j in junk) + b"\n" + head + needle)
    scan = scan_file(path, ["4829120C3A1"], Clock())
    assert scan.error is None
    assert len(scan.entries) + len(scan.unreadable) >= 1


def _ordered_log(path: Path, minutes: int, *, shuffle_first: bool = False) -> int:
    """A Postfix-like log, one message a second for ``minutes`` (several MiB); lines."""
    start = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    lines = []
    for n in range(minutes * 60):
        t = start + timedelta(seconds=n)
        stamp = t.strftime("%b %d %H:%M:%S")
        lines.append(
            f"{stamp} mx postfix/smtpd[1]: Q{n:010X}: client=h{n}.example[192.0.2.{n % 250}]"
            + " x" * 40
        )
    if shuffle_first:  # a block from late in the day first: the file is not in time order
        lines = lines[-6000:] + lines[:-6000]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return len(lines)


def test_reading_stops_past_the_window_in_an_ordered_file(tmp_path: Path) -> None:
    path = tmp_path / "mail.log"
    total = _ordered_log(path, 120)
    clock = Clock(year_hint=datetime(2026, 12, 3, tzinfo=UTC))
    stop = datetime(2026, 12, 3, 0, 10, tzinfo=UTC)
    scan = scan_file(path, ["Q0000000100"], clock, stop_after=stop)
    assert scan.read.stopped_early and scan.read.lines < total
    assert [e.line.line for e in scan.entries] == [257]
    whole = scan_file(path, ["Q0000000100"], clock)
    assert not whole.read.stopped_early and whole.read.lines == total


def test_an_unordered_file_is_read_to_the_end(tmp_path: Path) -> None:
    path = tmp_path / "mail.log"
    total = _ordered_log(path, 240, shuffle_first=True)
    clock = Clock(year_hint=datetime(2026, 12, 3, tzinfo=UTC))
    scan = scan_file(
        path, ["Q0000000100"], clock, stop_after=datetime(2026, 12, 3, 0, 10, tzinfo=UTC)
    )
    assert not scan.read.stopped_early and scan.read.lines == total
    assert len(scan.entries) == 1
