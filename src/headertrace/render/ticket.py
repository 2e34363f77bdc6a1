"""Ticket-ready text of a trace: ``headertrace report --markdown`` and ``--text``.

The headline, what to do next, the evidence quoted, the findings that need a person, where
the message was found. Deterministic (no clock), so golden files pin it. Header text is
written by the sender: Markdown escapes it (a ticket system that renders HTML in Markdown
gets ``\\<script>``, never a tag) and quotes header lines in a code fence longer than any
backtick run inside; both forms show control and bidirectional characters as ``<U+202E>``.
"""

from __future__ import annotations

import re
import textwrap

from headertrace.models import Trace
from headertrace.render.html import visible
from headertrace.render.report import Report, build

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def md(text: str) -> str:
    """Free text for Markdown: visible and with every special character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", visible(text))


def _fence(lines: list[str]) -> list[str]:
    longest = max((len(m) for line in lines for m in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *lines, fence]


def _attention(report: Report) -> list[str]:
    """Findings worth a ticket: critical and warning."""
    out = []
    for f in report.findings:
        if f.severity == "info":
            continue
        where = f" (hop {f.hop})" if f.hop is not None else ""
        out.append(f"[{f.severity}] {f.code}{where}: {f.message}")
    return out


def _facts(report: Report, trace: Trace) -> list[str]:
    facts = [f"Confidence: {report.confidence}", f"Found in: {report.found_in}"]
    s = trace.verdict.sender if trace.verdict is not None else None
    if s is not None and report.kind != "no_organisation":
        who = ", ".join(
            f"{name} {value}"
            for name, value in (
                ("address", s.ip),
                ("rDNS", s.rdns),
                ("HELO", s.helo),
                ("account", s.account),
                ("script", s.script),
            )
            if value
        )
        if who:
            facts.append(f"Sender: {who}")
    if trace.verdict is not None and trace.verdict.hop is not None and trace.verdict.custody:
        facts.append(f"Entry hop: {trace.verdict.hop} of {len(trace.hops)}")
    if report.sender_abuse:
        facts.append("Abuse contact of the origin network: " + ", ".join(report.sender_abuse))
    m = trace.message
    if m.subject:
        subject = m.subject if len(m.subject) <= 200 else m.subject[:199] + "…"
        facts.append(f"Subject: {subject}")
    if m.date:
        facts.append(f"Date: {m.date}")
    if m.message_id:
        facts.append(f"Message-ID: {m.message_id}")
    return facts


def render_markdown(trace: Trace) -> str:
    """The trace as Markdown for a ticket."""
    r = build(trace)
    out = [f"## {md(r.title)}", "", f"**{md(r.summary)}**", ""]
    out.extend(f"- {md(fact)}" for fact in _facts(r, trace))
    if r.next_steps:
        out += ["", "### What to do next", ""]
        out.extend(f"{k}. {md(step)}" for k, step in enumerate(r.next_steps, 1))
    out += ["", "### Evidence", ""]
    if r.evidence:
        out.extend(_fence([visible(line) for line in r.evidence]))
    else:
        out.append("No header lines were quoted for this verdict.")
    attention = _attention(r)
    if attention:
        out += ["", "### Findings", ""]
        out.extend(f"- {md(line)}" for line in attention)
    if r.log:
        out += ["", "### Server log", ""]
        out.extend(_fence([visible(line) for line in r.log]))
    out += ["", "_Traced with headertrace; header text is quoted as found._", ""]
    return "\n".join(out)


def _wrapped(text: str, indent: str = "", hang: int = 2) -> list[str]:
    return textwrap.wrap(
        visible(text),
        width=78,
        initial_indent=indent,
        subsequent_indent=indent + " " * hang,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [indent]


def render_text(trace: Trace) -> str:
    """The trace as plain text for a ticket or an e-mail (78 columns but for quoted lines)."""
    r = build(trace)
    out = [*_wrapped(f"{r.title.upper()}: {r.summary}"), ""]
    for fact in _facts(r, trace):
        out.extend(_wrapped(fact))
    if r.next_steps:
        out += ["", "What to do next:"]
        for k, step in enumerate(r.next_steps, 1):
            out.extend(_wrapped(f"{k}. {step}", "  ", hang=len(f"{k}. ")))
    out += ["", "Evidence (header lines as found):"]
    if r.evidence:
        out.extend(f"  {visible(line)}" for line in r.evidence)
    else:
        out.append("  none quoted for this verdict")
    attention = _attention(r)
    if attention:
        out += ["", "Findings:"]
        for line in attention:
            out.extend(_wrapped(line, "  "))
    if r.log:
        out += ["", "Server log:"]
        out.extend(f"  {visible(line)}" for line in r.log)
    out.append("")
    return "\n".join(out)
