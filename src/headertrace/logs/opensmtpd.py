"""OpenSMTPD's log lines: ``SESSION smtp|mta|mda ...`` after ``smtpd[pid]``.

A message's lines are joined in two steps: session lines (``smtp connected address=
host=``, ``smtp authentication user= result=``) carry the 16-hex session id; ``smtp message
msgid=`` ties the session to the 8-hex message id that the Received header writes as ``id``;
envelope and delivery lines carry ``evpid=``, whose first 8 hex digits are that message id
(``smtp envelope evpid= from= to=``, ``mta delivery evpid= ... relay= result= stat=``,
``mda delivery``). ``key`` is the message id where the line has one, else the session.
Pure: no I/O.
"""

from __future__ import annotations

import re

from headertrace.logs.records import Entry, Event, norm_address
from headertrace.logs.syslog import SyslogLine
from headertrace.models import LogLine

_HEAD = re.compile(r"([0-9a-f]{16}) (smtp|mta|mda|lka) ")
_KV = re.compile(r"([a-z-]+)=(\"(?:[^\"\\]|\\.)*\"|\S*)")


def looks_like(message: str) -> bool:
    return _HEAD.match(message) is not None


def parse(line: LogLine, sl: SyslogLine) -> Entry | None:
    m = _HEAD.match(sl.message)
    if not m:
        return None
    session, agent = m.group(1), m.group(2)
    text = sl.message[m.end() :]
    what, _, rest = text.partition(" ")
    kv = {k: v.strip('"') for k, v in _KV.findall(rest)}
    facts: dict[str, str] = {"session": session}
    event: Event = "other"
    key = session
    if "msgid" in kv:
        key = kv["msgid"]
    elif "evpid" in kv:
        key = kv["evpid"][:8]
    if agent == "smtp" and what == "connected":
        event = "arrival"
        if kv.get("address") and kv["address"] != "local":
            facts["client_ip"] = kv["address"]
        if kv.get("host"):
            facts["client_name"] = kv["host"]
    elif agent == "smtp" and what == "authentication":
        event = "auth"
        if kv.get("result") == "ok" and kv.get("user"):
            facts["account"] = kv["user"]
        else:
            facts["detail"] = f"authentication {kv.get('result', '?')} for {kv.get('user', '?')}"
    elif agent == "smtp" and what == "message":
        event = "queued"
        pairs = (("size", "size"), ("nrcpt", "nrcpt"), ("proto", "protocol"))
        facts.update({k2: kv[k1] for k1, k2 in pairs if k1 in kv})
    elif agent == "smtp" and what == "envelope":
        event = "queued"
        if "from" in kv:
            facts["sender"] = norm_address(kv["from"])
    elif what == "delivery":
        event = "delivery"
        facts["recipient"] = norm_address(kv.get("to", ""))
        pairs = (("result", "status"), ("relay", "relay"), ("stat", "detail"))
        facts.update({k2: kv[k1] for k1, k2 in pairs if kv.get(k1)})
        if "from" in kv:
            facts["sender"] = norm_address(kv["from"])
        queued = re.search(
            r"queued as ([0-9A-Za-z]{5,24})|\bid=([0-9A-Za-z-]{16,})", kv.get("stat", "")
        )
        if queued:
            facts["next_id"] = queued.group(1) or queued.group(2)
    links = (session,) if key != session and agent == "smtp" else ()
    return Entry(line, "opensmtpd", sl.time, sl.host, "smtpd", key, event, facts, links)
