"""mbox files, Maildir folders and Outlook .msg files."""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from headertrace.errors import InputError
from headertrace.intake import iter_messages, open_complaint
from headertrace.intake.outlook import content_from_object, transport_headers
from headertrace.intake.unwrap import Unwrapper

SPAM = (
    b"Received: from bulk.spammer.example (bulk.spammer.example [192.0.2.77])\r\n"
    b"\tby mx.isp.example (Postfix) with ESMTP id 9F1E2A0B1;"
    b" Tue, 1 Jun 2021 10:00:03 +0000\r\n"
    b"From: win@spammer.example\r\nSubject: You have won\r\n\r\nbody\r\n"
)


def test_mbox_with_three_messages(fixtures: Path) -> None:
    path = fixtures / "intake" / "three.mbox"
    complaint = open_complaint(path)
    assert complaint.container == "mbox"
    kinds = [(r.source.kind, r.source.part) for r in complaint.reported]
    assert kinds == [("mbox", "mbox:1"), ("arf", "mbox:2/3"), ("pasted", "mbox:3/1")]
    assert all(r.source.path == str(path) for r in complaint.reported)
    assert not complaint.reported[0].raw.startswith(b"From ")
    flat = open_complaint(path, unwrap=False)
    assert [r.source.part for r in flat.reported] == ["mbox:1", "mbox:2", "mbox:3"]
    assert all(r.source.kind == "mbox" for r in flat.reported)


def test_iter_messages_reads_an_mbox_lazily(fixtures: Path) -> None:
    path = fixtures / "intake" / "three.mbox"
    messages = iter_messages(path)
    first = next(messages)
    assert first.source.part == "mbox:1"
    assert email.message_from_bytes(first.raw)["Subject"] == "You have won a prize"
    assert [m.source.part for m in messages] == ["mbox:2", "mbox:3"]
    in_memory = list(iter_messages(path.read_bytes()))
    assert [m.raw for m in in_memory] == [m.raw for m in iter_messages(path)]


def test_a_single_message_with_a_from_line_is_a_message() -> None:
    data = b"From someone@example.org Tue Jun  1 10:00:00 2021\n" + SPAM
    complaint = open_complaint(data)
    assert complaint.container == "message"
    assert [r.source.kind for r in complaint.reported] == ["message"]
    assert [r.source.kind for r in iter_messages(data)] == ["message"]


def test_mbox_unescapes_from_lines() -> None:
    body = b"Subject: a\n\n>From the start\n"
    data = b"From a@example.org Tue Jun  1 10:00:00 2021\n" + body + b"\n"
    data += b"From b@example.org Tue Jun  1 10:00:01 2021\nSubject: b\n\nx\n"
    first = next(iter_messages(data))
    assert first.raw == b"Subject: a\n\nFrom the start\n"


def _maildir(root: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    (root / "cur" / "1622541600.M1P1.host:2,S").write_bytes(SPAM)
    (root / "new" / "1622541601.M2P1.host").write_bytes(
        (Path(__file__).parent / "fixtures" / "intake" / "arf-abuse.eml").read_bytes()
    )
    (root / "tmp" / "1622541602.M3P1.host").write_bytes(b"partial")
    return root


def test_maildir(tmp_path: Path) -> None:
    root = _maildir(tmp_path / "Maildir")
    complaint = open_complaint(root)
    assert complaint.container == "maildir"
    assert [r.source.kind for r in complaint.reported] == ["maildir", "arf"]
    assert complaint.reported[0].source.path == str(root / "cur" / "1622541600.M1P1.host:2,S")
    assert complaint.reported[1].source.part == "3"
    assert [r.source.kind for r in iter_messages(str(root))] == ["maildir", "maildir"]


def test_empty_maildir_and_plain_directory(tmp_path: Path) -> None:
    (tmp_path / "empty" / "cur").mkdir(parents=True)
    complaint = open_complaint(tmp_path / "empty")
    assert complaint.reported == ()
    assert complaint.findings[0].code == "no-reported-message"
    (tmp_path / "plain").mkdir()
    with pytest.raises(InputError):
        open_complaint(tmp_path / "plain")


# -- Outlook .msg ---------------------------------------------------------------------------


def _write_msg(path: Path, headers: str | None, subject: str = "You have won") -> Path:
    """A minimal but real .msg (OLE compound file), written with extract-msg's OleWriter."""
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    writer.addEntry("__properties_version1.0", b"\x00" * 32)
    writer.addEntry("__substg1.0_001A001F", "IPM.Note".encode("utf-16-le"))
    writer.addEntry("__substg1.0_0037001F", subject.encode("utf-16-le"))
    if headers is not None:
        writer.addEntry("__substg1.0_007D001F", headers.encode("utf-16-le"))
    writer.write(str(path))
    return path


def test_real_msg_file_gives_its_transport_headers(tmp_path: Path) -> None:
    path = _write_msg(tmp_path / "spam.msg", SPAM.split(b"\r\n\r\n")[0].decode())
    complaint = open_complaint(path)
    assert complaint.container == "msg"
    (rep,) = complaint.reported
    assert rep.source.kind == "msg"
    assert rep.source.path == str(path)
    msg = email.message_from_bytes(rep.raw)
    assert "192.0.2.77" in msg["Received"]
    assert rep.raw.endswith(b"\r\n\r\n")
    assert open_complaint(path, unwrap=False).reported[0].raw == rep.raw


def test_msg_without_transport_headers(tmp_path: Path) -> None:
    path = _write_msg(tmp_path / "draft.msg", None)
    complaint = open_complaint(path)
    assert complaint.reported == ()
    assert complaint.findings[0].code == "no-reported-message"
    assert "transport headers" in complaint.findings[0].message


def test_unreadable_ole_file() -> None:
    complaint = open_complaint(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert complaint.reported == ()
    assert "extract-msg cannot read" in complaint.findings[0].message


def test_transport_header_prefix_is_removed() -> None:
    block = transport_headers("Microsoft Mail Internet Headers Version 2.0\r\nReceived: x\r\n")
    assert block == b"Received: x\r\n\r\n"
    assert transport_headers("  \r\n") is None


@dataclass
class _Stub:
    """Stands in for an extract_msg message: the attributes intake reads."""

    headerText: str | None  # extract-msg's attribute name
    subject: str = ""
    sender: str = ""
    body: str = ""
    attachments: list[Any] = field(default_factory=list)


@dataclass
class _Attachment:
    data: Any
    longFilename: str = ""
    mimetype: str = ""


def test_msg_with_an_embedded_msg_attachment() -> None:
    inner = _Stub(headerText=SPAM.split(b"\r\n\r\n")[0].decode(), subject="You have won")
    outer = _Stub(
        headerText="Received: from client.isp.example by smtp.isp.example; "
        "Tue, 1 Jun 2021 12:00:00 +0000\r\n",
        subject="FW: You have won",
        sender="Alice <alice@isp.example>",
        attachments=[_Attachment(inner)],
    )
    walker = Unwrapper(20)
    hits = walker.msg_content(content_from_object(outer), None, (), 0)
    (hit,) = hits
    assert hit.kind == "msg"
    assert hit.part == "msg-attachment:1"
    assert b"192.0.2.77" in hit.raw
    assert [w.subject for w in hit.wrappers] == ["FW: You have won"]


def test_msg_with_an_eml_attachment_and_with_pasted_headers() -> None:
    eml = _Stub(headerText=None, attachments=[_Attachment(SPAM, longFilename="spam.eml")])
    (hit,) = Unwrapper(20).msg_content(content_from_object(eml), None, (), 0)
    assert hit.kind == "attachment"
    assert hit.raw == SPAM
    pasted = _Stub(headerText=None, body="Headers:\r\n\r\n" + SPAM.decode())
    (hit,) = Unwrapper(20).msg_content(content_from_object(pasted), None, (), 0)
    assert hit.kind == "pasted"
    assert b"192.0.2.77" in hit.raw
