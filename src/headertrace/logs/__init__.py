"""The answer from the server's own log: mail-log readers and the join to a trace's hops.

One module per log family (:mod:`~headertrace.logs.postfix`, :mod:`~headertrace.logs.exim`,
:mod:`~headertrace.logs.sendmail`, :mod:`~headertrace.logs.opensmtpd`,
:mod:`~headertrace.logs.exchange`; journald's ``-o short-iso`` and ``-o json`` exports carry
the same lines and are read by :mod:`~headertrace.logs.reader`), the records they produce
(:mod:`~headertrace.logs.records`), the reading (:mod:`~headertrace.logs.reader`, the only
I/O) and the matcher (:mod:`~headertrace.logs.matcher`).

:func:`attach` adds log evidence to a trace (``headertrace.trace(..., logs=[...])`` calls it);
:func:`timeline` gives one message's life by queue id or Message-ID.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from headertrace.judge.custody import walk
from headertrace.judge.org import Organisation
from headertrace.logs.matcher import Collected, LogOptions, apply, collect, lives, match
from headertrace.logs.records import Entry, Timeline, TimelineEvent
from headertrace.logs.syslog import Clock
from headertrace.models import Hop, Trace

__all__ = [
    "LogOptions",
    "Timeline",
    "TimelineEvent",
    "attach",
    "attach_all",
    "read_passwd",
    "timeline",
]

PathLike = str | os.PathLike[str]
_EARLY = datetime(1, 1, 2, tzinfo=timezone.utc)


def read_passwd(path: PathLike) -> dict[int, str]:
    """uid -> name from a passwd file (``name:x:uid:...``); unreadable lines are skipped."""
    out: dict[int, str] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split(":")
            if len(parts) >= 3 and parts[2].isdigit():
                out.setdefault(int(parts[2]), parts[0])
    return out


def _our_hops(trace: Trace, org: Organisation | None) -> tuple[list[Hop], int | None]:
    """The hops to look up: every verified hop of ours (with an organisation), else every
    hop that has a queue id; and the entry hop."""
    hops = list(trace.hops)
    if org is not None:
        custody = walk(hops, org)
        ours = [hops[i] for i in custody.verified]
        return ours, custody.entry
    with_id = [h for h in hops if h.id]
    return with_id, (with_id[0].index if with_id else None)


def _local_passwd(options: LogOptions, server: str | None) -> LogOptions:
    """Name uids from /etc/passwd when this machine is the log's server."""
    if options.passwd is not None or not server:
        return options
    here = socket.gethostname().split(".", 1)[0].lower()
    if here != server.split(".", 1)[0].lower() or not Path("/etc/passwd").exists():
        return options
    try:
        table = read_passwd("/etc/passwd")
    except OSError:
        return options
    return LogOptions(
        skew=options.skew,
        follow=options.follow,
        zone=options.zone,
        passwd=table,
        passwd_source="/etc/passwd on this machine",
    )


def attach(
    trace: Trace,
    org: Organisation | None,
    paths: Sequence[PathLike],
    options: LogOptions | None = None,
) -> Trace:
    """``trace`` with what the mail logs at ``paths`` say (``Trace.log``), the findings where
    log and header disagree, and a verdict that uses a strong match. Never raises on bad
    logs: an unreadable file is a finding."""
    options = options or LogOptions()
    hops, entry = _our_hops(trace, org)
    stamps = [h.timestamp for h in hops if h.timestamp is not None]
    hint = max(stamps) if stamps else None
    zone = options.zone or (hint.tzinfo if hint and hint.tzinfo else timezone.utc)
    clock = Clock(year_hint=hint, zone=zone)
    ids = [h.id for h in hops if h.id]
    if trace.message.message_id:
        ids.append(trace.message.message_id)
    stop = hint + options.skew + options.follow if hint else None
    collected = collect([str(p) for p in paths], ids, clock, stop_after=stop)
    servers = [e.host for e in collected.entries if e.host]
    ev, findings = match(
        trace,
        hops,
        collected,
        _local_passwd(options, servers[0] if servers else None),
        entry_hop=entry,
    )
    return apply(trace, ev, findings)


def attach_all(
    traces: Sequence[Trace],
    org: Organisation | None,
    paths: Sequence[PathLike],
    options: LogOptions | None = None,
) -> list[Trace]:
    """:func:`attach` for many traces with one read of the logs (what ``scan --log`` does a
    batch at a time): the queue ids and Message-IDs of every trace are looked for together,
    then each trace is matched against the lines its own ids lead to. Log times written
    without a year or a zone are read with the newest hop of the batch as the hint (give
    ``LogOptions.zone`` when the batch mixes zones)."""
    options = options or LogOptions()
    plans = []
    wanted: set[str] = set()
    hints: list[datetime | None] = []
    for t in traces:
        hops, entry = _our_hops(t, org)
        stamps = [h.timestamp for h in hops if h.timestamp is not None]
        ids = [h.id for h in hops if h.id]
        if t.message.message_id:
            ids.append(t.message.message_id)
        plans.append((t, hops, entry, ids))
        wanted.update(ids)
        hints.append(max(stamps) if stamps else None)
    known = [h for h in hints if h is not None]
    hint = max(known) if known else None
    zone = options.zone or (hint.tzinfo if hint and hint.tzinfo else timezone.utc)
    stop = hint + options.skew + options.follow if hint and len(known) == len(hints) else None
    clock = Clock(year_hint=hint, zone=zone)
    collected = collect([str(p) for p in paths], wanted, clock, stop_after=stop)
    servers = [e.host for e in collected.entries if e.host]
    local = _local_passwd(options, servers[0] if servers else None)
    named = _by_name(collected.entries)
    out = []
    for t, hops, entry, ids in plans:
        ev, findings = match(t, hops, _own_lines(collected, ids, named), local, entry_hop=entry)
        out.append(apply(t, ev, findings))
    return out


def _names(e: Entry) -> set[str]:
    """The ids a line names: its own, the next server's, the Message-ID, its links."""
    return {x for x in (e.key, e.facts.get("next_id"), e.facts.get("message_id"), *e.links) if x}


def _by_name(entries: Sequence[Entry]) -> dict[str, list[tuple[int, Entry]]]:
    """Each id named in the batch's lines -> (position in the batch, line)."""
    index: dict[str, list[tuple[int, Entry]]] = {}
    for position, e in enumerate(entries):
        for name in _names(e):
            index.setdefault(name, []).append((position, e))
    return index


def _own_lines(
    collected: Collected, ids: Sequence[str], named: dict[str, list[tuple[int, Entry]]]
) -> Collected:
    """The part of a batch's lines that one message's ids lead to, in the order they were
    read, as :func:`collect` would have found for that message alone (the same following
    of ids)."""
    wanted = {i for i in ids if i}
    todo = list(wanted)
    seen: dict[int, Entry] = {}
    while todo:
        for position, e in named.get(todo.pop(), ()):
            if position in seen:
                continue
            seen[position] = e
            for x in (e.key, e.facts.get("next_id"), *e.links):
                if x and x not in wanted:
                    wanted.add(x)
                    todo.append(x)
    entries = [seen[p] for p in sorted(seen)]
    return Collected(entries=entries, files=collected.files, ids=wanted)


def _describe(e: Entry) -> str:
    f = e.facts
    if e.event == "arrival":
        bits = []
        if "client_ip" in f or "client_name" in f:
            bits.append(f"from {f.get('client_name', 'unknown')}[{f.get('client_ip', '?')}]")
        if "uid" in f:
            bits.append(f"local submission by uid {f['uid']}")
        if "user" in f:
            bits.append(f"user {f['user']}")
        if "account" in f:
            bits.append(
                f"login {f['account']}" + (f" ({f['auth_method']})" if "auth_method" in f else "")
            )
        if "sender" in f:
            bits.append(f"sender <{f['sender']}>")
        return "arrival " + ", ".join(bits) if bits else "arrival"
    if e.event == "auth":
        return f"login {f.get('account', '?')}" if "account" in f else f.get("detail", "login")
    if e.event == "message-id":
        return f"message-id <{f.get('message_id', '')}>"
    if e.event == "queued":
        parts = [f"sender <{f['sender']}>"] if "sender" in f else []
        parts += [f"{k}={f[k]}" for k in ("size", "nrcpt") if k in f]
        return "queued " + ", ".join(parts)
    if e.event == "delivery":
        text = f"{f.get('status', '?')} to <{f.get('recipient', '')}>"
        if "relay" in f:
            text += f" via {f['relay']}"
        if "next_id" in f:
            text += f" (filter: queued as {f['next_id']})"
        elif "detail" in f:
            text += f" ({f['detail']})"
        return text
    if e.event == "removed":
        return "removed from the queue"
    return e.line.raw.split(": ", 1)[-1][:120]


def timeline(
    ident: str,
    paths: Sequence[PathLike],
    *,
    zone: timezone | None = None,
    year_hint: datetime | None = None,
) -> Timeline:
    """One message's life through our servers, by queue id or Message-ID (``<...>`` or
    bare; anything with an ``@`` is taken as a Message-ID). Reads every file whole (no
    time window); times without a zone are read in ``zone`` (default UTC), years of RFC
    3164 dates are the ones nearest ``year_hint`` (default: each file's modification time)."""
    query = ident.strip().removeprefix("<").removesuffix(">")
    if year_hint is None:
        mtimes = [Path(p).stat().st_mtime for p in paths if Path(p).exists()]
        year_hint = datetime.fromtimestamp(max(mtimes), tz=timezone.utc) if mtimes else None
    clock = Clock(year_hint=year_hint, zone=zone or timezone.utc)
    collected = collect([str(p) for p in paths], [query], clock)
    all_lives = lives(collected.entries)
    hit = [
        li
        for li in all_lives
        if li.key == query or any(e.facts.get("message_id") == query for e in li.entries)
    ]
    chain = list(hit)
    changed = True
    while changed:
        changed = False
        for li in all_lives:
            if li in chain:
                continue
            if any(li.key in c.next_ids for c in chain) or any(c.key in li.next_ids for c in chain):
                chain.append(li)
                changed = True
    entries = sorted(
        (e for li in chain for e in li.entries),
        key=lambda e: (e.time or _EARLY, e.line.file, e.line.line),
    )
    events = tuple(
        TimelineEvent(e.time, e.host, e.service, e.key, e.event, _describe(e), e.line)
        for e in entries
    )
    return Timeline(
        query=query,
        queue_ids=tuple(dict.fromkeys(e.key for e in entries if e.key)),
        events=events,
        files=tuple(f.read for f in collected.files),
        messages=len(hit),
    )
