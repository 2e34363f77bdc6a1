"""The organisation: its TOML format, its questions, and errors naming the key and value."""

from __future__ import annotations

import ipaddress
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from headertrace import ConfigurationError, Organisation
from headertrace.addresses import normalise_ip
from headertrace.cli import main

JUDGE = Path(__file__).parent / "fixtures" / "judge"

TOML = """
name = "Example Corp"
domains = ["example.com"]
servers = ["exchange.example.net", "*.mx.example.org"]
networks = ["203.0.113.0/24", "10.0.0.0/8", "2001:db8::/32"]
submission_networks = ["198.51.100.128/25"]
relays = ["*.relayco.example", "192.0.2.130/32"]
"""


def test_load_the_documented_format(tmp_path: Path) -> None:
    p = tmp_path / "org.toml"
    p.write_text(TOML, encoding="utf-8")
    org = Organisation.load(p)
    assert org.name == "Example Corp"
    assert org.label == "Example Corp"
    assert org.domains == ("example.com",)
    assert ipaddress.ip_network("2001:db8::/32") in org.networks
    assert org.relay_names == ("*.relayco.example",)
    assert org.relay_networks == (ipaddress.ip_network("192.0.2.130/32"),)
    assert org.to_dict()["relays"] == ["*.relayco.example", "192.0.2.130/32"]


def test_domains_match_themselves_and_subdomains() -> None:
    org = Organisation.from_options(domains=["Example.COM."])
    assert org.is_our_domain("example.com")
    assert org.is_our_domain("bob@Mail.Example.com")
    assert org.is_our_domain("<bob@example.com>")
    assert not org.is_our_domain("notexample.com")
    assert not org.is_our_domain("example.com.evil.example")
    assert not org.is_our_domain(None)


def test_servers_globs_and_names_under_our_domains() -> None:
    org = Organisation.from_dict(
        {"domains": ["example.com"], "servers": ["exchange.example.net", "*.mx.example.org"]}
    )
    assert org.is_our_server("EXCHANGE.example.net")
    assert org.is_our_server("a.mx.example.org")
    assert not org.is_our_server("mx.example.org")
    assert org.is_our_server("mail.example.com")
    assert not org.is_our_server("[203.0.113.5]")
    assert not org.is_our_server("localhost")


def test_addresses_and_relays() -> None:
    org = Organisation.from_dict(
        {
            "networks": ["203.0.113.0/24", "2001:db8::/32"],
            "submission_networks": ["198.51.100.128/25"],
            "relays": ["*.relayco.example", "192.0.2.130"],
        }
    )
    assert org.is_our_address("203.0.113.9")
    assert org.is_our_address("[IPv6:2001:DB8::1]")
    assert org.is_our_address("::ffff:203.0.113.9")
    assert org.is_our_address("198.51.100.200")
    assert org.is_submission_address("198.51.100.200")
    assert not org.is_our_address("198.51.100.1")
    assert not org.is_our_address("not an address")
    assert org.is_relay("smarthost.relayco.example")
    assert org.is_relay("192.0.2.130")
    assert not org.is_relay("192.0.2.131")


@pytest.mark.parametrize(
    ("data", "key", "value"),
    [
        ({"networks": ["203.0.113.0/33"]}, "networks", "203.0.113.0/33"),
        ({"networks": ["not-a-cidr"]}, "networks", "not-a-cidr"),
        ({"submission_networks": ["10.0.0.0/99"]}, "submission_networks", "10.0.0.0/99"),
        ({"relays": ["10.0.0.0/40"]}, "relays", "10.0.0.0/40"),
        ({"domain": ["example.com"]}, "domain", ["example.com"]),
        ({"domains": ["bad domain"]}, "domains", "bad domain"),
        ({"domains": "example.com", "servers": [3]}, "servers", 3),
        ({"networks": 5}, "networks", 5),
        ({"name": 7}, "name", 7),
    ],
)
def test_bad_configuration_names_key_and_value(
    data: dict[str, object], key: str, value: object
) -> None:
    with pytest.raises(ConfigurationError) as info:
        Organisation.from_dict(data)
    assert info.value.key == key
    assert info.value.value == value
    assert key in str(info.value)


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "org.toml"
    p.write_text("domains = [", encoding="utf-8")
    with pytest.raises(ConfigurationError):
        Organisation.load(p)
    with pytest.raises(ConfigurationError):
        Organisation.load(tmp_path / "missing.toml")


def test_cli_headline_with_our_domain() -> None:
    result = CliRunner().invoke(
        main,
        [
            "trace",
            str(JUDGE / "open_relay_sendmail.eml"),
            "--our-domain",
            "example.com",
            "--our-network",
            "203.0.113.0/24",
        ],
    )
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("OPEN RELAY: mail.example.com accepted this from 198.51.100.7")
    assert "Evidence:" in result.output


def test_cli_org_file_and_json(tmp_path: Path) -> None:
    p = tmp_path / "org.toml"
    p.write_text('domains = ["example.com"]\nnetworks = ["203.0.113.0/24"]\n', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["trace", str(JUDGE / "auth_relay_postfix.eml"), "--org", str(p), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"kind": "authenticated_relay"' in result.output


def test_cli_bad_network_is_a_usage_error() -> None:
    result = CliRunner().invoke(
        main, ["trace", str(JUDGE / "open_relay_sendmail.eml"), "--our-network", "10.0.0.0/33"]
    )
    assert result.exit_code == 2
    assert "networks" in result.output and "10.0.0.0/33" in result.output


def _reference_our_server(org: Organisation, host: str | None) -> bool:
    """is_our_server as it was (main at 54e92ba), before it was remembered."""
    h = (host or "").strip().rstrip(".").lower()
    if h and not h.startswith("[") and any(fnmatchcase(h, p) for p in org.servers):
        return True
    return "." in h and not h.startswith("[") and org.is_our_domain(h)


def _reference_our_address(org: Organisation, ip: str | None) -> bool:
    norm = normalise_ip(ip) if ip else None
    if norm is None:
        return False
    addr = ipaddress.ip_address(norm)
    return any(
        addr.version == net.version and addr in net
        for net in org.networks + org.submission_networks
    )


ORG = {
    "domains": ["example.com"],
    "servers": ["exchange.example.net", "*.mx.example.org"],
    "networks": ["203.0.113.0/24", "10.0.0.0/8", "2001:db8::/32"],
    "submission_networks": ["198.51.100.128/25"],
}
HOSTS = ["mx.example.com", "MX.Example.COM.", "exchange.example.net", "a.mx.example.org", "x"]
HOSTS += ["[10.0.0.1]", "", "example.com", "<a.example.com>", "bob@example.com", "evil.org"]
ADDRESSES = ["10.1.2.3", "[203.0.113.9]", "198.51.100.200", "2001:db8::5", "::1", "x", ""]


@given(
    st.one_of(st.none(), st.sampled_from(HOSTS), st.text(max_size=12)),
    st.one_of(st.none(), st.sampled_from(ADDRESSES), st.text(max_size=12)),
)
def test_remembered_answers_equal_the_questions_asked_afresh(
    host: str | None, ip: str | None
) -> None:
    for org in (Organisation.from_dict(ORG), Organisation()):
        assert org.is_our_server(host) == _reference_our_server(org, host)
        assert org.is_our_server(host) == _reference_our_server(org, host)  # remembered
        assert org.is_our_address(ip) == _reference_our_address(org, ip)
    listed = Organisation(domains=["example.com"], servers=["*.mx.example.org"])  # type: ignore[arg-type]
    assert listed.is_our_server(host) == _reference_our_server(listed, host)
