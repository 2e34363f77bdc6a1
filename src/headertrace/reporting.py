"""``headertrace report``: a trace as the reports people pass on.

``--html`` (one self-contained page), ``--markdown`` and ``--text`` (ticket text) and
``--abuse-report`` (a draft RFC 5965 report to the origin network's abuse desk, never sent).
Each takes a file name, ``-`` for standard output; with none, the text goes to standard
output. Exit statuses as for ``trace``: 0 done, 1 the input could not be read, 2 a usage or
configuration error.

The file is traced once; the reported message's bytes (found by the same unwrapping) go to
the renderers for the "what was in it" section and the abuse report's original.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from headertrace.enrich.command import (
    config_from_options,
    lookup_options,
    online_option,
    organisation_options,
    own_organisation,
)
from headertrace.errors import HeadertraceError
from headertrace.exitstatus import ExitStatus
from headertrace.intake import open_complaint
from headertrace.models import Trace
from headertrace.tracing import trace_all


def _write(target: str, data: str | bytes) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        Path(target).write_bytes(payload)


def traced_with_raw(
    source: Path | bytes, org: Any, *, unwrap: bool, enricher: Any
) -> list[tuple[Trace, bytes | None]]:
    """Each trace of ``source`` with the bytes of the message it traced."""
    traces = trace_all(source, org, unwrap=unwrap, online=enricher is not None, enricher=enricher)
    reported = open_complaint(source, unwrap=unwrap).reported
    raws: list[bytes | None] = [r.raw for r in reported]
    raws += [None] * (len(traces) - len(raws))
    return list(zip(traces, raws, strict=True))


@click.command("report")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--html", "html_out", metavar="PATH", help="Write the HTML report here.")
@click.option("--markdown", "md_out", metavar="PATH", help="Write ticket text as Markdown.")
@click.option("--text", "text_out", metavar="PATH", help="Write ticket text as plain text.")
@click.option(
    "--abuse-report",
    "abuse_out",
    metavar="PATH",
    help="Write a draft RFC 5965 abuse report (.eml) to the origin network. Never sent.",
)
@click.option(
    "--full", is_flag=True, help="Attach the whole message to the abuse report, not its headers."
)
@click.option(
    "--from",
    "reporter",
    metavar="ADDRESS",
    help="The abuse report's From (default: abuse@ the first --our-domain).",
)
@click.option(
    "--message",
    "which",
    type=int,
    default=1,
    show_default=True,
    help="Which reported message, when the file holds several (1 is the first).",
)
@click.option("--no-unwrap", "no_unwrap", is_flag=True, help="Report on the outer message itself.")
@organisation_options
@online_option
@lookup_options
@click.pass_context
def report_command(
    ctx: click.Context,
    /,
    *,
    file: str,
    html_out: str | None,
    md_out: str | None,
    text_out: str | None,
    abuse_out: str | None,
    full: bool,
    reporter: str | None,
    which: int,
    no_unwrap: bool,
    org_file: str | None,
    our_domain: Sequence[str],
    our_server: Sequence[str],
    our_network: Sequence[str],
    online: bool,
    **lookup: Any,
) -> None:
    """Write reports about the message in FILE (``-`` reads standard input): an HTML page,
    ticket text, a draft abuse report. See docs/report.md."""
    debug = bool(ctx.obj and ctx.obj.get("debug"))
    try:
        org = own_organisation(
            org_file, domains=our_domain, servers=our_server, networks=our_network
        )
        enricher = None
        if online:
            from headertrace.enrich import Enricher  # noqa: PLC0415 - network code on demand

            enricher = Enricher(config_from_options(**lookup))
    except HeadertraceError as exc:
        if debug:
            raise
        click.echo(f"headertrace: {exc}", err=True)
        ctx.exit(ExitStatus.NO_ANSWER)
    try:
        source: Path | bytes = sys.stdin.buffer.read() if file == "-" else Path(file)
        results = traced_with_raw(source, org, unwrap=not no_unwrap, enricher=enricher)
    except HeadertraceError as exc:
        if debug:
            raise
        click.echo(f"headertrace: {exc}", err=True)
        ctx.exit(ExitStatus.PROBLEM)
    if not 1 <= which <= len(results):
        click.echo(f"headertrace: --message {which}: the file holds {len(results)}", err=True)
        ctx.exit(ExitStatus.NO_ANSWER)
    trace, raw = results[which - 1]
    now = datetime.now(timezone.utc)
    if html_out:
        from headertrace.render.html import render_html  # noqa: PLC0415 - Jinja2 on demand

        _write(
            html_out,
            render_html(trace, raw, generated=now, looked_up=now if online else None),
        )
    if md_out:
        from headertrace.render.ticket import render_markdown  # noqa: PLC0415

        _write(md_out, render_markdown(trace))
    if text_out or not (html_out or md_out or abuse_out):
        from headertrace.render.ticket import render_text  # noqa: PLC0415

        _write(text_out or "-", render_text(trace))
    if abuse_out:
        from headertrace.render.abuse import abuse_report  # noqa: PLC0415

        if raw is None:
            click.echo("headertrace: no message was found to report", err=True)
            ctx.exit(ExitStatus.PROBLEM)
        domains = list(our_domain) or (list(org.domains) if org is not None else [])
        sender = reporter or (f"abuse@{domains[0]}" if domains else "abuse@example.invalid")
        _write(abuse_out, abuse_report(trace, raw, full=full, reporter=sender, now=now))
    ctx.exit(ExitStatus.OK)
