"""A trace as one self-contained HTML page: ``headertrace report --html``, ``Trace.to_html()``
and ``Trace._repr_html_()`` (Jupyter).

Inline CSS and SVG, no script, and a Content-Security-Policy that forbids scripts and every
request (the only style allowed is the page's own, by its hash), so a report opened from a
ticket cannot phone home. Every header text is written by whoever sent the message: the
Jinja2 template escapes all of it (autoescape), and bidirectional and other control
characters are shown as ``<U+202E>`` instead of reordering or hiding what is around them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from headertrace.models import Trace
from headertrace.render.path import layout
from headertrace.render.report import build, evidence_line

if TYPE_CHECKING:
    from jinja2 import Template

_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


def visible(text: str) -> str:
    """``text`` with control, bidirectional and zero-width characters written as ``<U+XXXX>``:
    a header cannot flip the order of what is shown after it (U+202E) or hide text."""
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


CSS = """
.ht-report{--tone:#37474f;--tone-bg:#eceff1;--ink:#1a1a1a;--muted:#5f6b73;--line:#cfd8dc;
--ours:#e3f2fd;--alert:#c62828;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"DejaVu Sans",sans-serif;color:var(--ink);max-width:1100px;margin:0 auto;padding:16px}
.ht-report.tone-bad{--tone:#b71c1c;--tone-bg:#ffebee}
.ht-report.tone-warn{--tone:#e65100;--tone-bg:#fff3e0}
.ht-report.tone-good{--tone:#1b5e20;--tone-bg:#e8f5e9}
.ht-report *{box-sizing:border-box}
.ht-report h1{font-size:1.3em;margin:.2em 0;line-height:1.35}
.ht-report h2{font-size:1.1em;margin:1.4em 0 .5em;border-bottom:1px solid var(--line)}
.ht-report .headline{border-left:8px solid var(--tone);background:var(--tone-bg);
padding:12px 16px;border-radius:4px}
.ht-report .headline .kind{color:var(--tone);font-weight:700;text-transform:uppercase;
letter-spacing:.04em;margin:0}
.ht-report .headline .meta{color:var(--muted);margin:.3em 0 0}
.ht-report h1,.ht-report p,.ht-report li,.ht-report dd,.ht-report td{overflow-wrap:anywhere}
.ht-report pre.quoted{background:#f6f8fa;border:1px solid var(--line);padding:8px 10px;
white-space:pre-wrap;word-break:break-all;font:12.5px/1.45 ui-monospace,"DejaVu Sans Mono",
monospace;margin:.4em 0}
.ht-report pre.small{font-size:11.5px}
.ht-report code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.92em;
overflow-wrap:anywhere}
.ht-report .path-picture{display:block;width:min(100%,540px);height:auto;overflow:hidden}
.ht-report .path-picture text{font:12px ui-monospace,"DejaVu Sans Mono",monospace;fill:#263238}
.ht-report .band rect{fill:var(--ours);stroke:#90caf9}
.ht-report .band text{font:italic 11px system-ui,"DejaVu Sans",sans-serif;fill:#1565c0}
.ht-report .origin circle{fill:#fff;stroke:#455a64;stroke-width:2}
.ht-report .origin text{font-weight:700}
.ht-report .node rect{fill:#fff;stroke:#607d8b;stroke-width:1.4}
.ht-report .node.ours rect{fill:#fafdff;stroke:#1e88e5}
.ht-report .node.claim rect{fill:#fafafa;stroke:#90a4ae;stroke-dasharray:6 4}
.ht-report .node.claim text{fill:#607d8b}
.ht-report .node.entry rect{stroke:var(--tone);stroke-width:3.5}
.ht-report .node .t1{font-weight:700}
.ht-report .node .badge{font:700 11px system-ui,"DejaVu Sans",sans-serif;fill:var(--muted)}
.ht-report .node.entry .badge,.ht-report .node.forged .badge{fill:var(--tone)}
.ht-report .arrow line{stroke:#546e7a;stroke-width:1.6}
.ht-report .arrow.claim line{stroke-dasharray:5 4;stroke:#90a4ae}
.ht-report .arrow.timetravel line,.ht-report .arrow.break line{stroke:var(--alert);
stroke-width:2.2}
.ht-report .arrow.entry line{stroke:var(--tone);stroke-width:2.4}
.ht-report .arrowhead{fill:#546e7a}
.ht-report .arrowhead-alert{fill:var(--alert)}
.ht-report .path-picture .arrow-label{font-size:11px;fill:#37474f}
.ht-report .path-picture .arrow-warning{font:700 11px system-ui,"DejaVu Sans",sans-serif;
fill:var(--alert)}
.ht-report .legend{color:var(--muted);font-size:.85em}
.ht-report .legend .key{margin-right:1.2em;white-space:nowrap}
.ht-report .table-wrap{overflow-x:auto}
.ht-report table{border-collapse:collapse;width:100%;font-size:.88em}
.ht-report th,.ht-report td{border:1px solid var(--line);padding:4px 6px;text-align:left;
vertical-align:top}
.ht-report th{background:#f5f7f8}
.ht-report td{max-width:28em}
.ht-report tr.ours td{background:var(--ours)}
.ht-report tr.entry td{font-weight:700}
.ht-report tr.claim td{color:var(--muted);font-style:italic}
.ht-report .nowrap{white-space:nowrap}
.ht-report .hash{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85em;
word-break:break-all}
.ht-report ul.findings{list-style:none;padding:0}
.ht-report ul.findings li{margin:.35em 0;padding-left:.6em;border-left:4px solid var(--line)}
.ht-report .sev{font-weight:700;text-transform:uppercase;font-size:.8em}
.ht-report .sev-critical{border-left-color:var(--alert)!important}
.ht-report .sev-critical .sev{color:var(--alert)}
.ht-report .sev-warning{border-left-color:#f9a825!important}
.ht-report .sev-warning .sev{color:#9a6700}
.ht-report .sev-info .sev{color:var(--muted)}
.ht-report ul.plain{padding-left:1.2em}
.ht-report dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:.4em 0}
.ht-report dt{font-weight:700}
.ht-report dd{margin:0}
.ht-report footer{margin-top:2em;color:var(--muted);font-size:.8em}
@media (max-width:600px){.ht-report{padding:8px;font-size:14px}
.ht-report table{font-size:.8em;min-width:600px}}
@media print{.ht-report{max-width:none;padding:0;font-size:10pt}
.ht-report .headline,.ht-report .band rect,.ht-report tr.ours td{-webkit-print-color-adjust:exact;
print-color-adjust:exact}
.ht-report section{break-inside:auto}.ht-report h2{break-after:avoid}
.ht-report tr,.ht-report .node{break-inside:avoid}
.ht-report .path-picture{break-inside:avoid}
.ht-report .table-wrap{overflow:visible}}
"""


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(CSS.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        f"form-action 'none'; img-src data:; font-src 'none'; style-src 'sha256-{digest}'"
    )


CSP = _csp()
"""The page's Content-Security-Policy: no script, no request, only its own stylesheet."""


def _finalize(value: Any) -> Any:
    from markupsafe import Markup  # noqa: PLC0415 - with Jinja2

    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


@cache
def _template() -> Template:
    from jinja2 import Environment, StrictUndefined  # noqa: PLC0415 - loaded to render only

    env = Environment(
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    text = resources.files("headertrace.render").joinpath("templates/report.html.j2")
    return env.from_string(text.read_text(encoding="utf-8"))


def render_html(
    trace: Trace,
    raw: bytes | None = None,
    *,
    fragment: bool = False,
    generated: datetime | None = None,
    looked_up: datetime | None = None,
) -> str:
    """The HTML report of ``trace``.

    ``raw``: the traced message's bytes, for the "what was in it" section (read with
    mail-parser; headers are never parsed again for the trace). ``fragment``: a ``<div>``
    to embed (Jupyter) instead of a page. ``generated`` and ``looked_up``: times to show
    (when the report was made, when attribution was looked up)."""
    from headertrace import __version__  # noqa: PLC0415 - the package imports models

    report = build(trace, raw)
    return _template().render(
        r=report,
        p=layout(trace, report.tone),
        c=report.contents,
        css=CSS,
        csp=CSP,
        fragment=fragment,
        org_label="our servers",
        evidence_line=evidence_line,
        version=__version__,
        generated=generated.isoformat(timespec="seconds") if generated else None,
        looked_up=looked_up.isoformat(timespec="seconds") if looked_up else None,
    )
