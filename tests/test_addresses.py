"""The pure address and name helpers: one spelling, the same answers as tldextract, and no
network code loaded by ``import headertrace`` or an offline trace."""

from __future__ import annotations

import json
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
    is_internal,
    is_loopback,
    normalise_host,
    normalise_ip,
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
