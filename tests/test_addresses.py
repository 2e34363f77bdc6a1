"""The pure address and name helpers: one spelling, the same answers as tldextract, and no
network code loaded by ``import headertrace`` or an offline trace."""

from __future__ import annotations

import ipaddress
import json
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
import tldextract
from hypothesis import given, settings
from hypothesis import strategies as st

from headertrace import addresses
from headertrace.addresses import (
    classify_ip,
    helo_kind,
    ip_note,
    is_internal,
    is_loopback,
    normalise_host,
    normalise_ip,
    parse_ip,
    registered_domain,
    to_ascii,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"

NETWORK_MODULES = ("dns", "ssl", "urllib.request", "sqlite3", "ipwhois")


def fresh_python(code: str, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter that sees only this checkout's ``src``: what a
    module imports shows in its ``sys.modules`` and nowhere else."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=check,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


@lru_cache(maxsize=1)
def _reference() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _expected(host: str, include_private: bool) -> str | None:
    """What ``registered_domain`` gave when it called tldextract (before issue #11)."""
    value = normalise_host(host)
    if value is None or "." not in value or addresses.parse_ip(value) is not None:
        return None
    if value.startswith("[") or any(c in value for c in " /@:[]"):
        return None
    result = _reference()(value, include_psl_private_domains=include_private)
    if not result.suffix or not result.domain:
        return None
    return to_ascii(f"{result.domain}.{result.suffix}")


def _psl_names() -> list[str]:
    """A name under every rule of the bundled list: plain, wildcard and exception rules."""
    text = addresses._snapshot()
    names = []
    for line in text.splitlines():
        rule = line.strip()
        if not rule or rule.startswith("//"):
            continue
        rule = rule.lstrip("!").replace("*", "w")
        names += [rule, f"host.{rule}", f"a.b.{rule}"]
    return names


def test_registered_domain_matches_tldextract_on_every_rule() -> None:
    names = _psl_names()
    assert len(names) > 20_000
    for include_private in (False, True):
        wrong = [
            (name, registered_domain(name, include_private=include_private))
            for name in names
            if registered_domain(name, include_private=include_private)
            != _expected(name, include_private)
        ]
        assert not wrong, wrong[:10]


TRICKY = [
    "mail.example.co.uk",
    "пример.рф",
    "mail.xn--e1afmkfd.xn--p1ai",
    "MAIL.XN--E1AFMKFD.XN--P1AI",
    "host.xn--broken-.com",
    "foo.blogspot.com",
    "a.b.ck",
    "www.ck",
    "x.www.ck",
    "a.kawasaki.jp",
    "city.kawasaki.jp",
    "example。com",
    "mail.example．co．uk",
    "host?x.example.com",
    "host.example.com#frag",
    "host\t.example.com",
    "localhost",
    "host.local",
    "co.uk",
    "192.0.2.1",
    "[192.0.2.1]",
    "1.2.3.4.example.com",
    "999.1.1.1",
    ".",
    "..",
    "a..example.com",
    "example.com.",
    "",
]


@pytest.mark.parametrize("name", TRICKY)
@pytest.mark.parametrize("include_private", [False, True])
def test_registered_domain_matches_tldextract_on_odd_names(
    name: str, include_private: bool
) -> None:
    assert registered_domain(name, include_private=include_private) == _expected(
        name, include_private
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["com", "uk", "co", "jp", "xn--p1ai", "рф", "ck", "www", "blogspot"])
        | st.text(alphabet="abcxn-0.。?#*!", max_size=8),
        min_size=1,
        max_size=5,
    )
)
def test_registered_domain_matches_tldextract_on_any_labels(labels: list[str]) -> None:
    name = ".".join(labels)
    for include_private in (False, True):
        assert registered_domain(name, include_private=include_private) == _expected(
            name, include_private
        )


def test_one_spelling() -> None:
    assert normalise_ip("[IPv6:2001:DB8::1]") == "2001:db8::1"
    assert normalise_ip("::ffff:192.0.2.1") == "192.0.2.1"
    assert normalise_ip(None) is None
    assert normalise_ip("") is None
    assert normalise_ip("mx.example.com") is None
    assert normalise_host(" MX.Example.COM. ") == "mx.example.com"
    assert classify_ip("100.64.0.1") == "shared"
    assert is_internal("10.0.0.1") and not is_internal("192.0.2.1")
    assert is_loopback("127.0.0.2") and is_loopback("::1")
    names = dir(addresses)
    assert not [n for n in names if "normalize" in n]


_OFFLINE = """
import json, sys
import headertrace
after_import = sorted(m for m in {modules} if m in sys.modules)
message = open({message!r}, "rb").read()
headertrace.trace(message)
org = headertrace.Organisation.from_options(domains=["example.com"], networks=["10.0.0.0/8"])
headertrace.trace_all(message, org)
headertrace.trace({complaint!r}, org)
after_trace = sorted(m for m in {modules} if m in sys.modules)
print(json.dumps([after_import, after_trace]))
"""


def test_import_and_offline_trace_load_no_network_code() -> None:
    """In a fresh interpreter: ``import headertrace`` and offline traces, with and without an
    organisation, load none of dnspython, ssl, urllib.request, sqlite3 or ipwhois."""
    code = _OFFLINE.format(
        modules=NETWORK_MODULES,
        message=str(FIXTURES / "judge" / "open_relay_postfix_content_filter.eml"),
        complaint=str(FIXTURES / "intake" / "arf-abuse.eml"),
    )
    done = fresh_python(code)
    after_import, after_trace = json.loads(done.stdout)
    assert after_import == []
    assert after_trace == []


PURE_MODULES = (
    "headertrace.addresses",
    "headertrace.parse",
    "headertrace.vendors",
    "headertrace.intake",
    "headertrace.judge",
    "headertrace.render.terminal",
    "headertrace.render.lookup",
    "headertrace.render.probe",
    "headertrace.enrich",
    "headertrace.probe",
    "headertrace.exitstatus",
)


def test_pure_layers_load_no_network_code() -> None:
    """intake, parse, judge and render (and the enrich and probe packages, whose network
    code loads on first use) import nothing that talks to the network."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {PURE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in {NETWORK_MODULES!r} if m in sys.modules)))\n"
    )
    done = fresh_python(code)
    assert json.loads(done.stdout) == []


def test_old_top_level_names_load_their_subpackage_on_demand() -> None:
    code = (
        "import sys, headertrace\n"
        "assert 'headertrace.enrich.lookup' not in sys.modules\n"
        "from headertrace import Enricher, LookupConfig, classify_ip, open_complaint\n"
        "assert Enricher.__module__ == 'headertrace.enrich.lookup'\n"
        "assert 'dns' in sys.modules\n"
        "assert callable(headertrace.probe) and headertrace.probe.__name__ == 'probe'\n"
        "assert callable(headertrace.probe)\n"
        "print('ok')\n"
    )
    done = fresh_python(code, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# --- the direct paths against ipaddress and the general reading ------------------------------
#
# normalise_ip reads dotted quads and plain IPv6 hextets itself, classify_ip and ip_note use a
# table of ranges, parse_ip builds addresses from integers, registered_domain reads plain
# lower-case names directly. Each must answer what the ipaddress-based functions (as they
# were, below) and the general name reading answer, on every input.


def _ipaddress_normalise(text: str | None) -> str | None:
    """normalise_ip as it was: ipaddress for every address."""
    if not text:
        return None
    s = text.strip().strip("[]").strip()
    if s[:5].lower() == "ipv6:":
        s = s[5:]
    if "%" in s:
        s = s.split("%", 1)[0]
    if not s or len(s) > 64:
        return None
    if re.fullmatch(r"[0-9A-Fa-f.:]+", s) is None:
        return None
    try:
        addr = ipaddress.ip_address(s)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def _ipaddress_helo_kind(helo: str | None) -> str | None:
    value = normalise_host(helo)
    if value is None:
        return None
    canonical = _ipaddress_normalise(value)
    if canonical is not None:
        return "localhost" if ipaddress.ip_address(canonical).is_loopback else "literal"
    if value in ("localhost", "localhost.localdomain", "localhost6"):
        return "localhost"
    if value.startswith("localhost."):
        return "localhost"
    return "bare" if "." not in value else "fqdn"


def assert_address_paths_agree(text: str | None) -> None:
    canonical = _ipaddress_normalise(text)
    assert normalise_ip.__wrapped__(text) == canonical, text
    expected = ipaddress.ip_address(canonical) if canonical is not None else None
    parsed = parse_ip.__wrapped__(text)
    assert parsed == expected, text
    assert type(parsed) is type(expected), text
    walked = None if expected is None else addresses._classify_int(expected.version, int(expected))
    facts = addresses.ip_facts.__wrapped__(text)
    assert facts == (None if walked is None else (canonical, *walked)), text
    assert classify_ip(text) == (walked[0] if walked else "invalid"), text
    assert ip_note(text) == (walked[1] if walked else None), text
    assert helo_kind.__wrapped__(text) == _ipaddress_helo_kind(text), text


ODD_ADDRESSES = [
    None,
    "",
    " ",
    "1.2.3.4",
    " 1.2.3.4 ",
    "[1.2.3.4]",
    "[ 1.2.3.4 ]",
    "1.2.3",
    "01.2.3.4",
    "1.2.3.04",
    "1.2.3.4.5",
    "1.2.3.4.",
    ".1.2.3.4",
    "1..2.3",
    "256.1.1.1",
    "255.255.255.255",
    "0.0.0.0",
    "1.2.3.-4",
    "+1.2.3.4",
    "1.2.3.4\n",
    "١٢٣.1.1.1",
    "1.2.3.١",
    "１.2.3.4",
    "1.2.3.4/24",
    "1.2.3.4%eth0",
    "::",
    "::1",
    ":::",
    ":1",
    "1:",
    "1::",
    "1::2::3",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7::",
    "::2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8::",
    "1:2:3::4:5:6:7:8",
    "0:0:0:0:0:0:0:0",
    "0000:0000:0000:0000:0000:0000:0000:0001",
    "2001:db8:0:0:1:0:0:1",
    "2001:DB8::0001",
    "2001:0db8:0000:0000:0000:ff00:0042:8329",
    # Zero runs: ties (the first is written ::), a longer one later, one at either end,
    # none of two, and zero hextets written with leading zeros next to each other.
    "1:0:0:2:0:0:3:4",
    "1:0:0:2:0:0:0:3",
    "0:0:1:0:0:0:0:0",
    "1:2:3:4:5:6:0:0",
    "1:0:2:0:3:0:4:0",
    "00:0:000:0a:0:0:0:0",
    "1:00:0:2::3",
    "0::0",
    "12345::",
    "g::1",
    "::ffff:1.2.3.4",
    "::ffff:0102:0304",
    "::FFFF:c000:0201",
    "0:0:0:0:0:ffff:102:304",
    "::1.2.3.4",
    "::ffff:1.2.3",
    "64:ff9b::1.2.3.4",
    "fe80::1%eth0",
    "fe80::1%",
    "[fe80::1%11]",
    "[IPv6:2001:DB8::1]",
    "IPv6:2001:db8::1",
    "ipv6:::1",
    "[IPv6:1.2.3.4]",
    "IPv6:",
    "2001:db8::1/64",
    "mail.example.com",
    "cafe.be",
    "dead:beef",
    "a" * 70,
    "1:" * 30,
]


@pytest.mark.parametrize("text", ODD_ADDRESSES)
def test_address_paths_agree_on_odd_spellings(text: str | None) -> None:
    assert_address_paths_agree(text)


_OCTETS = st.one_of(
    st.integers(0, 300).map(str),
    st.integers(0, 255).map(lambda n: f"{n:03d}"),
    st.sampled_from(["", "0", "00", "٣", "١٢٣", "１", "1 ", " 1", "-1", "0x1"]),
)
_DOTTED = st.lists(_OCTETS, min_size=3, max_size=5).map(".".join)
_V6 = st.ip_addresses(v=6).flatmap(
    lambda a: st.sampled_from(
        [
            str(a),
            a.exploded,
            a.exploded.upper(),
            str(a).upper(),
            ":".join(h.lstrip("0") or "0" for h in a.exploded.split(":")),
            f"[IPv6:{a}]",
            f"{a}%eth0",
            f"::ffff:{ipaddress.IPv4Address(int(a) & 0xFFFFFFFF)}",
            str(ipaddress.IPv6Address((0xFFFF << 32) | (int(a) & 0xFFFFFFFF))),
        ]
    )
)
_ZEROS = st.lists(
    st.sampled_from(["0", "0", "0", "00", "1", "ffff", "FFFF", "db8", "0a0"]),
    min_size=8,
    max_size=8,
).map(":".join)
_ADDRESS_TEXT = st.one_of(
    _DOTTED,
    st.ip_addresses(v=4).map(str),
    _V6,
    _ZEROS,
    _ZEROS.map(lambda s: s.replace(":0:0:", "::", 1)),
    st.text(alphabet="0123456789abcdefABCDEF:.%[] Iv6", max_size=45),
    st.text(max_size=20),
)


@settings(max_examples=3000, deadline=None)
@given(
    st.tuples(
        st.sampled_from(["", " ", "[", "[IPv6:"]), _ADDRESS_TEXT, st.sampled_from(["", " ", "]"])
    )
)
def test_address_paths_agree_on_generated_text(parts: tuple[str, str, str]) -> None:
    assert_address_paths_agree("".join(parts))


@given(st.integers(0, (1 << 32) - 1), st.integers(0, (1 << 128) - 1))
@settings(max_examples=500, deadline=None)
def test_class_table_equals_the_block_walk(v4: int, v6: int) -> None:
    assert addresses._class_of(4, v4) == addresses._classify_int(4, v4)
    assert addresses._class_of(6, v6) == addresses._classify_int(6, v6)


def test_class_table_equals_the_block_walk_at_every_boundary() -> None:
    for version, first, last, _cls, _note in addresses._BLOCKS:
        top = (1 << (32 if version == 4 else 128)) - 1
        for value in (first - 1, first, first + 1, last - 1, last, last + 1):
            if 0 <= value <= top:
                assert addresses._class_of(version, value) == addresses._classify_int(
                    version, value
                ), (version, value)


def _registered_general(host: str | None, include_private: bool) -> str | None:
    """registered_domain through the general reading alone (no direct path for plain
    names)."""
    value = normalise_host(host)
    if value is None or "." not in value:
        return None
    return addresses._registered_general(value, include_private=include_private)


def assert_name_paths_agree(name: str | None) -> None:
    for include_private in (False, True):
        direct = registered_domain.__wrapped__(name, include_private=include_private)
        assert direct == _registered_general(name, include_private), (name, include_private)


_LABEL = st.one_of(
    st.sampled_from(
        [
            "com",
            "uk",
            "co",
            "jp",
            "ck",
            "www",
            "kawasaki",
            "city",
            "blogspot",
            "s3",
            "amazonaws",
            "mail",
            "1",
            "0",
            "255",
            "256",
            "01",
            "xn--p1ai",
            "a-b",
            "_dmarc",
        ]
    ),
    st.text(alphabet="abcz019-_", min_size=1, max_size=6),
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_LABEL, min_size=1, max_size=6))
def test_name_paths_agree_on_generated_names(labels: list[str]) -> None:
    name = ".".join(labels)
    assert_name_paths_agree(name)
    assert registered_domain(name) == _expected(name, False)


@lru_cache(maxsize=1)
def _corpus_values(corpus: Path) -> tuple[frozenset[str], frozenset[str]]:
    """Every address-like and name-like text of the corpus Received headers: what the
    parser reads as client and server addresses and names, and every token of the raw
    values (so spellings the parser leaves alone are checked too)."""
    from headertrace.intake import open_complaint
    from headertrace.parse.headers import split_header_block
    from headertrace.tracing import hops_from_values

    ips: set[str] = set()
    names: set[str] = set()
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for reported in open_complaint(path.read_bytes()).reported:
            values = split_header_block(reported.raw).get_all("Received")
            for value in values:
                for token in re.findall(r"[^\s()<>;,=]+", value):
                    if ("." in token or ":" in token) and any(c.isdigit() for c in token):
                        ips.add(token)
                    if "." in token:
                        names.add(token)
            for hop in hops_from_values(values):
                ips.update(x for x in (hop.client.ip, hop.server.ip) if x)
                names.update(x for x in (hop.client.helo, hop.client.rdns, hop.server.host) if x)
    return frozenset(ips), frozenset(names)


@pytest.mark.corpus
def test_address_paths_agree_on_every_corpus_address(corpus: Path) -> None:
    ips, _ = _corpus_values(corpus)
    assert len(ips) > 10_000
    for text in sorted(ips):
        assert_address_paths_agree(text)


@pytest.mark.corpus
def test_name_paths_agree_on_every_corpus_name(corpus: Path) -> None:
    _, names = _corpus_values(corpus)
    assert len(names) > 10_000
    for name in sorted(names):
        assert_name_paths_agree(name)


# --- is_internal and the rDNS spelling check, against their readings through ipaddress ------


def assert_internal_paths_agree(text: str) -> None:
    try:
        expected: bool | None = addresses._is_internal_general(text)
    except ValueError:
        expected = None
    try:
        found: bool | None = is_internal.__wrapped__(text)
    except ValueError:
        found = None
    assert found == expected, text


def test_internal_table_at_every_boundary() -> None:
    for network in (*addresses._INTERNAL_V4, ipaddress.ip_network("0.0.0.0/0")):
        first, last = int(network.network_address), int(network.broadcast_address)
        for value in (first - 1, first, first + 1, last - 1, last, last + 1):
            if 0 <= value < 1 << 32:
                assert_internal_paths_agree(str(ipaddress.IPv4Address(value)))


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.ip_addresses(v=4).map(str), _DOTTED, st.text(max_size=20)))
def test_internal_paths_agree_on_generated_text(text: str) -> None:
    assert_internal_paths_agree(text)


def _spells_through_ipaddress(rdns: str, ip: str) -> bool:
    """``_rdns_embeds_address`` as it was written, on an ``ipaddress`` object: the reference
    for the reading from the canonical text and for the octet precheck."""
    name = normalise_host(rdns)
    address = parse_ip(ip)
    if name is None or address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        compact = "".join(address.exploded.split(":")[4:])
        return compact in name.replace(".", "").replace("-", "").replace("_", "")
    forward = str(address).split(".")
    hexed = f"{int(address):08x}"
    at = name.find(hexed)
    while at >= 0:
        if not name[at - 1 : at].isdigit() and not name[at + 8 : at + 9].isdigit():
            return True
        at = name.find(hexed, at + 1)
    for start, char in enumerate(name):
        if not char.isdigit() or name[start - 1 : start].isdigit():
            continue
        if addresses._spells_at(name, start, forward, 0) or addresses._spells_at(
            name, start, forward[::-1], 0
        ):
            return True
    return False


def assert_spelling_paths_agree(rdns: str, ip: str) -> None:
    found = addresses._rdns_embeds_address.__wrapped__(rdns, ip)
    assert found == _spells_through_ipaddress(rdns, ip), (rdns, ip)


_SPELLED = st.ip_addresses(v=4).flatmap(
    lambda a: st.tuples(
        st.sampled_from(
            [
                "-".join(str(a).split(".")),
                ".".join(reversed(str(a).split("."))),
                "".join(f"{int(o):03d}" for o in str(a).split(".")),
                f"{int(a):08x}",
                "x".join(str(a).split(".")[:3]),
                str(a).replace(".", "")[:-1],
            ]
        ),
        st.sampled_from(["", "host-", "ip", "1", "a."]),
        st.sampled_from(["", ".dyn.example.net", "9.example.com", "-7.pool.example"]),
        st.just(str(a)),
    )
)


@settings(max_examples=2000, deadline=None)
@given(_SPELLED)
def test_spelling_paths_agree_on_generated_names(parts: tuple[str, str, str, str]) -> None:
    spelled, before, after, ip = parts
    assert_spelling_paths_agree(before + spelled + after, ip)


@settings(max_examples=500, deadline=None)
@given(st.ip_addresses(v=6), st.text(alphabet="0123456789abcdef.-_", max_size=40))
def test_spelling_paths_agree_on_ipv6(address: ipaddress.IPv6Address, noise: str) -> None:
    low = address.exploded.split(":")[4:]
    for name in (noise, "-".join(low) + noise, noise + ".".join(low), "".join(low)[3:]):
        assert_spelling_paths_agree(name or "x", str(address))


@pytest.mark.corpus
def test_internal_and_spelling_paths_agree_on_the_corpus(corpus: Path) -> None:
    ips, names = _corpus_values(corpus)
    for text in sorted(ips):
        assert_internal_paths_agree(text)
    clients = sorted(_corpus_clients(corpus))
    assert len(clients) > 1_000
    for rdns, ip in clients:
        assert_spelling_paths_agree(rdns, ip)
    # Every corpus name against a few addresses: the precheck meets names it must not skip.
    for name in sorted(names)[::7]:
        for ip in ("85.12.34.56", "10.0.0.1", "192.168.1.10", "2001:db8::1"):
            assert_spelling_paths_agree(name, ip)


@lru_cache(maxsize=1)
def _corpus_clients(corpus: Path) -> frozenset[tuple[str, str]]:
    """(rDNS name, address) of every corpus hop that has both."""
    from headertrace.intake import open_complaint
    from headertrace.parse.headers import split_header_block
    from headertrace.tracing import hops_from_values

    pairs: set[tuple[str, str]] = set()
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for reported in open_complaint(path.read_bytes()).reported:
            values = split_header_block(reported.raw).get_all("Received")
            for hop in hops_from_values(values):
                client = hop.client
                for name in (client.rdns, client.helo):
                    if name and client.ip:
                        pairs.add((name, client.ip))
    return frozenset(pairs)
