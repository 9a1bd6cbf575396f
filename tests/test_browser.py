"""The query page in a real browser: headless Chromium (Debian's) loads /sparql from a real server
process, runs a query with YASGUI, and the results appear in the page."""

from __future__ import annotations

import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.server import running_server, small_store

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = small_store(tmp_path_factory.mktemp("browser") / "store", triples=50)
    with running_server(path) as base:
        yield base


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    missing = "the browser test needs Debian's chromium and chromium-driver (`make browser`)"
    assert CHROMIUM, missing
    assert CHROMEDRIVER, missing
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_a_query_runs_in_the_page(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    browser.get(f"{server}/sparql")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasqe")))
    browser.execute_script(
        "yasgui.getTab().setQuery('SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3');"
        "yasgui.getTab().query();")
    cells = WebDriverWait(browser, 20).until(
        lambda d: [c.text for c in d.find_elements(By.CSS_SELECTOR, ".yasr td")
                   if "example.org/s" in c.text] or False)
    assert any("http://example.org/s0" in c for c in cells)
