"""The join of a trace's hops to log lines, and what the verdict takes from it.

:func:`collect` reads the files (through :mod:`headertrace.logs.reader`, the I/O) for a set
of ids and follows the ids the lines lead to (a content filter's ``queued as NEWID`` forwards,
the line that re-queued an id backwards, an OpenSMTPD session to its message). Everything
else here is pure: :func:`lives` groups entries into one queue life per server, instance and
id (a Postfix id is reused once ``removed``); :func:`match` picks, for each hop our servers
wrote, the life of its queue id on that server whose arrival lies within the hop's time
plus or minus the skew allowance, and reads the facts; :func:`apply` writes them into the
trace: the evidence, findings where log and header disagree, and the verdict's sender.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone, tzinfo

from headertrace.addresses import normalise_ip
from headertrace.logs.reader import FileScan, scan_file
from headertrace.logs.records import TERMINAL, Entry
from headertrace.logs.syslog import Clock
from headertrace.models import (
    Confidence,
    Evidence,
    Finding,
    Hop,
    LogDelivery,
    LogEvidence,
    LogFileRead,
    LogLine,
    LogMatch,
    Severity,
    Trace,
)

MAX_ROUNDS = 6
"""Passes over the files while following ids (each finds ids the previous one led to)."""


@dataclass(frozen=True, slots=True)
class LogOptions:
    """How to read and match the logs."""

    skew: timedelta = timedelta(minutes=10)
    """How far a log's arrival time may be from the hop's header time (clock skew)."""
    follow: timedelta = timedelta(days=1)
    """How long after the last hop lines of the message are still looked for (deliveries,
    retries); reading an ordered file stops past it."""
    zone: tzinfo | None = None
    """The zone of log times that carry none; ``None``: the offset our server wrote in its
    own Received header (the log and the header come from the same clock)."""
    passwd: dict[int, str] | None = None
    """uid -> user name from the server's passwd file."""
    passwd_source: str | None = None
    """Where ``passwd`` came from, in words (``passwd FILE``, ``/etc/passwd on this machine``)."""


@dataclass(slots=True)
class Collected:
    entries: list[Entry] = field(default_factory=list)
    files: list[FileScan] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


def collect(
    paths: Sequence[str], ids: Iterable[str], clock: Clock, *, stop_after: datetime | None = None
) -> Collected:
    """Read ``paths`` for ``ids`` and every id their lines lead to."""
    out = Collected()
    wanted = {i for i in ids if i}
    scanned: set[str] = set()
    seen: set[tuple[str, int]] = set()
    scans: dict[str, FileScan] = {}
    for _ in range(MAX_ROUNDS):
        new = wanted - scanned
        if not new:
            break
        scanned |= new
        for path in paths:
            fs = scan_file(path, new, clock, stop_after=stop_after)
            prev = scans.get(path)
            if prev is None:
                scans[path] = fs
            else:
                prev.unreadable.extend(u for u in fs.unreadable if u not in prev.unreadable)
            for e in fs.entries:
                k = (e.line.file, e.line.line)
                if k not in seen:
                    seen.add(k)
                    out.entries.append(e)
        for e in out.entries:
            named = {e.key, e.facts.get("next_id"), e.facts.get("message_id"), *e.links}
            if named & wanted:
                wanted |= {x for x in (e.key, e.facts.get("next_id"), *e.links) if x}
    out.files = list(scans.values())
    out.ids = wanted
    return out


@dataclass(slots=True)
class Life:
    """One queue id's life on one server and instance."""

    key: str
    host: str | None
    service: str | None
    entries: list[Entry] = field(default_factory=list)

    @property
    def start(self) -> datetime | None:
        return next((e.time for e in self.entries if e.time is not None), None)

    def fact(self, name: str) -> str | None:
        return next((e.facts[name] for e in self.entries if name in e.facts), None)

    def facts_line(self, name: str) -> LogLine | None:
        return next((e.line for e in self.entries if name in e.facts), None)

    @property
    def family(self) -> str:
        return self.entries[0].family

    @property
    def next_ids(self) -> list[str]:
        return [e.facts["next_id"] for e in self.entries if "next_id" in e.facts]


def _short(host: str | None) -> str | None:
    return host.split(".", 1)[0].lower() if host else None


def _join_sessions(entries: list[Entry]) -> list[Entry]:
    """OpenSMTPD: session lines (keyed by session) copied to each message of the session."""
    by_session: dict[str, list[str]] = {}
    for e in entries:
        for s in e.links:
            if e.key and e.key not in by_session.setdefault(s, []):
                by_session[s].append(e.key)
    out: list[Entry] = []
    for e in entries:
        if e.family == "opensmtpd" and e.key in by_session and not e.links:
            out.extend(replace(e, key=m) for m in by_session[e.key])
        else:
            out.append(e)
    return out


_FAR = datetime(1, 1, 2, tzinfo=timezone.utc)


def lives(entries: list[Entry]) -> list[Life]:
    """Group entries into queue lives, in time order; an id used again after its
    ``removed``/``Completed`` starts a new life."""
    ordered = sorted(
        _join_sessions(entries), key=lambda e: (e.time or _FAR, e.line.file, e.line.line)
    )
    open_: dict[tuple[str | None, str | None, str | None], Life] = {}
    out: list[Life] = []
    for e in ordered:
        if e.key is None:
            continue
        k = (_short(e.host), e.service, e.key)
        life = open_.get(k)
        if life is None or (life.entries and life.entries[-1].event in TERMINAL):
            life = Life(e.key, e.host, e.service)
            open_[k] = life
            out.append(life)
        life.entries.append(e)
    return out


@dataclass(slots=True)
class _HopMatch:
    hop: Hop
    life: Life | None = None
    rejected: list[tuple[Life, str]] = field(default_factory=list)
    ambiguous: list[Life] = field(default_factory=list)


def _match_hop(
    hop: Hop, all_lives: list[Life], message_id: str | None, skew: timedelta
) -> _HopMatch:
    result = _HopMatch(hop)
    keys = {hop.id} if hop.id else set()
    if message_id:
        keys.add(message_id)  # only Exchange lives are keyed by Message-ID
    ok: list[Life] = []
    for life in all_lives:
        if life.key not in keys:
            continue
        if life.host and hop.server.host and _short(life.host) != _short(hop.server.host):
            result.rejected.append((life, f"written by {life.host}, not {hop.server.host}"))
            continue
        start = life.start
        if hop.timestamp is not None and start is not None and abs(start - hop.timestamp) > skew:
            result.rejected.append(
                (
                    life,
                    f"queued at {start.isoformat()}, outside {hop.timestamp.isoformat()} "
                    f"± {int(skew.total_seconds())} s (a reused id)",
                )
            )
            continue
        ok.append(life)
    if ok:
        when = hop.timestamp

        def distance(life: Life) -> float:
            s = life.start
            return abs((s - when).total_seconds()) if s and when else 0.0

        ok.sort(key=distance)
        result.life = ok[0]
        result.ambiguous = ok[1:]
    return result


def _same_message_elsewhere(
    hop: Hop, all_lives: list[Life], message_id: str | None, skew: timedelta
) -> Life | None:
    """A life on the hop's server carrying the message's Message-ID near the hop's time."""
    if not message_id:
        return None
    for life in all_lives:
        if life.key == message_id or life.fact("message_id") != message_id:
            continue
        if life.host and hop.server.host and _short(life.host) != _short(hop.server.host):
            continue
        start = life.start
        if hop.timestamp is not None and start is not None and abs(start - hop.timestamp) > skew:
            continue
        return life
    return None


def _linked(
    chosen: list[Life], all_lives: list[Life], skew: timedelta, rank: dict[int, float]
) -> list[Life]:
    """The chosen lives and those a content filter's ``queued as`` joins to them, oldest
    first: by arrival time, then by the hop order (``rank``: the matched hop's index; a
    joined life ranks just after or before the one it was joined to)."""
    out = list(chosen)
    changed = True
    while changed:
        changed = False
        for life in all_lives:
            if any(life is o for o in out):
                continue
            for c in out:
                forward = life.key in c.next_ids
                backward = c.key in life.next_ids
                if not (forward or backward) or _short(life.host) != _short(c.host):
                    continue
                a, b = life.start, c.start
                if a and b and abs(a - b) > skew + timedelta(hours=1) and backward:
                    continue
                rank[id(life)] = rank.get(id(c), 0.0) + (0.5 if forward else -0.5)
                out.append(life)
                changed = True
                break
    return sorted(out, key=lambda li: (li.start or _FAR, rank.get(id(li), 0.0)))


def _ip(value: str | None) -> str | None:
    return normalise_ip(value) if value else None


def match(
    trace: Trace,
    hops: Sequence[Hop],
    collected: Collected,
    options: LogOptions,
    *,
    entry_hop: int | None,
) -> tuple[LogEvidence, list[Finding]]:
    """The log evidence for ``hops`` (ours, newest first or any order) and the findings."""
    all_lives = lives(collected.entries)
    mid = trace.message.message_id
    files = tuple(f.read for f in collected.files)
    findings: list[Finding] = []
    matched = [_match_hop(h, all_lives, mid, options.skew) for h in hops]
    chosen = [m for m in matched if m.life is not None]
    where = _where(files)
    for f in collected.files:
        if f.error:
            findings.append(
                _finding(
                    "log-file-unreadable",
                    "warning",
                    None,
                    f"could not read {f.read.path}: {f.error}",
                )
            )
    for m in matched:
        hid = m.hop.id or mid
        for life, why in m.rejected[:3]:
            findings.append(
                _finding(
                    "log-id-rejected",
                    "info" if m.life is not None else "warning",
                    m.hop.index,
                    f"queue id {hid} of hop {m.hop.index} is also in the log for another "
                    f"message: {why}; not taken",
                    [_quote(e.line) for e in life.entries[:2]],
                )
            )
        if m.life is None and not m.rejected:
            findings.append(
                _finding(
                    "log-queue-id-not-found",
                    "warning",
                    m.hop.index,
                    f"queue id {hid} of hop {m.hop.index} is not in the logs read: {where}",
                )
            )
            other = _same_message_elsewhere(m.hop, all_lives, mid, options.skew)
            if other is not None:
                findings.append(
                    _finding(
                        "log-message-id-under-other-id",
                        "warning",
                        m.hop.index,
                        f"the message's Message-ID is in the log under queue id {other.key} "
                        f"(not {hid}), within the hop's time window: the Received header's id "
                        "may be forged, or written by another instance",
                        [_quote(e.line) for e in other.entries[:2]],
                    )
                )
        if m.ambiguous:
            findings.append(
                _finding(
                    "log-ambiguous",
                    "warning",
                    m.hop.index,
                    f"queue id {hid} has {1 + len(m.ambiguous)} lives within the window "
                    "(interleaved instances or servers); the nearest in time was taken",
                    [_quote(li.entries[0].line) for li in m.ambiguous[:3]],
                )
            )
    ends = [f.last for f in files if f.last is not None]
    stamps = [h.timestamp for h in hops if h.timestamp is not None]
    if not chosen and ends and stamps and max(ends) < min(stamps) - options.skew:
        findings.append(
            _finding(
                "log-ends-before-message",
                "warning",
                None,
                f"the logs end at {max(ends).isoformat()}, before the message reached our "
                f"servers ({min(stamps).isoformat()}): a later log file is needed",
            )
        )
    unreadable = [u for f in collected.files for u in f.unreadable]
    if unreadable:
        findings.append(
            _finding(
                "log-unreadable-lines",
                "warning",
                None,
                f"{len(unreadable)} log line(s) naming the message's ids could not be read "
                "(truncated, binary or of an unknown program)",
                [_quote(u) for u in unreadable[:5]],
            )
        )
    if not hops:
        findings.append(
            _finding(
                "log-no-hop-to-look-up",
                "info",
                None,
                "no hop of ours to look up in the logs (the custody walk verified none): "
                + (f"only the Message-ID was searched; {where}" if mid else "nothing was searched"),
            )
        )
    if not chosen:
        ev = LogEvidence(match="none", files=files)
        return ev, findings

    chosen_lives = [m.life for m in chosen if m.life is not None]
    rank = {id(m.life): float(m.hop.index) for m in chosen}
    every = _linked(chosen_lives, all_lives, options.skew, rank)
    entry_match = next((m for m in chosen if m.hop.index == entry_hop), None)
    first = entry_match.life if entry_match and entry_match.life else every[0]
    assert first is not None
    weak: list[str] = []
    if entry_hop is not None and entry_match is None:
        weak.append("the entry hop's queue id was not matched")
    if any(m.ambiguous for m in chosen):
        weak.append("a queue id had several candidate lives")
    if unreadable:
        weak.append("some lines naming the ids could not be read")

    client_ip = _ip(first.fact("client_ip"))
    hop_ip = _ip(entry_match.hop.client.ip) if entry_match else None
    if entry_match and client_ip and hop_ip and client_ip != hop_ip:
        weak.append("the log's client differs from the header's")
        findings.append(
            _finding(
                "log-client-differs",
                "critical",
                entry_match.hop.index,
                f"the log says the client was {client_ip}, the Received header says "
                f"{hop_ip}: the header is forged, or this is another server's log",
                [
                    Evidence.received(entry_match.hop.raw),
                    _quote(first.facts_line("client_ip") or first.entries[0].line),
                ],
            )
        )
    log_mid = next((li.fact("message_id") for li in every if li.fact("message_id")), None)
    if log_mid and mid and log_mid != mid:
        weak.append("the Message-ID differs")
        findings.append(
            _finding(
                "log-message-id-differs",
                "warning",
                entry_hop,
                f"the log's Message-ID <{log_mid}> is not the message's <{mid}>: "
                "the queue id was probably reused",
                [
                    _quote(
                        next(
                            li.facts_line("message_id")
                            for li in every
                            if li.facts_line("message_id")
                        )
                        or first.entries[0].line
                    )
                ],
            )
        )
    zoned = [f for f in collected.files if f.zone_assumed]
    if zoned:
        zone = options.zone or (first.start.tzinfo if first.start else None)
        findings.append(
            _finding(
                "log-time-zone-assumed",
                "info",
                None,
                f"{', '.join(f.read.path for f in zoned)}: the times carry no zone; read "
                f"as {zone} (the offset our server wrote in its Received header)",
            )
        )

    # A uid or user is the submitter's only where the message entered locally (no network
    # client): sendmail's ctladdr on a later delivery is the recipient's, Exim's U= on an
    # SMTP arrival is the daemon's.
    local = client_ip is None and first.fact("client_name") is None
    uid_text = first.fact("uid") if local else None
    uid = int(uid_text) if uid_text and uid_text.isdigit() else None
    user = first.fact("user") if local else None
    user_source = "log" if user and uid is None else None
    if uid is not None:
        named = (options.passwd or {}).get(uid)
        if named:
            user, user_source = named, options.passwd_source
        else:
            user = None
    recipients = tuple(
        LogDelivery(
            recipient=e.facts.get("recipient"),
            status=e.facts.get("status"),
            relay=e.facts.get("relay"),
            dsn=e.facts.get("dsn"),
            detail=e.facts.get("detail"),
            queue_id=e.key,
            next_id=e.facts.get("next_id"),
        )
        for li in every
        for e in li.entries
        if e.event == "delivery"
    )
    lines = tuple(
        e.line
        for e in sorted(
            (e for li in every for e in li.entries), key=lambda e: (e.line.file, e.line.line)
        )
    )
    strength: LogMatch = "weak" if weak else "strong"
    if weak:
        findings.append(
            _finding(
                "log-weak-match",
                "warning",
                entry_hop,
                "the log lines found do not fit the message well ("
                + "; ".join(weak)
                + "): their account and user are not used",
            )
        )
    ev = LogEvidence(
        match=strength,
        hops=tuple(sorted(m.hop.index for m in chosen)),
        server=first.host,
        software=first.family,
        queue_ids=tuple(dict.fromkeys(li.key for li in every)),
        message_id=log_mid,
        client_ip=client_ip,
        client_name=first.fact("client_name"),
        account=first.fact("account"),
        auth_method=first.fact("auth_method"),
        uid=uid,
        user=user,
        user_source=user_source,
        envelope_from=first.fact("sender"),
        recipients=recipients,
        lines=lines,
        files=files,
    )
    return ev, findings


def _where(files: Sequence[LogFileRead]) -> str:
    if not files:
        return "no files"
    parts = []
    for f in files:
        span = (
            f"{f.first.isoformat()} to {f.last.isoformat()}" if f.first and f.last else "no times"
        )
        cut = ", stopped past the window" if f.stopped_early else ""
        parts.append(f"{f.path} ({f.lines} lines, {span}{cut})")
    return "; ".join(parts)


def _quote(line: LogLine) -> Evidence:
    return Evidence.note(f"{line.file}:{line.line}: {line.raw}")


def _finding(
    code: str,
    severity: Severity,
    hop: int | None,
    message: str,
    evidence: Sequence[Evidence] = (),
) -> Finding:
    return Finding(
        code=code,
        severity=severity,
        hop=hop,
        message=message,
        evidence=tuple(evidence),
    )


_RAISE: dict[Confidence, Confidence] = {"low": "medium", "medium": "high", "high": "high"}


def apply(trace: Trace, ev: LogEvidence, findings: Sequence[Finding]) -> Trace:
    """The trace with the log evidence, its findings, and a verdict that uses a strong match."""
    verdict = trace.verdict
    extra = list(findings)
    if verdict is not None and ev.match == "strong":
        sender = verdict.sender
        words: list[str] = []
        quoted: list[Evidence] = []
        confidence = verdict.confidence
        agrees = False
        where = ev.server or "our server"
        if ev.account:
            line = _line_with(ev, ev.account)
            sender = replace(sender, account=ev.account)
            words.append(
                f"the mail log of {where} names the login {ev.account}"
                + (f" ({ev.auth_method})" if ev.auth_method else "")
            )
            quoted.extend(_quote(x) for x in line)
            if verdict.kind == "authenticated_relay":
                agrees = True
            elif verdict.kind in ("open_relay", "inbound", "internal_origin"):
                extra.append(
                    _finding(
                        "log-auth-not-in-header",
                        "warning",
                        verdict.hop,
                        f"the log shows a login ({ev.account}) that the Received header does not",
                        list(quoted),
                    )
                )
        if ev.uid is not None or (ev.user and ev.user_source == "log"):
            who = ev.user or f"uid {ev.uid}"
            if ev.uid is not None and ev.user:
                who = f"{ev.user} (uid {ev.uid}, named from {ev.user_source})"
            elif ev.uid is not None:
                who = f"uid {ev.uid} (no passwd file named it)"
            sender = replace(sender, account=ev.user or sender.account or f"uid {ev.uid}")
            words.append(f"the mail log of {where} says {who} submitted it")
            quoted.extend(
                _quote(x)
                for x in _line_with(ev, f"uid={ev.uid}" if ev.uid is not None else ev.user or "")
            )
            if verdict.kind == "local_injection":
                agrees = True
        if ev.client_ip and verdict.sender.ip and ev.client_ip == _ip(verdict.sender.ip):
            agrees = True
        if agrees:
            confidence = _RAISE[confidence]
        if words or agrees:
            summary = verdict.summary
            if words:
                summary = f"{summary.rstrip('.')}. From the log: " + "; ".join(words) + "."
            if agrees and confidence != verdict.confidence:
                summary += " The log and the header agree."
            verdict = replace(
                verdict,
                sender=sender,
                confidence=confidence,
                summary=summary,
                evidence=(*verdict.evidence, *quoted),
            )
    return replace(trace, verdict=verdict, findings=(*trace.findings, *extra), log=ev)


def _line_with(ev: LogEvidence, needle: str) -> list[LogLine]:
    return [x for x in ev.lines if needle and needle in x.raw][:1]
