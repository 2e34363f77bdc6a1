"""Debian's headless Chromium, driven through its chromedriver (Selenium), for the HTML
report's browser tests and the README's screenshots.

``python -m tests._browser`` writes ``docs/img/report-1280.png`` and ``report-390.png`` from
the bundled example complaint.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def available() -> str | None:
    """``None`` when the browser tests can run, else why not."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        return "needs Debian's chromium and chromium-driver (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "needs selenium (pip install -e '.[browser]')"
    return None


@contextmanager
def chromium() -> Iterator[Any]:
    """One headless Chromium for a test module, logging the console and the network."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM is not None and CHROMEDRIVER is not None
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(20)
        yield driver
    finally:
        driver.quit()


def set_width(driver: Any, width: int, height: int = 900) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def screenshot(driver: Any, path: Path, width: int, *, max_height: int = 3000) -> None:
    """The page as loaded, ``width`` CSS pixels wide and as tall as it is (up to
    ``max_height``)."""
    set_width(driver, width)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    set_width(driver, width, min(height, max_height))
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))


def main() -> None:
    import os
    import tempfile

    from headertrace import Organisation, trace
    from headertrace.intake import open_complaint

    os.chdir(ROOT)  # the report names the file as given: examples/complaint.eml
    example = Path("examples") / "complaint.eml"
    t = trace(example, org=Organisation.from_options(domains=["example.com"]))
    raw = open_complaint(example).reported[0].raw
    with tempfile.TemporaryDirectory() as tmp, chromium() as driver:
        page = Path(tmp) / "report.html"
        page.write_text(t.to_html(raw), encoding="utf-8")
        driver.get(page.as_uri())
        for width in (1280, 390):
            screenshot(driver, ROOT / "docs" / "img" / f"report-{width}.png", width)


if __name__ == "__main__":
    main()
