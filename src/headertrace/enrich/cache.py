"""A small SQLite cache of lookup answers, shared safely by threads and processes.

One table keyed by ``(kind, key)`` with a JSON value and an expiry time. The database runs in
WAL mode with a busy timeout; writes are single ``INSERT OR REPLACE`` statements, so
concurrent writers at worst overwrite each other with equally valid answers. Every call opens
its own short-lived connection, which keeps it safe across threads. A cache that cannot be
opened or written is silently bypassed: caching never makes a lookup fail.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (kind, key)
)
"""


class Cache:
    """Cached JSON answers with a time to live."""

    def __init__(self, path: Path, *, busy_timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.disabled = False
        self._ready = False

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            if not self._ready:
                self._set_up(conn)
            yield conn
        finally:
            conn.close()

    def _set_up(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL and create the table. Switching the journal mode takes an exclusive
        lock that SQLite does not wait for through the busy handler: when several processes
        or threads open a new cache at once, retry briefly instead of losing the write."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute(_SCHEMA)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
                continue
            self._ready = True
            return

    def _usable(self) -> bool:
        if self.disabled:
            return False
        if not self._ready:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                self.disabled = True
                return False
        return True

    def get(self, kind: str, key: str) -> Any | None:
        """The cached value, or ``None`` when absent, expired or unreadable."""
        if not self._usable():
            return None
        try:
            with self._connect() as conn:
                row = conn.execute(
                    "SELECT value, expires_at FROM answers WHERE kind = ? AND key = ?",
                    (kind, key),
                ).fetchone()
        except sqlite3.Error:
            return None
        if row is None or row[1] < time.time():
            return None
        try:
            return json.loads(row[0])
        except ValueError:
            return None

    def put(self, kind: str, key: str, value: Any, ttl: float) -> None:
        """Store a JSON-safe value for ``ttl`` seconds (errors are ignored)."""
        if ttl <= 0 or not self._usable():
            return
        try:
            text = json.dumps(value, separators=(",", ":"), sort_keys=True)
            with self._connect() as conn:
                conn.execute(
                    "INSERT OR REPLACE INTO answers (kind, key, value, expires_at) "
                    "VALUES (?, ?, ?, ?)",
                    (kind, key, text, time.time() + ttl),
                )
        except (sqlite3.Error, TypeError, ValueError):
            return

    def purge(self) -> int:
        """Delete expired answers; returns how many."""
        if not self._usable():
            return 0
        try:
            with self._connect() as conn:
                cur = conn.execute("DELETE FROM answers WHERE expires_at < ?", (time.time(),))
                return cur.rowcount
        except sqlite3.Error:
            return 0
