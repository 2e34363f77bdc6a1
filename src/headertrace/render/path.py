"""The picture of the path, as geometry: one node per hop from the origin to the final
mailbox, arrows between them, the organisation's verified hops in a band.

Pure layout (numbers and strings): the HTML template draws it as SVG and escapes every text,
so nothing here writes markup. One column, oldest at the top, so a chain of 1 hop and one of
40 both read top to bottom and scale down to a phone's width; long names are shortened here
(the full text goes in each node's tooltip and in the hop table).
"""

from __future__ import annotations

from dataclasses import dataclass

from headertrace.models import Trace
from headertrace.render.report import claims_below, client_text, delay_text

WIDTH = 380
MARGIN = 14
NODE_X = 30
NODE_W = WIDTH - NODE_X - 10
ORIGIN_H = 34
MAX_CHARS = 44
"""Characters of a node's line at 12 px monospace inside NODE_W."""


@dataclass(frozen=True, slots=True)
class Node:
    hop: int
    x: int
    y: int
    w: int
    h: int
    title: str
    """First line: which server wrote the hop."""
    detail: str
    """Second line: the client it recorded."""
    tooltip: str
    tags: tuple[str, ...]
    """``entry``, ``ours``, ``claim``, ``final``, ``local``, ``unparsed``."""
    badge: str
    """A short word at the node's right edge (``ENTRY``, ``CLAIM``, ``MAILBOX``)."""


@dataclass(frozen=True, slots=True)
class Arrow:
    x: int
    y1: int
    y2: int
    label: str
    marks: tuple[str, ...]
    """``tls``, ``auth``, ``noauth``, ``timetravel``, ``break``, ``claim``."""
    warning: str
    """A red note on the arrow: ``time travel``, ``custody break``."""


@dataclass(frozen=True, slots=True)
class Band:
    y: int
    h: int
    label: str
    label_y: int = 0
    """Where the label is centred (the middle of the part of the band a slice shows)."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A slice of the picture drawn as one ``<svg>``: the slices stack without a seam on
    screen, and each fits on a printed page (an SVG cannot break across pages)."""

    y: int
    h: int
    nodes: tuple[Node, ...]
    arrows: tuple[Arrow, ...]
    """The arrows into this slice's nodes."""
    bands: tuple[Band, ...]
    """The bands that reach into this slice, cut to it."""
    origin: bool
    """The slice starts with the origin."""
    stub: Arrow | None
    """The start of the arrow into the next slice's first node, cut to this slice."""
    first_hop: int
    last_hop: int


@dataclass(frozen=True, slots=True)
class Picture:
    width: int
    height: int
    origin_label: str
    origin_x: int
    origin_y: int
    nodes: tuple[Node, ...]
    arrows: tuple[Arrow, ...]
    bands: tuple[Band, ...]
    tone: str
    description: str
    segments: tuple[Segment, ...] = ()


SEGMENT_HOPS = 8
"""Hops per slice: 8 fit on an A4 or Letter page at the printed scale."""
SEGMENT_PAD = 10
"""How far below its last node a slice ends (below a band's edge and the node's stroke)."""


def _segments(
    nodes: list[Node], arrows: list[Arrow], bands: list[Band], height: int
) -> tuple[Segment, ...]:
    out: list[Segment] = []
    top = 0
    for start in range(0, len(nodes), SEGMENT_HOPS):
        chunk = nodes[start : start + SEGMENT_HOPS]
        last = start + len(chunk) >= len(nodes)
        bottom = height if last else chunk[-1].y + chunk[-1].h + SEGMENT_PAD
        cut = []
        for b in bands:
            y0, y1 = max(b.y, top), min(b.y + b.h, bottom)
            if y1 > y0:
                label = b.label if len(b.label) * 7 + 12 <= y1 - y0 else "ours"
                cut.append(
                    Band(
                        y=b.y,
                        h=b.h,
                        label=label if y1 - y0 >= 40 else "",
                        label_y=(y0 + y1) // 2,
                    )
                )
        stub = None
        if not last:
            nxt = arrows[start + len(chunk)]
            stub = Arrow(x=nxt.x, y1=nxt.y1, y2=bottom, label="", marks=nxt.marks, warning="")
        out.append(
            Segment(
                y=top,
                h=bottom - top,
                nodes=tuple(chunk),
                arrows=tuple(arrows[start : start + len(chunk)]),
                bands=tuple(cut),
                origin=start == 0,
                stub=stub,
                first_hop=chunk[0].hop,
                last_hop=chunk[-1].hop,
            )
        )
        top = bottom
    return tuple(out)


def shorten(text: str, limit: int = MAX_CHARS) -> str:
    """``text`` in at most ``limit`` characters; an address at its end (``[192.0.2.1]``) is
    kept whole and the names before it are cut instead."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head, sep, tail = text.rpartition(" [")
    if sep and tail.endswith("]") and len(tail) + 2 <= limit - 8:
        keep = limit - len(tail) - 2
        return head[: keep - 1] + "…" + sep + tail
    return text[: limit - 1] + "…"


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in sorted(indices):
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def layout(trace: Trace, tone: str = "none", org_label: str = "our servers") -> Picture:
    """The path of ``trace``, laid out top (origin) to bottom (final mailbox)."""
    hops = trace.hops
    many = len(hops) > 12
    node_h = 40 if many else 46
    gap = 34 if many else 40
    v = trace.verdict
    ours = set(v.custody) if v is not None else set()
    entry = v.hop if v is not None and v.custody else None
    floor = claims_below(trace)
    breaks = {f.hop for f in trace.findings if f.code == "custody-break" and f.hop is not None}
    forged = {f.hop for f in trace.findings if f.code == "our-server-forged" and f.hop is not None}
    travel = {f.hop for f in trace.findings if f.code == "time-travel" and f.hop is not None}
    first = hops[0] if hops else None
    origin_label = shorten("origin: " + (client_text(first) if first else "no hops"), 38)
    y = MARGIN + ORIGIN_H + gap
    nodes: list[Node] = []
    arrows: list[Arrow] = []
    cx = NODE_X + 40
    prev_bottom = MARGIN + ORIGIN_H
    for k, hop in enumerate(hops):
        tags: list[str] = []
        badge = ""
        if hop.index in ours:
            tags.append("ours")
        if hop.index < floor:
            tags.append("claim")
            badge = "CLAIM"
        if hop.index in forged:
            tags.append("forged")
            badge = "FORGED"
        if hop.index == entry:
            tags.append("entry")
            badge = "ENTRY"
        if k == len(hops) - 1:
            tags.append("final")
            badge = badge or "MAILBOX"
        if hop.kind == "local":
            tags.append("local")
        if hop.status == "unparsed":
            tags.append("unparsed")
        server = hop.server.host or hop.server.ip or "?"
        title = shorten(f"{hop.index}  by {server}", MAX_CHARS - len(badge) - 2)
        detail = shorten(f"from {client_text(hop)}")
        when = hop.timestamp.isoformat() if hop.timestamp else "no time"
        tooltip = f"hop {hop.index}: from {client_text(hop)} by {server}"
        tooltip += f" with {hop.protocol or '?'}; {when}"
        marks: list[str] = []
        bits: list[str] = []
        if hop.delay_seconds is not None:
            bits.append(delay_text(hop.delay_seconds))
        if hop.tls is not None:
            marks.append("tls")
            bits.append(_tls_bit(hop.tls.version))
        if hop.auth.authenticated:
            marks.append("auth")
            bits.append("auth " + (hop.auth.identity or hop.auth.mechanism or "yes"))
        elif hop.auth.authenticated is False:
            marks.append("noauth")
            bits.append("no auth")
        if hop.protocol:
            bits.append(hop.protocol)
        warning = ""
        if hop.index in travel or (hop.delay_seconds is not None and hop.delay_seconds < 0):
            marks.append("timetravel")
            warning = "time travel"
        if hop.index in breaks:
            marks.append("break")
            warning = (warning + ", " if warning else "") + "custody break"
        if hop.index < floor:
            marks.append("claim")
        if hop.index == entry:
            marks.append("entry")
        arrows.append(
            Arrow(
                x=cx,
                y1=prev_bottom,
                y2=y,
                label=shorten(" · ".join(b.strip() for b in bits if b.strip()), 40),
                marks=tuple(marks),
                warning=warning,
            )
        )
        nodes.append(
            Node(
                hop=hop.index,
                x=NODE_X,
                y=y,
                w=NODE_W,
                h=node_h,
                title=title,
                detail=detail,
                tooltip=tooltip,
                tags=tuple(tags),
                badge=badge,
            )
        )
        prev_bottom = y + node_h
        y += node_h + gap
    bands = []
    by_hop = {n.hop: n for n in nodes}
    for lo, hi in _runs([i for i in ours if i in by_hop]):
        top = by_hop[lo].y - 8
        bottom = by_hop[hi].y + by_hop[hi].h + 8
        label = org_label if len(org_label) * 7 + 12 <= bottom - top else "ours"
        bands.append(Band(y=top, h=bottom - top, label=label, label_y=(top + bottom) // 2))
    height = (nodes[-1].y + nodes[-1].h if nodes else MARGIN + ORIGIN_H) + MARGIN
    description = (
        f"The path of the message: {len(nodes)} hop{'s' if len(nodes) != 1 else ''}, "
        "oldest at the top."
    )
    return Picture(
        width=WIDTH,
        height=height,
        origin_label=origin_label,
        origin_x=cx,
        origin_y=MARGIN,
        nodes=tuple(nodes),
        arrows=tuple(arrows),
        bands=tuple(bands),
        tone=tone,
        description=description,
        segments=_segments(nodes, arrows, bands, height),
    )


def _tls_bit(version: str | None) -> str:
    if version and version.upper().startswith(("TLS", "SSL")):
        return version
    return "TLS" + (f" {version}" if version else "")
