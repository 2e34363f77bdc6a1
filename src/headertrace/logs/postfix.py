"""Postfix's log lines: ``QUEUEID: what`` after a ``postfix/DAEMON[pid]`` tag.

Read: ``smtpd`` (``client=NAME[IP]:PORT``, ``sasl_method=``, ``sasl_username=``),
``pickup`` (``uid=`` ``from=``), ``cleanup`` (``message-id=``), ``qmgr`` (``from=``,
``size=``, ``nrcpt=``; ``removed``), the delivery agents ``smtp``/``lmtp``/``local``/
``virtual``/``pipe``/``error`` (``to=``, ``relay=``, ``dsn=``, ``status=WORD (text)``; a
content filter's ``queued as NEWID`` gives ``next_id``). The tag's first part is the
instance (``postfix-out/smtpd``: ``syslog_name``). Pure: no I/O.
"""

from __future__ import annotations

import re

from headertrace.logs.records import Entry, Event, norm_address, split_client
from headertrace.logs.syslog import SyslogLine
from headertrace.models import LogLine

_QID = re.compile(r"([0-9A-Za-z]{5,24}): ")
_QUEUED_AS = re.compile(r"queued as ([0-9A-Za-z]{5,24})|\bid=([0-9A-Za-z]{6}-[0-9A-Za-z-]{6,})")
_DELIVERY_AGENTS = {
    "smtp",
    "lmtp",
    "local",
    "virtual",
    "pipe",
    "error",
    "retry",
    "discard",
    "relay",
}


def is_postfix(program: str) -> bool:
    return "/" in program and program.split("/", 1)[0].startswith("postfix")


def fields(text: str) -> dict[str, str]:
    """``a=b, c=d (more)`` -> {a: b, c: d (more)}: a value runs to the next ``, name=``."""
    out: dict[str, str] = {}
    for part in re.split(r",? (?=[a-z_]+=)", text):
        name, eq, value = part.partition("=")
        if eq:
            out.setdefault(name.strip(), value.strip().rstrip(","))
    return out


def parse(line: LogLine, sl: SyslogLine) -> Entry | None:
    """The entry of one Postfix line, or ``None`` when it names no queue id."""
    service, _, daemon = sl.program.partition("/")
    m = _QID.match(sl.message)
    if not m:
        return None
    key = m.group(1)
    text = sl.message[m.end() :]
    facts: dict[str, str] = {}
    event: Event = "other"
    if text.startswith("client="):
        event = "arrival"
        f = fields(text)
        name, ip = split_client(f.get("client", ""))
        facts.update(_some(client_name=name, client_ip=ip))
        if "sasl_username" in f:
            facts["account"] = f["sasl_username"]
        if "sasl_method" in f:
            facts["auth_method"] = f["sasl_method"]
        if "orig_client" in f:
            oname, oip = split_client(f["orig_client"])
            facts.update(_some(orig_client_name=oname, orig_client_ip=oip))
    elif text.startswith("uid="):
        event = "arrival"
        uid, _, rest = text[4:].partition(" ")
        if uid.isdigit():
            facts["uid"] = uid
        if rest.startswith("from="):
            facts["user"] = norm_address(rest[5:])
    elif text.startswith("message-id="):
        event = "message-id"
        mid = norm_address(text[len("message-id=") :])
        if mid:
            facts["message_id"] = mid
    elif text.strip() == "removed":
        event = "removed"
    elif text.startswith("from="):
        event = "queued"
        f = fields(text)
        facts["sender"] = norm_address(f.get("from", ""))
        for k in ("size", "nrcpt"):
            if k in f:
                facts[k] = f[k].split(" ", 1)[0]
    elif text.startswith("to=") and (daemon in _DELIVERY_AGENTS or "status=" in text):
        event = "delivery"
        head, _, status = text.partition("status=")
        f = fields(head)
        word, _, detail = status.partition(" ")
        facts["recipient"] = norm_address(f.get("to", ""))
        facts["status"] = word.strip(",")
        detail = detail.strip()
        if detail.startswith("(") and detail.endswith(")"):
            detail = detail[1:-1]
        facts.update(_some(relay=f.get("relay"), dsn=f.get("dsn"), detail=detail or None))
        found = list(_QUEUED_AS.finditer(detail))
        if found:
            facts["next_id"] = found[-1].group(1) or found[-1].group(2)
    elif text.startswith("sender non-delivery notification: "):
        facts["next_id"] = text.split(": ", 1)[1].strip()
    return Entry(line, "postfix", sl.time, sl.host, service, key, event, facts)


def _some(**kw: str | None) -> dict[str, str]:
    return {k: v for k, v in kw.items() if v}
