"""The built book in a real browser: every page, as a reader's browser shows it.

Each check is parametrized by page, so a broken page shows up by name in the test id and in the
message. `make book` first; `make test-browser` does both.
"""

import urllib.parse
from pathlib import Path

import pytest
import yaml
from page_checks import (
    REPORT_CHECKS,
    LinkResolver,
    PageReport,
    console_problems,
    horizontal_overflow,
    image_problems,
    link_problems,
    visit,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from static_site import StaticSite

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "_build" / "screenshots"
NARROW, WIDE = 390, 1280


# The table of contents the tested site was built from: the book's, or for the student edition
# the one of its cut copy of the sources (OUT/src/_toc.yml beside OUT/html), which leaves pages
# out. Set from `--site` by conftest.py.
TOC = ROOT / "_toc.yml"


def toc_files() -> list[str]:
    """Every file of `_toc.yml`, in reading order (paths without suffix)."""
    files = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    files.append(node[key])
            for value in node.values():
                if isinstance(value, list | dict):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load(TOC.read_text()))
    return files


def first_chapter() -> str:
    """The first notebook chapter of the book, as a site-relative page."""
    chapter = next(name for name in toc_files() if (ROOT / f"{name}.ipynb").is_file())
    return f"{chapter}.html"


@pytest.mark.parametrize(
    "check", REPORT_CHECKS, ids=lambda check: check.__name__.removesuffix("_problems")
)
def test_page_passes_check(report, check):
    """No console errors or failed requests, math rendered, images loaded with alt text,
    solution toggles that reveal their solution, headings in order and a language declared."""
    problems = check(report)
    assert not problems, "\n".join(problems)


def test_internal_links_and_anchors_resolve(report, resolver: LinkResolver):
    problems = link_problems(report, resolver)
    assert not problems, "\n".join(problems)


def test_every_page_of_the_toc_is_built(site_root: Path):
    missing = [name for name in toc_files() if not (site_root / f"{name}.html").is_file()]
    assert not missing, f"pages of _toc.yml missing from {site_root}: {missing}"


def test_site_is_ready_for_any_static_host(site_root: Path):
    baseurl = yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["baseurl"]
    assert (site_root / "404.html").is_file(), "no 404 page"
    assert (site_root / ".nojekyll").is_file(), "no .nojekyll: GitHub Pages would hide _static/"
    canonical = f'<link rel="canonical" href="{baseurl.rstrip("/")}/{first_chapter()}"'
    assert canonical in (site_root / first_chapter()).read_text(), "html_baseurl is not applied"


def test_search_finds_softmax(browser, book_site: StaticSite, resolver: LinkResolver):
    page = browser.new_page()
    try:
        page.goto(book_site.url("search.html?q=softmax"), wait_until="load")
        results = page.locator("#search-results ul.search li")
        try:
            results.first.wait_for(timeout=20_000)
        except PlaywrightTimeoutError as error:
            summary = page.locator("#search-results").inner_text()
            raise AssertionError(
                f"search.html: no result for 'softmax'; the page says {summary!r}"
            ) from error
        links = page.eval_on_selector_all(
            "#search-results ul.search li a",
            "links => links.map((a) => ({href: a.href, raw: a.getAttribute('href'), text: ''}))",
        )
    finally:
        page.close()
    assert links, "search.html: the results for 'softmax' link to no page"
    problems = link_problems(PageReport(page="search.html?q=softmax", links=links), resolver)
    assert not problems, "\n".join(problems)


SCREENSHOT_PAGES = {"home": "index.html", "chapter": None, "api": "book/api/nn.html"}


@pytest.mark.parametrize("width", [WIDE, NARROW])
@pytest.mark.parametrize("name", list(SCREENSHOT_PAGES))
def test_screenshot_without_horizontal_scroll(
    browser, book_site: StaticSite, name: str, width: int
):
    """The home page, the first chapter with its page contents open, an API module page."""
    page_name = SCREENSHOT_PAGES[name] or first_chapter()
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(book_site.url(page_name), wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate(
            "async () => { if (window.MathJax?.startup?.promise) await MathJax.startup.promise; }"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        overflow = horizontal_overflow(page)
        shown = urllib.parse.urlsplit(page.url).path
        if name == "chapter":  # the page contents open: in a dialog on a phone, beside at 1280
            toggle = page.locator("button.secondary-toggle:visible")
            if toggle.count():
                toggle.first.click()
                page.wait_for_function(
                    "() => document.querySelector('#pst-secondary-sidebar-modal').open"
                )
            page.screenshot(path=str(SCREENSHOTS / f"chapter-contents-{width}.png"))
    finally:
        page.close()
    assert shot.stat().st_size > 0
    assert overflow <= 0, (
        f"{shown} at {width} px: scrolls horizontally by {overflow} px (see {shot})"
    )


def test_missing_address_gets_the_404_page(browser, book_site: StaticSite, resolver: LinkResolver):
    """A static host answers an unknown address with 404.html: styled, and its links work."""
    url = book_site.url("no/such/chapter.html")
    report = visit(
        browser, url, "404 page at no/such/chapter.html", book_site.origin, expect_status=404
    )
    problems = console_problems(report) + image_problems(report) + link_problems(report, resolver)
    assert not problems, "\n".join(problems)
    assert any("not found" in heading["text"].lower() for heading in report.headings), (
        report.headings
    )
    # a search box, and a link to every page of the table of contents
    page = browser.new_page(viewport={"width": NARROW, "height": 900})
    try:
        page.goto(url, wait_until="load")
        search = page.locator("main form[action$='search.html'] input[name='q']")
        assert search.is_visible(), "the 404 page has no search box in its text"
        links = page.eval_on_selector_all(
            "main a[href]", "links => links.map((a) => new URL(a.href).pathname)"
        )
        search.fill("softmax")
        search.press("Enter")
        page.wait_for_url("**/search.html?q=softmax*", timeout=10_000)
    finally:
        page.close()
    missing = [
        name for name in toc_files() if not any(link.endswith(f"/{name}.html") for link in links)
    ]
    assert not missing, f"the 404 page does not link to {missing}"
