"""``headertrace lookup`` and ``headertrace blocklist``, and the shared lookup options.

Options -> :class:`Enricher` -> :mod:`headertrace.render.lookup` (or JSON) -> exit status.

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

from headertrace.addresses import parse_ip
from headertrace.enrich.config import (
    DEFAULT_BUDGET,
    DEFAULT_RDAP_URL,
    DEFAULT_TIMEOUT,
    LookupConfig,
    parse_nameserver,
)
from headertrace.enrich.lookup import Enricher
from headertrace.enrich.ours import address_targets, org_targets, trace_targets
from headertrace.enrich.records import BlocklistResult, HostInfo, IpInfo
from headertrace.enrich.standing import Standing, Targets, listing_dict, watch
from headertrace.errors import ConfigurationError, HeadertraceError, LookupFailed
from headertrace.exitstatus import ExitStatus
from headertrace.judge.org import Organisation
from headertrace.render.lookup import change_line, print_blocklist, print_lookup, print_standing
from headertrace.tracing import trace_all

F = TypeVar("F", bound=Callable[..., Any])


def config_from_options(
    *,
    nameservers: Sequence[str] = (),
    rdap_url: str | None = None,
    timeout: float | None = None,
    budget: float | None = None,
    cache_path: Path | str | None = None,
    no_cache: bool = False,
    zones: Sequence[str] = (),
    whois_server: str | None = None,
    nir_urls: Sequence[str] = (),
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
    if whois_server:
        kwargs["whois_server"] = _whois_server(whois_server)
    pairs = []
    for text in nir_urls:
        name, sep, url = text.partition("=")
        if not sep or name.strip().lower() not in ("jpnic", "krnic"):
            raise ConfigurationError(
                f"--nir-url wants jpnic=URL or krnic=URL, not {text!r}", key="nir-url", value=text
            )
        pairs.append((name.strip().lower(), url.strip()))
    if pairs:
        kwargs["nir_urls"] = tuple(pairs)
    return LookupConfig(**kwargs)


def _whois_server(text: str) -> tuple[str, int]:
    """``HOST[:PORT]`` for ``--whois-server``: an IP address (names would be resolved by the
    system, not by --nameserver); the port defaults to 43."""
    host, port = parse_nameserver(text)
    value = text.strip()
    explicit = value.endswith(f":{port}") and (value.startswith("[") or value.count(":") == 1)
    if host.lower() == "localhost":
        host = "127.0.0.1"
    address = parse_ip(host)
    if address is None:
        raise ConfigurationError(
            f"--whois-server needs an IP address, not {host!r}", key="whois-server", value=text
        )
    return str(address), port if explicit else 43


def lookup_options(func: F) -> F:
    """Add ``--nameserver``, ``--rdap-url``, ``--whois-server``, ``--nir-url``,
    ``--timeout``, ``--budget``, ``--cache`` and ``--no-cache`` to a click command."""
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
            "--whois-server",
            "whois_server",
            metavar="HOST[:PORT]",
            default=None,
            help="Whois server for the second step after RDAP (default: each registry's own, "
            "port 43, resolved through --nameserver).",
        ),
        click.option(
            "--nir-url",
            "nir_urls",
            multiple=True,
            metavar="NIR=URL",
            help="Where to ask a national registry's web whois (jpnic=URL, krnic=URL; "
            "default: the registries' own sites).",
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


def organisation_options(func: F) -> F:
    """Add ``--org`` and the repeatable shorthands ``--our-domain``, ``--our-server`` and
    ``--our-network`` (added to the file's lists when both are given)."""
    options = [
        click.option(
            "--org",
            "org_file",
            type=click.Path(dir_okay=False),
            help="Organisation TOML file (domains, servers, networks, relays); "
            "see docs/verdicts.md.",
        ),
        click.option("--our-domain", multiple=True, help="A mail domain of ours (repeatable)."),
        click.option(
            "--our-server", multiple=True, help="A mail server name or glob of ours (repeatable)."
        ),
        click.option(
            "--our-network", multiple=True, help="An address or CIDR network of ours (repeatable)."
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
    print_lookup(result, _console())


def blocklist_exit_code(results: Sequence[BlocklistResult]) -> ExitStatus:
    """1 (``PROBLEM``) when any zone lists the address, 2 (``NO_ANSWER``) when every check
    failed, else 0 (``OK``)."""
    if any(r.status == "listed" for r in results):
        return ExitStatus.PROBLEM
    if not results or all(r.failed for r in results):
        return ExitStatus.NO_ANSWER
    return ExitStatus.OK


def _console() -> Console:
    return Console(file=sys.stdout, highlight=False, soft_wrap=True)


def own_organisation(
    path: str | None,
    *,
    domains: Sequence[str] = (),
    servers: Sequence[str] = (),
    networks: Sequence[str] = (),
) -> Organisation | None:
    """The organisation from ``--org``, extended by the ``--our-*`` shorthands (``None`` when
    none is given). Raises :class:`ConfigurationError`."""
    if path is None and not (domains or servers or networks):
        return None
    base = Organisation.load(path) if path is not None else Organisation()
    if not (domains or servers or networks):
        return base
    extra = Organisation.from_options(domains=domains, servers=servers, networks=networks)
    return Organisation(
        name=base.name,
        domains=base.domains + extra.domains,
        servers=base.servers + extra.servers,
        networks=base.networks + extra.networks,
        submission_networks=base.submission_networks,
        relay_names=base.relay_names,
        relay_networks=base.relay_networks,
    )


def _targets(
    addresses: Sequence[str],
    org: Organisation | None,
    trace_files: Sequence[str],
    unwrap: bool = True,
) -> Targets:
    targets = address_targets(addresses)
    if org is not None:
        targets = targets.merge(org_targets(org))
    for name in trace_files:
        if org is None or org.is_empty:
            raise click.UsageError(
                "--from-trace needs --org, --our-network or --our-server to know which "
                "clients are ours"
            )
        try:
            traces = trace_all(Path(name), org, unwrap=unwrap)
        except HeadertraceError as exc:
            raise click.BadParameter(str(exc), param_hint="--from-trace") from exc
        for k, trace in enumerate(traces):
            label = f"trace {name}" + (f" [{k + 1}]" if len(traces) > 1 else "")
            targets = targets.merge(trace_targets(trace, org, label))
    return targets


@click.command("blocklist")
@click.argument("addresses", nargs=-1, metavar="[ADDRESS]...")
@click.option(
    "--org",
    "org_file",
    type=click.Path(dir_okay=False),
    help="Organisation TOML file: check its single addresses in networks and its resolved servers.",
)
@click.option("--our-server", multiple=True, help="A mail server name of ours (repeatable).")
@click.option("--our-network", multiple=True, help="An address or small network of ours.")
@click.option(
    "--from-trace",
    "trace_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Also check the addresses our servers used as clients in this message (repeatable).",
)
@click.option(
    "--zone",
    "zones",
    multiple=True,
    metavar="ZONE",
    help="Blocklist zone to ask (repeatable; default: Spamhaus ZEN, SpamCop, Barracuda, "
    "PSBL, DroneBL).",
)
@click.option(
    "--watch",
    "interval",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Re-check every SECONDS until interrupted and print only changes (listed, delisted).",
)
@click.option(
    "--rounds",
    type=click.IntRange(min=1),
    default=None,
    help="With --watch: stop after this many rounds.",
)
@lookup_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def blocklist_command(
    *,
    addresses: tuple[str, ...],
    org_file: str | None,
    our_server: tuple[str, ...],
    our_network: tuple[str, ...],
    trace_files: tuple[str, ...],
    zones: tuple[str, ...],
    interval: float | None,
    rounds: int | None,
    as_json: bool,
    **options: Any,
) -> None:
    """Check addresses against DNS blocklists: each ADDRESS, or every sending address of ours
    (--org, --our-server, --our-network, --from-trace). Listings come first, each with the
    zone's reason and where to ask for removal. Exit status: 0 clean, 1 listed, 2 every check
    failed (refused, timed out, or no answer)."""
    for address in addresses:
        if parse_ip(address) is None:
            raise click.BadParameter(f"{address!r} is not an IP address", param_hint="ADDRESS")
    if rounds is not None and interval is None:
        raise click.UsageError("--rounds counts --watch rounds: give --watch SECONDS too")
    try:
        org = own_organisation(org_file, servers=our_server, networks=our_network)
    except ConfigurationError as exc:
        raise click.BadParameter(str(exc), param_hint="--org") from exc
    config = _config_or_fail(zones=zones, **options)
    enricher = Enricher(config)
    ctx = click.get_current_context()
    if len(addresses) == 1 and org is None and not trace_files and interval is None:
        _single_address(enricher, addresses[0], as_json)
        return
    targets = _targets(addresses, org, trace_files)
    if targets.is_empty and not targets.notes:
        raise click.UsageError("nothing to check: give an ADDRESS, --org, --our-* or --from-trace")
    title = org.label if org is not None and not org.is_empty else "the given addresses"
    if interval is None:
        standing = enricher.standing(targets)
        if as_json:
            click.echo(json.dumps(standing.to_dict(), indent=2, ensure_ascii=False))
        else:
            print_standing(standing, title, _console())
        ctx.exit(blocklist_exit_code(standing.results))
    last: Standing | None = None
    try:
        for round_ in watch(enricher, targets, interval, rounds=rounds):
            last = round_.standing
            if as_json:
                for change in round_.changes:
                    click.echo(json.dumps({"round": round_.number, **change.to_dict()}))
            elif round_.number == 1:
                print_standing(round_.standing, title, _console())
            else:
                for change in round_.changes:
                    click.echo(change_line(change))
    except KeyboardInterrupt:
        pass
    ctx.exit(blocklist_exit_code(last.results if last is not None else []))


def _single_address(enricher: Enricher, address: str, as_json: bool) -> None:
    results = enricher.blocklists(address)
    if as_json:
        click.echo(json.dumps([listing_dict(r) for r in results], indent=2, ensure_ascii=False))
    else:
        print_blocklist(address, results, _console())
    click.get_current_context().exit(blocklist_exit_code(results))
