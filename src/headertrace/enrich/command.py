"""``headertrace lookup`` and ``headertrace blocklist``, and the shared lookup options.

The lead wires these into the main group (``main.add_command(lookup_command)``) and puts
:func:`lookup_options` (plus :func:`online_option`) on ``headertrace trace``; the decorated
command receives ``nameservers``, ``rdap_url``, ``timeout``, ``budget``, ``cache_path`` and
``no_cache`` and builds its configuration with :func:`config_from_options`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from headertrace.enrich.classify import classify_ip, ip_note, parse_ip
from headertrace.enrich.config import (
    DEFAULT_BUDGET,
    DEFAULT_RDAP_URL,
    DEFAULT_TIMEOUT,
    LookupConfig,
    parse_nameserver,
)
from headertrace.enrich.lookup import Enricher
from headertrace.enrich.records import BlocklistResult, HostInfo, IpInfo
from headertrace.errors import ConfigurationError, LookupFailed

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CLEAN = 0
EXIT_LISTED = 1
EXIT_FAILED = 2


def config_from_options(
    *,
    nameservers: Sequence[str] = (),
    rdap_url: str | None = None,
    timeout: float | None = None,
    budget: float | None = None,
    cache_path: Path | str | None = None,
    no_cache: bool = False,
    zones: Sequence[str] = (),
    **_ignored: Any,
) -> LookupConfig:
    """A :class:`LookupConfig` from the values of :func:`lookup_options` (extra keyword
    arguments of the command are ignored, so ``config_from_options(**kwargs)`` works).
    Raises :class:`ConfigurationError` for a bad nameserver or URL."""
    servers = []
    for text in nameservers:
        host, port = parse_nameserver(text)
        if host.lower() == "localhost":
            host = "127.0.0.1"
        if parse_ip(host) is None:
            raise ConfigurationError(
                f"--nameserver needs an IP address, not {host!r}", key="nameserver", value=text
            )
        servers.append((str(parse_ip(host)), port))
    kwargs: dict[str, Any] = {
        "nameservers": tuple(servers),
        "use_cache": not no_cache,
    }
    if rdap_url:
        kwargs["rdap_url"] = rdap_url
    if timeout is not None:
        kwargs["timeout"] = timeout
    if budget is not None:
        kwargs["budget"] = budget
    if cache_path is not None:
        kwargs["cache_path"] = Path(cache_path)
    if zones:
        kwargs["zones"] = tuple(z.strip().rstrip(".").lower() for z in zones if z.strip())
    return LookupConfig(**kwargs)


def lookup_options(func: F) -> F:
    """Add ``--nameserver``, ``--rdap-url``, ``--timeout``, ``--budget``, ``--cache`` and
    ``--no-cache`` to a click command."""
    options = [
        click.option(
            "--nameserver",
            "nameservers",
            multiple=True,
            metavar="HOST[:PORT]",
            help="Resolver to ask (repeatable; default: the system's). Blocklists such as "
            "Spamhaus refuse public resolvers: use your own.",
        ),
        click.option(
            "--rdap-url",
            "rdap_url",
            metavar="URL",
            default=None,
            help=f"RDAP base URL (GET URL/ip/ADDRESS). Default: {DEFAULT_RDAP_URL}",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.05),
            default=DEFAULT_TIMEOUT,
            show_default=True,
            help="Seconds for each query.",
        ),
        click.option(
            "--budget",
            type=click.FloatRange(min=0.1),
            default=DEFAULT_BUDGET,
            show_default=True,
            help="Seconds for the whole lookup.",
        ),
        click.option(
            "--cache",
            "cache_path",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="SQLite cache file (default: $XDG_CACHE_HOME/headertrace/cache.sqlite3).",
        ),
        click.option(
            "--no-cache", is_flag=True, default=False, help="Neither read nor write the cache."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def online_option(func: F) -> F:
    """Add ``--online``: allow network lookups (off by default)."""
    return click.option(
        "--online",
        is_flag=True,
        default=False,
        help="Look up owners, abuse contacts and blocklists over the network "
        "(reveals your interest to whoever runs the sender's DNS).",
    )(func)


def _config_or_fail(**kwargs: Any) -> LookupConfig:
    try:
        return config_from_options(**kwargs)
    except ConfigurationError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.key or 'option'}") from exc


def _console() -> Console:
    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


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
    if info.ptr:
        rows.append(("reverse DNS", ", ".join(info.ptr)))
    if info.fcrdns is not None or info.ptr:
        word = {True: "confirmed", False: "not confirmed", None: "undetermined"}[info.fcrdns]
        rows.append(("FCrDNS", word))
    for issue in info.errors:
        rows.append(("failed", f"{issue.step}: {issue.status} {issue.detail}".strip()))
    return rows


def _print_rows(title: str, rows: list[tuple[str, str]]) -> None:
    table = Table(title=title, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(escape(label), escape(value))
    _console().print(table)


@click.command("lookup")
@click.argument("target", metavar="ADDRESS|HOST")
@lookup_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def lookup_command(target: str, as_json: bool, **options: Any) -> None:
    """Who owns ADDRESS (or each address of HOST): AS, network, registrant, abuse contact,
    reverse DNS with forward confirmation."""
    config = _config_or_fail(**options)
    enricher = Enricher(config)
    result: IpInfo | HostInfo
    try:
        result = enricher.lookup_ip(target) if parse_ip(target) else enricher.lookup_host(target)
    except LookupFailed as exc:
        raise click.BadParameter(str(exc), param_hint="ADDRESS|HOST") from exc
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    if isinstance(result, IpInfo):
        note = ip_note(result.ip)
        _print_rows(f"{result.ip}" + (f" - {note}" if note else ""), _ip_rows(result))
        return
    rows = [("registered domain", result.registered_domain or "-")]
    rows.append(("addresses", ", ".join(result.addresses) or "none"))
    rows.extend(("failed", f"{i.step}: {i.status} {i.detail}".strip()) for i in result.errors)
    _print_rows(result.name, rows)
    for info in result.ips:
        _print_rows(info.ip, _ip_rows(info))


def blocklist_exit_code(results: Sequence[BlocklistResult]) -> int:
    """1 when any zone lists the address, 2 when every check failed, else 0."""
    if any(r.status == "listed" for r in results):
        return EXIT_LISTED
    if not results or all(r.failed for r in results):
        return EXIT_FAILED
    return EXIT_CLEAN


@click.command("blocklist")
@click.argument("address", metavar="ADDRESS")
@click.option(
    "--zone",
    "zones",
    multiple=True,
    metavar="ZONE",
    help="Blocklist zone to ask (repeatable; default: Spamhaus ZEN, SpamCop, Barracuda, "
    "PSBL, DroneBL).",
)
@lookup_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def blocklist_command(address: str, zones: tuple[str, ...], as_json: bool, **options: Any) -> None:
    """Check ADDRESS against DNS blocklists. Exit status: 0 clean, 1 listed, 2 every check
    failed (refused, timed out, or no answer)."""
    if parse_ip(address) is None:
        raise click.BadParameter(f"{address!r} is not an IP address", param_hint="ADDRESS")
    config = _config_or_fail(zones=zones, **options)
    results = Enricher(config).blocklists(address)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        rows = []
        for r in results:
            text = r.status.replace("_", " ")
            if r.codes:
                text += f" {', '.join(r.codes)}"
            if r.meanings and r.status == "listed":
                text += f" ({'; '.join(r.meanings)})"
            if r.txt:
                text += f" - {' '.join(r.txt)}"
            if r.detail:
                text += f" [{r.detail}]"
            rows.append((r.zone, text))
        cls = classify_ip(address)
        _print_rows(f"{parse_ip(address)} ({cls})", rows)
    click.get_current_context().exit(blocklist_exit_code(results))
