"""The SQLite lookup cache: TTL, bypass, sharing between threads and processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from headertrace.enrich import Enricher, LookupConfig, default_cache_path
from headertrace.enrich.cache import Cache
from tests._localdns import LocalDNS, Zone, dead_tcp_port
from tests._localhttp import Canned, LocalHTTP
from tests.test_enrich_online import ARIN_GOOGLE, GOOD, RECORDS, SPAM, ZEN, rev


@pytest.fixture
def servers() -> Iterator[tuple[LocalDNS, LocalHTTP]]:
    with (
        LocalDNS(Zone(records=RECORDS)) as dns,
        LocalHTTP({f"/ip/{GOOD}": Canned(200, ARIN_GOOGLE)}) as http,
    ):
        yield dns, http


def test_put_get_and_expiry(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    cache.put("kind", "key", {"a": [1, 2]}, ttl=60)
    assert cache.get("kind", "key") == {"a": [1, 2]}
    assert cache.get("kind", "other") is None
    cache.put("kind", "short", "x", ttl=0.05)
    time.sleep(0.1)
    assert cache.get("kind", "short") is None
    assert cache.purge() == 1


def test_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    Cache(path).put("k", "v", 1, ttl=60)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_unusable_cache_is_bypassed(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = Cache(blocker / "sub" / "c.sqlite3")
    cache.put("k", "v", 1, ttl=60)
    assert cache.get("k", "v") is None
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"this is not a database" * 100)
    bad = Cache(corrupt)
    bad.put("k", "v", 1, ttl=60)
    assert bad.get("k", "v") is None


def test_default_cache_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / "headertrace" / "cache.sqlite3"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert default_cache_path() == Path.home() / ".cache" / "headertrace" / "cache.sqlite3"


def test_second_lookup_is_served_from_the_cache(
    tmp_path: Path, servers: tuple[LocalDNS, LocalHTTP]
) -> None:
    dns, http = servers
    cfg = LookupConfig(
        nameservers=(dns.address,),
        rdap_url=http.url,
        timeout=0.3,
        cache_path=tmp_path / "cache.sqlite3",
        zones=(ZEN,),
    )
    first = Enricher(cfg).lookup_ip(GOOD)
    listed_first = Enricher(cfg).blocklists(SPAM)
    queries, requests = len(dns.queries), len(http.requests)
    second = Enricher(cfg).lookup_ip(GOOD)
    listed_second = Enricher(cfg).blocklists(SPAM)
    assert second == first
    assert listed_second == listed_first
    assert listed_second[0].status == "listed"
    assert (len(dns.queries), len(http.requests)) == (queries, requests)


def test_no_cache_asks_every_time(tmp_path: Path, servers: tuple[LocalDNS, LocalHTTP]) -> None:
    dns, http = servers
    cfg = LookupConfig(
        nameservers=(dns.address,),
        rdap_url=http.url,
        timeout=0.3,
        cache_path=tmp_path / "cache.sqlite3",
        use_cache=False,
    )
    Enricher(cfg).lookup_ip(GOOD)
    requests = len(http.requests)
    Enricher(cfg).lookup_ip(GOOD)
    assert len(http.requests) == requests + 1
    assert not (tmp_path / "cache.sqlite3").exists()


def test_failures_are_not_cached(tmp_path: Path, servers: tuple[LocalDNS, LocalHTTP]) -> None:
    dns, _http = servers
    dead = f"http://127.0.0.1:{dead_tcp_port()}"
    cfg = LookupConfig(
        nameservers=(dns.address,),
        rdap_url=dead,
        timeout=0.3,
        cache_path=tmp_path / "cache.sqlite3",
        zones=(ZEN,),
    )
    info = Enricher(cfg).lookup_ip(GOOD)
    # with RDAP dead, ARIN's whois is the second step; the local DNS server does not know
    # whois.arin.net, so that fails too
    assert {e.step: e.status for e in info.errors} == {
        "rdap": "unreachable",
        "whois:arin": "nxdomain",
    }
    cache = Cache(tmp_path / "cache.sqlite3")
    assert cache.get("rdap", f"{dead}|{GOOD}") is None
    assert cache.get("second-step", f"whois:arin|{{}}|None|{GOOD}") is None
    assert cache.get("cymru-origin", GOOD) is not None
    assert rev(GOOD) == "41.220.85.209"


def test_threads_share_one_cache(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            cache = Cache(path)
            for i in range(40):
                cache.put("t", f"{n}-{i}", {"n": n, "i": i}, ttl=60)
                assert cache.get("t", f"{n}-{i}") == {"n": n, "i": i}
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert Cache(path).get("t", "5-39") == {"n": 5, "i": 39}


def _process_worker(path: str, n: int) -> None:
    cache = Cache(Path(path))
    for i in range(50):
        cache.put("p", f"{n}-{i}", [n, i], ttl=60)
        cache.put("p", "contended", [n, i], ttl=60)
        value = cache.get("p", f"{n}-{i}")
        if value != [n, i]:
            raise SystemExit(3)


def test_processes_share_one_cache(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_worker, args=(str(path), n)) for n in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    cache = Cache(path)
    assert cache.get("p", "2-49") == [2, 49]
    assert cache.get("p", "contended") in [[n, 49] for n in range(3)]
