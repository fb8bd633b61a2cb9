"""Fixtures for the browser tests: the built book on a local web host, and headless Chromium.

Chromium is Debian's `chromium` package (`apt-get install chromium`; `.ci/run` installs it),
driven by Playwright; Playwright's own browser download is never used. Set CHROMIUM to use
another Chromium or Chrome binary. `--site DIR` tests another built tree, such as the student
edition (`pytest tests/browser --site _build/student/html`).
"""

import os
import shutil
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from page_checks import LinkResolver, PageReport, launch_chromium, visits
from playwright.sync_api import sync_playwright
from static_site import StaticSite, html_pages

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SITE = ROOT / "_build" / "html"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--site", default=str(DEFAULT_SITE), help="built HTML tree to test")


def pytest_configure(config: pytest.Config) -> None:
    """Test a site against the table of contents it was built from (see `test_book.TOC`)."""
    import test_book

    cut_sources = Path(config.getoption("--site")).parent / "src" / "_toc.yml"
    if cut_sources.is_file():  # the student edition: OUT/html built from OUT/src
        test_book.TOC = cut_sources


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "book_page" in metafunc.fixturenames:
        site = Path(metafunc.config.getoption("--site"))
        # a missing build still yields one test, which fails in `site_root` and says why
        pages = html_pages(site) if (site / "index.html").is_file() else ["index.html"]
        metafunc.parametrize("book_page", pages)


def published_path() -> str:
    """The URL path the book is published under, from `html.baseurl` in `_config.yml`."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    path = urllib.parse.urlsplit(config.get("html", {}).get("baseurl") or "/").path or "/"
    return path if path.endswith("/") else path + "/"


@pytest.fixture(scope="session")
def site_root(request: pytest.FixtureRequest) -> Path:
    root = Path(request.config.getoption("--site"))
    if not (root / "index.html").is_file():
        pytest.fail(f"{root} holds no built book: run `make book` first", pytrace=False)
    return root


@pytest.fixture(scope="session")
def book_site(site_root: Path):
    with StaticSite(site_root, mount=published_path()) as site:
        yield site


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail(
            f"no Chromium at {path}: install Debian's package (`apt-get install chromium`) "
            "or set CHROMIUM to a Chromium or Chrome binary",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, chromium_path)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def book_visits(browser, book_site: StaticSite) -> Callable[[str], PageReport]:
    return visits(browser, book_site)


@pytest.fixture
def report(book_page: str, book_visits: Callable[[str], PageReport]) -> PageReport:
    """The one visit of `book_page`, shared by every check of that page."""
    return book_visits(book_page)


@pytest.fixture(scope="session")
def resolver(book_site: StaticSite) -> LinkResolver:
    return LinkResolver(book_site.origin)
