"""Log evidence from a real Postfix log (tests/fixtures/logs, written by make_logs.py).

The fixture's messages went through Postfix 3.7.11 with Cyrus SASL: ``sasl.eml`` logged in
as bob@example.com (the header says only ESMTPA), ``pickup.eml`` was submitted by www-data
(uid 33), ``inbound.eml`` came from another organisation's server. Each passed a content
filter, so each has two queue ids. The variations below are the same log, changed by code.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from headertrace import Organisation, trace
from headertrace.cli import main
from headertrace.logs import LogOptions, read_passwd, timeline
from headertrace.models import Trace

HERE = Path(__file__).parent / "fixtures" / "logs"
MAILLOG = HERE / "maillog"
ORG = Organisation.load(HERE / "org.toml")
PASSWD = LogOptions(passwd=read_passwd(HERE / "passwd"), passwd_source="passwd FILE")
LOG_TEXT = MAILLOG.read_text(encoding="utf-8")


def traced(name: str, *logs: Path, options: LogOptions | None = PASSWD) -> Trace:
    return trace(HERE / name, org=ORG, logs=list(logs or [MAILLOG]), log_options=options)


def codes(t: Trace) -> set[str]:
    return {f.code for f in t.findings}


def test_the_login_only_the_log_knows_fills_the_account() -> None:
    t = traced("sasl.eml")
    assert t.hops[0].auth.identity is None  # the header does not name it
    assert t.log is not None and t.log.match == "strong"
    assert t.log.account == "bob@example.com"
    assert t.log.auth_method == "PLAIN"
    assert t.log.client_ip == "203.0.113.7"
    assert t.log.queue_ids == ("D27C220CA02", "0C07E20CA43")
    assert t.verdict is not None
    assert t.verdict.kind == "authenticated_relay"
    assert t.verdict.sender.account == "bob@example.com"
    assert t.verdict.confidence == "high"
    assert "From the log" in t.verdict.summary and "bob@example.com" in t.verdict.summary
    assert any("sasl_username=bob@example.com" in e.text for e in t.verdict.evidence)
    assert [d.next_id for d in t.log.recipients] == ["0C07E20CA43", None]
    assert t.log.recipients[-1].status == "sent"
    assert all(line.file == str(MAILLOG) for line in t.log.lines)


def test_without_logs_nothing_changes() -> None:
    t = trace(HERE / "sasl.eml", org=ORG)
    assert t.log is None
    assert t.verdict is not None and t.verdict.sender.account is None


def test_the_pickup_uid_is_named_from_the_passwd_file_given() -> None:
    t = traced("pickup.eml")
    assert t.log is not None and t.log.match == "strong"
    assert t.log.uid == 33
    assert (t.log.user, t.log.user_source) == ("www-data", "passwd FILE")
    assert t.verdict is not None and t.verdict.kind == "local_injection"
    assert t.verdict.sender.account == "www-data"
    assert "uid 33" in t.verdict.summary and "passwd FILE" in t.verdict.summary


def test_an_unnamed_uid_stays_a_uid() -> None:
    t = traced("pickup.eml", options=LogOptions(passwd={}))
    assert t.log is not None and t.log.uid == 33 and t.log.user is None
    assert t.verdict is not None and t.verdict.sender.account == "uid 33"


def test_inbound_mail_agrees_and_names_no_account() -> None:
    t = traced("inbound.eml")
    assert t.log is not None and t.log.match == "strong"
    assert t.log.account is None and t.log.client_ip == "198.51.100.20"
    assert t.verdict is not None and t.verdict.sender.account is None
    assert "log-client-differs" not in codes(t)


@pytest.mark.parametrize(
    ("suffix", "opener"),
    [(".gz", gzip.open), (".bz2", bz2.open), (".xz", lzma.open)],
)
def test_compressed_logs_are_read_by_their_magic_bytes(
    tmp_path: Path, suffix: str, opener: object
) -> None:
    path = tmp_path / ("mail.log.1" + suffix[::-1])  # the name does not say what it is
    with opener(path, "wb") as f:  # type: ignore[operator]
        f.write(LOG_TEXT.encode())
    t = traced("sasl.eml", path)
    assert t.log is not None and t.log.account == "bob@example.com"
    assert [x.line for x in t.log.lines] == [x.line for x in traced("sasl.eml").log.lines]  # type: ignore[union-attr]


def _variant(tmp_path: Path, text: str, name: str = "mail.log") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_short_iso_and_rfc5424_time_stamps(tmp_path: Path) -> None:
    # journalctl -o short-iso writes 2026-12-03T15:19:03+0000;
    # rsyslog's RFC 5424 template "<22>1 TS HOST APP PID - - MSG"
    iso = "\n".join(
        "2026-12-03T" + line[7:15] + "+0000" + line[15:] for line in LOG_TEXT.splitlines()
    )
    t = traced("sasl.eml", _variant(tmp_path, iso))
    assert t.log is not None and t.log.account == "bob@example.com"
    assert "log-time-zone-assumed" not in codes(t)
    rfc5424 = []
    for line in LOG_TEXT.splitlines():
        host, tag, msg = line[16:].split(" ", 2)
        app, _, pid = tag.rstrip(":").rstrip("]").partition("[")
        rfc5424.append(f"<22>1 2026-12-03T{line[7:15]}.000000+00:00 {host} {app} {pid} - - {msg}")
    t = traced("sasl.eml", _variant(tmp_path, "\n".join(rfc5424), "5424.log"))
    assert t.log is not None and t.log.account == "bob@example.com" and t.log.match == "strong"


def test_journal_json(tmp_path: Path) -> None:
    rows = []
    for line in LOG_TEXT.splitlines():
        host, tag, msg = line[16:].split(" ", 2)
        app, _, pid = tag.rstrip(":").rstrip("]").partition("[")
        hh, mm, ss = (int(x) for x in line[7:15].split(":"))
        rows.append((hh, mm, ss, host, app, pid, msg))
    base = int(datetime(2026, 12, 3, tzinfo=timezone.utc).timestamp())
    out = [
        json.dumps(
            {
                "__REALTIME_TIMESTAMP": str((base + hh * 3600 + mm * 60 + ss) * 1_000_000),
                "_HOSTNAME": host,
                "SYSLOG_IDENTIFIER": app,
                "_PID": pid,
                "MESSAGE": msg,
            }
        )
        for hh, mm, ss, host, app, pid, msg in rows
    ]
    t = traced("sasl.eml", _variant(tmp_path, "\n".join(out)))
    assert t.log is not None and t.log.match == "strong" and t.log.account == "bob@example.com"
    assert t.log.files[0].format == "journal-json"


def test_a_reused_queue_id_outside_the_window_is_never_taken(tmp_path: Path) -> None:
    old = (
        "Dec 03 09:00:00 mx postfix/smtpd[1]: D27C220CA02: client=evil.example[192.0.2.99], "
        "sasl_method=PLAIN, sasl_username=mallory@example.com\n"
        "Dec 03 09:00:00 mx postfix/qmgr[2]: D27C220CA02: removed\n"
    )
    t = traced("sasl.eml", _variant(tmp_path, old + LOG_TEXT))
    assert t.log is not None and t.log.account == "bob@example.com"
    assert "log-id-rejected" in codes(t)
    only_old = traced("sasl.eml", _variant(tmp_path, old, "old.log"))
    assert only_old.log is not None and only_old.log.match == "none"
    assert only_old.verdict is not None and only_old.verdict.sender.account is None
    assert {"log-id-rejected", "log-ends-before-message"} <= codes(only_old)


def test_another_servers_log_is_not_taken(tmp_path: Path) -> None:
    other = LOG_TEXT.replace(" mx postfix", " mx2 postfix")
    t = traced("sasl.eml", _variant(tmp_path, other))
    assert t.log is not None and t.log.match == "none"
    assert t.verdict is not None and t.verdict.sender.account is None
    assert any("written by mx2" in f.message for f in t.findings)


def test_a_different_client_is_critical_and_the_account_not_used(tmp_path: Path) -> None:
    forged = LOG_TEXT.replace("laptop.example.net[203.0.113.7]", "bot.example[192.0.2.66]")
    t = traced("sasl.eml", _variant(tmp_path, forged))
    assert t.log is not None and t.log.match == "weak"
    assert t.log.account == "bob@example.com"  # shown,
    assert t.verdict is not None and t.verdict.sender.account is None  # but not used
    found = {f.code: f for f in t.findings}
    assert found["log-client-differs"].severity == "critical"
    assert "log-weak-match" in found


def test_a_different_message_id_makes_a_weak_match(tmp_path: Path) -> None:
    other = LOG_TEXT.replace("<logs-fixture-1@headertrace.test>", "<someone-else@example.com>")
    t = traced("sasl.eml", _variant(tmp_path, other))
    assert t.log is not None and t.log.match == "weak"
    assert "log-message-id-differs" in codes(t)
    assert t.verdict is not None and t.verdict.sender.account is None


def test_truncated_and_binary_lines_are_findings(tmp_path: Path) -> None:
    bad = (
        LOG_TEXT.replace(
            "Dec 03 15:19:03 mx postfix/cleanup[21819]: D27C220CA02: message-id=",
            "Dec 03 15:19:03 mx postfix/cleanup[21819]: D27C220CA02: message-id=\x00\x01\x02\n"
            "Dec 03 15:19:03 mx postfix/cleanup[21819]: D27C220CA02: message-id=",
        )
        + "Dec 03 15:19:0"
    )  # a log cut mid-line
    path = tmp_path / "bad.log"
    path.write_bytes(bad.encode() + b"\n\xff\xfe D27C220CA02 \x00")
    t = traced("sasl.eml", path)
    assert "log-unreadable-lines" in codes(t)
    assert t.log is not None and t.log.match == "weak"
    assert t.verdict is not None and t.verdict.sender.account is None


def test_not_found_says_what_was_read(tmp_path: Path) -> None:
    t = traced("sasl.eml", _variant(tmp_path, LOG_TEXT.replace("D27C220CA02", "ABCDEF12345")))
    f = next(f for f in t.findings if f.code == "log-queue-id-not-found" and f.hop == 0)
    assert "D27C220CA02" in f.message and "mail.log" in f.message and "lines" in f.message


def test_missing_and_garbage_files_never_raise(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gz"
    junk.write_bytes(b"\x1f\x8b\x08\x00garbage" * 10)
    t = traced("sasl.eml", tmp_path / "missing.log", junk)
    assert "log-file-unreadable" in codes(t)
    assert t.log is not None and t.log.match == "none"


def test_timeline_by_queue_id_and_message_id() -> None:
    by_id = timeline("0C07E20CA43", [MAILLOG])  # the filter's id leads back to the first
    by_mid = timeline("<logs-fixture-1@headertrace.test>", [MAILLOG])
    assert by_id.queue_ids == by_mid.queue_ids == ("D27C220CA02", "0C07E20CA43")
    steps = [e.event for e in by_id.events]
    assert steps[0] == "arrival" and steps.count("delivery") == 2 and steps[-1] == "removed"
    assert timeline("NOSUCHID", [MAILLOG]).events == ()


def test_cli_trace_with_log_and_log_command() -> None:
    runner = CliRunner()
    args = ["trace", str(HERE / "sasl.eml"), "--org", str(HERE / "org.toml"), "--log", str(MAILLOG)]
    r = runner.invoke(main, args)
    assert r.exit_code == 0, r.output
    assert "sasl_username=bob@example.com" in r.output and "Server log: strong match" in r.output
    r = runner.invoke(main, [*args, "--json"])
    assert json.loads(r.output)["log"]["account"] == "bob@example.com"
    pickup = ["trace", str(HERE / "pickup.eml"), "--org", str(HERE / "org.toml")]
    r = runner.invoke(
        main, [*pickup, "--log", str(MAILLOG), "--passwd", str(HERE / "passwd"), "--json"]
    )
    data = json.loads(r.output)
    assert data["log"]["user"] == "www-data" and data["verdict"]["sender"]["account"] == "www-data"
    r = runner.invoke(main, ["log", "EF05120CA13", "--log", str(MAILLOG)])
    assert r.exit_code == 0 and "uid 33" in r.output and "0D3D420CA53" in r.output
    r = runner.invoke(main, ["log", "EF05120CA13", "--log", str(MAILLOG), "--json"])
    data = json.loads(r.output)
    assert data["queue_ids"] == ["EF05120CA13", "0D3D420CA53"]
    assert data["events"][0]["line"]["line"] == 12
    r = runner.invoke(main, ["log", "NOSUCH", "--log", str(MAILLOG)])
    assert r.exit_code == 1 and "not found" in r.output


MAINLOG = HERE / "mainlog"


def test_real_exim_mainlog_names_the_login() -> None:
    """Exim 4.96 wrote ``A=plain:alice`` to its mainlog; the header says only esmtpa."""
    t = trace(HERE / "exim-sasl.eml", org=ORG, logs=[MAINLOG, MAILLOG])
    assert t.hops[0].auth.identity is None
    assert t.log is not None and t.log.match == "strong", t.findings
    assert (t.log.account, t.log.auth_method, t.log.software) == ("alice", "plain", "exim")
    assert t.log.message_id == "logs-fixture-4@headertrace.test"
    assert t.log.recipients[0].status == "delivered"
    assert t.verdict is not None and t.verdict.sender.account == "alice"
    assert t.verdict.confidence == "high"


def test_real_exim_inbound_has_no_login() -> None:
    t = trace(HERE / "exim-inbound.eml", org=ORG, logs=[MAINLOG])
    assert t.log is not None and t.log.match == "strong"
    assert t.log.account is None and t.log.client_ip == "198.51.100.20"
    assert t.verdict is not None and t.verdict.sender.account is None


SMTPD_LOG = HERE / "smtpd.log"


def test_real_opensmtpd_then_postfix() -> None:
    """OpenSMTPD 6.8 received it and relayed it to Postfix (which filtered it): three hops
    of ours, each found in its own server's log, joined in order."""
    t = trace(HERE / "opensmtpd-inbound.eml", org=ORG, logs=[SMTPD_LOG, MAILLOG])
    assert t.log is not None and t.log.match == "strong", t.findings
    assert t.log.hops == (0, 1, 2)
    assert t.log.software == "opensmtpd" and t.log.client_ip == "198.51.100.20"
    assert t.log.queue_ids == (t.hops[0].id, t.hops[1].id, t.hops[2].id)
    first = t.log.recipients[0]
    assert (first.status, first.next_id) == ("Ok", t.hops[1].id)
    assert t.log.envelope_from == "erin@other.example"
    tl = timeline(t.hops[0].id or "", [SMTPD_LOG])
    assert [e.event for e in tl.events][:2] == ["arrival", "queued"]


def test_cli_log_skew_and_zone(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["trace", str(HERE / "sasl.eml"), "--org", str(HERE / "org.toml"), "--json"]
    # the log read two hours off: outside a one-minute window, the id is rejected
    r = runner.invoke(
        main, [*base, "--log", str(MAILLOG), "--log-zone", "+0200", "--log-skew", "60"]
    )
    data = json.loads(r.output)
    assert data["log"]["match"] == "none"
    assert "log-id-rejected" in {f["code"] for f in data["findings"]}
    r = runner.invoke(main, [*base, "--log", str(MAILLOG), "--log-zone", "UTC"])
    assert json.loads(r.output)["log"]["match"] == "strong"
    r = runner.invoke(main, [*base, "--log", str(MAILLOG), "--log-zone", "nowhere"])
    assert r.exit_code == 2
    r = runner.invoke(
        main, ["log", "D27C220CA02", "--log", str(MAILLOG), "--log-zone", "+0100", "--json"]
    )
    assert json.loads(r.output)["events"][0]["time"].endswith("+01:00")


def test_a_queue_id_missing_but_the_message_id_present(tmp_path: Path) -> None:
    renamed = LOG_TEXT.replace("D27C220CA02", "ABCDEF12345")
    t = traced("sasl.eml", _variant(tmp_path, renamed))
    f = next(f for f in t.findings if f.code == "log-message-id-under-other-id")
    assert f.hop == 0 and "ABCDEF12345" in f.message
    assert t.verdict is not None and t.verdict.sender.account is None


def test_without_an_organisation_every_hop_with_an_id_is_looked_up() -> None:
    t = trace(HERE / "sasl.eml", logs=[MAILLOG])
    assert t.log is not None and t.log.match == "strong"
    assert t.log.hops == (0, 1) and t.log.account == "bob@example.com"


def test_journal_json_odd_records(tmp_path: Path) -> None:
    """Records without a usable time or message are skipped; a message journald wrote as a
    byte array (not UTF-8) holds no queue id as text, so the scan cannot see it (a known
    limit, docs/logs.md)."""
    line = next(x for x in LOG_TEXT.splitlines() if "sasl_username" in x)
    msg = line.split(": ", 1)[1]
    stamp = int(datetime(2026, 12, 3, 15, 33, 17, tzinfo=timezone.utc).timestamp()) * 1_000_000
    ident = {"_HOSTNAME": "mx", "SYSLOG_IDENTIFIER": "postfix/smtpd"}
    rows = [
        {"__REALTIME_TIMESTAMP": str(stamp), **ident, "MESSAGE": msg},
        {"__REALTIME_TIMESTAMP": str(stamp), "MESSAGE": list(msg.encode())},
        {"__REALTIME_TIMESTAMP": "not a number", "MESSAGE": ["x", None]},
        {"MESSAGE": 42},
    ]  # fmt: skip
    path = _variant(tmp_path, "\n".join(json.dumps(r) for r in rows) + "\n[1, 2]\n{\n")
    tl = timeline("D27C220CA02", [path])
    assert [e.event for e in tl.events] == ["arrival"]
    assert "login bob@example.com" in tl.events[0].text
