"""A trace for people at a terminal: the answer first, then the evidence, then the hops."""

from __future__ import annotations

from datetime import timezone

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from headertrace.models import Trace
from headertrace.parse.headers import one_line
from headertrace.render.report import client_text

_SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "dim"}


def render_trace(trace: Trace, *, title: str | None = None) -> RenderableType:
    parts: list[RenderableType] = []
    if title:
        parts.append(Text(title, style="bold"))
    parts.append(_headline(trace))
    found = _found_in(trace)
    if found:
        parts.append(Text(found, style="dim"))
    if _judged(trace) and trace.verdict is not None and trace.verdict.evidence:
        parts.append(Text("Evidence:", style="bold"))
        parts.extend(
            Text(
                f"  Received: {one_line(e.text)}"
                if e.kind == "received"
                else f"  {one_line(e.text)}",
                style="cyan",
            )
            for e in trace.verdict.evidence
        )
    if trace.log is not None:
        from headertrace.render.logs import render_log_evidence  # noqa: PLC0415

        parts.append(render_log_evidence(trace.log))
    parts.append(_hop_table(trace))
    if trace.findings:
        parts.append(Text("Findings:", style="bold"))
        for f in trace.findings:
            where = f" (hop {f.hop})" if f.hop is not None else ""
            parts.append(
                Text(
                    f"  [{f.severity}] {f.code}{where}: {f.message}",
                    style=_SEVERITY_STYLE.get(f.severity, ""),
                )
            )
    if trace.defects:
        parts.append(Text("Message defects: " + ", ".join(trace.defects), style="dim"))
    return Group(*parts)


def _judged(trace: Trace) -> bool:
    """A verdict about an organisation (without one, the origin line says it all)."""
    return trace.verdict is not None and trace.verdict.kind != "no_organisation"


def _headline(trace: Trace) -> Text:
    if trace.verdict is not None and _judged(trace):
        style = (
            "bold red"
            if trace.verdict.kind
            in ("open_relay", "authenticated_relay", "internal_origin", "local_injection")
            else "bold"
        )
        return Text(
            f"{trace.verdict.kind.replace('_', ' ').upper()}: {trace.verdict.summary}", style=style
        )
    o = trace.origin
    if o is None:
        return Text("Origin: unknown (no client address in the Received chain)", style="bold")
    names = ", ".join(
        x for x in (f"rDNS {o.rdns}" if o.rdns else None, f"HELO {o.helo}" if o.helo else None) if x
    )
    return Text(
        f"Origin: {o.ip or '?'}"
        + (f" ({names})" if names else "")
        + f" at hop {o.hop}: {o.reason}",
        style="bold",
    )


def _hop_table(trace: Trace) -> Table:
    table = Table(title="Received chain (oldest first)", title_justify="left", expand=False)
    for name in ("#", "from", "by", "with", "auth", "time (UTC)", "delay"):
        table.add_column(name, overflow="fold")
    origin = trace.origin.hop if trace.origin else None
    for hop in trace.hops:
        mark = "*" if hop.index == origin else ""
        auth = (
            "yes" if hop.auth.authenticated else ("no" if hop.auth.authenticated is False else "")
        )
        if hop.auth.identity:
            auth += f" ({hop.auth.identity})"
        when = (
            hop.timestamp.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            if hop.timestamp
            else ""
        )
        delay = f"{hop.delay_seconds:.0f}s" if hop.delay_seconds is not None else ""
        style = "dim" if hop.status == "unparsed" else None
        table.add_row(
            f"{hop.index}{mark}",
            client_text(hop),
            hop.server.host or hop.server.ip or "",
            hop.protocol or "",
            auth,
            when,
            delay,
            style=style,
        )
    return table


_KIND_WORDS = {
    "arf": "an ARF abuse report",
    "dsn": "a bounce (DSN)",
    "attachment": "an attached message",
    "pasted": "headers pasted into the text (they may have been altered)",
    "msg": "an Outlook .msg file",
    "mbox": "an mbox",
    "maildir": "a Maildir",
}


def _found_in(trace: Trace) -> str | None:
    """Where the traced message came from, when it was not simply the file given."""
    source = trace.source
    if source.kind == "message":
        return None
    where = _KIND_WORDS.get(source.kind, source.kind)
    part = f", part {source.part}" if source.part else ""
    kinds = [w.kind for w in source.wrappers]
    chain = f" (inside {' > '.join(kinds)})" if kinds else ""
    return f"Traced the message found in {where}{part}{chain}."


def print_trace(trace: Trace, console: Console, *, title: str | None = None) -> None:
    console.print(render_trace(trace, title=title))
