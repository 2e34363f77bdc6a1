"""Reports (issue #15): the HTML page, ticket text (golden files), the draft abuse report
(read back by our own intake as an ARF report), and ``headertrace report``.

Regenerate the golden files after a deliberate change with ``python -m tests.test_report``.
"""

from __future__ import annotations

import email
import hashlib
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import headertrace
from headertrace import Organisation, Owner, trace
from headertrace.cli import main
from headertrace.intake import open_complaint
from headertrace.models import LogEvidence, LogLine, Trace
from headertrace.render.abuse import abuse_report
from headertrace.render.html import CSP, render_html, visible
from headertrace.render.path import layout
from headertrace.render.report import build
from headertrace.render.ticket import md, render_markdown, render_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = FIXTURES / "report" / "golden"
ORG = Organisation.from_options(domains=["example.com"], networks=["203.0.113.0/24", "10.0.0.0/8"])
CASES = {
    "open-relay": ROOT / "examples" / "complaint.eml",
    "authenticated-relay": FIXTURES / "judge" / "auth_relay_postfix.eml",
    "forged": FIXTURES / "judge" / "forged_postfix.eml",
    "chain-40": FIXTURES / "report" / "chain-40.eml",
    "hostile": FIXTURES / "report" / "hostile.eml",
}
HOSTILE = CASES["hostile"]


def traced(name: str) -> tuple[Trace, bytes]:
    """The trace of a fixture read as bytes (no path in it: golden files stay stable) and
    the bytes of the message it traced."""
    data = CASES[name].read_bytes()
    return trace(data, org=ORG), open_complaint(data).reported[0].raw


class Tags(HTMLParser):
    """Every start tag and attribute of a page, to check what markup it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


def tags_of(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "p", "h1", "h2",
    "section", "ol", "ul", "li", "code", "svg", "desc", "defs", "marker", "path", "g",
    "rect", "text", "circle", "line", "span", "pre", "div", "table", "thead", "tbody", "tr",
    "th", "td", "dl", "dt", "dd", "strong", "small", "br", "footer",
}  # fmt: skip


# -- HTML --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_html_is_one_self_contained_page(name: str) -> None:
    t, raw = traced(name)
    page = t.to_html(raw)
    assert page.startswith("<!DOCTYPE html>")
    parsed = tags_of(page)
    assert ("http-equiv", "Content-Security-Policy") in parsed.attrs
    assert ("content", CSP) in parsed.attrs
    assert "default-src 'none'" in CSP and "script-src 'none'" in CSP
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert "script" not in parsed.tags
    names = {a for a, _ in parsed.attrs}
    assert not {n for n in names if n.startswith("on")}, "an event handler attribute"
    assert not names & {"src", "href", "style", "srcset", "action"}
    rest = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in rest and "https://" not in rest
    # one node per hop, headline first
    assert page.count('<g class="node hop') == len(t.hops)
    assert page.index('id="headline"') < page.index('id="path"') < page.index('id="evidence"')


def test_the_picture_marks_entry_ours_and_claims() -> None:
    t, _ = traced("chain-40")
    assert t.verdict is not None and t.verdict.hop == 30
    pic = layout(t, "bad")
    by_hop = {n.hop: n for n in pic.nodes}
    assert "entry" in by_hop[30].tags and by_hop[30].badge == "ENTRY"
    assert all("claim" in by_hop[i].tags for i in range(30))
    assert all("ours" in by_hop[i].tags for i in t.verdict.custody)
    assert "final" in by_hop[39].tags
    assert len(pic.bands) == 1
    assert pic.bands[0].y < by_hop[30].y and pic.bands[0].y + pic.bands[0].h > by_hop[36].y
    travel = [a for a in pic.arrows if "timetravel" in a.marks]
    assert len(travel) == 1 and travel[0].warning == "time travel"
    assert pic.height < 40 * 80  # tight enough to read 40 hops


def test_a_forged_header_is_marked() -> None:
    t, _ = traced("forged")
    (node, _mailbox) = layout(t, "warn").nodes
    assert node.badge == "FORGED" and {"forged", "claim"} <= set(node.tags)


def test_one_hop() -> None:
    raw = (
        b"Received: from a.example.net (a.example.net [192.0.2.1]) by mx.example.com "
        b"(Postfix) with ESMTPS id Q1 for <x@example.com>; Tue, 3 Jan 2023 08:01:02 +0000\n"
        b"Subject: one\n\nbody\n"
    )
    t = trace(raw, org=ORG)
    page = t.to_html(raw)
    assert page.count('<g class="node hop') == 1
    assert "MAILBOX" in page or "ENTRY" in page


def test_no_hops_still_renders() -> None:
    t = trace(b"Subject: nothing\n\nbody\n", org=ORG)
    page = render_html(t)
    assert "No Received headers: there is no path to draw." in page


def test_hostile_headers_are_escaped_and_shown() -> None:
    t, raw = traced("hostile")
    page = t.to_html(raw)
    parsed = tags_of(page)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert "<script" not in page.lower()
    assert "<img" not in page.lower() and "<iframe" not in page.lower()
    assert "</svg><svg" not in page
    assert "&lt;script&gt;" in page  # shown, as text
    assert "\u202e" not in page and "<U+202E>" not in page and "&lt;U+202E&gt;" in page
    assert page.count("</svg>") == 1
    # long tokens are shortened in the picture (the table and evidence wrap them)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "A" * 100 not in svg


def test_visible_writes_controls_as_code_points() -> None:
    assert visible("a\u202eb\u200bc\x1bd") == "a<U+202E>b<U+200B>c<U+001B>d"
    assert visible("plain\ttext") == "plain\ttext"


def test_message_section_comes_from_the_message_bytes() -> None:
    t, raw = traced("hostile")
    contents = build(t, raw).contents
    assert contents is not None
    assert contents.subject is not None and "<script>" in contents.subject
    (att,) = contents.attachments
    assert att.content_type == "application/pdf"
    assert att.size == len(b"%PDF-1.4\n% not really a pdf\n")
    assert att.sha256 == hashlib.sha256(b"%PDF-1.4\n% not really a pdf\n").hexdigest()
    page = t.to_html(raw)
    assert att.sha256 in page
    # without the bytes, the trace's own fields and no attachment list
    assert build(t).contents is None
    assert "attachments are not listed" in t.to_html()


def test_headers_only_message() -> None:
    data = (FIXTURES / "intake" / "headers-only.txt").read_bytes()
    t = trace(data, org=ORG)
    raw = open_complaint(data).reported[0].raw
    assert "Only the header block was given" in t.to_html(raw)


def test_repr_html_is_a_fragment_with_scoped_css() -> None:
    t, _ = traced("open-relay")
    frag = t._repr_html_()
    assert frag.startswith('<div class="ht-fragment">')
    assert "<html" not in frag and "<meta" not in frag
    css = frag[frag.index("<style>") + 7 : frag.index("</style>")]
    selectors = re.findall(r"(?:^|})\s*([^{}@]+)\{", css)
    assert selectors and all(
        s.strip().startswith(".ht-report") for s in selectors if not s.strip().startswith("@")
    )


def test_log_lines_have_their_place() -> None:
    t, _ = traced("open-relay")
    assert "No server log lines were joined to this trace." in t.to_html()


def test_log_lines_are_shown_when_the_trace_has_them() -> None:
    t, _ = traced("open-relay")
    line = "Oct 14 09:12:03 exchange smtpd[42]: <script>x</script> from=<winner@lottery.example>"
    log = LogEvidence(match="strong", lines=(LogLine(file="mail.log", line=7, raw=line),))
    logged = replace(t, log=log)
    page = render_html(logged)
    assert "mail.log:7: Oct 14 09:12:03 exchange smtpd[42]: &lt;script&gt;x&lt;/script&gt;" in page
    assert "No server log lines" not in page
    assert "smtpd[42]" in render_markdown(logged) and "smtpd[42]" in render_text(logged)


def test_attribution_shows_the_abuse_contact() -> None:
    t, raw = traced("open-relay")
    assert t.verdict is not None
    owner = Owner(asn=64500, network_owner="Example Net", abuse_emails=("abuse@net.example",))
    t = replace(t, verdict=replace(t.verdict, sender=replace(t.verdict.sender, owner=owner)))
    assert "abuse@net.example" in render_html(t, raw)
    assert "abuse@net.example" in render_markdown(t)


# -- ticket text: golden files -----------------------------------------------------------


GOLDEN_CASES = ("open-relay", "authenticated-relay", "forged", "hostile")


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_markdown_golden(name: str) -> None:
    t, _ = traced(name)
    assert render_markdown(t) == (GOLDEN / f"{name}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_text_golden(name: str) -> None:
    t, _ = traced(name)
    assert render_text(t) == (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")


def test_markdown_escapes_header_text() -> None:
    assert md("<script>*x*</script> [a](javascript:b)") == (
        r"\<script\>\*x\*\</script\> \[a\](javascript:b)"
    )
    t, _ = traced("hostile")
    text = render_markdown(t)
    outside_fences = re.sub(r"(`{3,})text\n.*?\n\1", "", text, flags=re.S)
    assert "<" not in outside_fences.replace("\\<", "")
    assert "\u202e" not in text and "\u202e" not in render_text(t)


# -- the abuse report --------------------------------------------------------------------


def _abuse(name: str, **kwargs: object) -> tuple[Trace, bytes, bytes]:
    t, raw = traced(name)
    return t, raw, abuse_report(t, raw, reporter="abuse@example.com", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(CASES))
def test_abuse_report_reads_back_as_an_arf_report(name: str) -> None:
    t, _, eml = _abuse(name)
    msg = email.message_from_bytes(eml)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "feedback-report"
    parts = [p.get_content_type() for p in msg.get_payload()]  # type: ignore[union-attr]
    assert parts == ["text/plain", "message/feedback-report", "text/rfc822-headers"]

    complaint = open_complaint(eml)
    (reported,) = complaint.reported
    assert reported.source.kind == "arf"
    (wrapper,) = reported.source.wrappers
    assert wrapper.kind == "arf"
    assert wrapper.fields["Feedback-Type"] == "abuse"
    assert wrapper.fields["Source-IP"] == t.verdict.sender.ip  # type: ignore[union-attr]
    assert "Arrival-Date" in wrapper.fields
    again = headertrace.trace(eml, org=ORG)
    assert [h.raw for h in again.hops] == [h.raw for h in t.hops]
    codes = {f.code for f in again.findings}
    assert "report-source-ip-match" in codes
    assert "report-source-ip-mismatch" not in codes


def test_abuse_report_fields() -> None:
    _, _, eml = _abuse("open-relay")
    msg = email.message_from_bytes(eml)
    assert msg["To"] == ""
    assert "offline" in msg["X-Headertrace-Note"]
    fields = next(p for p in msg.walk() if p.get_content_type() == "message/feedback-report")
    text = fields.as_string()
    assert "Feedback-Type: abuse" in text
    assert "Source-IP: 198.51.100.7" in text
    assert "Arrival-Date: Tue, 14 Oct 2025 11:12:03 +0200" in text
    assert "Reported-Domain: lottery.example.net" in text
    human = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    body = human.get_payload(decode=True)
    assert isinstance(body, bytes) and b"fill in the To" in body


def test_abuse_report_to_the_rdap_contact() -> None:
    t, raw = traced("open-relay")
    assert t.verdict is not None
    owner = Owner(abuse_emails=("abuse@net.example", "noc@net.example"))
    t = replace(t, verdict=replace(t.verdict, sender=replace(t.verdict.sender, owner=owner)))
    msg = email.message_from_bytes(abuse_report(t, raw))
    assert msg["To"] == "abuse@net.example, noc@net.example"
    assert msg["X-Headertrace-Note"] is None


def test_abuse_report_full_attaches_the_message() -> None:
    _, raw, eml = _abuse("hostile", full=True)
    msg = email.message_from_bytes(eml)
    parts = [p.get_content_type() for p in msg.get_payload()]  # type: ignore[union-attr]
    assert parts[2] == "message/rfc822"
    (reported,) = open_complaint(eml).reported
    assert reported.raw.replace(b"\r\n", b"\n").strip() == raw.replace(b"\r\n", b"\n").strip()


def test_abuse_report_headers_cannot_be_injected() -> None:
    _, _, eml = _abuse("hostile")
    head = eml.split(b"\r\n\r\n", 1)[0]
    assert all(b < 0x80 for b in head)
    names = [line.split(b":", 1)[0] for line in head.split(b"\r\n") if line[:1] not in b" \t"]
    assert names == [
        b"From", b"To", b"Subject", b"Date", b"Message-ID", b"MIME-Version",
        b"Content-Type", b"X-Headertrace-Draft", b"X-Headertrace-Note",
    ]  # fmt: skip


# -- the command -------------------------------------------------------------------------


def test_report_command_writes_every_output(tmp_path: Path) -> None:
    out = {k: tmp_path / f"out.{k}" for k in ("html", "md", "txt", "eml")}
    result = CliRunner().invoke(
        main,
        [
            "report", str(CASES["open-relay"]), "--our-domain", "example.com",
            "--html", str(out["html"]), "--markdown", str(out["md"]),
            "--text", str(out["txt"]), "--abuse-report", str(out["eml"]),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out["html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert out["md"].read_text(encoding="utf-8").startswith("## Open relay")
    assert out["txt"].read_text(encoding="utf-8").startswith("OPEN RELAY:")
    eml = out["eml"].read_bytes()
    assert b"From: abuse@example.com" in eml
    assert open_complaint(eml).reported[0].source.kind == "arf"


def test_report_command_prints_text_by_default() -> None:
    result = CliRunner().invoke(
        main, ["report", str(CASES["forged"]), "--our-domain", "example.com"]
    )
    assert result.exit_code == 0
    assert result.output.startswith("FORGED:")


def test_report_command_statuses(tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["report", str(tmp_path / "nope.eml")])
    assert missing.exit_code == 1
    bad_org = CliRunner().invoke(
        main, ["report", str(CASES["forged"]), "--org", str(tmp_path / "nope.toml")]
    )
    assert bad_org.exit_code == 2
    which = CliRunner().invoke(main, ["report", str(CASES["forged"]), "--message", "2"])
    assert which.exit_code == 2


def write_golden() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name in GOLDEN_CASES:
        t, _ = traced(name)
        (GOLDEN / f"{name}.md").write_text(render_markdown(t), encoding="utf-8")
        (GOLDEN / f"{name}.txt").write_text(render_text(t), encoding="utf-8")
        print(f"wrote {name}.md, {name}.txt")


if __name__ == "__main__":
    write_golden()


def test_report_online_addresses_the_rdap_abuse_contact(tmp_path: Path) -> None:
    """With --online (local DNS and RDAP servers), the draft goes to the contact RDAP gave
    and the HTML page shows the owner, the blocklists and when they were looked up."""
    from tests._localdns import LocalDNS
    from tests._localhttp import LocalHTTP
    from tests.test_enrich_online import ROUTES, SPAM, ZEN, ZONE
    from tests.test_trace_online_cli import MESSAGE

    source = tmp_path / "spam.eml"
    source.write_text(MESSAGE)
    html, eml = tmp_path / "r.html", tmp_path / "r.eml"
    with LocalDNS(ZONE) as dns, LocalHTTP(ROUTES) as http:
        result = CliRunner().invoke(
            main,
            [
                "report", str(source), "--our-domain", "example.org", "--online",
                "--nameserver", f"127.0.0.1:{dns.port}", "--rdap-url", http.url,
                "--timeout", "0.3", "--no-cache",
                "--html", str(html), "--abuse-report", str(eml),
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    msg = email.message_from_bytes(eml.read_bytes())
    assert msg["To"] == "abuse@example-hosting.dk"
    assert msg["X-Headertrace-Note"] is None
    page = html.read_text(encoding="utf-8")
    assert "abuse@example-hosting.dk" in page and "AS57043" in page
    assert ZEN in page and "Looked up online at " in page
    assert SPAM in page


def test_rendering_loads_no_network_code() -> None:
    """In a fresh interpreter: every report of a trace, with the message's bytes (so
    mail-parser and Jinja2 load), loads none of dnspython, ssl, urllib.request, sqlite3 or
    ipwhois."""
    import json

    from tests.test_addresses import NETWORK_MODULES, fresh_python

    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "import headertrace\n"
        "from headertrace.render.abuse import abuse_report\n"
        "from headertrace.render.ticket import render_markdown, render_text\n"
        f"raw = Path({str(HOSTILE)!r}).read_bytes()\n"
        "t = headertrace.trace(raw, org=headertrace.Organisation.from_options("
        "domains=['example.com']))\n"
        "t.to_html(raw), t._repr_html_(), render_markdown(t), render_text(t)\n"
        "abuse_report(t, raw, full=True)\n"
        f"print(json.dumps(sorted(m for m in {NETWORK_MODULES!r} if m in sys.modules)))\n"
    )
    done = fresh_python(code)
    assert json.loads(done.stdout) == []


@pytest.mark.corpus
def test_corpus_sample_renders_and_round_trips(corpus: Path) -> None:
    """A fixed sample of real mail (every 25th file): each report renders without a script
    tag, and each abuse-report draft reads back as an ARF report."""
    files = sorted(p for p in (corpus / "messages").rglob("*") if p.is_file())[::25]
    assert files
    for path in files:
        data = path.read_bytes()
        reported = open_complaint(data).reported
        for t, raw in zip(
            headertrace.trace_all(data, ORG), [r.raw for r in reported], strict=False
        ):
            assert "<script" not in render_html(t, raw).lower(), path
            render_markdown(t)
            back = open_complaint(abuse_report(t, raw)).reported
            assert back and back[0].source.kind == "arf", path


def test_repeated_headers_and_unreadable_bodies_do_not_lose_the_report() -> None:
    raw = b"Subject: one\nSubject: two\nFrom: a@b.example\nDate: x\nDate: y\n\nbody\n"
    contents = build(trace(raw), raw).contents
    assert contents is not None
    assert contents.subject == "one | two"
    assert contents.date == "x | y"


def test_a_long_path_is_drawn_in_slices_that_fit_a_page() -> None:
    t, raw = traced("chain-40")
    pic = layout(t, "bad")
    assert [len(s.nodes) for s in pic.segments] == [8, 8, 8, 8, 8]
    assert sum((s.nodes for s in pic.segments), ()) == pic.nodes
    assert all(a.y + a.h == b.y for a, b in zip(pic.segments, pic.segments[1:], strict=False))
    assert pic.segments[-1].y + pic.segments[-1].h == pic.height
    assert all(s.h < 700 for s in pic.segments)  # about 250 mm printed at 540 px wide
    assert all(s.stub is not None for s in pic.segments[:-1]) and pic.segments[-1].stub is None
    page = t.to_html(raw)
    assert page.count('<svg class="path-picture"') == 5
    assert page.count('<marker id="arrowhead"') == 1
