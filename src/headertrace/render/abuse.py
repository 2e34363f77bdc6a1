"""A draft abuse report to the origin network: ``headertrace report --abuse-report out.eml``.

An RFC 5965 feedback report (``multipart/report; report-type=feedback-report``): a short
human text, the machine-readable ``message/feedback-report`` part (``Feedback-Type: abuse``,
``Source-IP``, ``Arrival-Date``, ``Reported-Domain``) and the original: its header block as
``text/rfc822-headers``, or the whole message as ``message/rfc822`` with ``full=True``.

Addressed to the abuse contact that online attribution found through RDAP
(``verdict.sender.owner.abuse_emails``, else the origin hop's attribution); offline the
``To`` is left empty and the text says so. headertrace never sends it: a person reads the
draft, fills in what is missing and sends it from their own mail program.

Built from the trace and the traced message's bytes (for the original's headers); the
headers are not parsed again. Pure: no I/O, no clock unless ``now`` is left out.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from email.utils import format_datetime, parseaddr

from headertrace.models import Hop, Trace
from headertrace.render.html import visible
from headertrace.render.report import sender_abuse

_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z][A-Za-z0-9-]{0,62}$")
_IP = re.compile(r"^[0-9A-Fa-f:.]+$")
_EOL = re.compile(rb"\r\n|\r|\n")


def _crlf(data: bytes) -> bytes:
    return _EOL.sub(b"\r\n", data)


def header_block(raw: bytes) -> bytes:
    """The message's header block as found (up to the empty line), CRLF line ends."""
    data = _crlf(raw)
    head, sep, _ = data.partition(b"\r\n\r\n")
    return head + b"\r\n" if sep else data.rstrip(b"\r\n") + b"\r\n"


def _one_field(value: str) -> str:
    """A value safe for a header line: one line, printable ASCII (no header injection)."""
    value = visible(" ".join(value.split()))
    return value.encode("ascii", "backslashreplace").decode("ascii")[:900]


def _source_hop(trace: Trace) -> Hop | None:
    v = trace.verdict
    index = v.hop if v is not None and v.hop is not None else None
    if index is None and trace.origin is not None:
        index = trace.origin.hop
    if index is None or not 0 <= index < len(trace.hops):
        return None
    return trace.hops[index]


def source_ip(trace: Trace) -> str | None:
    """The address the message came from: the verdict's sender, else the origin."""
    v = trace.verdict
    ip = v.sender.ip if v is not None else None
    if ip is None and trace.origin is not None:
        ip = trace.origin.ip
    return ip if ip and _IP.match(ip) else None


def reported_domain(trace: Trace) -> str | None:
    """The domain of the message's From address, when it is a plain domain name."""
    _, address = parseaddr(trace.message.from_ or "")
    domain = address.rpartition("@")[2].strip().lower().rstrip(".")
    return domain if _DOMAIN.match(domain) else None


def abuse_report(
    trace: Trace,
    raw: bytes,
    *,
    full: bool = False,
    reporter: str = "abuse@example.invalid",
    now: datetime | None = None,
) -> bytes:
    """The draft report about ``trace`` (``raw``: the traced message's bytes) as an
    ``.eml`` file's bytes. ``reporter``: the report's From address (yours)."""
    from headertrace import __version__  # noqa: PLC0415 - the package imports models

    now = now or datetime.now(timezone.utc)
    to = sender_abuse(trace)
    ip = source_ip(trace)
    hop = _source_hop(trace)
    domain = reported_domain(trace)
    digest = hashlib.sha256(raw).hexdigest()
    boundary = f"headertrace-arf-{digest[:24]}"
    reporter = _one_field(reporter)
    reporter_domain = reporter.rpartition("@")[2] or "localhost"

    subject = "Abuse report: spam" + (f" from {ip}" if ip else "")
    head = [
        f"From: {reporter}",
        f"To: {', '.join(_one_field(a) for a in to)}",
        f"Subject: {subject}",
        f"Date: {format_datetime(now)}",
        f"Message-ID: <{digest[:32]}.{int(now.timestamp())}@{reporter_domain}>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=feedback-report; boundary="{boundary}"',
        f"X-Headertrace-Draft: {__version__}; review, then send it yourself",
    ]
    if not to:
        head.append(
            "X-Headertrace-Note: abuse contact not looked up (offline); "
            "fill in To, or run headertrace report --online"
        )

    names = ""
    if hop is not None:
        c = hop.client
        said = [f"rDNS {c.rdns}" if c.rdns else "", f"HELO {c.said_helo}" if c.said_helo else ""]
        names = ", ".join(x for x in said if x)
    text = [
        "Hello,",
        "",
        "The message whose headers are attached is spam or abuse that came from "
        + (f"{ip}" if ip else "an address we could not determine")
        + (f" ({visible(names)})" if names else "")
        + ", which appears to be in your network.",
    ]
    if hop is not None:
        when = hop.timestamp.isoformat() if hop.timestamp is not None else "an unknown time"
        server = hop.server.host or hop.server.ip or "the receiving server"
        text += [
            "",
            f"{visible(server)} received it from that address at {when}, and recorded:",
            "",
            f"  Received: {visible(' '.join(hop.raw.split()))}",
        ]
    if not to:
        text += [
            "",
            "[headertrace: the abuse contact was not looked up (offline); fill in the To",
            " address, or make this draft again with --online to find it through RDAP.]",
        ]
    text += [
        "",
        "Please investigate and stop this traffic. The machine-readable report",
        "(RFC 5965) and the original " + ("message" if full else "headers") + " are attached.",
        "",
        "This report was drafted with headertrace and reviewed before sending.",
    ]

    fields = ["Feedback-Type: abuse", f"User-Agent: headertrace/{__version__}", "Version: 1"]
    if ip:
        fields.append(f"Source-IP: {ip}")
    if hop is not None and hop.timestamp is not None:
        fields.append(f"Arrival-Date: {format_datetime(hop.timestamp)}")
    if trace.message.return_path:
        fields.append(f"Original-Mail-From: <{_one_field(trace.message.return_path)}>")
    if hop is not None and hop.recipient:
        fields.append(f"Original-Rcpt-To: <{_one_field(hop.recipient)}>")
    if domain:
        fields.append(f"Reported-Domain: {domain}")
    if trace.message.message_id:
        fields.append(f"X-Original-Message-ID: <{_one_field(trace.message.message_id)}>")

    original = _crlf(raw) if full else header_block(raw)
    eight_bit = any(b > 0x7F for b in original)
    parts = [
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "\r\n".join(text).encode("utf-8")
        + b"\r\n",
        b"Content-Type: message/feedback-report\r\n\r\n"
        + "\r\n".join(fields).encode("ascii", "backslashreplace")
        + b"\r\n",
        (
            b"Content-Type: "
            + (b"message/rfc822" if full else b"text/rfc822-headers")
            + b"\r\nContent-Disposition: inline\r\n"
            + (b"Content-Transfer-Encoding: 8bit\r\n" if eight_bit else b"")
            + b"\r\n"
            + original
        ),
    ]
    b = boundary.encode("ascii")
    out = "\r\n".join(head).encode("ascii", "backslashreplace") + b"\r\n\r\n"
    out += b"This is a multipart message in MIME format (an RFC 5965 abuse report).\r\n"
    for part in parts:
        out += b"\r\n--" + b + b"\r\n" + part
    out += b"\r\n--" + b + b"--\r\n"
    return out
