"""The summary of a scan on a terminal: the answer first, then the tables behind it."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from headertrace.scan.summary import CATEGORIES, Count, Summary

ACTION = {
    "authenticated_relay": "reset the password of",
    "local_injection": "find and stop",
    "internal_origin": "clean up",
    "open_relay": "close relaying on the entry server for",
    "forged": "nothing of ours sent these; the forged hops name",
    "undetermined": "read the traces of",
}
"""What a postmaster does about the top sender of each kind (docs/verdicts.md)."""

_SINGULAR = {"accounts": "account", "addresses": "address", "scripts": "script", "hosts": "host"}


def _messages(n: int) -> str:
    return f"{n:,} message" if n == 1 else f"{n:,} messages"


def _day(when: str | None) -> str:
    return when[:10] if when else "?"


def _span(c: Count) -> str:
    if c.first_seen is None:
        return "no dates"
    if _day(c.first_seen) == _day(c.last_seen):
        return _day(c.first_seen)
    return f"{_day(c.first_seen)} to {_day(c.last_seen)}"


def _value(c: Count) -> str:
    return f"{c.value} ({c.name})" if c.name and c.name != c.value else c.value


def headline(summary: Summary) -> list[str]:
    """The lines a postmaster acts on, most messages first."""
    lines = [
        f"{summary.read:,} messages read: {summary.traced:,} traced, {summary.failed:,} failed."
    ]
    for kind, categories in summary.senders.items():
        n = summary.kinds.get(kind, 0)
        for category in CATEGORIES:
            top = categories.get(category)
            if top:
                c = top[0]
                what = _SINGULAR[category]
                if kind == "local_injection" and category == "accounts":
                    what = "local user"
                lines.append(
                    f"{kind} ({_messages(n)}): {ACTION.get(kind, 'look at')} "
                    f"{what} {_value(c)}: {_messages(c.count)}, {_span(c)}"
                    + (f", e.g. {c.example}" if c.example else "")
                )
                break
    if not summary.senders and summary.kinds:
        kinds = ", ".join(f"{k} {n:,}" for k, n in summary.kinds.items())
        lines.append(f"Verdicts: {kinds}.")
    return lines


def _table(title: str, counts: tuple[Count, ...], *, origins: bool = False) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("value", overflow="fold")
    if origins:
        table.add_column("network")
        table.add_column("domain")
        table.add_column("AS", justify="right")
    table.add_column("count", justify="right")
    table.add_column("first seen")
    table.add_column("last seen")
    table.add_column("example", overflow="fold")
    for c in counts:
        cells = [_value(c)]
        if origins:
            cells += [c.network or "", c.domain or "", str(c.asn) if c.asn else ""]
        cells += [f"{c.count:,}", _day(c.first_seen), _day(c.last_seen), c.example or ""]
        table.add_row(*cells)
    return table


def print_summary(summary: Summary, console: Console) -> None:
    """The answer first (headline), then verdict kinds, top senders per kind, our entry
    servers, the top origins outside and the errors."""
    for k, line in enumerate(headline(summary)):
        console.print(line, style="bold" if k else None, markup=False)
    if summary.kinds:
        console.print()
        kinds = Table(title="verdicts", title_justify="left", show_edge=False, pad_edge=False)
        kinds.add_column("kind")
        kinds.add_column("messages", justify="right")
        for kind, n in summary.kinds.items():
            kinds.add_row(kind, f"{n:,}")
        console.print(kinds)
    for kind, categories in summary.senders.items():
        for category, counts in categories.items():
            console.print()
            console.print(_table(f"{kind}: {category}", counts))
    if summary.entry_servers:
        console.print()
        console.print(_table("our entry servers", summary.entry_servers))
    if summary.origins:
        console.print()
        console.print(_table("top origins outside", summary.origins, origins=True))
    if summary.errors:
        console.print()
        console.print(_table("errors", summary.errors))
