"""The second step after RDAP, through ipwhois, against servers on 127.0.0.1 that answer as
APNIC's RDAP, JPNIC's web whois and RIPE's port-43 whois do."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import click
import pytest
from click.testing import CliRunner

from headertrace.enrich import Enricher, LookupConfig
from headertrace.enrich.command import lookup_command
from headertrace.enrich.registries import plan, registry_of
from tests._localdns import LocalDNS, Zone, dead_tcp_port
from tests._localhttp import Canned, LocalHTTP
from tests._localwhois import LocalWhois
from tests.test_enrich_online import rev, txt, vcard

JP = "202.218.12.34"  # APNIC's RDAP stops at JPNIC
NL = "95.211.0.5"  # RIPE's RDAP names no abuse contact (a parent block); whois does
ISP = "81.2.69.142"  # RIPE's RDAP names the ISP's abuse contact: no second step

JPNIC_QUERY = "/cgi-bin/whois_gw?lang=%2Fe&key={0}&submit=query"


def rdap_entity(handle: str, roles: list[str], name: str, email: str) -> dict[str, Any]:
    return {
        "objectClassName": "entity",
        "handle": handle,
        "roles": roles,
        "vcardArray": vcard(
            ["fn", {}, "text", name], ["kind", {}, "text", "group"], ["email", {}, "text", email]
        ),
    }


APNIC_JPNIC: dict[str, Any] = {
    "objectClassName": "ip network",
    "handle": "202.218.0.0 - 202.218.255.255",
    "startAddress": "202.218.0.0",
    "endAddress": "202.218.255.255",
    "ipVersion": "v4",
    "name": "JPNIC-NET-JP",
    "type": "ALLOCATED PORTABLE",
    "country": "JP",
    "port43": "whois.apnic.net",
    "entities": [
        rdap_entity(
            "JNIC1-AP",
            ["administrative", "technical"],
            "Japan Network Information Center",
            "hostmaster@nic.ad.jp",
        ),
        rdap_entity("IRT-JPNIC-JP", ["abuse"], "IRT-JPNIC-JP", "hostmaster@nic.ad.jp"),
    ],
}

KR = "211.234.100.5"  # APNIC's RDAP stops at KRNIC

APNIC_KRNIC: dict[str, Any] = {
    "objectClassName": "ip network",
    "handle": "211.234.0.0 - 211.234.255.255",
    "name": "KRNIC-KR",
    "country": "KR",
    "entities": [rdap_entity("IRT-KRNIC-KR", ["abuse"], "IRT-KRNIC-KR", "irt@nic.or.kr")],
}

# ipwhois reads each line of a KRNIC contact block on its own and keeps the last, so only
# the E-Mail line, written last as below, survives (see docs/attribution.md)
KRNIC_PAGE = """query : 211.234.100.5

[ Network Information ]
IPv4 Address       : 211.234.0.0 - 211.234.127.255 (/17)
Organization Name  : Example Telecom
Service Name       : EXAMPLE-NET
Address            : Seoul
Zip Code           : 04000
Registration Date  : 20010101

<div id="eng_isp_contact" class="contact">
Name               : Example Telecom IP Manager
Phone              : +82-2-000-0000
E-Mail             : abuse@example-telecom.kr
</div>
<div id="eng_user_contact" class="contact">
Name               : Example Shop NOC
Phone              : +82-2-000-0001
E-Mail             : noc@example-shop.kr
</div>
"""

RIPE_PARENT: dict[str, Any] = {
    "objectClassName": "ip network",
    "handle": "95.211.0.0 - 95.211.255.255",
    "startAddress": "95.211.0.0",
    "endAddress": "95.211.255.255",
    "name": "NL-EXAMPLE-20090302",
    "type": "ALLOCATED PA",
    "country": "NL",
    "entities": [],
}

RIPE_ISP: dict[str, Any] = {
    "objectClassName": "ip network",
    "handle": "81.2.69.0 - 81.2.69.255",
    "name": "EXAMPLE-ISP",
    "entities": [rdap_entity("AR1-RIPE", ["abuse"], "Abuse", "abuse@isp.example.net")],
}

JPNIC_NETWORK = """<HTML><HEAD><TITLE>JPNIC WHOIS Gateway</TITLE></HEAD><BODY>
<PRE>
Network Information:
a. [Network Number]             <A HREF="/cgi-bin/whois_gw?key=202.218.12.0/24">202.218.12.0/24</A>
b. [Network Name]               EXAMPLE-NET
g. [Organization]               Example Internet Co., Ltd.
m. [Administrative Contact]     <A HREF="/cgi-bin/whois_gw?lang=%2Fe&key=JP00012345">JP00012345</A>
n. [Technical Contact]          <A HREF="/cgi-bin/whois_gw?lang=%2Fe&key=JP00067890">JP00067890</A>
p. [Nameserver]                 ns1.example.ne.jp
[Assigned Date]                 2001/04/02
[Return Date]
[Last Update]                   2019/12/10 11:02:01(JST)

Less Specific Info.
----------
Example Internet Co., Ltd.   EXAMPLE-BLOCK   202.218.0.0/16
</PRE>
</BODY></HTML>
"""


def jpnic_contact(handle: str, name: str, email: str) -> str:
    return f"""<HTML><BODY><PRE>
Contact Information:
a. [JPNIC Handle]               {handle}
c. [Last, First]                {name}
d. [E-Mail]                     {email}
g. [Organization]               Example Internet Co., Ltd.
h. [Division]                   Network Operation Center
j. [TEL]                        03-1234-5678
k. [FAX]
m. [Reply Mail]
[Last Update]                   2019/12/10 11:02:01(JST)
</PRE></BODY></HTML>
"""


RIPE_WHOIS = f"""% This is the RIPE Database query service.
% The objects are in RPSL format.

% Information related to '95.211.0.0 - 95.211.127.255'

% Abuse contact for '95.211.0.0 - 95.211.127.255' is 'abuse@example-hosting.nl'

inetnum:        95.211.0.0 - 95.211.127.255
netname:        EXAMPLE-HOSTING-NL
descr:          Example Hosting B.V.
country:        NL
admin-c:        EH123-RIPE
tech-c:         EH123-RIPE
abuse-c:        EH123-RIPE
status:         ASSIGNED PA
mnt-by:         EXAMPLE-MNT
created:        2009-03-02T10:00:00Z
last-modified:  2020-01-01T10:00:00Z
source:         RIPE

role:           Example Hosting NOC
address:        Amsterdam
abuse-mailbox:  abuse@example-hosting.nl
nic-hdl:        EH123-RIPE
mnt-by:         EXAMPLE-MNT
source:         RIPE

% This query was served by the RIPE Database Query Service version 1.112 ({NL})
"""

RIPE_DENIED = """%ERROR:201: access denied for 127.0.0.1
%
% Sorry, access from your host has been permanently
% denied because of a repeated excessive querying.
"""

RECORDS = {
    (f"{rev(JP)}.origin.asn.cymru.com", "TXT"): [
        txt("2497 | 202.218.0.0/16 | JP | apnic | 1997-09-01")
    ],
    ("as2497.asn.cymru.com", "TXT"): [txt("2497 | JP | apnic | 1997-09-01 | IIJ, JP")],
    (f"{rev(NL)}.origin.asn.cymru.com", "TXT"): [
        txt("60781 | 95.211.0.0/16 | NL | ripencc | 2009-03-02")
    ],
    ("as60781.asn.cymru.com", "TXT"): [txt("60781 | NL | ripencc | 2010-04-23 | EXAMPLE, NL")],
    (f"{rev(ISP)}.origin.asn.cymru.com", "TXT"): [
        txt("20712 | 81.2.64.0/19 | GB | ripencc | 2004-01-01")
    ],
    ("as20712.asn.cymru.com", "TXT"): [txt("20712 | GB | ripencc | 2004-01-01 | ISP, GB")],
    ("whois.ripe.net", "A"): ["127.0.0.1"],
}


def routes(**overrides: Canned) -> dict[str, Canned]:
    table = {
        f"/ip/{JP}": Canned(200, APNIC_JPNIC),
        f"/ip/{NL}": Canned(200, RIPE_PARENT),
        f"/ip/{KR}": Canned(200, APNIC_KRNIC),
        "/eng/whois.jsc": Canned(200, KRNIC_PAGE),
        f"/ip/{ISP}": Canned(200, RIPE_ISP),
        JPNIC_QUERY.format(JP): Canned(200, JPNIC_NETWORK),
        JPNIC_QUERY.format("JP00067890"): Canned(
            200, jpnic_contact("JP00067890", "Network Operation Center", "noc@example.ne.jp")
        ),
        JPNIC_QUERY.format("JP00012345"): Canned(
            200, jpnic_contact("JP00012345", "Yamada, Taro", "admin@example.ne.jp")
        ),
    }
    table.update(overrides)
    return table


@pytest.fixture(scope="module")
def dns() -> Iterator[LocalDNS]:
    with LocalDNS(Zone(records=RECORDS)) as server:
        yield server


@pytest.fixture
def http() -> Iterator[LocalHTTP]:
    with LocalHTTP(routes()) as server:
        yield server


@pytest.fixture
def whois() -> Iterator[LocalWhois]:
    with LocalWhois({NL: RIPE_WHOIS}, default="% No entries found\n") as server:
        yield server


def config(dns: LocalDNS, http: LocalHTTP, whois: LocalWhois | None, **kw: Any) -> LookupConfig:
    values: dict[str, Any] = {
        "nameservers": (dns.address,),
        "rdap_url": http.url,
        "nir_urls": (("jpnic", http.url), ("krnic", http.url)),
        "whois_server": whois.address if whois else ("127.0.0.1", dead_tcp_port()),
        "timeout": 0.5,
        "budget": 3.0,
        "use_cache": False,
    }
    values.update(kw)
    return LookupConfig(**values)


def steps(errors: Any) -> dict[str, str]:
    return {e.step: e.status for e in errors}


# --- deciding -------------------------------------------------------------------------------


def test_plan() -> None:
    assert plan(("abuse@isp.example.net",), (), "ripencc") is None
    assert plan(("hostmaster@nic.ad.jp",), ("JPNIC-NET-JP",), "apnic") == "nir:jpnic"
    assert plan(("irt@nic.or.kr",), ("KRNIC-KR",), "apnic") == "nir:krnic"
    assert plan((), ("NL-EXAMPLE",), "ripencc") == "whois:ripencc"
    assert plan(("abuse@apnic.net",), (), "apnic") == "whois:apnic"
    assert plan((), (), None) is None
    assert registry_of("hostmaster@NIC.AD.JP.") == "jpnic"
    assert registry_of("abuse@ripe.net") == "ripencc"
    assert registry_of("abuse@notripe.net") is None


# --- national registry ----------------------------------------------------------------------


def test_jpnic_gives_the_isp_contact_that_rdap_lacks(
    dns: LocalDNS, http: LocalHTTP, whois: LocalWhois
) -> None:
    info = Enricher(config(dns, http, whois)).lookup_ip(JP)
    assert info.abuse_source == "nir:jpnic"
    assert info.abuse_emails == ("noc@example.ne.jp", "admin@example.ne.jp")
    assert info.abuse_phones == ("03-1234-5678",)
    assert info.network_name == "JPNIC-NET-JP"  # RDAP's network is kept as it was
    assert any("hostmaster@nic.ad.jp" in c.emails for c in info.contacts)
    assert steps(info.errors) == {}
    # the network page, then each contact's page, all at the configured endpoint
    assert http.requests == [
        f"/ip/{JP}",
        JPNIC_QUERY.format(JP),
        JPNIC_QUERY.format("JP00012345"),
        JPNIC_QUERY.format("JP00067890"),
    ]
    assert whois.queries == []


def test_krnic_is_asked_with_its_form_and_gives_the_isp_first(
    dns: LocalDNS, http: LocalHTTP, whois: LocalWhois
) -> None:
    info = Enricher(config(dns, http, whois)).lookup_ip(KR)
    assert info.abuse_source == "nir:krnic"
    assert info.abuse_emails == ("abuse@example-telecom.kr", "noc@example-shop.kr")
    assert http.requests == [f"/ip/{KR}", "/eng/whois.jsc"]
    assert http.forms == [f"query={KR}".encode()]


def test_jpnic_rate_limit_is_recorded_not_waited_for(dns: LocalDNS, whois: LocalWhois) -> None:
    limited = Canned(429, "Too Many Requests", {"Retry-After": "3600"})
    with LocalHTTP(routes(**{JPNIC_QUERY.format(JP): limited})) as http:
        info = Enricher(config(dns, http, whois)).lookup_ip(JP)
    assert steps(info.errors) == {"nir:jpnic": "rate-limited"}
    issue = info.errors[0]
    assert "Retry-After: 3600; not waited for" in issue.detail
    assert http.requests.count(JPNIC_QUERY.format(JP)) == 1  # no retry
    assert info.abuse_emails == ("hostmaster@nic.ad.jp",)  # RDAP's answer stands
    assert info.abuse_source == "rdap"


def test_a_jpnic_contact_page_that_fails_fails_the_step(dns: LocalDNS, whois: LocalWhois) -> None:
    with LocalHTTP(routes(**{JPNIC_QUERY.format("JP00067890"): Canned(500, "oops")})) as http:
        info = Enricher(config(dns, http, whois)).lookup_ip(JP)
    assert steps(info.errors) == {"nir:jpnic": "http-error"}
    assert info.abuse_source == "rdap"


def test_an_unreadable_nir_page_names_no_contact(dns: LocalDNS, whois: LocalWhois) -> None:
    garbage = Canned(200, "<html>\x00\xff [Network Number] <A>not a network</A></html>")
    with LocalHTTP(routes(**{JPNIC_QUERY.format(JP): garbage})) as http:
        info = Enricher(config(dns, http, whois)).lookup_ip(JP)
    assert steps(info.errors) == {"nir:jpnic": "no-contact"}


# --- regional registry whois ----------------------------------------------------------------


def test_ripe_whois_gives_the_abuse_mailbox_rdap_lacks(
    dns: LocalDNS, http: LocalHTTP, whois: LocalWhois
) -> None:
    info = Enricher(config(dns, http, whois)).lookup_ip(NL)
    assert info.abuse_source == "whois:ripencc"
    assert info.abuse_emails == ("abuse@example-hosting.nl",)
    assert whois.queries == [NL]  # RIPE takes the bare address
    assert steps(info.errors) == {}


def test_rdap_with_the_isps_contact_needs_no_second_step(
    dns: LocalDNS, http: LocalHTTP, whois: LocalWhois
) -> None:
    info = Enricher(config(dns, http, whois)).lookup_ip(ISP)
    assert info.abuse_source == "rdap"
    assert info.abuse_emails == ("abuse@isp.example.net",)
    assert whois.queries == []
    assert http.requests == [f"/ip/{ISP}"]


def test_whois_rate_limit_is_recorded_not_waited_for(dns: LocalDNS, http: LocalHTTP) -> None:
    with LocalWhois({}, default=RIPE_DENIED) as denied:
        info = Enricher(config(dns, http, denied)).lookup_ip(NL)
    assert steps(info.errors) == {"whois:ripencc": "rate-limited"}
    assert "%ERROR:201: access denied" in info.errors[0].detail
    assert denied.queries == [NL]  # asked once: ipwhois would sleep and ask again
    assert info.abuse_source is None


def test_arin_style_rate_limit(dns: LocalDNS, http: LocalHTTP) -> None:
    with LocalWhois({}, default="Query rate limit exceeded. Wait.\n") as limited:
        info = Enricher(config(dns, http, limited)).lookup_ip(NL)
    assert steps(info.errors) == {"whois:ripencc": "rate-limited"}


def test_a_trickling_whois_server_cannot_outlast_the_budget(dns: LocalDNS, http: LocalHTTP) -> None:
    with LocalWhois({NL: RIPE_WHOIS}, trickle=0.05) as drip:
        info = Enricher(config(dns, http, drip, timeout=0.3, budget=1.0)).lookup_ip(NL)
    assert steps(info.errors)["whois:ripencc"] in {"timeout", "budget"}
    assert info.abuse_source is None


def test_the_registry_whois_host_is_resolved_through_our_resolver(
    dns: LocalDNS, http: LocalHTTP
) -> None:
    """Without a configured whois server, whois.ripe.net is looked up through the configured
    DNS server (which points it at 127.0.0.1; nothing listens on port 43 there)."""
    cfg = config(dns, http, None, whois_server=None)
    info = Enricher(cfg).lookup_ip(NL)
    assert ("whois.ripe.net", "A") in dns.queries
    assert steps(info.errors)["whois:ripencc"] in {"unreachable", "timeout"}


def test_the_second_step_can_be_turned_off(
    dns: LocalDNS, http: LocalHTTP, whois: LocalWhois
) -> None:
    info = Enricher(config(dns, http, whois, second_step=False)).lookup_ip(NL)
    assert whois.queries == []
    assert info.abuse_source is None


def test_second_step_answers_are_cached(
    dns: LocalDNS, http: LocalHTTP, whois: LocalWhois, tmp_path: Any
) -> None:
    cfg = config(dns, http, whois, use_cache=True, cache_path=tmp_path / "c.sqlite3")
    first = Enricher(cfg).lookup_ip(NL)
    second = Enricher(cfg).lookup_ip(NL)
    assert first.abuse_emails == second.abuse_emails == ("abuse@example-hosting.nl",)
    assert second.abuse_source == "whois:ripencc"
    assert whois.queries == [NL]


# --- the command ----------------------------------------------------------------------------


def test_lookup_command_shows_where_the_contact_came_from(
    dns: LocalDNS, http: LocalHTTP, whois: LocalWhois
) -> None:
    @click.group()
    def group() -> None:
        pass

    group.add_command(lookup_command)
    args = [
        "lookup",
        JP,
        "--nameserver",
        f"127.0.0.1:{dns.port}",
        "--rdap-url",
        http.url,
        "--nir-url",
        f"jpnic={http.url}",
        "--whois-server",
        f"127.0.0.1:{whois.port}",
        "--no-cache",
    ]
    result = CliRunner().invoke(group, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["abuse_source"] == "nir:jpnic"
    assert data["abuse_emails"][0] == "noc@example.ne.jp"
    text = CliRunner().invoke(group, args, terminal_width=200)
    assert "nir:jpnic" in text.output
    bad = CliRunner().invoke(group, [*args, "--nir-url", "twnic=http://127.0.0.1"])
    assert bad.exit_code == 2
    assert "jpnic=URL" in bad.output
