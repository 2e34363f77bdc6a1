"""``normalise_ip`` reads the common spellings itself and the rest with ``ipaddress``: the
two must agree on every text, which these tests check against ``ipaddress`` alone (the
function as it was, kept here as the reference)."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headertrace.addresses import normalise_ip
from headertrace.intake import open_complaint
from headertrace.parse.headers import split_header_block

_ADDRESS = re.compile(r"[0-9A-Fa-f.:]+")
_fast = normalise_ip.__wrapped__


def _reference(text: str | None) -> str | None:
    """``normalise_ip`` with ``ipaddress`` reading every address."""
    if not text:
        return None
    s = text.strip().strip("[]").strip()
    if s[:5].lower() == "ipv6:":
        s = s[5:]
    if "%" in s:
        s = s.split("%", 1)[0]
    if not s or len(s) > 64 or _ADDRESS.fullmatch(s) is None:
        return None
    try:
        addr = ipaddress.ip_address(s)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def _spellings(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[str]:
    text = str(address)
    if address.version == 4:
        octets = text.split(".")
        return [text, ".".join(o.zfill(3) for o in octets), f"[{text}]", f"::ffff:{text}"]
    groups = address.exploded.split(":")
    return [
        text,
        text.upper(),
        address.exploded,
        ":".join(g.lstrip("0") or "0" for g in groups),
        f"[IPv6:{text}]",
        f"{text}%eth0",
    ]


@given(st.ip_addresses(), st.integers(0, 5), st.integers(0, 60), st.sampled_from(":0aF.x"))
def test_every_spelling_of_an_address_reads_as_ipaddress_reads_it(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, which: int, at: int, extra: str
) -> None:
    spellings = _spellings(address)
    text = spellings[which % len(spellings)]
    assert _fast(text) == _reference(text), text
    broken = text[:at] + extra + text[at:]  # and one character more: mostly no address
    assert _fast(broken) == _reference(broken), broken
    shorter = text[:at] + text[at + 1 :]
    assert _fast(shorter) == _reference(shorter), shorter


@given(st.text(alphabet="0123456789abcdefABCDEF:.", max_size=45))
def test_any_text_of_address_characters_reads_as_ipaddress_reads_it(text: str) -> None:
    assert _fast(text) == _reference(text), text


@given(st.lists(st.sampled_from([0, 0, 0, 1, 0xFFFF, 0xABCD]), min_size=8, max_size=8))
def test_runs_of_zero_groups_compress_as_ipaddress_compresses_them(groups: list[int]) -> None:
    for text in (":".join(f"{g:x}" for g in groups), ":".join(f"{g:04X}" for g in groups)):
        assert _fast(text) == _reference(text), text


def test_edge_spellings() -> None:
    for text in (
        "::", "::1", "1::", ":::", "1:::2", ":1::", "1::2::3", "::ffff:1.2.3.4",
        "::ffff:102:304", "0:0:0:0:0:ffff:102:304", "1:0:0:2:0:0:0:3", "0:0:1:0:0:1:0:0",
        "01.2.3.4", "1.2.3.4", "255.255.255.255", "256.1.1.1", "00000::1", "1:2:3:4:5:6:7::",
        "::1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8::", "1::2:3:4:5:6:7:8", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9", "fe80::1%11", "[IPv6:2001:DB8::1]", "1.2.3", "1.2.3.4.5", "",
    ):  # fmt: skip
        assert _fast(text) == _reference(text), text


@pytest.mark.corpus
def test_every_address_of_the_corpus_headers_reads_as_ipaddress_reads_it(corpus: Path) -> None:
    seen: set[str] = set()
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for reported in open_complaint(path.read_bytes()).reported:
            for value in split_header_block(reported.raw).get_all("Received"):
                seen.update(re.findall(r"[0-9A-Fa-f:.]{2,}", value))
    for text in seen:
        assert _fast(text) == _reference(text), text
    assert len(seen) > 10_000
