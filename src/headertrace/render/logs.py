"""Terminal rendering of log evidence (under a trace's evidence) and of a message's
timeline (``headertrace log ID``). Pure: takes records, returns rich renderables."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from headertrace.logs.records import Timeline
from headertrace.models import LogEvidence, LogFileRead


def _files(files: tuple[LogFileRead, ...]) -> Text:
    parts = []
    for f in files:
        span = (
            f", {f.first:%Y-%m-%d %H:%M:%S} to {f.last:%Y-%m-%d %H:%M:%S}"
            if f.first and f.last
            else ""
        )
        cut = ", stopped past the window" if f.stopped_early else ""
        parts.append(f"{f.path} ({f.format}, {f.lines} lines{span}{cut})")
    return Text("  read: " + "; ".join(parts), style="dim")


def render_log_evidence(ev: LogEvidence) -> RenderableType:
    """What the logs say: the match, the facts, the quoted lines."""
    style = {"strong": "green", "weak": "yellow", "none": "red"}[ev.match]
    parts: list[RenderableType] = [
        Text.assemble(("Server log: ", "bold"), (f"{ev.match} match", style))
    ]
    facts = [
        ("queue ids", " -> ".join(ev.queue_ids) or None),
        ("client", f"{ev.client_name or 'unknown'}[{ev.client_ip}]" if ev.client_ip else None),
        (
            "login",
            f"{ev.account}" + (f" ({ev.auth_method})" if ev.auth_method else "")
            if ev.account
            else None,
        ),
        ("uid", str(ev.uid) if ev.uid is not None else None),
        ("user", f"{ev.user} (from {ev.user_source})" if ev.user else None),
        ("envelope sender", ev.envelope_from),
        ("message-id", ev.message_id),
    ]
    parts.extend(Text(f"  {k}: {v}") for k, v in facts if v)
    for d in ev.recipients:
        extra = f" -> {d.next_id}" if d.next_id else ""
        parts.append(
            Text(f"  delivery {d.queue_id}: {d.status} to <{d.recipient}> via {d.relay}{extra}")
        )
    for line in ev.lines:
        parts.append(Text(f"  {line.file}:{line.line}: {line.raw}", style="cyan"))
    parts.append(_files(ev.files))
    return Group(*parts)


def render_timeline(tl: Timeline) -> RenderableType:
    """A message's life through our servers: one row per step, then the lines quoted."""
    if not tl.events:
        return Group(
            Text(f"{tl.query}: not found in the logs read", style="bold red"), _files(tl.files)
        )
    head = f"{tl.query}: queue ids {' -> '.join(tl.queue_ids)}"
    if tl.messages > 1:
        head += f" ({tl.messages} messages used this id; each step names its queue id)"
    table = Table(show_edge=False, pad_edge=False)
    for col in ("time", "server", "queue id", "step"):
        table.add_column(col, overflow="fold")
    for e in tl.events:
        when = e.time.strftime("%Y-%m-%d %H:%M:%S%z") if e.time else "?"
        server = "/".join(x for x in (e.server, e.service) if x)
        table.add_row(when, server, e.queue_id or "", e.text)
    lines = [Text(f"  {e.line.file}:{e.line.line}: {e.line.raw}", style="cyan") for e in tl.events]
    return Group(
        Text(head, style="bold"), table, Text("Lines:", style="bold"), *lines, _files(tl.files)
    )


def print_timeline(tl: Timeline, console: Console) -> None:
    console.print(render_timeline(tl))
