"""``headertrace probe HOST[:PORT]``: run the relay probe and print or emit the report.

Exit status (:class:`~headertrace.exitstatus.ExitStatus`): 0 closed, 1 open, 2 inconclusive
or the probe could not run. With ``--json`` standard output always carries a report, also
when the probe could not run (status ``inconclusive``, the reason in ``summary.reasons``), so
a script reading it gets an answer. The text report is drawn by
:func:`headertrace.render.probe.print_report`: this module only reads the options.
"""

from __future__ import annotations

import os

import click
from rich.console import Console

from headertrace.errors import ConfigurationError, ProbeError
from headertrace.exitstatus import ExitStatus
from headertrace.probe.battery import DEFAULT_FROM, DEFAULT_TO, TEST_NAMES
from headertrace.probe.config import (
    DEFAULT_DELAY,
    DEFAULT_PORT,
    DEFAULT_TIMEOUT,
    MAX_RECONNECTS,
    RECONNECT_DELAY,
    ProbeConfig,
)
from headertrace.probe.runner import probe
from headertrace.render.probe import print_report

PASSWORD_ENV = "HEADERTRACE_PROBE_PASSWORD"


def parse_target(target: str, port: int | None) -> tuple[str, int]:
    """Split ``HOST``, ``HOST:PORT``, ``[V6ADDR]:PORT`` or a bare IPv6 address.

    ``--port`` may repeat the port in the target but not contradict it.
    """
    host, found = target.strip(), None
    if host.startswith("["):
        inside, sep, rest = host[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise click.BadParameter(f"cannot read {target!r}", param_hint="HOST[:PORT]")
        host, found = inside, rest[1:] or None
    elif host.count(":") == 1:
        host, found = host.split(":")
    if found is not None:
        if not found.isdigit() or not 0 < int(found) < 65536:
            raise click.BadParameter(f"invalid port in {target!r}", param_hint="HOST[:PORT]")
        if port is not None and port != int(found):
            raise click.BadParameter(f"--port {port} contradicts {target!r}", param_hint="--port")
        return host, int(found)
    if not host:
        raise click.BadParameter("empty host", param_hint="HOST[:PORT]")
    return host, port if port is not None else DEFAULT_PORT


def _password(user: str) -> str:
    """The password from the environment, or asked for; never from the command line."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    value: str = click.prompt(f"Password for {user}", hide_input=True, err=True)
    return value


@click.command("probe")
@click.argument("target", metavar="HOST[:PORT]")
@click.option("--port", type=click.IntRange(1, 65535), help="SMTP port (default 25).")
@click.option("--starttls", is_flag=True, help="Upgrade to TLS before testing.")
@click.option("--our-domain", help="Your domain: enables the control and spoofing tests.")
@click.option("--from", "mail_from", default=DEFAULT_FROM, show_default=True, help="Sender.")
@click.option("--to", "rcpt_to", default=DEFAULT_TO, show_default=True, help="Third party.")
@click.option("--helo-name", help="Name to announce in EHLO (default: this host).")
@click.option(
    "--auth",
    "auth_user",
    metavar="USER",
    help=f"Also run the authenticated check; password from ${PASSWORD_ENV} or a prompt.",
)
@click.option(
    "--allow-plaintext-auth", is_flag=True, help="Send the password without TLS (non-loopback)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for each reply.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=DEFAULT_DELAY,
    show_default=True,
    help="Seconds between transactions.",
)
@click.option(
    "--reconnects",
    type=click.IntRange(min=0),
    default=MAX_RECONNECTS,
    show_default=True,
    help="New connections allowed after the server hangs up.",
)
@click.option(
    "--reconnect-delay",
    type=click.FloatRange(min=0),
    default=RECONNECT_DELAY,
    show_default=True,
    help="Seconds to wait before reconnecting.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--only",
    multiple=True,
    metavar="TEST",
    help="Run only this test (repeatable; the control always runs).",
)
@click.pass_context
def probe_command(
    ctx: click.Context,
    *,
    target: str,
    port: int | None,
    starttls: bool,
    our_domain: str | None,
    mail_from: str,
    rcpt_to: str,
    helo_name: str | None,
    auth_user: str | None,
    allow_plaintext_auth: bool,
    timeout: float,
    delay: float,
    reconnects: int,
    reconnect_delay: float,
    as_json: bool,
    only: tuple[str, ...],
) -> None:
    """Test whether the SMTP server at HOST relays for strangers.

    Every test stops at RCPT TO: DATA is never sent, so nothing is delivered.
    Probe only servers you are responsible for. Exit status: 0 closed, 1 open,
    2 inconclusive or error.
    """
    host, port_number = parse_target(target, port)
    unknown = sorted(set(only) - set(TEST_NAMES))
    if unknown:
        raise click.BadParameter(
            f"unknown test(s) {', '.join(unknown)}; known: {', '.join(TEST_NAMES)}",
            param_hint="--only",
        )
    auth = (auth_user, _password(auth_user)) if auth_user else None
    try:
        report = probe(
            host,
            ProbeConfig(
                port=port_number,
                helo_name=helo_name,
                mail_from=mail_from,
                rcpt_to=rcpt_to,
                our_domain=our_domain,
                starttls=starttls,
                auth=auth,
                allow_plaintext_auth=allow_plaintext_auth,
                timeout=timeout,
                delay=delay,
                tests=only or None,
                reconnects=reconnects,
                reconnect_delay=reconnect_delay,
            ),
        )
    except ConfigurationError as exc:
        raise click.UsageError(str(exc)) from exc
    except ProbeError as exc:
        click.echo(f"error: {exc}", err=True)
        if as_json and exc.report is not None:
            click.echo(exc.report.to_json())
        ctx.exit(ExitStatus.NO_ANSWER)
    if as_json:
        click.echo(report.to_json())
    else:
        print_report(report, Console(highlight=False))
    ctx.exit(report.exit_code)
