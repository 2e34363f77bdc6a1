"""The HTML report in a real browser: Debian's headless Chromium (skipped when absent; CI
installs it in ``.ci/run``).

For each bundled fixture (open relay, authenticated relay, forged, a 40-hop chain, a
hostile header): no console error, no request but the page itself, one SVG node per hop,
the headline visible at the top, nothing from the headers executed, and no horizontal
overflow at a phone's width. One browser serves the whole module, so it takes seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from headertrace import Organisation, trace
from headertrace.intake import open_complaint
from tests import _browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(_browser.available() is not None, reason=str(_browser.available())),
]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ORG = Organisation.from_options(domains=["example.com"], networks=["203.0.113.0/24", "10.0.0.0/8"])
CASES = {
    "open-relay": ROOT / "examples" / "complaint.eml",
    "authenticated-relay": FIXTURES / "judge" / "auth_relay_postfix.eml",
    "forged": FIXTURES / "judge" / "forged_postfix.eml",
    "chain-40": FIXTURES / "report" / "chain-40.eml",
    "hostile": FIXTURES / "report" / "hostile.eml",
}


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with _browser.chromium() as d:
        yield d


def _network_requests(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("name", sorted(CASES))
def test_report_in_chromium(name: str, driver: Any, tmp_path: Path) -> None:
    path = CASES[name]
    t = trace(path, org=ORG)
    raw = open_complaint(path).reported[0].raw
    page = tmp_path / f"{name}.html"
    page.write_text(t.to_html(raw), encoding="utf-8")
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get_log("performance")
    _browser.set_width(driver, 1280)
    driver.get(page.as_uri())

    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == [], "console errors (a CSP violation is one)"
    assert set(_network_requests(driver)) <= {page.as_uri()}, "a request left the page"
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0

    nodes = driver.execute_script("return document.querySelectorAll('svg .node.hop').length")
    assert nodes == len(t.hops)
    headline = driver.find_element("id", "headline")
    assert headline.is_displayed()
    assert headline.rect["y"] < 200
    assert headline.text.strip()

    executed = driver.execute_script(
        "return [typeof window.pwned, document.title, document.scripts.length,"
        " document.querySelectorAll('iframe, img, object, embed, a[href]').length]"
    )
    assert executed[0] == "undefined"
    assert "PWNED" not in executed[1]
    assert executed[2:] == [0, 0]

    _browser.set_width(driver, 390)
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page is wider than a phone at 390 px"
    svg_width = driver.execute_script(
        "return document.querySelector('svg.path-picture').getBoundingClientRect().width"
    )
    assert 300 <= svg_width <= 390
    _browser.set_width(driver, 1280)


def test_print_layout_keeps_the_headline(driver: Any, tmp_path: Path) -> None:
    """Printed (Chromium's PDF), the report starts with the verdict."""
    t = trace(CASES["open-relay"], org=ORG)
    page = tmp_path / "print.html"
    page.write_text(t.to_html(), encoding="utf-8")
    driver.get(page.as_uri())
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert driver.find_element("id", "headline").rect["y"] < 100
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
        assert len(pdf["data"]) > 1000
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
