"""Pasted header detection: plain, quoted, re-wrapped, HTML, and never slow."""

from __future__ import annotations

import email

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import headertrace
from headertrace.intake.pasted import MAX_BLOCK_BYTES, find_pasted_blocks, html_to_text

HEADERS = (
    "Received: from bulk.spammer.example (bulk.spammer.example [192.0.2.77])\n"
    "\tby mx.isp.example (Postfix) with ESMTP id 9F1E2A0B1\n"
    "\tfor <victim@isp.example>; Tue, 1 Jun 2021 10:00:03 +0000 (UTC)\n"
    "From: win@spammer.example\n"
    "Subject: You have won\n"
)
JOINED = (
    "from bulk.spammer.example (bulk.spammer.example [192.0.2.77]) by mx.isp.example "
    "(Postfix) with ESMTP id 9F1E2A0B1 for <victim@isp.example>; "
    "Tue, 1 Jun 2021 10:00:03 +0000 (UTC)"
)


def received(block: bytes) -> list[str]:
    return email.message_from_bytes(block).get_all("Received", [])


def test_plain_block() -> None:
    (block,) = find_pasted_blocks("Hi,\n\nsee:\n\n" + HEADERS + "\nThanks\n")
    assert received(block.raw) == [JOINED]
    assert block.raw.endswith(b"Subject: You have won\r\n\r\n")
    assert (block.first_line, block.last_line, block.quoted) == (5, 9, False)


def test_nested_quotes_and_pipes() -> None:
    for prefix in ("> ", ">> ", "> > ", "| ", " > "):
        text = "".join(prefix + line + "\n" for line in HEADERS.splitlines())
        (block,) = find_pasted_blocks(text)
        assert received(block.raw) == [JOINED], prefix
        assert block.quoted


def test_rewrapped_without_indentation() -> None:
    text = HEADERS.replace("\tby mx", "by mx").replace("\tfor <", "for <")
    (block,) = find_pasted_blocks(text)
    assert received(block.raw) == [JOINED]
    assert block.rewrapped == 2


def test_double_spaced_paste() -> None:
    text = "\n\n".join(
        ["Received: " + JOINED, "From: win@spammer.example", "Subject: You have won"]
    )
    (block,) = find_pasted_blocks(text)
    assert email.message_from_bytes(block.raw)["Subject"] == "You have won"


def test_no_received_no_block() -> None:
    preamble = "From: a@example.org\nSent: Tuesday\nTo: b@example.org\nSubject: hi\n"
    assert find_pasted_blocks(preamble) == []
    assert find_pasted_blocks("Note: see http://example.org\nReceived: yes, thanks") == []


def test_two_blocks() -> None:
    blocks = find_pasted_blocks(HEADERS + "\nand the second one:\n\n" + HEADERS)
    assert len(blocks) == 2


def test_html() -> None:
    markup = (
        "<html><head><title>x</title><style>a{}</style></head><body><div>Received: from a "
        "(a [192.0.2.1])<br>&nbsp;&nbsp;by b.example; Tue, 1 Jun 2021 10:00:00 +0000<br>"
        "Subject: &lt;hi&gt;</div><pre>Received: from c\n  by d; Tue, 1 Jun 2021</pre></body>"
    )
    text = html_to_text(markup)
    blocks = find_pasted_blocks(text)
    (block,) = blocks
    assert received(block.raw) == [
        "from a (a [192.0.2.1]) by b.example; Tue, 1 Jun 2021 10:00:00 +0000",
        "from c by d; Tue, 1 Jun 2021",
    ]
    assert email.message_from_bytes(block.raw)["Subject"] == "<hi>"


def test_block_size_is_capped() -> None:
    text = "Received: from a by b\n" + "X-Filler: " + "y" * 1000 + "\n" * 1
    text += "".join(f"X-F{i}: {'z' * 1000}\n" for i in range(400))
    (block,) = find_pasted_blocks(text)
    assert block.cut
    assert len(block.raw) <= MAX_BLOCK_BYTES + 2


@pytest.mark.timeout(60)
def test_pathological_inputs_are_linear() -> None:
    nasty = [
        "<" * 200_000,
        "<a" + " " * 200_000,
        ">" * 200_000 + "Received: x",
        ("Received: " + "a" * 100 + "\n" + "b" * 70 + "\n") * 5_000,
        "A:" * 100_000,
        "<pre" * 50_000,
        "<script" * 50_000,
    ]
    for text in nasty:  # a hang guard (pytest-timeout), not a timed assertion
        find_pasted_blocks(html_to_text(text))
        find_pasted_blocks(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("Received: from>|<br>\n\t &;xyz-[]")), max_size=600))
def test_never_raises(text: str) -> None:
    for block in find_pasted_blocks(text) + find_pasted_blocks(html_to_text(text)):
        assert block.raw.endswith(b"\r\n\r\n")
        assert b"Received" in block.raw or b"received" in block.raw.lower()


def test_overlong_numeric_references_do_not_raise() -> None:
    # html.unescape raises on a decimal reference of over 4,300 digits; past U+10FFFF a
    # reference means U+FFFD, as html.unescape says for shorter ones.
    assert html_to_text("&#" + "9" * 5000 + ";x") == "\ufffdx"
    assert html_to_text("&#0000000065;&#x41;&#11141111;") == "AA\ufffd"
    message = (
        b"Received: from a.example (a.example [192.0.2.1]) by mx.example.org; "
        b"Mon, 2 Oct 2023 10:00:00 +0000\r\nSubject: Fwd: spam\r\n"
        b"Content-Type: text/html\r\n\r\n<p>Received: from x &#" + b"9" * 5000 + b";</p>\r\n"
    )
    assert headertrace.trace(message).hops
