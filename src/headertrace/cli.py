"""The command-line interface: arguments -> library -> rendering -> exit status.

Exit statuses (:class:`~headertrace.exitstatus.ExitStatus`, shared by every command) of
``trace``:

=====  ==========================================================
0      every input was traced (``OK``)
1      an input could not be read (missing file, not a message): the
       others were traced (``PROBLEM``)
2      usage or configuration error (bad option, argument or
       organisation) (``NO_ANSWER``)
=====  ==========================================================

Tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from headertrace import __version__
from headertrace.enrich import Enricher
from headertrace.enrich.command import (
    blocklist_command,
    config_from_options,
    lookup_command,
    lookup_options,
    online_option,
    organisation_options,
    own_organisation,
)
from headertrace.errors import HeadertraceError
from headertrace.exitstatus import ExitStatus
from headertrace.judge.org import Organisation
from headertrace.logs import LogOptions
from headertrace.logs.command import log_command, log_file_options, log_options
from headertrace.models import Trace
from headertrace.probe.command import probe_command
from headertrace.render.terminal import print_trace
from headertrace.reporting import report_command
from headertrace.tracing import trace_all

PIPED_WIDTH = 140


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="headertrace")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Email header forensics: where did this message come from, and through whom?"""
    ctx.obj = {"debug": debug}


@main.command("trace")
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON.")
@click.option(
    "--no-unwrap",
    "no_unwrap",
    is_flag=True,
    help="Trace the outer message, not the one reported inside (ARF, bounce, forward).",
)
@organisation_options
@log_file_options
@online_option
@lookup_options
@click.pass_context
def trace_command(
    ctx: click.Context,
    /,
    *,
    files: Sequence[str],
    as_json: bool,
    no_unwrap: bool,
    org_file: str | None,
    our_domain: Sequence[str],
    our_server: Sequence[str],
    our_network: Sequence[str],
    logs: Sequence[str],
    passwd: str | None,
    log_skew: int | None,
    log_zone: str | None,
    online: bool,
    **lookup: Any,
) -> None:
    """Trace the Received chain of each FILE (``-`` reads standard input).

    A complaint is unwrapped to the message it reports; an mbox or Maildir is traced
    message by message. Prints the origin first, then the hop table; --json prints the
    trace format of docs/trace-format.md (one object for one message, else a list).
    Offline unless --online asks for attribution (docs/attribution.md).
    """
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        # Piped into a file or a ticket: wide enough that header lines and the hop table
        # are not folded at rich's default of 80 columns.
        console.width = PIPED_WIDTH
    try:
        org = _organisation(org_file, our_domain, our_server, our_network)
        # One enricher (one resolver configuration, one cache) for the whole run; the
        # library attributes each trace once, as it traces it.
        enricher = Enricher(config_from_options(**lookup)) if online else None
        options = log_options(passwd, skew=log_skew, zone=log_zone) if logs else None
    except HeadertraceError as exc:
        if ctx.obj and ctx.obj.get("debug"):
            raise
        click.echo(f"headertrace: {exc}", err=True)
        ctx.exit(ExitStatus.NO_ANSWER)
    status = ExitStatus.OK
    results: list[Trace] = []
    for name in files:
        try:
            traces = _trace_file(
                name, org, unwrap=not no_unwrap, enricher=enricher, logs=logs, options=options
            )
        except HeadertraceError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"headertrace: {exc}", err=True)
            status = ExitStatus.PROBLEM
            continue
        results.extend(traces)
        if not as_json:
            for k, result in enumerate(traces):
                title = name if len(files) > 1 else None
                if len(traces) > 1:
                    title = f"{name} [{result.source.part or k + 1}]"
                print_trace(result, console, title=title)
    if as_json:
        payload = [t.to_dict() for t in results]
        single = len(payload) == 1 and len(files) == 1
        click.echo(json.dumps(payload[0] if single else payload, indent=2, ensure_ascii=False))
    ctx.exit(status)


def _organisation(
    path: str | None, domains: Sequence[str], servers: Sequence[str], networks: Sequence[str]
) -> Organisation | None:
    """The organisation from --org, extended by the --our-* shorthands."""
    return own_organisation(path, domains=domains, servers=servers, networks=networks)


def _trace_file(
    name: str,
    org: Organisation | None,
    *,
    unwrap: bool,
    enricher: Enricher | None,
    logs: Sequence[str] = (),
    options: LogOptions | None = None,
) -> list[Trace]:
    source = sys.stdin.buffer.read() if name == "-" else Path(name)
    return trace_all(
        source, org, unwrap=unwrap, online=enricher is not None, enricher=enricher,
        logs=logs, log_options=options,
    )  # fmt: skip


@main.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@organisation_options
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: every core; 1 traces in this process).",
)
@click.option("--glob", default="*", show_default=True, help="File names to read in directories.")
@click.option("--jsonl", type=click.Path(dir_okay=False), help="Write one trace a line here.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Write flat rows here.")
@click.option(
    "--parquet",
    type=click.Path(dir_okay=False),
    help="Write flat rows here as Parquet (pip install 'headertrace[parquet]').",
)
@click.option(
    "--summary-json", type=click.Path(dir_okay=False), help="Write the summary as JSON here."
)
@click.option("--resume", is_flag=True, help="Skip what the --jsonl file already holds; append.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary on screen.")
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=32,
    show_default=True,
    help="MB of one message past which it is an error row, not traced.",
)
@click.option(
    "--no-unwrap",
    "no_unwrap",
    is_flag=True,
    help="Trace the outer messages, not the ones reported inside.",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    help="Run on a Dask cluster (tcp://scheduler:8786; pip install 'headertrace[dask]').",
)
@log_file_options
@online_option
@lookup_options
@click.pass_context
def scan_command(
    ctx: click.Context,
    /,
    *,
    paths: Sequence[str],
    org_file: str | None,
    our_domain: Sequence[str],
    our_server: Sequence[str],
    our_network: Sequence[str],
    jobs: int | None,
    glob: str,
    jsonl: str | None,
    csv_path: str | None,
    parquet: str | None,
    summary_json: str | None,
    resume: bool,
    quiet: bool,
    max_size: int,
    no_unwrap: bool,
    dask_address: str | None,
    logs: Sequence[str],
    passwd: str | None,
    log_skew: int | None,
    log_zone: str | None,
    online: bool,
    **lookup: Any,
) -> None:
    """Trace every message in PATH... in parallel, and summarise them (docs/scan.md).

    PATHs are message files, complaints, directories (searched recursively), mbox files
    (also .gz, .bz2, .xz) and Maildirs; ``-`` reads a list of paths, one a line, from
    standard input. Ctrl-C stops cleanly and exits 130.
    """
    from headertrace.scan.command import run_scan  # noqa: PLC0415 - loaded when used

    if resume and jsonl is None:
        raise click.UsageError("--resume needs --jsonl (the file to resume)")
    try:
        org = _organisation(org_file, our_domain, our_server, our_network)
        enricher = Enricher(config_from_options(**lookup)) if online else None
        if online and dask_address:
            raise click.UsageError("--online runs on this machine: it cannot go with --dask")
        status = run_scan(
            paths,
            org,
            jobs=jobs,
            glob=glob,
            unwrap=not no_unwrap,
            max_size=max_size << 20,
            jsonl=jsonl,
            csv_path=csv_path,
            parquet=parquet,
            summary_json=summary_json,
            resume=resume,
            quiet=quiet,
            enricher=enricher,
            dask=dask_address,
            logs=tuple(logs),
            log_options=log_options(passwd, skew=log_skew, zone=log_zone) if logs else None,
        )
    except HeadertraceError as exc:
        if ctx.obj and ctx.obj.get("debug"):
            raise
        click.echo(f"headertrace: {exc}", err=True)
        ctx.exit(ExitStatus.NO_ANSWER)
    ctx.exit(status)


for _command in (probe_command, lookup_command, blocklist_command, log_command):
    main.add_command(_command)

main.add_command(report_command)
