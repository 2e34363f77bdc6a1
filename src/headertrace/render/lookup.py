"""Attribution results as text: ``headertrace lookup`` (an address's or a host's owner) and
``headertrace blocklist`` (one address's results, our standing, the watch loop's changes).

``--json`` prints the records' ``to_dict()`` instead; nothing here looks anything up.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headertrace.addresses import classify_ip, ip_note, parse_ip
from headertrace.enrich.delisting import delisting_for
from headertrace.enrich.records import BlocklistResult, HostInfo, IpInfo
from headertrace.enrich.standing import Change, Standing


def print_lookup(result: IpInfo | HostInfo, console: Console) -> None:
    """``lookup``: the owner of an address, or of each address of a host name."""
    if isinstance(result, IpInfo):
        note = ip_note(result.ip)
        _print_rows(console, f"{result.ip}" + (f" - {note}" if note else ""), _ip_rows(result))
        return
    rows = [("registered domain", result.registered_domain or "-")]
    rows.append(("addresses", ", ".join(result.addresses) or "none"))
    rows.extend(("failed", f"{i.step}: {i.status} {i.detail}".strip()) for i in result.errors)
    _print_rows(console, result.name, rows)
    for info in result.ips:
        _print_rows(console, info.ip, _ip_rows(info))


def print_blocklist(address: str, results: list[BlocklistResult], console: Console) -> None:
    """``blocklist ADDRESS``: one row per zone, with the reason and where to ask for removal."""
    rows = [(r.zone, _result_text(r)) for r in results]
    cls = classify_ip(address)
    _print_rows(console, f"{parse_ip(address)} ({cls})", rows)


def _ip_rows(info: IpInfo) -> list[tuple[str, str]]:
    rows = [("address", f"{info.ip} ({info.ip_class})")]
    if info.asn is not None:
        rows.append(("AS", f"AS{info.asn} {info.as_name or ''}".strip()))
    for label, value in (
        ("prefix", info.prefix),
        ("country", info.country),
        ("registry", info.registry),
        ("network", info.network_name),
        ("range", info.network_range),
        ("registrant", info.registrant),
    ):
        if value:
            rows.append((label, str(value)))
    if info.abuse_emails:
        rows.append(("abuse e-mail", ", ".join(info.abuse_emails)))
    if info.abuse_phones:
        rows.append(("abuse phone", ", ".join(info.abuse_phones)))
    if info.abuse_source:
        rows.append(("abuse source", info.abuse_source))
    if info.ptr:
        rows.append(("reverse DNS", ", ".join(info.ptr)))
    if info.fcrdns is not None or info.ptr:
        word = {True: "confirmed", False: "not confirmed", None: "undetermined"}[info.fcrdns]
        rows.append(("FCrDNS", word))
    for issue in info.errors:
        rows.append(("failed", f"{issue.step}: {issue.status} {issue.detail}".strip()))
    return rows


def _print_rows(console: Console, title: str, rows: list[tuple[str, str]]) -> None:
    table = Table(title=title, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(escape(label), escape(value))
    console.print(table)


_NOT_IN_TABLE = "this zone is not in headertrace's table of delisting pages"


def _result_text(r: BlocklistResult, *, removal: bool = True) -> str:
    text = r.status.replace("_", " ")
    if r.codes:
        text += f" {', '.join(r.codes)}"
    if r.meanings and r.status == "listed":
        text += f" ({'; '.join(r.meanings)})"
    if r.txt:
        text += f" - {' '.join(r.txt)}"
    if r.detail:
        text += f" [{r.detail}]"
    if removal and r.status == "listed":
        row = delisting_for(r.zone)
        text += (
            f"; removal: {row.page_for(r.ip)} ({row.how})" if row else f"; removal: {_NOT_IN_TABLE}"
        )
    return text


def print_standing(standing: Standing, title: str, console: Console) -> None:
    """``blocklist`` for our addresses: the listings first (why, where to ask for removal,
    why the address is ours), then every address's results and what was not checked."""
    summary = standing.summary()
    listings = standing.listings
    if listings:
        console.print(
            f"[bold red]LISTED[/]: {summary['listed_addresses']} of {summary['addresses']} "
            f"addresses of {escape(title)}, {summary['listings']} listing(s)",
        )
        for own, r in listings:
            console.print(f"  [bold]{escape(r.ip)}[/] on [bold]{escape(r.zone)}[/]")
            console.print(f"    why: {escape('; '.join(r.meanings) or ', '.join(r.codes))}")
            if r.txt:
                console.print(f"    reason given: {escape(' '.join(r.txt))}")
            row = delisting_for(r.zone)
            if row:
                console.print(f"    removal: {escape(row.page_for(r.ip))}")
                console.print(f"      {escape(row.how)}")
            else:
                console.print(f"    removal: {_NOT_IN_TABLE}")
            console.print(f"    ours because: {escape('; '.join(own.address.sources))}")
    else:
        console.print(
            f"[bold green]not listed[/]: none of {summary['addresses']} addresses of "
            f"{escape(title)} is listed on the zones that answered"
        )
    if summary["failed_checks"]:
        console.print(f"{summary['failed_checks']} of {summary['checks']} checks gave no answer")
    for own in standing.addresses:
        rows = [("ours because", "; ".join(own.address.sources))]
        rows.extend((r.zone, _result_text(r, removal=False)) for r in own.results)
        _print_rows(console, f"{own.address.ip} ({classify_ip(own.address.ip)})", rows)
    if standing.notes:
        _print_rows(console, "not checked", [(n.subject, n.reason) for n in standing.notes])


def change_line(change: Change) -> str:
    """One line of ``blocklist --watch``: a listing or a delisting, with the time."""
    r = change.result
    when = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    if change.kind == "delisted":
        return f"{when} delisted {r.ip} from {r.zone}"
    return f"{when} listed {r.ip} on {r.zone}: {_result_text(r)}"
