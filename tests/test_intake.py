"""open_complaint on the complaint formats: ARF, DSN, forwards, pasted headers, bad input."""

from __future__ import annotations

import email
import json
from pathlib import Path

import pytest

from headertrace.errors import InputError
from headertrace.intake import Complaint, Reported, open_complaint

SPAM_IP = "192.0.2.77"


def intake(fixtures: Path, name: str, **kwargs: object) -> Complaint:
    return open_complaint(fixtures / "intake" / name, **kwargs)  # type: ignore[arg-type]


def only(complaint: Complaint) -> Reported:
    assert len(complaint.reported) == 1, complaint.to_dict()
    return complaint.reported[0]


def codes(findings: object) -> set[str]:
    return {f.code for f in findings}  # type: ignore[attr-defined]


def is_the_spam(raw: bytes) -> bool:
    msg = email.message_from_bytes(raw)
    return msg["Message-ID"] == "<prize-0001@spammer.example>" and any(
        SPAM_IP in r for r in msg.get_all("Received", [])
    )


def test_arf_full_report(fixtures: Path) -> None:
    complaint = intake(fixtures, "arf-abuse.eml")
    rep = only(complaint)
    assert rep.source.kind == "arf"
    assert rep.source.part == "3"
    assert rep.source.path == str(fixtures / "intake" / "arf-abuse.eml")
    assert is_the_spam(rep.raw)
    assert rep.raw.endswith(b"claim now.\r\n")  # the bytes of the part, exactly
    (wrapper,) = rep.source.wrappers
    assert wrapper.kind == "arf"
    assert wrapper.sender == "Feedback Loop <fbl@mailbox.example>"
    assert wrapper.subject is not None and wrapper.subject.startswith("Abuse report")
    fields = wrapper.fields
    assert fields["Feedback-Type"] == "abuse"
    assert fields["Source-IP"] == SPAM_IP
    assert fields["Arrival-Date"] == "Tue, 1 Jun 2021 10:00:03 +0000"
    assert fields["Original-Rcpt-To"] == ["<victim@isp.example>"]
    assert fields["Reported-Domain"] == ["spammer.example"]
    for name in (
        "User-Agent",
        "Version",
        "Original-Mail-From",
        "Reporting-MTA",
        "Incidents",
        "Identity-Alignment",
        "Delivery-Result",
        "Authentication-Results",
    ):
        assert name in fields
    assert complaint.findings == ()
    assert complaint.wrappers == (wrapper,)
    json.dumps(complaint.to_dict())


def test_sparse_arf_headers_only_redacted(fixtures: Path) -> None:
    rep = only(intake(fixtures, "arf-sparse.eml"))
    assert rep.source.kind == "arf"
    assert rep.source.wrappers[0].fields == {
        "Feedback-Type": "abuse",
        "User-Agent": "ExampleJMRP/1.0",
        "Version": "1",
    }
    assert rep.raw.endswith(b"\r\n\r\n")
    assert b"redacted@isp.example" in rep.raw
    assert "report-headers-only" in codes(rep.findings)


def test_jmrp_style_forward_of_headers(fixtures: Path) -> None:
    rep = only(intake(fixtures, "jmrp.eml"))
    assert rep.source.kind == "attachment"
    assert rep.source.part == "1"
    assert rep.raw.startswith(b"X-HmXmrOriginalRecipient: <redacted>")
    assert SPAM_IP.encode() in rep.raw


@pytest.mark.parametrize(
    ("name", "headers_only"), [("dsn-rfc822.eml", False), ("dsn-headers.eml", True)]
)
def test_dsn(fixtures: Path, name: str, headers_only: bool) -> None:
    rep = only(intake(fixtures, name))
    assert rep.source.kind == "dsn"
    assert rep.source.part == "3"
    assert is_the_spam(rep.raw)
    assert ("report-headers-only" in codes(rep.findings)) is headers_only
    fields = rep.source.wrappers[0].fields
    assert fields["Reporting-MTA"] == "dns; mx.remote.example"
    assert fields["Arrival-Date"] == "Tue, 1 Jun 2021 10:04:58 +0000"
    first, second = fields["recipients"]
    assert first["Final-Recipient"] == "rfc822; nobody@remote.example"
    assert first["Action"] == "failed"
    assert first["Status"] == "5.1.1"
    assert first["Remote-MTA"] == "dns; store.remote.example"
    assert first["Diagnostic-Code"] == "smtp; 550 5.1.1 user unknown"
    assert second["Status"] == "5.2.2"


def test_forward_with_the_spam_attached(fixtures: Path) -> None:
    rep = only(intake(fixtures, "forward-attached.eml"))
    assert rep.source.kind == "attachment"
    assert rep.source.part == "2"
    assert is_the_spam(rep.raw)
    (wrapper,) = rep.source.wrappers
    assert wrapper.to_dict() == {
        "kind": "forward",
        "from": "Alice <alice@isp.example>",
        "subject": "Fwd: You have won a prize",
        "fields": {},
    }


def test_complaint_forwarded_twice(fixtures: Path) -> None:
    rep = only(intake(fixtures, "forward-twice.eml"))
    assert rep.source.kind == "attachment"
    assert rep.source.part == "2.2"
    assert is_the_spam(rep.raw)
    assert [w.sender for w in rep.source.wrappers] == [
        "Bob <bob@isp.example>",
        "Alice <alice@isp.example>",
    ]


def test_forwarded_arf_lists_both_wrappers(fixtures: Path) -> None:
    rep = only(intake(fixtures, "forward-of-arf.eml"))
    assert rep.source.kind == "arf"
    assert rep.source.part == "2.3"
    assert is_the_spam(rep.raw)
    assert [w.kind for w in rep.source.wrappers] == ["forward", "arf"]
    assert rep.source.wrappers[1].fields["Source-IP"] == SPAM_IP


def test_attached_spam_carrying_a_message_is_not_opened(fixtures: Path) -> None:
    rep = only(intake(fixtures, "forward-spam-with-eml.eml"))
    assert rep.source.part == "2"
    assert is_the_spam(rep.raw)


@pytest.mark.parametrize(
    "name", ["pasted-plain.eml", "pasted-quoted-rewrapped.eml", "pasted-html.eml"]
)
def test_pasted_headers_in_the_body(fixtures: Path, name: str) -> None:
    rep = only(intake(fixtures, name))
    assert rep.source.kind == "pasted"
    assert rep.source.part == "1"
    assert rep.source.wrappers[0].kind == "forward"
    assert "pasted-headers" in codes(rep.findings)
    assert rep.raw.endswith(b"\r\n\r\n")
    msg = email.message_from_bytes(rep.raw)
    received = msg.get_all("Received", [])
    assert len(received) == 2
    assert received[1] == (
        "from bulk.spammer.example (bulk.spammer.example [192.0.2.77]) by mx.isp.example "
        "(Postfix) with ESMTP id 9F1E2A0B1 for <victim@isp.example>; "
        "Tue, 1 Jun 2021 10:00:03 +0000 (UTC)"
    )
    assert msg["Subject"] == "You have won a prize"
    assert msg["Return-Path"] == "<bounce@spammer.example>"


def test_quoted_and_rewrapped_paste_says_so(fixtures: Path) -> None:
    rep = only(intake(fixtures, "pasted-quoted-rewrapped.eml"))
    (pasted,) = [f for f in rep.findings if f.code == "pasted-headers"]
    assert "quote marks removed" in pasted.message
    assert "2 re-wrapped line(s) joined" in pasted.message


@pytest.mark.parametrize("name", ["headers-only.txt", "headers-quoted.txt"])
def test_a_file_of_pasted_headers(fixtures: Path, name: str) -> None:
    rep = only(intake(fixtures, name))
    assert rep.source.kind == "pasted"
    assert "pasted-headers" in codes(rep.findings)
    msg = email.message_from_bytes(rep.raw)
    assert len(msg.get_all("Received", [])) == 2
    assert msg["Message-ID"] == "<prize-0001@spammer.example>"


def test_outlook_preamble_is_not_a_header_block(fixtures: Path) -> None:
    rep = only(intake(fixtures, "outlook-preamble.eml"))
    assert rep.source.kind == "message"
    assert "no-original-found" in codes(rep.findings)


def test_plain_spam_is_the_message(fixtures: Path) -> None:
    path = fixtures / "intake" / "plain-spam.eml"
    rep = only(open_complaint(path))
    assert rep.source.kind == "message"
    assert rep.source.part is None
    assert rep.raw == path.read_bytes()
    assert rep.findings == ()
    assert rep.source.wrappers == ()


@pytest.mark.parametrize("name", ["arf-abuse.eml", "forward-twice.eml", "pasted-plain.eml"])
def test_no_unwrap_gives_the_outer_message(fixtures: Path, name: str) -> None:
    path = fixtures / "intake" / name
    rep = only(open_complaint(path, unwrap=False))
    assert rep.source.kind == "message"
    assert rep.raw == path.read_bytes()
    assert rep.source.wrappers == ()


def test_sources_other_than_paths(fixtures: Path) -> None:
    data = (fixtures / "intake" / "arf-abuse.eml").read_bytes()
    from_bytes = only(open_complaint(data))
    from_text = only(open_complaint(data.decode()))
    from_message = only(open_complaint(email.message_from_bytes(data)))
    assert from_bytes.source.path is None
    for rep in (from_bytes, from_text, from_message):
        assert rep.source.kind == "arf"
        assert is_the_spam(rep.raw)


# -- bad input ----------------------------------------------------------------------------


def test_report_without_original(fixtures: Path) -> None:
    complaint = intake(fixtures, "no-original.eml")
    assert complaint.reported == ()
    (missing,) = [f for f in complaint.findings if f.code == "no-reported-message"]
    assert "Feedback-Type: abuse" in missing.message
    assert "Source-IP: 192.0.2.77" in missing.message
    assert "no message/rfc822 or text/rfc822-headers part" in missing.message
    # The report's fields are kept although there is nothing to trace.
    assert complaint.wrappers[0].fields["Source-IP"] == SPAM_IP


def test_empty_original(fixtures: Path) -> None:
    complaint = intake(fixtures, "arf-empty-original.eml")
    assert complaint.reported == ()
    assert {"report-empty-original", "no-reported-message"} <= codes(complaint.findings)


def test_broken_base64_original(fixtures: Path) -> None:
    complaint = intake(fixtures, "arf-broken-base64.eml")
    rep = only(complaint)
    assert "report-broken-original" in codes(rep.findings)


def test_base64_encoded_original_is_decoded(fixtures: Path) -> None:
    rep = only(intake(fixtures, "arf-base64-original.eml"))
    assert is_the_spam(rep.raw)
    assert rep.findings == ()


def test_truncated_report(fixtures: Path) -> None:
    rep = only(intake(fixtures, "arf-truncated.eml"))
    assert rep.source.kind == "arf"
    assert "report-truncated" in codes(rep.findings)
    assert rep.raw.startswith(b"Return-Path:")


def test_report_cut_before_its_original(fixtures: Path) -> None:
    complaint = intake(fixtures, "arf-cut-before-original.eml")
    assert complaint.reported == ()
    assert {"report-truncated", "no-reported-message"} <= codes(complaint.findings)
    missing = next(f for f in complaint.findings if f.code == "no-reported-message")
    assert "truncated" in missing.message


def test_mixed_line_endings(fixtures: Path) -> None:
    rep = only(intake(fixtures, "mixed-eol.eml"))
    assert rep.source.kind == "arf"
    assert rep.source.wrappers[0].fields["Source-IP"] == SPAM_IP
    assert SPAM_IP.encode() in rep.raw


def test_eight_bit_headers(fixtures: Path) -> None:
    complaint = intake(fixtures, "eight-bit.eml")
    rep = only(complaint)
    assert rep.source.wrappers[0].subject == "Meldung über Spam for a message from 192.0.2.77"
    assert b"Gewinn f\xfcr Sie" in rep.raw  # the reported bytes are untouched
    json.dumps(complaint.to_dict(), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\r\n\r\n",
        b"just some text, no headers at all\n",
        b"\x00\xff\xfe garbage \x80\x81",
        b"Content-Type: multipart/report; report-type=feedback-report; boundary=x\n\n",
        b"Content-Type: multipart/mixed; boundary=\n\n--\n--\n",
        b"Content-Type: message/rfc822\n\n",
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n"
        b"Content-Transfer-Encoding: base64\n\n@@@@\n--b--\n",
        b"From: a@b.example\nSubject: Fwd: x\nContent-Type: text/html\n\n<<<<<>>>><br" * 50,
    ],
)
def test_bad_input_never_raises(data: bytes) -> None:
    complaint = open_complaint(data)
    assert complaint.reported or complaint.findings


def test_empty_input_says_so() -> None:
    complaint = open_complaint(b"")
    assert complaint.reported == ()
    assert "empty" in complaint.findings[0].message


def test_missing_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        open_complaint(tmp_path / "nope.eml")


def test_unsupported_type_raises_input_error() -> None:
    with pytest.raises(InputError):
        open_complaint(42)  # type: ignore[arg-type]


def _nested_multipart(levels: int) -> bytes:
    head = b"From: a@example.org\r\nSubject: deep\r\n"
    out = [head]
    for i in range(levels):
        out.append(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode())
    out.append(b"Content-Type: text/plain\r\n\r\nbottom\r\n")
    for i in reversed(range(levels)):
        out.append(f"--b{i}--\r\n".encode())
    return b"".join(out)


def _nested_forwards(levels: int) -> bytes:
    message = (
        b"Received: from x.example (x.example [192.0.2.1]) by y.example; "
        b"Tue, 1 Jun 2021 10:00:00 +0000\r\nSubject: spam\r\n\r\nbody\r\n"
    )
    for i in range(levels):
        message = (
            (
                f"From: f{i}@example.org\r\nSubject: Fwd: level {i}\r\n"
                f'Content-Type: multipart/mixed; boundary="f{i}"\r\n\r\n'
                f"--f{i}\r\nContent-Type: message/rfc822\r\n\r\n"
            ).encode()
            + message
            + f"\r\n--f{i}--\r\n".encode()
        )
    return message


# Linear-time checks are hang guards (pytest-timeout), never timed assertions: a quadratic
# walk over these inputs would take minutes, a linear one milliseconds.
@pytest.mark.timeout(30)
@pytest.mark.parametrize("build", [_nested_multipart, _nested_forwards])
def test_nesting_100_deep_is_cut_quickly(build: object) -> None:
    data = build(100)  # type: ignore[operator]
    complaint = open_complaint(data)
    assert "nesting-too-deep" in codes(complaint.findings)


def test_nesting_within_the_cap_is_followed() -> None:
    complaint = open_complaint(_nested_forwards(5))
    rep = only(complaint)
    assert rep.raw.startswith(b"Received: from x.example")
    assert len(rep.source.wrappers) == 5
    assert rep.source.part == "1" + ".1" * 4
    assert "nesting-too-deep" not in codes(complaint.findings)


@pytest.mark.timeout(30)
def test_large_attachment_is_not_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    big = b"QUFBQUFBQUFB" * (25 * 1024 * 1024 // 12)
    data = (
        b'From: a@example.org\r\nSubject: Fwd: spam\r\nContent-Type: multipart/mixed; boundary="z"'
        b"\r\n\r\n--z\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="big.zip"\r\n\r\n'
        + big
        + b"\r\n--z\r\nContent-Type: message/rfc822\r\n\r\n"
        b"Received: from x.example (x.example [192.0.2.1]) by y.example; "
        b"Tue, 1 Jun 2021 10:00:00 +0000\r\nSubject: spam\r\n\r\nbody\r\n--z--\r\n"
    )
    import base64
    import binascii

    real = binascii.a2b_base64

    def guarded(data: bytes | str, *, strict_mode: bool = False) -> bytes:
        assert len(data) < 1_000_000, "the 25 MB attachment was decoded"
        options = {"strict_mode": True} if strict_mode else {}  # 3.11+ keyword
        return real(data, **options)

    monkeypatch.setattr(binascii, "a2b_base64", guarded)
    monkeypatch.setattr(base64.binascii, "a2b_base64", guarded)  # type: ignore[attr-defined]
    rep = only(open_complaint(data))
    assert rep.source.part == "2"
    assert rep.raw.startswith(b"Received: from x.example")


def test_several_attached_messages_are_each_reported() -> None:
    spam = (
        b"Received: from x.example (x.example [192.0.2.%d]) by y.example; "
        b"Tue, 1 Jun 2021 10:00:00 +0000\r\nSubject: spam %d\r\n\r\nbody\r\n"
    )
    data = (
        b'From: a@example.org\r\nSubject: spam\r\nContent-Type: multipart/mixed; boundary="z"'
        b"\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nthree spams\r\n"
        + b"".join(
            b"--z\r\nContent-Type: message/rfc822\r\n\r\n" + spam % (i, i) + b"\r\n"
            for i in range(3)
        )
        + b"--z--\r\n"
    )
    complaint = open_complaint(data)
    assert [r.source.part for r in complaint.reported] == ["2", "3", "4"]
    assert [email.message_from_bytes(r.raw)["Subject"] for r in complaint.reported] == [
        "spam 0",
        "spam 1",
        "spam 2",
    ]


def test_eml_attachment_typed_octet_stream_is_opened() -> None:
    import base64

    spam = (
        b"Received: from x.example (x.example [192.0.2.1]) by y.example; "
        b"Tue, 1 Jun 2021 10:00:00 +0000\r\nSubject: spam\r\n\r\nbody\r\n"
    )
    data = (
        b'From: a@example.org\r\nSubject: look\r\nContent-Type: multipart/mixed; boundary="z"'
        b'\r\n\r\n--z\r\nContent-Type: application/octet-stream; name="spam.eml"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(spam) + b"--z--\r\n"
    )
    rep = only(open_complaint(data))
    assert rep.source.kind == "attachment"
    assert rep.raw == spam


def test_typed_report_without_report_content_is_an_ordinary_message() -> None:
    data = (
        b"Received: from x.example (x.example [192.0.2.1]) by y.example; "
        b"Tue, 1 Jun 2021 10:00:00 +0000\r\nSubject: your parcel\r\n"
        b'Content-Type: multipart/report; boundary="r"\r\n\r\n--r\r\n'
        b"Content-Type: text/html\r\n\r\n<p>click</p>\r\n--r--\r\n"
    )
    complaint = open_complaint(data)
    rep = only(complaint)
    assert rep.source.kind == "message"
    assert complaint.findings == ()
