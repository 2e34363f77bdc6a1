"""sendmail's syslog lines: ``QUEUEID: name=value, name=value, ...`` after ``sendmail[pid]``
(or ``sm-mta``, ``sm-msp-queue``).

Read: ``from=`` (``size=``, ``nrcpts=``, ``msgid=``, ``proto=``, ``relay=NAME [IP]``), the
login (``AUTH=server, relay=..., authid=..., mech=...``), deliveries (``to=``, ``ctladdr=USER
(UID/GID)``, ``mailer=``, ``relay=``, ``dsn=``, ``stat=Word text``). A local submission's
``relay=USER@localhost`` names the user. Pure: no I/O.
"""

from __future__ import annotations

import re

from headertrace.logs.records import Entry, Event, norm_address, split_client
from headertrace.logs.syslog import SyslogLine
from headertrace.models import LogLine

PROGRAMS = ("sendmail", "sm-mta", "sm-msp-queue")
_QID = re.compile(r"([0-9A-Za-z]{8,20}): ")
_QUEUED = re.compile(
    r"queued as ([0-9A-Za-z]{5,24})|^([0-9A-Za-z]{8,20}) Message accepted|\bid=([0-9A-Za-z-]{16,})"
)


def fields(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in re.split(r", (?=[A-Za-z_]+=)", text):
        name, eq, value = part.partition("=")
        if eq:
            out.setdefault(name.strip(), value.strip())
    return out


def parse(line: LogLine, sl: SyslogLine) -> Entry | None:
    m = _QID.match(sl.message)
    if not m:
        return None
    key = m.group(1)
    f = fields(sl.message[m.end() :])
    facts: dict[str, str] = {}
    event: Event = "other"
    if "AUTH" in f and f["AUTH"] == "server":
        event = "auth"
        facts.update(_some(account=f.get("authid"), auth_method=f.get("mech")))
        name, ip = split_client(f.get("relay", ""))
        facts.update(_some(client_name=name, client_ip=ip))
    elif "from" in f:
        event = "arrival"
        facts["sender"] = norm_address(f["from"])
        relay = f.get("relay", "")
        if relay.endswith("@localhost") and "[" not in relay:
            facts["user"] = relay.rsplit("@", 1)[0]
        else:
            name, ip = split_client(relay)
            facts.update(_some(client_name=name, client_ip=ip))
        mid = f.get("msgid")
        facts.update(
            _some(
                message_id=norm_address(mid) if mid else None,
                size=f.get("size"),
                nrcpt=f.get("nrcpts"),
                protocol=f.get("proto"),
            )
        )
    elif "to" in f:
        event = "delivery"
        stat = f.get("stat", "")
        word, _, detail = stat.partition(" ")
        facts.update(
            _some(
                recipient=norm_address(f["to"].split(",")[0]),
                status=word or None,
                relay=f.get("relay") or f.get("mailer"),
                dsn=f.get("dsn"),
                detail=detail.strip("() ") or None,
            )
        )
        ctl = f.get("ctladdr", "")
        if ctl:
            user, _, ids = ctl.partition(" ")
            facts["user"] = norm_address(user).split("@", 1)[0]
            uid = ids.strip("()").split("/", 1)[0]
            if uid.isdigit():
                facts["uid"] = uid
        q = _QUEUED.search(detail.strip("() "))
        next_id = q and (q.group(1) or q.group(2) or q.group(3))
        if next_id and next_id != key:
            facts["next_id"] = next_id
    return Entry(line, "sendmail", sl.time, sl.host, sl.program, key, event, facts)


def _some(**kw: str | None) -> dict[str, str]:
    return {k: v for k, v in kw.items() if v}
