"""The relay probe's report as text: the server, a table of tests, the auth check, the verdict.

``headertrace probe`` prints this; ``--json`` prints :meth:`ProbeReport.to_json` instead.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from headertrace.probe.report import AuthCheck, ProbeReport, ProbeResult

_OUTCOME_STYLE = {
    "accepted": "bold red",
    "inconclusive": "yellow",
    "refused": "green",
    "tempfail": "yellow",
    "error": "magenta",
    "skipped": "dim",
}
_STATUS_STYLE = {"closed": "bold green", "open": "bold red", "inconclusive": "bold yellow"}


def print_report(report: ProbeReport, console: Console) -> None:
    """The human report: the server, a table of tests, the auth check, the verdict."""
    console.print(Text(f"{report.host} port {report.port}", style="bold"))
    console.print(Text(f"banner: {report.banner}"))
    if report.ehlo:
        console.print(Text(f"{report.ehlo.verb} {report.ehlo.name}: {report.ehlo.reply_code}"))
    if report.starttls:
        tls = report.starttls
        console.print(Text(f"TLS: {tls.version} {tls.cipher} (certificate not verified)"))
    if report.tests:
        console.print(_table(report.tests, report))
    if report.auth:
        _render_auth(report.auth, console)
    summary = report.summary
    line = Text("result: ")
    line.append(summary.status.upper(), style=_STATUS_STYLE[summary.status])
    console.print(line)
    for reason in summary.reasons:
        console.print(Text(f"  {reason}", style="dim"))


def _table(results: tuple[ProbeResult, ...], report: ProbeReport) -> Table:
    default_from = f"<{report.mail_from}>"
    table = Table(header_style="bold", caption=f"MAIL FROM is {default_from} where blank")
    table.add_column("test", no_wrap=True)
    table.add_column("MAIL FROM", overflow="fold")
    table.add_column("RCPT TO", overflow="fold")
    table.add_column("reply", overflow="fold")
    table.add_column("outcome", no_wrap=True)
    for res in results:
        name = Text(res.name)
        if res.helo and res.helo != report.helo_name:
            name.append(f"\nHELO {res.helo}", style="dim")
        if res.new_connection:
            name.append("\n(new connection)", style="dim")
        mail_from = "" if res.mail_from == default_from else res.mail_from or ""
        first_line = res.reply_text.splitlines()[0] if res.reply_text else ""
        reply = f"{res.reply_code or ''} {first_line}".strip()
        if res.outcome == "skipped" and res.reason:
            reply = res.reason
        if res.outcome == "inconclusive":  # the summary says why at length
            reply = f"{reply} (may be delivered locally)"
        outcome = Text(res.outcome, style=_OUTCOME_STYLE[res.outcome])
        if res.stage in ("helo", "mail") and res.outcome != "error":
            outcome.append(f" at {res.stage}")
        table.add_row(name, Text(mail_from), Text(res.rcpt_to or ""), Text(reply), outcome)
    return table


def _render_auth(check: AuthCheck, console: Console) -> None:
    style = "green" if check.verdict == "good" else "bold red"
    if check.verdict in ("not-offered", "not-attempted", "inconclusive"):
        style = "yellow"
    line = Text(f"authenticated check ({check.user}, {check.mechanism or 'no AUTH'}): ")
    line.append(check.verdict, style=style)
    line.append(f" - {check.message}")
    console.print(line)
