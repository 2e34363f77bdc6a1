# ruff: noqa: E501 - log lines are quoted as the MTAs write them, one per line
"""Hand-written edge cases for each log reader (where the real MTA could not be run here).

The lines follow the formats those MTAs write (Exim 4 mainlog with common log_selector
options, sendmail 8 syslog lines, OpenSMTPD 6/7 session lines, Exchange 2016+ message
tracking CSV); each case pairs a message's Received header with the log lines of its
queue id.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from headertrace import Organisation, trace
from headertrace.logs import LogOptions, timeline
from headertrace.models import Trace

ORG = Organisation.from_dict(
    {"domains": ["example.com"], "servers": ["mx.example.com", "EX01.example.com"]}
)


def message(*received: str, mid: str = "m1@laptop") -> bytes:
    head = "".join(f"Received: {r}\n" for r in received)
    return (
        f"{head}From: bob@example.com\nTo: carol@example.com\nSubject: hi\n"
        f"Message-ID: <{mid}>\nDate: Thu, 03 Dec 2026 15:19:00 +0000\n\nbody\n"
    ).encode()


def traced(tmp_path: Path, msg: bytes, log: str, name: str = "mail.log", **kw: object) -> Trace:
    path = tmp_path / name
    path.write_text(log, encoding="utf-8")
    return trace(msg, org=ORG, logs=[path], **kw)  # type: ignore[arg-type]


def codes(t: Trace) -> set[str]:
    return {f.code for f in t.findings}


EXIM_RECEIVED = (
    "from [203.0.113.7] (helo=laptop)\n\tby mx.example.com with esmtpsa (TLS1.3)\n"
    "\ttls TLS_AES_256_GCM_SHA384\n\t(Exim 4.96)\n\t(envelope-from <bob@example.com>)\n"
    "\tid 1sXyZa-000Abc-Q1\n\tfor carol@example.com;\n\tThu, 03 Dec 2026 15:19:03 +0000"
)
EXIM_LOG = """\
2026-12-03 15:19:03 1sXyZa-000Abc-Q1 <= bob@example.com H=(laptop) [203.0.113.7]:50432 I=[192.0.2.25]:587 P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=dovecot_plain:bob S=1234 id=m1@laptop T="hi there" from <bob@example.com> for carol@example.com
2026-12-03 15:19:04 1sXyZa-000Abc-Q1 => carol <carol@example.com> R=local_user T=maildir_home
2026-12-03 15:19:04 1sXyZa-000Abc-Q1 Completed
"""


def test_exim_login_from_the_mainlog(tmp_path: Path) -> None:
    t = traced(tmp_path, message(EXIM_RECEIVED), EXIM_LOG)
    assert t.log is not None and t.log.match == "strong", t.findings
    assert (t.log.account, t.log.auth_method) == ("bob", "dovecot_plain")
    assert t.log.client_ip == "203.0.113.7" and t.log.software == "exim"
    assert t.log.recipients[0].status == "delivered"
    assert t.verdict is not None and t.verdict.sender.account == "bob"
    assert "log-time-zone-assumed" in codes(t)


def test_exim_log_selector_variants(tmp_path: Path) -> None:
    # +pid, log_timezone, +millisec, H= with a verified name and a HELO
    log = (
        "2026-12-03 15:19:03.412 +0000 [4242] 1sXyZa-000Abc-Q1 <= bob@example.com "
        "H=laptop.example.net (laptop) [203.0.113.7]:50432 P=esmtpsa A=plain_server:bob@example.com "
        "S=1234 id=m1@laptop\n"
        "2026-12-03 15:19:05.001 +0000 [4243] 1sXyZa-000Abc-Q1 ** carol@example.com R=r T=t: "
        "mailbox is full\n"
        "2026-12-03 15:19:05.002 +0000 [4243] 1sXyZa-000Abc-Q1 Completed\n"
    )
    t = traced(tmp_path, message(EXIM_RECEIVED), log)
    assert t.log is not None and t.log.match == "strong"
    assert t.log.account == "bob@example.com" and t.log.client_name == "laptop.example.net"
    assert t.log.recipients[0].status == "failed"
    assert t.log.recipients[0].detail == "mailbox is full"
    assert "log-time-zone-assumed" not in codes(t)


def test_exim_local_user(tmp_path: Path) -> None:
    received = (
        "from www-data by mx.example.com with local (Exim 4.96)\n\t(envelope-from "
        "<www-data@mx.example.com>)\n\tid 1sXyZb-000Abd-R2\n\tfor carol@example.com;\n"
        "\tThu, 03 Dec 2026 15:19:03 +0000"
    )
    log = (
        "2026-12-03 15:19:03 1sXyZb-000Abd-R2 <= www-data@mx.example.com U=www-data P=local "
        "S=300 id=m1@laptop\n"
    )
    t = traced(tmp_path, message(received), log)
    assert t.log is not None and (t.log.user, t.log.user_source) == ("www-data", "log")


SENDMAIL_RECEIVED = (
    "from laptop.example.net (laptop.example.net [203.0.113.7])\n\tby mx.example.com "
    "(8.17.1.9/8.17.1.9/Debian-2) with ESMTPSA id 0B3FJ3xO012345\n\t(version=TLSv1.3 "
    "cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)\n\tfor <carol@example.com>; "
    "Thu, 3 Dec 2026 15:19:03 +0000"
)
SENDMAIL_LOG = """\
Dec  3 15:19:03 mx sm-mta[12345]: STARTTLS=server, relay=laptop.example.net [203.0.113.7], version=TLSv1.3, verify=NOT
Dec  3 15:19:03 mx sm-mta[12345]: 0B3FJ3xO012345: AUTH=server, relay=laptop.example.net [203.0.113.7], authid=bob, mech=PLAIN, bits=0
Dec  3 15:19:03 mx sm-mta[12345]: 0B3FJ3xO012345: from=<bob@example.com>, size=1234, class=0, nrcpts=1, msgid=<m1@laptop>, bodytype=8BITMIME, proto=ESMTPSA, daemon=MTA, tls_verify=NOT, auth=PLAIN, relay=laptop.example.net [203.0.113.7]
Dec  3 15:19:04 mx sm-mta[12346]: 0B3FJ3xO012345: to=<carol@example.com>, delay=00:00:01, xdelay=00:00:00, mailer=local, pri=31234, dsn=2.0.0, stat=Sent
"""


def test_sendmail_authid(tmp_path: Path) -> None:
    t = traced(tmp_path, message(SENDMAIL_RECEIVED), SENDMAIL_LOG)
    assert t.log is not None and t.log.match == "strong", t.findings
    assert (t.log.account, t.log.auth_method) == ("bob", "PLAIN")
    assert t.log.envelope_from == "bob@example.com" and t.log.message_id == "m1@laptop"
    assert t.log.recipients[0].status == "Sent"
    assert t.verdict is not None and t.verdict.sender.account == "bob"


def test_sendmail_local_submission_ctladdr_and_handover(tmp_path: Path) -> None:
    received = (
        "from localhost (localhost [127.0.0.1])\n\tby mx.example.com (8.17.1.9/8.17.1.9) with "
        "ESMTP id 0B3FJ3xP012341\n\tfor <carol@example.com>; Thu, 3 Dec 2026 15:19:03 +0000",
        "(from www-data@localhost)\n\tby mx.example.com (8.17.1.9/8.17.1.9/Submit) id "
        "0B3FJ3aa012340;\n\tThu, 3 Dec 2026 15:19:03 +0000",
    )
    log = (
        "Dec  3 15:19:03 mx sendmail[2000]: 0B3FJ3aa012340: from=www-data, size=300, class=0, "
        "nrcpts=1, msgid=<m1@laptop>, relay=www-data@localhost\n"
        "Dec  3 15:19:03 mx sm-mta[2001]: 0B3FJ3xP012341: from=<www-data@mx.example.com>, "
        "size=500, class=0, nrcpts=1, msgid=<m1@laptop>, proto=ESMTP, daemon=MTA, "
        "relay=localhost [127.0.0.1]\n"
        "Dec  3 15:19:03 mx sendmail[2000]: 0B3FJ3aa012340: to=carol@example.com, "
        "ctladdr=www-data (33/33), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=30300, "
        "relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (0B3FJ3xP012341 Message accepted "
        "for delivery)\n"
    )
    t = traced(
        tmp_path,
        message(*received),
        log,
        log_options=LogOptions(passwd={33: "www-data"}, passwd_source="passwd FILE"),
    )
    assert t.log is not None and t.log.match == "strong", t.findings
    assert t.log.uid == 33 and t.log.user == "www-data"
    assert t.log.queue_ids == ("0B3FJ3aa012340", "0B3FJ3xP012341")
    assert t.log.recipients[0].next_id == "0B3FJ3xP012341"


OPENSMTPD_RECEIVED = (
    "from laptop.example.net (laptop.example.net [203.0.113.7])\n\tby mx.example.com "
    "(OpenSMTPD) with ESMTPSA id 0a1b2c3d (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)\n"
    "\tfor <carol@example.com>;\n\tThu, 3 Dec 2026 15:19:03 +0000 (UTC)"
)
OPENSMTPD_LOG = """\
Dec  3 15:19:02 mx smtpd[900]: 5b1c0d2e3f405162 smtp connected address=203.0.113.7 host=laptop.example.net
Dec  3 15:19:02 mx smtpd[900]: 5b1c0d2e3f405162 smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256
Dec  3 15:19:02 mx smtpd[900]: 5b1c0d2e3f405162 smtp authentication user=bob result=ok
Dec  3 15:19:03 mx smtpd[900]: 5b1c0d2e3f405162 smtp message msgid=0a1b2c3d size=377 nrcpt=1 proto=ESMTP
Dec  3 15:19:03 mx smtpd[900]: 5b1c0d2e3f405162 smtp envelope evpid=0a1b2c3d11223344 from=<bob@example.com> to=<carol@example.com>
Dec  3 15:19:03 mx smtpd[900]: 5b1c0d2e3f405162 smtp disconnected reason=quit
Dec  3 15:19:04 mx smtpd[900]: 6c2d1e3f4a5b6c7d mda delivery evpid=0a1b2c3d11223344 from=<bob@example.com> to=<carol@example.com> rcpt=<carol@example.com> user=carol delay=1s result=Ok stat=Delivered
"""


def test_opensmtpd_session_joined_to_the_message(tmp_path: Path) -> None:
    t = traced(tmp_path, message(OPENSMTPD_RECEIVED), OPENSMTPD_LOG)
    assert t.log is not None and t.log.match == "strong", t.findings
    assert t.log.account == "bob" and t.log.client_ip == "203.0.113.7"
    assert t.log.envelope_from == "bob@example.com"
    assert [(d.recipient, d.status) for d in t.log.recipients] == [("carol@example.com", "Ok")]
    assert len(t.log.lines) == 7
    assert t.verdict is not None and t.verdict.sender.account == "bob"


FIELDS_TEXT = (
    "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,"
    "source,event-id,internal-message-id,message-id,network-message-id,recipient-address,"
    "recipient-status,total-bytes,recipient-count,related-recipient-address,reference,"
    "message-subject,sender-address,return-path,message-info,directionality,tenant-id,"
    "original-client-ip,original-server-ip,custom-data"
)
FIELDS = FIELDS_TEXT.split(",")


def exchange_log(*rows: dict[str, str]) -> str:
    out = io.StringIO()
    out.write("#Software: Microsoft Exchange Server\n#Version: 15.02.1118.040\n")
    out.write("#Log-type: Message Tracking Log\n#Date: 2026-12-03T15:00:00.000Z\n")
    out.write("#Fields: " + ",".join(FIELDS) + "\n")
    w = csv.writer(out, lineterminator="\n")
    for row in rows:
        w.writerow([row.get(f, "") for f in FIELDS])
    return out.getvalue()


EXCHANGE_RECEIVED = (
    "from laptop (203.0.113.7) by EX01.example.com (192.0.2.30) with Microsoft SMTP Server "
    "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1118.40;\n"
    "\tThu, 3 Dec 2026 15:19:03 +0000"
)


def test_exchange_tracking_csv(tmp_path: Path) -> None:
    log = exchange_log(
        {"date-time": "2026-12-03T15:19:03.120Z", "client-ip": "203.0.113.7",
         "client-hostname": "laptop", "server-hostname": "EX01", "source": "SMTP",
         "event-id": "RECEIVE", "message-id": "<m1@laptop>", "connector-id": "EX01\\Client Frontend EX01",
         "recipient-address": "carol@example.com", "sender-address": "bob@example.com",
         "original-client-ip": "203.0.113.7", "message-subject": "hi, there"},
        {"date-time": "2026-12-03T15:19:04.000Z", "server-hostname": "EX01", "source": "STOREDRIVER",
         "event-id": "DELIVER", "message-id": "<m1@laptop>", "recipient-address": "carol@example.com",
         "recipient-status": "250 2.1.5 Queued", "sender-address": "bob@example.com"},
        {"date-time": "2026-12-03T15:30:00.000Z", "server-hostname": "EX01", "source": "SMTP",
         "event-id": "RECEIVE", "message-id": "<other@laptop>", "client-ip": "192.0.2.1"},
    )  # fmt: skip
    t = traced(tmp_path, message(EXCHANGE_RECEIVED), log, "MSGTRK2026120315-1.LOG")
    assert t.log is not None and t.log.match == "strong", t.findings
    assert t.log.files[0].format == "exchange"
    assert t.log.client_ip == "203.0.113.7" and t.log.envelope_from == "bob@example.com"
    assert [(d.recipient, d.status) for d in t.log.recipients] == [
        ("carol@example.com", "delivered")
    ]
    assert t.log.account is None  # this log has no authenticated-user column


def test_interleaved_postfix_instances_are_ambiguous(tmp_path: Path) -> None:
    received = (
        "from laptop.example.net (laptop.example.net [203.0.113.7])\n\tby mx.example.com "
        "(Postfix) with ESMTPSA id 4829120C3A1\n\tfor <carol@example.com>; "
        "Thu,  3 Dec 2026 15:19:03 +0000 (UTC)"
    )
    log = (
        "Dec  3 15:19:03 mx postfix/smtpd[1]: 4829120C3A1: client=laptop.example.net[203.0.113.7],"
        " sasl_method=PLAIN, sasl_username=bob@example.com\n"
        "Dec  3 15:19:04 mx postfix-out/smtpd[2]: 4829120C3A1: client=other.example[192.0.2.9],"
        " sasl_method=PLAIN, sasl_username=eve@example.com\n"
    )
    t = traced(tmp_path, message(received), log)
    assert "log-ambiguous" in codes(t)
    assert t.log is not None and t.log.match == "weak" and t.log.account == "bob@example.com"
    assert t.verdict is not None and t.verdict.sender.account is None


def test_timelines_of_every_family(tmp_path: Path) -> None:
    cases = {
        "exim.log": (EXIM_LOG, "1sXyZa-000Abc-Q1", 3),
        "sendmail.log": (SENDMAIL_LOG, "0B3FJ3xO012345", 3),
        "smtpd.log": (OPENSMTPD_LOG, "0a1b2c3d", 7),
    }
    for name, (text, ident, n) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        tl = timeline(ident, [path])
        assert len(tl.events) == n, (name, tl.events)
        assert tl.events[0].event in ("arrival", "auth"), name
    by_mid = timeline("m1@laptop", [tmp_path / "exim.log"])
    assert by_mid.queue_ids == ("1sXyZa-000Abc-Q1",)


def test_a_recipients_ctladdr_is_not_the_submitter(tmp_path: Path) -> None:
    log = SENDMAIL_LOG.replace(
        "mailer=local, pri=31234,",
        "ctladdr=<carol@example.com> (1000/1000), mailer=local, pri=31234,",
    )
    t = traced(tmp_path, message(SENDMAIL_RECEIVED), log)
    assert t.log is not None and t.log.match == "strong"
    assert t.log.uid is None and t.log.user is None
    assert t.verdict is not None and t.verdict.sender.account == "bob"
