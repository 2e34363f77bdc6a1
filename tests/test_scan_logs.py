"""``scan --log``: each worker joins its traces to our mail logs a batch at a time, and the
result is what ``trace --log`` gives for each message alone (the real Postfix, Exim and
OpenSMTPD logs of tests/fixtures/logs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from headertrace import Organisation, trace
from headertrace.cli import main
from headertrace.logs import LogOptions, attach_all, read_passwd
from headertrace.scan import scan

LOGS = Path(__file__).parent / "fixtures" / "logs"
FILES = [LOGS / "maillog", LOGS / "mainlog", LOGS / "smtpd.log"]
ORG = Organisation.load(LOGS / "org.toml")
OPTIONS = LogOptions(passwd=read_passwd(LOGS / "passwd"), passwd_source=f"passwd {LOGS / 'passwd'}")
MESSAGES = sorted(LOGS.glob("*.eml"))


def alone(path: Path) -> dict[str, object]:
    return trace(path, org=ORG, logs=FILES, log_options=OPTIONS).to_dict()


def test_one_read_for_many_traces_gives_what_each_gives_alone() -> None:
    traces = [trace(p, org=ORG) for p in MESSAGES]
    joined = attach_all(traces, ORG, FILES, OPTIONS)
    assert [t.to_dict() for t in joined] == [alone(p) for p in MESSAGES]
    accounts = {t.verdict.sender.account for t in joined if t.verdict is not None}
    assert {"bob@example.com", "alice", "www-data"} <= accounts


@pytest.mark.parametrize("jobs", [1, 2])
def test_scan_joins_each_message_to_the_logs(jobs: int) -> None:
    results = list(scan(MESSAGES, ORG, jobs=jobs, logs=FILES, log_options=OPTIONS))
    assert len(results) == len(MESSAGES)
    for result in results:
        assert result.trace is not None, result.error
        assert result.trace.log is not None and result.trace.log.match == "strong"
        got = result.trace.to_dict()
        want = alone(Path(result.input))
        got["source"]["path"] = want["source"]["path"]  # type: ignore[index]
        assert got == want


def test_scan_command_takes_the_log_options(tmp_path: Path) -> None:
    out = tmp_path / "scan.jsonl"
    args = ["scan", *map(str, MESSAGES), "--org", str(LOGS / "org.toml"), "--quiet"]
    args += [a for f in FILES for a in ("--log", str(f))]
    args += ["--passwd", str(LOGS / "passwd"), "--jsonl", str(out), "--jobs", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    accounts = {r["verdict"]["sender"]["account"] for r in records}
    assert {"bob@example.com", "alice", "www-data"} <= accounts
    assert all(r["log"]["match"] == "strong" for r in records)
