"""headertrace.scan, summarise and the scan command (#14): inputs, ranges, faults, outputs,
resume, Ctrl-C and the Dask integration."""

from __future__ import annotations

import bz2
import csv
import gzip
import json
import lzma
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import headertrace
from headertrace.cli import main
from headertrace.scan import COLUMN_NAMES, ScanResult, Summary, Tally, plan, scan, summarise
from headertrace.scan.rows import flat_row

ROOT = Path(__file__).resolve().parent.parent
ORG = headertrace.Organisation.from_options(domains=["example.com"], networks=["203.0.113.0/24"])


def message(k: int, *, account: str | None = None) -> bytes:
    """A message that entered our mail-out from a client of ours, or from outside."""
    if account:
        hop = (
            f"from pc{k % 7}.home.example.net (pc{k % 7}.home.example.net [81.2.69.{k % 200}])"
            f" by smtp.example.com (Postfix) with ESMTPSA id A{k};"
            f" Mon, 6 Oct 2025 10:{k % 60:02d}:00 +0000"
        )
        extra = f"\n\t(Authenticated sender: {account})"
    else:
        hop = (
            f"from mx{k}.outside.test (mx{k}.outside.test [93.184.216.{k % 250}]) by "
            f"mx.example.org (Postfix) with ESMTP id B{k}; Mon, 6 Oct 2025 11:00:00 +0000"
        )
        extra = ""
    return (
        f"Received: {hop}{extra}\n"
        f"Received: from smtp.example.com (smtp.example.com [203.0.113.5]) by mx.victim.test "
        f"(Postfix) with ESMTPS id C{k}; Mon, 6 Oct 2025 10:30:00 +0000\n"
        f"From: someone{k}@example.com\nTo: victim@victim.test\nSubject: message {k}\n"
        f"Message-ID: <m{k}@example.com>\nDate: Mon, 6 Oct 2025 10:00:00 +0000\n\nbody {k}\n"
        "From the body, a line that must be escaped\n"
    ).encode()


def mbox(messages: list[bytes]) -> bytes:
    out = []
    for m in messages:
        body = m.replace(b"\nFrom ", b"\n>From ")
        out.append(b"From sender@example.com Mon Oct  6 10:00:00 2025\n" + body + b"\n")
    return b"".join(out)


def by_place(results: list[ScanResult]) -> list[tuple[str, int | None, str | None, Any]]:
    return sorted(
        (
            r.input,
            r.offset,
            r.part,
            r.trace.verdict.kind if r.trace and r.trace.verdict else r.error,
        )
        for r in results
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "complaints").mkdir(parents=True)
    (root / "complaints" / "a.eml").write_bytes(message(1, account="bob@example.com"))
    (root / "complaints" / "b.eml").write_bytes(message(2))
    (root / "complaints" / "skip.txt").write_bytes(message(3))
    maildir = root / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "cur" / "1:2,S").write_bytes(message(4, account="eve@example.com"))
    (maildir / "tmp" / "arriving").write_bytes(message(5))
    (root / "trap.mbox").write_bytes(
        mbox([message(k, account="bob@example.com") for k in range(10, 40)])
    )
    return root


def test_directories_maildirs_and_mbox_give_results_with_their_places(tree: Path) -> None:
    results = list(scan([tree], ORG, jobs=1, glob="*.eml"))
    # --glob picks files in directories (trap.mbox and skip.txt are left out); the
    # messages of a Maildir are all read
    inputs = {r.input for r in results}
    assert str(tree / "complaints" / "a.eml") in inputs
    assert str(tree / "complaints" / "skip.txt") not in inputs
    assert str(tree / "Maildir" / "cur" / "1:2,S") in inputs
    assert not any("/Maildir/tmp/" in i for i in inputs)
    results = list(scan([tree], ORG, jobs=1))
    mbox_results = [r for r in results if r.input.endswith("trap.mbox")]
    assert len(mbox_results) == 30
    assert [r.index for r in sorted(mbox_results, key=lambda r: r.offset or 0)] == list(
        range(1, 31)
    )
    first = min(mbox_results, key=lambda r: r.offset or 0)
    assert first.offset == 0 and first.part == "mbox@0"
    assert first.trace is not None and first.trace.source.path == first.input
    assert first.trace.verdict is not None
    assert first.trace.verdict.kind == "authenticated_relay"
    assert first.trace.verdict.sender.account == "bob@example.com"
    assert all(r.ok for r in results)


def test_a_big_mbox_is_cut_into_ranges_that_give_the_same_messages(tree: Path) -> None:
    path = tree / "trap.mbox"
    units = list(plan([path], chunk_size=700))
    assert len(units) > 5 and all(u.kind == "mbox" for u in units)
    whole = list(scan([path], ORG, jobs=1))
    ranged = list(scan([path], ORG, jobs=2, chunk_size=700))
    key = [(r.offset, r.trace.to_dict() if r.trace else None) for r in whole]
    assert sorted(key, key=lambda x: x[0] or 0) == sorted(
        [(r.offset, r.trace.to_dict() if r.trace else None) for r in ranged],
        key=lambda x: x[0] or 0,
    )
    # only the first range knows the positions of its messages
    assert all(r.index is None for r in ranged if (r.offset or 0) >= 700)


@pytest.mark.parametrize(
    ("suffix", "opener"), [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)]
)
def test_compressed_mbox_files(tmp_path: Path, suffix: str, opener: Any) -> None:
    path = tmp_path / f"box.mbox{suffix}"
    path.write_bytes(opener(mbox([message(k) for k in range(5)])))
    results = list(scan([path], ORG, jobs=1))
    assert [r.index for r in results] == [1, 2, 3, 4, 5]
    assert all(r.ok and r.trace for r in results)
    single = tmp_path / f"one.eml{suffix}"
    single.write_bytes(opener(message(1)))
    (only,) = scan([single], ORG, jobs=1)
    assert only.ok and only.part is None


def test_faults_become_error_rows_and_the_scan_goes_on(tmp_path: Path) -> None:
    d = tmp_path / "faults"
    d.mkdir()
    (d / "empty.eml").write_bytes(b"")
    (d / "doc.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    (d / "a.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (d / "blob.bin").write_bytes(b"\x01\x02\x00\x03" * 1000)
    big = d / "big.eml"
    with big.open("wb") as handle:
        handle.write(message(1))
        handle.write(b"x" * 78 + b"\n")
        handle.truncate(50 << 20)
    (d / "loop").mkdir()
    os.symlink(d, d / "loop" / "back")  # a directory loop
    os.symlink(d / "self", d / "self")  # a symlink to itself
    (d / "broken.mbox").write_bytes(
        b"From a@b Mon Oct  6 10:00:00 2025\n"
        + message(1)
        + b"From no date here\n"  # no blank line and no date: no separator
        + message(2)
        + b"\nFrom x@y Mon Oct  6 10:00:00 2025\n\x00\x01\x02 binary garbage\n"
    )
    weird = os.fsencode(str(d)) + b"/caf\xe9.eml"
    with open(weird, "wb") as handle:
        handle.write(message(7, account="bob@example.com"))
    (d / "good.eml").write_bytes(message(8))
    os.mkfifo(d / "pipe.eml")
    results = list(scan([d], ORG, jobs=2))
    errors = {os.path.basename(r.input): r.error for r in results if r.error}
    assert errors["empty.eml"] == "empty file"
    assert errors["doc.pdf"] == "not mail: a PDF document"
    assert errors["a.zip"] == "not mail: a zip archive"
    assert errors["blob.bin"] == "not mail: binary data"
    assert errors["big.eml"].startswith("too big: 50.0 MB")
    assert errors["self"] == "cannot read: symlink loop"
    assert errors["back"].startswith("symlink loop")
    assert errors["broken.mbox"] == "not mail: binary data"
    assert errors["pipe.eml"] == "not a regular file"
    traced = {os.path.basename(r.input) for r in results if r.ok}
    assert {"good.eml", "broken.mbox", os.fsdecode(b"caf\xe9.eml")} <= traced
    (named,) = [r for r in results if r.input.endswith(os.fsdecode(b"caf\xe9.eml"))]
    assert os.fsencode(named.input) == weird
    assert json.loads(named.to_json())["scan"]["input"] == named.input  # lossless
    named.to_json().encode("utf-8")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_an_error_row(tmp_path: Path) -> None:
    path = tmp_path / "secret.eml"
    path.write_bytes(message(1))
    path.chmod(0)
    (row,) = scan([path], jobs=1)
    assert row.error == "cannot read: Permission denied"


def test_a_worker_that_dies_is_an_error_row_for_its_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (``headertrace.scan`` is also the function: import the module from the package)
    from headertrace.scan import pool

    for k in range(6):
        (tmp_path / f"m{k}.eml").write_bytes(message(k))
    real = pool.run_unit  # type: ignore[attr-defined]

    def dying(unit: Any, options: Any) -> Iterator[ScanResult]:
        if unit.path.endswith("m3.eml"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(unit, options)

    monkeypatch.setattr(pool, "run_unit", dying)  # workers are forked: they see it
    results = list(scan([tmp_path], jobs=2))
    assert len(results) == 6
    (dead,) = [r for r in results if r.error]
    assert dead.input.endswith("m3.eml")
    assert dead.error == "worker died (killed by SIGKILL) while reading this file"


def test_results_are_plain_picklable_data(tree: Path) -> None:
    import pickle

    for r in scan([tree], ORG, jobs=1):
        assert pickle.loads(pickle.dumps(r)) == r


def test_summary_counts_our_senders_and_round_trips(tree: Path) -> None:
    results = list(scan([tree], ORG, jobs=2))
    summary = headertrace.summarise(results)
    assert summary.read == len(results) == summary.traced
    assert summary.kinds["authenticated_relay"] == 32
    accounts = summary.senders["authenticated_relay"]["accounts"]
    assert (accounts[0].value, accounts[0].count) == ("bob@example.com", 31)
    assert (accounts[0].first_seen, accounts[0].last_seen) == (
        "2025-10-06T10:01:00Z",
        "2025-10-06T10:39:00Z",
    )
    assert accounts[0].example is not None
    assert summary.entry_servers[0].value == "smtp.example.com"
    addresses = summary.senders["authenticated_relay"]["addresses"]
    assert addresses[0].name and addresses[0].name.startswith("pc")
    origin = summary.origins[0]
    assert origin.network == "81.2.69.0/24" and origin.domain == "example.net"
    assert Summary.from_dict(json.loads(json.dumps(summary.to_dict()))) == summary
    # merged tallies give the same summary as one (what a cluster does)
    half = len(results) // 2
    a, b = Tally(), Tally()
    for r in results[:half]:
        a.add_result(r)
    for r in results[half:]:
        b.add_result(r)
    assert a.merge(b).summary() == summary
    # and so do the flat rows the JSONL lines give
    assert summarise(flat_row(json.loads(r.to_json())) for r in results) == summary


def test_scan_command_writes_jsonl_csv_parquet_and_the_summary(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = ["scan", str(tree), "--our-domain", "example.com", "--our-network", "203.0.113.0/24"]
    files = ["--jsonl", str(out / "t.jsonl"), "--csv", str(out / "t.csv")]
    files += ["--parquet", str(out / "t.parquet"), "--summary-json", str(out / "s.json")]
    result = CliRunner().invoke(main, [*args, *files, "--jobs", "2"])
    assert result.exit_code == 0, result.output
    lines = (out / "t.jsonl").read_text().splitlines()
    assert len(lines) == 34
    record = json.loads(lines[0])
    assert record["schema"] == headertrace.SCHEMA and "hops" in record
    assert set(record["scan"]) == {"input", "part", "offset", "index", "size", "error"}
    with (out / "t.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMN_NAMES and len(rows) == 34
    import pyarrow.parquet as pq

    table = pq.read_table(out / "t.parquet")
    assert tuple(table.column_names) == COLUMN_NAMES and table.num_rows == 34
    summary = json.loads((out / "s.json").read_text())
    assert summary["read"] == 34
    first = result.output.splitlines()
    assert first[0] == "34 messages read: 34 traced, 0 failed."
    assert first[1].startswith(
        "authenticated_relay (32 messages): reset the password of account bob@example.com: 31"
    )


def test_scan_reads_paths_from_stdin_and_resumes(tree: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "t.jsonl"
    a = tree / "complaints" / "a.eml"
    b = tree / "complaints" / "b.eml"
    runner = CliRunner()
    first = runner.invoke(main, ["scan", "-", "--jsonl", str(jsonl), "-q"], input=f"{a}\n")
    assert first.exit_code == 0, first.output
    with jsonl.open("a") as handle:
        handle.write('{"torn": ')  # a line an earlier run left half written
    again = runner.invoke(
        main, ["scan", "-", "--jsonl", str(jsonl), "--resume", "-q"], input=f"{a}\n{b}\n"
    )
    assert again.exit_code == 0, again.output
    inputs = [json.loads(line)["scan"]["input"] for line in jsonl.read_text().splitlines()]
    assert inputs == [str(a), str(b)]


def test_scan_exits_1_when_an_input_failed(tmp_path: Path) -> None:
    (tmp_path / "empty.eml").write_bytes(b"")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--jobs", "1"])
    assert result.exit_code == 1
    assert "1 messages read: 0 traced, 1 failed." in result.output
    assert "empty file" in result.output


def test_ctrl_c_stops_cleanly_with_whole_lines_and_exit_130(tmp_path: Path) -> None:
    box = tmp_path / "big.mbox"
    with box.open("wb") as handle:
        for k in range(0, 40_000, 200):
            handle.write(mbox([message(j, account="bob@example.com") for j in range(k, k + 200)]))
    out = tmp_path / "o"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "headertrace", "scan", str(box), "--our-domain", "example.com",
         "--jobs", "2", "--jsonl", str(out / "t.jsonl"), "--csv", str(out / "t.csv"),
         "--parquet", str(out / "t.parquet")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (out / "t.jsonl").exists() and (out / "t.jsonl").stat().st_size > 50_000:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert b"interrupted" in stderr
    text = (out / "t.jsonl").read_bytes()
    assert text.endswith(b"\n")
    lines = text.splitlines()
    assert 0 < len(lines) < 40_000
    for line in lines:
        json.loads(line)
    assert (out / "t.csv").read_bytes().endswith(b"\n")
    import pyarrow.parquet as pq

    assert pq.read_table(out / "t.parquet").num_rows > 0
    assert b"messages read" in stdout


def test_dask_bag_on_a_local_cluster(tree: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from headertrace.scan.dask import scan_bag, summarise_bag

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        bag = scan_bag([tree], ORG, chunk_size=2_000)
        assert bag.npartitions > 5  # one per file and per range of the mbox
        assert summarise_bag(bag) == summarise(scan([tree], ORG, jobs=1))
        jsonl = tmp_path / "d.jsonl"
        result = CliRunner().invoke(
            main,
            ["scan", str(tree), "--our-domain", "example.com", "--dask", cluster.scheduler_address,
             "--jsonl", str(jsonl), "-q"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert len(jsonl.read_text().splitlines()) == 34


def test_scan_usage_and_configuration_errors_exit_2(tmp_path: Path) -> None:
    bad_org = tmp_path / "org.toml"
    bad_org.write_text("domains = 3\n")
    runner = CliRunner()
    assert runner.invoke(main, ["scan", str(tmp_path), "--org", str(bad_org)]).exit_code == 2
    assert runner.invoke(main, ["scan", str(tmp_path), "--resume"]).exit_code == 2
    assert runner.invoke(main, ["scan", str(tmp_path), "--jobs", "0"]).exit_code == 2


@pytest.fixture(scope="module")
def lookup_servers() -> Iterator[list[str]]:
    """A DNS and an RDAP server on loopback, as the --online tests of trace use."""
    from tests._localdns import LocalDNS
    from tests._localhttp import LocalHTTP
    from tests.test_enrich_online import ROUTES, ZONE

    with LocalDNS(ZONE) as dns, LocalHTTP(ROUTES) as http:
        yield ["--nameserver", f"127.0.0.1:{dns.port}", "--rdap-url", http.url, "--no-cache"]


def test_online_attributes_in_this_process_with_one_enricher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lookup_servers: list[str]
) -> None:
    from collections import Counter

    from headertrace.enrich.lookup import Enricher
    from tests.test_trace_online_cli import MESSAGE

    seen: Counter[str] = Counter()
    init, enrich_trace = Enricher.__init__, Enricher.enrich_trace

    def counted_init(self: Enricher, *args: Any, **kwargs: Any) -> None:
        seen["enricher"] += 1
        init(self, *args, **kwargs)

    def counted_enrich_trace(self: Enricher, trace: Any, *args: Any, **kwargs: Any) -> Any:
        seen["enrich_trace"] += 1
        return enrich_trace(self, trace, *args, **kwargs)

    monkeypatch.setattr(Enricher, "__init__", counted_init)
    monkeypatch.setattr(Enricher, "enrich_trace", counted_enrich_trace)
    for name in ("a.eml", "b.eml", "c.eml"):
        (tmp_path / name).write_text(MESSAGE)
    out = tmp_path / "rows.csv"
    result = CliRunner().invoke(
        main, ["scan", str(tmp_path), "--online", "--jobs", "2", "--csv", str(out), *lookup_servers]
    )
    assert result.exit_code == 0, result.output
    assert seen == Counter({"enricher": 1, "enrich_trace": 3})
    with out.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["origin_asn"] for r in rows] == ["57043"] * 3
