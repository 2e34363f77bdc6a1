"""The files ``headertrace scan`` writes: JSONL, CSV and Parquet, a whole line at a time.

Every writer writes complete records only: a JSONL line or a CSV row is one ``write`` call,
and :meth:`Outputs.close` (also on Ctrl-C) flushes them and finishes the Parquet file's
footer. ``--resume`` reads what an earlier run wrote to the JSONL file (a torn last line
is cut off) and appends.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from typing import IO, Any

from headertrace.errors import ConfigurationError
from headertrace.scan.model import ScanResult
from headertrace.scan.rows import COLUMN_NAMES, COLUMNS, Row, flat_row
from headertrace.scan.summary import result_row

PARQUET_BATCH = 2_000


def read_done(path: str) -> Iterator[dict[str, Any]]:
    """The records of an earlier run's JSONL file; a torn last line is cut off the file."""
    if not os.path.exists(path):
        return
    good = 0
    with open(path, "rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
            except ValueError:
                break
            good += len(line)
            yield record
    if good != os.path.getsize(path):
        with open(path, "r+b") as handle:
            handle.truncate(good)


def _parquet_schema() -> Any:
    import pyarrow as pa  # noqa: PLC0415 - an optional extra

    types = {"str": pa.string(), "int": pa.int64()}
    return pa.schema([(name, types[kind]) for name, kind in COLUMNS])


class Outputs:
    """The output files of one scan."""

    def __init__(
        self,
        *,
        jsonl: str | None = None,
        csv_path: str | None = None,
        parquet: str | None = None,
        append: bool = False,
    ) -> None:
        self._jsonl: IO[str] | None = None
        self._csv: IO[str] | None = None
        self._csv_writer: Any = None
        self._parquet: Any = None
        self._parquet_path = parquet
        self._batch: list[Row] = []
        if parquet is not None:
            try:
                import pyarrow.parquet as pq  # noqa: PLC0415 - an optional extra
            except ImportError as exc:
                raise ConfigurationError(
                    "--parquet needs pyarrow: pip install 'headertrace[parquet]'"
                ) from exc
            self._parquet = pq.ParquetWriter(parquet, _parquet_schema())
        mode = "a" if append else "w"
        if jsonl is not None:
            self._jsonl = open(jsonl, mode, encoding="utf-8")  # noqa: SIM115 - closed in close()
        if csv_path is not None:
            fresh = not (append and os.path.exists(csv_path) and os.path.getsize(csv_path))
            self._csv = open(csv_path, mode, encoding="utf-8", newline="", errors="surrogateescape")  # noqa: SIM115
            self._csv_writer = csv.DictWriter(self._csv, fieldnames=COLUMN_NAMES)
            if fresh:
                self._csv_writer.writeheader()

    @property
    def wants_rows(self) -> bool:
        return self._csv is not None or self._parquet is not None

    def write(self, result: ScanResult) -> Row:
        """Write one result to every output; return its flat row."""
        if self._jsonl is not None:
            self._jsonl.write(result.to_json() + "\n")
        row = result_row(result)
        if self._csv_writer is not None:
            self._csv_writer.writerow(row)
        if self._parquet is not None:
            self._batch.append(row)
            if len(self._batch) >= PARQUET_BATCH:
                self._flush_parquet()
        return row

    def _flush_parquet(self) -> None:
        if not self._batch:
            return
        import pyarrow as pa  # noqa: PLC0415

        table = pa.Table.from_pylist(
            [{k: _safe(v) for k, v in row.items()} for row in self._batch],
            schema=_parquet_schema(),
        )
        self._parquet.write_table(table)
        self._batch = []

    def close(self) -> None:
        if self._parquet is not None:
            self._flush_parquet()
            self._parquet.close()
            self._parquet = None
        for handle in (self._jsonl, self._csv):
            if handle is not None:
                handle.close()
        self._jsonl = self._csv = None


def _safe(value: Any) -> Any:
    """A str that Arrow can store (lone surrogates of undecodable names escaped)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("ascii")
    return value


__all__ = ["Outputs", "flat_row", "read_done"]
