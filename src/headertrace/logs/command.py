"""``headertrace log ID --log FILE...``: a message's life through our servers."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from headertrace.exitstatus import ExitStatus
from headertrace.logs import LogOptions, read_passwd, timeline

PIPED_WIDTH = 160


def parse_zone(text: str | None) -> timezone | None:
    """``UTC``, ``Z``, ``+0200``, ``-05:00`` -> a fixed offset; ``None`` for ``None``."""
    if text is None:
        return None
    t = text.strip().upper()
    if t in ("UTC", "Z", "GMT"):
        return timezone.utc
    digits = t[1:].replace(":", "")
    if t[:1] not in "+-" or len(digits) != 4 or not digits.isdigit():
        raise click.BadParameter(
            f"{text!r}: write the zone as +HHMM or UTC", param_hint="--log-zone"
        )
    sign = -1 if t[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


F = TypeVar("F", bound=Callable[..., Any])


def log_file_options(func: F) -> F:
    """Add ``--log`` (repeatable), ``--passwd``, ``--log-skew`` and ``--log-zone`` to a
    command that traces (``trace``, ``scan``)."""
    options = [
        click.option(
            "--log",
            "logs",
            multiple=True,
            type=click.Path(dir_okay=False),
            help="Our server's mail log (repeatable; compressed files too): the hops our "
            "servers wrote are looked up in it by queue id, server and time "
            "(docs/trace-format.md, log).",
        ),
        click.option(
            "--passwd",
            type=click.Path(dir_okay=False),
            help="The server's passwd file, to name the uid of a local submission the log records.",
        ),
        click.option(
            "--log-skew",
            type=click.IntRange(min=0),
            help="Seconds a log's arrival may differ from the hop's header time (default 600).",
        ),
        click.option(
            "--log-zone",
            help="The zone of log times written without one (+HHMM or UTC; default: the "
            "offset our server wrote in its Received header).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def log_options(
    passwd: str | None, *, skew: int | None = None, zone: str | None = None
) -> LogOptions:
    """The options of ``--passwd`` (uids named from that file), ``--log-skew`` (seconds)
    and ``--log-zone`` (the zone of log times written without one)."""
    table = None
    if passwd is not None:
        try:
            table = read_passwd(passwd)
        except OSError as exc:
            raise click.BadParameter(
                f"cannot read {passwd}: {exc.strerror}", param_hint="--passwd"
            ) from exc
    return LogOptions(
        skew=timedelta(seconds=skew) if skew is not None else LogOptions().skew,
        zone=parse_zone(zone),
        passwd=table,
        passwd_source=f"passwd {passwd}" if passwd else None,
    )


@click.command("log")
@click.argument("ident")
@click.option(
    "--log",
    "logs",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False),
    help="A mail log to read (repeatable; gzip, bzip2 and xz are read as they are).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
@click.option(
    "--log-zone",
    "zone",
    help="The zone of log times written without one (+HHMM or UTC; default UTC).",
)
@click.pass_context
def log_command(
    ctx: click.Context, /, *, ident: str, logs: Sequence[str], as_json: bool, zone: str | None
) -> None:
    """Print the life of one message through our servers, found in the mail logs by its
    queue id (as a Received header writes it) or its Message-ID: arrival, filters, each
    delivery, with every log line quoted. Exit status 1 when it is not found."""
    missing = [p for p in logs if not Path(p).exists()]
    if missing:
        click.echo(f"headertrace: no such log file: {', '.join(missing)}", err=True)
        ctx.exit(ExitStatus.NO_ANSWER)
    tl = timeline(ident, logs, zone=parse_zone(zone))
    if as_json:
        click.echo(json.dumps(tl.to_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        from headertrace.render.logs import print_timeline  # noqa: PLC0415

        console = Console(highlight=False, soft_wrap=False)
        if not console.is_terminal:
            console.width = PIPED_WIDTH
        print_timeline(tl, console)
    ctx.exit(ExitStatus.OK if tl.events else ExitStatus.PROBLEM)
